//! A set of weekdays, written as `["mon", "tue", …]` in the API.

use jiff::civil::Weekday;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::InvalidSetting;

const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Bit `i` is set when the weekday `i` days after Monday is included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Weekdays(u8);

impl Weekdays {
    pub const ALL: Weekdays = Weekdays(0b111_1111);
    pub const MON_TO_FRI: Weekdays = Weekdays(0b001_1111);

    /// Accepts `mon`…`sun` or full English names, any case; at least one.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Weekdays, InvalidSetting> {
        let mut set = Weekdays::default();
        for name in names {
            let name = name.as_ref().trim().to_ascii_lowercase();
            let Some(i) = NAMES
                .iter()
                .position(|n| name.starts_with(n) && is_day_name(&name, n))
            else {
                return Err(InvalidSetting::new(
                    "weekdays",
                    format!("{name:?} is not a weekday; use mon, tue, wed, thu, fri, sat or sun"),
                ));
            };
            set.0 |= 1 << i;
        }
        if set.0 == 0 {
            return Err(InvalidSetting::new(
                "weekdays",
                "choose at least one weekday",
            ));
        }
        Ok(set)
    }

    pub fn from_days(days: &[Weekday]) -> Weekdays {
        Weekdays(days.iter().fold(0, |acc, d| acc | bit(*d)))
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & bit(day) != 0
    }

    pub fn intersects(self, other: Weekdays) -> bool {
        self.0 & other.0 != 0
    }

    /// The names of the included days, Monday first.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        NAMES
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, n)| *n)
    }
}

fn bit(day: Weekday) -> u8 {
    1 << day.to_monday_zero_offset()
}

/// "mon" and "monday" name Monday; "mongoose" does not.
fn is_day_name(name: &str, short: &str) -> bool {
    const FULL: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    name == short || FULL.contains(&name)
}

impl Serialize for Weekdays {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.names())
    }
}

impl<'de> Deserialize<'de> for Weekdays {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        Weekdays::parse(&names).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_short_and_full_names_and_refuses_others() {
        let set = Weekdays::parse(&["mon", "Friday", " sun "]).unwrap();
        assert_eq!(set.names().collect::<Vec<_>>(), ["mon", "fri", "sun"]);
        assert!(set.contains(Weekday::Friday) && !set.contains(Weekday::Tuesday));
        assert_eq!(
            Weekdays::parse(&["mongoose"]).unwrap_err().field,
            "weekdays"
        );
        assert!(Weekdays::parse::<&str>(&[]).is_err());
        let json = serde_json::to_string(&Weekdays::MON_TO_FRI).unwrap();
        assert_eq!(json, r#"["mon","tue","wed","thu","fri"]"#);
    }
}
