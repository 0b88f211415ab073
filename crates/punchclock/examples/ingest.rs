//! Ingest speed (issue 10 §3): punches through the real store path (one
//! sync, `begin_poll` then `record_punch_batch` per batch as the poller
//! hands them), against a plain bulk insert of the same rows into an empty
//! table without indexes or keys, in the same run, on SQLite and (given a
//! URL) PostgreSQL. Then the same punches again (all already stored: 0
//! new), and a smaller run comparable to the old "100,000 punches in
//! 2.2 s". A harness, not a test: it prints figures and never fails on
//! them, except when the store answers wrongly (a count that is off).
//! Run through `bench/ingest.sh`.
//!
//! `--without INDEX` (repeatable) drops that secondary index of punches
//! from the store path's databases after migrating: a measurement of what
//! the index costs an insert, never a configuration.
//!
//! Usage: ingest [--punches N] [--small N] [--batch N] [--employees N]
//!        [--without INDEX]... [--postgres postgres://127.0.0.1:PORT/db]

use std::time::{Duration, Instant};

use jiff::tz::TimeZone;
use jiff::Timestamp;
use punchclock::clock::Clock;
use punchclock::domain::*;
use punchclock::store::{Store, StoreOptions};
use sqlx::{Connection, Executor};

struct Args {
    punches: usize,
    small: usize,
    batch: usize,
    employees: usize,
    without: Vec<String>,
    postgres: Option<String>,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args = parse_args();
    println!(
        "{} punches (and {}) of {} employees from one device, {} per batch",
        args.punches, args.small, args.employees, args.batch
    );
    if !args.without.is_empty() {
        println!("store path WITHOUT the index(es) {:?}", args.without);
    }
    let punches = punches(args.punches, args.employees);
    sqlite(&args, &punches).await;
    if let Some(url) = &args.postgres {
        postgres(&args, url, &punches).await;
    }
}

fn parse_args() -> Args {
    let mut args = Args {
        punches: 1_000_000,
        small: 100_000,
        batch: 2_000,
        employees: 1_000,
        without: Vec::new(),
        postgres: None,
    };
    let list: Vec<String> = std::env::args().skip(1).collect();
    for pair in list.chunks(2) {
        let Some(value) = pair.get(1) else { usage() };
        let number = || value.parse().unwrap_or_else(|_| usage());
        match pair[0].as_str() {
            "--punches" => args.punches = number(),
            "--small" => args.small = number(),
            "--batch" => args.batch = number().max(1),
            "--employees" => args.employees = number().max(1),
            "--postgres" => args.postgres = Some(value.clone()),
            "--without" if INDEXES.contains(&value.as_str()) => args.without.push(value.clone()),
            _ => usage(),
        }
    }
    args.small = args.small.min(args.punches);
    args
}

fn usage() -> ! {
    eprintln!(
        "usage: ingest [--punches N] [--small N] [--batch N] [--employees N] \
         [--without {}]... [--postgres URL]",
        INDEXES.join("|")
    );
    std::process::exit(2)
}

/// `n` punches, one a minute, spread over `employees` enroll ids.
fn punches(n: usize, employees: usize) -> Vec<NewPunch> {
    (0..n)
        .map(|i| {
            let punched_at = Timestamp::from_second(1_600_000_000 + i as i64 * 60).unwrap();
            NewPunch {
                enroll_id: (1 + i % employees).to_string(),
                device_time: punched_at.to_zoned(TimeZone::UTC).datetime(),
                punched_at,
                status: (i % 2) as u8,
                punch_type: 1,
                uid: (1 + i % employees) as u16,
            }
        })
        .collect()
}

