//! One test per rule of the engine, beyond the listed cases.

use super::support::*;
use crate::attendance::*;
use PunchRole::*;

const MON: &str = "2024-03-04";

fn on(time: &str) -> String {
    format!("{MON} {time}")
}

#[test]
fn raw_punches_keep_both_times() {
    // The device clock runs an hour slow: company time comes from the instant.
    let mut case = Case::with_shift("09:00", "18:00")
        .punch(&on("09:00"))
        .punch(&on("18:00"));
    case.punches[0].device_time = civil(&on("08:00"));
    let result = case.run(MON, MON);
    let first = &result.punches[0];
    assert_eq!(first.time.to_string(), "2024-03-04T09:00:00+01:00");
    assert_eq!(first.device_time, civil(&on("08:00")));
    assert_eq!(first.time.at, case.punches[0].at);
}

#[test]
fn double_taps_measure_from_the_counted_punch() {
    let case = Case::with_shift("09:00", "18:00")
        .punch(&on("09:00:00"))
        .punch(&on("09:01:00"))
        .punch(&on("09:01:50"))
        .punch(&on("09:02:10")) // 130 s after 09:00: a punch of its own
        .punch(&on("18:00"));
    let result = case.run(MON, MON);
    assert_eq!(roles(&result, MON), [In, Merged, Merged, Out, In]);
    assert_eq!(result.punches[2].merged_into, Some(1));
    let mut off = case.clone();
    off.rules.double_tap_seconds = 0;
    assert_eq!(
        roles(&off.run(MON, MON), MON),
        [In, BreakStart, BreakEnd, Out, In]
    );
}

#[test]
fn voided_punches_never_merge_or_anchor() {
    let case = Case::with_shift("09:00", "18:00")
        .voided(&on("08:59:00"))
        .punch(&on("09:00:00"))
        .punch(&on("18:00"));
    let result = case.run(MON, MON);
    assert_eq!(roles(&result, MON), [Voided, In, Out]);
    assert_eq!(result.days[0].worked_seconds, hms(9, 0, 0));
}

#[test]
fn keys_are_hints_and_contradictions_are_flagged() {
    let case = Case::with_shift("09:00", "18:00")
        .punch_key(&on("09:00"), 1)
        .punch_key(&on("18:00"), 0);
    let result = case.run(MON, MON);
    assert_eq!(roles(&result, MON), [In, Out]);
    assert!(result.punches.iter().all(|p| p.status_conflict));
    assert_eq!(codes(&result.days[0]), ["status_conflict"]);
    assert_eq!(result.days[0].worked_seconds, hms(9, 0, 0));
}

#[test]
fn break_keys_carry_no_direction_so_never_conflict() {
    let case = Case::with_shift("09:00", "18:00")
        .punch_key(&on("09:00"), 0)
        .punch_key(&on("12:00"), 3)
        .punch_key(&on("12:30"), 2)
        .punch_key(&on("18:00"), 1);
    let result = case.run(MON, MON);
    assert_eq!(roles(&result, MON), [In, BreakStart, BreakEnd, Out]);
    assert!(result.days[0].flags.is_empty());
}

#[test]
fn reliable_keys_decide_the_pairs() {
    let mut case = Case::with_shift("09:00", "18:00")
        .punch_key(&on("09:00"), 0)
        .punch_key(&on("12:00"), 4)
        .punch_key(&on("18:00"), 5);
    case.rules.punch_status_reliable = true;
    let result = case.run(MON, MON);
    assert_eq!(roles(&result, MON), [In, In, Out]);
    assert!(!result.punches[0].paired && result.punches[1].paired);
    let day = &result.days[0];
    assert_eq!(
        (day.status, day.worked_seconds),
        (Status::Incomplete, hms(6, 0, 0))
    );
    assert_eq!(codes(day), ["missing_out"]);
}

#[test]
fn reliable_mode_reads_unknown_and_break_keys_by_position() {
    let mut case = Case::with_shift("09:00", "18:00")
        .punch_key(&on("09:00"), 255)
        .punch_key(&on("12:00"), 2)
        .punch_key(&on("12:30"), 3)
        .punch_key(&on("18:00"), 255);
    case.rules.punch_status_reliable = true;
    let result = case.run(MON, MON);
    assert_eq!(roles(&result, MON), [In, BreakStart, BreakEnd, Out]);
    assert_eq!(result.days[0].worked_seconds, hms(8, 30, 0));
}

