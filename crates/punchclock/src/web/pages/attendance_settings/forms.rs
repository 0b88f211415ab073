//! The forms of the attendance settings page, as posted.

use serde::Deserialize;

use crate::attendance::Hours;
use crate::domain::{AttendanceRules, Employee, Holiday, LeavePeriod, Shift};
use crate::service::company_rules::RulesInput;
use crate::service::FieldErrors;

/// The rules form.
#[derive(Deserialize, Default, Clone)]
pub struct RulesForm {
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
    #[serde(default)]
    pub default_shift_id: String,
    #[serde(default)]
    pub double_tap_seconds: String,
    #[serde(default)]
    pub punch_status_reliable: Option<String>,
    #[serde(default)]
    pub min_rest_hours: String,
    #[serde(default)]
    pub weekly_overtime_hours: String,
    #[serde(default)]
    pub absent_below_hours: String,
    #[serde(default)]
    pub half_day_below_hours: String,
}

fn hours(h: Option<Hours>) -> String {
    h.map(|h| format!("{}", h.as_hours())).unwrap_or_default()
}

impl RulesForm {
    pub fn of(r: &AttendanceRules) -> Self {
        RulesForm {
            csrf: String::new(),
            default_shift_id: r
                .default_shift_id
                .map(|s| s.to_string())
                .unwrap_or_default(),
            double_tap_seconds: r.double_tap_seconds.to_string(),
            punch_status_reliable: r.punch_status_reliable.then(|| "on".into()),
            min_rest_hours: hours(Some(r.min_rest)),
            weekly_overtime_hours: hours(r.weekly_overtime),
            absent_below_hours: hours(r.absent_below),
            half_day_below_hours: hours(r.half_day_below),
        }
    }

    /// Every field is sent, so every field counts; blank turns off.
    pub fn input(&self) -> RulesInput {
        RulesInput {
            default_shift_id: Some(self.default_shift_id.clone()),
            double_tap_seconds: Some(self.double_tap_seconds.clone()),
            punch_status_reliable: Some(self.punch_status_reliable.is_some()),
            min_rest_hours: Some(self.min_rest_hours.clone()),
            weekly_overtime_hours: Some(self.weekly_overtime_hours.clone()),
            absent_below_hours: Some(self.absent_below_hours.clone()),
            half_day_below_hours: Some(self.half_day_below_hours.clone()),
        }
    }
}

/// The add-holiday form.
#[derive(Deserialize, Default, Clone)]
pub struct HolidayForm {
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub name: String,
}

/// The add-leave form.
#[derive(Deserialize, Default, Clone)]
pub struct LeaveForm {
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
    #[serde(default)]
    pub employee: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default, rename = "type")]
    pub kind: String,
}

/// Just the CSRF token (delete buttons).
#[derive(Deserialize, Default)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
}

/// What the settings page shows, loaded.
pub struct Loaded {
    pub shifts: Vec<Shift>,
    pub holidays: Vec<Holiday>,
    pub leave: Vec<LeavePeriod>,
    pub employees: Vec<Employee>,
    /// People per shift id (employees who have it as their own).
    pub assigned: Vec<(crate::domain::ShiftId, usize)>,
}

/// The forms as shown, with the section whose messages they carry.
#[derive(Default)]
pub struct Shown {
    pub rules: RulesForm,
    pub holiday: HolidayForm,
    pub leave: LeaveForm,
    pub errors: FieldErrors,
    /// `rules`, `holiday` or `leave`: which form the messages are for.
    pub section: &'static str,
    pub saved: Option<String>,
}
