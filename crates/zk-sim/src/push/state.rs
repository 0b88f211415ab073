//! What a push device knows and has still to send. Shared by its task and
//! its handle; the lock is never held across an await.

use super::clock::DeviceClock;
use super::spec::{PushSpec, PushUser};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Notify;
use zk_protocol::push::{device, AttLog};
use zk_protocol::NameEncoding;

/// Options the server handed out, in protocol seconds / minutes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ServerOptions {
    pub(crate) delay: u64,
    pub(crate) error_delay: u64,
    pub(crate) trans_interval: u64,
    pub(crate) realtime: bool,
}

impl Default for ServerOptions {
    /// Device defaults before any handshake (SEC's list).
    fn default() -> Self {
        ServerOptions {
            delay: 30,
            error_delay: 30,
            trans_interval: 2,
            realtime: true,
        }
    }
}

#[derive(Debug)]
pub(crate) struct DeviceState {
    pub(crate) clock: DeviceClock,
    pub(crate) users: Vec<PushUser>,
    /// Every punch the device holds (answers DATA QUERY ATTLOG).
    pub(crate) log: Vec<AttLog>,
    /// Punches not yet acknowledged, oldest first.
    pub(crate) attlog_out: VecDeque<AttLog>,
    /// OPERLOG lines (USER …) not yet acknowledged.
    pub(crate) operlog_out: VecDeque<Vec<u8>>,
    /// devicecmd result lines not yet acknowledged.
    pub(crate) results_out: Vec<String>,
    pub(crate) options: ServerOptions,
    pub(crate) stamp: String,
}

/// Counters a test or benchmark can read.
#[derive(Debug, Default)]
pub struct PushStats {
    pub handshakes: AtomicU64,
    pub uploads_ok: AtomicU64,
    pub records_acked: AtomicU64,
    pub failures: AtomicU64,
    pub polls: AtomicU64,
    pub commands_run: AtomicU64,
    /// How long each acknowledged ATTLOG upload took, request to answer.
    upload_times: Mutex<Vec<Duration>>,
}

impl PushStats {
    /// The time each acknowledged punch upload took (for benchmarks: with
    /// `Realtime=1` one upload is one punch, sent to stored).
    pub fn upload_times(&self) -> Vec<Duration> {
        self.upload_times
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn add_upload_time(&self, d: Duration) {
        let mut times = self.upload_times.lock().unwrap_or_else(|e| e.into_inner());
        // Bounded: a long run keeps its first million samples.
        if times.len() < 1_000_000 {
            times.push(d);
        }
    }

    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) serial: String,
    pub(crate) encoding: NameEncoding,
    pub(crate) language: u16,
    pub(crate) push_version: Option<String>,
    state: Mutex<DeviceState>,
    /// Wakes the task when there is something new to send.
    pub(crate) wake: Notify,
    pub(crate) stats: PushStats,
}

impl Shared {
    pub(crate) fn new(spec: PushSpec) -> Shared {
        let mut state = DeviceState {
            clock: DeviceClock {
                utc_offset_secs: spec.utc_offset_secs,
                drift_secs: spec.clock_drift_secs,
            },
            users: Vec::new(),
            attlog_out: spec.punches.iter().cloned().collect(),
            log: spec.punches.clone(),
            operlog_out: VecDeque::new(),
            results_out: Vec::new(),
            options: ServerOptions::default(),
            stamp: "0".into(),
        };
        for u in &spec.users {
            upsert_user(&mut state, spec.name_encoding, u.clone());
        }
        Shared {
            language: spec.language_code(),
            serial: spec.serial,
            encoding: spec.name_encoding,
            push_version: spec.push_version,
            state: Mutex::new(state),
            wake: Notify::new(),
            stats: PushStats::default(),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, DeviceState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Add or change a user and queue its USER line, in the device's encoding.
pub(crate) fn upsert_user(state: &mut DeviceState, enc: NameEncoding, u: PushUser) {
    queue_user(state, enc, &u);
    match state.users.iter_mut().find(|x| x.pin == u.pin) {
        Some(x) => *x = u,
        None => state.users.push(u),
    }
}

pub(crate) fn queue_user(state: &mut DeviceState, enc: NameEncoding, u: &PushUser) {
    let name = enc.encode_lossy(&u.name);
    let line = device::user_line(&u.pin, &name, u.privilege, u.card, u.group);
    state.operlog_out.push_back(line);
}
