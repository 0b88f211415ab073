//! Store integration tests. Each test body is written once and runs on a
//! fresh SQLite file and on a fresh PostgreSQL database. The PostgreSQL
//! copies need `PUNCHCLOCK_TEST_POSTGRES_URL` (see `.ci/postgres.sh`);
//! without it they are reported as ignored (see build.rs).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use jiff::{civil, SignedDuration, Timestamp};
use punchclock::clock::Clock;
use punchclock::domain::*;
use punchclock::store::{Invalid, Rule, Store, StoreError};
use sha2::{Digest, Sha256};

#[macro_use]
mod store_harness;
use store_harness::fixtures::{
    at, company_with_device, new_company, new_device, punch, record, user, T0,
};
use store_harness::{run_postgres, run_sqlite, TestDb};

store_tests!(
    migrations_apply,
    tenant_isolation,
    device_crud_and_comm_key,
    record_poll_is_idempotent,
    record_poll_refreshes_device_names_only,
    device_names_are_decoded_again_when_the_setting_changes,
    failed_attempt_is_logged,
    readded_device_does_not_duplicate_punches,
    crash_mid_sync_rolls_back_everything,
    no_name_rule,
    claim_due_devices_never_double_leases,
    claim_includes_companies_out_of_service,
    claim_takes_companies_in_turns,
    punch_counts_by_device_in_one_query,
    device_cap_holds_under_racing_adds,
    lease_by_hand_respects_live_leases,
    sessions_create_lookup_expire,
    email_is_unique_case_insensitively,
    employees_list_update_create,
    employees_search_order_and_bulk_active,
    punch_list_filters_and_paging,
    plan_changes_are_audited,
    sync_100k_punches,
    unknown_zones_in_old_data_are_reported,
);

// ---------------------------------------------------------------- helpers

/// Current time truncated to whole seconds, the store's resolution.
fn now_s() -> Timestamp {
    at(Timestamp::now().as_second())
}

fn zone(name: &str) -> Zone {
    Zone::parse(name).unwrap()
}

fn plus(t: Timestamp, seconds: i64) -> Timestamp {
    t + SignedDuration::from_secs(seconds)
}

async fn all_punches(store: &Store, company_id: CompanyId) -> Vec<PunchView> {
    store
        .list_punches(
            company_id,
            &PunchFilter {
                limit: 1_000_000,
                oldest_first: true,
                ..PunchFilter::default()
            },
        )
        .await
        .unwrap()
}

fn assert_not_found<T: std::fmt::Debug>(result: Result<T, StoreError>, what: &str) {
    match result {
        Err(StoreError::NotFound) => {}
        other => panic!("{what}: expected NotFound, got {other:?}"),
    }
}

// ---------------------------------------------------------------- tests

async fn migrations_apply(db: TestDb) {
    let store = &db.store;
    store.ping().await.unwrap();
    assert!(store.list_companies().await.unwrap().is_empty());
    // Re-running migrations on an existing database is a no-op.
    let again = Store::connect(&db.url, Clock::system()).await.unwrap();
    let company = again.create_company(&new_company("Acme")).await.unwrap();
    assert_eq!(store.get_company(company.id).await.unwrap(), company);
    assert_eq!(company.poll_interval_minutes, 30);
    again.close().await;

    if !db.is_postgres() {
        let memory = Store::connect("sqlite::memory:", Clock::system())
            .await
            .unwrap();
        memory.create_company(&new_company("Mem")).await.unwrap();
        assert_eq!(memory.list_companies().await.unwrap().len(), 1);
    }

    let err = Store::connect("mysql://root:hunter2@localhost/db", Clock::system())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::UnsupportedUrl(_)));
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

async fn tenant_isolation(db: TestDb) {
    let store = &db.store;
    let (a, device) = company_with_device(store, "A").await;
    let b = store.create_company(&new_company("B")).await.unwrap();
    store
        .record_poll(
            a.id,
            device.id,
            &record("SN-A", vec![user("1", "Ann")], vec![punch("1", 0)]),
        )
        .await
        .unwrap();
    let employee = store
        .employee_by_enroll_id(a.id, "1")
        .await
        .unwrap()
        .unwrap();
    let (_, owner_a) = store
        .create_company_with_owner(&new_company("A2"), "a@example.com", "hash")
        .await
        .unwrap();

    assert_not_found(store.get_device(b.id, device.id).await, "get device");
    assert_not_found(
        store
            .update_device(
                b.id,
                device.id,
                &DeviceUpdate {
                    name: "stolen".into(),
                    host: "evil".into(),
                    port: 1,
                    transport: Transport::Tcp,
                    timezone: None,
                    enabled: false,
                    poll_interval_minutes: None,
                    comm_key: CommKeyUpdate::Clear,
                    mode: DeviceMode::Poll,
                    push_serial: None,
                    lock_source: false,
                },
            )
            .await,
        "update device",
    );
    assert_not_found(store.delete_device(b.id, device.id).await, "delete device");
    assert_not_found(
        store
            .schedule_device_poll(b.id, device.id, Timestamp::now())
            .await,
        "schedule device",
    );
    assert_not_found(
        store.device_poll_target(b.id, device.id).await,
        "poll target",
    );
    assert_not_found(
        store
            .record_poll(
                b.id,
                device.id,
                &record("SN-B", vec![], vec![punch("9", 5)]),
            )
            .await,
        "record sync",
    );
    assert_not_found(store.get_employee(b.id, employee.id).await, "get employee");
    assert_not_found(
        store
            .update_employee(
                b.id,
                employee.id,
                &EmployeeUpdate {
                    first_name: Some("Mallory".into()),
                    last_name: None,
                    designation: None,
                    email: None,
                    active: false,
                    daily_report: true,
                    shift_id: None,
                },
            )
            .await,
        "update employee",
    );
    assert_not_found(
        store
            .create_session(owner_a.id, b.id, SessionKind::Web, Duration::from_secs(60))
            .await,
        "session for foreign company",
    );
    assert!(store
        .employee_by_enroll_id(b.id, "1")
        .await
        .unwrap()
        .is_none());
    assert!(store.list_devices(b.id).await.unwrap().is_empty());
    assert!(store
        .list_employees(b.id, EmployeeFilter::All, 100, 0)
        .await
        .unwrap()
        .is_empty());
    assert!(all_punches(store, b.id).await.is_empty());
    assert_eq!(
        store
            .count_punches(b.id, &PunchFilter::default())
            .await
            .unwrap(),
        0
    );
    assert!(store
        .list_device_logs(b.id, device.id, 10)
        .await
        .unwrap()
        .is_empty());

    // A's data is untouched.
    let device_after = store.get_device(a.id, device.id).await.unwrap();
    assert_eq!(device_after.name, "Front door");
    assert!(device_after.enabled);
    let employee_after = store.get_employee(a.id, employee.id).await.unwrap();
    assert_eq!(employee_after, employee);
    assert_eq!(all_punches(store, a.id).await.len(), 1);
}

