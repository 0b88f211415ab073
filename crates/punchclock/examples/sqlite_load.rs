//! SQLite under the load of issue 10 §1: many devices record polls at
//! once while pages read. Runs the same load twice in one process, first
//! on the store as it was (eight connections that all write, SQLite's own
//! checkpoints: the baseline), then on the single writer with its read
//! pool and checkpoint task, and prints the ratios. A harness, not a test:
//! it prints figures and never fails on them. Run through
//! `bench/sqlite_load.sh`.
//!
//! Usage: sqlite_load [--devices N] [--rounds N] [--punches N] [--readers N]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::tz::TimeZone;
use jiff::Timestamp;
use punchclock::clock::Clock;
use punchclock::domain::*;
use punchclock::store::{Store, StoreOptions};

#[derive(Clone, Copy)]
struct Load {
    devices: usize,
    rounds: usize,
    punches: usize,
    readers: usize,
}

/// What one run measured.
#[derive(Default)]
struct Figures {
    wall: Duration,
    rows: u64,
    failed_polls: u64,
    wal_peak: u64,
    /// Largest WAL / database ratio once the database passed 1 MB.
    wal_ratio_peak: f64,
    db_bytes: u64,
    reads: Vec<Duration>,
    first_error: Option<String>,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let load = parse_args();
    println!(
        "{} devices x {} polls x {} new punches each, {} page readers; 2 runtime threads",
        load.devices, load.rounds, load.punches, load.readers
    );
    let baseline = run(load, true).await;
    let writer = run(load, false).await;
    report(&baseline, &writer);
}

fn parse_args() -> Load {
    let mut load = Load {
        devices: 64,
        rounds: 3,
        punches: 3_000,
        readers: 4,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair.get(1).and_then(|v| v.parse().ok()).unwrap_or_else(|| {
            eprintln!("usage: sqlite_load [--devices N] [--rounds N] [--punches N] [--readers N]");
            std::process::exit(2)
        });
        match pair[0].as_str() {
            "--devices" => load.devices = value,
            "--rounds" => load.rounds = value,
            "--punches" => load.punches = value,
            "--readers" => load.readers = value,
            other => {
                eprintln!("unknown option {other}");
                std::process::exit(2)
            }
        }
    }
    load
}

async fn run(load: Load, baseline: bool) -> Figures {
    let path = std::env::temp_dir().join(format!(
        "punchclock-sqlite-load-{}-{}.sqlite",
        std::process::id(),
        if baseline { "baseline" } else { "writer" }
    ));
    remove(&path);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let options = StoreOptions {
        shared_pool_baseline: baseline,
        // Slow statements are not this benchmark's subject.
        slow_statement: Duration::from_secs(3_600),
        ..StoreOptions::default()
    };
    let store = Store::connect_with(&url, Clock::system(), options)
        .await
        .expect("open the database");
    let figures = drive(&store, load).await;
    store.close().await;
    remove(&path);
    figures
}

