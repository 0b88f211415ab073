//! Day assignment: which punches count together, and on which day.
//!
//! A punch inside a shift window belongs to that shift instance and so to
//! the day the instance starts. Punches outside every window form work
//! periods; a period counts on the day it starts if no shift is scheduled
//! that day (employees without a shift, work on a day off). Otherwise its
//! punches are unassigned: listed on their own calendar date, not counted.

use std::ops::Range;

use jiff::civil::Date;

use super::output::PunchRole;
use super::periods::{self, Loose};
use super::punch::Punch;
use super::slot::Slot;
use super::window::Timetable;

/// Punches that are paired together: one shift instance or one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    pub date: Date,
    /// Index into the timetable's instances; `None` for a work period.
    pub instance: Option<usize>,
    /// Range into [`Assignment::members`].
    pub members: Range<usize>,
}

#[derive(Debug, Default)]
pub(crate) struct Assignment {
    pub groups: Vec<Group>,
    /// Slot positions, group by group, each group in time order.
    pub members: Vec<u32>,
}

impl Assignment {
    pub fn members_of(&self, group: &Group) -> &[u32] {
        &self.members[group.members.clone()]
    }
}

pub(crate) fn assign(tt: &Timetable<'_>, slots: &mut [Slot], punches: &[Punch]) -> Assignment {
    let mut out = Assignment::default();
    let mut off = Vec::new();
    for pos in 0..slots.len() {
        match slots[pos].role {
            PunchRole::Voided => slots[pos].date = voided_date(tt, slots[pos].at),
            PunchRole::Merged => {}
            _ => match tt.window_at(slots[pos].at) {
                Some(w) => add_to_instance(&mut out, tt, w, pos, slots),
                None => {
                    let hint = punches[slots[pos].input as usize].hint();
                    off.push((pos as u32, slots[pos].at, hint));
                }
            },
        }
    }
    let min_rest = tt.rules.min_rest.seconds();
    periods::split(&off, min_rest, tt.rules.punch_status_reliable, |range| {
        add_period(&mut out, tt, &off[range], slots);
    });
    for pos in 0..slots.len() {
        if slots[pos].role == PunchRole::Merged {
            slots[pos].date = slots[slots[pos].anchor as usize].date;
        }
    }
    out
}

/// Listed where it would have counted, or else on its calendar date.
fn voided_date(tt: &Timetable<'_>, at: i64) -> Date {
    match tt.window_at(at) {
        Some(w) => tt.instances[w].date,
        None => tt.date_of(at),
    }
}

fn add_to_instance(
    out: &mut Assignment,
    tt: &Timetable<'_>,
    w: usize,
    pos: usize,
    slots: &mut [Slot],
) {
    let date = tt.instances[w].date;
    slots[pos].date = date;
    out.members.push(pos as u32);
    let end = out.members.len();
    match out.groups.last_mut() {
        Some(g) if g.instance == Some(w) => g.members.end = end,
        _ => out.groups.push(Group {
            date,
            instance: Some(w),
            members: end - 1..end,
        }),
    }
}

fn add_period(out: &mut Assignment, tt: &Timetable<'_>, period: &[Loose], slots: &mut [Slot]) {
    let date = tt.date_of(period[0].1);
    let counts = tt.schedule.is_none() || tt.instance_on(date).is_none();
    if !counts {
        for &(pos, at, _) in period {
            slots[pos as usize].date = tt.date_of(at);
        }
        return;
    }
    let start = out.members.len();
    for &(pos, _, _) in period {
        slots[pos as usize].date = date;
        out.members.push(pos);
    }
    out.groups.push(Group {
        date,
        instance: None,
        members: start..out.members.len(),
    });
}
