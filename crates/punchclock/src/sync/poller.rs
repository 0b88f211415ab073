//! One contact with one device: resolve, vet the address, handshake, read,
//! and turn the result (or the failure, in plain words) into a `PollRecord`.
//!
//! Nothing here touches the store, so the same code serves scheduled syncs,
//! "Sync now" and "Test connection".

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use zk_client::{ClientError, ClientOptions, TransportChoice, ZkClient};
use zk_protocol::NameDecoding;

use super::address::first_public;
use crate::clock::Clock;
use crate::domain::device_time::to_civil;
use crate::domain::{
    DeviceInfo, DeviceUser, LogKind, NewPunch, Outcome, PollFailure, PollReason, PollRecord,
    PollTarget, Transport, Zone,
};

/// How polls behave; from the service configuration.
#[derive(Debug, Clone)]
pub struct PollSettings {
    /// Per protocol step.
    pub step_timeout: Duration,
    /// Whole attempt, whatever the device holds: the ceiling of
    /// [`PollSettings::attempt_limit`], so one dead or slow device cannot
    /// hold a worker forever.
    pub attempt_timeout: Duration,
    /// What a sync may take besides its data: the handshake, the device's
    /// identity and a slow link's round trips.
    pub attempt_base: Duration,
    pub allow_private_addresses: bool,
    pub chunk_retries: u32,
}

impl Default for PollSettings {
    fn default() -> Self {
        PollSettings {
            step_timeout: Duration::from_secs(10),
            attempt_timeout: Duration::from_secs(600),
            attempt_base: Duration::from_secs(60),
            allow_private_addresses: false,
            chunk_retries: 3,
        }
    }
}

/// Time allowed per user or punch record the device says it holds: 500
/// records a second, a slow link's pace (a LAN reads tens of thousands).
const PER_RECORD: Duration = Duration::from_millis(2);

impl PollSettings {
    /// How long a sync of a device holding `records` users and punches may
    /// take: [`PollSettings::attempt_base`] plus time for each record, never
    /// more than `attempt_timeout`. A valid but slow clock with little data
    /// so cannot hold a worker (and a "Sync now") for the whole ceiling,
    /// while a big clock gets the time its data needs.
    pub fn attempt_limit(&self, records: u64) -> Duration {
        let per_record = u32::try_from(records).map_or(Duration::MAX, |n| PER_RECORD * n);
        self.attempt_base
            .saturating_add(per_record)
            .min(self.attempt_timeout)
    }
}

/// A failure on the way: its code and plain words, and how far it got.
struct Failure {
    reason: PollReason,
    address: Option<SocketAddr>,
    transport: Option<Transport>,
}

impl Failure {
    fn new(code: PollFailure, message: impl Into<String>, address: Option<SocketAddr>) -> Self {
        Failure {
            reason: PollReason::new(code, message),
            address,
            transport: None,
        }
    }

    fn client(e: &ClientError, address: Option<SocketAddr>) -> Self {
        Failure::new(failure_code(e), client_message(e), address)
    }
}

/// What the device log says of a client error. Whatever answered that is
/// not a ZK device is not described: echoing its first bytes (`bad TCP
/// magic [48, 54, 54, 50]`) would let the device form grab banners.
fn client_message(e: &ClientError) -> String {
    match e {
        ClientError::NotZk { .. } => NOT_A_ZK_DEVICE.to_string(),
        e => e.to_string(),
    }
}

const NOT_A_ZK_DEVICE: &str = "something answered at this address and port, but not a ZK time clock: check the port (ZK devices listen on 4370) and the router's port forwarding";

/// The code of a client error. Matched on the variants rather than on
/// `ClientError::kind()`'s text, so a new variant is a compile error here.
fn failure_code(e: &ClientError) -> PollFailure {
    match e {
        ClientError::Resolve { .. } => PollFailure::Dns,
        ClientError::Refused { .. } => PollFailure::Refused,
        ClientError::Timeout { .. } => PollFailure::Timeout,
        ClientError::KeyRequired | ClientError::KeyRejected => PollFailure::Auth,
        ClientError::NotZk { .. } => PollFailure::NotAZkDevice,
        ClientError::Device { .. } => PollFailure::DeviceRejected,
        ClientError::Protocol { .. } => PollFailure::Protocol,
        ClientError::Closed { .. } => PollFailure::Closed,
        ClientError::Io { .. } => PollFailure::Network,
    }
}

