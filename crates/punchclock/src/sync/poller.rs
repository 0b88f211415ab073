//! One contact with one device: resolve, vet the address, handshake, read,
//! and turn the result (or the failure, in plain words) into a `PollRecord`.
//!
//! Nothing here touches the store: a sync hands what it reads to a
//! [`PollSink`] as it reads it (the device and its users, then each batch
//! of punches), and asks the device for the next chunk only once the sink
//! took the last batch. So the same code serves scheduled syncs, "Sync
//! now" and "Test connection", and a sync holds one batch whatever the
//! device's size.

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use zk_client::{ClientError, ClientOptions, TransportChoice, ZkClient};
use zk_protocol::NameDecoding;

use super::address::first_public;
use super::incremental::{plan, Plan, Tail};
use crate::clock::Clock;
use crate::domain::device_time::to_civil;
use crate::domain::{
    DeviceInfo, DeviceUser, LogKind, NewPunch, Outcome, PollFailure, PollMode, PollReason,
    PollRecord, PollSync, PollTarget, SyncMark, Transport, WireBytes, Zone,
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
    /// Most punches handed to the store at once (each batch is one short
    /// transaction); a device chunk larger than this is split.
    pub batch_punches: usize,
    /// A sync hands every punch to the store at least this often, even
    /// when the counters say nothing changed (`full_sync_hours`); zero
    /// makes every sync a full one.
    pub full_sync_every: Duration,
}

