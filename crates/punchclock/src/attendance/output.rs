//! What the engine returns: one [`Day`] per date and one
//! [`ClassifiedPunch`] per input punch, serialisable with the API's names.

use jiff::{civil, tz::Offset, Timestamp};
use serde::{Deserialize, Serialize, Serializer};

use super::calendar::LeaveKind;
use super::flags::FlagSet;
use super::punch::StatusHint;

/// A day's status, as the API spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Present,
    Late,
    HalfDay,
    Absent,
    Holiday,
    DayOff,
    Leave,
    Incomplete,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Present => "present",
            Status::Late => "late",
            Status::HalfDay => "half_day",
            Status::Absent => "absent",
            Status::Holiday => "holiday",
            Status::DayOff => "day_off",
            Status::Leave => "leave",
            Status::Incomplete => "incomplete",
        }
    }

    /// The status [`Status::as_str`] spells `text`.
    pub fn parse(text: &str) -> Option<Status> {
        [
            Status::Present,
            Status::Late,
            Status::HalfDay,
            Status::Absent,
            Status::Holiday,
            Status::DayOff,
            Status::Leave,
            Status::Incomplete,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// An instant with the company zone's offset at that instant; serialises
/// as RFC 3339 (`2024-03-04T09:00:00+01:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    pub at: Timestamp,
    pub offset: Offset,
}

impl LocalTime {
    pub fn civil(self) -> civil::DateTime {
        self.offset.to_datetime(self.at)
    }
}

impl std::fmt::Display for LocalTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.at.display_with_offset(self.offset).fmt(f)
    }
}

impl Serialize for LocalTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// What a punch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PunchRole {
    /// Starts worked time (the first in, or after a missing check-out).
    In,
    /// Ends worked time.
    Out,
    /// An out followed by an in on the same day: a break starts.
    BreakStart,
    /// The in that ends a break.
    BreakEnd,
    /// A double tap, counted as the punch in `merged_into`.
    Merged,
    /// Outside every shift window: listed, not counted.
    Unassigned,
    /// Voided by an admin: listed, not counted.
    Voided,
}

/// One input punch and why it counted the way it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClassifiedPunch {
    pub punch_id: i64,
    /// The day it is listed on (for `Unassigned`, its calendar date).
    pub date: civil::Date,
    pub role: PunchRole,
    /// For `In`/`Out`/breaks: false when its partner is missing.
    pub paired: bool,
    /// The time in the company zone.
    pub time: LocalTime,
    /// The time printed by the device.
    pub device_time: civil::DateTime,
    pub hint: StatusHint,
    /// The pairing contradicts the device's in/out key.
    pub status_conflict: bool,
    pub manual: bool,
    pub voided: bool,
    pub merged_into: Option<i64>,
    /// Why it counted the way it did, in plain words.
    pub reason: &'static str,
}

impl ClassifiedPunch {
    /// Counted towards worked time (possibly as half of a missing pair).
    pub fn counted(&self) -> bool {
        matches!(
            self.role,
            PunchRole::In | PunchRole::Out | PunchRole::BreakStart | PunchRole::BreakEnd
        )
    }
}

impl PunchRole {
    /// Plain words for a punch in this role (`paired` as in
    /// [`ClassifiedPunch::paired`]).
    pub fn reason(self, paired: bool) -> &'static str {
        match (self, paired) {
            (PunchRole::In, true) => "Check-in.",
            (PunchRole::In, false) => {
                "Check-in without a check-out after it: the time after it is not counted."
            }
            (PunchRole::Out, true) => "Check-out.",
            (PunchRole::Out, false) => "Check-out without a check-in before it: it is not counted.",
            (PunchRole::BreakStart, _) => "Out for a break.",
            (PunchRole::BreakEnd, _) => "Back from a break.",
            (PunchRole::Merged, _) => "Double tap: counted once, as the punch just before it.",
            (PunchRole::Unassigned, _) => "Outside every shift window: not counted.",
            (PunchRole::Voided, _) => "Voided by an admin: not counted.",
        }
    }
}