struct Reading {
    address: SocketAddr,
    transport: Transport,
    info: DeviceInfo,
    users: Vec<DeviceUser>,
    punches: Vec<NewPunch>,
    skipped_punches: usize,
}

/// Contact the device once. A `Test` only does the handshake and reads the
/// device's identity; a `Sync` also reads all users and punches (the protocol
/// has no incremental read; the store ignores punches it already has).
/// `clock` stamps the attempt and measures the device's clock drift.
pub async fn poll(
    target: &PollTarget,
    settings: &PollSettings,
    kind: LogKind,
    clock: &Clock,
) -> PollRecord {
    let started_at = clock.now();
    let timer = Instant::now();
    let attempt = read(target, settings, kind, clock, timer);
    let result = match tokio::time::timeout(settings.attempt_timeout, attempt).await {
        Ok(r) => r,
        Err(_) => Err(Failure::new(
            PollFailure::AttemptTimeout,
            format!(
                "the attempt took longer than {} seconds and was stopped",
                settings.attempt_timeout.as_secs()
            ),
            None,
        )),
    };
    let mut record = PollRecord {
        kind,
        started_at,
        duration: timer.elapsed(),
        host: target.host.clone(),
        address: None,
        transport_used: None,
        outcome: Outcome::Failed,
        reason: None,
        info: None,
        users: vec![],
        punches: vec![],
        history_pulled: false,
        next_poll_at: None,
    };
    match result {
        Ok(r) => fill_reading(&mut record, r),
        Err(f) => {
            record.reason = Some(f.reason);
            record.address = f.address.map(|a| a.to_string());
            record.transport_used = f.transport;
        }
    }
    record
}

fn fill_reading(record: &mut PollRecord, r: Reading) {
    record.outcome = Outcome::Ok;
    record.address = Some(r.address.to_string());
    record.transport_used = Some(r.transport);
    record.info = Some(r.info);
    record.history_pulled = record.kind == LogKind::Sync;
    record.users = r.users;
    record.punches = r.punches;
    if r.skipped_punches > 0 {
        record.reason = Some(PollReason::new(
            PollFailure::UnreadableRecords,
            format!(
                "{} punch records on the device could not be read (corrupt dates) and were skipped",
                r.skipped_punches
            ),
        ));
    }
}

async fn read(
    target: &PollTarget,
    settings: &PollSettings,
    kind: LogKind,
    clock: &Clock,
    started: Instant,
) -> Result<Reading, Failure> {
    // Checked before any contact: punch instants cannot be computed
    // without the zone, and guessing UTC would store them hours off.
    let zone = target.timezone.as_ref().map_err(|e| {
        let message = format!(
            "{e} is set for this device or its company: choose a time zone in the settings"
        );
        Failure::new(PollFailure::UnknownZone, message, None)
    })?;
    let address = resolve(target, settings).await?;
    let mut client = ZkClient::connect_addr(address, &client_options(target, settings))
        .await
        .map_err(|e| Failure::client(&e, Some(address)))?;
    let transport = match client.transport() {
        zk_protocol::Transport::Tcp => Transport::Tcp,
        zk_protocol::Transport::Udp => Transport::Udp,
    };
    // The binary protocol reports no language we can rely on (zk-protocol.md
    // §7.1 gives no values), so names follow the setting, else CP1252.
    let names = target.name_encoding.decoding(None);
    let limits = Limits { settings, started };
    let outcome = read_tables(&mut client, zone, &names, kind, clock.now(), limits).await;
    // Always end the session, even after a failed read; its own failure is
    // not worth reporting over the real one.
    if let Err(e) = client.close().await {
        tracing::debug!(device = %target.device_id, "closing the session failed: {e}");
    }
    let (info, users, punches, skipped_punches) = outcome.map_err(|e| {
        let failure = match e {
            TableError::Client(e) => Failure::client(&e, Some(address)),
            TableError::OverLimit { records, limit } => Failure::new(
                PollFailure::AttemptTimeout,
                format!(
                    "reading the {records} users and punches the device holds took longer than {} seconds (the time allowed for that much data) and was stopped: the link to the device is too slow",
                    limit.as_secs()
                ),
                Some(address),
            ),
        };
        Failure {
            transport: Some(transport),
            ..failure
        }
    })?;
    Ok(Reading {
        address,
        transport,
        info,
        users,
        punches,
        skipped_punches,
    })
}