impl Default for PollSettings {
    fn default() -> Self {
        PollSettings {
            step_timeout: Duration::from_secs(10),
            attempt_timeout: Duration::from_secs(600),
            attempt_base: Duration::from_secs(60),
            allow_private_addresses: false,
            chunk_retries: 3,
            batch_punches: 2000,
            full_sync_every: Duration::from_secs(24 * 3_600),
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
    /// What the sync had planned before it failed (its mode and note).
    sync: PollSync,
    bytes: WireBytes,
}

impl Failure {
    fn new(code: PollFailure, message: impl Into<String>, address: Option<SocketAddr>) -> Self {
        Failure {
            reason: PollReason::new(code, message),
            address,
            transport: None,
            sync: PollSync::default(),
            bytes: WireBytes::default(),
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

/// Where a sync puts what it reads, as it reads it: `begin` once the
/// device and its users are read (before any punch), then `punches` for
/// each batch, in order. An error stops the sync with that reason.
pub trait PollSink: Send {
    /// `record` is the sync so far: the device, the address, its users.
    fn begin(&mut self, record: &PollRecord)
        -> impl Future<Output = Result<(), PollReason>> + Send;
    fn punches(
        &mut self,
        batch: Vec<NewPunch>,
    ) -> impl Future<Output = Result<(), PollReason>> + Send;
}

/// Keeps everything in the record, for [`poll`].
#[derive(Default)]
struct Collect {
    users: Vec<DeviceUser>,
    punches: Vec<NewPunch>,
}

impl PollSink for Collect {
    async fn begin(&mut self, record: &PollRecord) -> Result<(), PollReason> {
        self.users.clone_from(&record.users);
        Ok(())
    }

    async fn punches(&mut self, batch: Vec<NewPunch>) -> Result<(), PollReason> {
        self.punches.extend(batch);
        Ok(())
    }
}

struct Reading {
    address: SocketAddr,
    transport: Transport,
    info: DeviceInfo,
    skipped_punches: usize,
    sync: PollSync,
}

/// Contact the device once. A `Test` only does the handshake and reads the
/// device's identity; a `Sync` also reads all users and punches (the protocol
/// has no incremental read; the store ignores punches it already has).
/// `clock` stamps the attempt and measures the device's clock drift.
/// Everything read is in the record; for big devices use [`poll_into`].
pub async fn poll(
    target: &PollTarget,
    settings: &PollSettings,
    kind: LogKind,
    clock: &Clock,
) -> PollRecord {
    let mut all = Collect::default();
    let mut record = poll_into(target, settings, kind, clock, &mut all).await;
    if record.outcome == Outcome::Ok {
        record.users = all.users;
        record.punches = all.punches;
    }
    record
}

/// [`poll`], handing users and punches to `sink` as they are read instead
/// of keeping them: the record returned carries none. It failed if the
/// sink refused a batch (with the sink's reason); batches the sink took
/// before a failure stay taken.
pub async fn poll_into(
    target: &PollTarget,
    settings: &PollSettings,
    kind: LogKind,
    clock: &Clock,
    sink: &mut impl PollSink,
) -> PollRecord {
    let started_at = clock.now();
    let timer = Instant::now();
    let mut record = PollRecord {
        kind,
        started_at,
        duration: Duration::ZERO,
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
        sync: PollSync::default(),
    };
    let attempt = read(target, settings, &record, clock, timer, sink);
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
    record.duration = timer.elapsed();
    match result {
        Ok(r) => fill_reading(&mut record, r),
        Err(f) => {
            record.reason = Some(f.reason);
            record.address = f.address.map(|a| a.to_string());
            record.transport_used = f.transport;
            record.sync = PollSync {
                bytes: f.bytes,
                ..f.sync
            };
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
    record.sync = r.sync;
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
    header: &PollRecord,
    clock: &Clock,
    started: Instant,
    sink: &mut impl PollSink,
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
    let mut header = PollRecord {
        address: Some(address.to_string()),
        transport_used: Some(transport),
        ..header.clone()
    };
    let reading = Tables {
        zone,
        names: &names,
        now: clock.now(),
        batch: settings.batch_punches.max(1),
        settings,
        started,
        target,
    };
    let meter = client.traffic_meter();
    let outcome = reading.read(&mut client, &mut header, sink).await;
    // Always end the session, even after a failed read; its own failure is
    // not worth reporting over the real one.
    if let Err(e) = client.close().await {
        tracing::debug!(device = %target.device_id, "closing the session failed: {e}");
    }
    let traffic = meter.traffic();
    let bytes = WireBytes {
        received: traffic.received,
        sent: traffic.sent,
    };
    let (info, skipped_punches, sync) = outcome.map_err(|e| {
        let failure = match e {
            ReadError::Client(e) => Failure::client(&e, Some(address)),
            ReadError::Sink(reason) => Failure {
                reason,
                address: Some(address),
                transport: None,
                sync: PollSync::default(),
                bytes: WireBytes::default(),
            },
            ReadError::OverLimit { records, limit } => Failure::new(
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
            sync: header.sync.clone(),
            bytes,
            ..failure
        }
    })?;
    Ok(Reading {
        address,
        transport,
        info,
        skipped_punches,
        sync: PollSync { bytes, ..sync },
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

/// Why reading the tables stopped: the device, the sink, or the time.
enum ReadError {
    Client(ClientError),
    Sink(PollReason),
    /// The data took longer than its [`PollSettings::attempt_limit`].
    OverLimit {
        records: u64,
        limit: Duration,
    },
}

impl From<ClientError> for ReadError {
    fn from(e: ClientError) -> Self {
        ReadError::Client(e)
    }
}

/// How one contact turns records into users and punches.
struct Tables<'a> {
    zone: &'a Zone,
    names: &'a NameDecoding,
    now: Timestamp,
    /// Most punches per hand-over to the sink.
    batch: usize,
    settings: &'a PollSettings,
    /// When the attempt began: the attempt limit counts from there.
    started: Instant,
    /// The device, with what its last successful sync found.
    target: &'a PollTarget,
}

/// What reading the tables gave: the identity, punch records that could
/// not be read, and what the sync did (its mode and mark).
type Read = (DeviceInfo, usize, PollSync);

impl Tables<'_> {
    /// Reads the device's identity and counters, then (for a sync) what
    /// the plan asks for (`incremental.rs`): nothing when the counters
    /// match the last sync, else its users and its punches chunk by chunk
    /// into `sink`, only those after the last sync's position when the log
    /// was only appended to.
    async fn read(
        &self,
        client: &mut ZkClient,
        header: &mut PollRecord,
        sink: &mut impl PollSink,
    ) -> Result<Read, ReadError> {
        // A sync after a successful one first reads only what tells whether
        // anything changed: an unchanged poll is then 3 round trips after
        // the handshake, not 7. The rest of the identity is read when the
        // sync downloads (and by every test and first sync).
        let brief = header.kind == LogKind::Sync && self.target.mark.is_some();
        let mut device = match brief {
            true => client.check().await?,
            false => client.info().await?,
        };
        let sizes = device.sizes;
        if header.kind == LogKind::Test {
            return Ok((self.device_info(&device), 0, PollSync::default()));
        }
        let serial_changed = matches!(
            (&self.target.serial_number, &device.serial_number),
            (Some(a), Some(b)) if a != b
        );
        let plan = plan(
            self.target.mark.as_ref(),
            &sizes,
            serial_changed,
            self.now,
            self.settings.full_sync_every,
        );
        header.sync = PollSync {
            mode: Some(plan.mode()),
            note: note(&plan),
            ..PollSync::default()
        };
        if plan == Plan::Unchanged {
            // Nothing to download: the poll is recorded as one log row.
            header.outcome = Outcome::Ok;
            return Ok((self.device_info(&device), 0, header.sync.clone()));
        }
        if brief {
            client.describe(&mut device).await?;
        }
        let info = self.device_info(&device);
        // Sized to what the device says it holds, counted from the start
        // (twice the punches when a refilled log may be read twice).
        let reads = match plan {
            Plan::Incremental { after, .. } if after > 0 => 2,
            _ => 1,
        };
        let records = u64::from(sizes.users) + reads * u64::from(sizes.records);
        let limit = self.settings.attempt_limit(records);
        let left = limit.saturating_sub(self.started.elapsed());
        header.info = Some(info.clone());
        let rows = self.read_rows(client, header, &plan, sink);
        let rows = match tokio::time::timeout(left, rows).await {
            Ok(r) => r?,
            Err(_) => return Err(ReadError::OverLimit { records, limit }),
        };
        let full = rows.known == 0 && !matches!(plan, Plan::Incremental { punches: false, .. });
        let mode = if full {
            PollMode::Full
        } else {
            PollMode::Incremental
        };
        let full_at = match (&self.target.mark, mode) {
            (Some(mark), PollMode::Incremental) => mark.full_at,
            _ => self.now,
        };
        let sync = PollSync {
            mode: Some(mode),
            bytes: WireBytes::default(),
            known: rows.known,
            note: rows.note.or_else(|| note(&plan)),
            mark: Some(SyncMark {
                users: sizes.users,
                punches: sizes.records,
                oplog: sizes.oplog,
                user_capacity: sizes.users_cap,
                punch_capacity: sizes.records_cap,
                position: rows.position,
                tail: rows.tail,
                full_at,
            }),
        };
        Ok((info, rows.skipped, sync))
    }

    /// Users (if the plan asks), then punches chunk by chunk into `sink`.
    async fn read_rows(
        &self,
        client: &mut ZkClient,
        header: &mut PollRecord,
        plan: &Plan,
        sink: &mut impl PollSink,
    ) -> Result<Rows, ReadError> {
        header.outcome = Outcome::Ok;
        let (users, punches, after, expected) = match plan {
            Plan::Incremental {
                users,
                punches,
                after,
                tail,
                ..
            } => (*users, *punches, *after, Some(tail.as_str())),
            _ => (true, true, 0, None),
        };
        if users {
            header.users = self.users(client).await?;
        }
        sink.begin(header).await.map_err(ReadError::Sink)?;
        header.users = vec![];
        if !punches {
            // Users changed, punches did not: the log stays as it was.
            let mark = self.target.mark.as_ref();
            return Ok(Rows {
                known: after,
                position: after,
                tail: mark.map(|m| m.tail.clone()).unwrap_or_default(),
                skipped: 0,
                note: None,
            });
        }
        let mut pass = Pass::new(after, expected);
        self.read_punches(client, &mut pass, u64::MAX, sink).await?;
        let mut rows = Rows {
            known: 0,
            position: pass.position,
            tail: pass.tail.fingerprint(),
            skipped: pass.skipped,
            note: None,
        };
        match pass.state {
            State::Handing => rows.known = after,
            State::Skipping | State::Refilled if after > 0 => {
                // The records before the position were skipped but are not
                // the ones stored: read again, and store those too.
                let skipped = after.min(pass.position);
                let mut again = Pass::new(0, None);
                self.read_punches(client, &mut again, skipped, sink).await?;
                rows.skipped += again.skipped;
                rows.note = Some(format!(
                    "the {after} punch records before the last sync's position were not the ones stored then (the log was cleared and refilled): the log was read a second time and stored whole"
                ));
            }
            _ => {}
        }
        Ok(rows)
    }

    /// One read of the punch log: records before `pass.after` are only
    /// fingerprinted; at that position their tail is checked, and from then
    /// on (or from the start) records go to `sink` in batches, up to
    /// `upto` records.
    async fn read_punches(
        &self,
        client: &mut ZkClient,
        pass: &mut Pass<'_>,
        upto: u64,
        sink: &mut impl PollSink,
    ) -> Result<(), ReadError> {
        let mut batches = client.punch_batches().await?;
        // The next chunk is asked for only once the sink took this one.
        while let Some(chunk) = batches.next_batch().await? {
            let mut punches = Vec::with_capacity(chunk.len().min(self.batch));
            for p in chunk {
                if !pass.take(&p) || pass.position > upto {
                    continue;
                }
                match to_new_punch(self.zone, p) {
                    Some(np) => punches.push(np),
                    None => pass.skipped += 1,
                }
                if punches.len() == self.batch {
                    let full = std::mem::replace(&mut punches, Vec::with_capacity(self.batch));
                    sink.punches(full).await.map_err(ReadError::Sink)?;
                }
            }
            if !punches.is_empty() {
                sink.punches(punches).await.map_err(ReadError::Sink)?;
            }
        }
        pass.end();
        Ok(())
    }

    async fn users(&self, client: &mut ZkClient) -> Result<Vec<DeviceUser>, ClientError> {
        Ok(client
            .users()
            .await?
            .into_iter()
            .map(|u| DeviceUser {
                enroll_id: u.user_id,
                name: self.names.decode(&u.name_bytes),
                name_bytes: u.name_bytes,
                uid: u.uid,
                privilege: u.privilege,
                card: u.card,
            })
            .collect())
    }

    /// The device's identity and counters for the store, with its clock's
    /// drift. Identity fields not read are `None`: the store keeps them.
    fn device_info(&self, device: &zk_client::DeviceInfo) -> DeviceInfo {
        let drift =
            device_instant(self.zone, device.time).map(|t| t.as_second() - self.now.as_second());
        DeviceInfo {
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
        }
    }
}

/// Why a sync downloads what it does, for the log.
fn note(plan: &Plan) -> Option<String> {
    match plan {
        Plan::Unchanged => None,
        Plan::Incremental { why, .. } | Plan::Full { why } => Some(capitalized(why)),
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// What reading the punch log found.
struct Rows {
    /// Records read but not handed to the store (stored by earlier syncs).
    known: u64,
    /// Records read in the first pass, and the fingerprint of its last ones.
    position: u64,
    tail: String,
    skipped: usize,
    /// What happened beyond the plan (a second read), in plain words.
    note: Option<String>,
}

/// Where a pass over the punch log stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the last sync's position: fingerprinted, not handed.
    Skipping,
    /// Handing records to the store (after a matching tail, or from the
    /// start).
    Handing,
    /// The tail at the position did not match: handing what follows, and
    /// what was skipped must be read again.
    Refilled,
}

/// One pass over the punch log, record by record.
struct Pass<'a> {
    after: u64,
    expected: Option<&'a str>,
    state: State,
    position: u64,
    tail: Tail,
    skipped: usize,
}

impl<'a> Pass<'a> {
    fn new(after: u64, expected: Option<&'a str>) -> Self {
        let state = match expected {
            Some(_) if after > 0 => State::Skipping,
            _ => State::Handing,
        };
        Pass {
            after,
            expected,
            state,
            position: 0,
            tail: Tail::default(),
            skipped: 0,
        }
    }

    /// Counts `p`; whether it goes to the store.
    fn take(&mut self, p: &zk_protocol::Punch) -> bool {
        self.check();
        self.tail.push(p);
        self.position += 1;
        self.state != State::Skipping
    }

    /// At the last sync's position, compares the tail.
    fn check(&mut self) {
        if self.state == State::Skipping && self.position == self.after {
            self.state = if Some(self.tail.fingerprint().as_str()) == self.expected {
                State::Handing
            } else {
                State::Refilled
            };
        }
    }

    /// The log ended: a log that ends exactly at the position is checked
    /// there; one that ends before it stays `Skipping` (it shrank).
    fn end(&mut self) {
        self.check();
    }
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