async fn sqlite(args: &Args, punches: &[NewPunch]) {
    let dir = std::env::temp_dir().join(format!("punchclock-ingest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let url = |name: &str| format!("sqlite://{}?mode=rwc", dir.join(name).display());
    println!("\nSQLite ({})", dir.display());
    let plain = plain_sqlite(&url("plain.sqlite"), punches, args.batch).await;
    let store = open(&url("store.sqlite"), &args.without).await;
    let full = store_path(&store, punches, args.batch, punches.len() as u64).await;
    let again = store_path(&store, punches, args.batch, 0).await;
    store.close().await;
    let small = open(&url("small.sqlite"), &args.without).await;
    let hundred = store_path(
        &small,
        &punches[..args.small],
        args.batch,
        args.small as u64,
    )
    .await;
    small.close().await;
    report(punches.len(), args.small, plain, full, again, hundred);
    let _ = std::fs::remove_dir_all(&dir);
}

async fn postgres(args: &Args, url: &str, punches: &[NewPunch]) {
    let mut admin = sqlx::PgConnection::connect(url)
        .await
        .expect("connect to PostgreSQL");
    let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(url);
    let names = ["plain", "store", "small"].map(|n| format!("ingest_{}_{n}", std::process::id()));
    for name in &names {
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("a fresh database");
    }
    let at = |name: &str| format!("{base}/{name}");
    println!("\nPostgreSQL ({base})");
    let plain = plain_postgres(&at(&names[0]), punches, args.batch).await;
    let store = open(&at(&names[1]), &args.without).await;
    let full = store_path(&store, punches, args.batch, punches.len() as u64).await;
    let again = store_path(&store, punches, args.batch, 0).await;
    store.close().await;
    let small = open(&at(&names[2]), &args.without).await;
    let hundred = store_path(
        &small,
        &punches[..args.small],
        args.batch,
        args.small as u64,
    )
    .await;
    small.close().await;
    report(punches.len(), args.small, plain, full, again, hundred);
    for name in &names {
        let _ = admin
            .execute(format!("DROP DATABASE {name}").as_str())
            .await;
    }
}

/// The secondary indexes of punches `--without` may drop.
const INDEXES: [&str; 2] = ["punches_company_time_employee", "punches_device_time"];

async fn open(url: &str, without: &[String]) -> Store {
    let options = StoreOptions {
        slow_statement: Duration::from_secs(3_600),
        ..StoreOptions::default()
    };
    let store = Store::connect_with(url, Clock::system(), options)
        .await
        .expect("open the store");
    for index in without {
        let drop = format!("DROP INDEX {index}");
        if url.starts_with("sqlite:") {
            let mut conn = sqlx::SqliteConnection::connect(url).await.expect("connect");
            conn.execute(drop.as_str()).await.expect("drop the index");
        } else {
            let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
            conn.execute(drop.as_str()).await.expect("drop the index");
        }
    }
    store
}

/// One sync of `punches` through the store, batch by batch; checks that it
/// stored `expect_new`.
async fn store_path(
    store: &Store,
    punches: &[NewPunch],
    batch: usize,
    expect_new: u64,
) -> Duration {
    let (company, device) = company_and_device(store).await;
    let record = record();
    let started = Instant::now();
    let poll = store
        .begin_poll(company, device, &record)
        .await
        .expect("begin the sync");
    let mut new = 0;
    for chunk in punches.chunks(batch) {
        new += store
            .record_punch_batch(&poll, chunk)
            .await
            .expect("a batch")
            .punches_new;
    }
    store.finish_poll(&poll, &record).await.expect("finish");
    let wall = started.elapsed();
    assert_eq!(new, expect_new, "punches the store called new");
    wall
}

/// The company and its device, made once per store.
async fn company_and_device(store: &Store) -> (CompanyId, DeviceId) {
    let company = match store.list_companies().await.expect("companies").first() {
        Some(c) => c.id,
        None => {
            store
                .create_company(&NewCompany {
                    name: "Ingest".into(),
                    timezone: Zone::utc(),
                    poll_interval_minutes: None,
                    plan: "trial".into(),
                    seats: 100_000,
                    trial_ends_at: None,
                })
                .await
                .expect("a company")
                .id
        }
    };
    let device = match store.list_devices(company).await.expect("devices").first() {
        Some(d) => d.id,
        None => {
            let new = NewDevice {
                name: "Door".into(),
                host: "10.0.0.5".into(),
                port: 4370,
                comm_key: None,
                transport: Transport::Auto,
                timezone: None,
                enabled: true,
                poll_interval_minutes: None,
                mode: DeviceMode::Poll,
                push_serial: None,
            };
            store
                .create_device(company, &new)
                .await
                .expect("a device")
                .id
        }
    };
    (company, device)
}

fn record() -> PollRecord {
    PollRecord {
        kind: LogKind::Sync,
        started_at: Timestamp::now(),
        duration: Duration::from_millis(500),
        host: "10.0.0.5".into(),
        address: Some("10.0.0.5:4370".into()),
        transport_used: Some(Transport::Tcp),
        outcome: Outcome::Ok,
        reason: None,
        info: Some(DeviceInfo {
            serial_number: Some("SN-INGEST".into()),
            ..DeviceInfo::default()
        }),
        users: vec![],
        punches: vec![],
        history_pulled: true,
        next_poll_at: None,
        sync: Default::default(),
    }
}

/// The punch columns, with no key, index or foreign key.
const PLAIN_TABLE: &str = "CREATE TABLE plain_punches (company_id BIGINT NOT NULL, \
    employee_id BIGINT NOT NULL, enroll_id TEXT NOT NULL, device_id BIGINT, \
    device_serial TEXT NOT NULL, device_time TEXT NOT NULL, punched_at BIGINT NOT NULL, \
    status BIGINT NOT NULL, punch_type BIGINT NOT NULL, uid BIGINT NOT NULL, \
    device_log_id BIGINT, created_at BIGINT NOT NULL)";

/// Rows per statement of the plain insert (12 values each).
const PLAIN_ROWS: usize = 250;

/// The baseline on SQLite: the same rows, a transaction per batch, a
/// prepared multi-row INSERT, WAL with synchronous=NORMAL as the store.
async fn plain_sqlite(url: &str, punches: &[NewPunch], batch: usize) -> Duration {
    use std::str::FromStr;
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)
        .expect("a SQLite URL")
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Normal);
    let mut conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .expect("open the plain database");
    conn.execute(PLAIN_TABLE).await.expect("the plain table");
    let started = Instant::now();
    for chunk in punches.chunks(batch) {
        let mut tx = conn.begin().await.expect("begin");
        for rows in chunk.chunks(PLAIN_ROWS) {
            plain_rows(rows)
                .build()
                .execute(&mut *tx)
                .await
                .expect("insert");
        }
        tx.commit().await.expect("commit");
    }
    started.elapsed()
}

