//! The bulk punch insert (issue 10 §3) on both backends: every batch size
//! around the statement's chunk (`store::PUNCH_ROWS` rows per SQLite
//! statement, `store::PUNCH_ROWS_PG` per PostgreSQL one) stores each punch
//! once and counts exactly the new ones, within a batch, across batches,
//! and through each writer (batched sync, whole poll, push); each enroll id
//! becomes one employee however many batches name it; only new punches
//! forget stored attendance days; and migration 0013, which put the punch
//! key in time order, keeps every punch.

use std::time::Duration;

use jiff::{tz::TimeZone, Timestamp};
use punchclock::domain::*;
use punchclock::store::{Store, PUNCH_ROWS, PUNCH_ROWS_PG};

#[macro_use]
mod store_harness;
use store_harness::fixtures::{new_company, new_device};
use store_harness::{run_postgres, run_sqlite, TestDb};

store_tests!(
    every_batch_size_stores_each_punch_once_and_counts_it,
    duplicates_within_a_batch_count_once,
    a_batch_half_stored_counts_only_its_new_half,
    a_whole_poll_counts_new_punches_across_chunks,
    punches_out_of_time_order_dedup_across_batches,
    the_key_migration_keeps_every_punch_id_and_the_counter,
    employees_are_made_once_and_every_punch_names_its_own,
    new_punches_forget_their_days_and_stored_ones_none,
    the_last_punch_moves_only_forward_with_every_writer,
    migration_0014_fills_in_every_last_punch,
);

const T0: i64 = 1_750_000_000;

/// Punch `i` of a log: one a minute, over seven enroll ids.
fn punch(i: usize) -> NewPunch {
    let punched_at = Timestamp::from_second(T0 + i as i64 * 60).unwrap();
    NewPunch {
        enroll_id: (1 + i % 7).to_string(),
        device_time: punched_at.to_zoned(TimeZone::UTC).datetime(),
        punched_at,
        status: (i % 2) as u8,
        punch_type: 1,
        uid: (1 + i % 7) as u16,
    }
}

fn punches(range: std::ops::Range<usize>) -> Vec<NewPunch> {
    range.map(punch).collect()
}

fn record(serial: &str, punches: Vec<NewPunch>) -> PollRecord {
    PollRecord {
        kind: LogKind::Sync,
        started_at: Timestamp::from_second(T0).unwrap(),
        duration: Duration::from_millis(10),
        host: "10.0.0.5".into(),
        address: Some("10.0.0.5:4370".into()),
        transport_used: Some(Transport::Tcp),
        outcome: Outcome::Ok,
        reason: None,
        info: Some(DeviceInfo {
            serial_number: Some(serial.into()),
            ..DeviceInfo::default()
        }),
        users: vec![],
        punches,
        history_pulled: true,
        next_poll_at: None,
        sync: Default::default(),
    }
}

async fn company(store: &Store) -> CompanyId {
    let new = NewCompany {
        timezone: Zone::utc(),
        seats: 1_000,
        trial_ends_at: None,
        ..new_company("Ingest")
    };
    store.create_company(&new).await.unwrap().id
}

async fn add_device(store: &Store, company: CompanyId, name: &str) -> DeviceId {
    let new = new_device(name, "10.0.0.5");
    store.create_device(company, &new).await.unwrap().id
}

/// Stored punches of one serial, and how many distinct keys they hold.
async fn stored(db: &TestDb, serial: &str) -> (i64, i64) {
    let sql = format!(
        "SELECT CAST(COUNT(*) AS TEXT) FROM punches WHERE device_serial = '{serial}' \
         UNION ALL SELECT CAST(COUNT(*) AS TEXT) FROM (SELECT DISTINCT enroll_id, device_time \
         FROM punches WHERE device_serial = '{serial}') AS keys"
    );
    let counts = db.raw_strings(&sql).await;
    (counts[0].parse().unwrap(), counts[1].parse().unwrap())
}