#[test]
fn with_an_odd_count_the_keys_say_which_punch_is_missing() {
    let case = Case::with_shift("09:00", "18:00")
        .punch_key(&on("09:00"), 1)
        .punch(&on("13:00"))
        .punch(&on("18:00"));
    let result = case.run(MON, MON);
    assert_eq!(roles(&result, MON), [Out, In, Out]);
    assert_eq!(codes(&result.days[0]), ["missing_in"]);
    assert_eq!(result.days[0].worked_seconds, hms(5, 0, 0));
    assert_eq!(
        result.days[0].late_seconds, 0,
        "lateness is unknown without the check-in"
    );
}

#[test]
fn a_lone_punch_without_a_key_is_placed_by_the_nearer_scheduled_time() {
    let lone = |time: &str, key: u8| {
        let case = Case::with_shift("09:00", "18:00").punch_key(&on(time), key);
        let day = case.day(MON);
        assert_eq!(day.status, Status::Incomplete);
        codes(&day)
    };
    assert_eq!(lone("17:58", 255), ["missing_in"]);
    assert_eq!(lone("09:10", 255), ["missing_out"]);
    assert_eq!(
        lone("17:58", 0),
        ["missing_out"],
        "the key wins over the clock"
    );
}

#[test]
fn a_punch_outside_every_window_is_unassigned_not_dropped() {
    let case = Case::new("Europe/Berlin")
        .shift(ShiftSpec::new("Day", "09:00", "18:00")) // window 07:00-22:00
        .punch("2024-03-06 03:00")
        .punch("2024-03-06 09:00")
        .punch("2024-03-06 18:00");
    let result = case.run("2024-03-06", "2024-03-06");
    assert_eq!(roles(&result, "2024-03-06"), [Unassigned, In, Out]);
    let day = &result.days[0];
    assert_eq!(
        (day.status, day.worked_seconds),
        (Status::Present, hms(9, 0, 0))
    );
    assert_eq!(codes(day), ["unassigned_punch"]);
}

#[test]
fn overlapping_windows_split_at_the_earlier_shifts_end() {
    let mut night = spec("Night", "22:00", "06:00");
    night.weekdays = vec!["mon".into()];
    let mut early = spec("Early", "07:00", "15:00");
    early.weekdays = vec!["tue".into()];
    let case = Case::new("Europe/Berlin")
        .shift(night)
        .shift(early)
        .punch("2024-03-04 22:00")
        .punch("2024-03-05 05:50")
        .punch("2024-03-05 06:10")
        .punch("2024-03-05 15:00");
    let result = case.run("2024-03-04", "2024-03-05");
    assert_eq!(roles(&result, "2024-03-04"), [In, Out]);
    assert_eq!(roles(&result, "2024-03-05"), [In, Out]);
}

#[test]
fn an_overlap_never_grows_the_later_window_backwards() {
    let mut late = spec("Late", "12:00", "20:00"); // window to 24:00
    late.weekdays = vec!["mon".into()];
    let mut small_hours = spec("Small hours", "00:30", "08:00"); // window from 22:30
    small_hours.weekdays = vec!["tue".into()];
    let case = Case::new("Europe/Berlin")
        .shift(late)
        .shift(small_hours)
        .punch("2024-03-04 21:00")
        .punch("2024-03-04 23:00");
    let result = case.run("2024-03-04", "2024-03-05");
    let dates: Vec<_> = result.punches.iter().map(|p| p.date.to_string()).collect();
    assert_eq!(dates, ["2024-03-04", "2024-03-05"]);
}

#[test]
fn without_a_shift_a_rest_of_min_rest_hours_starts_a_new_period() {
    let case = Case::new("Europe/Berlin")
        .punch(&on("08:00"))
        .punch(&on("12:00"))
        .punch(&on("16:00")) // 4 h rest: a new period, same day
        .punch(&on("20:00"));
    let result = case.run(MON, MON);
    assert_eq!(roles(&result, MON), [In, Out, In, Out]);
    let day = &result.days[0];
    assert_eq!(
        (day.status, day.worked_seconds),
        (Status::Present, hms(8, 0, 0))
    );
    assert_eq!(
        day.daily_overtime_seconds, 0,
        "nothing is scheduled without a shift"
    );
    let shorter_rest = Case::new("Europe/Berlin")
        .punch(&on("08:00"))
        .punch(&on("12:00"))
        .punch(&on("15:59"))
        .punch(&on("20:00"));
    assert_eq!(
        roles(&shorter_rest.run(MON, MON), MON),
        [In, BreakStart, BreakEnd, Out]
    );
}

