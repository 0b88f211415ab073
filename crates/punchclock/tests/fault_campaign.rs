//! The fault campaign (issue 11): 1,000 scheduled polls of 20 simulated
//! clocks over real loopback sockets, each poll under a fault drawn from a
//! seeded RNG: a connection dropped mid-chunk, a corrupt frame, a stall past
//! the step timeout, ACK_ERROR, a restart with more punches mid-poll, a clock
//! that jumps, a comm key changed on the device, a log cleared from the
//! device's menu. Polls go through the scheduler (`tick`/`idle`, its
//! concurrency from the configuration) on a manual clock moved 40 minutes a
//! round, so every device is due once per round.
//!
//! Afterwards the faults are cleared, the right keys put back, every device
//! polled once more, and the stored punches must equal the union of what
//! the devices ever held (by serial, enroll id and device time): none lost,
//! none twice. Every poll has its log entry, every failed one a reason code
//! and plain words, no task panicked, and the process RSS after 1,000 polls
//! is within a stated bound of the RSS after the first 100.
//!
//! The seed is printed; `PUNCHCLOCK_FAULT_SEED=<seed>` replays the same
//! draws (the timing of concurrent polls still varies). Runs on SQLite, and
//! on PostgreSQL when `PUNCHCLOCK_TEST_POSTGRES_URL` is set.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{TestApp, TestOptions};
use jiff::civil::DateTime;
use jiff::{SignedDuration, Timestamp};
use punchclock::domain::{CompanyId, DeviceId, DeviceLog, Outcome, PollFailure, PunchFilter};
use punchclock::sync::{PollSettings, Scheduler, Syncer};
use rand::rngs::StdRng;
use rand::seq::IteratorRandom;
use rand::{Rng, SeedableRng};
use serde_json::json;
use zk_client::{ClientOptions, ZkClient};
use zk_protocol::DeviceTime;
use zk_sim::{DeviceSpec, Faults, Punch, SimDevice, Simulator};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const SEED_VAR: &str = "PUNCHCLOCK_FAULT_SEED";

const DEVICES: usize = 20;
const ROUNDS: usize = 50;
const USERS: u32 = 8;
const FIRST_PUNCHES: u32 = 250;
/// Polls run at most this many at once (the configured bound).
const MAX_CONCURRENT_POLLS: usize = 6;
/// Short, so a stall costs little; long enough for a loaded debug build.
const STEP_TIMEOUT: Duration = Duration::from_millis(400);
/// A round waits for its slowest poll, a stalled one: stalls come
/// together in one round in this many, so they cost little time.
const STALL_ROUNDS_ONE_IN: u32 = 5;
/// Past the 30-minute interval plus its 10% jitter: every device is due.
const ROUND: SignedDuration = SignedDuration::from_mins(40);
/// RSS may grow by at most this much between poll 100 and poll 1,000. It
/// grows by about 1.5 MB (the data, SQLite's page cache); when every
/// distinct size of a poll's punch insert stayed in the connections'
/// prepared-statement caches it grew by 11 MB (SQLite) and 26 MB
/// (PostgreSQL, still rising), and a reading kept per poll (10 kB and more)
/// would exceed it too.
const RSS_GROWTH_LIMIT_KB: u64 = 8 * 1024;

/// What a device does wrong during one poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fault {
    Healthy,
    DropMidChunk,
    CorruptFrame,
    Stall,
    AckError,
    Restart,
    ClockJump,
    CommKeyChanged,
    LogCleared,
}

impl Fault {
    const ALL: [Fault; 9] = [
        Fault::Healthy,
        Fault::DropMidChunk,
        Fault::CorruptFrame,
        Fault::Stall,
        Fault::AckError,
        Fault::Restart,
        Fault::ClockJump,
        Fault::CommKeyChanged,
        Fault::LogCleared,
    ];

    /// How a poll under this fault may end: `None` is success.
    fn allowed(self) -> &'static [Option<PollFailure>] {
        use PollFailure as F;
        match self {
            Fault::Healthy | Fault::ClockJump | Fault::LogCleared => &[None],
            Fault::DropMidChunk => &[Some(F::Closed), Some(F::Network)],
            Fault::CorruptFrame => &[Some(F::Protocol)],
            Fault::Stall => &[Some(F::Timeout), Some(F::AttemptTimeout)],
            Fault::AckError => &[Some(F::DeviceRejected)],
            // Cut off mid-read, or polled before or after the restart.
            Fault::Restart => &[None, Some(F::Closed), Some(F::Network)],
            Fault::CommKeyChanged => &[Some(F::Auth)],
        }
    }
}

