//! A new password as the owner typed it.

/// 8 to 1000 characters, kept exactly as typed (spaces count). A secret:
/// `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Use at least 8 characters for the password.")]
    TooShort,
    // Bounded so hashing one request costs a bounded amount of CPU.
    #[error("Keep the password to 1000 characters or fewer.")]
    TooLong,
}

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 1000;

    pub fn parse(value: &str) -> Result<Password, PasswordError> {
        let n = value.chars().count();
        if n < Self::MIN_CHARS {
            Err(PasswordError::TooShort)
        } else if n > Self::MAX_CHARS {
            Err(PasswordError::TooLong)
        } else {
            Ok(Password(value.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_limits() {
        assert_eq!(Password::parse("1234567"), Err(PasswordError::TooShort));
        assert_eq!(Password::parse("12345678").unwrap().expose(), "12345678");
        assert_eq!(
            Password::parse("  spaces  ").unwrap().expose(),
            "  spaces  "
        );
        assert!(Password::parse(&"x".repeat(1000)).is_ok());
        assert_eq!(
            Password::parse(&"x".repeat(1001)),
            Err(PasswordError::TooLong)
        );
        assert!(PasswordError::TooShort.to_string().contains("8 characters"));
        assert!(!format!("{:?}", Password::parse("hunter2hunter2").unwrap()).contains("hunter2"));
    }
}