/// Resolve, vet and connect, for contacts other than polls (device care,
/// live capture); a failure comes as its code and plain words.
pub(crate) async fn connect(
    target: &PollTarget,
    settings: &PollSettings,
) -> Result<ZkClient, PollReason> {
    let address = resolve(target, settings).await.map_err(|f| f.reason)?;
    ZkClient::connect_addr(address, &client_options(target, settings))
        .await
        .map_err(|e| Failure::client(&e, Some(address)).reason)
}

/// A client error as a code and plain words.
pub(crate) fn reason(e: &ClientError) -> PollReason {
    Failure::client(e, None).reason
}

fn client_options(target: &PollTarget, settings: &PollSettings) -> ClientOptions {
    ClientOptions {
        comm_key: target.comm_key,
        transport: match target.transport {
            Transport::Auto => TransportChoice::Auto,
            Transport::Tcp => TransportChoice::Tcp,
            Transport::Udp => TransportChoice::Udp,
        },
        timeout: settings.step_timeout,
        retries: settings.chunk_retries,
    }
}

/// Resolved afresh on every poll (dynamic-DNS names change), then vetted.
async fn resolve(target: &PollTarget, settings: &PollSettings) -> Result<SocketAddr, Failure> {
    let addrs = zk_client::resolve(&target.host, target.port, settings.step_timeout)
        .await
        .map_err(|e| Failure::client(&e, None))?;
    pick_address(&addrs, settings.allow_private_addresses).map_err(|reason| {
        Failure::new(
            PollFailure::AddressNotAllowed,
            format!(
                "{} resolves to {reason}, which this service does not connect to: enter the public IP address or DNS name of the router in front of the device",
                target.host
            ),
            None,
        )
    })
}

type Tables = (DeviceInfo, Vec<DeviceUser>, Vec<NewPunch>, usize);

/// Why reading the tables stopped.
enum TableError {
    Client(ClientError),
    /// The data took longer than its [`PollSettings::attempt_limit`].
    OverLimit {
        records: u64,
        limit: Duration,
    },
}

/// What bounds reading the tables: the settings, and when the attempt began.
#[derive(Clone, Copy)]
struct Limits<'a> {
    settings: &'a PollSettings,
    started: Instant,
}

async fn read_tables(
    client: &mut ZkClient,
    zone: &Zone,
    names: &NameDecoding,
    kind: LogKind,
    now: Timestamp,
    limits: Limits<'_>,
) -> Result<Tables, TableError> {
    let device = client.info().await.map_err(TableError::Client)?;
    let drift = device_instant(zone, device.time).map(|t| t.as_second() - now.as_second());
    let info = DeviceInfo {
        serial_number: device.serial_number.clone(),
        device_name: device.device_name.clone(),
        platform: device.platform.clone(),
        firmware: device.firmware.clone(),
        mac: device.mac.clone(),
        user_count: Some(device.sizes.users),
        punch_count: Some(device.sizes.records),
        user_capacity: Some(device.sizes.users_cap),
        punch_capacity: Some(device.sizes.records_cap),
        clock_drift_seconds: drift,
    };
    if kind == LogKind::Test {
        return Ok((info, vec![], vec![], 0));
    }
    // Sized to what the device says it holds, counted from the start.
    let records = u64::from(device.sizes.users) + u64::from(device.sizes.records);
    let limit = limits.settings.attempt_limit(records);
    let left = limit.saturating_sub(limits.started.elapsed());
    match tokio::time::timeout(left, read_rows(client, zone, names)).await {
        Ok(Ok((users, punches, skipped))) => Ok((info, users, punches, skipped)),
        Ok(Err(e)) => Err(TableError::Client(e)),
        Err(_) => Err(TableError::OverLimit { records, limit }),
    }
}

