//! What a poll of an unchanged device costs (issue 10 §2), against the
//! same poll with incremental polling off (`full_sync_hours = 0`: every
//! sync downloads the whole log and hands it to the store, as before), in
//! the same run, against one simulated clock on loopback. Also a poll
//! after ten new punches. A harness, not a test: it prints figures and
//! never fails on them. Run through `bench/incremental_poll.sh`.
//!
//! Usage: incremental_poll [--punches N] [--polls N]

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use punchclock::clock::Clock;
use punchclock::config::Config;
use punchclock::domain::*;
use punchclock::web::AppState;
use zk_sim::{DeviceSpec, Simulator};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// Averages over the steady polls of one configuration.
struct Steady {
    wall: Duration,
    /// Wall time minus the device session: the target, the lease,
    /// recording the poll, giving the lease back.
    store: Duration,
    /// `Store::record_poll` of an unchanged poll's record alone.
    record: Duration,
    /// The whole database side of a scheduled unchanged poll, as the
    /// `Syncer` makes it (see `scheduled_db_side`)...
    scheduled: Duration,
    /// ...and as it made it before the lease and the count were folded
    /// into the recording (see `scheduled_db_side_before`), same run.
    scheduled_before: Duration,
    /// CPU of this process (service and simulator both) per poll.
    cpu: Duration,
    received: u64,
    sent: u64,
    handed: u64,
}

/// User plus system CPU of this process so far (Linux `/proc`).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // utime and stime are fields 14 and 15 (11 and 12 after the name),
    // in clock ticks of 1/100 s on Linux.
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let (punches, polls) = parse_args();
    println!("one simulated device with {punches} punches on loopback, {polls} steady polls each");
    let sim = Simulator::start(LOCALHOST, 0, vec![DeviceSpec::generated(0, 50, punches, 7)])
        .await
        .expect("the simulator");
    let dir = tempfile::tempdir().expect("a temp dir");
    let (before, _) = run(&sim, dir.path(), 0, polls).await;
    let (after, grew) = run(&sim, dir.path(), 24, polls).await;
    println!(
        "| incremental | wall (ms) | outside the session (ms) | record_poll (ms) | scheduled poll's database side as before: 7 statements (ms) | the same now: 4 statements (ms) | CPU (ms) | bytes in | bytes out | punches to the store |"
    );
    println!(
        "|-------------|----------:|-------------------------:|-----------------:|------:|------:|---------:|---------:|----------:|---------------------:|"
    );
    for (name, s) in [("off (before)", &before), ("on", &after)] {
        println!(
            "| {name:<11} | {:>9.2} | {:>24.3} | {:>16.3} | {:>5.3} | {:>5.3} | {:>8.2} | {:>8} | {:>9} | {:>20} |",
            ms(s.wall),
            ms(s.store),
            ms(s.record),
            ms(s.scheduled_before),
            ms(s.scheduled),
            ms(s.cpu),
            s.received,
            s.sent,
            s.handed
        );
    }
    println!(
        "scheduled unchanged poll's database side, now/before: {:.3}x",
        ms(after.scheduled) / ms(after.scheduled_before)
    );
    println!(
        "steady poll, on/off: wall {:.4}x, outside the session {:.4}x, CPU {:.4}x, bytes {:.5}x",
        ms(after.wall) / ms(before.wall),
        ms(after.store) / ms(before.store),
        ms(after.cpu) / ms(before.cpu).max(1e-9),
        (after.received + after.sent) as f64 / (before.received + before.sent) as f64
    );
    if let Some(log) = grew {
        println!(
            "after 10 new punches: mode {:?}, {} bytes in, {} read, {} new, {} already stored",
            log.mode.map(|m| m.to_string()),
            log.bytes_received,
            log.punches_read,
            log.punches_new,
            log.punches_known
        );
    }
}