async fn device_crud_and_comm_key(db: TestDb) {
    let store = &db.store;
    let company = store.create_company(&new_company("Acme")).await.unwrap();
    let before = Timestamp::now();
    let device = store
        .create_device(
            company.id,
            &NewDevice {
                comm_key: Some(123_456),
                timezone: Some(zone("America/Bogota")),
                poll_interval_minutes: Some(5),
                ..new_device("  Gate  ", "192.168.1.201")
            },
        )
        .await
        .unwrap();
    assert_eq!(device.name, "Gate");
    assert!(device.has_comm_key);
    assert_eq!(device.status, DeviceStatus::Pending);
    assert!(!device.history_pulled);
    assert!(device.next_poll_at >= plus(before, -1) && device.next_poll_at <= Timestamp::now());
    assert!(!format!("{device:?}").contains("123456"));

    let target = store
        .device_poll_target(company.id, device.id)
        .await
        .unwrap();
    assert_eq!(target.comm_key, Some(123_456));
    assert_eq!(target.timezone, Ok(zone("America/Bogota")));
    assert_eq!(target.poll_interval_minutes, 5);
    assert!(!format!("{target:?}").contains("123456"));

    let mut update = DeviceUpdate {
        name: "Gate 2".into(),
        host: "192.168.1.202".into(),
        port: 4371,
        transport: Transport::Udp,
        timezone: None,
        enabled: false,
        poll_interval_minutes: None,
        comm_key: CommKeyUpdate::Keep,
        mode: DeviceMode::Poll,
        push_serial: None,
        lock_source: false,
    };
    let updated = store
        .update_device(company.id, device.id, &update)
        .await
        .unwrap();
    assert_eq!(
        (updated.name.as_str(), updated.host.as_str(), updated.port),
        ("Gate 2", "192.168.1.202", 4371)
    );
    assert_eq!(updated.transport, Transport::Udp);
    assert!(!updated.enabled);
    assert!(updated.has_comm_key);
    let target = store
        .device_poll_target(company.id, device.id)
        .await
        .unwrap();
    assert_eq!(target.comm_key, Some(123_456), "Keep keeps the key");
    assert_eq!(
        target.timezone,
        Ok(zone("Europe/Madrid")),
        "falls back to company zone"
    );
    assert_eq!(target.poll_interval_minutes, 30);

    update.comm_key = CommKeyUpdate::Set(99);
    store
        .update_device(company.id, device.id, &update)
        .await
        .unwrap();
    let target = store
        .device_poll_target(company.id, device.id)
        .await
        .unwrap();
    assert_eq!(target.comm_key, Some(99));

    update.comm_key = CommKeyUpdate::Clear;
    let cleared = store
        .update_device(company.id, device.id, &update)
        .await
        .unwrap();
    assert!(!cleared.has_comm_key);
    let target = store
        .device_poll_target(company.id, device.id)
        .await
        .unwrap();
    assert_eq!(target.comm_key, None);

    let soon = plus(now_s(), 3_600);
    store
        .schedule_device_poll(company.id, device.id, soon)
        .await
        .unwrap();
    assert_eq!(
        store
            .get_device(company.id, device.id)
            .await
            .unwrap()
            .next_poll_at,
        soon
    );

    assert!(matches!(
        store.create_device(company.id, &new_device(" ", "h")).await,
        Err(StoreError::Invalid(Invalid::DeviceNameMissing))
    ));
    assert!(matches!(
        store
            .create_device(
                company.id,
                &NewDevice {
                    port: 0,
                    ..new_device("x", "h")
                }
            )
            .await,
        Err(StoreError::Invalid(Invalid::DevicePortZero))
    ));

    let second = store
        .create_device(company.id, &new_device("Annex", "10.0.0.9"))
        .await
        .unwrap();
    let names: Vec<String> = store
        .list_devices(company.id)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(names, ["Annex", "Gate 2"]);

    store.delete_device(company.id, device.id).await.unwrap();
    assert_not_found(store.get_device(company.id, device.id).await, "deleted");
    assert_not_found(
        store.delete_device(company.id, device.id).await,
        "deleted twice",
    );
    assert_eq!(store.list_devices(company.id).await.unwrap(), [second]);
}

async fn record_poll_is_idempotent(db: TestDb) {
    let store = &db.store;
    let (company, device) = company_with_device(store, "Acme").await;
    let claimed = store
        .claim_due_devices(
            "instance-1",
            plus(Timestamp::now(), 1),
            Duration::from_secs(300),
            10,
        )
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);

    let users = vec![user("1", "Ann"), user("2", ""), user("10", "Zed")];
    // "77" punched but has no user record on the device.
    let punches = vec![
        punch("1", 0),
        punch("1", 3_600),
        punch("2", 60),
        punch("77", 120),
        punch("10", 180),
    ];
    let rec = record("SN-1", users, punches);

    let first = store
        .record_poll(company.id, device.id, &rec)
        .await
        .unwrap();
    assert_eq!(first.punches_new, 5);
    assert_eq!(first.employees_new, 4);
    assert_eq!(first.active_employees, 4);
    assert_eq!(first.log.punches_new, 5);
    assert_eq!(first.log.employees_new, 4);
    assert_eq!(first.log.users_read, 3);
    assert_eq!(first.log.punches_read, 5);
    assert_eq!(first.log.outcome, Outcome::Ok);
    assert_eq!(first.log.serial_number.as_deref(), Some("SN-1"));
    assert_eq!(first.log.duration_ms, 1_234);
    assert_eq!(first.log.transport_used, Some(Transport::Tcp));

    let after = store.get_device(company.id, device.id).await.unwrap();
    assert_eq!(after.status, DeviceStatus::Online);
    assert_eq!(after.info.serial_number.as_deref(), Some("SN-1"));
    assert_eq!(after.info.firmware.as_deref(), Some("Ver 6.60"));
    assert!(after.history_pulled);
    assert_eq!(after.last_seen_at, Some(rec.started_at));
    assert_eq!(after.next_poll_at, rec.next_poll_at.unwrap());
    // Recording keeps the lease: its owner gives it back when the poll
    // ends, however it ends, and nobody else can.
    assert_eq!(after.lease_owner.as_deref(), Some("instance-1"));
    assert!(!store.release_lease(device.id, "instance-2").await.unwrap());
    assert!(store.release_lease(device.id, "instance-1").await.unwrap());
    let after = store.get_device(company.id, device.id).await.unwrap();
    assert_eq!(after.lease_owner, None, "the owner gave the lease back");
    assert_eq!(after.lease_until, None);
    assert_eq!(
        after.next_poll_at,
        rec.next_poll_at.unwrap(),
        "schedule kept"
    );

    let second = store
        .record_poll(company.id, device.id, &rec)
        .await
        .unwrap();
    assert_eq!(second.punches_new, 0);
    assert_eq!(second.employees_new, 0);
    assert_eq!(second.active_employees, 4);
    assert_eq!(second.log.punches_read, 5);
    assert_ne!(second.log.id, first.log.id);

    assert_eq!(all_punches(store, company.id).await.len(), 5);
    assert_eq!(
        store
            .count_employees(company.id, EmployeeFilter::All)
            .await
            .unwrap(),
        4
    );
    let logs = store
        .list_device_logs(company.id, device.id, 10)
        .await
        .unwrap();
    assert_eq!(logs.len(), 2);
    assert_eq!(
        store
            .latest_device_log(company.id, device.id)
            .await
            .unwrap()
            .unwrap()
            .id,
        logs[0].id
    );
    // Same started_at: the tie is broken by id, newest first.
    assert_eq!(logs[0].id, second.log.id);
}

async fn record_poll_refreshes_device_names_only(db: TestDb) {
    let store = &db.store;
    let (company, device) = company_with_device(store, "Acme").await;
    store
        .record_poll(
            company.id,
            device.id,
            &record("SN-1", vec![user("1", "ANN"), user("2", "BOB")], vec![]),
        )
        .await
        .unwrap();
    let ann = store
        .employee_by_enroll_id(company.id, "1")
        .await
        .unwrap()
        .unwrap();
    store
        .update_employee(
            company.id,
            ann.id,
            &EmployeeUpdate {
                first_name: Some("Ann".into()),
                last_name: Some("Lee".into()),
                designation: Some("Nurse".into()),
                email: Some("ann@example.com".into()),
                active: false,
                daily_report: true,
                shift_id: None,
            },
        )
        .await
        .unwrap();

    // The device renames 1, forgets 2's name.
    let outcome = store
        .record_poll(
            company.id,
            device.id,
            &record("SN-1", vec![user("1", "ANN LEE"), user("2", "  ")], vec![]),
        )
        .await
        .unwrap();
    assert_eq!(outcome.employees_new, 0);
    assert_eq!(outcome.active_employees, 1, "Ann stays inactive");

    let ann = store.get_employee(company.id, ann.id).await.unwrap();
    assert_eq!(ann.name_from_device.as_deref(), Some("ANN LEE"));
    assert_eq!(ann.first_name.as_deref(), Some("Ann"));
    assert_eq!(ann.last_name.as_deref(), Some("Lee"));
    assert_eq!(ann.designation.as_deref(), Some("Nurse"));
    assert_eq!(ann.email.as_deref(), Some("ann@example.com"));
    assert!(!ann.active);
    assert_eq!(ann.display_name(), "Ann Lee");

    let bob = store
        .employee_by_enroll_id(company.id, "2")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        bob.name_from_device.as_deref(),
        Some("BOB"),
        "empty name ignored"
    );
}

