//! The scheduler: every tick, lease the devices that are due and poll them
//! with bounded concurrency. Leases come from the store, so several instances
//! sharing one PostgreSQL never poll the same device at once.
//!
//! "Due" is judged on the syncer's injected clock; only the pause between
//! ticks is real time. A test can therefore drive [`Scheduler::tick`] and
//! [`Scheduler::idle`] itself with a manual clock and run a day of polls in
//! well under a second.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use tokio::sync::{watch, Notify, Semaphore};

use super::Syncer;

/// How often the scheduler looks for due devices when no poll ends.
pub const TICK: Duration = Duration::from_secs(2);

/// After a poll ends, how long to wait for others to end before claiming
/// again: one claim for the slots freed meanwhile, not one per poll.
/// Without it, slots freed just after a tick stayed empty for the rest of
/// the 2 s tick: at 100 ms RTT an unchanged poll takes well under a second,
/// so a 2 s tick capped a cycle at `max_concurrent_polls` per 2 s.
pub const REFILL_AFTER: Duration = Duration::from_millis(100);

/// How long shutdown waits for polls in flight.
const DRAIN: Duration = Duration::from_secs(30);

/// When to poll next: the interval with ±10% jitter, so devices added
/// together (or an instance restarted) do not all fall due in one burst.
pub fn next_poll_at(now: Timestamp, interval_minutes: u32) -> Timestamp {
    let base = i64::from(interval_minutes.max(1)) * 60;
    let spread = (base / 10).max(1);
    let jitter = rand::thread_rng().gen_range(-spread..=spread);
    now + SignedDuration::from_secs(base + jitter)
}

/// Polls due devices, at most `max_concurrent` at once.
pub struct Scheduler {
    syncer: Syncer,
    permits: Arc<Semaphore>,
    max_concurrent: u32,
    /// Told when a poll ends, so its slot is refilled without waiting for
    /// the next tick.
    freed: Arc<Notify>,
}

impl Scheduler {
    pub fn new(syncer: Syncer, max_concurrent: usize) -> Self {
        let max = u32::try_from(max_concurrent.max(1)).unwrap_or(u32::MAX);
        Scheduler {
            syncer,
            permits: Arc::new(Semaphore::new(max as usize)),
            max_concurrent: max,
            freed: Arc::new(Notify::new()),
        }
    }

    /// One step: lease as many due devices as there are free slots and
    /// start polling them. Returns how many polls were started.
    pub async fn tick(&self) -> usize {
        let free = self.permits.available_permits();
        if free == 0 {
            return 0;
        }
        let targets = match self.syncer.claim_due(free).await {
            Ok(targets) => targets,
            Err(e) => {
                tracing::warn!("claiming due devices failed: {e}");
                return 0;
            }
        };
        let mut started = 0;
        for target in targets {
            let Ok(permit) = self.permits.clone().try_acquire_owned() else {
                // Not expected (claims never exceed free slots), but a lease
                // taken is always given back.
                self.syncer.give_back(target.device_id).await;
                continue;
            };
            // Marked before the spawn, so a "Sync now" from here on joins it.
            let Some(running) = self.syncer.begin(target.device_id) else {
                self.syncer.give_back(target.device_id).await;
                continue;
            };
            let syncer = self.syncer.clone();
            let freed = self.freed.clone();
            tokio::spawn(async move {
                if let Err(e) = syncer.poll_claimed(&target, running).await {
                    tracing::warn!(device = %target.device_id, "a scheduled poll failed: {e}");
                }
                drop(permit);
                freed.notify_one();
            });
            started += 1;
        }
        started
    }

    /// Waits (at most `limit`) until no poll is in flight; returns whether
    /// that happened in time.
    pub async fn idle(&self, limit: Duration) -> bool {
        let all = self.permits.acquire_many(self.max_concurrent);
        match tokio::time::timeout(limit, all).await {
            Ok(Ok(permits)) => {
                drop(permits);
                true
            }
            _ => false,
        }
    }

    /// Returns once a poll this scheduler started has ended (its slot is
    /// free); a poll that ended since the last call counts.
    pub async fn freed(&self) {
        self.freed.notified().await;
    }

    /// [`Scheduler::freed`], then [`REFILL_AFTER`] to gather the slots
    /// other polls free meanwhile.
    async fn refill(&self) {
        self.freed().await;
        tokio::time::sleep(REFILL_AFTER).await;
    }

    /// Tick until `shutdown` turns true; then wait for polls in flight so
    /// no attempt is cut off half-recorded (each is one transaction).
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        match self.syncer.release_own_leases().await {
            Ok(0) => {}
            Ok(n) => tracing::info!("gave back {n} leases a previous run of this instance left"),
            Err(e) => tracing::warn!("giving back leases of a previous run failed: {e}"),
        }
        loop {
            self.tick().await;
            tokio::select! {
                _ = tokio::time::sleep(TICK) => {}
                _ = self.refill() => {}
                _ = shutdown.changed() => break,
            }
        }
        self.idle(DRAIN).await;
    }
}

/// Run a scheduler until `shutdown` turns true.
pub async fn run(syncer: Syncer, max_concurrent: usize, shutdown: watch::Receiver<bool>) {
    Scheduler::new(syncer, max_concurrent).run(shutdown).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_ten_percent() {
        let now = Timestamp::from_second(1_000_000).unwrap();
        for _ in 0..200 {
            let next = next_poll_at(now, 30);
            let secs = (next - now).get_seconds();
            assert!((1620..=1980).contains(&secs), "{secs}");
        }
    }
}
