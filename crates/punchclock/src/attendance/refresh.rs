//! Which days a change can affect, so stored attendance can be brought up
//! to date without recomputing everything.

use jiff::{civil::Date, Timestamp};

use super::calendar::DateRange;
use super::rules::Rules;

/// The days a punch at `at` (new, voided, unvoided or added by hand) can
/// change: its own calendar day, the day before (a night shift or a work
/// period started then) and the day after (a window opening the evening
/// before, or a period that may now join this punch's). With weekly
/// overtime on, whole weeks, since overtime moves within a week.
///
/// The one case that can reach further: an employee without a shift whose
/// punches follow each other at most 12 hours apart around the clock, with
/// no longer rest for days, since one punch more or less can then shift
/// how later punches pair (see `periods.rs`). Nobody works like that; a
/// shift bounds it in any case.
pub fn affected_by_punch(rules: &Rules, at: Timestamp) -> DateRange {
    let date = rules.zone.to_datetime(at).date();
    whole_weeks(rules, date, 1)
}

/// The days a change to one date (a holiday or leave added or removed)
/// can change: that date, or with weekly overtime on, its week. A change to
/// a shift or rule can change every day it applies to: recompute those.
pub fn affected_by_date(rules: &Rules, date: Date) -> DateRange {
    whole_weeks(rules, date, 0)
}

fn whole_weeks(rules: &Rules, date: Date, margin: i32) -> DateRange {
    let range = DateRange::day(date).widen(margin, margin);
    match rules.weekly_overtime {
        Some(_) => range.whole_weeks(rules.week_start),
        None => range,
    }
}