/// A punch's identity in the store: serial, enroll id, device time.
type Key = (String, String, DateTime);

fn key(serial: &str, p: &Punch) -> Key {
    let t = p.time;
    let time = jiff::civil::date(t.year as i16, t.month as i8, t.day as i8).at(
        t.hour as i8,
        t.minute as i8,
        t.second as i8,
        0,
    );
    (serial.to_owned(), p.user_id.clone(), time)
}

/// One simulated clock and what the campaign knows of it.
struct Device {
    id: DeviceId,
    sim: SimDevice,
    serial: String,
    /// The comm key Punchclock has for it.
    key: u32,
    /// The device holds another key than Punchclock's.
    key_wrong: bool,
    /// Further polls that will meet the wrong key.
    wrong_key_polls: u32,
    /// Its last poll succeeded and nothing was added since: every punch it
    /// holds is stored, so clearing its log loses nothing.
    synced: bool,
    taps: u64,
    /// This round's wire faults and log size, for a failure's message.
    note: String,
    /// How this round's poll may end (`None`: success).
    allowed: Vec<Option<PollFailure>>,
}

struct Campaign {
    app: TestApp,
    _sim: Simulator,
    company: CompanyId,
    scheduler: Scheduler,
    devices: Vec<Device>,
    rng: StdRng,
    /// Every punch any device ever held.
    union: HashSet<Key>,
    /// Polls by fault (how many, the longest in ms), and failed polls by
    /// reason code.
    by_fault: BTreeMap<Fault, (usize, u64)>,
    failures: BTreeMap<&'static str, usize>,
    polls: usize,
    round_started: Timestamp,
    wire: Wire,
}

/// Where a poll's bytes go on the wire (TCP, framed), measured on healthy
/// devices like the campaign's: the handshake, the identity and the users
/// come first, then the punch table: one answer while it is small, else
/// read in a buffer, 40 bytes a punch in 1,024-byte data frames.
struct Wire {
    before_punches: usize,
    /// The table's transfer beyond its records, answered at once / buffered.
    inline_overhead: usize,
    buffered_overhead: usize,
    /// The largest table (records and a 4-byte size) answered at once.
    inline_limit: usize,
}

impl Wire {
    async fn measure(seed: u64) -> Wire {
        let spec = |punches| DeviceSpec {
            comm_key: Some(key_of(0)),
            ..DeviceSpec::generated(0, USERS, punches, seed)
        };
        let sim = Simulator::start(LOCALHOST, 0, vec![spec(FIRST_PUNCHES), spec(3)]);
        let sim = sim.await.unwrap();
        let (before, buffered) = Self::poll(sim.addr(0)).await;
        let (_, inline) = Self::poll(sim.addr(1)).await;
        sim.shutdown().await;
        Wire {
            before_punches: before,
            inline_overhead: inline - Self::records(3),
            buffered_overhead: buffered - Self::records(FIRST_PUNCHES as usize),
            inline_limit: DeviceSpec::default().inline_limit,
        }
    }

    /// Bytes received before the punch table, and for it.
    async fn poll(addr: std::net::SocketAddr) -> (usize, usize) {
        let opts = ClientOptions {
            comm_key: Some(key_of(0)),
            timeout: Duration::from_secs(5),
            ..ClientOptions::default()
        };
        let mut client = ZkClient::connect_addr(addr, &opts).await.unwrap();
        let meter = client.traffic_meter();
        client.info().await.unwrap();
        client.users().await.unwrap();
        let before = meter.traffic().received as usize;
        client.punches().await.unwrap();
        let table = meter.traffic().received as usize - before;
        client.close().await.unwrap();
        (before, table)
    }

    fn records(count: usize) -> usize {
        let bytes = count * 40;
        bytes + bytes / 1024 * 16
    }

