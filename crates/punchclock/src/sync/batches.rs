//! A sync written into the store as it is read: the device and its users
//! first, then each batch of punches in its own short transaction, so a
//! device of any size never holds the write lock (or memory) for long, and
//! other companies' writes go in between. A sync cut short keeps what it
//! stored; the next one stores the rest (punches are keyed, never doubled).

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::poller::PollSink;
use crate::domain::{
    CompanyId, DeviceId, NewPunch, PollFailure, PollOutcome, PollReason, PollRecord,
};
use crate::store::{PollInProgress, Store, StoreError};

/// Attempts at one write when the database fails for a passing reason
/// (busy, a dropped connection, a pool wait that ran out).
pub(super) const WRITE_ATTEMPTS: u32 = 4;

/// Runs `write` until it succeeds, fails for good, or has been tried
/// [`WRITE_ATTEMPTS`] times, with backoff. Each try is one transaction, so
/// a failed one left nothing.
pub(super) async fn retrying<T, W: Future<Output = Result<T, StoreError>>>(
    device: DeviceId,
    what: &str,
    mut write: impl FnMut() -> W,
) -> Result<T, StoreError> {
    let mut attempt = 1;
    loop {
        match write().await {
            Err(e) if e.is_passing() && attempt < WRITE_ATTEMPTS => {
                let wait = Duration::from_millis(100 << (2 * attempt));
                tracing::warn!(device = %device, attempt, "{what} failed ({e}); trying again in {wait:?}");
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            result => return result,
        }
    }
}

/// The most punches held at once between the device and the store, over
/// every sync of one `Syncer` (what bounds a sync's memory).
#[derive(Debug, Clone, Default)]
pub struct HeldPunches {
    now: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

impl HeldPunches {
    fn hold(&self, n: usize) {
        let now = self.now.fetch_add(n, Ordering::Relaxed) + n;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }

    fn release(&self, n: usize) {
        self.now.fetch_sub(n, Ordering::Relaxed);
    }

    /// The highest count seen so far.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }
}

/// The store side of one sync.
pub(super) struct StoreSink<'a> {
    pub(super) store: &'a Store,
    pub(super) company: CompanyId,
    pub(super) device: DeviceId,
    pub(super) held: &'a HeldPunches,
    /// Set once `begin` was recorded.
    pub(super) poll: Option<PollInProgress>,
    /// Why the store refused, kept for the caller.
    pub(super) error: Option<StoreError>,
}

impl StoreSink<'_> {
    fn refused(&mut self, e: StoreError) -> PollReason {
        let reason = PollReason::new(
            PollFailure::Store,
            format!("what was read could not be saved ({e}); it will be read again"),
        );
        self.error = Some(e);
        reason
    }

    /// Closes the sync's log row with how it ended.
    pub(super) async fn finish(
        &self,
        poll: &PollInProgress,
        record: &PollRecord,
    ) -> Result<PollOutcome, StoreError> {
        retrying(self.device, "recording a poll", || {
            self.store.finish_poll(poll, record)
        })
        .await
    }
}

impl PollSink for StoreSink<'_> {
    async fn begin(&mut self, record: &PollRecord) -> Result<(), PollReason> {
        let (store, company, device) = (self.store, self.company, self.device);
        let begun = retrying(device, "recording a poll", || {
            store.begin_poll(company, device, record)
        })
        .await;
        match begun {
            Ok(poll) => {
                self.poll = Some(poll);
                Ok(())
            }
            Err(e) => Err(self.refused(e)),
        }
    }

    async fn punches(&mut self, batch: Vec<NewPunch>) -> Result<(), PollReason> {
        let Some(poll) = self.poll.clone() else {
            return Err(PollReason::new(
                PollFailure::Store,
                "punches arrived before the device was recorded",
            ));
        };
        self.held.hold(batch.len());
        let store = self.store;
        let stored = retrying(self.device, "storing a batch of punches", || {
            store.record_punch_batch(&poll, &batch)
        })
        .await;
        self.held.release(batch.len());
        stored.map(|_| ()).map_err(|e| self.refused(e))
    }
}
