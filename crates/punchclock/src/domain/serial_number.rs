//! The serial number that identifies a push device.

use std::fmt;

/// A device serial number: 1–32 letters, digits, `-` or `_`, upper case.
/// Printed on the device's label and shown in its menu; an identifier,
/// not a secret (anyone can send any serial), so it only says which
/// company's device a request *claims* to be.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SerialNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SerialNumberError {
    #[error(
        "Enter the serial number shown on the device's label or under System Info › Device Info."
    )]
    Missing,
    #[error(
        "A serial number is 1 to 32 letters and digits (like CQUJ213360137); \"{0}\" is not one."
    )]
    Invalid(String),
}

impl SerialNumber {
    pub const MAX_LEN: usize = 32;

    /// Blanks around it are ignored and letters are made upper case, as
    /// labels print them; lower-case typing is not a different device.
    pub fn parse(value: &str) -> Result<SerialNumber, SerialNumberError> {
        let v = value.trim();
        if v.is_empty() {
            return Err(SerialNumberError::Missing);
        }
        let ok = v.len() <= Self::MAX_LEN
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return Err(SerialNumberError::Invalid(v.chars().take(40).collect()));
        }
        Ok(SerialNumber(v.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for SerialNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_case_letters_and_digits() {
        let s = SerialNumber::parse(" cquj213360137 ").unwrap();
        assert_eq!(s.as_str(), "CQUJ213360137");
        assert_eq!(SerialNumber::parse("A-1_b").unwrap().as_str(), "A-1_B");
        assert_eq!(SerialNumber::parse(""), Err(SerialNumberError::Missing));
        for bad in ["a b", "x/y", "é1", &"9".repeat(33), "1;DROP"] {
            assert!(
                matches!(SerialNumber::parse(bad), Err(SerialNumberError::Invalid(_))),
                "{bad:?}"
            );
        }
        assert!(SerialNumber::parse(&"9".repeat(32)).is_ok());
    }
}