    /// Bytes of the punch table's transfer when the device holds `count`.
    fn punch_table(&self, count: usize) -> usize {
        let overhead = match count * 40 + 4 <= self.inline_limit {
            true => self.inline_overhead,
            false => self.buffered_overhead,
        };
        overhead + Self::records(count)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_polls_under_random_faults_lose_and_duplicate_nothing() {
    let panics = count_panics();
    let seed = std::env::var(SEED_VAR)
        .ok()
        .map(|s| s.parse::<u64>().expect("PUNCHCLOCK_FAULT_SEED is a number"))
        .unwrap_or_else(rand::random);
    eprintln!("fault campaign seed {seed} (replay with {SEED_VAR}={seed})");
    let timer = Instant::now();
    let mut c = Campaign::start(seed).await;
    let mut rss = Vec::new();
    for _ in 0..ROUNDS {
        c.round().await;
        if c.polls == 100 || c.polls == ROUNDS * DEVICES {
            rss.push((c.polls, rss_kb()));
        }
    }
    c.final_round().await;
    let took = timer.elapsed();
    c.compare_with_the_union().await;
    c.every_poll_is_logged().await;
    assert_eq!(panics.load(Ordering::SeqCst), 0, "no task panicked");
    c.report(seed, took, &rss);
    let [(_, first), (_, last)] = rss[..] else {
        panic!("RSS measured at 100 and 1,000 polls: {rss:?}")
    };
    assert!(
        last.saturating_sub(first) <= RSS_GROWTH_LIMIT_KB,
        "memory stays flat: RSS {first} kB after 100 polls, {last} kB after 1,000 (bound +{RSS_GROWTH_LIMIT_KB} kB)"
    );
    c.app.shutdown().await;
}

/// Counts panics on any thread (a poll task that died would otherwise
/// only leave a missing log entry), still printing them as usual.
fn count_panics() -> Arc<AtomicUsize> {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        seen.fetch_add(1, Ordering::SeqCst);
        default(info);
    }));
    count
}

/// This process's resident set size, from /proc/self/status.
fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}

impl Campaign {
    async fn start(seed: u64) -> Campaign {
        let wire = Wire::measure(seed).await;
        let start: Timestamp = Timestamp::now().round(jiff::Unit::Second).unwrap();
        let app = TestApp::start_with(TestOptions {
            postgres: true,
            manual_clock: Some(start),
            // Every poll downloads (incremental polling off), so each
            // round's faults hit a download; incremental polls under
            // faults are in tests/sync_incremental.rs.
            configure: |c| {
                c.max_concurrent_polls = MAX_CONCURRENT_POLLS;
                c.full_sync_hours = 0;
            },
            ..TestOptions::default()
        })
        .await;
        let specs = (0..DEVICES as u32)
            .map(|i| DeviceSpec {
                comm_key: Some(key_of(i)),
                ..DeviceSpec::generated(i, USERS, FIRST_PUNCHES, seed)
            })
            .collect();
        let sim = Simulator::start(LOCALHOST, 0, specs).await.unwrap();
        let api = app.signup("Fault Campaign").await;
        let company = app.company_of("owner@fault-campaign.example.com").await;
        let mut devices = Vec::new();
        for i in 0..DEVICES {
            let body = json!({"name": format!("Door {i}"), "host": "127.0.0.1",
                "port": sim.addr(i).port(), "comm_key": key_of(i as u32).to_string()});
            let id = api.add_device_with(body).await["id"].as_i64().unwrap();
            devices.push(Device {
                id: DeviceId(id),
                sim: sim.device(i),
                serial: sim.device(i).serial(),
                key: key_of(i as u32),
                key_wrong: false,
                wrong_key_polls: 0,
                synced: false,
                taps: 0,
                note: String::new(),
                allowed: Vec::new(),
            });
        }
        let scheduler = Scheduler::new(syncer(&app), app.state.config.max_concurrent_polls);
        Campaign {
            company,
            _sim: sim,
            scheduler,
            devices,
            rng: StdRng::seed_from_u64(seed),
            union: HashSet::new(),
            by_fault: BTreeMap::new(),
            failures: BTreeMap::new(),
            polls: 0,
            round_started: start,
            wire,
            app,
        }
    }

    /// One poll of every device, each under its own fault.
    async fn round(&mut self) {
        let stalls = self.rng.gen_ratio(1, STALL_ROUNDS_ONE_IN);
        let faults: Vec<Fault> = (0..DEVICES).map(|d| self.prepare(d, stalls)).collect();
        let restarts = self.spawn_restarts(&faults);
        self.poll_every_device().await;
        for r in restarts {
            r.await.expect("restart task");
        }
        self.check_round(&faults).await;
        self.app.clock.advance(ROUND);
    }

