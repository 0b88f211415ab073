//! Time zones as typed, in the words the forms and the API show. Which
//! names are zones is `domain::Zone`'s to decide; this adds the message.

use crate::domain::{zone, Zone};

/// Why a time zone name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZoneError {
    #[error("Choose a time zone, like Europe/Berlin or America/New_York.")]
    Missing,
    #[error(
        "\"{0}\" is not a time zone we know. Use a name like Europe/Berlin or America/New_York."
    )]
    Unknown(String),
}

/// A known IANA time zone; an old name is saved as its current one
/// (`Asia/Calcutta` becomes `Asia/Kolkata`).
pub fn parse(value: &str) -> Result<Zone, ZoneError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ZoneError::Missing);
    }
    Zone::parse(zone::current_name(v)).map_err(|_| ZoneError::Unknown(crate::domain::excerpt(v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_zones_only() {
        assert_eq!(parse(" Europe/Berlin ").unwrap().name(), "Europe/Berlin");
        assert_eq!(
            parse("Mars/Olympus"),
            Err(ZoneError::Unknown("Mars/Olympus".into()))
        );
        assert!(parse("Mars/Olympus")
            .unwrap_err()
            .to_string()
            .contains("Europe/Berlin"));
        assert_eq!(parse(" "), Err(ZoneError::Missing));
        assert_eq!(parse("Asia/Calcutta").unwrap().name(), "Asia/Kolkata");
    }
}