async fn failed_attempt_is_logged(db: TestDb) {
    let store = &db.store;
    let (company, device) = company_with_device(store, "Acme").await;
    let failed = PollRecord {
        outcome: Outcome::Failed,
        reason: Some(PollReason::new(
            PollFailure::Timeout,
            "The device did not answer within 10 seconds.",
        )),
        info: None,
        address: None,
        transport_used: None,
        history_pulled: false,
        ..record("unused", vec![], vec![])
    };
    let outcome = store
        .record_poll(company.id, device.id, &failed)
        .await
        .unwrap();
    assert_eq!(outcome.log.outcome, Outcome::Failed);
    assert_eq!(
        outcome.log.reason.as_deref(),
        Some("The device did not answer within 10 seconds.")
    );
    assert_eq!(outcome.log.reason_code, Some(PollFailure::Timeout));
    assert_eq!(outcome.log.serial_number, None);
    assert_eq!((outcome.punches_new, outcome.employees_new), (0, 0));

    let after = store.get_device(company.id, device.id).await.unwrap();
    assert_eq!(after.status, DeviceStatus::Offline);
    assert_eq!(
        after.last_error.as_deref(),
        Some("The device did not answer within 10 seconds.")
    );
    assert_eq!(after.last_error_code, Some(PollFailure::Timeout));
    assert_eq!(after.last_attempt_at, Some(failed.started_at));
    assert_eq!(after.last_seen_at, None);
    assert!(!after.history_pulled);
    assert_eq!(after.next_poll_at, failed.next_poll_at.unwrap());

    // Punches without any known serial are refused, and nothing is kept.
    let no_serial = PollRecord {
        info: None,
        ..record("x", vec![], vec![punch("1", 0)])
    };
    assert!(matches!(
        store.record_poll(company.id, device.id, &no_serial).await,
        Err(StoreError::Invalid(Invalid::PunchesWithoutSerial))
    ));
    assert_eq!(
        store
            .list_device_logs(company.id, device.id, 10)
            .await
            .unwrap()
            .len(),
        1
    );

    // A later success clears the error; a test connection keeps the schedule.
    let test = PollRecord {
        kind: LogKind::Test,
        next_poll_at: None,
        sync: Default::default(),
        history_pulled: false,
        ..record("SN-9", vec![], vec![])
    };
    store
        .record_poll(company.id, device.id, &test)
        .await
        .unwrap();
    let after = store.get_device(company.id, device.id).await.unwrap();
    assert_eq!(after.status, DeviceStatus::Online);
    assert_eq!(after.last_error, None);
    assert_eq!(after.last_error_code, None);
    assert_eq!(after.info.serial_number.as_deref(), Some("SN-9"));
    assert_eq!(after.next_poll_at, failed.next_poll_at.unwrap());
    assert!(!after.history_pulled);
    let logs = store
        .list_device_logs(company.id, device.id, 10)
        .await
        .unwrap();
    assert_eq!(
        logs.iter().map(|l| l.kind).collect::<Vec<_>>(),
        [LogKind::Test, LogKind::Sync]
    );
}

async fn readded_device_does_not_duplicate_punches(db: TestDb) {
    let store = &db.store;
    let (company, device) = company_with_device(store, "Acme").await;
    let punches: Vec<NewPunch> = (0..20)
        .map(|i| punch(&(i % 4).to_string(), i * 60))
        .collect();
    let first = store
        .record_poll(
            company.id,
            device.id,
            &record("SN-SAME", vec![user("0", "Zero")], punches.clone()),
        )
        .await
        .unwrap();
    assert_eq!(first.punches_new, 20);

    store.delete_device(company.id, device.id).await.unwrap();
    let kept = all_punches(store, company.id).await;
    assert_eq!(kept.len(), 20, "deleting a device keeps its punches");
    assert!(kept.iter().all(|p| p.punch.device_id.is_none()));
    assert!(kept.iter().all(|p| p.device_name.is_none()));
    assert!(kept.iter().all(|p| p.punch.device_log_id.is_none()));
    assert!(kept.iter().all(|p| p.punch.device_serial == "SN-SAME"));
    assert_eq!(
        store
            .count_employees(company.id, EmployeeFilter::All)
            .await
            .unwrap(),
        4
    );

    let readded = store
        .create_device(company.id, &new_device("Front door", "172.16.0.7"))
        .await
        .unwrap();
    let mut again = punches.clone();
    again.push(punch("0", 99_999));
    let rec = PollRecord {
        host: "172.16.0.7".into(),
        address: Some("172.16.0.7:4370".into()),
        ..record("SN-SAME", vec![user("0", "Zero")], again)
    };
    let second = store
        .record_poll(company.id, readded.id, &rec)
        .await
        .unwrap();
    assert_eq!(second.punches_new, 1, "only the genuinely new punch");
    assert_eq!(second.employees_new, 0);
    assert_eq!(all_punches(store, company.id).await.len(), 21);

    // Another clock (another serial) with the same records is distinct.
    let other = store
        .create_device(company.id, &new_device("Back door", "172.16.0.8"))
        .await
        .unwrap();
    let third = store
        .record_poll(company.id, other.id, &record("SN-OTHER", vec![], punches))
        .await
        .unwrap();
    assert_eq!(third.punches_new, 20);
}

async fn crash_mid_sync_rolls_back_everything(db: TestDb) {
    let store = &db.store;
    let (company, device) = company_with_device(store, "Acme").await;
    store
        .record_poll(
            company.id,
            device.id,
            &record("SN-1", vec![user("1", "Ann")], vec![punch("1", 0)]),
        )
        .await
        .unwrap();
    let device_before = store.get_device(company.id, device.id).await.unwrap();

    // Fail the insert of one punch in the third batch of 500, after the log
    // row, the device update, the employees and two punch batches are done.
    if db.is_postgres() {
        db.raw(
            "CREATE FUNCTION crash() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN IF NEW.enroll_id = 'crash' THEN RAISE EXCEPTION 'simulated crash'; END IF; \
             RETURN NEW; END $$; \
             CREATE TRIGGER crash BEFORE INSERT ON punches FOR EACH ROW EXECUTE FUNCTION crash();",
        )
        .await;
    } else {
        db.raw(
            "CREATE TRIGGER crash BEFORE INSERT ON punches WHEN NEW.enroll_id = 'crash' \
             BEGIN SELECT RAISE(ABORT, 'simulated crash'); END;",
        )
        .await;
    }
    let mut punches: Vec<NewPunch> = (1..1_200)
        .map(|i| punch(&format!("{}", 100 + i % 50), i * 60))
        .collect();
    punches.insert(1_100, punch("crash", 5));
    let users = (100..150).map(|i| user(&i.to_string(), "New")).collect();
    let rec = PollRecord {
        started_at: at(T0 + 99 * 86_400),
        ..record("SN-1", users, punches)
    };
    let err = store
        .record_poll(company.id, device.id, &rec)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Database(_)),
        "expected a database error, got {err:?}"
    );

    assert_eq!(all_punches(store, company.id).await.len(), 1);
    assert_eq!(
        store
            .count_employees(company.id, EmployeeFilter::All)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .list_device_logs(company.id, device.id, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store.get_device(company.id, device.id).await.unwrap(),
        device_before
    );

    // Once the fault is gone the same record goes through completely.
    if db.is_postgres() {
        db.raw("DROP TRIGGER crash ON punches; DROP FUNCTION crash();")
            .await;
    } else {
        db.raw("DROP TRIGGER crash;").await;
    }
    let outcome = store
        .record_poll(company.id, device.id, &rec)
        .await
        .unwrap();
    assert_eq!(outcome.punches_new, 1_200);
    assert_eq!(outcome.employees_new, 51);
}

async fn no_name_rule(db: TestDb) {
    let store = &db.store;
    let (company, device) = company_with_device(store, "Acme").await;
    store
        .record_poll(
            company.id,
            device.id,
            &record(
                "SN-1",
                vec![user("1", ""), user("2", "JOHN DOE")],
                vec![punch("1", 0), punch("2", 1), punch("3", 2)],
            ),
        )
        .await
        .unwrap();
    let names: Vec<(String, String)> = all_punches(store, company.id)
        .await
        .into_iter()
        .map(|p| (p.punch.enroll_id, p.employee_name))
        .collect();
    assert_eq!(
        names,
        [
            ("1".to_string(), NO_NAME.to_string()),
            ("2".to_string(), "JOHN DOE".to_string()),
            ("3".to_string(), NO_NAME.to_string()),
        ]
    );
    let three = store
        .employee_by_enroll_id(company.id, "3")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(three.name_from_device, None);
    assert_eq!(three.display_name(), "NO NAME");
    assert!(three.active);

    store
        .update_employee(
            company.id,
            three.id,
            &EmployeeUpdate {
                first_name: Some("Tres".into()),
                last_name: None,
                designation: None,
                email: None,
                active: true,
                daily_report: true,
                shift_id: None,
            },
        )
        .await
        .unwrap();
    let names: Vec<String> = all_punches(store, company.id)
        .await
        .into_iter()
        .map(|p| p.employee_name)
        .collect();
    assert_eq!(names, ["NO NAME", "JOHN DOE", "Tres"]);
}