    /// Draws device `d`'s fault for this round and sets it up; new taps
    /// come in now and then.
    fn prepare(&mut self, d: usize, stalls: bool) -> Fault {
        let dev = &mut self.devices[d];
        if dev.key_wrong && dev.wrong_key_polls == 0 {
            dev.sim.set_comm_key(Some(dev.key));
            dev.key_wrong = false;
        }
        let drawn = match dev.wrong_key_polls {
            0 => self.draw(stalls),
            _ => Fault::CommKeyChanged,
        };
        let fault = self.change_device(d, drawn);
        let taps = self.rng.gen_range(0..=2);
        self.tap(d, taps);
        self.set_faults(d, fault);
        fault
    }

    /// A fault: in a round with stalls a third of the devices stall, in
    /// others none do; every other fault is as likely as a healthy poll.
    fn draw(&mut self, stalls: bool) -> Fault {
        if stalls && self.rng.gen_ratio(1, 3) {
            return Fault::Stall;
        }
        let others = Fault::ALL.iter().filter(|f| **f != Fault::Stall);
        *others.choose(&mut self.rng).expect("faults")
    }

    /// What happens to device `d` itself before the poll. A log clear
    /// waits until its punches are all stored (a healthy poll until then).
    fn change_device(&mut self, d: usize, fault: Fault) -> Fault {
        match fault {
            Fault::ClockJump => self.jump_clock(d),
            Fault::CommKeyChanged => self.wrong_key(d),
            Fault::LogCleared if !self.devices[d].synced => return Fault::Healthy,
            Fault::LogCleared => self.clear_log(d),
            _ => {}
        }
        fault
    }

    /// How device `d` misbehaves on the wire during this poll; byte
    /// offsets fall inside the punch table's transfer.
    fn set_faults(&mut self, d: usize, fault: Fault) {
        let point = self.point_in_the_punches(d);
        let anywhere = self.rng.gen_range(0..=self.last_frame_start(d));
        let faults = match fault {
            Fault::DropMidChunk => Faults {
                drop_after_bytes: Some(point),
                ..Faults::default()
            },
            Fault::CorruptFrame => Faults {
                corrupt_frame_after_bytes: Some(anywhere),
                ..Faults::default()
            },
            Fault::Stall => Faults {
                stall_after_bytes: Some(anywhere),
                ..Faults::default()
            },
            Fault::AckError => Faults {
                ack_error: true,
                ..Faults::default()
            },
            _ => Faults::default(),
        };
        let dev = &mut self.devices[d];
        dev.note = format!("{faults:?} holding {}", dev.sim.punch_count());
        // Even a garbled first answer is a protocol failure: over TCP it
        // still carries ZK's magic, so it is no other service on the port.
        dev.allowed = fault.allowed().to_vec();
        dev.sim.set_faults(faults);
    }

    /// The device clock jumps hours or days either way; people punch at
    /// the new time.
    fn jump_clock(&mut self, d: usize) {
        let secs = self.rng.gen_range(600..=3 * 86_400);
        let sign = if self.rng.gen_bool(0.5) { 1 } else { -1 };
        self.devices[d].sim.jump_clock(sign * secs);
        let taps = self.rng.gen_range(1..=3);
        self.tap(d, taps);
    }

    /// Someone sets another comm key on the device: this poll and up to
    /// two more meet it, then it is put back.
    fn wrong_key(&mut self, d: usize) {
        let more = self.rng.gen_range(0..=2);
        let dev = &mut self.devices[d];
        if dev.key_wrong {
            dev.wrong_key_polls -= 1;
            return;
        }
        dev.sim.set_comm_key(Some(dev.key + 1));
        dev.key_wrong = true;
        dev.wrong_key_polls = more;
    }

    /// The owner clears the attendance log from the device's menu, after
    /// everything on it was stored.
    fn clear_log(&mut self, d: usize) {
        let dev = &self.devices[d];
        let held = dev.sim.punches();
        self.union.extend(held.iter().map(|p| key(&dev.serial, p)));
        dev.sim.clear_punches();
    }

    /// A byte offset inside the punch table's transfer to device `d`'s
    /// poll (from the calibration), away from its ends.
    fn point_in_the_punches(&mut self, d: usize) -> usize {
        let count = self.devices[d].sim.punch_count();
        let span = self.wire.punch_table(count);
        let (low, high) = (span / 20, (span * 9 / 10).min(span.saturating_sub(24)));
        self.wire.before_punches + self.rng.gen_range(low..high.max(low + 1))
    }