/// All users and punches of the device.
async fn read_rows(
    client: &mut ZkClient,
    zone: &Zone,
    names: &NameDecoding,
) -> Result<(Vec<DeviceUser>, Vec<NewPunch>, usize), ClientError> {
    let users = client
        .users()
        .await?
        .into_iter()
        .map(|u| DeviceUser {
            enroll_id: u.user_id,
            name: names.decode(&u.name_bytes),
            name_bytes: u.name_bytes,
            uid: u.uid,
            privilege: u.privilege,
            card: u.card,
        })
        .collect();
    let mut punches = Vec::new();
    let mut skipped = 0usize;
    client
        .punches_with(
            &mut |p| match to_new_punch(zone, p) {
                Some(np) => punches.push(np),
                None => skipped += 1,
            },
            &mut |_, _| {},
        )
        .await?;
    Ok((users, punches, skipped))
}

/// The address to contact: the first acceptable one.
fn pick_address(addrs: &[SocketAddr], allow_private: bool) -> Result<SocketAddr, String> {
    if allow_private {
        return addrs
            .first()
            .copied()
            .ok_or_else(|| "no address".to_string());
    }
    // The reason only: never the address a name resolved to.
    first_public(addrs).map_err(|refused| match refused {
        Some((_, reason)) => reason.to_string(),
        None => "no address".to_string(),
    })
}

/// The instant a device wall-clock time denotes in the device's zone (see
/// [`Zone::instant`] for DST overlaps and gaps).
pub(crate) fn device_instant(zone: &Zone, t: zk_protocol::DeviceTime) -> Option<Timestamp> {
    zone.instant(to_civil(t)?)
}

