//! The helpers and output shapes the store, pages and API rely on.

use jiff::Timestamp;
use serde_json::json;

use super::support::*;
use crate::attendance::*;

const MON: &str = "2024-03-04";

#[test]
fn a_day_serialises_as_the_api_row() {
    let case = Case::with_shift("09:00", "18:00")
        .punch("2024-03-04 09:06")
        .punch("2024-03-04 09:06:30");
    let mut case = case.clone();
    case.shifts[0] = case.shifts[0].clone().with_id(7);
    let row = serde_json::to_value(case.day(MON)).unwrap();
    assert_eq!(row["date"], "2024-03-04");
    assert_eq!(row["shift_id"], 7);
    assert_eq!(row["status"], "incomplete");
    assert_eq!(row["first_in"], "2024-03-04T09:06:00+01:00");
    assert_eq!(row["last_out"], json!(null));
    assert_eq!(row["scheduled_start"], "2024-03-04T09:00:00+01:00");
    for field in [
        "worked_minutes",
        "late_minutes",
        "early_leave_minutes",
        "overtime_minutes",
    ] {
        assert!(row[field].is_i64(), "{field}");
    }
    assert_eq!(row["late_minutes"], 6);
    assert_eq!(row["provisional"], false);
    let codes: Vec<_> = row["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].clone())
        .collect();
    assert_eq!(codes, [json!("missing_out"), json!("double_tap_merged")]);
    assert_eq!(row["flags"][0]["message"], FlagCode::MissingOut.message());
}

#[test]
fn every_flag_has_a_code_and_a_sentence() {
    let mut all = FlagSet::default();
    for code in FlagCode::ALL {
        all.insert(code);
        assert!(
            code.message().ends_with('.') && code.message().len() > 20,
            "{code:?}"
        );
    }
    let codes: Vec<_> = all.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "missing_in",
            "missing_out",
            "double_tap_merged",
            "status_conflict",
            "unassigned_punch",
            "manual_punch",
            "voided_punch",
            "provisional"
        ]
    );
}

#[test]
fn a_classified_punch_says_where_it_counted_and_why() {
    let case = Case::with_shift("22:00", "06:00")
        .punch_key("2024-03-04 21:52", 0)
        .punch_key("2024-03-05 06:07", 1);
    let result = case.run(MON, MON);
    let out = serde_json::to_value(result.punches[1]).unwrap();
    assert_eq!(out["date"], "2024-03-04");
    assert_eq!(out["role"], "out");
    assert_eq!(out["hint"], "out");
    assert_eq!(out["time"], "2024-03-05T06:07:00+01:00");
    assert_eq!(out["device_time"], "2024-03-05T06:07:00");
    assert_eq!(out["reason"], "Check-out.");
    assert_eq!(
        (out["paired"].clone(), out["merged_into"].clone()),
        (json!(true), json!(null))
    );
}

#[test]
fn the_punch_span_reaches_two_days_either_side() {
    let case = Case::with_shift("09:00", "18:00");
    let rules = &case.rules;
    let schedule = case.schedule();
    let holidays = Holidays::default();
    let range = DateRange::new(d(MON), d("2024-03-10")).unwrap();
    let tt = Timetable::new(rules, &holidays, schedule.as_ref(), range);
    assert_eq!(
        tt.punch_span(),
        (
            case.instant("2024-03-02 00:00"),
            case.instant("2024-03-12 00:00")
        )
    );
    assert_eq!(tt.computed_range(), range);
    let mut weekly = rules.clone();
    weekly.weekly_overtime = Some(Hours::from_minutes(2400));
    let wed = DateRange::day(d("2024-03-06"));
    let tt = Timetable::new(&weekly, &holidays, schedule.as_ref(), wed);
    assert_eq!(tt.computed_range(), range);
    assert_eq!(tt.range(), wed);
}

