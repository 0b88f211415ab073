//! The cases issue 8 §5 lists, one test each.

use super::support::*;
use crate::attendance::*;

#[test]
fn night_shift_belongs_to_the_day_it_starts() {
    let case = Case::with_shift("22:00", "06:00")
        .punch("2024-03-04 21:52")
        .punch("2024-03-05 06:07");
    let result = case.run("2024-03-04", "2024-03-05");
    let night = &result.days[0];
    assert_eq!(night.worked_seconds, hms(8, 15, 0));
    assert_eq!(night.late_seconds, 0);
    assert_eq!(night.status, Status::Present);
    assert_eq!(
        night.first_in.unwrap().to_string(),
        "2024-03-04T21:52:00+01:00"
    );
    assert_eq!(
        night.last_out.unwrap().to_string(),
        "2024-03-05T06:07:00+01:00"
    );
    assert!(result.punches.iter().all(|p| p.date == d("2024-03-04")));
    assert_eq!(result.days[1].status, Status::Absent);
}

#[test]
fn night_then_evening_shift_keeps_the_checkout_on_the_night() {
    let mut night = spec("Night", "19:00", "07:00");
    night.weekdays = vec!["mon".into()];
    let mut evening = spec("Evening", "15:00", "23:00");
    evening.weekdays = vec!["tue".into()];
    let case = Case::new("Europe/Berlin")
        .shift(night)
        .shift(evening)
        .punch("2024-03-04 18:30")
        .punch("2024-03-05 07:10");
    let result = case.run("2024-03-04", "2024-03-05");
    assert_eq!(
        roles(&result, "2024-03-04"),
        [PunchRole::In, PunchRole::Out]
    );
    assert_eq!(result.days[0].worked_seconds, hms(12, 40, 0));
    assert_eq!(result.days[0].shift_id, Some(1));
    assert_eq!(result.days[1].status, Status::Absent);
    assert_eq!(result.days[1].shift_id, Some(2));
    assert_eq!(result.punches_on(d("2024-03-05")).count(), 0);
}

#[test]
fn double_taps_count_once_as_the_first() {
    let case = Case::with_shift("09:00", "18:00")
        .punch("2024-03-04 08:58:10")
        .punch("2024-03-04 08:58:40")
        .punch("2024-03-04 18:05:00");
    let result = case.run("2024-03-04", "2024-03-04");
    let day = &result.days[0];
    assert_eq!(day.worked_seconds, hms(9, 6, 50));
    assert_eq!(day.worked_minutes(), 546);
    assert_eq!(codes(day), ["double_tap_merged"]);
    assert_eq!(day.status, Status::Present);
    let merged: Vec<_> = result
        .punches
        .iter()
        .filter(|p| p.role == PunchRole::Merged)
        .collect();
    assert_eq!(merged.len(), 1);
    assert_eq!((merged[0].punch_id, merged[0].merged_into), (2, Some(1)));
}

#[test]
fn a_forgotten_checkout_never_makes_a_24_hour_shift() {
    for case in [
        Case::with_shift("08:00", "17:00"),
        Case::new("Europe/Berlin"),
    ] {
        let case = case
            .punch("2024-03-04 08:00")
            .punch("2024-03-05 08:02")
            .punch("2024-03-05 17:00");
        let result = case.run("2024-03-04", "2024-03-05");
        let (first, second) = (&result.days[0], &result.days[1]);
        assert_eq!(first.status, Status::Incomplete);
        assert_eq!(codes(first), ["missing_out"]);
        assert_eq!(first.worked_seconds, 0);
        assert_eq!(
            roles(&result, "2024-03-05"),
            [PunchRole::In, PunchRole::Out]
        );
        assert_eq!(second.worked_seconds, hms(8, 58, 0));
        assert_eq!(second.status, Status::Present);
    }
}

#[test]
fn grace_boundaries() {
    let late = |first: &str| {
        let case = Case::with_shift("09:00", "18:00")
            .punch(&format!("2024-03-04 {first}"))
            .punch("2024-03-04 18:00");
        case.day("2024-03-04")
    };
    let on_time = late("09:05:00");
    assert_eq!((on_time.late_seconds, on_time.status), (0, Status::Present));
    let just_late = late("09:05:01");
    assert_eq!(just_late.status, Status::Late);
    assert_eq!(just_late.late_seconds, 301);
    assert_eq!(late("09:06:00").late_minutes(), 6);
}

#[test]
fn break_deduction() {
    let mut shift = spec("Day", "09:00", "17:30");
    shift.break_minutes = 60;
    let day = |punches: &[&str]| {
        let mut case = Case::new("Europe/Berlin").shift(shift.clone());
        for p in punches {
            case = case.punch(&format!("2024-03-04 {p}"));
        }
        case.day("2024-03-04")
    };
    let plain = day(&["09:00", "17:30"]);
    assert_eq!(plain.worked_seconds, hms(7, 30, 0));
    assert_eq!(plain.break_deducted_seconds, hms(1, 0, 0));
    assert_eq!(plain.daily_overtime_seconds, 0);
    let with_break = day(&["09:00", "12:00", "12:40", "17:30"]);
    assert_eq!(with_break.worked_seconds, hms(7, 30, 0));
    assert_eq!(with_break.break_deducted_seconds, hms(0, 20, 0));
    let short = day(&["09:00", "13:30"]);
    assert_eq!(
        (short.worked_seconds, short.break_deducted_seconds),
        (hms(4, 30, 0), 0)
    );
}

