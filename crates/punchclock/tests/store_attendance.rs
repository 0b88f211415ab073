//! Store tests of what attendance reads and writes: shifts, rules,
//! holidays, leave, corrections and the punches of a span. Each runs on
//! SQLite and on PostgreSQL (`store_harness`).

use std::time::Duration;

use jiff::civil::{date, Date};
use punchclock::attendance::{self, Hours, Leave, LeaveKind, ShiftSpec};
use punchclock::domain::*;
use punchclock::store::{Invalid, Rule, Store, StoreError};

#[macro_use]
mod store_harness;

use store_harness::fixtures::{at, new_device, punch_at, with_shift};
use store_harness::{run_postgres, run_sqlite, TestDb};

store_tests!(
    shifts_are_named_once_and_never_deleted_in_use,
    rules_default_and_round_trip_within_the_company,
    an_employee_gets_only_a_shift_of_their_company,
    holidays_one_per_date_and_leave_never_overlaps,
    corrections_keep_raw_punches_and_are_audited,
    punches_of_a_span_grouped_by_employee,
    last_syncs_count_successful_syncs_of_enabled_devices,
);

// ---------------------------------------------------------------- helpers

const T0: i64 = 1_782_900_000; // 2026-07-01T10:00:00Z, a Wednesday

async fn company(store: &Store, name: &str) -> Company {
    let (company, _) = store
        .create_company_with_owner(
            &NewCompany {
                name: name.into(),
                timezone: Zone::parse("Europe/Berlin").unwrap(),
                poll_interval_minutes: None,
                plan: "business".into(),
                seats: 50,
                trial_ends_at: None,
            },
            &format!("owner@{}.example", name.to_lowercase()),
            "not-a-real-hash",
        )
        .await
        .unwrap();
    company
}

async fn account_of(store: &Store, company: &Company) -> AccountId {
    let email = format!("owner@{}.example", company.name.to_lowercase());
    store
        .account_login(&email)
        .await
        .unwrap()
        .unwrap()
        .account
        .id
}

fn shift(name: &str, start: &str, end: &str) -> attendance::Shift {
    attendance::Shift::parse(&ShiftSpec::new(name, start, end)).unwrap()
}

async fn person(store: &Store, company: CompanyId, enroll_id: &str) -> Employee {
    store
        .create_employee(
            company,
            &NewEmployee {
                enroll_id: enroll_id.into(),
                first_name: Some(format!("P{enroll_id}")),
                last_name: None,
                designation: None,
                email: None,
            },
        )
        .await
        .unwrap()
}

async fn device(store: &Store, company: CompanyId, name: &str, enabled: bool) -> Device {
    store
        .create_device(
            company,
            &NewDevice {
                enabled,
                ..new_device(name, "10.0.0.5")
            },
        )
        .await
        .unwrap()
}

/// A punch at `T0 + offset` (UTC device clock, for simplicity).
fn punch(enroll_id: &str, offset: i64) -> NewPunch {
    punch_at(enroll_id, at(T0 + offset))
}

fn poll(kind: LogKind, outcome: Outcome, started: i64, punches: Vec<NewPunch>) -> PollRecord {
    PollRecord {
        kind,
        started_at: at(started),
        duration: Duration::from_millis(50),
        host: "10.0.0.5".into(),
        address: None,
        transport_used: Some(Transport::Tcp),
        outcome,
        reason: None,
        info: Some(DeviceInfo {
            serial_number: Some("SER1".into()),
            ..DeviceInfo::default()
        }),
        users: Vec::new(),
        punches,
        history_pulled: true,
        next_poll_at: None,
        sync: Default::default(),
    }
}

fn reason(text: &str) -> Reason {
    Reason::parse(text).unwrap()
}

fn name(text: &str) -> HolidayName {
    HolidayName::parse(text).unwrap()
}

fn leave(employee: &Employee, from: Date, to: Date) -> NewLeave {
    NewLeave {
        employee_id: employee.id,
        leave: Leave::new(from, to, LeaveKind::Vacation).unwrap(),
    }
}