#[test]
fn affected_dates_cover_neighbours_and_whole_weeks() {
    let mut rules = Rules::new(jiff::tz::TimeZone::get("Europe/Berlin").unwrap());
    let at: Timestamp = "2024-03-06T23:30:00Z".parse().unwrap(); // Thu 00:30 in Berlin
    let range = affected_by_punch(&rules, at);
    assert_eq!(
        (range.from(), range.to()),
        (d("2024-03-06"), d("2024-03-08"))
    );
    assert_eq!(affected_by_date(&rules, d(MON)), DateRange::day(d(MON)));
    rules.weekly_overtime = Some(Hours::from_minutes(2400));
    let range = affected_by_punch(&rules, "2024-03-03T12:00:00Z".parse().unwrap());
    assert_eq!(
        (range.from(), range.to()),
        (d("2024-02-26"), d("2024-03-10"))
    );
}

#[test]
fn sync_state_waits_for_every_enabled_device() {
    let now: Timestamp = "2024-03-05T12:00:00Z".parse().unwrap();
    let old: Timestamp = "2024-03-05T08:00:00Z".parse().unwrap();
    assert_eq!(
        SyncState::new(now, [Some(now), Some(old)]).synced_until,
        old
    );
    assert_eq!(
        SyncState::new(now, [Some(now), None]).synced_until,
        Timestamp::MIN
    );
    assert_eq!(SyncState::new(now, []).synced_until, now);
}

#[test]
fn everyone_from_one_query_matches_one_by_one() {
    let alice = Case::with_shift("09:00", "18:00")
        .punch("2024-03-04 09:00")
        .punch("2024-03-04 18:00");
    let mut bob = Case::with_shift("09:00", "18:00").punch("2024-03-04 10:00");
    for p in &mut bob.punches {
        (p.employee_id, p.id) = (43, p.id + 100);
    }
    let all: Vec<Punch> = alice.punches.iter().chain(&bob.punches).copied().collect();
    let schedule = alice.schedule().unwrap();
    let holidays = Holidays::default();
    let range = DateRange::day(d(MON));
    let tt = Timetable::new(&alice.rules, &holidays, Some(&schedule), range);
    let sync = SyncState::new("2024-04-01T00:00:00Z".parse().unwrap(), []);
    let statuses: Vec<_> = by_employee(&all)
        .map(|(id, punches)| {
            let input = EmployeeInput {
                employee_id: id,
                leave: &[],
                punches,
            };
            let one = compute(
                &alice.rules,
                &holidays,
                Some(&schedule),
                range,
                &input,
                sync,
            );
            assert_eq!(one, tt.compute(&input, sync));
            (id, one.days[0].status)
        })
        .collect();
    assert_eq!(statuses, [(42, Status::Present), (43, Status::Incomplete)]);
}

#[test]
fn another_employees_punches_are_ignored() {
    let mut case = Case::with_shift("09:00", "18:00")
        .punch("2024-03-04 09:00")
        .punch("2024-03-04 12:00")
        .punch("2024-03-04 18:00");
    case.punches[1].employee_id = 43;
    let result = case.run(MON, MON);
    assert_eq!(result.punches.len(), 2);
    assert_eq!(result.days[0].worked_seconds, hms(9, 0, 0));
}

#[test]
fn totals_sum_seconds_before_rounding() {
    let mut case = Case::with_shift("09:00", "17:00");
    for day in ["04", "05"] {
        case = case
            .punch(&format!("2024-03-{day} 09:00:00"))
            .punch(&format!("2024-03-{day} 17:00:30"));
    }
    let result = case.run(MON, "2024-03-06");
    let totals = Totals::of(&result.days);
    assert_eq!((totals.days, totals.present, totals.absent), (3, 2, 1));
    assert_eq!(totals.worked_minutes, 16 * 60 + 1);
    assert_eq!(
        (totals.overtime_minutes, totals.regular_minutes),
        (1, 16 * 60)
    );
}

#[test]
fn ranges_are_bounded_and_ordered() {
    assert_eq!(
        DateRange::new(d("2024-03-05"), d(MON)).unwrap_err().field,
        "to"
    );
    assert!(DateRange::new(d("2024-01-01"), d("2026-12-31")).is_err());
    let range = DateRange::new(d("2024-02-28"), d("2024-03-01")).unwrap();
    assert_eq!(range.len(), 3);
    assert_eq!(range.days().last(), Some(d("2024-03-01")));
    assert!(Leave::new(d("2024-03-05"), d(MON), LeaveKind::Sick).is_err());
}
