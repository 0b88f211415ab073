//! Time zones, parsed once where a name enters the system (a form, the API,
//! a stored row) and carried validated from there on. There is no fallback:
//! a name that is not a known IANA zone is an error, never silently UTC.

use std::fmt;
use std::str::FromStr;

use jiff::civil;
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

mod names;

pub use names::{current_name, pickable, PickZone};

/// A known IANA time zone and its canonical name.
#[derive(Clone)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

/// A time zone name that is not in the time zone database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone {name:?}")]
pub struct UnknownZone {
    pub name: String,
}

impl Zone {
    /// Looks `name` up (surrounding blanks ignored, case as the database
    /// spells it). Empty and unknown names are refused.
    pub fn parse(name: &str) -> Result<Zone, UnknownZone> {
        let trimmed = name.trim();
        let unknown = || UnknownZone {
            name: name.to_owned(),
        };
        if trimmed.is_empty() {
            return Err(unknown());
        }
        let tz = TimeZone::get(trimmed).map_err(|_| unknown())?;
        let name = tz.iana_name().unwrap_or(trimmed).to_owned();
        Ok(Zone { name, tz })
    }

    pub fn utc() -> Zone {
        Zone {
            name: "UTC".to_owned(),
            tz: TimeZone::UTC,
        }
    }

    /// This machine's zone, when it has an IANA name.
    pub fn system() -> Result<Zone, UnknownZone> {
        let tz = TimeZone::system();
        match tz.iana_name() {
            Some(name) => Zone::parse(name),
            None => Err(UnknownZone {
                name: "(the system zone has no IANA name)".to_owned(),
            }),
        }
    }

    /// The IANA name, e.g. `Europe/Berlin`.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    /// `t` as a wall-clock time in this zone.
    pub fn to_zoned(&self, t: Timestamp) -> Zoned {
        t.to_zoned(self.tz.clone())
    }

    /// The instant a wall-clock time denotes here. In a DST overlap the
    /// earlier instant is taken, consistently, so a retry maps the same
    /// punch to the same instant; a time in a gap moves forward.
    pub fn instant(&self, dt: civil::DateTime) -> Option<Timestamp> {
        self.tz.to_ambiguous_timestamp(dt).compatible().ok()
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zone({})", self.name)
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl FromStr for Zone {
    type Err = UnknownZone;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Zone::parse(s)
    }
}

impl serde::Serialize for Zone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name)
    }
}

impl<'de> serde::Deserialize<'de> for Zone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Zone::parse(&name).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_names_and_refuses_the_rest() {
        let berlin = Zone::parse(" Europe/Berlin ").unwrap();
        assert_eq!(berlin.name(), "Europe/Berlin");
        assert_eq!(berlin.to_string(), "Europe/Berlin");
        assert_eq!(Zone::parse("UTC").unwrap(), Zone::utc());
        for bad in ["", "  ", "Mars/Olympus", "Europe/Berlin/x"] {
            let err = Zone::parse(bad).unwrap_err();
            assert_eq!(err.name, bad);
        }
        assert_eq!(
            Zone::parse("Mars/Olympus").unwrap_err().to_string(),
            "unknown time zone \"Mars/Olympus\""
        );
    }

    #[test]
    fn serde_round_trips_by_name_and_validates() {
        let z = Zone::parse("America/Bogota").unwrap();
        let json = serde_json::to_string(&z).unwrap();
        assert_eq!(json, "\"America/Bogota\"");
        assert_eq!(serde_json::from_str::<Zone>(&json).unwrap(), z);
        assert!(serde_json::from_str::<Zone>("\"Nowhere/Land\"").is_err());
    }

    #[test]
    fn converts_wall_clock_times_with_the_zone() {
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let t = berlin
            .instant(civil::datetime(2026, 7, 1, 9, 0, 0, 0))
            .unwrap();
        assert_eq!(t.to_string(), "2026-07-01T07:00:00Z");
        assert_eq!(berlin.to_zoned(t).datetime().hour(), 9);
        // Spring-forward gap: 02:30 does not exist; still maps, never panics.
        assert!(berlin
            .instant(civil::datetime(2026, 3, 29, 2, 30, 0, 0))
            .is_some());
    }
}
