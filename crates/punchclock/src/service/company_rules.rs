//! The attendance rules of `PATCH /company` and the attendance settings
//! page, as typed, and the checks the engine makes on them.

use super::fields::{optional, FieldErrors};
use crate::attendance::Hours;
use crate::domain::{AttendanceRules, ShiftId};

/// The rules as typed; `None` keeps the current value. For the optional
/// thresholds and the default shift, blank (or JSON `null`) turns them off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RulesInput {
    pub default_shift_id: Option<String>,
    pub double_tap_seconds: Option<String>,
    pub punch_status_reliable: Option<bool>,
    pub min_rest_hours: Option<String>,
    pub weekly_overtime_hours: Option<String>,
    pub absent_below_hours: Option<String>,
    pub half_day_below_hours: Option<String>,
}

/// Valid changes; `None` keeps the current value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RulesChanges {
    pub default_shift_id: Option<Option<ShiftId>>,
    pub double_tap_seconds: Option<u32>,
    pub punch_status_reliable: Option<bool>,
    pub min_rest: Option<Hours>,
    pub weekly_overtime: Option<Option<Hours>>,
    pub absent_below: Option<Option<Hours>>,
    pub half_day_below: Option<Option<Hours>>,
}

impl RulesInput {
    pub fn parse(&self, e: &mut FieldErrors) -> RulesChanges {
        RulesChanges {
            default_shift_id: self.default_shift_id.as_deref().and_then(|v| {
                e.check(
                    "default_shift_id",
                    optional_number(v).map(|n| n.map(ShiftId)),
                )
            }),
            double_tap_seconds: self
                .double_tap_seconds
                .as_deref()
                .and_then(|v| e.check("double_tap_seconds", seconds(v))),
            punch_status_reliable: self.punch_status_reliable,
            min_rest: self
                .min_rest_hours
                .as_deref()
                .and_then(|v| e.check("min_rest_hours", rest(v))),
            weekly_overtime: optional_hours(
                e,
                "weekly_overtime_hours",
                &self.weekly_overtime_hours,
            ),
            absent_below: optional_hours(e, "absent_below_hours", &self.absent_below_hours),
            half_day_below: optional_hours(e, "half_day_below_hours", &self.half_day_below_hours),
        }
    }
}

impl RulesChanges {
    pub fn is_empty(&self) -> bool {
        *self == RulesChanges::default()
    }

    /// The saved rules with these changes.
    pub fn over(&self, current: &AttendanceRules) -> AttendanceRules {
        AttendanceRules {
            default_shift_id: self.default_shift_id.unwrap_or(current.default_shift_id),
            double_tap_seconds: self
                .double_tap_seconds
                .unwrap_or(current.double_tap_seconds),
            punch_status_reliable: self
                .punch_status_reliable
                .unwrap_or(current.punch_status_reliable),
            min_rest: self.min_rest.unwrap_or(current.min_rest),
            weekly_overtime: self.weekly_overtime.unwrap_or(current.weekly_overtime),
            absent_below: self.absent_below.unwrap_or(current.absent_below),
            half_day_below: self.half_day_below.unwrap_or(current.half_day_below),
        }
    }
}

/// The engine's checks across fields (thresholds in order, non-zero rest),
/// as a field message.
pub fn validate(rules: &AttendanceRules, zone: &crate::domain::Zone) -> Result<(), FieldErrors> {
    rules
        .to_engine(zone)
        .validate()
        .map_err(|e| FieldErrors::one(e.field, super::error::sentence(&e.message)))
}

fn optional_number(v: &str) -> Result<Option<i64>, String> {
    optional(v)
        .map(|n| {
            n.parse::<i64>()
                .map_err(|_| "Choose a shift from the list (or none).".to_string())
        })
        .transpose()
}

fn seconds(v: &str) -> Result<u32, String> {
    v.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| *n <= 3600)
        .ok_or_else(|| "Use a whole number of seconds from 0 to 3600.".to_string())
}

fn hours(field: &'static str, v: &str) -> Result<Hours, String> {
    let n: f64 = v.trim().parse().map_err(|_| {
        format!(
            "Use a number of hours, like 4 or 7.5, not \"{}\".",
            v.trim()
        )
    })?;
    Hours::parse(field, n).map_err(|e| super::error::sentence(&e.message))
}

/// A rest between work periods: more than 0, at most a day.
fn rest(v: &str) -> Result<Hours, String> {
    let h = hours("min_rest_hours", v)?;
    if h.seconds() == 0 || h.seconds() > 24 * 3600 {
        return Err("Must be more than 0 and at most 24 hours.".into());
    }
    Ok(h)
}

/// Blank turns the threshold off (`Some(None)`).
fn optional_hours(
    e: &mut FieldErrors,
    field: &'static str,
    value: &Option<String>,
) -> Option<Option<Hours>> {
    let v = value.as_deref()?;
    match optional(v) {
        None => Some(None),
        Some(v) => e.check(field, hours(field, v)).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Zone;

    #[test]
    fn rules_are_read_field_by_field_and_blank_turns_off() {
        let input = RulesInput {
            default_shift_id: Some("".into()),
            double_tap_seconds: Some("90".into()),
            min_rest_hours: Some("6.5".into()),
            weekly_overtime_hours: Some("40".into()),
            absent_below_hours: Some(" ".into()),
            ..RulesInput::default()
        };
        let mut e = FieldErrors::default();
        let c = input.parse(&mut e);
        assert!(e.is_empty(), "{e}");
        assert_eq!(c.default_shift_id, Some(None));
        assert_eq!(c.double_tap_seconds, Some(90));
        assert_eq!(c.min_rest.unwrap().seconds(), 6 * 3600 + 1800);
        assert_eq!(c.weekly_overtime, Some(Some(Hours::from_minutes(2400))));
        assert_eq!(c.absent_below, Some(None));
        assert_eq!(c.half_day_below, None, "absent: kept");
        let merged = c.over(&AttendanceRules::default());
        assert_eq!(merged.double_tap_seconds, 90);
        assert!(!merged.punch_status_reliable);
    }

    #[test]
    fn every_bad_rule_has_a_message() {
        let input = RulesInput {
            default_shift_id: Some("first".into()),
            double_tap_seconds: Some("5000".into()),
            min_rest_hours: Some("lots".into()),
            weekly_overtime_hours: Some("-1".into()),
            ..RulesInput::default()
        };
        let mut e = FieldErrors::default();
        input.parse(&mut e);
        for f in [
            "default_shift_id",
            "double_tap_seconds",
            "min_rest_hours",
            "weekly_overtime_hours",
        ] {
            assert!(e.get(f).is_some(), "{f}: {e}");
        }
        let rules = AttendanceRules {
            absent_below: Some(Hours::from_minutes(300)),
            half_day_below: Some(Hours::from_minutes(240)),
            ..AttendanceRules::default()
        };
        let e = validate(&rules, &Zone::utc()).unwrap_err();
        assert!(
            e.get("absent_below_hours")
                .unwrap()
                .starts_with("Must not be more"),
            "{e}"
        );
    }
}