async fn every_batch_size_stores_each_punch_once_and_counts_it(db: TestDb) {
    let store = &db.store;
    let company = company(store).await;
    let sizes = [
        0,
        1,
        PUNCH_ROWS - 1,
        PUNCH_ROWS,
        PUNCH_ROWS + 1,
        3 * PUNCH_ROWS + 7,
        PUNCH_ROWS_PG,
        2 * PUNCH_ROWS_PG + 1,
    ];
    // Employees are the company's: only enroll ids no earlier size used
    // are new people.
    let mut seen = 0;
    for n in sizes {
        let serial = format!("SN-{n}");
        let device = add_device(store, company, &serial).await;
        let sync = record(&serial, vec![]);
        let poll = store.begin_poll(company, device, &sync).await.unwrap();
        let all = punches(0..n);
        let first = store.record_punch_batch(&poll, &all).await.unwrap();
        assert_eq!(first.punches_new, n as u64, "{n} punches, first time");
        let people = n.min(7).saturating_sub(seen.min(7));
        seen = seen.max(n);
        assert_eq!(first.employees_new, people as u64, "{n} punches' people");
        let again = store.record_punch_batch(&poll, &all).await.unwrap();
        assert_eq!(again.punches_new, 0, "{n} punches, again");
        assert_eq!(again.employees_new, 0);
        let outcome = store.finish_poll(&poll, &sync).await.unwrap();
        assert_eq!(outcome.punches_new, n as u32, "{n}: the log's count");
        assert_eq!(
            stored(&db, &serial).await,
            (n as i64, n as i64),
            "{n} stored"
        );
    }
}

async fn duplicates_within_a_batch_count_once(db: TestDb) {
    let store = &db.store;
    let company = company(store).await;
    let device = add_device(store, company, "SN-DUP").await;
    let sync = record("SN-DUP", vec![]);
    let poll = store.begin_poll(company, device, &sync).await.unwrap();
    // Each punch three times, spread over the chunks (a device that sent
    // its log twice in one read, and one punch more).
    let n = 2 * PUNCH_ROWS + 3;
    let mut batch = punches(0..n);
    batch.extend(punches(0..n).into_iter().rev());
    batch.extend(punches(0..n));
    let stored_now = store.record_punch_batch(&poll, &batch).await.unwrap();
    assert_eq!(stored_now.punches_new, n as u64);
    assert_eq!(stored(&db, "SN-DUP").await, (n as i64, n as i64));
    // The same punch with other fields is still the same punch.
    let mut changed = punch(5);
    changed.status = 9;
    changed.punch_type = 4;
    let again = store.record_punch_batch(&poll, &[changed]).await.unwrap();
    assert_eq!(again.punches_new, 0);
    assert_eq!(stored(&db, "SN-DUP").await, (n as i64, n as i64));
}

async fn a_batch_half_stored_counts_only_its_new_half(db: TestDb) {
    let store = &db.store;
    let company = company(store).await;
    let device = add_device(store, company, "SN-HALF").await;
    let sync = record("SN-HALF", vec![]);
    let poll = store.begin_poll(company, device, &sync).await.unwrap();
    // Every other punch first, then all of them: the new ones sit
    // between stored ones in every chunk.
    let n = 4 * PUNCH_ROWS + 1;
    let even: Vec<NewPunch> = (0..n).step_by(2).map(punch).collect();
    let first = store.record_punch_batch(&poll, &even).await.unwrap();
    assert_eq!(first.punches_new, even.len() as u64);
    let all = store
        .record_punch_batch(&poll, &punches(0..n))
        .await
        .unwrap();
    assert_eq!(all.punches_new, (n - even.len()) as u64);
    // Overlapping batches, as a retried read hands them: the tail again
    // and a few more.
    let more = store
        .record_punch_batch(&poll, &punches(n - 10..n + 15))
        .await
        .unwrap();
    assert_eq!(more.punches_new, 15);
    let outcome = store.finish_poll(&poll, &sync).await.unwrap();
    assert_eq!(outcome.punches_new, (n + 15) as u32);
    assert_eq!(
        stored(&db, "SN-HALF").await,
        ((n + 15) as i64, (n + 15) as i64)
    );
    // The same keys from another device serial are other punches.
    let other = add_device(store, company, "SN-OTHER").await;
    let poll = store
        .begin_poll(company, other, &record("SN-OTHER", vec![]))
        .await
        .unwrap();
    let theirs = store.record_punch_batch(&poll, &even).await.unwrap();
    assert_eq!(theirs.punches_new, even.len() as u64);
}

