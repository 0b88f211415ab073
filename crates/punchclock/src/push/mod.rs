//! Push mode: answering clocks that call us over HTTP (ADMS / iclock,
//! adms-push.md), beside `sync`, which polls the others.
//!
//! A request is anonymous and hostile until proven otherwise: it is rate
//! limited by source before anything else, its serial is looked up, and
//! only a serial a company claimed gets anything stored, for that company
//! alone. Unclaimed serials are answered and remembered for the operator
//! ([`unclaimed`]). Everything a device uploads goes through
//! `Store::record_push`, the same employee and punch statements as a poll,
//! and `OK` is answered only after the commit, so a device resends what
//! was lost (a dropped reply, a crash) and the resend is stored once.
//!
//! - [`call`]: the request and answer, without HTTP types.
//! - `claim`: checks on a claimed device (key, token, source address).
//! - `hello`: handshakes (2.x options, 3.x registry and config).
//! - `upload`: punches, users and other tables.
//! - `commands`: `getrequest` and `devicecmd`.
//! - `record`, `commit`: storing what a request produced, several requests
//!   to a transaction (group commit).
//! - `guard`, `presence`, `unclaimed`, `flush`: limits and batched writes.

mod call;
mod claim;
mod commands;
mod commit;
mod flush;
mod guard;
mod hello;
mod presence;
mod record;
mod settings;
mod unclaimed;
mod upload;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use zk_protocol::push::{classify, PushRequest, Request};

pub use call::{cookie_token, Call, Reply};
pub use settings::{PushSettings, Rate};

use crate::billing::Billing;
use crate::clock::Clock;
use crate::domain::{DeviceId, PushTarget};
use crate::store::Store;
use commit::Committer;
use guard::{CompanySlots, Limits};
use presence::Presence;
use unclaimed::{Sighting, Unclaimed};

/// Answers push devices. Cheap to clone; clones share limits and buffers.
#[derive(Clone)]
pub struct Receiver(Arc<Inner>);

struct Inner {
    store: Store,
    billing: Billing,
    clock: Clock,
    settings: PushSettings,
    limits: Limits,
    slots: CompanySlots,
    committer: Committer,
    presence: Presence,
    unclaimed: Unclaimed,
    /// When a refusal was last logged per device, so a device (or a
    /// forger) that keeps trying does not fill its log.
    refusals: Mutex<HashMap<DeviceId, Timestamp>>,
    counters: Counters,
}

/// Counts for `/metrics`.
#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    refused: AtomicU64,
    unclaimed_requests: AtomicU64,
}

/// What `/metrics` shows of push mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushMetrics {
    pub requests: u64,
    pub refused: u64,
    pub unclaimed_requests: u64,
    /// Distinct unclaimed serials on record.
    pub unclaimed_serials: u64,
    /// Sightings of new unclaimed serials dropped because the record is full.
    pub unclaimed_dropped: u64,
}

impl Receiver {
    pub fn new(store: Store, billing: Billing, clock: Clock, settings: PushSettings) -> Self {
        Receiver(Arc::new(Inner {
            limits: Limits::new(&settings),
            slots: CompanySlots::new(settings.uploads_per_company),
            unclaimed: Unclaimed::new(settings.unclaimed_max),
            committer: Committer::new(store.clone()),
            presence: Presence::default(),
            refusals: Mutex::new(HashMap::new()),
            counters: Counters::default(),
            store,
            billing,
            clock,
            settings,
        }))
    }

    pub fn settings(&self) -> &PushSettings {
        &self.0.settings
    }

    pub fn metrics(&self) -> PushMetrics {
        let c = &self.0.counters;
        PushMetrics {
            requests: c.requests.load(Ordering::Relaxed),
            refused: c.refused.load(Ordering::Relaxed),
            unclaimed_requests: c.unclaimed_requests.load(Ordering::Relaxed),
            unclaimed_serials: self.0.unclaimed.count(),
            unclaimed_dropped: self.0.unclaimed.dropped.load(Ordering::Relaxed),
        }
    }

    /// Answers one request.
    pub async fn answer(&self, call: Call<'_>) -> Reply {
        let inner = &self.0;
        inner.counters.requests.fetch_add(1, Ordering::Relaxed);
        let reply = inner.answer(call).await;
        if reply.status != 200 {
            inner.counters.refused.fetch_add(1, Ordering::Relaxed);
        }
        reply
    }

    /// Writes what is buffered (who called, unclaimed sightings) now.
    pub async fn flush(&self) {
        self.0.flush().await
    }
}

impl Inner {
    async fn answer(&self, call: Call<'_>) -> Reply {
        if !self.limits.source(call.source) {
            return Reply::refuse(429, "too many requests from this address");
        }
        let req = match classify(call.method, call.path, call.query) {
            Ok(req) => req,
            Err(e) => return Reply::refuse(400, e.to_string()),
        };
        // Claims are stored upper case (labels print them so).
        let serial = req.device.serial.as_str().to_ascii_uppercase();
        match self.store.push_target(&serial).await {
            Ok(Some(target)) => self.claimed(call, &req, target).await,
            Ok(None) => self.unclaimed(call, &req, &serial),
            Err(e) => {
                tracing::warn!(serial, "push: looking up the serial failed: {e}");
                Reply::refuse(503, "try again later")
            }
        }
    }

    /// A serial no company claimed: answered (so the device keeps calling
    /// and can be claimed later), remembered for the operator, and nothing
    /// stored. Uploads are refused so the device keeps its records.
    fn unclaimed(&self, call: Call<'_>, req: &PushRequest, serial: &str) -> Reply {
        self.counters
            .unclaimed_requests
            .fetch_add(1, Ordering::Relaxed);
        if !self.limits.unclaimed(serial) {
            return Reply::refuse(429, "too many requests");
        }
        self.unclaimed.note(Sighting {
            serial,
            source: call.source.to_string(),
            at: self.clock.now(),
            push_version: req.device.push_version.map(|v| v.to_string()),
            device_type: req.device.device_type.clone(),
        });
        hello::unclaimed_answer(req)
    }

    /// A claimed serial: checked, then served.
    async fn claimed(&self, call: Call<'_>, req: &PushRequest, t: PushTarget) -> Reply {
        self.unclaimed.forget(&t.serial);
        if !self.limits.device(&t.serial) {
            return Reply::refuse(429, "too many requests");
        }
        let zone = match self.admit(call, req, &t).await {
            Ok(zone) => zone,
            Err(reply) => return reply,
        };
        let now = self.clock.now();
        self.presence.touch(t.device_id, now);
        let at = claim::Served {
            target: &t,
            zone: &zone,
            now,
            source: call.source.to_string(),
        };
        match &req.request {
            Request::Handshake { .. } => self.handshake(&at, req).await,
            Request::Registry => self.registry(&at, req, call.body).await,
            Request::ConfigDownload => self.config_download(&at, req).await,
            Request::Upload { table, stamp } => self.upload(&at, table, stamp, call.body).await,
            Request::Poll { info } => self.poll(&at, req, info.as_ref()).await,
            Request::CommandResults => self.results(&at, call.body).await,
            _ => hello::small_talk(&at, req),
        }
    }
}
