//! A new password as the owner typed it.

/// 8 to 1000 characters, kept exactly as typed (spaces count), not only
/// spaces and not one of the ~100,000 most common (breached) passwords,
/// the list the `passwords` crate embeds. A secret: `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Use at least 8 characters for the password.")]
    TooShort,
    // Bounded so hashing one request costs a bounded amount of CPU.
    #[error("Keep the password to 1000 characters or fewer.")]
    TooLong,
    #[error("Use more than spaces for the password.")]
    Blank,
    #[error("This password is one of the most common and is guessed first. Choose another.")]
    Common,
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
        } else if value.trim().is_empty() {
            Err(PasswordError::Blank)
        } else if is_common(value) {
            Err(PasswordError::Common)
        } else {
            Ok(Password(value.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Checked as typed and in lower case ("Password1" is as common as
/// "password1"); the list is lower case apart from symbols and digits.
fn is_common(value: &str) -> bool {
    // Entries are short; a long passphrase is never on the list.
    if value.len() > 64 {
        return false;
    }
    let lower = value.to_lowercase();
    passwords::analyzer::is_common_password(value)
        || (lower != value && passwords::analyzer::is_common_password(&lower))
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
        assert_eq!(Password::parse("29fj3k1q").unwrap().expose(), "29fj3k1q");
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

    #[test]
    fn common_and_blank_passwords_are_refused() {
        for common in [
            "password",
            "Password",
            "PASSWORD",
            "12345678",
            "iloveyou",
            "qwertyuiop",
        ] {
            assert_eq!(
                Password::parse(common),
                Err(PasswordError::Common),
                "{common}"
            );
        }
        assert_eq!(Password::parse("        "), Err(PasswordError::Blank));
        assert_eq!(Password::parse(" \t      "), Err(PasswordError::Blank));
        for fine in ["correct horse", "a fine long passphrase", "Tr0ub4dor&3-xk"] {
            assert!(Password::parse(fine).is_ok(), "{fine}");
        }
    }
}