#[track_caller]
fn assert_conflict<T: std::fmt::Debug>(r: Result<T, StoreError>) -> Rule {
    match r {
        Err(StoreError::Conflict(rule)) => rule,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

// ---------------------------------------------------------------- tests

async fn shifts_are_named_once_and_never_deleted_in_use(db: TestDb) {
    let store = &db.store;
    let a = company(store, "Alpha").await;
    let b = company(store, "Beta").await;
    let day = store
        .create_shift(a.id, &shift("Day", "9:00", "17:30"))
        .await
        .unwrap();
    assert_eq!(day.spec.start, "09:00", "normalised");
    assert_eq!(day.spec.weekdays, ["mon", "tue", "wed", "thu", "fri"]);
    assert_eq!(day.to_engine().unwrap().id(), Some(day.id.0));
    let night = store
        .create_shift(a.id, &shift("Night", "22:00", "06:00"))
        .await
        .unwrap();
    let rule = assert_conflict(
        store
            .create_shift(a.id, &shift("Day", "8:00", "16:00"))
            .await,
    );
    assert_eq!(rule, Rule::ShiftNameTaken { name: "Day".into() });
    // Another company may use the same name, and sees none of Alpha's.
    store
        .create_shift(b.id, &shift("Day", "8:00", "16:00"))
        .await
        .unwrap();
    assert!(matches!(
        store.get_shift(b.id, day.id).await,
        Err(StoreError::NotFound)
    ));
    let names: Vec<_> = store.list_shifts(a.id).await.unwrap();
    assert_eq!(
        names
            .iter()
            .map(|s| s.spec.name.as_str())
            .collect::<Vec<_>>(),
        ["Day", "Night"]
    );

    let renamed = store
        .update_shift(a.id, night.id, &shift("Late night", "23:00", "07:00"))
        .await
        .unwrap();
    assert_eq!(
        (renamed.spec.name.as_str(), renamed.spec.start.as_str()),
        ("Late night", "23:00")
    );
    let rule = assert_conflict(
        store
            .update_shift(a.id, night.id, &shift("Day", "1:00", "2:00"))
            .await,
    );
    assert_eq!(rule, Rule::ShiftNameTaken { name: "Day".into() });
    assert!(matches!(
        store
            .update_shift(b.id, night.id, &shift("X", "1:00", "2:00"))
            .await,
        Err(StoreError::NotFound)
    ));

    // In use: by an employee, then as the company default.
    let ana = person(store, a.id, "1").await;
    store
        .update_employee(a.id, ana.id, &with_shift(&ana, Some(night.id)))
        .await
        .unwrap();
    let Rule::ShiftInUse(usage) = assert_conflict(store.delete_shift(a.id, night.id).await) else {
        panic!("expected ShiftInUse")
    };
    assert_eq!((usage.company_default, usage.employees), (false, 1));
    assert!(usage.to_string().contains("1 employee have it"), "{usage}");
    let rules = AttendanceRules {
        default_shift_id: Some(day.id),
        ..AttendanceRules::default()
    };
    store.update_attendance_rules(a.id, &rules).await.unwrap();
    let Rule::ShiftInUse(usage) = assert_conflict(store.delete_shift(a.id, day.id).await) else {
        panic!("expected ShiftInUse")
    };
    assert!(usage.company_default);
    // Free again: deleted, and gone.
    store
        .update_employee(a.id, ana.id, &with_shift(&ana, None))
        .await
        .unwrap();
    assert!(matches!(
        store.delete_shift(b.id, night.id).await,
        Err(StoreError::NotFound)
    ));
    store.delete_shift(a.id, night.id).await.unwrap();
    assert_eq!(store.list_shifts(a.id).await.unwrap().len(), 1);
}

async fn rules_default_and_round_trip_within_the_company(db: TestDb) {
    let store = &db.store;
    let a = company(store, "Alpha").await;
    let b = company(store, "Beta").await;
    assert_eq!(
        store.attendance_rules(a.id).await.unwrap(),
        AttendanceRules::default()
    );
    let theirs = store
        .create_shift(b.id, &shift("Theirs", "9:00", "17:00"))
        .await
        .unwrap();
    let ours = store
        .create_shift(a.id, &shift("Ours", "9:00", "17:00"))
        .await
        .unwrap();
    let mut rules = AttendanceRules {
        default_shift_id: Some(theirs.id),
        double_tap_seconds: 90,
        punch_status_reliable: true,
        min_rest: Hours::parse("min_rest_hours", 6.5).unwrap(),
        weekly_overtime: Some(Hours::from_minutes(40 * 60)),
        absent_below: Some(Hours::parse("absent_below_hours", 1.7).unwrap()),
        half_day_below: Some(Hours::from_minutes(450)),
    };
    match store.update_attendance_rules(a.id, &rules).await {
        Err(StoreError::Invalid(Invalid::UnknownDefaultShift)) => {}
        other => panic!("another company's shift: {other:?}"),
    }
    rules.default_shift_id = Some(ours.id);
    assert_eq!(
        store.update_attendance_rules(a.id, &rules).await.unwrap(),
        rules
    );
    assert_eq!(store.attendance_rules(a.id).await.unwrap(), rules);
    assert_eq!(rules.absent_below.unwrap().seconds(), 102 * 60);
    assert_eq!(
        store.attendance_rules(b.id).await.unwrap(),
        AttendanceRules::default(),
        "the other company is untouched"
    );
    let engine = rules.to_engine(&a.timezone);
    assert_eq!(engine.double_tap_seconds, 90);
    assert_eq!(engine.zone, *a.timezone.tz());
}

async fn an_employee_gets_only_a_shift_of_their_company(db: TestDb) {
    let store = &db.store;
    let a = company(store, "Alpha").await;
    let b = company(store, "Beta").await;
    let theirs = store
        .create_shift(b.id, &shift("Theirs", "9:00", "17:00"))
        .await
        .unwrap();
    let ours = store
        .create_shift(a.id, &shift("Ours", "9:00", "17:00"))
        .await
        .unwrap();
    let ana = person(store, a.id, "7").await;
    assert_eq!(ana.shift_id, None);
    match store
        .update_employee(a.id, ana.id, &with_shift(&ana, Some(theirs.id)))
        .await
    {
        Err(StoreError::Invalid(Invalid::UnknownShift)) => {}
        other => panic!("another company's shift: {other:?}"),
    }
    let saved = store
        .update_employee(a.id, ana.id, &with_shift(&ana, Some(ours.id)))
        .await
        .unwrap();
    assert_eq!(saved.shift_id, Some(ours.id));
    let read = store.get_employee(a.id, ana.id).await.unwrap();
    assert_eq!(read.shift_id, Some(ours.id));
}

async fn holidays_one_per_date_and_leave_never_overlaps(db: TestDb) {
    let store = &db.store;
    let a = company(store, "Alpha").await;
    let b = company(store, "Beta").await;
    let xmas = store
        .create_holiday(a.id, date(2026, 12, 25), &name("Christmas"))
        .await
        .unwrap();
    store
        .create_holiday(a.id, date(2026, 1, 1), &name("New Year"))
        .await
        .unwrap();
    let rule = assert_conflict(
        store
            .create_holiday(a.id, date(2026, 12, 25), &name("Again"))
            .await,
    );
    assert_eq!(
        rule,
        Rule::HolidayDateTaken {
            date: "2026-12-25".into(),
            name: "Christmas".into()
        }
    );
    store
        .create_holiday(b.id, date(2026, 12, 25), &name("Theirs"))
        .await
        .unwrap();
    let year = store
        .list_holidays(a.id, date(2026, 1, 1), date(2026, 12, 31))
        .await
        .unwrap();
    assert_eq!(
        year.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(),
        ["New Year", "Christmas"]
    );
    let december = store
        .list_holidays(a.id, date(2026, 12, 1), date(2026, 12, 24))
        .await
        .unwrap();
    assert!(december.is_empty(), "{december:?}");
    assert!(matches!(
        store.delete_holiday(b.id, xmas.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.delete_holiday(a.id, xmas.id).await.unwrap().date,
        date(2026, 12, 25)
    );

    let ana = person(store, a.id, "1").await;
    let bob = person(store, a.id, "2").await;
    let outsider = person(store, b.id, "1").await;
    let first = store
        .create_leave(a.id, &leave(&ana, date(2026, 7, 6), date(2026, 7, 10)))
        .await
        .unwrap();
    assert_eq!(first.kind, LeaveKind::Vacation);
    let rule = assert_conflict(
        store
            .create_leave(a.id, &leave(&ana, date(2026, 7, 10), date(2026, 7, 12)))
            .await,
    );
    assert_eq!(
        rule,
        Rule::LeaveOverlaps {
            from: "2026-07-06".into(),
            to: "2026-07-10".into()
        }
    );
    store
        .create_leave(a.id, &leave(&ana, date(2026, 7, 11), date(2026, 7, 12)))
        .await
        .unwrap();
    store
        .create_leave(a.id, &leave(&bob, date(2026, 7, 8), date(2026, 7, 8)))
        .await
        .unwrap();
    match store
        .create_leave(a.id, &leave(&outsider, date(2026, 7, 1), date(2026, 7, 1)))
        .await
    {
        Err(StoreError::Invalid(Invalid::UnknownEmployee)) => {}
        other => panic!("another company's employee: {other:?}"),
    }
    let week = store
        .list_leave(a.id, None, date(2026, 7, 8), date(2026, 7, 9))
        .await
        .unwrap();
    assert_eq!(week.len(), 2, "ana's first and bob's: {week:?}");
    let ana_all = store
        .list_leave(a.id, Some(ana.id), date(2026, 1, 1), date(2026, 12, 31))
        .await
        .unwrap();
    assert_eq!(ana_all.len(), 2);
    assert!(matches!(
        store.delete_leave(b.id, first.id).await,
        Err(StoreError::NotFound)
    ));
    store.delete_leave(a.id, first.id).await.unwrap();
    let left = store
        .list_leave(a.id, Some(ana.id), date(2026, 1, 1), date(2026, 12, 31))
        .await
        .unwrap();
    assert_eq!(left.len(), 1);
}

async fn corrections_keep_raw_punches_and_are_audited(db: TestDb) {
    let store = &db.store;
    let a = company(store, "Alpha").await;
    let b = company(store, "Beta").await;
    let owner = account_of(store, &a).await;
    let dev = device(store, a.id, "Door", true).await;
    store
        .record_poll(
            a.id,
            dev.id,
            &poll(LogKind::Sync, Outcome::Ok, T0 + 7200, vec![punch("1", 0)]),
        )
        .await
        .unwrap();
    let ana = store
        .employee_by_enroll_id(a.id, "1")
        .await
        .unwrap()
        .unwrap();
    let raw = store
        .attendance_punches(a.id, at(T0 - 10), at(T0 + 10), None)
        .await
        .unwrap();
    assert_eq!(raw.len(), 1);
    let raw_id = PunchId(raw[0].id);

    // A missing check-out, by hand.
    let out_at = at(T0 + 8 * 3600);
    let new = NewManualPunch {
        employee_id: ana.id,
        at: out_at,
        device_time: out_at.to_zoned(a.timezone.tz().clone()).datetime(),
        reason: reason("Forgot to clock out"),
    };
    let manual = store.add_manual_punch(a.id, owner, &new).await.unwrap();
    let rule = assert_conflict(store.add_manual_punch(a.id, owner, &new).await);
    assert!(matches!(rule, Rule::PunchExists { .. }), "{rule:?}");
    let elsewhere = NewManualPunch {
        employee_id: ana.id,
        ..new.clone()
    };
    match store.add_manual_punch(b.id, owner, &elsewhere).await {
        Err(StoreError::Invalid(Invalid::UnknownEmployee)) => {}
        other => panic!("another company's employee: {other:?}"),
    }

    // Void the raw punch, refuse to void it twice, then undo.
    store
        .set_punch_voided(
            a.id,
            owner,
            raw_id,
            VoidChange::Void,
            "Tapped by a colleague",
        )
        .await
        .unwrap();
    let rule = assert_conflict(
        store
            .set_punch_voided(a.id, owner, raw_id, VoidChange::Void, "again")
            .await,
    );
    assert_eq!(rule, Rule::VoidUnchanged("this punch is already voided"));
    assert!(matches!(
        store
            .set_punch_voided(b.id, owner, raw_id, VoidChange::Void, "not theirs")
            .await,
        Err(StoreError::NotFound)
    ));
    let both = store
        .attendance_punches(a.id, at(T0 - 10), at(T0 + 9 * 3600), None)
        .await
        .unwrap();
    assert_eq!(both.len(), 2);
    assert!(both[0].voided && !both[0].manual, "{:?}", both[0]);
    assert!(both[1].manual && !both[1].voided && both[1].id == manual.0);
    assert_eq!(both[1].state, 255, "no key was pressed");
    store
        .set_punch_voided(
            a.id,
            owner,
            raw_id,
            VoidChange::Unvoid,
            "It was hers after all",
        )
        .await
        .unwrap();
    let view = store.get_punch(a.id, raw_id).await.unwrap();
    assert!(!view.punch.voided);
    assert_eq!(view.punch.punched_at, at(T0), "raw columns untouched");
    assert_eq!(view.punch.device_serial, "SER1");
    let manual_view = store.get_punch(a.id, manual).await.unwrap();
    assert!(manual_view.punch.manual && manual_view.punch.device_id.is_none());
    assert!(matches!(
        store.get_punch(b.id, manual).await,
        Err(StoreError::NotFound)
    ));

    // The log: newest first, with who, what and why.
    let log = store.list_corrections(a.id, None, 10, 0).await.unwrap();
    let kinds: Vec<_> = log.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [
            AuditKind::PunchUnvoided,
            AuditKind::PunchVoided,
            AuditKind::PunchAdded
        ]
    );
    assert_eq!(log[2].reason, "Forgot to clock out");
    assert_eq!(log[2].punch_id, manual);
    assert_eq!(log[0].account_email.as_deref(), Some("owner@alpha.example"));
    assert_eq!(log[0].employee_name, NO_NAME, "named by nobody yet");
    assert_eq!(log[1].punched_at, at(T0));
    assert_eq!(store.count_corrections(a.id, None).await.unwrap(), 3);
    assert_eq!(
        store.count_corrections(a.id, Some(ana.id)).await.unwrap(),
        3
    );
    assert_eq!(store.count_corrections(b.id, None).await.unwrap(), 0);
    assert_eq!(
        store.list_corrections(a.id, None, 1, 1).await.unwrap()[0].kind,
        AuditKind::PunchVoided
    );
    // The plan history stays the plan history.
    assert!(store
        .list_audit_events(a.id, 100)
        .await
        .unwrap()
        .iter()
        .all(|e| !e.kind.is_correction()));
}

async fn punches_of_a_span_grouped_by_employee(db: TestDb) {
    let store = &db.store;
    let a = company(store, "Alpha").await;
    let b = company(store, "Beta").await;
    let dev = device(store, a.id, "Door", true).await;
    let other = device(store, b.id, "Door", true).await;
    let punches = vec![
        punch("2", 60),
        punch("1", 120),
        punch("2", 0),
        punch("1", 3600),
        punch("1", 7200), // exactly the end: excluded
        punch("1", -1),   // before the start: excluded
    ];
    store
        .record_poll(
            a.id,
            dev.id,
            &poll(LogKind::Sync, Outcome::Ok, T0 + 9000, punches),
        )
        .await
        .unwrap();
    store
        .record_poll(
            b.id,
            other.id,
            &poll(LogKind::Sync, Outcome::Ok, T0 + 9000, vec![punch("1", 10)]),
        )
        .await
        .unwrap();
    let got = store
        .attendance_punches(a.id, at(T0), at(T0 + 7200), None)
        .await
        .unwrap();
    let seen: Vec<(i64, i64)> = got
        .iter()
        .map(|p| (p.employee_id, p.at.as_second() - T0))
        .collect();
    let one = store
        .employee_by_enroll_id(a.id, "1")
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    let two = store
        .employee_by_enroll_id(a.id, "2")
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    let mut want = vec![(one, 120), (one, 3600), (two, 0), (two, 60)];
    want.sort_by_key(|(e, _)| *e);
    assert_eq!(seen, want, "grouped by employee, in time order, [from, to)");
    assert_eq!(got[0].device_time.to_string(), "2026-07-01T10:02:00");
    assert_eq!(got[0].device_id, Some(dev.id.0));
    assert_eq!((got[0].state, got[0].verify), (0, 1));
    let only_two = store
        .attendance_punches(a.id, at(T0), at(T0 + 7200), Some(EmployeeId(two)))
        .await
        .unwrap();
    assert_eq!(only_two.len(), 2);
    assert!(only_two.iter().all(|p| p.employee_id == two));
}

async fn last_syncs_count_successful_syncs_of_enabled_devices(db: TestDb) {
    let store = &db.store;
    let a = company(store, "Alpha").await;
    assert!(
        store.last_syncs(a.id).await.unwrap().is_empty(),
        "no devices"
    );
    let door = device(store, a.id, "Door", true).await;
    let yard = device(store, a.id, "Yard", true).await;
    let old = device(store, a.id, "Old", false).await;
    assert_eq!(store.last_syncs(a.id).await.unwrap(), [None, None]);
    let record = |kind, outcome, t| poll(kind, outcome, t, Vec::new());
    for (dev, kind, outcome, t) in [
        (&door, LogKind::Sync, Outcome::Ok, T0),
        (&door, LogKind::Sync, Outcome::Ok, T0 + 1800),
        (&door, LogKind::Sync, Outcome::Failed, T0 + 3600),
        (&door, LogKind::Test, Outcome::Ok, T0 + 5400),
        (&yard, LogKind::Test, Outcome::Ok, T0 + 5400),
        (&old, LogKind::Sync, Outcome::Ok, T0 + 5400),
    ] {
        store
            .record_poll(a.id, dev.id, &record(kind, outcome, t))
            .await
            .unwrap();
    }
    assert_eq!(
        store.last_syncs(a.id).await.unwrap(),
        [Some(at(T0 + 1800)), None],
        "a failed sync, a connection test and a disabled device do not count"
    );
}