    /// A byte offset with a frame of the punch table starting at or after
    /// it: a stall or a corrupt frame hits the first frame that starts
    /// there (one later would hit only the goodbye, which a poll ignores).
    fn last_frame_start(&self, d: usize) -> usize {
        let span = self.wire.punch_table(self.devices[d].sim.punch_count());
        // Two 1,040-byte data frames back from the end; a small table is
        // one answer, starting where the table does.
        self.wire.before_punches + span.saturating_sub(2_100)
    }

    /// `n` people punch in at device `d` now (by its clock).
    fn tap(&mut self, d: usize, n: u64) {
        let dev = &mut self.devices[d];
        for _ in 0..n {
            dev.sim.tap(dev.taps).expect("a tap at the device's time");
            dev.taps += 1;
            dev.synced = false;
        }
    }

    /// A restart mid-poll, with punches taken while it was off: once the
    /// poll has connected, after a random moment.
    fn spawn_restarts(&mut self, faults: &[Fault]) -> Vec<tokio::task::JoinHandle<()>> {
        let mut tasks = Vec::new();
        for (d, _) in faults
            .iter()
            .enumerate()
            .filter(|(_, f)| **f == Fault::Restart)
        {
            let n = self.rng.gen_range(1..=5);
            let punches = self.while_off(d, n);
            let after = Duration::from_millis(self.rng.gen_range(0..15));
            let sim = self.devices[d].sim.clone();
            let served = sim.connections_served();
            tasks.push(tokio::spawn(async move {
                let deadline = Instant::now() + Duration::from_secs(20);
                while sim.connections_served() == served && Instant::now() < deadline {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                tokio::time::sleep(after).await;
                sim.restart(punches);
            }));
            self.devices[d].synced = false;
        }
        tasks
    }

    /// `n` punches by turns of device `d`'s users, a few minutes apart
    /// before its clock's "now".
    fn while_off(&mut self, d: usize, n: u64) -> Vec<Punch> {
        let dev = &mut self.devices[d];
        let users = dev.sim.users();
        let now = jiff::Zoned::now().datetime();
        (0..n)
            .map(|k| {
                let back = dev.sim.clock_offset_secs() - 60 * (k as i64 + 1);
                let t = now.checked_add(SignedDuration::from_secs(back)).unwrap();
                let user = &users[(dev.taps as usize) % users.len()];
                dev.taps += 1;
                Punch {
                    uid: user.uid,
                    user_id: user.user_id.clone(),
                    time: device_time(t),
                    status: 1,
                    punch: (k % 2) as u8,
                }
            })
            .collect()
    }

    /// Ticks the scheduler until every device's poll has started, then
    /// waits for them all.
    async fn poll_every_device(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut started = 0;
        while started < DEVICES {
            started += self.scheduler.tick().await;
            assert!(
                Instant::now() < deadline,
                "only {started} of {DEVICES} polls started"
            );
            if started < DEVICES {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        assert_eq!(started, DEVICES, "one poll per device per round");
        assert!(
            self.scheduler.idle(Duration::from_secs(60)).await,
            "every poll of the round finished"
        );
        self.polls += started;
    }

    /// Each device's newest log entry is this round's poll, and it ended
    /// as its fault allows, with a code and plain words when it failed.
    async fn check_round(&mut self, faults: &[Fault]) {
        for (d, &fault) in faults.iter().enumerate() {
            let log = self.newest_log(d).await;
            assert_eq!(log.started_at, self.round_started, "this round's poll");
            assert!(
                self.devices[d].allowed.contains(&log.reason_code),
                "{fault:?} on device {d} ({}) ended {:?} {:?}: {:?}",
                self.devices[d].note,
                log.outcome,
                log.reason_code,
                log.reason
            );
            assert_explained(&log);
            let seen = self.by_fault.entry(fault).or_default();
            *seen = (seen.0 + 1, seen.1.max(log.duration_ms));
            if let (Outcome::Failed, Some(code)) = (log.outcome, log.reason_code) {
                *self.failures.entry(code.as_str()).or_default() += 1;
            }
            let dev = &mut self.devices[d];
            // Taps came before the poll; a restart may have added after it read.
            dev.synced = log.outcome == Outcome::Ok && fault != Fault::Restart;
        }
        self.round_started += ROUND;
    }

    async fn newest_log(&self, d: usize) -> DeviceLog {
        let logs = self
            .app
            .state
            .store
            .list_device_logs(self.company, self.devices[d].id, 1)
            .await
            .unwrap();
        logs.into_iter().next().expect("the poll is logged")
    }

    /// Faults cleared and the right keys back: every device polled once
    /// more reads all it holds.
    async fn final_round(&mut self) {
        for dev in &mut self.devices {
            dev.sim.set_faults(Faults::default());
            dev.sim.set_comm_key(Some(dev.key));
            dev.key_wrong = false;
            dev.wrong_key_polls = 0;
        }
        self.poll_every_device().await;
        for d in 0..DEVICES {
            let log = self.newest_log(d).await;
            assert_eq!(log.started_at, self.round_started, "the final poll");
            assert_eq!(log.outcome, Outcome::Ok, "{log:?}");
        }
    }

    async fn compare_with_the_union(&mut self) {
        for dev in &self.devices {
            let held = dev.sim.punches();
            self.union.extend(held.iter().map(|p| key(&dev.serial, p)));
        }
        let filter = PunchFilter {
            limit: 1_000_000,
            oldest_first: true,
            ..PunchFilter::default()
        };
        let rows = self.app.state.store.list_punches(self.company, &filter);
        let rows = rows.await.unwrap();
        let stored: HashSet<Key> = rows
            .iter()
            .map(|r| {
                let p = &r.punch;
                (p.device_serial.clone(), p.enroll_id.clone(), p.device_time)
            })
            .collect();
        assert_eq!(stored.len(), rows.len(), "no punch stored twice");
        let lost: Vec<_> = self.union.difference(&stored).take(5).collect();
        let extra: Vec<_> = stored.difference(&self.union).take(5).collect();
        assert!(
            lost.is_empty() && extra.is_empty(),
            "stored {} punches, the devices held {}; lost e.g. {lost:?}, never held e.g. {extra:?}",
            stored.len(),
            self.union.len()
        );
    }

    /// One log entry per poll started (a poll task that died leaves none),
    /// and no lease left behind.
    async fn every_poll_is_logged(&self) {
        let store = &self.app.state.store;
        for dev in &self.devices {
            let logs = store
                .list_device_logs(self.company, dev.id, 1_000)
                .await
                .unwrap();
            assert_eq!(logs.len(), ROUNDS + 1, "device {}", dev.id);
            logs.iter().for_each(assert_explained);
            let device = store.get_device(self.company, dev.id).await.unwrap();
            assert_eq!(device.lease_owner, None, "lease given back");
        }
    }

    fn report(&self, seed: u64, took: Duration, rss: &[(usize, u64)]) {
        let failed: usize = self.failures.values().sum();
        eprintln!(
            "fault campaign (seed {seed}): {} polls (the last {DEVICES} without faults) in {:.1} s, {failed} failed; \
             by fault (polls, longest ms) {:?}; failures by reason {:?}; RSS {:?} (polls, kB); \
             {} punches stored = the union of what the devices held",
            self.polls,
            took.as_secs_f64(),
            self.by_fault,
            self.failures,
            rss,
            self.union.len()
        );
    }
}

/// A failed poll says why: a reason code and a sentence in plain words.
fn assert_explained(log: &DeviceLog) {
    if log.outcome != Outcome::Failed {
        return;
    }
    assert!(log.reason_code.is_some(), "a code: {log:?}");
    let reason = log.reason.as_deref().unwrap_or_default();
    let words = reason.split_whitespace().count();
    let debug_output = reason.contains(" { ") || reason.contains("Error(");
    assert!(
        words >= 4 && !debug_output && reason.starts_with(char::is_alphabetic),
        "plain words: {reason:?}"
    );
}

/// A syncer like the service's, acting as this test's instance, with
/// short step timeouts so a stall costs little.
fn syncer(app: &TestApp) -> Syncer {
    let settings = PollSettings {
        step_timeout: STEP_TIMEOUT,
        attempt_timeout: Duration::from_secs(20),
        ..app.state.syncer.settings().clone()
    };
    let (store, billing) = (app.state.store.clone(), app.state.billing.clone());
    Syncer::new(
        store,
        billing,
        settings,
        "fault-campaign".into(),
        app.clock.clone(),
    )
}

fn key_of(device: u32) -> u32 {
    4_000 + device * 7
}

fn device_time(t: DateTime) -> DeviceTime {
    let n = |v: i8| v as u8;
    DeviceTime::new(
        t.year() as u16,
        n(t.month()),
        n(t.day()),
        n(t.hour()),
        n(t.minute()),
        n(t.second()),
    )
    .expect("a device time")
}
