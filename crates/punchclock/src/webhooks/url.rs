//! Endpoint URLs, and the outbound-address guard they pass: the same rule
//! as device hosts (no private, loopback, link-local or metadata
//! addresses) unless the operator allows them. Checked when the URL is
//! saved, and again on every connection by [`GuardedResolver`], so a name
//! that later resolves elsewhere is still refused.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::sync::address::non_public_reason;

/// Why a URL is refused, in words for the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("Enter a URL like https://example.com/hooks/punchclock.")]
    Invalid,
    #[error("Use an https:// URL.")]
    NotHttps,
    #[error("The URL is too long (at most 500 characters).")]
    TooLong,
    #[error("{host} is {reason}, which this service does not send to.")]
    NotPublic { host: String, reason: &'static str },
    #[error("{0} does not resolve.")]
    Unresolved(String),
}

/// A valid endpoint URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    url: reqwest::Url,
}

impl WebhookUrl {
    /// Checks the text: `https://` with a host (plain `http://` only when
    /// private addresses are allowed, for receivers on the same network).
    pub fn parse(text: &str, allow_private: bool) -> Result<WebhookUrl, UrlError> {
        let text = text.trim();
        if text.len() > 500 {
            return Err(UrlError::TooLong);
        }
        let url = reqwest::Url::parse(text).map_err(|_| UrlError::Invalid)?;
        match url.scheme() {
            "https" => {}
            "http" if allow_private => {}
            "http" => return Err(UrlError::NotHttps),
            _ => return Err(UrlError::Invalid),
        }
        if url.host_str().is_none_or(str::is_empty) || !url.username().is_empty() {
            return Err(UrlError::Invalid);
        }
        if let Some(ip) = literal_ip(&url) {
            check_ip(ip, allow_private, &url)?;
        }
        Ok(WebhookUrl { url })
    }

    /// Resolves the host now and refuses it if any address is not public.
    pub async fn vet(&self, allow_private: bool) -> Result<(), UrlError> {
        if allow_private || literal_ip(&self.url).is_some() {
            return Ok(());
        }
        let host = self.url.host_str().unwrap_or_default().to_owned();
        let port = self.url.port_or_known_default().unwrap_or(443);
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|_| UrlError::Unresolved(host.clone()))?
            .collect();
        if addrs.is_empty() {
            return Err(UrlError::Unresolved(host));
        }
        for a in addrs {
            check_ip(a.ip(), false, &self.url)?;
        }
        Ok(())
    }

    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }
}

fn literal_ip(url: &reqwest::Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        url::Host::Domain(_) => None,
    }
}

fn check_ip(ip: IpAddr, allow_private: bool, url: &reqwest::Url) -> Result<(), UrlError> {
    match non_public_reason(ip) {
        Some(reason) if !allow_private => Err(UrlError::NotPublic {
            host: url.host_str().unwrap_or_default().to_owned(),
            reason,
        }),
        _ => Ok(()),
    }
}

/// Resolves names for the webhook client, keeping only public addresses
/// (all of them when the operator allows private ones).
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| allow || non_public_reason(a.ip()).is_none())
                .collect();
            if found.is_empty() {
                let msg = format!("{host} resolves to no address this service sends to");
                return Err(msg.into());
            }
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}

/// The resolver as reqwest takes it.
pub fn resolver(allow_private: bool) -> Arc<GuardedResolver> {
    Arc::new(GuardedResolver { allow_private })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_https_and_public() {
        assert!(WebhookUrl::parse("https://hooks.example.com/x?y=1", false).is_ok());
        assert_eq!(
            WebhookUrl::parse("http://hooks.example.com/", false),
            Err(UrlError::NotHttps)
        );
        assert!(WebhookUrl::parse("http://127.0.0.1:9/", true).is_ok());
        assert_eq!(
            WebhookUrl::parse("ftp://x.example/", false),
            Err(UrlError::Invalid)
        );
        assert_eq!(
            WebhookUrl::parse("not a url", false),
            Err(UrlError::Invalid)
        );
        assert_eq!(
            WebhookUrl::parse("https://u:p@x.example/", false),
            Err(UrlError::Invalid)
        );
        let long = format!("https://x.example/{}", "a".repeat(500));
        assert_eq!(WebhookUrl::parse(&long, false), Err(UrlError::TooLong));
        for private in [
            "https://127.0.0.1/",
            "https://10.1.2.3/",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/",
            "https://192.168.1.20:8443/",
        ] {
            let e = WebhookUrl::parse(private, false).unwrap_err();
            assert!(matches!(e, UrlError::NotPublic { .. }), "{private}: {e:?}");
        }
        let e = WebhookUrl::parse("https://169.254.169.254/", false).unwrap_err();
        assert!(e.to_string().contains("link-local"), "{e}");
    }

    #[tokio::test]
    async fn names_are_vetted_after_resolving() {
        // "localhost" resolves to loopback without any network.
        let u = WebhookUrl::parse("https://localhost/hook", false).unwrap();
        let e = u.vet(false).await.unwrap_err();
        assert!(matches!(e, UrlError::NotPublic { .. }), "{e:?}");
        assert!(u.vet(true).await.is_ok());
    }
}
