//! Name resolution. Devices often sit behind a dynamic-DNS name whose address
//! changes, so nothing is cached: every call asks the system resolver again.

use crate::error::ClientError;
use std::net::SocketAddr;
use std::time::Duration;

/// Resolve `host` (a name or an IP literal) to socket addresses.
pub async fn resolve(
    host: &str,
    port: u16,
    timeout: Duration,
) -> Result<Vec<SocketAddr>, ClientError> {
    let host = host.trim();
    let fail = |detail: &str| ClientError::Resolve {
        host: host.to_string(),
        detail: detail.to_string(),
    };
    if host.is_empty() {
        return Err(fail("no host name given"));
    }
    // RFC 6761: ".invalid" never resolves; answer at once instead of asking DNS.
    let lower = host.trim_end_matches('.').to_ascii_lowercase();
    if lower == "invalid" || lower.ends_with(".invalid") {
        return Err(fail("no such name (reserved .invalid domain)"));
    }
    // IPv6 literals may come bracketed, as in URLs.
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = bare.parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    match tokio::time::timeout(timeout, tokio::net::lookup_host((bare, port))).await {
        Err(_) => Err(ClientError::Timeout {
            step: "resolving the device's name",
            after: timeout,
        }),
        Ok(Err(e)) => Err(fail(&e.to_string())),
        Ok(Ok(addrs)) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if addrs.is_empty() {
                Err(fail("the name has no addresses"))
            } else {
                Ok(addrs)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn literals_and_invalid_names() {
        let t = Duration::from_secs(5);
        assert_eq!(
            resolve("127.0.0.1", 4370, t).await.unwrap(),
            vec!["127.0.0.1:4370".parse().unwrap()]
        );
        assert_eq!(
            resolve("[::1]", 1, t).await.unwrap(),
            vec!["[::1]:1".parse().unwrap()]
        );
        let e = resolve("clock.invalid", 4370, t).await.unwrap_err();
        assert_eq!(e.kind(), "dns");
        assert!(e
            .to_string()
            .starts_with("the name clock.invalid did not resolve"));
        assert!(!resolve("localhost", 4370, t).await.unwrap().is_empty());
    }
}