async fn a_whole_poll_counts_new_punches_across_chunks(db: TestDb) {
    let store = &db.store;
    let company = company(store).await;
    let device = add_device(store, company, "SN-POLL").await;
    let n = PUNCH_ROWS_PG + 2 * PUNCH_ROWS + 1;
    let first = store
        .record_poll(company, device, &record("SN-POLL", punches(0..n)))
        .await
        .unwrap();
    assert_eq!(first.punches_new, n as u32);
    assert_eq!(first.employees_new, 7);
    // The device's log grew by 10, and it sends all of it again.
    let second = store
        .record_poll(company, device, &record("SN-POLL", punches(0..n + 10)))
        .await
        .unwrap();
    assert_eq!(second.punches_new, 10);
    assert_eq!(second.employees_new, 0);
    assert_eq!(
        stored(&db, "SN-POLL").await,
        ((n + 10) as i64, (n + 10) as i64)
    );
}

/// The key is in time order (migration 0013), but a device's log is not
/// always: a clock set back writes older times after newer ones. The same
/// punches in any order, across batches and within them, are stored once.
async fn punches_out_of_time_order_dedup_across_batches(db: TestDb) {
    let store = &db.store;
    let company = company(store).await;
    let device = add_device(store, company, "SN-BACK").await;
    let sync = record("SN-BACK", vec![]);
    let poll = store.begin_poll(company, device, &sync).await.unwrap();
    let n = 3 * PUNCH_ROWS + 5;
    let backwards: Vec<NewPunch> = punches(0..n).into_iter().rev().collect();
    let first = store
        .record_punch_batch(&poll, &backwards[..n / 2])
        .await
        .unwrap();
    assert_eq!(first.punches_new, (n / 2) as u64);
    // Interleaved: every punch, odd ones first then even ones, twice.
    let mut shuffled: Vec<NewPunch> = (0..n).filter(|i| i % 2 == 1).map(punch).collect();
    shuffled.extend((0..n).filter(|i| i % 2 == 0).map(punch));
    shuffled.extend(shuffled.clone());
    let second = store.record_punch_batch(&poll, &shuffled).await.unwrap();
    assert_eq!(second.punches_new, (n - n / 2) as u64);
    // One enroll id's punches at one time are distinct from another's.
    let mut same_time = punch(0);
    same_time.enroll_id = "99".into();
    let third = store.record_punch_batch(&poll, &[same_time]).await.unwrap();
    assert_eq!(third.punches_new, 1);
    let outcome = store.finish_poll(&poll, &sync).await.unwrap();
    assert_eq!(outcome.punches_new, (n + 1) as u32);
    assert_eq!(
        stored(&db, "SN-BACK").await,
        ((n + 1) as i64, (n + 1) as i64)
    );
}

/// Every stored punch as one line, in id order.
async fn punch_lines(db: &TestDb) -> Vec<String> {
    db.raw_strings(
        "SELECT CAST(id AS TEXT) || ' ' || CAST(company_id AS TEXT) || ' ' || \
         CAST(employee_id AS TEXT) || ' ' || enroll_id || ' ' || \
         COALESCE(CAST(device_id AS TEXT), '-') || ' ' || device_serial || ' ' || device_time || \
         ' ' || CAST(punched_at AS TEXT) || ' ' || CAST(status AS TEXT) || ' ' || \
         CAST(punch_type AS TEXT) || ' ' || CAST(uid AS TEXT) || ' ' || \
         COALESCE(CAST(device_log_id AS TEXT), '-') || ' ' || CAST(created_at AS TEXT) || ' ' || \
         CASE WHEN manual THEN 'm' ELSE '-' END || CASE WHEN voided THEN 'v' ELSE '-' END \
         FROM punches ORDER BY id",
    )
    .await
}

