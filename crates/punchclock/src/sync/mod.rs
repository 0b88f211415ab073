//! Sync: the scheduler that polls devices and the poller that talks to one.

pub mod address;
pub mod auto_care;
pub mod batches;
pub mod care;
pub mod incremental;
pub mod inflight;
pub mod live;
pub mod log_retention;
pub mod names;
mod poll_metrics;
pub mod poller;
pub mod scheduler;

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

pub use batches::HeldPunches;
pub use inflight::InFlight;
pub use poller::{poll, poll_into, PollSettings, PollSink};
pub use scheduler::Scheduler;

use crate::billing::Billing;
use crate::clock::Clock;
use crate::domain::{
    CompanyId, DeviceId, DeviceLog, LogKind, Outcome, PollFailure, PollOutcome, PollReason,
    PollRecord, PollTarget,
};
use crate::store::{Store, StoreError};

/// A poll that could not be recorded is tried again this much later.
const RETRY_UNRECORDED: SignedDuration = SignedDuration::from_secs(60);

/// Whether a poll is followed by the automatic device care the company
/// opted into (scheduled polls only; a care failure is recorded with the
/// device, never the poll's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Care {
    None,
    AsOptedIn,
}

/// Why a poll by hand did not run or was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Another instance is polling the device right now.
    #[error("{0}")]
    Busy(String),
    /// The poll this request joined failed to be recorded.
    #[error("{0}")]
    Failed(String),
}

/// Runs polls and records them; shared by the scheduler and the web actions.
#[derive(Clone)]
pub struct Syncer {
    store: Store,
    billing: Billing,
    settings: PollSettings,
    instance: String,
    clock: Clock,
    in_flight: InFlight,
    held: HeldPunches,
}

impl Syncer {
    pub fn new(
        store: Store,
        billing: Billing,
        settings: PollSettings,
        instance: String,
        clock: Clock,
    ) -> Self {
        Syncer {
            store,
            billing,
            settings,
            instance,
            clock,
            in_flight: InFlight::default(),
            held: HeldPunches::default(),
        }
    }

    /// The same syncer acting as another instance, as when several share
    /// one database.
    pub fn as_instance(&self, instance: &str) -> Syncer {
        Syncer {
            instance: instance.to_owned(),
            ..self.clone()
        }
    }

    pub fn settings(&self) -> &PollSettings {
        &self.settings
    }

    /// The most punches this syncer's polls held at once on their way
    /// from devices to the store.
    pub fn held_punches(&self) -> &HeldPunches {
        &self.held
    }

    /// How long a lease lasts: longer than the longest attempt, so it only
    /// lapses when its instance died mid-poll.
    fn lease(&self) -> Duration {
        self.settings.attempt_timeout + Duration::from_secs(60)
    }

    /// Lease up to `limit` due devices for this instance.
    pub async fn claim_due(&self, limit: usize) -> Result<Vec<PollTarget>, StoreError> {
        let limit = u32::try_from(limit).unwrap_or(u32::MAX);
        self.store
            .claim_due_devices(&self.instance, self.clock.now(), self.lease(), limit)
            .await
    }

    /// Gives back the leases a previous run of this instance left (only
    /// possible with a configured `instance_id`).
    pub async fn release_own_leases(&self) -> Result<u64, StoreError> {
        self.store.release_leases_of(&self.instance).await
    }

    /// Gives back a lease this instance took but will not use.
    pub async fn give_back(&self, device: DeviceId) {
        if let Err(e) = self.store.release_lease(device, &self.instance).await {
            tracing::warn!(device = %device, "giving back a lease failed ({e}); it lapses by itself");
        }
    }

    /// Marks a device the scheduler leased as being polled here, before its
    /// poll is spawned; `None` if it already is (then give the lease back).
    pub fn begin(&self, device: DeviceId) -> Option<inflight::Running> {
        self.in_flight.start(device)
    }

    /// [`Syncer::begin`] and [`Syncer::poll_claimed`] at once.
    pub async fn poll_and_record(&self, target: &PollTarget) -> Result<PollOutcome, SyncError> {
        let running = self
            .begin(target.device_id)
            .ok_or_else(|| SyncError::Busy(BUSY.into()))?;
        self.poll_claimed(target, running).await
    }

    /// Polls a device the scheduler leased to this instance, records the
    /// result and gives the lease back, however the poll ends.
    pub async fn poll_claimed(
        &self,
        target: &PollTarget,
        running: inflight::Running,
    ) -> Result<PollOutcome, SyncError> {
        let result = self
            .poll_leased(target, LogKind::Sync, Care::AsOptedIn)
            .await
            .map_err(SyncError::from);
        running.finish(unfinished(&result));
        let outcome = result?;
        // New employees may push the account over its seats. Syncing itself
        // goes on regardless: nothing a device sends is ever dropped.
        if outcome.employees_new > 0 {
            self.billing.reconcile(target.company_id, None).await?;
        }
        Ok(outcome)
    }

