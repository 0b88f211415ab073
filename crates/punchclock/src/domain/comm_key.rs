//! The comm key: the numeric password set on a time clock.

/// Digits only, 0 to 999999. A secret: `Debug` does not show it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommKey(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "The comm key is the numeric password set on the device under Comm. > Connection: digits only, from 0 to 999999."
)]
pub struct CommKeyError;

impl CommKey {
    pub const MAX: u32 = 999_999;

    pub fn parse(value: &str) -> Result<CommKey, CommKeyError> {
        let v = value.trim();
        // Digits only: `u32::from_str` would also take "+12".
        if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CommKeyError);
        }
        match v.parse::<u32>() {
            Ok(k) if k <= Self::MAX => Ok(CommKey(k)),
            _ => Err(CommKeyError),
        }
    }

    /// The number the device protocol expects.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl std::fmt::Debug for CommKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CommKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_from_0_to_999999() {
        assert_eq!(CommKey::parse("0").map(CommKey::get), Ok(0));
        assert_eq!(CommKey::parse(" 4242 ").map(CommKey::get), Ok(4242));
        assert_eq!(CommKey::parse("999999").map(CommKey::get), Ok(999_999));
        assert_eq!(CommKey::parse("007").map(CommKey::get), Ok(7));
        for bad in ["1000000", "+12", "12a", "-1", "x", "", "1 2", "99999999999"] {
            assert_eq!(CommKey::parse(bad), Err(CommKeyError), "{bad:?}");
        }
        assert!(CommKeyError.to_string().contains("Comm. > Connection"));
        assert!(CommKeyError.to_string().contains("digits only"));
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = CommKey::parse("918273").unwrap();
        assert!(!format!("{key:?}").contains("918273"));
    }
}
