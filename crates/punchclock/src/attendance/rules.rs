//! Company attendance rules, with the defaults the issue names.

use jiff::{civil::Weekday, tz::TimeZone};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::InvalidSetting;

/// Default for [`Rules::double_tap_seconds`].
pub const DEFAULT_DOUBLE_TAP_SECONDS: u32 = 120;
/// Default for [`Rules::min_rest`]: 4 hours.
pub const DEFAULT_MIN_REST: Hours = Hours::from_minutes(4 * 60);
/// A work period without a shift never spans more than this.
pub const MAX_PERIOD_SECONDS: i64 = 16 * 3600;
/// Without a shift (and reliable keys), a check-in followed by nothing for
/// longer than this is missing its check-out rather than worked time.
pub const MAX_STRETCH_SECONDS: i64 = 12 * 3600;

/// A non-negative number of hours (the `*_hours` settings), kept as whole
/// seconds so 1.7 h is exactly 102 minutes. (De)serialises as a plain number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Hours {
    seconds: u32,
}

impl Hours {
    /// Accepts 0 to 168 hours (a week); fractions are rounded to the second.
    pub fn parse(field: &'static str, hours: f64) -> Result<Hours, InvalidSetting> {
        if !hours.is_finite() || !(0.0..=168.0).contains(&hours) {
            return Err(InvalidSetting::new(
                field,
                format!("must be a number of hours from 0 to 168, not {hours}"),
            ));
        }
        Ok(Hours {
            seconds: (hours * 3600.0).round() as u32,
        })
    }

    /// Whole seconds, as stored.
    pub const fn from_seconds(seconds: u32) -> Hours {
        Hours { seconds }
    }

    pub const fn from_minutes(minutes: u32) -> Hours {
        Hours {
            seconds: minutes * 60,
        }
    }

    pub fn as_hours(self) -> f64 {
        f64::from(self.seconds) / 3600.0
    }

    pub fn seconds(self) -> i64 {
        i64::from(self.seconds)
    }
}

impl Serialize for Hours {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_hours())
    }
}

impl<'de> Deserialize<'de> for Hours {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let hours = f64::deserialize(d)?;
        Hours::parse("hours", hours).map_err(serde::de::Error::custom)
    }
}

/// The company settings the engine reads. Build with [`Rules::new`] (all
/// defaults) and override fields; check user input with [`Rules::validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// The company's zone: it decides calendar days and shows times.
    pub zone: TimeZone,
    /// Punches this close after a counted one are double taps (0: only
    /// punches in the same second).
    pub double_tap_seconds: u32,
    /// Trust the device's in/out key instead of pairing in time order.
    pub punch_status_reliable: bool,
    /// Without a shift, a gap this long starts a new work period.
    pub min_rest: Hours,
    /// Weekly overtime threshold (`weekly_overtime_hours`); `None` = off.
    pub weekly_overtime: Option<Hours>,
    /// A working day with less worked time is absent; `None` = off.
    pub absent_below: Option<Hours>,
    /// A working day with less worked time is a half day; `None` = off.
    pub half_day_below: Option<Hours>,
    /// First day of the week for weekly overtime (default Monday).
    pub week_start: Weekday,
}

impl Rules {
    pub fn new(zone: TimeZone) -> Rules {
        Rules {
            zone,
            double_tap_seconds: DEFAULT_DOUBLE_TAP_SECONDS,
            punch_status_reliable: false,
            min_rest: DEFAULT_MIN_REST,
            weekly_overtime: None,
            absent_below: None,
            half_day_below: None,
            week_start: Weekday::Monday,
        }
    }

    /// Refuses values no payroll would mean, naming the API field.
    pub fn validate(&self) -> Result<(), InvalidSetting> {
        if self.double_tap_seconds > 3600 {
            return Err(InvalidSetting::new(
                "double_tap_seconds",
                "must be between 0 and 3600 seconds",
            ));
        }
        let rest = self.min_rest.seconds();
        if rest == 0 || rest > 24 * 3600 {
            return Err(InvalidSetting::new(
                "min_rest_hours",
                "must be more than 0 and at most 24 hours",
            ));
        }
        if self.weekly_overtime.is_some_and(|h| h.seconds() == 0) {
            return Err(InvalidSetting::new(
                "weekly_overtime_hours",
                "must be more than 0 hours (leave it empty to turn weekly overtime off)",
            ));
        }
        self.validate_thresholds()
    }

    fn validate_thresholds(&self) -> Result<(), InvalidSetting> {
        for (field, value) in [
            ("absent_below_hours", self.absent_below),
            ("half_day_below_hours", self.half_day_below),
        ] {
            if value.is_some_and(|h| h.seconds() > 24 * 3600) {
                return Err(InvalidSetting::new(field, "must be at most 24 hours"));
            }
        }
        if let (Some(absent), Some(half)) = (self.absent_below, self.half_day_below) {
            if absent > half {
                return Err(InvalidSetting::new(
                    "absent_below_hours",
                    "must not be more than half_day_below_hours, or no day could be a half day",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_exact_seconds_and_refuse_nonsense() {
        assert_eq!(Hours::parse("x", 1.7).unwrap().seconds(), 102 * 60);
        assert_eq!(Hours::parse("x", 7.5).unwrap(), Hours::from_minutes(450));
        for bad in [-0.5, f64::NAN, f64::INFINITY, 169.0] {
            let err = Hours::parse("min_rest_hours", bad).unwrap_err();
            assert_eq!(err.field, "min_rest_hours");
        }
        let h: Hours = serde_json::from_str("4").unwrap();
        assert_eq!(serde_json::to_string(&h).unwrap(), "4.0");
    }

    #[test]
    fn defaults_match_the_issue_and_validate() {
        let rules = Rules::new(TimeZone::UTC);
        assert_eq!(rules.double_tap_seconds, 120);
        assert!(!rules.punch_status_reliable);
        assert_eq!(rules.min_rest.seconds(), 4 * 3600);
        assert_eq!(rules.weekly_overtime, None);
        assert_eq!((rules.absent_below, rules.half_day_below), (None, None));
        assert_eq!(rules.week_start, Weekday::Monday);
        rules.validate().unwrap();
    }

    #[test]
    fn validation_names_the_field() {
        let mut rules = Rules::new(TimeZone::UTC);
        rules.absent_below = Some(Hours::from_minutes(300));
        rules.half_day_below = Some(Hours::from_minutes(240));
        assert_eq!(rules.validate().unwrap_err().field, "absent_below_hours");
        let mut rules = Rules::new(TimeZone::UTC);
        rules.min_rest = Hours::default();
        assert_eq!(rules.validate().unwrap_err().field, "min_rest_hours");
        let mut rules = Rules::new(TimeZone::UTC);
        rules.double_tap_seconds = 4000;
        assert_eq!(rules.validate().unwrap_err().field, "double_tap_seconds");
        let mut rules = Rules::new(TimeZone::UTC);
        rules.weekly_overtime = Some(Hours::default());
        assert_eq!(rules.validate().unwrap_err().field, "weekly_overtime_hours");
    }
}