    /// Polls a device leased to this instance, records the attempt and
    /// gives the lease back. The lease is given back even when the task is
    /// cancelled or panics (the guard's drop). When nothing runs under the
    /// lease after the recording (no device care to follow), the recording
    /// gives it back in its own statement.
    async fn poll_leased(
        &self,
        target: &PollTarget,
        kind: LogKind,
        care: Care,
    ) -> Result<PollOutcome, StoreError> {
        let mut lease = LeaseGuard::new(&self.store, target.device_id, &self.instance);
        // The opt-ins were read with the target: a company that opted into
        // nothing has nothing done after its polls.
        let care = match care {
            Care::AsOptedIn if target.care_opted_in => Care::AsOptedIn,
            _ => Care::None,
        };
        let release = (care == Care::None).then_some(self.instance.as_str());
        let (record, result, released) = self.poll_and_store(target, kind, release).await;
        if kind == LogKind::Sync {
            let stored = result.as_ref().map_or(0, |o| o.punches_new);
            poll_metrics::poll_recorded(&record, stored);
        }
        if let (Care::AsOptedIn, Ok(_), Outcome::Ok, Some(info)) =
            (care, &result, record.outcome, &record.info)
        {
            // Still under the lease: the device serves one client at a time.
            if let Err(e) = self.auto_care(target, info).await {
                tracing::warn!(device = %target.device_id, "automatic device care failed: {e}");
            }
        }
        if released {
            lease.given_back();
            return result;
        }
        // A poll that was not recorded is read again soon, not after a
        // whole interval (and never after the lease lapses).
        let retry = result
            .as_ref()
            .err()
            .map(|_| self.clock.now() + RETRY_UNRECORDED);
        lease.release(retry).await;
        result
    }

    /// One contact, written into the store as it is read (a sync's batches
    /// as they arrive; see `batches`), and its log row. With `release`, an
    /// attempt recorded in one transaction gives that owner's lease back
    /// in it; returns whether it did.
    async fn poll_and_store(
        &self,
        target: &PollTarget,
        kind: LogKind,
        release: Option<&str>,
    ) -> (PollRecord, Result<PollOutcome, StoreError>, bool) {
        let mut sink = batches::StoreSink {
            store: &self.store,
            company: target.company_id,
            device: target.device_id,
            held: &self.held,
            poll: None,
            error: None,
        };
        let mut record = poll_into(target, &self.settings, kind, &self.clock, &mut sink).await;
        if kind == LogKind::Sync {
            record.next_poll_at = Some(scheduler::next_poll_at(
                self.clock.now(),
                target.poll_interval_minutes,
            ));
        }
        let Some(poll) = sink.poll.take() else {
            // Nothing was stored: the attempt is one log row, as ever.
            let result = match sink.error.take() {
                Some(StoreError::NotFound) => Err(StoreError::NotFound),
                Some(e) => self.record(target, &record, None).await.and(Err(e)),
                None => self.record(target, &record, release).await,
            };
            // Only the recording asked to release can have succeeded.
            let released = release.is_some() && result.is_ok();
            return (record, result, released);
        };
        let finished = sink.finish(&poll, &record).await;
        let result = match (sink.error.take(), finished) {
            (Some(e), finished) => {
                if let Err(f) = finished {
                    tracing::warn!(device = %target.device_id, "logging a failed save failed too: {f}");
                }
                Err(e)
            }
            (None, finished) => finished,
        };
        (record, result, false)
    }

    /// Records an attempt (giving `release`'s lease back with it, when
    /// given). When what was read cannot be saved, the attempt is still
    /// logged, as failed with code `store` and nothing of it kept, so the
    /// device says why and is polled again on schedule; the error is
    /// returned as before (and the lease kept, for its owner to give back).
    async fn record(
        &self,
        target: &PollTarget,
        record: &PollRecord,
        release: Option<&str>,
    ) -> Result<PollOutcome, StoreError> {
        let (company, device) = (target.company_id, target.device_id);
        let error = match self.record_retrying(company, device, record, release).await {
            Ok(outcome) => return Ok(outcome),
            Err(StoreError::NotFound) => return Err(StoreError::NotFound),
            Err(e) => e,
        };
        let failed = PollRecord {
            outcome: Outcome::Failed,
            reason: Some(PollReason::new(
                PollFailure::Store,
                format!("what was read could not be saved ({error}); it will be read again"),
            )),
            info: None,
            users: vec![],
            punches: vec![],
            history_pulled: false,
            ..record.clone()
        };
        if let Err(e) = self.record_retrying(company, device, &failed, None).await {
            tracing::warn!(device = %device, "logging a failed save failed too: {e}");
        }
        Err(error)
    }

