//! Committing what a request produced: through the group committer
//! (`commit.rs`), one company's requests at most a few at a time, billing
//! told about new employees, and a save that fails logged with its reason.

use std::time::Instant;

use super::claim::Served;
use super::{Inner, Reply};
use crate::domain::{Outcome, PollFailure, PollOutcome, PollReason, PushRecord};
use crate::store::StoreError;

impl Inner {
    /// Stores `record` for the served device. `Err` is the answer to give
    /// instead of `OK`: nothing was stored, so the device must send again.
    pub(super) async fn commit(
        &self,
        at: &Served<'_>,
        mut record: PushRecord,
        started: Instant,
    ) -> Result<PollOutcome, Reply> {
        let t = at.target;
        let _slot = self.slots.take(t.company_id).await;
        record.duration = started.elapsed();
        let saved = self
            .committer
            .commit(t.company_id, t.device_id, &t.serial, record)
            .await;
        match saved {
            Ok((_, Ok(outcome))) => {
                self.after_commit(at, &outcome).await;
                Ok(outcome)
            }
            Ok((record, Err(e))) => {
                self.log_failed_save(at, &record, &e).await;
                Err(Reply::refuse(503, "not stored; send it again"))
            }
            Err(e) => {
                tracing::warn!(device = %t.device_id, "push: the committer is gone: {e}");
                Err(Reply::refuse(503, "not stored; send it again"))
            }
        }
    }

    /// New employees may put the account over its seats. Punches keep
    /// being stored either way.
    async fn after_commit(&self, at: &Served<'_>, outcome: &PollOutcome) {
        if outcome.employees_new == 0 {
            return;
        }
        if let Err(e) = self.billing.reconcile(at.target.company_id, None).await {
            tracing::warn!(company = %at.target.company_id, "push: billing check failed: {e}");
        }
    }

    /// The device is told to send again; its log says why.
    async fn log_failed_save(&self, at: &Served<'_>, record: &PushRecord, e: &StoreError) {
        let t = at.target;
        tracing::warn!(device = %t.device_id, "push: saving an upload failed: {e}");
        let failed = PushRecord {
            outcome: Outcome::Failed,
            reason: Some(PollReason::new(
                PollFailure::Store,
                format!("what the device sent could not be saved ({e}); it will send it again"),
            )),
            users: Vec::new(),
            punches: Vec::new(),
            hello: None,
            stamp: None,
            ..record.clone()
        };
        if let Err(e) = self
            .store
            .record_push(t.company_id, t.device_id, &t.serial, &failed)
            .await
        {
            tracing::warn!(device = %t.device_id, "push: logging the failed save failed: {e}");
        }
    }
}
