//! Weekly overtime, without counting a minute twice.
//!
//! Within each week (starting on `week_start`), the regular time of each
//! day (worked minus daily overtime) adds up in date order; whatever goes
//! past `weekly_overtime_hours` is weekly overtime of the day on which it
//! goes past. Daily overtime is already overtime, so it never counts
//! towards the weekly threshold and no second is overtime twice. The days
//! must be whole weeks for the totals to be right: [`super::Timetable`]
//! widens the range itself.

use super::output::Day;
use super::rules::Rules;

pub(crate) fn apply(days: &mut [Day], rules: &Rules) {
    let Some(threshold) = rules.weekly_overtime.map(|h| h.seconds()) else {
        return;
    };
    let mut regular_so_far = 0;
    for day in days {
        if day.date.weekday() == rules.week_start {
            regular_so_far = 0;
        }
        let before = regular_so_far;
        regular_so_far += day.worked_seconds - day.daily_overtime_seconds;
        day.weekly_overtime_seconds =
            (regular_so_far - threshold).max(0) - (before - threshold).max(0);
    }
}
