//! The JSON shapes of attendance: shifts, holidays, leave, daily rows,
//! timesheets and the corrections log. Times are RFC 3339 in the
//! company's zone; durations are whole minutes.

use jiff::tz::TimeZone;
use serde::Serialize;
use utoipa::ToSchema;

use super::views::instant;
use crate::attendance::{Day, Flag, Totals};
use crate::domain::{Correction, Employee, Holiday, LeavePeriod, Shift};

#[derive(Serialize, ToSchema)]
pub struct ShiftJson {
    pub id: i64,
    pub name: String,
    /// `HH:MM`; an end at or before the start is the next day.
    pub start: String,
    pub end: String,
    /// `mon` … `sun`.
    pub weekdays: Vec<String>,
    pub late_grace_minutes: i64,
    pub early_grace_minutes: i64,
    pub window_before_minutes: i64,
    pub window_after_minutes: i64,
    /// Unpaid; 0: none.
    pub break_minutes: i64,
    pub break_after_minutes: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl ShiftJson {
    pub fn new(s: &Shift, tz: &TimeZone) -> Self {
        let spec = s.spec.clone();
        ShiftJson {
            id: s.id.0,
            name: spec.name,
            start: spec.start,
            end: spec.end,
            weekdays: spec.weekdays,
            late_grace_minutes: spec.late_grace_minutes,
            early_grace_minutes: spec.early_grace_minutes,
            window_before_minutes: spec.window_before_minutes,
            window_after_minutes: spec.window_after_minutes,
            break_minutes: spec.break_minutes,
            break_after_minutes: spec.break_after_minutes,
            created_at: instant(s.created_at, tz),
            updated_at: instant(s.updated_at, tz),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HolidayJson {
    pub id: i64,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub name: String,
}

impl From<&Holiday> for HolidayJson {
    fn from(h: &Holiday) -> Self {
        HolidayJson {
            id: h.id.0,
            date: h.date.to_string(),
            name: h.name.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LeaveJson {
    pub id: i64,
    pub employee_id: i64,
    /// First and last day, inclusive.
    pub from: String,
    pub to: String,
    /// `vacation`, `sick` or `other`.
    #[serde(rename = "type")]
    pub kind: String,
}

impl From<&LeavePeriod> for LeaveJson {
    fn from(l: &LeavePeriod) -> Self {
        let kind = serde_json::to_value(l.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        LeaveJson {
            id: l.id.0,
            employee_id: l.employee_id.0,
            from: l.from.to_string(),
            to: l.to.to_string(),
            kind,
        }
    }
}

/// A flag of a day: a stable code and what it means in words.
#[derive(Serialize, ToSchema)]
pub struct FlagJson {
    /// `missing_in`, `missing_out`, `double_tap_merged`, `status_conflict`,
    /// `unassigned_punch`, `manual_punch`, `voided_punch` or `provisional`.
    pub code: &'static str,
    pub message: &'static str,
}

impl From<Flag> for FlagJson {
    fn from(f: Flag) -> Self {
        FlagJson {
            code: f.code.as_str(),
            message: f.message,
        }
    }
}

/// One employee's attendance on one date.
#[derive(Serialize, ToSchema)]
pub struct DailyRow {
    pub employee_id: i64,
    pub enroll_id: String,
    /// `YYYY-MM-DD`, the day the shift (or work period) started.
    pub date: String,
    pub shift_id: Option<i64>,
    pub first_in: Option<String>,
    pub last_out: Option<String>,
    pub worked_minutes: i64,
    pub late_minutes: i64,
    pub early_leave_minutes: i64,
    pub overtime_minutes: i64,
    /// `present`, `late`, `half_day`, `absent`, `holiday`, `day_off`,
    /// `leave` or `incomplete`.
    pub status: &'static str,
    pub flags: Vec<FlagJson>,
    /// Not final yet: the shift window is open or a device has not synced
    /// since it closed.
    pub provisional: bool,
}

impl DailyRow {
    pub fn new(e: &Employee, d: &Day) -> Self {
        DailyRow {
            employee_id: e.id.0,
            enroll_id: e.enroll_id.clone(),
            date: d.date.to_string(),
            shift_id: d.shift_id,
            first_in: d.first_in.map(|t| t.to_string()),
            last_out: d.last_out.map(|t| t.to_string()),
            worked_minutes: d.worked_minutes(),
            late_minutes: d.late_minutes(),
            early_leave_minutes: d.early_leave_minutes(),
            overtime_minutes: d.overtime_minutes(),
            status: d.status.as_str(),
            flags: d.flags.iter().map(FlagJson::from).collect(),
            provisional: d.provisional,
        }
    }
}

/// One employee's totals over a period; `days` only for one employee.
#[derive(Serialize, ToSchema)]
pub struct TimesheetJson {
    pub employee_id: i64,
    pub enroll_id: String,
    pub name: String,
    pub from: String,
    pub to: String,
    /// Present, late or half days.
    pub days_present: u32,
    pub absent_days: u32,
    pub half_days: u32,
    pub incomplete_days: u32,
    pub leave_days: u32,
    pub holidays: u32,
    pub days_off: u32,
    /// Days not final yet.
    pub provisional_days: u32,
    pub late_count: u32,
    pub late_minutes: i64,
    pub early_leave_count: u32,
    pub early_leave_minutes: i64,
    pub worked_minutes: i64,
    /// Worked minus overtime.
    pub regular_minutes: i64,
    pub overtime_minutes: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<Vec<DailyRow>>,
}

impl TimesheetJson {
    pub fn new(e: &Employee, period: (String, String), t: &Totals) -> Self {
        TimesheetJson {
            employee_id: e.id.0,
            enroll_id: e.enroll_id.clone(),
            name: e.display_name(),
            from: period.0,
            to: period.1,
            days_present: t.days_present(),
            absent_days: t.absent,
            half_days: t.half_day,
            incomplete_days: t.incomplete,
            leave_days: t.leave,
            holidays: t.holiday,
            days_off: t.day_off,
            provisional_days: t.provisional,
            late_count: t.late_days,
            late_minutes: t.late_minutes,
            early_leave_count: t.early_leave_days,
            early_leave_minutes: t.early_leave_minutes,
            worked_minutes: t.worked_minutes,
            regular_minutes: t.regular_minutes,
            overtime_minutes: t.overtime_minutes,
            days: None,
        }
    }
}

/// An entry of the corrections log.
#[derive(Serialize, ToSchema)]
pub struct CorrectionJson {
    pub id: i64,
    /// `punch_added`, `punch_voided` or `punch_unvoided`.
    pub kind: &'static str,
    pub punch_id: i64,
    pub employee_id: i64,
    /// The punch's time.
    pub punch_time: String,
    /// Who: the account's email (`null` once it is deleted).
    pub by: Option<String>,
    /// When.
    pub at: String,
    /// Why.
    pub reason: String,
}

impl CorrectionJson {
    pub fn new(c: &Correction, tz: &TimeZone) -> Self {
        CorrectionJson {
            id: c.id.0,
            kind: c.kind.as_str(),
            punch_id: c.punch_id.0,
            employee_id: c.employee_id.0,
            punch_time: instant(c.punched_at, tz),
            by: c.account_email.clone(),
            at: instant(c.created_at, tz),
            reason: c.reason.clone(),
        }
    }
}