fn remove(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

async fn drive(store: &Store, load: Load) -> Figures {
    let company = store
        .create_company(&NewCompany {
            name: "Load".into(),
            timezone: Zone::utc(),
            poll_interval_minutes: None,
            plan: "trial".into(),
            seats: 100_000,
            trial_ends_at: None,
        })
        .await
        .expect("a company");
    let done = Arc::new(AtomicBool::new(false));
    let wal = tokio::spawn(watch_wal(store.clone(), done.clone()));
    let readers: Vec<_> = (0..load.readers)
        .map(|_| tokio::spawn(read_pages(store.clone(), company.id, done.clone())))
        .collect();
    let failed = Arc::new(AtomicU64::new(0));
    let first_error = Arc::new(std::sync::Mutex::new(None));
    let started = Instant::now();
    let mut polls = Vec::new();
    for d in 0..load.devices {
        let device = store
            .create_device(company.id, &device(d))
            .await
            .expect("a device");
        let (store, failed, first_error) = (store.clone(), failed.clone(), first_error.clone());
        polls.push(tokio::spawn(async move {
            for round in 0..load.rounds {
                let rec = record(d, round, load.punches);
                if let Err(e) = store.record_poll(company.id, device.id, &rec).await {
                    failed.fetch_add(1, Ordering::Relaxed);
                    first_error
                        .lock()
                        .unwrap()
                        .get_or_insert_with(|| e.to_string());
                }
            }
        }));
    }
    for p in polls {
        p.await.expect("a poll task");
    }
    let wall = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let (wal_peak, wal_ratio_peak, db_bytes) = wal.await.expect("the WAL watcher");
    let mut reads = Vec::new();
    for r in readers {
        reads.extend(r.await.expect("a reader"));
    }
    reads.sort();
    let first_error = first_error.lock().unwrap().take();
    Figures {
        wall,
        rows: (load.devices * load.rounds * load.punches) as u64,
        failed_polls: failed.load(Ordering::Relaxed),
        wal_peak,
        wal_ratio_peak,
        db_bytes,
        reads,
        first_error,
    }
}

/// Samples the WAL every 5 ms: peak size, peak ratio to the database.
async fn watch_wal(store: Store, done: Arc<AtomicBool>) -> (u64, f64, u64) {
    let (mut peak, mut ratio, mut db) = (0u64, 0f64, 0u64);
    while !done.load(Ordering::Relaxed) {
        let s = store.wal_status();
        peak = peak.max(s.wal_bytes);
        db = db.max(s.database_bytes);
        if s.database_bytes > 1 << 20 {
            ratio = ratio.max(s.wal_bytes as f64 / s.database_bytes as f64);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    (peak, ratio, db)
}

/// What the devices page and the punches page read, in a loop; returns the
/// time of each.
async fn read_pages(store: Store, company: CompanyId, done: Arc<AtomicBool>) -> Vec<Duration> {
    let mut times = Vec::new();
    let filter = PunchFilter {
        limit: 50,
        ..PunchFilter::default()
    };
    while !done.load(Ordering::Relaxed) {
        let t = Instant::now();
        let ok = store.list_devices(company).await.is_ok()
            && store.list_punches(company, &filter).await.is_ok()
            && store.count_punches(company, &filter).await.is_ok();
        if ok {
            times.push(t.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    times
}

fn device(d: usize) -> NewDevice {
    NewDevice {
        name: format!("Door {d}"),
        host: "10.0.0.5".into(),
        port: 4370,
        comm_key: None,
        transport: Transport::Auto,
        timezone: None,
        enabled: true,
        poll_interval_minutes: None,
        mode: DeviceMode::Poll,
        push_serial: None,
    }
}

/// A poll of device `d` with `n` punches, all new: a device whose log grows.
fn record(d: usize, round: usize, n: usize) -> PollRecord {
    let base = 1_700_000_000 + (round * n) as i64 * 60;
    let punches = (0..n)
        .map(|i| {
            let punched_at = Timestamp::from_second(base + i as i64 * 60).unwrap();
            NewPunch {
                enroll_id: (1 + i % 100).to_string(),
                device_time: punched_at.to_zoned(TimeZone::UTC).datetime(),
                punched_at,
                status: 1,
                punch_type: 0,
                uid: 1,
            }
        })
        .collect();
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
            serial_number: Some(format!("SN-{d}")),
            ..DeviceInfo::default()
        }),
        users: vec![],
        punches,
        history_pulled: true,
        next_poll_at: None,
        sync: Default::default(),
    }
}

fn pct(times: &[Duration], p: f64) -> f64 {
    if times.is_empty() {
        return f64::NAN;
    }
    let i = ((times.len() as f64 - 1.0) * p).round() as usize;
    times[i].as_secs_f64() * 1e3
}

fn mb(b: u64) -> f64 {
    b as f64 / 1_048_576.0
}

fn report(base: &Figures, new: &Figures) {
    println!(
        "| store            | wall (s) | rows/s  | failed polls | WAL peak (MB) | WAL/db peak | db (MB) | page p50 (ms) | page p99 (ms) | page max (ms) | pages |"
    );
    println!("|------------------|---------:|--------:|-------------:|--------------:|------------:|--------:|--------------:|--------------:|--------------:|------:|");
    for (name, f) in [("8 shared (before)", base), ("1 writer + reads", new)] {
        println!(
            "| {name:<16} | {:>8.2} | {:>7.0} | {:>12} | {:>13.1} | {:>11.2} | {:>7.1} | {:>13.1} | {:>13.1} | {:>13.1} | {:>5} |",
            f.wall.as_secs_f64(),
            f.rows as f64 / f.wall.as_secs_f64(),
            f.failed_polls,
            mb(f.wal_peak),
            f.wal_ratio_peak,
            mb(f.db_bytes),
            pct(&f.reads, 0.5),
            pct(&f.reads, 0.99),
            pct(&f.reads, 1.0),
            f.reads.len(),
        );
    }
    println!(
        "ratios writer/before: wall {:.2}x, WAL peak {:.3}x, page p99 {:.2}x; failed polls {} -> {}",
        new.wall.as_secs_f64() / base.wall.as_secs_f64(),
        new.wal_peak as f64 / base.wal_peak.max(1) as f64,
        pct(&new.reads, 0.99) / pct(&base.reads, 0.99),
        base.failed_polls,
        new.failed_polls
    );
    for (name, f) in [("before", base), ("writer", new)] {
        if let Some(e) = &f.first_error {
            println!("first failure ({name}): {e}");
        }
    }
}
