//! The scheduler: every tick, lease the devices that are due and poll them
//! with bounded concurrency. Leases come from the store, so several instances
//! sharing one PostgreSQL never poll the same device at once.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use tokio::sync::{watch, Semaphore};

use super::Syncer;

/// How often the scheduler looks for due devices.
pub const TICK: Duration = Duration::from_secs(2);

/// When to poll next: the interval with ±10% jitter, so devices added
/// together (or an instance restarted) do not all fall due in one burst.
pub fn next_poll_at(now: Timestamp, interval_minutes: u32) -> Timestamp {
    let base = i64::from(interval_minutes.max(1)) * 60;
    let spread = (base / 10).max(1);
    let jitter = rand::thread_rng().gen_range(-spread..=spread);
    now + SignedDuration::from_secs(base + jitter)
}

/// Run until `shutdown` turns true; then wait for polls in flight so no
/// attempt is cut off half-recorded (each is recorded in one transaction).
pub async fn run(syncer: Syncer, max_concurrent: usize, mut shutdown: watch::Receiver<bool>) {
    let permits = Arc::new(Semaphore::new(max_concurrent.max(1)));
    loop {
        let free = permits.available_permits();
        if free > 0 {
            match syncer.claim_due(free).await {
                Ok(targets) => {
                    for target in targets {
                        let Ok(permit) = permits.clone().try_acquire_owned() else {
                            break;
                        };
                        let syncer = syncer.clone();
                        tokio::spawn(async move {
                            if let Err(e) = syncer.poll_and_record(&target).await {
                                tracing::warn!(device = %target.device_id, "recording a poll failed: {e}");
                            }
                            drop(permit);
                        });
                    }
                }
                Err(e) => tracing::warn!("claiming due devices failed: {e}"),
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = shutdown.changed() => break,
        }
    }
    // Wait (bounded) for polls in flight.
    let all = u32::try_from(max_concurrent.max(1)).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(Duration::from_secs(30), permits.acquire_many(all)).await;
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
