//! The enroll ID: the number a person uses on the time clocks.

use std::fmt;

/// Up to 24 characters (current firmware), trimmed, never blank. Unique
/// within a company: it is how device users become employees.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EnrollId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Enter the enroll ID (up to 24 characters), the number the person uses on the device.")]
pub struct EnrollIdError;

impl EnrollId {
    pub const MAX_CHARS: usize = 24;

    pub fn parse(value: &str) -> Result<EnrollId, EnrollIdError> {
        let v = value.trim();
        if v.is_empty() || v.chars().count() > Self::MAX_CHARS {
            return Err(EnrollIdError);
        }
        Ok(EnrollId(v.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for EnrollId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_to_24_characters() {
        assert_eq!(EnrollId::parse(" A-12 ").unwrap().as_str(), "A-12");
        assert!(EnrollId::parse(&"9".repeat(24)).is_ok());
        assert_eq!(EnrollId::parse(&"9".repeat(25)), Err(EnrollIdError));
        assert_eq!(EnrollId::parse("  "), Err(EnrollIdError));
        assert!(EnrollIdError.to_string().contains("up to 24 characters"));
    }
}