#[test]
fn a_work_period_belongs_to_the_day_it_starts_and_never_exceeds_16_hours() {
    let night = Case::new("Europe/Berlin")
        .punch(&on("22:00"))
        .punch("2024-03-05 06:00");
    let result = night.run(MON, "2024-03-05");
    assert_eq!(result.days[0].worked_seconds, hms(8, 0, 0));
    assert_eq!(result.days[1].status, Status::DayOff);
    let long = Case::new("Europe/Berlin")
        .punch(&on("06:00"))
        .punch("2024-03-04 22:01");
    let result = long.run(MON, MON);
    assert_eq!(result.days[0].status, Status::Incomplete);
    assert_eq!(codes(&result.days[0]), ["missing_out"]);
}

#[test]
fn a_new_check_in_key_after_a_long_gap_starts_a_new_period() {
    let case = Case::new("Europe/Berlin")
        .punch_key(&on("07:00"), 255)
        .punch_key(&on("12:00"), 0)
        .punch_key(&on("16:00"), 1);
    let result = case.run(MON, MON);
    assert_eq!(roles(&result, MON), [In, In, Out]);
    assert_eq!(result.days[0].worked_seconds, hms(4, 0, 0));
    // A device that sends 0 for every punch says nothing: a plain day.
    let zeros = Case::new("Europe/Berlin")
        .punch_key(&on("08:00"), 0)
        .punch_key(&on("17:00"), 0);
    assert_eq!(zeros.day(MON).worked_seconds, hms(9, 0, 0));
}

#[test]
fn a_check_in_unanswered_for_12_hours_is_missing_its_check_out() {
    // Lunch return forgotten: 17:00 reads as a check-in; without the
    // 12-hour rule it would pair with the next morning and shift every
    // later punch by one, hiding the gap.
    let mut case = Case::new("Europe/Berlin");
    for at in [
        "04 08:00", "04 12:00", "04 17:00", "05 08:00", "05 12:00", "05 13:00", "05 17:00",
    ] {
        case = case.punch(&format!("2024-03-{at}"));
    }
    let result = case.run(MON, "2024-03-05");
    assert_eq!(roles(&result, MON), [In, Out, In]);
    assert_eq!(codes(&result.days[0]), ["missing_out"]);
    assert!(result.punches[2]
        .reason
        .starts_with("Check-in without a check-out"));
    assert_eq!(
        roles(&result, "2024-03-05"),
        [In, BreakStart, BreakEnd, Out]
    );
    assert_eq!(result.days[1].worked_seconds, hms(8, 0, 0));
    // Reliable keys are believed, however long the stretch.
    let mut keyed = Case::new("Europe/Berlin")
        .punch_key(&on("18:00"), 0)
        .punch_key("2024-03-05 07:00", 1);
    keyed.rules.punch_status_reliable = true;
    assert_eq!(keyed.day(MON).worked_seconds, hms(13, 0, 0));
}

#[test]
fn work_on_a_day_off_counts_and_is_all_overtime() {
    let case = Case::new("Europe/Berlin")
        .shift(ShiftSpec::new("Day", "09:00", "17:00"))
        .punch("2024-03-09 10:00")
        .punch("2024-03-09 14:00");
    let day = case.day("2024-03-09");
    assert_eq!(
        (day.status, day.worked_seconds),
        (Status::Present, hms(4, 0, 0))
    );
    assert_eq!(day.overtime_seconds(), hms(4, 0, 0));
    assert_eq!(day.shift_id, None);
    assert_eq!(Case::new("Europe/Berlin").day(MON).status, Status::DayOff);
}

#[test]
fn early_leave_counts_from_the_scheduled_end_once_past_the_grace() {
    let early = |out: &str| {
        let case = Case::with_shift("09:00", "18:00")
            .punch(&on("09:00"))
            .punch(&on(out));
        case.day(MON).early_leave_seconds
    };
    assert_eq!(early("17:55:00"), 0);
    assert_eq!(early("17:54:59"), hms(0, 5, 1));
    assert_eq!(early("17:54:00") / 60, 6);
    let missing_out = Case::with_shift("09:00", "18:00").punch(&on("09:00"));
    assert_eq!(missing_out.day(MON).early_leave_seconds, 0);
}

#[test]
fn daily_overtime_is_worked_beyond_the_scheduled_length() {
    let case = Case::with_shift("09:00", "18:00")
        .punch(&on("09:00"))
        .punch(&on("18:30:45"));
    let day = case.day(MON);
    assert_eq!(day.daily_overtime_seconds, hms(0, 30, 45));
    assert_eq!((day.overtime_minutes(), day.regular_minutes()), (30, 540));
}

