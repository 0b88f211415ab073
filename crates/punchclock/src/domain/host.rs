//! The address of a time clock as the poller dials it.

use std::fmt;
use std::net::IpAddr;

/// What to type instead, shown with most address mistakes.
const HINT: &str =
    "Enter only the address, like 203.0.113.7 or clock.example.com, without http:// or a port.";

/// An IPv4/IPv6 literal or a DNS name: no scheme, port or path. Names are
/// lowercase without a trailing dot; IPv6 has no brackets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Host(String);

/// Why text is not a [`Host`], in words a shop owner can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    #[error("Enter the device's address, like 203.0.113.7 or clock.example.com.")]
    Missing,
    /// A URL: scheme, path, query or credentials.
    #[error("{}", HINT)]
    NotAnAddress,
    #[error("{} Put the port number in the Port field.", HINT)]
    WithPort,
    #[error("\"{0}\" is not a valid address. {hint}", hint = HINT)]
    Invalid(String),
    #[error(
        "\"{0}\" is not a valid IP address: an IPv4 address is four numbers from 0 to 255, like 203.0.113.7."
    )]
    BadIpAddress(String),
}

impl Host {
    pub fn parse(value: &str) -> Result<Host, HostError> {
        let v = value.trim();
        if v.is_empty() {
            return Err(HostError::Missing);
        }
        if v.contains("://") || v.contains('/') || v.contains('?') || v.contains('@') {
            return Err(HostError::NotAnAddress);
        }
        let bare = v
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(v);
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(Host(ip.to_string()));
        }
        if v.contains(':') {
            return Err(HostError::WithPort);
        }
        let name = v.strip_suffix('.').unwrap_or(v).to_ascii_lowercase();
        let labels: Vec<&str> = name.split('.').collect();
        let label_ok = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        if name.len() > 253 || !labels.iter().all(label_ok) {
            return Err(HostError::Invalid(super::names::excerpt(v)));
        }
        // Top-level domains are never numeric, so this is a mistyped IP address.
        if labels
            .last()
            .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(HostError::BadIpAddress(super::names::excerpt(v)));
        }
        Ok(Host(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address itself when the host is an IP literal.
    pub fn ip(&self) -> Option<IpAddr> {
        self.0.parse().ok()
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Host {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Host {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_cleaned() {
        let ok = |v: &str| Host::parse(v).unwrap().into_string();
        assert_eq!(ok(" 203.0.113.7 "), "203.0.113.7");
        assert_eq!(ok("[2001:db8::1]"), "2001:db8::1");
        assert_eq!(ok("2001:db8::1"), "2001:db8::1");
        assert_eq!(ok("Clock.Example.com."), "clock.example.com");
        assert_eq!(ok("localhost"), "localhost");
        assert_eq!(ok("my-clock.dyndns.example"), "my-clock.dyndns.example");
        assert_eq!(
            Host::parse("10.0.0.1").unwrap().ip(),
            "10.0.0.1".parse().ok()
        );
        assert_eq!(Host::parse("clock.example.com").unwrap().ip(), None);
    }

    #[test]
    fn mistakes_are_refused_with_the_way_to_fix_them() {
        for bad in [
            "http://203.0.113.7",
            "203.0.113.7:4370",
            "clock.example.com:4370",
            "clock.example.com/zk",
            "203.0.113.999",
            "clock_1.example.com",
            "-clock.example.com",
            "a..b",
            "",
            "   ",
            "user@clock.example.com",
        ] {
            assert!(Host::parse(bad).is_err(), "{bad:?} must be refused");
        }
        let message = |v: &str| Host::parse(v).unwrap_err().to_string();
        assert!(message("http://x.com").contains("without http://"));
        assert!(message("x.com:4370").contains("Port field"));
        assert!(message("203.0.113.999").contains("IPv4"));
        assert!(message("").contains("like 203.0.113.7"));
        assert!(message("a..b").contains("\"a..b\" is not a valid address"));
        let long = format!("{}.com", "a".repeat(64));
        assert!(message(&long).contains(&"a".repeat(40)));
        // A huge input is quoted only in part (issue 11: echoed whole).
        assert!(message(&"a".repeat(100_000)).len() < 300);
    }
}
