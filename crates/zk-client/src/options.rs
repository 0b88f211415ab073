//! How to reach a device: transport, comm key, timeouts.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// Which transport to use. `Auto` tries TCP and falls back to UDP when TCP is
/// refused or times out (older terminals only speak UDP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum TransportChoice {
    #[default]
    Auto,
    Tcp,
    Udp,
}

impl FromStr for TransportChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(TransportChoice::Auto),
            "tcp" => Ok(TransportChoice::Tcp),
            "udp" => Ok(TransportChoice::Udp),
            other => Err(format!("unknown transport {other:?}: use auto, tcp or udp")),
        }
    }
}

impl fmt::Display for TransportChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportChoice::Auto => "auto",
            TransportChoice::Tcp => "tcp",
            TransportChoice::Udp => "udp",
        })
    }
}

/// Connection settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOptions {
    /// The device's communication password, if one is set.
    pub comm_key: Option<u32>,
    pub transport: TransportChoice,
    /// Limit for each step: connecting, each request, each chunk of a bulk read.
    pub timeout: Duration,
    /// Extra attempts for each chunk of a bulk read (and UDP resends of a request).
    pub retries: u32,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            comm_key: None,
            transport: TransportChoice::Auto,
            timeout: Duration::from_secs(10),
            retries: 3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_choice_parses_and_prints() {
        for (s, t) in [
            ("auto", TransportChoice::Auto),
            ("TCP", TransportChoice::Tcp),
            ("udp", TransportChoice::Udp),
        ] {
            assert_eq!(s.parse::<TransportChoice>().unwrap(), t);
            assert_eq!(t.to_string(), s.to_ascii_lowercase());
        }
        assert!("sctp".parse::<TransportChoice>().is_err());
        let o = ClientOptions::default();
        assert_eq!(o.timeout, Duration::from_secs(10));
        assert_eq!(o.retries, 3);
    }
}