/// One employee's attendance on one date. Durations are whole seconds;
/// the `*_minutes` methods (and the serialised row) round down to whole
/// minutes, each figure on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    pub date: civil::Date,
    /// The shift scheduled that day (its [`super::Shift::id`]).
    pub shift_id: Option<i64>,
    /// Scheduled start and end, when a shift is scheduled.
    pub scheduled: Option<(LocalTime, LocalTime)>,
    pub status: Status,
    pub first_in: Option<LocalTime>,
    pub last_out: Option<LocalTime>,
    /// Over complete pairs, minus the unpaid break.
    pub worked_seconds: i64,
    /// Unpaid break taken off `worked_seconds`.
    pub break_deducted_seconds: i64,
    pub late_seconds: i64,
    pub early_leave_seconds: i64,
    /// Beyond the scheduled length of this day.
    pub daily_overtime_seconds: i64,
    /// Beyond the weekly threshold, not already daily overtime.
    pub weekly_overtime_seconds: i64,
    pub flags: FlagSet,
    pub provisional: bool,
    pub holiday: Option<String>,
    pub leave: Option<LeaveKind>,
}

impl Day {
    pub fn overtime_seconds(&self) -> i64 {
        self.daily_overtime_seconds + self.weekly_overtime_seconds
    }
    pub fn worked_minutes(&self) -> i64 {
        self.worked_seconds / 60
    }
    pub fn late_minutes(&self) -> i64 {
        self.late_seconds / 60
    }
    pub fn early_leave_minutes(&self) -> i64 {
        self.early_leave_seconds / 60
    }
    pub fn overtime_minutes(&self) -> i64 {
        self.overtime_seconds() / 60
    }
    /// Worked minus overtime, so regular + overtime = worked in minutes.
    pub fn regular_minutes(&self) -> i64 {
        self.worked_minutes() - self.overtime_minutes()
    }
}

/// The API row (without `employee_id`/`enroll_id`, which the caller adds).
#[derive(Serialize)]
struct DayRow<'a> {
    date: civil::Date,
    shift_id: Option<i64>,
    scheduled_start: Option<LocalTime>,
    scheduled_end: Option<LocalTime>,
    first_in: Option<LocalTime>,
    last_out: Option<LocalTime>,
    worked_minutes: i64,
    break_deducted_minutes: i64,
    late_minutes: i64,
    early_leave_minutes: i64,
    overtime_minutes: i64,
    status: Status,
    flags: FlagSet,
    provisional: bool,
    holiday: Option<&'a str>,
    leave: Option<LeaveKind>,
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        DayRow {
            date: self.date,
            shift_id: self.shift_id,
            scheduled_start: self.scheduled.map(|s| s.0),
            scheduled_end: self.scheduled.map(|s| s.1),
            first_in: self.first_in,
            last_out: self.last_out,
            worked_minutes: self.worked_minutes(),
            break_deducted_minutes: self.break_deducted_seconds / 60,
            late_minutes: self.late_minutes(),
            early_leave_minutes: self.early_leave_minutes(),
            overtime_minutes: self.overtime_minutes(),
            status: self.status,
            flags: self.flags,
            provisional: self.provisional,
            holiday: self.holiday.as_deref(),
            leave: self.leave,
        }
        .serialize(s)
    }
}

/// Everything computed for one employee over a date range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmployeeAttendance {
    pub employee_id: i64,
    /// One per date of the range, in order.
    pub days: Vec<Day>,
    /// Every input punch once, in time order. Those dated outside the
    /// range were loaded for context; their classification is final only
    /// when their own date is computed.
    pub punches: Vec<ClassifiedPunch>,
}

impl EmployeeAttendance {
    pub fn day(&self, date: civil::Date) -> Option<&Day> {
        self.days.iter().find(|d| d.date == date)
    }

    /// The punches listed on `date`.
    pub fn punches_on(&self, date: civil::Date) -> impl Iterator<Item = &ClassifiedPunch> {
        self.punches.iter().filter(move |p| p.date == date)
    }
}