pub(crate) fn to_new_punch(zone: &Zone, p: zk_protocol::Punch) -> Option<NewPunch> {
    Some(NewPunch {
        device_time: to_civil(p.time)?,
        punched_at: device_instant(zone, p.time)?,
        enroll_id: p.user_id,
        status: p.status,
        punch_type: p.punch,
        uid: p.uid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_first_public_address_unless_private_allowed() {
        let private: SocketAddr = "192.168.1.201:4370".parse().unwrap();
        // Values only: nothing is contacted.
        let public: SocketAddr = "8.8.8.8:4370".parse().unwrap();
        assert_eq!(pick_address(&[private, public], false), Ok(public));
        assert_eq!(pick_address(&[private, public], true), Ok(private));
        let err = pick_address(&[private], false).unwrap_err();
        assert!(err.contains("private"), "{err}");
        assert!(!err.contains("192.168"), "echoes the address: {err}");
    }

    #[test]
    fn client_errors_map_to_their_codes() {
        let timeout = ClientError::Timeout {
            step: "connecting",
            after: Duration::from_secs(3),
        };
        assert_eq!(failure_code(&timeout), PollFailure::Timeout);
        assert_eq!(failure_code(&ClientError::KeyRejected), PollFailure::Auth);
        assert_eq!(failure_code(&ClientError::KeyRequired), PollFailure::Auth);
        let not_zk = ClientError::NotZk {
            detail: "bad TCP magic [48, 54, 54, 50]".into(),
        };
        assert_eq!(failure_code(&not_zk).as_str(), "not_a_zk_device");
        let said = Failure::client(&not_zk, None).reason.message;
        assert!(!said.contains("48") && said.contains("4370"), "{said}");
        let refused = ClientError::Refused {
            addr: "203.0.113.9:4370".parse().unwrap(),
        };
        let f = Failure::client(&refused, None);
        assert_eq!(f.reason.code, PollFailure::Refused);
        assert_eq!(f.reason.message, refused.to_string());
    }

    #[test]
    fn the_attempt_limit_grows_with_the_data_up_to_the_ceiling() {
        let settings = PollSettings::default();
        assert_eq!(settings.attempt_limit(0), Duration::from_secs(60));
        // 100,000 records at 500 a second: 200 s more.
        assert_eq!(settings.attempt_limit(100_000), Duration::from_secs(260));
        // 3 M records would need 6,060 s: the ceiling holds.
        assert_eq!(settings.attempt_limit(3_000_000), Duration::from_secs(600));
        assert_eq!(settings.attempt_limit(u64::MAX), Duration::from_secs(600));
    }

    fn sim_target(addr: SocketAddr) -> PollTarget {
        PollTarget {
            device_id: crate::domain::DeviceId(1),
            company_id: crate::domain::CompanyId(1),
            name: "Slow".into(),
            host: addr.ip().to_string(),
            port: addr.port(),
            comm_key: None,
            transport: Transport::Tcp,
            timezone: Ok(Zone::parse("UTC").unwrap()),
            history_pulled: false,
            serial_number: None,
            poll_interval_minutes: 30,
            name_encoding: crate::domain::NameSetting::Auto,
        }
    }

    /// A valid clock on a slow link, holding little: stopped once the time
    /// its data needs is up, not after the whole ceiling.
    #[tokio::test]
    async fn a_slow_clock_with_little_data_is_stopped_at_its_sized_limit() {
        use std::net::{IpAddr, Ipv4Addr};
        let sim = zk_sim::Simulator::start(
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            0,
            vec![zk_sim::DeviceSpec::generated(0, 3, 20, 7)],
        )
        .await
        .unwrap();
        let target = sim_target(sim.addr(0));
        let settings = PollSettings {
            step_timeout: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(600),
            attempt_base: Duration::from_secs(1),
            allow_private_addresses: true,
            ..PollSettings::default()
        };
        let clock = Clock::system();
        // Healthy, it fits its limit (a roomier one: loopback on a busy
        // machine is not what is measured here).
        let roomy = PollSettings {
            attempt_base: Duration::from_secs(10),
            ..settings.clone()
        };
        let ok = poll(&target, &roomy, LogKind::Sync, &clock).await;
        assert_eq!(ok.outcome, Outcome::Ok, "{:?}", ok.reason);
        assert_eq!(ok.punches.len(), 20);

        // Every answer 300 ms late: the whole read would take seconds.
        sim.device(0).set_faults(zk_sim::Faults {
            delay: Some(Duration::from_millis(300)),
            ..zk_sim::Faults::default()
        });
        let timer = Instant::now();
        let slow = poll(&target, &settings, LogKind::Sync, &clock).await;
        assert_eq!(slow.outcome, Outcome::Failed);
        let reason = slow.reason.expect("a reason");
        assert_eq!(reason.code, PollFailure::AttemptTimeout);
        assert!(
            reason.message.contains("23 users and punches"),
            "{}",
            reason.message
        );
        // Its limit is 1 s + 23 records; the handshake steps come on top.
        assert!(
            timer.elapsed() < Duration::from_secs(8),
            "{:?}",
            timer.elapsed()
        );
    }

    #[test]
    fn device_time_converts_with_the_zone() {
        let tz = Zone::parse("Europe/Berlin").unwrap();
        let t = zk_protocol::DeviceTime::new(2026, 7, 1, 9, 0, 0).unwrap();
        let ts = device_instant(&tz, t).unwrap();
        assert_eq!(ts.to_string(), "2026-07-01T07:00:00Z");
        // Spring-forward gap: 02:30 does not exist; still maps, never panics.
        let gap = zk_protocol::DeviceTime::new(2026, 3, 29, 2, 30, 0).unwrap();
        assert!(device_instant(&tz, gap).is_some());
    }
}