/// The baseline on PostgreSQL, as on SQLite.
async fn plain_postgres(url: &str, punches: &[NewPunch], batch: usize) -> Duration {
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .expect("open the plain database");
    conn.execute(PLAIN_TABLE).await.expect("the plain table");
    let started = Instant::now();
    for chunk in punches.chunks(batch) {
        let mut tx = conn.begin().await.expect("begin");
        for rows in chunk.chunks(PLAIN_ROWS) {
            plain_rows(rows)
                .build()
                .execute(&mut *tx)
                .await
                .expect("insert");
        }
        tx.commit().await.expect("commit");
    }
    started.elapsed()
}

fn plain_rows<DB>(rows: &[NewPunch]) -> sqlx::QueryBuilder<'_, DB>
where
    DB: sqlx::Database,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let mut q = sqlx::QueryBuilder::new(
        "INSERT INTO plain_punches (company_id, employee_id, enroll_id, device_id, \
         device_serial, device_time, punched_at, status, punch_type, uid, device_log_id, \
         created_at) ",
    );
    q.push_values(rows, |mut b, p| {
        let employee: i64 = p.enroll_id.parse().unwrap_or(0);
        b.push_bind(1_i64)
            .push_bind(employee)
            .push_bind(p.enroll_id.as_str())
            .push_bind(1_i64)
            .push_bind("SN-INGEST")
            .push_bind(p.device_time.to_string())
            .push_bind(p.punched_at.as_second())
            .push_bind(i64::from(p.status))
            .push_bind(i64::from(p.punch_type))
            .push_bind(i64::from(p.uid))
            .push_bind(1_i64)
            .push_bind(p.punched_at.as_second());
    });
    q
}

fn report(
    n: usize,
    small: usize,
    plain: Duration,
    full: Duration,
    again: Duration,
    hundred: Duration,
) {
    let rate = |rows: usize, d: Duration| rows as f64 / d.as_secs_f64();
    let (p, f) = (rate(n, plain), rate(n, full));
    println!("  plain insert, no indexes:   {n} rows in {plain:.2?}: {p:.0} rows/s");
    println!(
        "  store path, empty store:    {n} rows in {full:.2?}: {f:.0} rows/s, {:.2} x plain",
        f / p
    );
    let a = rate(n, again);
    println!(
        "  store path, all stored:     {n} rows in {again:.2?}: {a:.0} rows/s, {:.2} x plain (0 new)",
        a / p
    );
    let h = rate(small, hundred);
    println!(
        "  store path, {small} rows: {hundred:.2?}: {h:.0} rows/s, {:.2} x plain",
        h / p
    );
}