/// A database from before migration 0013: its punches table is put back
/// with the key in the old order (the migration's own rebuild, with the
/// old key), and 0013 is forgotten, so the next connect applies it.
async fn back_to_the_old_key(db: &TestDb) {
    let rebuild = if db.is_postgres() {
        include_str!("../migrations/postgres/0013_punch_key_in_time_order.sql")
    } else {
        include_str!("../migrations/sqlite/0013_punch_key_in_time_order.sql")
    };
    let new_key = "UNIQUE (company_id, device_serial, device_time, enroll_id)";
    assert!(rebuild.contains(new_key));
    let old = rebuild.replace(
        new_key,
        "UNIQUE (company_id, device_serial, enroll_id, device_time)",
    );
    db.raw(&old).await;
    db.raw("DELETE FROM _sqlx_migrations WHERE version = 13")
        .await;
}

/// The punch key's columns as the database declares them.
async fn key_columns(db: &TestDb) -> &'static str {
    let sql = if db.is_postgres() {
        "SELECT indexdef FROM pg_indexes WHERE tablename = 'punches' AND indexdef LIKE 'CREATE UNIQUE%'"
    } else {
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'punches'"
    };
    let text = db.raw_strings(sql).await.join("\n");
    let time_order = "company_id, device_serial, device_time, enroll_id)";
    let enroll_order = "company_id, device_serial, enroll_id, device_time)";
    match (text.contains(time_order), text.contains(enroll_order)) {
        (true, false) => "time order",
        (false, true) => "enroll id order",
        _ => panic!("no single punch key in {text}"),
    }
}

async fn the_key_migration_keeps_every_punch_id_and_the_counter(db: TestDb) {
    assert_eq!(key_columns(&db).await, "time order");
    let company = company(&db.store).await;
    let device = add_device(&db.store, company, "SN-MIG").await;
    let n = 2 * PUNCH_ROWS + 3;
    let first = db
        .store
        .record_poll(company, device, &record("SN-MIG", punches(0..n)))
        .await
        .unwrap();
    assert_eq!(first.punches_new, n as u32);
    // The newest punch goes (as when its employee is deleted): its id must
    // never be handed out again (webhook cursors compare ids).
    let top: i64 = db
        .raw_strings("SELECT CAST(MAX(id) AS TEXT) FROM punches")
        .await[0]
        .parse()
        .unwrap();
    db.raw(&format!("DELETE FROM punches WHERE id = {top}"))
        .await;
    back_to_the_old_key(&db).await;
    assert_eq!(key_columns(&db).await, "enroll id order");
    db.raw("UPDATE punches SET voided = TRUE WHERE id = (SELECT MIN(id) FROM punches)")
        .await;
    let before = punch_lines(&db).await;
    assert_eq!(before.len(), n - 1);

    // Reconnecting applies 0013 again: the same rows, ids and columns.
    let store = Store::connect(&db.url, punchclock::clock::Clock::system())
        .await
        .unwrap();
    assert_eq!(punch_lines(&db).await, before, "every punch as it was");
    assert_eq!(key_columns(&db).await, "time order");
    let applied = db
        .raw_strings("SELECT CAST(COUNT(*) AS TEXT) FROM _sqlx_migrations WHERE version = 13")
        .await;
    assert_eq!(applied, ["1"]);

    // The deleted punch comes back as new, and so do 10 more, with ids
    // above every id handed out before; the rest are known.
    let again = store
        .record_poll(company, device, &record("SN-MIG", punches(0..n + 10)))
        .await
        .unwrap();
    assert_eq!(again.punches_new, 11);
    let low: i64 = db
        .raw_strings(&format!(
            "SELECT CAST(MIN(id) AS TEXT) FROM punches WHERE id > {}",
            top - 1
        ))
        .await[0]
        .parse()
        .unwrap();
    assert!(low > top, "a new id {low} above the deleted {top}");
    assert_eq!(
        stored(&db, "SN-MIG").await,
        ((n + 10) as i64, (n + 10) as i64)
    );
    store.close().await;
}

fn at(text: &str) -> NewPunch {
    let punched_at: Timestamp = text.parse().unwrap();
    NewPunch {
        device_time: punched_at.to_zoned(TimeZone::UTC).datetime(),
        punched_at,
        ..punch(0)
    }
}

