//! A company's attendance rules as saved; the zone is the company's.

use serde::{Deserialize, Serialize};

use super::{ShiftId, Zone};
use crate::attendance::{self, Hours};

/// The settings of `PATCH /company` that attendance reads. Durations are
/// kept as [`Hours`] (whole seconds); `None` turns a threshold off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceRules {
    /// The shift of every employee without their own.
    pub default_shift_id: Option<ShiftId>,
    pub double_tap_seconds: u32,
    pub punch_status_reliable: bool,
    pub min_rest: Hours,
    pub weekly_overtime: Option<Hours>,
    pub absent_below: Option<Hours>,
    pub half_day_below: Option<Hours>,
}

impl Default for AttendanceRules {
    /// The defaults: no default shift, 120 s double taps, keys not
    /// trusted, 4 h rest, thresholds off.
    fn default() -> Self {
        let engine = attendance::Rules::new(jiff::tz::TimeZone::UTC);
        AttendanceRules {
            default_shift_id: None,
            double_tap_seconds: engine.double_tap_seconds,
            punch_status_reliable: engine.punch_status_reliable,
            min_rest: engine.min_rest,
            weekly_overtime: engine.weekly_overtime,
            absent_below: engine.absent_below,
            half_day_below: engine.half_day_below,
        }
    }
}

impl AttendanceRules {
    /// The engine's rules in the company's zone.
    pub fn to_engine(&self, zone: &Zone) -> attendance::Rules {
        attendance::Rules {
            double_tap_seconds: self.double_tap_seconds,
            punch_status_reliable: self.punch_status_reliable,
            min_rest: self.min_rest,
            weekly_overtime: self.weekly_overtime,
            absent_below: self.absent_below,
            half_day_below: self.half_day_below,
            ..attendance::Rules::new(zone.tz().clone())
        }
    }
}