fn parse_args() -> (u32, u32) {
    let (mut punches, mut polls) = (100_000, 5);
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair.get(1).and_then(|v| v.parse().ok()).unwrap_or_else(|| {
            eprintln!("usage: incremental_poll [--punches N] [--polls N]");
            std::process::exit(2)
        });
        match pair[0].as_str() {
            "--punches" => punches = value,
            "--polls" => polls = value,
            other => {
                eprintln!("unknown option {other}");
                std::process::exit(2)
            }
        }
    }
    (punches, polls.max(1))
}

/// A fresh database with `full_sync_hours`; a first (full) sync, then
/// `polls` steady ones; with incremental polling on, one more after ten
/// new punches (the simulator is left as it was found).
async fn run(
    sim: &Simulator,
    dir: &std::path::Path,
    full_sync_hours: u32,
    polls: u32,
) -> (Steady, Option<DeviceLog>) {
    let config = Config {
        database_url: format!(
            "sqlite://{}/bench-{full_sync_hours}.sqlite?mode=rwc",
            dir.display()
        ),
        allow_private_device_addresses: true,
        full_sync_hours,
        ..Config::default()
    };
    let state = punchclock::app::build_state(config, Clock::system())
        .await
        .expect("the app state");
    let (company, device) = add_device(&state, sim).await;
    let first = state
        .syncer
        .sync_now(company, device)
        .await
        .expect("a sync");
    assert_eq!(first.log.outcome, Outcome::Ok, "{:?}", first.log);
    let mut steady = Steady {
        wall: Duration::ZERO,
        store: Duration::ZERO,
        record: Duration::ZERO,
        scheduled: Duration::ZERO,
        scheduled_before: Duration::ZERO,
        cpu: Duration::ZERO,
        received: 0,
        sent: 0,
        handed: 0,
    };
    let cpu = cpu_time();
    for _ in 0..polls {
        let t = Instant::now();
        let o = state
            .syncer
            .sync_now(company, device)
            .await
            .expect("a sync");
        let wall = t.elapsed();
        steady.wall += wall / polls;
        steady.store += wall.saturating_sub(Duration::from_millis(o.log.duration_ms)) / polls;
        steady.received = o.log.bytes_received;
        steady.sent = o.log.bytes_sent;
        // Full: every record read goes to the store; unchanged: none.
        steady.handed = match o.log.mode {
            Some(PollMode::Full) => u64::from(o.log.punches_read),
            _ => u64::from(o.log.punches_read - o.log.punches_known + o.log.punches_new),
        };
    }
    steady.cpu = cpu_time().saturating_sub(cpu) / polls;
    // The database work of an unchanged poll alone: its record, as the
    // poller makes it, recorded (device info, status, log row).
    let record = PollRecord {
        kind: LogKind::Sync,
        started_at: jiff::Timestamp::now(),
        duration: Duration::from_millis(3),
        host: "127.0.0.1".into(),
        address: Some(sim.addr(0).to_string()),
        transport_used: Some(Transport::Tcp),
        outcome: Outcome::Ok,
        reason: None,
        info: Some(DeviceInfo {
            user_count: Some(50),
            punch_count: Some(sim.device(0).punches().len() as u32),
            ..DeviceInfo::default()
        }),
        users: vec![],
        punches: vec![],
        history_pulled: true,
        next_poll_at: None,
        sync: PollSync {
            mode: Some(PollMode::Unchanged),
            bytes: WireBytes {
                received: 353,
                sent: 184,
            },
            ..PollSync::default()
        },
    };
    let rounds = polls * 20;
    let t = Instant::now();
    for _ in 0..rounds {
        state
            .store
            .record_poll(company, device, &record)
            .await
            .expect("recording a poll");
    }
    steady.record = t.elapsed() / rounds;
    // Due from now on (the syncs above scheduled it an interval ahead);
    // each round leaves it due again.
    let mut due = record.clone();
    due.next_poll_at = Some(jiff::Timestamp::now() - jiff::SignedDuration::from_secs(1));
    state
        .store
        .record_poll(company, device, &due)
        .await
        .expect("recording a poll");
    // Alternated, so both see the same machine.
    for _ in 0..5 {
        steady.scheduled_before +=
            scheduled_db_side_before(&state, company, device, &record, rounds).await / 5;
        steady.scheduled += scheduled_db_side(&state, company, device, &record, rounds).await / 5;
    }
    let grew = if full_sync_hours > 0 {
        let template = sim.device(0).punches()[0].clone();
        let added = (0..10u8).map(|i| {
            let mut p = template.clone();
            p.time.year = 2023;
            p.time.minute = i;
            p
        });
        sim.device(0).add_punches(added.collect());
        let o = state
            .syncer
            .sync_now(company, device)
            .await
            .expect("a sync");
        Some(o.log)
    } else {
        None
    };
    state.store.close().await;
    (steady, grew)
}