async fn employees_are_made_once_and_every_punch_names_its_own(db: TestDb) {
    let store = &db.store;
    let company = company(store).await;
    let device = add_device(store, company, "SN-PEOPLE").await;
    let mut sync = record("SN-PEOPLE", vec![]);
    sync.users = vec![DeviceUser {
        uid: 1,
        enroll_id: "1".into(),
        name: "Ann".into(),
        name_bytes: b"Ann".to_vec(),
        privilege: 0,
        card: 0,
    }];
    let poll = store.begin_poll(company, device, &sync).await.unwrap();
    // Enroll id 1 came with the users (begin_poll); 2..7 are new with the
    // first batch, and never again.
    let first = store
        .record_punch_batch(&poll, &punches(0..3 * PUNCH_ROWS))
        .await
        .unwrap();
    assert_eq!(first.employees_new, 6);
    let second = store
        .record_punch_batch(&poll, &punches(3 * PUNCH_ROWS..4 * PUNCH_ROWS))
        .await
        .unwrap();
    assert_eq!(second.employees_new, 0);
    // Known people beside two new ones, and a new one twice in a batch.
    let mut mixed = punches(4 * PUNCH_ROWS..5 * PUNCH_ROWS);
    for (i, id) in ["8", "9", "8"].into_iter().enumerate() {
        mixed.push(NewPunch {
            enroll_id: id.into(),
            ..punch(5 * PUNCH_ROWS + i)
        });
    }
    let third = store.record_punch_batch(&poll, &mixed).await.unwrap();
    assert_eq!(third.employees_new, 2);
    assert_eq!(third.punches_new, mixed.len() as u64);
    let outcome = store.finish_poll(&poll, &sync).await.unwrap();
    assert_eq!(outcome.employees_new, 9, "the log counts each person once");
    let people = db
        .raw_strings(
            "SELECT enroll_id || ' ' || COALESCE(name_from_device, '-') FROM employees \
             ORDER BY length(enroll_id), enroll_id",
        )
        .await;
    let expected: Vec<String> = (1..=9)
        .map(|i| format!("{i} {}", if i == 1 { "Ann" } else { "-" }))
        .collect();
    assert_eq!(
        people, expected,
        "one employee per enroll id, the name kept"
    );
    let wrong = db
        .raw_strings(
            "SELECT CAST(COUNT(*) AS TEXT) FROM punches p JOIN employees e \
             ON e.id = p.employee_id WHERE e.enroll_id <> p.enroll_id OR e.company_id <> p.company_id",
        )
        .await;
    assert_eq!(wrong, ["0"], "every punch is its own enroll id's");
}

/// A stored day for each of the company's employees on each date.
async fn store_days(db: &TestDb, dates: &[&str]) {
    let dates: Vec<String> = dates.iter().map(|d| format!("SELECT '{d}' AS d")).collect();
    db.raw(&format!(
        "INSERT INTO attendance_days (company_id, employee_id, date, status, worked_seconds, \
         break_deducted_seconds, late_seconds, early_leave_seconds, daily_overtime_seconds, \
         weekly_overtime_seconds, flags, provisional, closes_at) \
         SELECT company_id, id, dates.d, 'present', 0, 0, 0, 0, 0, 0, 0, FALSE, 0 \
         FROM employees CROSS JOIN ({}) AS dates",
        dates.join(" UNION ALL ")
    ))
    .await;
}

/// Every stored day as "enroll id date".
async fn stored_days(db: &TestDb) -> Vec<String> {
    db.raw_strings(
        "SELECT e.enroll_id || ' ' || a.date FROM attendance_days a \
         JOIN employees e ON e.id = a.employee_id ORDER BY e.enroll_id, a.date",
    )
    .await
}