    /// `record_poll` (or `record_poll_and_release`), tried again with
    /// backoff while it fails for a passing reason. Each try is one
    /// transaction, so a failed one left nothing.
    async fn record_retrying(
        &self,
        company: CompanyId,
        device: DeviceId,
        record: &PollRecord,
        release: Option<&str>,
    ) -> Result<PollOutcome, StoreError> {
        let store = &self.store;
        batches::retrying(device, "recording a poll", || async move {
            match release {
                Some(owner) => {
                    store
                        .record_poll_and_release(company, device, record, owner)
                        .await
                }
                None => store.record_poll(company, device, record).await,
            }
        })
        .await
    }

    /// "Sync now": poll at once and return what happened. When this
    /// instance is polling the device already, the answer is that poll's.
    pub async fn sync_now(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
    ) -> Result<PollOutcome, SyncError> {
        // Also proves the device is the company's before anything is joined.
        self.store.device_poll_target(company_id, device_id).await?;
        let Some(running) = self.in_flight.start(device_id) else {
            return self.join(device_id).await;
        };
        let result = self.sync_leased(company_id, device_id).await;
        running.finish(unfinished(&result));
        result
    }

    async fn sync_leased(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
    ) -> Result<PollOutcome, SyncError> {
        let target = self.lease_by_hand(company_id, device_id).await?;
        let outcome = self.poll_leased(&target, LogKind::Sync, Care::None).await?;
        if outcome.employees_new > 0 {
            self.billing.reconcile(company_id, None).await?;
        }
        Ok(outcome)
    }

    /// The result of the poll of `device_id` running here.
    async fn join(&self, device_id: DeviceId) -> Result<PollOutcome, SyncError> {
        match self.in_flight.running(device_id) {
            Some(slot) => inflight::join(slot).await.map_err(|u| match u.busy {
                true => SyncError::Busy(u.message),
                false => SyncError::Failed(u.message),
            }),
            // It ended between the two looks: its log entry is the answer.
            None => Err(SyncError::Busy(BUSY.into())),
        }
    }

    /// Leases the device to this instance for a poll by hand.
    async fn lease_by_hand(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
    ) -> Result<PollTarget, SyncError> {
        let now = self.clock.now();
        self.store
            .lease_device(company_id, device_id, &self.instance, now, self.lease())
            .await?
            .ok_or_else(|| SyncError::Busy(BUSY.into()))
    }

    /// "Test connection": handshake and identity only, logged as a test.
    /// Refused while the device is being polled: it serves one client.
    pub async fn test_connection(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
    ) -> Result<DeviceLog, SyncError> {
        self.store.device_poll_target(company_id, device_id).await?;
        let Some(running) = self.in_flight.start(device_id) else {
            return Err(SyncError::Busy(BUSY.into()));
        };
        let target = self.lease_by_hand(company_id, device_id).await?;
        let result = self.poll_leased(&target, LogKind::Test, Care::None).await;
        running.finish(Err(inflight::Unfinished {
            busy: false,
            message: "a connection test ran, not a sync".into(),
        }));
        Ok(result?.log)
    }
}

/// What those who joined a poll receive.
fn unfinished(result: &Result<PollOutcome, SyncError>) -> inflight::Ended {
    match result {
        Ok(outcome) => Ok(outcome.clone()),
        Err(e) => Err(inflight::Unfinished {
            busy: matches!(e, SyncError::Busy(_)),
            message: e.to_string(),
        }),
    }
}

const BUSY: &str =
    "This device is being polled right now. Its log will show the result in a moment.";

/// Gives a lease back when dropped without [`LeaseGuard::release`] (a
/// cancelled or panicked poll), so the device is never stuck behind its
/// own lease until it lapses.
struct LeaseGuard {
    store: Store,
    device: DeviceId,
    owner: String,
    held: bool,
}

impl LeaseGuard {
    fn new(store: &Store, device: DeviceId, owner: &str) -> Self {
        LeaseGuard {
            store: store.clone(),
            device,
            owner: owner.to_string(),
            held: true,
        }
    }

    /// The lease was given back with the poll's recording: nothing to do.
    fn given_back(&mut self) {
        self.held = false;
    }

    /// Gives the lease back (only if this instance still holds it), moving
    /// the next poll to `next` when given.
    async fn release(&mut self, next: Option<Timestamp>) {
        self.held = false;
        let released = match next {
            Some(next) => {
                self.store
                    .release_device(self.device, &self.owner, next)
                    .await
            }
            None => self.store.release_lease(self.device, &self.owner).await,
        };
        if let Err(e) = released {
            tracing::warn!(device = %self.device, "giving back a lease failed ({e}); it lapses by itself");
        }
    }
}

impl Drop for LeaseGuard {
    fn drop(&mut self) {
        if !self.held {
            return;
        }
        let (store, device, owner) = (self.store.clone(), self.device, self.owner.clone());
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                let _ = store.release_lease(device, &owner).await;
            });
        }
    }
}
