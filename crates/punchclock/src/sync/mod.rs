//! Sync: the scheduler that polls devices and the poller that talks to one.

pub mod address;
pub mod auto_care;
pub mod care;
pub mod log_retention;
mod poll_metrics;
pub mod poller;
pub mod scheduler;

use std::time::Duration;

pub use poller::{poll, PollSettings};
pub use scheduler::Scheduler;

use crate::billing::Billing;
use crate::clock::Clock;
use crate::domain::{
    CompanyId, DeviceId, DeviceLog, LogKind, Outcome, PollFailure, PollOutcome, PollReason,
    PollRecord, PollTarget,
};
use crate::store::{Store, StoreError};

/// Runs polls and records them; shared by the scheduler and the web actions.
#[derive(Clone)]
pub struct Syncer {
    store: Store,
    billing: Billing,
    settings: PollSettings,
    instance: String,
    clock: Clock,
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
        }
    }

    pub fn settings(&self) -> &PollSettings {
        &self.settings
    }

    /// Lease up to `limit` due devices for this instance.
    pub async fn claim_due(&self, limit: usize) -> Result<Vec<PollTarget>, StoreError> {
        // The lease outlives the longest possible attempt, so it only lapses
        // when this instance died mid-poll.
        let lease = self.settings.attempt_timeout + Duration::from_secs(60);
        let limit = u32::try_from(limit).unwrap_or(u32::MAX);
        self.store
            .claim_due_devices(&self.instance, self.clock.now(), lease, limit)
            .await
    }

    /// Poll one device and record the result in one transaction.
    pub async fn poll_and_record(&self, target: &PollTarget) -> Result<PollOutcome, StoreError> {
        Ok(self.poll_and_store(target).await?.0)
    }

    /// A scheduled poll, then the automatic device care the company opted
    /// into (a care failure is recorded with the device, never the poll's).
    pub async fn scheduled_poll(&self, target: &PollTarget) -> Result<PollOutcome, StoreError> {
        let (outcome, record) = self.poll_and_store(target).await?;
        if let (Outcome::Ok, Some(info)) = (record.outcome, &record.info) {
            if let Err(e) = self.auto_care(target, info).await {
                tracing::warn!(device = %target.device_id, "automatic device care failed: {e}");
            }
        }
        Ok(outcome)
    }

    async fn poll_and_store(
        &self,
        target: &PollTarget,
    ) -> Result<(PollOutcome, PollRecord), StoreError> {
        let mut record = poll(target, &self.settings, LogKind::Sync, &self.clock).await;
        record.next_poll_at = Some(scheduler::next_poll_at(
            self.clock.now(),
            target.poll_interval_minutes,
        ));
        let outcome = self.record(target, &record).await;
        let stored = outcome.as_ref().map_or(0, |o| o.punches_new);
        poll_metrics::poll_recorded(&record, stored);
        let outcome = outcome?;
        // New employees may push the account over its seats. Syncing itself
        // goes on regardless: nothing a device sends is ever dropped.
        if outcome.employees_new > 0 {
            self.billing.reconcile(target.company_id, None).await?;
        }
        Ok((outcome, record))
    }

    /// Records an attempt. When what was read cannot be saved, the attempt
    /// is still logged, as failed with code `store` and nothing of it kept,
    /// so the device says why and is polled again on schedule; the error is
    /// returned as before.
    async fn record(
        &self,
        target: &PollTarget,
        record: &PollRecord,
    ) -> Result<PollOutcome, StoreError> {
        let (company, device) = (target.company_id, target.device_id);
        let error = match self.store.record_poll(company, device, record).await {
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
        if let Err(e) = self.store.record_poll(company, device, &failed).await {
            tracing::warn!(device = %device, "logging a failed save failed too: {e}");
        }
        Err(error)
    }

    /// "Sync now": poll at once and return what happened.
    pub async fn sync_now(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
    ) -> Result<PollOutcome, StoreError> {
        let target = self.store.device_poll_target(company_id, device_id).await?;
        self.poll_and_record(&target).await
    }

    /// "Test connection": handshake and identity only, logged as a test.
    pub async fn test_connection(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
    ) -> Result<DeviceLog, StoreError> {
        let target = self.store.device_poll_target(company_id, device_id).await?;
        let record = poll(&target, &self.settings, LogKind::Test, &self.clock).await;
        Ok(self.record(&target, &record).await?.log)
    }
}
