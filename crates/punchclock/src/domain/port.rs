//! The port a time clock listens on.

use std::fmt;

/// A TCP/UDP port, 1 to 65535.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Port(u16);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "The port is a number from 1 to 65535; ZKTeco devices use {} unless it was changed.",
    Port::DEFAULT
)]
pub struct PortError;

impl Port {
    /// The port ZKTeco devices listen on unless changed.
    pub const DEFAULT: Port = Port(4370);

    pub fn parse(value: &str) -> Result<Port, PortError> {
        match value.trim().parse::<u32>() {
            Ok(p) if (1..=65535).contains(&p) => Ok(Port(p as u16)),
            _ => Err(PortError),
        }
    }

    /// A port from a number already typed as one; 0 is not a port.
    pub fn new(port: u16) -> Result<Port, PortError> {
        if port == 0 {
            Err(PortError)
        } else {
            Ok(Port(port))
        }
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_from_1_to_65535() {
        assert_eq!(Port::parse("80").map(Port::get), Ok(80));
        assert_eq!(Port::parse(" 4370 ").map(Port::get), Ok(4370));
        assert_eq!(Port::parse("65535").map(Port::get), Ok(65535));
        for bad in ["0", "65536", "x", "", "-1", "4370.0", "99999999999"] {
            assert_eq!(Port::parse(bad), Err(PortError), "{bad:?}");
        }
        assert!(PortError.to_string().contains("1 to 65535"));
        assert!(PortError.to_string().contains("4370"));
        assert_eq!(Port::new(0), Err(PortError));
        assert_eq!(Port::new(4370), Ok(Port::DEFAULT));
    }
}