async fn claim_due_devices_never_double_leases(db: TestDb) {
    let store = &db.store;
    let company = store.create_company(&new_company("Acme")).await.unwrap();
    let mut keys = std::collections::HashMap::new();
    for i in 0..40 {
        let device = store
            .create_device(
                company.id,
                &NewDevice {
                    comm_key: Some(i),
                    ..new_device(&format!("d{i}"), &format!("10.0.0.{i}"))
                },
            )
            .await
            .unwrap();
        keys.insert(device.id, Some(i));
    }
    let eligible: HashSet<DeviceId> = keys.keys().copied().collect();
    let disabled = store
        .create_device(
            company.id,
            &NewDevice {
                enabled: false,
                ..new_device("off", "10.0.1.1")
            },
        )
        .await
        .unwrap();
    let later = store
        .create_device(company.id, &new_device("later", "10.0.1.2"))
        .await
        .unwrap();
    let now = plus(now_s(), 5);
    store
        .schedule_device_poll(company.id, later.id, plus(now, 600))
        .await
        .unwrap();

    let lease = Duration::from_secs(120);
    let mut claimers = Vec::new();
    for instance in 0..6 {
        let store = store.clone();
        claimers.push(tokio::spawn(async move {
            let instance_id = format!("instance-{instance}");
            let mut got = Vec::new();
            loop {
                let batch = store
                    .claim_due_devices(&instance_id, now, lease, 3)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    break;
                }
                got.extend(batch.into_iter().map(|t| (instance_id.clone(), t)));
                tokio::task::yield_now().await;
            }
            got
        }));
    }
    let mut claimed = Vec::new();
    for claimer in claimers {
        claimed.extend(claimer.await.unwrap());
    }
    let ids: Vec<DeviceId> = claimed.iter().map(|(_, t)| t.device_id).collect();
    let unique: HashSet<DeviceId> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "a device was leased twice");
    assert_eq!(unique, eligible);
    assert!(!unique.contains(&disabled.id) && !unique.contains(&later.id));
    for (instance, target) in &claimed {
        assert_eq!(target.comm_key, keys[&target.device_id]);
        let device = store
            .get_device(company.id, target.device_id)
            .await
            .unwrap();
        assert_eq!(device.lease_owner.as_deref(), Some(instance.as_str()));
        assert_eq!(device.lease_until, Some(plus(now, 120)));
        assert_eq!(target.timezone, Ok(zone("Europe/Madrid")));
        assert_eq!(target.poll_interval_minutes, 30);
    }

    // Everything is leased: nothing more to claim until the leases expire.
    assert!(store
        .claim_due_devices("late", now, lease, 100)
        .await
        .unwrap()
        .is_empty());

    // Release: only by the owner.
    let (owner, first) = &claimed[0];
    let next = plus(now, 1_800);
    assert!(!store
        .release_device(first.device_id, "someone-else", next)
        .await
        .unwrap());
    assert!(store
        .release_device(first.device_id, owner, next)
        .await
        .unwrap());
    let released = store.get_device(company.id, first.device_id).await.unwrap();
    assert_eq!(released.lease_owner, None);
    assert_eq!(released.next_poll_at, next);

    // Expired leases are claimable again; the released device is not yet due.
    let expired = store
        .claim_due_devices("rescuer", plus(now, 121), lease, 100)
        .await
        .unwrap();
    assert_eq!(expired.len(), 39);
    assert!(expired.iter().all(|t| t.device_id != first.device_id));
}

/// A poll by hand leases the device too: refused while any lease on it is
/// live, taken over once it lapsed, and given back only by its owner.
async fn lease_by_hand_respects_live_leases(db: TestDb) {
    let store = &db.store;
    let now = now_s();
    let lease = Duration::from_secs(300);
    let (company, device) = company_with_device(store, "Acme").await;
    let (other, _) = company_with_device(store, "Other").await;
    let target = store
        .lease_device(company.id, device.id, "a", now, lease)
        .await
        .unwrap()
        .expect("free: leased");
    assert_eq!(target.device_id, device.id);
    assert!(
        store
            .lease_device(company.id, device.id, "b", now, lease)
            .await
            .unwrap()
            .is_none(),
        "live lease"
    );
    assert_not_found(
        store
            .lease_device(other.id, device.id, "b", now, lease)
            .await,
        "another company's device",
    );
    assert!(
        store
            .claim_due_devices("c", plus(now, 1), lease, 10)
            .await
            .unwrap()
            .iter()
            .all(|t| t.device_id != device.id),
        "the scheduler skips it too"
    );
    assert!(
        !store.release_lease(device.id, "b").await.unwrap(),
        "not b's"
    );
    // Lapsed: another instance may take it over.
    assert!(store
        .lease_device(company.id, device.id, "b", plus(now, 301), lease)
        .await
        .unwrap()
        .is_some());
    assert!(
        !store.release_lease(device.id, "a").await.unwrap(),
        "a lost it"
    );
    // An instance restarting under the same name gives back what it held.
    assert_eq!(store.release_leases_of("b").await.unwrap(), 1);
    let after = store.get_device(company.id, device.id).await.unwrap();
    assert_eq!((after.lease_owner, after.lease_until), (None, None));
}

/// Billing never stops polling: a blocked or expired company's punches
/// are still collected.
async fn claim_includes_companies_out_of_service(db: TestDb) {
    let store = &db.store;
    let now = plus(now_s(), 5);
    let (_, active_device) = company_with_device(store, "Active").await;
    let (blocked, blocked_device) = company_with_device(store, "Blocked").await;
    let blocked = store
        .set_company_blocked(blocked.id, true, None, Some("unpaid"))
        .await
        .unwrap();
    assert!(blocked.blocked);
    let expired = store
        .create_company(&NewCompany {
            trial_ends_at: Some(plus(now, -60)),
            ..new_company("Expired")
        })
        .await
        .unwrap();
    assert!(expired.trial_ends_at.is_some_and(|end| end <= now));
    let expired_device = store
        .create_device(expired.id, &new_device("x", "10.9.9.9"))
        .await
        .unwrap();

    let claimed: HashSet<(CompanyId, DeviceId)> = store
        .claim_due_devices("i", now, Duration::from_secs(60), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.company_id, t.device_id))
        .collect();
    let expected: HashSet<(CompanyId, DeviceId)> = [active_device, blocked_device, expired_device]
        .into_iter()
        .map(|d| (d.company_id, d.id))
        .collect();
    assert_eq!(claimed, expected);
}