/// The database side of a scheduled poll of an unchanged device, every
/// statement the `Syncer` makes for it and nothing of the device session,
/// averaged over `rounds`: the claim (the lease and the poll target with
/// the company's care opt-ins, one transaction of 2 statements), then
/// recording the poll (2: the device row, which also gives the lease back
/// as the company opted into no device care, and the log row). The record
/// schedules the next poll in the past, so the device is due again at
/// once.
async fn scheduled_db_side(
    state: &AppState,
    company: CompanyId,
    device: DeviceId,
    record: &PollRecord,
    rounds: u32,
) -> Duration {
    let owner = "bench-scheduler";
    let lease = Duration::from_secs(120);
    let mut record = record.clone();
    let t = Instant::now();
    for _ in 0..rounds {
        let now = jiff::Timestamp::now();
        record.next_poll_at = Some(now - jiff::SignedDuration::from_secs(1));
        let claimed = state
            .store
            .claim_due_devices(owner, now, lease, 1)
            .await
            .expect("a claim");
        assert_eq!(claimed.len(), 1, "the device is due");
        assert!(!claimed[0].care_opted_in);
        state
            .store
            .record_poll_and_release(company, device, &record, owner)
            .await
            .expect("recording a poll");
    }
    t.elapsed() / rounds
}

/// [`scheduled_db_side`] as the `Syncer` made it at 512b592, before the
/// recording gave the lease back: the claim (2 statements); the recording
/// (3: the device row, the log row and the active-employee count, which
/// now rides on the device row's UPDATE, so here it is counted twice,
/// once in a statement of its own right after); the care opt-ins read for
/// `auto_care`; the lease given back by its own UPDATE.
async fn scheduled_db_side_before(
    state: &AppState,
    company: CompanyId,
    device: DeviceId,
    record: &PollRecord,
    rounds: u32,
) -> Duration {
    let owner = "bench-scheduler";
    let lease = Duration::from_secs(120);
    let mut record = record.clone();
    let store = &state.store;
    let t = Instant::now();
    for _ in 0..rounds {
        let now = jiff::Timestamp::now();
        record.next_poll_at = Some(now - jiff::SignedDuration::from_secs(1));
        let claimed = store
            .claim_due_devices(owner, now, lease, 1)
            .await
            .expect("a claim");
        assert_eq!(claimed.len(), 1, "the device is due");
        store
            .record_poll(company, device, &record)
            .await
            .expect("recording a poll");
        store
            .count_active_employees(company)
            .await
            .expect("the count");
        store.notify_settings(company).await.expect("the settings");
        assert!(store.release_lease(device, owner).await.expect("a release"));
    }
    t.elapsed() / rounds
}

async fn add_device(state: &AppState, sim: &Simulator) -> (CompanyId, DeviceId) {
    let company = state
        .store
        .create_company(&NewCompany {
            name: "Bench".into(),
            timezone: Zone::utc(),
            poll_interval_minutes: None,
            plan: "trial".into(),
            seats: 100_000,
            trial_ends_at: None,
        })
        .await
        .expect("a company");
    let addr = sim.addr(0);
    let device = state
        .store
        .create_device(
            company.id,
            &NewDevice {
                name: "Door".into(),
                host: addr.ip().to_string(),
                port: addr.port(),
                comm_key: None,
                transport: Transport::Tcp,
                timezone: None,
                enabled: true,
                poll_interval_minutes: None,
                mode: DeviceMode::Poll,
                push_serial: None,
            },
        )
        .await
        .expect("a device");
    (company.id, device.id)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