#[test]
fn absent_and_half_day_thresholds() {
    let day = |out: &str| {
        let mut case = Case::with_shift("09:00", "17:00")
            .punch("2024-03-04 09:00")
            .punch(&format!("2024-03-04 {out}"));
        case.rules.absent_below = Some(Hours::parse("absent_below_hours", 4.0).unwrap());
        case.rules.half_day_below = Some(Hours::parse("half_day_below_hours", 7.5).unwrap());
        case.day("2024-03-04").status
    };
    assert_eq!(day("10:42"), Status::Absent); // 1.7 h
    assert_eq!(day("14:00"), Status::HalfDay); // 5 h
    assert_eq!(day("16:30"), Status::Present); // 7.5 h
}

/// A night across each DST change in both zones, on a 22:00–06:00 shift.
#[test]
fn dst_nights_are_real_elapsed_time() {
    let nights = [
        ("Europe/Berlin", "2024-10-26", "2024-10-27", hms(9, 4, 0)),
        ("Europe/Berlin", "2024-03-30", "2024-03-31", hms(7, 4, 0)),
        ("America/New_York", "2024-11-02", "2024-11-03", hms(9, 4, 0)),
        ("America/New_York", "2024-03-09", "2024-03-10", hms(7, 4, 0)),
    ];
    for (zone, night, morning, worked) in nights {
        let case = Case::new(zone)
            .shift(spec("Night", "22:00", "06:00"))
            .punch(&format!("{night} 21:58"))
            .punch(&format!("{morning} 06:02"));
        let day = case.day(night);
        assert_eq!(day.worked_seconds, worked, "{zone} {night}");
        assert_eq!(day.status, Status::Present, "{zone} {night}");
        // The schedule stretches or shrinks with the night: 4 minutes over.
        assert_eq!(day.daily_overtime_seconds, hms(0, 4, 0), "{zone} {night}");
        assert_eq!(
            day.first_in.unwrap().civil(),
            civil(&format!("{night} 21:58"))
        );
    }
}

#[test]
fn split_shift_pays_both_parts() {
    let mut split = spec("Split", "07:00", "20:00");
    split.break_minutes = 300;
    split.break_after_minutes = 240;
    let case = Case::new("Europe/Berlin")
        .shift(split)
        .punch("2024-03-04 07:00")
        .punch("2024-03-04 11:00")
        .punch("2024-03-04 16:00")
        .punch("2024-03-04 20:00");
    let result = case.run("2024-03-04", "2024-03-04");
    let day = &result.days[0];
    assert_eq!(day.worked_seconds, hms(8, 0, 0));
    assert_eq!(
        (day.break_deducted_seconds, day.daily_overtime_seconds),
        (0, 0)
    );
    assert_eq!(day.status, Status::Present);
    use PunchRole::*;
    assert_eq!(
        roles(&result, "2024-03-04"),
        [In, BreakStart, BreakEnd, Out]
    );
}

#[test]
fn voided_punches_are_shown_not_counted_and_manual_ones_count() {
    let case = Case::with_shift("09:00", "18:00")
        .punch("2024-03-04 09:00")
        .voided("2024-03-04 12:00")
        .manual("2024-03-04 18:00");
    let result = case.run("2024-03-04", "2024-03-04");
    let day = &result.days[0];
    assert_eq!(day.worked_seconds, hms(9, 0, 0));
    assert_eq!(day.status, Status::Present);
    assert_eq!(codes(day), ["manual_punch", "voided_punch"]);
    assert_eq!(
        roles(&result, "2024-03-04"),
        [PunchRole::In, PunchRole::Voided, PunchRole::Out]
    );
    assert!(result.punches[2].manual && result.punches[1].voided);

    let only_voided = Case::with_shift("09:00", "18:00").voided("2024-03-04 09:00");
    let day = only_voided.day("2024-03-04");
    assert_eq!(
        (day.status, codes(&day)),
        (Status::Absent, vec!["voided_punch"])
    );
}

#[test]
fn holidays_and_leave_are_not_absences() {
    let mut case = Case::new("Europe/Berlin").shift(ShiftSpec::new("Day", "09:00", "17:00"));
    case.holidays.push(Holiday {
        date: d("2024-03-04"),
        name: "Founders' Day".into(),
    });
    case.leave
        .push(Leave::new(d("2024-03-05"), d("2024-03-10"), LeaveKind::Vacation).unwrap());
    let result = case.run("2024-03-04", "2024-03-11");
    let status: Vec<_> = result.days.iter().map(|d| d.status.as_str()).collect();
    let expected = [
        "holiday", "leave", "leave", "leave", "leave", "day_off", "day_off", "absent",
    ];
    assert_eq!(status, expected);
    assert_eq!(result.days[0].holiday.as_deref(), Some("Founders' Day"));
    assert_eq!(result.days[1].leave, Some(LeaveKind::Vacation));
}

#[test]
fn provisional_until_the_window_closed_and_devices_synced() {
    let base = Case::with_shift("09:00", "17:00"); // window closes 21:00
    let at = |now: &str, synced: &str| base_day(&base, now, synced);
    let (open, provisional) = at("2024-03-04 12:00", "2024-03-04 12:00");
    assert!(provisional);
    assert_eq!(open, Status::Incomplete);
    // Window closed, but a device was last read before that.
    assert_eq!(
        at("2024-03-05 08:00", "2024-03-04 20:30"),
        (Status::Incomplete, true)
    );
    assert_eq!(
        at("2024-03-05 08:00", "2024-03-04 21:00"),
        (Status::Absent, false)
    );
}

fn base_day(case: &Case, now: &str, synced: &str) -> (Status, bool) {
    let day = case.clone().sync(now, synced).day("2024-03-04");
    assert_eq!(day.flags.contains(FlagCode::Provisional), day.provisional);
    (day.status, day.provisional)
}
