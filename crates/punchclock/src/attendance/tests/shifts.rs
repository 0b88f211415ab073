//! Shift and schedule validation.

use super::support::spec;
use crate::attendance::*;

fn refused(spec: &ShiftSpec) -> InvalidSetting {
    Shift::parse(spec).unwrap_err()
}

#[test]
fn api_body_takes_the_issue_defaults() {
    let body = r#"{"name":"Day","start":"09:00","end":"18:00","weekdays":["mon","fri"]}"#;
    let shift = Shift::parse(&serde_json::from_str(body).unwrap()).unwrap();
    let spec = shift.to_spec();
    assert_eq!((spec.late_grace_minutes, spec.early_grace_minutes), (5, 5));
    assert_eq!(
        (spec.window_before_minutes, spec.window_after_minutes),
        (120, 240)
    );
    assert_eq!((spec.break_minutes, spec.break_after_minutes), (0, 360));
    assert_eq!(shift.length_minutes(), 9 * 60);
    assert!(!shift.crosses_midnight());
    let json = serde_json::to_value(&shift).unwrap();
    assert_eq!(json["weekdays"], serde_json::json!(["mon", "fri"]));
    assert_eq!(json["start"], "09:00");
}

#[test]
fn end_at_or_before_start_crosses_midnight() {
    let night = Shift::parse(&spec("Night", "22:00", "06:00")).unwrap();
    assert!(night.crosses_midnight());
    assert_eq!(night.length_minutes(), 8 * 60);
}

#[test]
fn times_must_be_hh_mm() {
    for bad in [
        "25:00", "09:60", "9:5", "0900", "ab:cd", "", "-1:00", "09:00:00",
    ] {
        assert_eq!(refused(&spec("X", bad, "17:00")).field, "start", "{bad:?}");
    }
    assert_eq!(
        parse_hhmm("start", "9:00").unwrap(),
        jiff::civil::time(9, 0, 0, 0)
    );
    assert_eq!(
        parse_hhmm("end", " 23:59 ").unwrap(),
        jiff::civil::time(23, 59, 0, 0)
    );
}

#[test]
fn a_shift_over_20_hours_is_refused_with_a_clear_message() {
    let err = refused(&spec("Long", "06:00", "04:00"));
    assert_eq!(err.field, "end");
    assert_eq!(
        err.message,
        "06:00–04:00 lasts 22 h, but a shift can last at most 20 h"
    );
    // 24 h (start = end) is refused too; exactly 20 h with a small window is fine.
    assert!(Shift::parse(&spec("Day", "08:00", "08:00")).is_err());
    let mut twenty = spec("Twenty", "06:00", "02:00");
    (twenty.window_before_minutes, twenty.window_after_minutes) = (60, 180);
    assert_eq!(Shift::parse(&twenty).unwrap().length_minutes(), 20 * 60);
}

#[test]
fn a_window_overlapping_itself_is_refused() {
    let err = refused(&spec("Long", "06:00", "02:00"));
    assert_eq!(err.field, "window_after_minutes");
    assert!(
        err.message
            .contains("2 h before + 20 h shift + 4 h after = 26 h"),
        "{err}"
    );
    assert!(err.message.contains("overlap"), "{err}");
}

#[test]
fn other_fields_are_bounded() {
    let mut s = spec("Day", "09:00", "17:00");
    s.break_minutes = 8 * 60;
    assert_eq!(refused(&s).field, "break_minutes");
    let mut s = spec("Day", "09:00", "17:00");
    s.late_grace_minutes = -1;
    assert_eq!(refused(&s).message, "must be between 0 and 240, not -1");
    let mut s = spec("  ", "09:00", "17:00");
    assert_eq!(refused(&s).field, "name");
    s.name = "Day".into();
    s.weekdays = vec![];
    assert_eq!(refused(&s).field, "weekdays");
}

#[test]
fn a_schedule_has_one_shift_per_weekday() {
    let day = Shift::parse(&spec("Day", "09:00", "17:00")).unwrap();
    let night = Shift::parse(&spec("Night", "22:00", "06:00")).unwrap();
    let err = Schedule::new(vec![day, night]).unwrap_err();
    assert_eq!(err.message, "\"Day\" and \"Night\" both work on mon");
}

#[test]
fn a_shift_may_not_run_into_the_next_days_shift() {
    let mut night = spec("Night", "22:00", "08:00");
    night.weekdays = vec!["mon".into()];
    let mut early = spec("Early", "06:00", "14:00");
    early.weekdays = vec!["tue".into()];
    let shifts = vec![Shift::parse(&night).unwrap(), Shift::parse(&early).unwrap()];
    let err = Schedule::new(shifts).unwrap_err();
    assert_eq!(
        err.message,
        "\"Night\" on mon ends after \"Early\" starts on tue"
    );
}

#[test]
fn parse_all_names_every_bad_field_at_once() {
    let mut bad = spec(" ", "25:00", "17:00");
    bad.weekdays = vec!["someday".into()];
    bad.late_grace_minutes = -1;
    bad.break_after_minutes = 2000;
    let errors = Shift::parse_all(&bad).unwrap_err();
    let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        [
            "name",
            "start",
            "weekdays",
            "late_grace_minutes",
            "break_after_minutes"
        ]
    );
    assert_eq!(
        Shift::parse(&bad).unwrap_err().field,
        "name",
        "the first one"
    );
    // Lengths are judged once every field reads.
    let long = Shift::parse_all(&spec("Long", "06:00", "04:00")).unwrap_err();
    assert_eq!(long.len(), 1);
    assert_eq!(long[0].field, "end");
    assert!(Shift::parse_all(&spec("Day", "09:00", "17:00")).is_ok());
}