async fn new_punches_forget_their_days_and_stored_ones_none(db: TestDb) {
    let store = &db.store;
    let company = company(store).await;
    let device = add_device(store, company, "SN-DAYS").await;
    let sync = record("SN-DAYS", vec![]);
    let poll = store.begin_poll(company, device, &sync).await.unwrap();
    // Punches of the 7 people on 2025-06-15 (T0), more than a statement.
    let stored_punches = punches(0..2 * PUNCH_ROWS + 5);
    store
        .record_punch_batch(&poll, &stored_punches)
        .await
        .unwrap();
    let dates = ["2025-06-10", "2025-06-15", "2025-06-20"];
    store_days(&db, &dates).await;
    let all: Vec<String> = (1..=7)
        .flat_map(|e| dates.map(|d| format!("{e} {d}")))
        .collect();
    assert_eq!(stored_days(&db).await, all);

    // A replay of stored punches forgets nothing.
    let replay = store
        .record_punch_batch(&poll, &stored_punches)
        .await
        .unwrap();
    assert_eq!(replay.punches_new, 0);
    assert_eq!(stored_days(&db).await, all, "a replay forgets nothing");

    // Stored punches and one new one of person 3 on 2025-06-20: only the
    // days that punch can change go (its date and the ones beside it).
    let mut batch = stored_punches.clone();
    batch.push(NewPunch {
        enroll_id: "3".into(),
        ..at("2025-06-20T12:00:00Z")
    });
    let some = store.record_punch_batch(&poll, &batch).await.unwrap();
    assert_eq!(some.punches_new, 1);
    let kept: Vec<String> = all
        .iter()
        .filter(|d| *d != "3 2025-06-20")
        .cloned()
        .collect();
    assert_eq!(stored_days(&db).await, kept);

    // New punches of everyone on 2025-06-11 forget their 2025-06-10 (the
    // day before can hold a night shift's end), and nothing else.
    let new: Vec<NewPunch> = (1..=7)
        .map(|e| NewPunch {
            enroll_id: e.to_string(),
            ..at(&format!("2025-06-11T0{e}:00:00Z"))
        })
        .collect();
    let added = store.record_punch_batch(&poll, &new).await.unwrap();
    assert_eq!(added.punches_new, 7);
    let kept: Vec<String> = kept
        .into_iter()
        .filter(|d| !d.ends_with("2025-06-10"))
        .collect();
    assert_eq!(stored_days(&db).await, kept);
    store.finish_poll(&poll, &sync).await.unwrap();
}

/// Each employee's last punch as the employees list shows it, by enroll id.
async fn last_punches(store: &Store, company: CompanyId) -> Vec<(String, Option<i64>)> {
    let search = EmployeeSearch {
        filter: EmployeeFilter::All,
        text: None,
        order: EmployeeOrder::EnrollId,
    };
    let (listed, _) = store
        .search_employees(company, &search, 100, 0)
        .await
        .unwrap();
    listed
        .into_iter()
        .map(|l| {
            let at = l.last_punch.map(|t| t.as_second());
            (l.employee.enroll_id, at)
        })
        .collect()
}

/// The latest punch of each enroll id in the punches table.
async fn latest_stored(db: &TestDb) -> Vec<(String, Option<i64>)> {
    db.raw_strings(
        "SELECT e.enroll_id || ' ' || COALESCE(CAST(MAX(p.punched_at) AS TEXT), '-') \
         FROM employees e LEFT JOIN punches p ON p.employee_id = e.id \
         GROUP BY e.id, e.enroll_id ORDER BY length(e.enroll_id), e.enroll_id",
    )
    .await
    .into_iter()
    .map(|line| {
        let (id, at) = line.split_once(' ').unwrap();
        (id.to_string(), at.parse().ok())
    })
    .collect()
}

