//! Timesheet totals over a run of days.

use serde::Serialize;

use super::output::{Day, Status};

/// Counts per status and summed figures. Durations are summed in seconds
/// and rounded down to minutes once, so totals do not lose a minute a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    pub days: u32,
    pub present: u32,
    pub late: u32,
    pub half_day: u32,
    pub absent: u32,
    pub holiday: u32,
    pub day_off: u32,
    pub leave: u32,
    pub incomplete: u32,
    pub provisional: u32,
    /// Days with late minutes (a half day can be late too).
    pub late_days: u32,
    /// Days with early-leave minutes.
    pub early_leave_days: u32,
    pub worked_minutes: i64,
    pub late_minutes: i64,
    pub early_leave_minutes: i64,
    pub overtime_minutes: i64,
    /// Worked minus overtime.
    pub regular_minutes: i64,
}

impl Totals {
    pub fn of<'a>(days: impl IntoIterator<Item = &'a Day>) -> Totals {
        let mut t = Totals::default();
        let (mut worked, mut late, mut early, mut overtime) = (0, 0, 0, 0);
        for day in days {
            t.days += 1;
            *t.count(day.status) += 1;
            t.provisional += u32::from(day.provisional);
            t.late_days += u32::from(day.late_seconds > 0);
            t.early_leave_days += u32::from(day.early_leave_seconds > 0);
            worked += day.worked_seconds;
            late += day.late_seconds;
            early += day.early_leave_seconds;
            overtime += day.overtime_seconds();
        }
        t.worked_minutes = worked / 60;
        t.late_minutes = late / 60;
        t.early_leave_minutes = early / 60;
        t.overtime_minutes = overtime / 60;
        t.regular_minutes = t.worked_minutes - t.overtime_minutes;
        t
    }

    /// Days someone came to work: present, late or half day.
    pub fn days_present(&self) -> u32 {
        self.present + self.late + self.half_day
    }

    fn count(&mut self, status: Status) -> &mut u32 {
        match status {
            Status::Present => &mut self.present,
            Status::Late => &mut self.late,
            Status::HalfDay => &mut self.half_day,
            Status::Absent => &mut self.absent,
            Status::Holiday => &mut self.holiday,
            Status::DayOff => &mut self.day_off,
            Status::Leave => &mut self.leave,
            Status::Incomplete => &mut self.incomplete,
        }
    }
}
