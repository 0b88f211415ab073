//! Daily figures and status from a day's pairs.

use jiff::civil::Date;

use super::calendar::{Holiday, LeaveKind};
use super::flags::FlagSet;
use super::output::{Day, Status};
use super::pairing::GroupStats;
use super::rules::{Hours, Rules};
use super::shift::Shift;
use super::window::Instance;
use super::zone_span::ZoneSpan;

/// Everything known about one date before the figures are worked out.
pub(crate) struct DayFacts<'a> {
    pub date: Date,
    /// The scheduled shift instance, with its shift.
    pub shift: Option<(&'a Instance, &'a Shift)>,
    pub has_schedule: bool,
    pub holiday: Option<&'a Holiday>,
    pub leave: Option<LeaveKind>,
    pub work: GroupStats,
    pub flags: FlagSet,
    pub provisional: bool,
}

/// What was expected of the employee that day.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A scheduled shift on an ordinary day.
    Shift,
    /// Nothing scheduled (day off, holiday, leave): all work is overtime.
    Nothing,
    /// No schedule at all: work is counted, but nothing is over or under.
    Unknown,
}

pub(crate) fn build(f: &DayFacts<'_>, rules: &Rules, zone: &ZoneSpan) -> Day {
    let leave = f.leave.filter(|_| f.shift.is_some() || !f.has_schedule);
    let expect = match (f.has_schedule, f.shift) {
        _ if f.holiday.is_some() || leave.is_some() => Expect::Nothing,
        (false, _) => Expect::Unknown,
        (true, Some(_)) => Expect::Shift,
        (true, None) => Expect::Nothing,
    };
    let unpaid = f.shift.map(|(_, s)| s.unpaid_break()).unwrap_or_default();
    let deducted = unpaid.deduction(f.work.gross, f.work.taken);
    let worked = f.work.gross - deducted;
    let shift = f.shift.filter(|_| expect == Expect::Shift);
    let (late, early) = shift.map_or((0, 0), |(i, s)| lateness(&f.work, i, s, f.provisional));
    let daily_overtime = match (expect, shift) {
        (Expect::Shift, Some((i, s))) => (worked - planned_work(i, s)).max(0),
        (Expect::Nothing, _) => worked,
        _ => 0,
    };
    let local = |at: i64| zone.local(at);
    Day {
        date: f.date,
        shift_id: f.shift.and_then(|(_, s)| s.id()),
        scheduled: f.shift.map(|(i, _)| (local(i.start), local(i.end))),
        status: status(f, expect, leave.is_some(), worked, late, rules),
        first_in: f.work.first_in.map(local),
        last_out: f.work.last_out.map(local),
        worked_seconds: worked,
        break_deducted_seconds: deducted,
        late_seconds: late,
        early_leave_seconds: early,
        daily_overtime_seconds: daily_overtime,
        weekly_overtime_seconds: 0,
        flags: f.flags,
        provisional: f.provisional,
        holiday: f.holiday.map(|h| h.name.clone()),
        leave,
    }
}

/// The scheduled length (real elapsed time) less the unpaid break.
fn planned_work(i: &Instance, s: &Shift) -> i64 {
    let planned = i.end - i.start;
    planned - s.unpaid_break().deduction(planned, 0)
}

/// Late from the first in, early leave from the last out, each counted
/// from the scheduled time once past the grace. Early leave waits for the
/// day to be final: until then the last out may be a lunch break.
fn lateness(work: &GroupStats, i: &Instance, s: &Shift, provisional: bool) -> (i64, i64) {
    let late = match work.first_in {
        Some(at) if work.starts_with_in && at > i.start + s.late_grace_seconds() => at - i.start,
        _ => 0,
    };
    let early = match work.last_out {
        Some(at) if work.ends_with_out && !provisional && at < i.end - s.early_grace_seconds() => {
            i.end - at
        }
        _ => 0,
    };
    (late, early)
}

fn status(
    f: &DayFacts<'_>,
    expect: Expect,
    on_leave: bool,
    worked: i64,
    late: i64,
    rules: &Rules,
) -> Status {
    if f.work.missing_in || f.work.missing_out {
        Status::Incomplete
    } else if f.holiday.is_some() {
        Status::Holiday
    } else if on_leave {
        Status::Leave
    } else if expect != Expect::Shift {
        match f.work.counted {
            0 => Status::DayOff,
            _ => Status::Present,
        }
    } else {
        shift_status(f, worked, late, rules)
    }
}

/// On an ordinary day with a shift: absent, then the thresholds, then late.
fn shift_status(f: &DayFacts<'_>, worked: i64, late: i64, rules: &Rules) -> Status {
    // No one is absent or half-day before every punch of the day can have
    // arrived.
    let final_day = !f.provisional;
    let below = |h: Option<Hours>| final_day && h.is_some_and(|h| worked < h.seconds());
    if f.work.counted == 0 {
        if final_day {
            Status::Absent
        } else {
            Status::Incomplete
        }
    } else if below(rules.absent_below) {
        Status::Absent
    } else if below(rules.half_day_below) {
        Status::HalfDay
    } else if late > 0 {
        Status::Late
    } else {
        Status::Present
    }
}