async fn the_last_punch_moves_only_forward_with_every_writer(db: TestDb) {
    let store = &db.store;
    let (company, _) = store
        .create_company_with_owner(
            &NewCompany {
                name: "Last".into(),
                timezone: Zone::utc(),
                poll_interval_minutes: None,
                plan: "trial".into(),
                seats: 1_000,
                trial_ends_at: None,
            },
            "owner@last.example",
            "not-a-real-hash",
        )
        .await
        .unwrap();
    let company = company.id;
    let owner = store
        .account_login("owner@last.example")
        .await
        .unwrap()
        .unwrap()
        .account
        .id;
    let device = add_device(store, company, "SN-LAST").await;
    let sync = record("SN-LAST", vec![]);
    let poll = store.begin_poll(company, device, &sync).await.unwrap();
    // The later half first, then the earlier half: the last punch stays.
    let n = 3 * PUNCH_ROWS;
    store
        .record_punch_batch(&poll, &punches(n / 2..n))
        .await
        .unwrap();
    let later = last_punches(store, company).await;
    store
        .record_punch_batch(&poll, &punches(0..n / 2))
        .await
        .unwrap();
    assert_eq!(last_punches(store, company).await, later, "never backwards");
    assert_eq!(later, latest_stored(&db).await);
    let last_of_1 = (0..n).filter(|i| i % 7 == 0).max().unwrap();
    assert_eq!(
        later[0],
        ("1".to_string(), Some(T0 + last_of_1 as i64 * 60))
    );
    // A whole poll, a live tap and a manual punch each move it on.
    store
        .record_poll(company, device, &record("SN-LAST", punches(n..n + 7)))
        .await
        .unwrap();
    let tap = punch(n + 7);
    store
        .record_live_punches(company, device, std::slice::from_ref(&tap))
        .await
        .unwrap();
    let person_2 = store
        .employee_by_enroll_id(company, "2")
        .await
        .unwrap()
        .unwrap();
    let manual_at = Timestamp::from_second(T0 + 100 * 86_400).unwrap();
    let manual = NewManualPunch {
        employee_id: person_2.id,
        at: manual_at,
        device_time: manual_at.to_zoned(TimeZone::UTC).datetime(),
        reason: Reason::parse("Forgot to clock in").unwrap(),
    };
    store
        .add_manual_punch(company, owner, &manual)
        .await
        .unwrap();
    let now = last_punches(store, company).await;
    assert_eq!(now, latest_stored(&db).await);
    let tapped = now.iter().find(|(id, _)| *id == tap.enroll_id).unwrap();
    assert_eq!(tapped.1, Some(tap.punched_at.as_second()), "the live tap");
    assert_eq!(now[1].1, Some(manual_at.as_second()), "the manual punch");
    // A person who never punched has none.
    store
        .begin_poll(
            company,
            device,
            &PollRecord {
                users: vec![DeviceUser {
                    uid: 50,
                    enroll_id: "50".into(),
                    name: String::new(),
                    name_bytes: vec![],
                    privilege: 0,
                    card: 0,
                }],
                ..sync.clone()
            },
        )
        .await
        .unwrap();
    let now = last_punches(store, company).await;
    assert_eq!(now.last(), Some(&("50".to_string(), None)));
}

/// A database from before migration 0014 (the column gone, the old
/// indexes back, 0014 forgotten) gets every employee's last punch when it
/// is applied.
async fn migration_0014_fills_in_every_last_punch(db: TestDb) {
    let company = company(&db.store).await;
    let device = add_device(&db.store, company, "SN-M14").await;
    db.store
        .record_poll(
            company,
            device,
            &record("SN-M14", punches(0..3 * PUNCH_ROWS)),
        )
        .await
        .unwrap();
    let expected = latest_stored(&db).await;
    assert_eq!(last_punches(&db.store, company).await, expected);
    for sql in [
        "DROP INDEX punches_company_time_employee",
        "CREATE INDEX punches_company_time ON punches (company_id, punched_at)",
        "CREATE INDEX punches_employee_time ON punches (employee_id, punched_at)",
        "ALTER TABLE employees DROP COLUMN last_punch_at",
        "DELETE FROM _sqlx_migrations WHERE version = 14",
    ] {
        db.raw(sql).await;
    }
    let store = Store::connect(&db.url, punchclock::clock::Clock::system())
        .await
        .unwrap();
    assert_eq!(last_punches(&store, company).await, expected);
    let old = db
        .raw_strings(if db.is_postgres() {
            "SELECT indexname FROM pg_indexes WHERE tablename = 'punches' ORDER BY indexname"
        } else {
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'punches' \
             AND sql IS NOT NULL ORDER BY name"
        })
        .await;
    assert!(
        !old.iter()
            .any(|i| i == "punches_employee_time" || i == "punches_company_time"),
        "{old:?}"
    );
    assert!(old.iter().any(|i| i == "punches_company_time_employee"));
    store.close().await;
}
