//! Which device addresses the service may contact. Outbound connections to
//! private, loopback, link-local and other special-purpose addresses are
//! refused unless the operator allows them, at save time here and again by
//! the poller on every contact.

use std::net::IpAddr;
use std::time::Duration;

use crate::domain::{Host, Port};
use crate::sync::address::{first_public, non_public_reason};

/// A literal IP address that the service is not allowed to contact. Names
/// are checked by [`vet`], which resolves them.
pub fn literal_refused(host: &Host, allow_private: bool) -> Option<String> {
    if allow_private {
        return None;
    }
    let ip = host.ip()?;
    non_public_reason(ip).map(|reason| refused_message(host, &ip, reason))
}

/// Never says what a name resolves to: the form would otherwise map a
/// network's internal names to their addresses for whoever asks.
fn refused_message(host: &Host, ip: &IpAddr, reason: &str) -> String {
    let target = if host.as_str() == ip.to_string() {
        format!("{ip} is {reason}")
    } else {
        format!("{host} resolves to {reason}")
    };
    format!(
        "{target}, which this service cannot reach. Enter the public IP address or DNS name of the router in front of the device, and forward the port to it."
    )
}

/// Refuse a host whose every address is private, loopback or similar (unless
/// allowed). A name that does not resolve now is accepted: dynamic-DNS names
/// may not be set up yet, and every poll resolves again and reports.
pub async fn vet(host: &Host, port: Port, allow_private: bool) -> Result<(), String> {
    if allow_private {
        return Ok(());
    }
    if let Some(m) = literal_refused(host, false) {
        return Err(m);
    }
    let Ok(addrs) = zk_client::resolve(host.as_str(), port.get(), Duration::from_secs(3)).await
    else {
        return Ok(());
    };
    match first_public(&addrs) {
        Ok(_) | Err(None) => Ok(()),
        Err(Some((ip, reason))) => Err(refused_message(host, &ip, reason)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(v: &str) -> Host {
        Host::parse(v).unwrap()
    }

    #[test]
    fn private_literals_are_refused_unless_allowed() {
        let m = literal_refused(&host("192.168.1.201"), false).unwrap();
        assert!(m.contains("private") && m.contains("public"), "{m}");
        assert!(literal_refused(&host("192.168.1.201"), true).is_none());
        // Checked as values only: nothing is contacted.
        assert!(literal_refused(&host("8.8.8.8"), false).is_none());
        for special in [
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::1",
            "2001:db8::1",
            "198.18.0.1",
            "192.0.0.1",
            "192.0.2.1",
            "203.0.113.7",
        ] {
            assert!(
                literal_refused(&host(special), false).is_some(),
                "{special}"
            );
        }
        assert!(literal_refused(&host("clock.example.com"), false).is_none());
    }

    #[tokio::test]
    async fn names_resolving_to_loopback_are_refused() {
        let m = vet(&host("localhost"), Port::DEFAULT, false)
            .await
            .unwrap_err();
        assert!(m.contains("loopback"), "{m}");
        assert!(
            !m.contains("127.0.0.1") && !m.contains("::1"),
            "echoes the address: {m}"
        );
        assert!(vet(&host("localhost"), Port::DEFAULT, true).await.is_ok());
        // Unresolvable now: accepted, the poll reports it later.
        assert!(vet(&host("clock.invalid"), Port::DEFAULT, false)
            .await
            .is_ok());
    }
}