/// A company with many overdue devices cannot keep another company's new
/// device waiting: the claim takes each company's most overdue first.
async fn claim_takes_companies_in_turns(db: TestDb) {
    let store = &db.store;
    let now = plus(now_s(), 5);
    let big = store.create_company(&new_company("Big")).await.unwrap();
    for n in 0..6 {
        let d = store
            .create_device(big.id, &new_device(&format!("d{n}"), "10.0.0.5"))
            .await
            .unwrap();
        // Long overdue: under "most overdue first" all six come first.
        store
            .schedule_device_poll(big.id, d.id, plus(now, -1_000 + n))
            .await
            .unwrap();
    }
    let (small, fresh) = company_with_device(store, "Small").await;

    let first = store
        .claim_due_devices("i", now, Duration::from_secs(60), 2)
        .await
        .unwrap();
    let companies: HashSet<CompanyId> = first.iter().map(|t| t.company_id).collect();
    assert_eq!(first.len(), 2);
    assert_eq!(companies, HashSet::from([big.id, small.id]));
    assert!(first.iter().any(|t| t.device_id == fresh.id));
    // Within a company, the most overdue goes first.
    let big_first = first.iter().find(|t| t.company_id == big.id).unwrap();
    let rest = store
        .claim_due_devices("j", now, Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert_eq!(rest.len(), 5);
    assert!(rest
        .iter()
        .all(|t| t.company_id == big.id && t.device_id != big_first.device_id));
    assert!(rest.iter().all(|t| t.device_id.0 > big_first.device_id.0));
}

/// Issue 11 item 5: a company cannot add devices past its plan's cap, not
/// even with adds racing each other (each one counts and inserts with the
/// company locked); the cap counts the devices there now, and one
/// company's devices never count against another's cap.
async fn device_cap_holds_under_racing_adds(db: TestDb) {
    let store = &db.store;
    let capped = store
        .create_company(&new_company("Capped"))
        .await
        .unwrap()
        .id;
    let other = store
        .create_company(&new_company("Other"))
        .await
        .unwrap()
        .id;
    let mut adds = Vec::new();
    for i in 0..12 {
        let store = store.clone();
        adds.push(tokio::spawn(async move {
            let device = new_device(&format!("Clock {i}"), "203.0.113.7");
            store.create_device_within(capped, &device, 5).await
        }));
    }
    let (mut added, mut refused) = (0, 0);
    for add in adds {
        match add.await.unwrap() {
            Ok(_) => added += 1,
            Err(StoreError::Conflict(Rule::DeviceCap { cap: 5 })) => refused += 1,
            Err(e) => panic!("an add failed otherwise: {e:?}"),
        }
    }
    assert_eq!((added, refused), (5, 7));
    let devices = store.list_devices(capped).await.unwrap();
    assert_eq!(devices.len(), 5);
    // Another company's cap is its own.
    store
        .create_device_within(other, &new_device("Theirs", "203.0.113.8"), 1)
        .await
        .unwrap();
    assert!(matches!(
        store
            .create_device_within(other, &new_device("Second", "203.0.113.8"), 1)
            .await,
        Err(StoreError::Conflict(Rule::DeviceCap { cap: 1 }))
    ));
    // A deleted device frees its place; without a cap, no limit applies.
    store.delete_device(capped, devices[0].id).await.unwrap();
    let again = new_device("Again", "203.0.113.7");
    store.create_device_within(capped, &again, 5).await.unwrap();
    assert!(store.create_device_within(capped, &again, 5).await.is_err());
    store.create_device(capped, &again).await.unwrap();
    assert_eq!(store.list_devices(capped).await.unwrap().len(), 6);
}

/// The device list's counts: one grouped query, each device its own.
async fn punch_counts_by_device_in_one_query(db: TestDb) {
    let store = &db.store;
    let (company, door) = company_with_device(store, "Counts").await;
    let gate = store
        .create_device(company.id, &new_device("Gate", "10.0.0.6"))
        .await
        .unwrap();
    let idle = store
        .create_device(company.id, &new_device("Idle", "10.0.0.7"))
        .await
        .unwrap();
    let (other, other_door) = company_with_device(store, "Other").await;
    for (c, d, serial, n) in [
        (company.id, door.id, "DOOR", 3),
        (company.id, gate.id, "GATE", 2),
        (other.id, other_door.id, "OTHER", 4),
    ] {
        let punches: Vec<NewPunch> = (0..n).map(|i| punch("1", i * 60)).collect();
        let rec = record(serial, vec![user("1", "Ana")], punches);
        store.record_poll(c, d, &rec).await.unwrap();
    }
    let counts = store.punch_counts_by_device(company.id).await.unwrap();
    assert_eq!(counts.get(&door.id), Some(&3));
    assert_eq!(counts.get(&gate.id), Some(&2));
    assert_eq!(counts.get(&idle.id), None);
    assert_eq!(counts.len(), 2, "another company's devices are not counted");
}

async fn sessions_create_lookup_expire(db: TestDb) {
    let store = &db.store;
    let (company, account) = store
        .create_company_with_owner(&new_company("Acme"), "owner@example.com", "$argon2id$x")
        .await
        .unwrap();
    let ttl = Duration::from_secs(3_600);
    let (token, session) = store
        .create_session(account.id, company.id, SessionKind::Web, ttl)
        .await
        .unwrap();
    assert_eq!(token.len(), 64);
    assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(session.csrf_token.len(), 64);
    assert_ne!(session.csrf_token, token);
    assert_eq!(session.account_id, account.id);
    assert_eq!(session.company_id, company.id);
    assert_eq!(session.kind, SessionKind::Web);
    assert_eq!(
        session.expires_at.as_second() - session.created_at.as_second(),
        3_600
    );

    // Only the hash is stored.
    let stored = db.raw_strings("SELECT token_hash FROM sessions").await;
    assert_eq!(stored, [hex::encode(Sha256::digest(token.as_bytes()))]);

    let now = Timestamp::now();
    assert_eq!(
        store.session_by_token(&token, now).await.unwrap(),
        Some(session.clone())
    );
    assert_eq!(
        store
            .session_by_token(&token, session.expires_at)
            .await
            .unwrap(),
        None,
        "expired at expires_at"
    );
    assert_eq!(
        store.session_by_token(&"0".repeat(64), now).await.unwrap(),
        None
    );

    let (api_token, api) = store
        .create_session(
            account.id,
            company.id,
            SessionKind::Api,
            Duration::from_secs(1),
        )
        .await
        .unwrap();
    assert_ne!(api_token, token);
    assert_eq!(api.kind, SessionKind::Api);
    assert_eq!(
        store.delete_expired_sessions(plus(now, 10)).await.unwrap(),
        1
    );
    assert_eq!(store.session_by_token(&api_token, now).await.unwrap(), None);

    store.delete_session(&token).await.unwrap();
    assert_eq!(store.session_by_token(&token, now).await.unwrap(), None);
    store.delete_session(&token).await.unwrap();

    let (t1, _) = store
        .create_session(account.id, company.id, SessionKind::Web, ttl)
        .await
        .unwrap();
    assert_eq!(store.delete_account_sessions(account.id).await.unwrap(), 1);
    assert_eq!(store.session_by_token(&t1, now).await.unwrap(), None);
}

async fn email_is_unique_case_insensitively(db: TestDb) {
    let store = &db.store;
    let (company, account) = store
        .create_company_with_owner(&new_company("Acme"), " Boss@Example.COM ", "hash-1")
        .await
        .unwrap();
    assert_eq!(account.email, "boss@example.com");
    assert_eq!(account.role, Role::Owner);
    assert_eq!(account.company_id, company.id);

    let err = store
        .create_company_with_owner(&new_company("Copycat"), "boss@EXAMPLE.com", "hash-2")
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(Rule::EmailRegistered)),
        "{err:?}"
    );
    assert_eq!(
        store.list_companies().await.unwrap().len(),
        1,
        "failed sign-up leaves no company behind"
    );

    let other = store.create_company(&new_company("Other")).await.unwrap();
    assert!(matches!(
        store
            .create_account(other.id, "BOSS@example.com", "h", Role::Owner)
            .await,
        Err(StoreError::Conflict(Rule::EmailRegistered))
    ));
    assert!(matches!(
        store
            .create_account(other.id, "not-an-email", "h", Role::Owner)
            .await,
        Err(StoreError::Invalid(Invalid::EmailMalformed))
    ));

    let login = store
        .account_login("BOSS@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(login.account, account);
    assert_eq!(login.password_hash, "hash-1");
    assert!(!format!("{login:?}").contains("hash-1"));
    assert!(store
        .account_login("nobody@example.com")
        .await
        .unwrap()
        .is_none());

    store.set_password_hash(account.id, "hash-3").await.unwrap();
    let login = store
        .account_login("boss@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(login.password_hash, "hash-3");
    assert_eq!(store.get_account(account.id).await.unwrap(), account);
}

async fn employees_list_update_create(db: TestDb) {
    let store = &db.store;
    let company = store.create_company(&new_company("Acme")).await.unwrap();
    for enroll in ["10", "2", "1", "A7"] {
        store
            .create_employee(
                company.id,
                &NewEmployee {
                    enroll_id: enroll.into(),
                    first_name: Some(format!("E{enroll}")),
                    last_name: None,
                    designation: Some("  ".into()),
                    email: None,
                },
            )
            .await
            .unwrap();
    }
    let long_id = "123456789012345678901234";
    let long = store
        .create_employee(
            company.id,
            &NewEmployee {
                enroll_id: long_id.into(),
                first_name: None,
                last_name: None,
                designation: None,
                email: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(long.enroll_id, long_id, "never truncated");
    assert_eq!(long.display_name(), NO_NAME);

    let dup = store
        .create_employee(
            company.id,
            &NewEmployee {
                enroll_id: "2".into(),
                first_name: None,
                last_name: None,
                designation: None,
                email: None,
            },
        )
        .await;
    assert!(
        matches!(
            &dup,
            Err(StoreError::Conflict(Rule::EnrollIdTaken { enroll_id })) if enroll_id == "2"
        ),
        "{dup:?}"
    );

    let all = store
        .list_employees(company.id, EmployeeFilter::All, 100, 0)
        .await
        .unwrap();
    let order: Vec<&str> = all.iter().map(|e| e.enroll_id.as_str()).collect();
    assert_eq!(order, ["1", "2", "10", "A7", long_id]);
    assert_eq!(all[1].designation, None, "blank stored as not set");

    let two = all[1].clone();
    let updated = store
        .update_employee(
            company.id,
            two.id,
            &EmployeeUpdate {
                first_name: Some(" Bea ".into()),
                last_name: Some("Ruiz".into()),
                designation: Some("Cook".into()),
                email: Some("bea@example.com".into()),
                active: false,
                daily_report: true,
                shift_id: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.first_name.as_deref(), Some("Bea"));
    assert_eq!(updated.display_name(), "Bea Ruiz");
    assert!(!updated.active);
    assert!(updated.updated_at >= two.updated_at);

    let active: Vec<String> = store
        .list_employees(company.id, EmployeeFilter::Active, 2, 1)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.enroll_id)
        .collect();
    assert_eq!(active, ["10", "A7"]);
    let inactive = store
        .list_employees(company.id, EmployeeFilter::Inactive, 100, 0)
        .await
        .unwrap();
    assert_eq!(inactive, [updated]);
    assert_eq!(store.count_active_employees(company.id).await.unwrap(), 4);
    assert_eq!(
        store
            .count_employees(company.id, EmployeeFilter::Inactive)
            .await
            .unwrap(),
        1
    );
}

async fn employees_search_order_and_bulk_active(db: TestDb) {
    let store = &db.store;
    let (company, door) = company_with_device(store, "Acme").await;
    let (other, _) = company_with_device(store, "Other").await;
    // Ann punched last, Bob long ago, Núñez (3) and Ann_Lee (4) never.
    let users = vec![
        user("1", "Ann"),
        user("2", "Bob"),
        user("3", "Núñez"),
        user("4", "Ann_Lee"),
    ];
    let punches = vec![punch("1", 900), punch("2", 100), punch("1", 300)];
    store
        .record_poll(company.id, door.id, &record("SN-DOOR", users, punches))
        .await
        .unwrap();
    let search = |text: &str, order| EmployeeSearch {
        filter: EmployeeFilter::Active,
        text: (!text.is_empty()).then(|| text.to_owned()),
        order,
    };
    let found = |s: EmployeeSearch| async move {
        let (list, total) = store
            .search_employees(company.id, &s, 100, 0)
            .await
            .unwrap();
        assert_eq!(total, list.len() as u64, "{s:?}");
        list
    };
    let ids = |list: &[ListedEmployee]| -> Vec<String> {
        list.iter().map(|l| l.employee.enroll_id.clone()).collect()
    };

    let by_punch = found(search("", EmployeeOrder::LastPunch)).await;
    assert_eq!(ids(&by_punch), ["3", "4", "2", "1"], "never, then oldest");
    assert_eq!(by_punch[2].last_punch, Some(at(T0 + 100)));
    assert_eq!(by_punch[3].last_punch, Some(at(T0 + 900)), "the latest");
    assert_eq!(by_punch[0].last_punch, None);
    assert_eq!(
        ids(&found(search("", EmployeeOrder::EnrollId)).await),
        ["1", "2", "3", "4"]
    );
    // Any case, anywhere in the name; LIKE's wildcards are literal.
    assert_eq!(
        ids(&found(search("aNN", EmployeeOrder::EnrollId)).await),
        ["1", "4"]
    );
    assert_eq!(
        ids(&found(search("ñez", EmployeeOrder::EnrollId)).await),
        ["3"]
    );
    assert_eq!(
        ids(&found(search("n_l", EmployeeOrder::EnrollId)).await),
        ["4"]
    );
    assert!(found(search("%", EmployeeOrder::EnrollId)).await.is_empty());
    let (page, total) = store
        .search_employees(company.id, &search("", EmployeeOrder::LastPunch), 2, 1)
        .await
        .unwrap();
    assert_eq!((ids(&page), total), (vec!["4".into(), "2".into()], 4));

    // Two at once; again changes nothing; another company's ids are not touched.
    let two = [by_punch[0].employee.id, by_punch[1].employee.id];
    assert_eq!(
        store
            .set_employees_active(company.id, &two, false)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .set_employees_active(company.id, &two, false)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .set_employees_active(other.id, &two, true)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        ids(&found(search("", EmployeeOrder::LastPunch)).await),
        ["2", "1"]
    );
    assert_eq!(store.count_active_employees(company.id).await.unwrap(), 2);
}

async fn punch_list_filters_and_paging(db: TestDb) {
    let store = &db.store;
    let (company, door) = company_with_device(store, "Acme").await;
    let annex = store
        .create_device(company.id, &new_device("Annex", "10.0.0.6"))
        .await
        .unwrap();
    // Door: employee 1 at 0,100,…,900; employee 2 at 50,150,…,950.
    let door_punches = (0..10)
        .flat_map(|i| [punch("1", i * 100), punch("2", i * 100 + 50)])
        .collect();
    store
        .record_poll(
            company.id,
            door.id,
            &record(
                "SN-DOOR",
                vec![user("1", "Ann"), user("2", "Bob")],
                door_punches,
            ),
        )
        .await
        .unwrap();
    // Annex: employee 1 at 10,110,…,410.
    let annex_punches = (0..5).map(|i| punch("1", i * 100 + 10)).collect();
    store
        .record_poll(
            company.id,
            annex.id,
            &record("SN-ANNEX", vec![], annex_punches),
        )
        .await
        .unwrap();
    let ann = store
        .employee_by_enroll_id(company.id, "1")
        .await
        .unwrap()
        .unwrap();

    let everything = PunchFilter {
        limit: 1_000,
        ..PunchFilter::default()
    };
    let all = store.list_punches(company.id, &everything).await.unwrap();
    assert_eq!(all.len(), 25);
    assert_eq!(
        store.count_punches(company.id, &everything).await.unwrap(),
        25
    );
    // Newest first by default.
    assert!(all
        .windows(2)
        .all(|w| w[0].punch.punched_at >= w[1].punch.punched_at));
    assert_eq!(all[0].punch.punched_at, at(T0 + 950));

    let by_employee = PunchFilter {
        employee_id: Some(ann.id),
        ..everything.clone()
    };
    let anns = store.list_punches(company.id, &by_employee).await.unwrap();
    assert_eq!(anns.len(), 15);
    assert!(anns
        .iter()
        .all(|p| p.punch.employee_id == ann.id && p.employee_name == "Ann"));
    assert_eq!(
        store.count_punches(company.id, &by_employee).await.unwrap(),
        15
    );

    // An employee search's matches: any of them.
    let bob = store
        .employee_by_enroll_id(company.id, "2")
        .await
        .unwrap()
        .unwrap();
    let of_both = PunchFilter {
        employee_ids: vec![ann.id, bob.id],
        ..everything.clone()
    };
    assert_eq!(store.count_punches(company.id, &of_both).await.unwrap(), 25);
    let only_ann = PunchFilter {
        employee_ids: vec![ann.id],
        device_id: Some(door.id),
        ..everything.clone()
    };
    let rows = store.list_punches(company.id, &only_ann).await.unwrap();
    assert_eq!(rows.len(), 10);
    assert!(rows.iter().all(|p| p.punch.employee_id == ann.id));

    let by_device = PunchFilter {
        device_id: Some(annex.id),
        ..everything.clone()
    };
    let annex_rows = store.list_punches(company.id, &by_device).await.unwrap();
    assert_eq!(annex_rows.len(), 5);
    assert!(annex_rows.iter().all(|p| {
        p.device_name.as_deref() == Some("Annex")
            && p.punch.device_serial == "SN-ANNEX"
            && p.punch.device_id == Some(annex.id)
    }));

    // [T0+100, T0+300): door 100,150,200,250 and annex 110,210.
    let window = PunchFilter {
        from: Some(at(T0 + 100)),
        to: Some(at(T0 + 300)),
        oldest_first: true,
        ..everything.clone()
    };
    let rows = store.list_punches(company.id, &window).await.unwrap();
    let offsets: Vec<i64> = rows
        .iter()
        .map(|p| p.punch.punched_at.as_second() - T0)
        .collect();
    assert_eq!(offsets, [100, 110, 150, 200, 210, 250]);
    assert_eq!(store.count_punches(company.id, &window).await.unwrap(), 6);

    let combined = PunchFilter {
        employee_id: Some(ann.id),
        device_id: Some(door.id),
        from: Some(at(T0 + 100)),
        to: Some(at(T0 + 300)),
        ..everything.clone()
    };
    assert_eq!(store.count_punches(company.id, &combined).await.unwrap(), 2);

    // Paging walks the same order without gaps or repeats.
    let mut paged = Vec::new();
    for page in 0..4 {
        let rows = store
            .list_punches(
                company.id,
                &PunchFilter {
                    limit: 7,
                    offset: page * 7,
                    ..everything.clone()
                },
            )
            .await
            .unwrap();
        assert_eq!(rows.len(), if page < 3 { 7 } else { 4 });
        paged.extend(rows.into_iter().map(|p| p.punch.id));
    }
    assert_eq!(paged, all.iter().map(|p| p.punch.id).collect::<Vec<_>>());

    let first = &all[24];
    assert_eq!(
        first.punch.device_time,
        civil::date(2023, 11, 14).at(22, 13, 20, 0)
    );
    assert_eq!(first.punch.status, 1);
    assert_eq!(first.punch.uid, 1);
    assert!(first.punch.device_log_id.is_some());
}

async fn plan_changes_are_audited(db: TestDb) {
    let store = &db.store;
    let (company, account) = store
        .create_company_with_owner(&new_company("Acme"), "o@example.com", "h")
        .await
        .unwrap();
    let now = Timestamp::now();
    assert!(company.trial_ends_at.is_some_and(|end| end > now));
    assert_eq!(company.plan, "trial");

    let paid = store
        .set_company_plan(
            company.id,
            &PlanChange {
                plan: "team10".into(),
                seats: 10,
                trial_ends_at: None,
            },
            Some(account.id),
            Some("upgrade"),
        )
        .await
        .unwrap();
    assert_eq!(paid.plan, "team10");
    assert_eq!(paid.seats, 10);
    assert!(paid.trial_ends_at.is_none() && !paid.blocked);

    let blocked = store
        .set_company_blocked(company.id, true, None, Some("payment failed"))
        .await
        .unwrap();
    assert!(blocked.blocked);
    // Blocking again changes nothing and is not audited twice.
    store
        .set_company_blocked(company.id, true, None, None)
        .await
        .unwrap();
    store
        .insert_audit_event(
            company.id,
            &NewAuditEvent {
                account_id: None,
                kind: AuditKind::Expired,
                from_value: Some("trial".into()),
                to_value: None,
                detail: None,
            },
        )
        .await
        .unwrap();

    let events = store.list_audit_events(company.id, 10).await.unwrap();
    let summary: Vec<(AuditKind, Option<&str>, Option<&str>)> = events
        .iter()
        .map(|e| (e.kind, e.from_value.as_deref(), e.to_value.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            (AuditKind::Expired, Some("trial"), None),
            (AuditKind::Blocked, Some("false"), Some("true")),
            (AuditKind::PlanChanged, Some("trial"), Some("team10")),
        ]
    );
    assert_eq!(events[2].account_id, Some(account.id));
    assert_eq!(events[2].detail.as_deref(), Some("upgrade"));
    assert_eq!(events[1].account_id, None);

    let other = store.create_company(&new_company("Other")).await.unwrap();
    assert!(store
        .list_audit_events(other.id, 10)
        .await
        .unwrap()
        .is_empty());

    let settings = store
        .update_company_settings(
            company.id,
            &CompanySettings {
                name: "Acme Ltd".into(),
                timezone: zone("Asia/Tokyo"),
                poll_interval_minutes: 15,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (
            settings.name.as_str(),
            settings.timezone.name(),
            settings.poll_interval_minutes
        ),
        ("Acme Ltd", "Asia/Tokyo", 15)
    );
    assert_not_found(
        store
            .update_company_settings(
                CompanyId(-1),
                &CompanySettings {
                    name: "x".into(),
                    timezone: zone("UTC"),
                    poll_interval_minutes: 1,
                },
            )
            .await,
        "settings of missing company",
    );
}

async fn sync_100k_punches(db: TestDb) {
    let store = &db.store;
    let (company, device) = company_with_device(store, "Big").await;
    let users: Vec<DeviceUser> = (1..=500)
        .map(|i| user(&i.to_string(), &format!("USER {i}")))
        .collect();
    let punches: Vec<NewPunch> = (0..100_000)
        .map(|i| punch(&(1 + i % 500).to_string(), i * 30))
        .collect();
    let rec = record("SN-BIG", users, punches);
    let backend = if db.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    };

    let start = Instant::now();
    let first = store
        .record_poll(company.id, device.id, &rec)
        .await
        .unwrap();
    let first_time = start.elapsed();
    assert_eq!(first.punches_new, 100_000);
    assert_eq!(first.employees_new, 500);

    let start = Instant::now();
    let again = store
        .record_poll(company.id, device.id, &rec)
        .await
        .unwrap();
    let again_time = start.elapsed();
    assert_eq!(again.punches_new, 0);
    assert_eq!(again.employees_new, 0);
    assert_eq!(
        store
            .count_punches(company.id, &PunchFilter::default())
            .await
            .unwrap(),
        100_000
    );
    eprintln!(
        "[{backend}] record_poll 100,000 punches / 500 users: first {first_time:.2?}, replay {again_time:.2?}"
    );
    assert!(
        first_time < Duration::from_secs(120),
        "100k-punch sync took {first_time:?}"
    );
}

async fn unknown_zones_in_old_data_are_reported(db: TestDb) {
    let store = &db.store;
    let (company, device) = company_with_device(store, "Old").await;
    // Rows written before zones were validated may hold any text.
    db.raw(&format!(
        "UPDATE devices SET timezone = 'Mars/Olympus' WHERE id = {}",
        device.id
    ))
    .await;
    let target = store
        .device_poll_target(company.id, device.id)
        .await
        .unwrap();
    assert_eq!(
        target.timezone,
        Err(UnknownZone {
            name: "Mars/Olympus".into()
        }),
        "the poller gets the bad name to report, never UTC"
    );
    match store.get_device(company.id, device.id).await {
        Err(StoreError::Corrupt(c)) => {
            assert_eq!((c.field, c.row), ("devices.timezone", Some(device.id.0)));
            assert!(c.detail.contains("Mars/Olympus"), "{c}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }

    db.raw(&format!(
        "UPDATE companies SET timezone = 'Atlantis/Central' WHERE id = {}",
        company.id
    ))
    .await;
    match store.get_company(company.id).await {
        Err(StoreError::Corrupt(c)) => {
            assert_eq!((c.field, c.row), ("companies.timezone", Some(company.id.0)));
            assert!(c.to_string().contains("Atlantis/Central"), "{c}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

/// SQLite under the load that used to break it: sixteen devices recorded
/// at once while pages read. With one writer connection and a read pool no
/// write fails with "database is locked", and the checkpoint task keeps the
/// WAL bounded (64 MB at most; here far less).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_concurrent_polls_never_lock_and_keep_the_wal_small() {
    run_sqlite(concurrent_polls).await;
}

async fn concurrent_polls(db: TestDb) {
    let store = db.store;
    let company = store.create_company(&new_company("Load")).await.unwrap();
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let (store, peak, done) = (store.clone(), peak.clone(), done.clone());
        tokio::spawn(async move {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let wal = store.wal_status().wal_bytes;
                peak.fetch_max(wal, std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let reader = {
        let (store, done) = (store.clone(), done.clone());
        tokio::spawn(async move {
            let mut reads = 0u64;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                store.list_devices(company.id).await.expect("a page read");
                store
                    .count_punches(company.id, &PunchFilter::default())
                    .await
                    .expect("a page read");
                reads += 1;
            }
            reads
        })
    };
    let mut polls = Vec::new();
    for d in 0..16 {
        let device = store
            .create_device(company.id, &new_device(&format!("D{d}"), "10.0.0.5"))
            .await
            .unwrap();
        let store = store.clone();
        polls.push(tokio::spawn(async move {
            for round in 0..3 {
                let punches = (0..2_000)
                    .map(|i| punch(&(1 + i % 50).to_string(), (round * 2_000 + i) * 60))
                    .collect();
                let rec = record(&format!("SN-{d}"), vec![], punches);
                let outcome = store.record_poll(company.id, device.id, &rec).await;
                assert_eq!(outcome.expect("recorded").punches_new, 2_000);
            }
        }));
    }
    for p in polls {
        p.await.unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    watcher.await.unwrap();
    let reads = reader.await.unwrap();
    let total = store
        .count_punches(company.id, &PunchFilter::default())
        .await
        .unwrap();
    assert_eq!(total, 16 * 3 * 2_000);
    let peak = peak.load(std::sync::atomic::Ordering::Relaxed);
    let status = store.wal_status();
    eprintln!("WAL peak {peak} bytes, now {status:?}, {reads} page reads during the load");
    assert!(reads > 0);
    assert!(peak <= 64 * 1024 * 1024, "WAL peaked at {peak} bytes");
}

/// A reader holding a snapshot (a slow page, an export, another process)
/// keeps SQLite from restarting the WAL, so under constant writes it used
/// to grow without bound (1.5 GB in the 10,000-device run). While such a
/// reader stays, the writer's checkpoints slow the writes down instead:
/// the WAL never passes its bound (64 MB, or twice the database when that
/// is smaller); once the reader ends, the next checkpoint truncates it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_wal_stays_bounded_while_a_reader_holds_a_snapshot() {
    run_sqlite(wal_under_a_snapshot).await;
}

async fn wal_under_a_snapshot(db: TestDb) {
    use sqlx::{ConnectOptions, Connection};
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
    use std::sync::Arc;
    let (store, path) = (db.store.clone(), db.sqlite_file());
    let company = store.create_company(&new_company("Wal")).await.unwrap();
    let mut devices = Vec::new();
    for d in 0..4 {
        let new = new_device(&format!("D{d}"), "10.0.0.5");
        devices.push(store.create_device(company.id, &new).await.unwrap().id);
    }
    let rounds = Arc::new(AtomicU64::new(0));
    let write = {
        let store = store.clone();
        move |d: usize, round: u64| {
            let (store, device) = (store.clone(), devices[d]);
            async move {
                let punches = (0..500)
                    .map(|i| punch(&(1 + i % 50).to_string(), (round as i64 * 500 + i) * 60))
                    .collect();
                let rec = record(&format!("SN-{d}"), vec![], punches);
                let outcome = store.record_poll(company.id, device, &rec).await;
                assert_eq!(outcome.expect("recorded").punches_new, 500);
            }
        }
    };
    // A database of a few MB first, so its bound is not the WAL of one write.
    for round in 0..24 {
        write(round as usize % 4, round / 4).await;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|d| {
            let (stop, rounds, write) = (stop.clone(), rounds.clone(), write.clone());
            tokio::spawn(async move {
                let mut round = 6;
                while !stop.load(Relaxed) {
                    write(d, round).await;
                    round += 1;
                    rounds.fetch_add(1, Relaxed);
                }
            })
        })
        .collect();
    let over = Arc::new(AtomicU64::new(0));
    let peak = Arc::new(AtomicU64::new(0));
    let watcher = {
        let (store, stop, over, peak) = (store.clone(), stop.clone(), over.clone(), peak.clone());
        tokio::spawn(async move {
            while !stop.load(Relaxed) {
                let s = store.wal_status();
                peak.fetch_max(s.wal_bytes, Relaxed);
                if s.wal_bytes > (64 << 20).min(2 * s.database_bytes) {
                    eprintln!("over the bound: {s:?}");
                    over.fetch_add(1, Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let mut reader = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let mut snapshot = reader.begin().await.unwrap();
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM punches")
        .fetch_one(&mut *snapshot)
        .await
        .unwrap();
    assert_eq!(seen, 24 * 500);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let during = rounds.load(Relaxed);
    let pinned = store.wal_status();
    snapshot.commit().await.unwrap();
    // Writes go on; the next checkpoint finds no reader in the way.
    let end = Instant::now() + Duration::from_secs(10);
    let truncated = loop {
        let s = store.wal_status();
        if s.wal_bytes < 1 << 20 || Instant::now() > end {
            break s;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    stop.store(true, Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    watcher.await.unwrap();
    let peak = peak.load(Relaxed);
    eprintln!(
        "{during} writes while the snapshot was held, WAL then {pinned:?}; \
         peak {peak} bytes; after it ended {truncated:?}"
    );
    assert!(during > 0, "writes went on while the reader stayed");
    assert_eq!(
        over.load(Relaxed),
        0,
        "the WAL passed its bound (peak {peak})"
    );
    assert!(
        truncated.wal_bytes < 1 << 20,
        "not truncated: {truncated:?}"
    );
}

/// A device user whose name the device stored as `bytes` and we read as `name`.
fn raw_user(enroll_id: &str, name: &str, bytes: &[u8]) -> DeviceUser {
    DeviceUser {
        name_bytes: bytes.to_vec(),
        ..user(enroll_id, name)
    }
}

async fn device_name(store: &Store, company: CompanyId, enroll_id: &str) -> Employee {
    store
        .employee_by_enroll_id(company, enroll_id)
        .await
        .unwrap()
        .unwrap()
}

async fn device_names_are_decoded_again_when_the_setting_changes(db: TestDb) {
    let store = &db.store;
    let (company, device) = company_with_device(store, "Acme").await;
    let (_, other) = company_with_device(store, "Other").await;
    assert_eq!(device.name_encoding, NameSetting::Auto);
    // GB2312 bytes of 王小明, read by the CP1252 fallback; a UTF-8 name.
    let gbk = [0xcd, 0xf5, 0xd0, 0xa1, 0xc3, 0xf7];
    let users = vec![
        raw_user("1", "ÍõÐ¡Ã÷", &gbk),
        raw_user("2", "José", "José".as_bytes()),
        raw_user("3", "ÀîÄÈ", &[0xc0, 0xee, 0xc4, 0xc8]),
    ];
    store
        .record_poll(company.id, device.id, &record("SN-1", users, vec![]))
        .await
        .unwrap();
    let typed = device_name(store, company.id, "3").await;
    store
        .update_employee(
            company.id,
            typed.id,
            &EmployeeUpdate {
                first_name: Some("Na".into()),
                last_name: Some("Li".into()),
                designation: None,
                email: None,
                active: true,
                daily_report: true,
                shift_id: None,
            },
        )
        .await
        .unwrap();

    // Another company cannot change this device.
    let err = store
        .set_device_name_encoding(other.company_id, device.id, NameSetting::Gb2312)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert_eq!(
        device_name(store, company.id, "1")
            .await
            .name_from_device
            .as_deref(),
        Some("ÍõÐ¡Ã÷")
    );

    let changed = store
        .set_device_name_encoding(company.id, device.id, NameSetting::Gb2312)
        .await
        .unwrap();
    assert_eq!(
        changed, 2,
        "the two GB2312 names; valid UTF-8 stays as it is"
    );
    let d = store.get_device(company.id, device.id).await.unwrap();
    assert_eq!(d.name_encoding, NameSetting::Gb2312);
    assert_eq!(
        device_name(store, company.id, "1")
            .await
            .name_from_device
            .as_deref(),
        Some("王小明")
    );
    assert_eq!(
        device_name(store, company.id, "2")
            .await
            .name_from_device
            .as_deref(),
        Some("José")
    );
    let li = device_name(store, company.id, "3").await;
    assert_eq!(li.name_from_device.as_deref(), Some("李娜"));
    assert_eq!(
        (li.first_name.as_deref(), li.last_name.as_deref()),
        (Some("Na"), Some("Li")),
        "typed names stay"
    );

    // The same bytes again in a later poll keep the name; back to auto
    // reads them as CP1252 again.
    store
        .record_poll(
            company.id,
            device.id,
            &record("SN-1", vec![raw_user("1", "王小明", &gbk)], vec![]),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .set_device_name_encoding(company.id, device.id, NameSetting::Auto)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        device_name(store, company.id, "1")
            .await
            .name_from_device
            .as_deref(),
        Some("ÍõÐ¡Ã÷")
    );
}