#[test]
fn weekly_overtime_never_counts_a_minute_twice() {
    let mut case = Case::new("Europe/Berlin").shift(ShiftSpec::new("Day", "09:00", "17:00"));
    case.rules.weekly_overtime = Some(Hours::parse("weekly_overtime_hours", 40.0).unwrap());
    case = case.punch(&on("08:00")).punch(&on("18:00")); // Monday: 2 h daily overtime
    for day in ["05", "06", "07", "08"] {
        case = case
            .punch(&format!("2024-03-{day} 09:00"))
            .punch(&format!("2024-03-{day} 17:00"));
    }
    case = case.punch("2024-03-09 09:00").punch("2024-03-09 17:00"); // Saturday, a day off
    let result = case.run(MON, "2024-03-10");
    let overtime: Vec<_> = result
        .days
        .iter()
        .map(|d| d.overtime_seconds() / 3600)
        .collect();
    assert_eq!(overtime, [2, 0, 0, 0, 0, 8, 0]);
    let worked: i64 = result.days.iter().map(|d| d.worked_seconds).sum();
    let total = Totals::of(&result.days);
    assert_eq!(total.overtime_minutes * 60, worked - hms(40, 0, 0));
    assert_eq!(
        result
            .days
            .iter()
            .map(|d| d.weekly_overtime_seconds)
            .sum::<i64>(),
        0
    );

    // Friday alone: the rest of its week is computed behind the scenes.
    let friday = case.run("2024-03-08", "2024-03-09");
    assert_eq!(friday.days.len(), 2);
    assert_eq!(friday.days[1].overtime_seconds(), hms(8, 0, 0));
}

#[test]
fn weekly_overtime_follows_the_week_start() {
    // No shift: every worked hour is regular until the weekly threshold.
    let mut case = Case::new("Europe/Berlin");
    case.rules.weekly_overtime = Some(Hours::from_minutes(40 * 60));
    for day in ["03", "04", "05", "06", "07", "08", "09"] {
        case = case
            .punch(&format!("2024-03-{day} 09:00"))
            .punch(&format!("2024-03-{day} 17:00"));
    }
    let weekly = |case: &Case| -> Vec<i64> {
        let result = case.run(MON, "2024-03-09");
        result
            .days
            .iter()
            .map(|d| d.weekly_overtime_seconds / 3600)
            .collect()
    };
    assert_eq!(weekly(&case), [0, 0, 0, 0, 0, 8]);
    case.rules.week_start = jiff::civil::Weekday::Sunday;
    assert_eq!(weekly(&case), [0, 0, 0, 0, 8, 8]);
}

#[test]
fn a_holiday_worked_keeps_its_status_and_is_all_overtime() {
    let mut case = Case::with_shift("09:00", "17:00")
        .punch(&on("09:00"))
        .punch(&on("13:00"));
    case.holidays.push(Holiday {
        date: d(MON),
        name: "May Day".into(),
    });
    case.leave
        .push(Leave::new(d(MON), d(MON), LeaveKind::Sick).unwrap());
    let day = case.day(MON);
    assert_eq!(day.status, Status::Holiday, "a holiday wins over leave");
    assert_eq!(
        (day.late_seconds, day.overtime_seconds()),
        (0, hms(4, 0, 0))
    );
    let mut no_shift = Case::new("Europe/Berlin");
    no_shift
        .leave
        .push(Leave::new(d(MON), d(MON), LeaveKind::Other).unwrap());
    assert_eq!(no_shift.day(MON).status, Status::Leave);
}

#[test]
fn a_missing_punch_is_never_hidden_by_thresholds() {
    let mut case = Case::with_shift("09:00", "17:00").punch(&on("09:00"));
    case.rules.absent_below = Some(Hours::from_minutes(240));
    let day = case.day(MON);
    assert_eq!((day.status, day.worked_seconds), (Status::Incomplete, 0));
}

#[test]
fn a_provisional_day_is_not_judged_yet() {
    let mut case = Case::with_shift("09:00", "17:00")
        .punch(&on("09:00"))
        .punch(&on("12:00"))
        .sync(&on("12:30"), &on("12:30"));
    case.rules.absent_below = Some(Hours::from_minutes(240));
    let day = case.day(MON);
    assert!(day.provisional);
    assert_eq!((day.status, day.early_leave_seconds), (Status::Present, 0));
    assert_eq!(codes(&day), ["provisional"]);
    let later = case.sync("2024-03-05 09:00", "2024-03-05 09:00").day(MON);
    assert_eq!(
        (later.status, later.early_leave_seconds / 3600),
        (Status::Absent, 5)
    );
}
