//! The batched writes: who called, and unclaimed sightings, every
//! `flush_ms`; idle rate-limit buckets are dropped at the same time.

use jiff::SignedDuration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::{Inner, Receiver};

impl Receiver {
    /// Runs the flusher until `stop` turns true, then flushes once more.
    pub fn spawn_flusher(&self, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(me.0.settings.flush_every());
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let stopping = tokio::select! {
                    _ = tick.tick() => false,
                    r = stop.wait_for(|s| *s) => { drop(r); true }
                };
                if stopping {
                    break;
                }
                me.flush().await;
            }
            me.flush().await;
        })
    }
}

impl Inner {
    pub(super) async fn flush(&self) {
        self.flush_presence().await;
        self.flush_unclaimed().await;
        self.limits.forget_idle();
        self.slots.forget_idle();
    }

    async fn flush_presence(&self) {
        let seen = self.presence.take();
        if let Err(e) = self.store.flush_push_presence(&seen).await {
            tracing::warn!("push: writing who called failed (kept for the next try): {e}");
            self.presence.restore(seen);
        }
    }

    async fn flush_unclaimed(&self) {
        let seen = self.unclaimed.take();
        let forget = SignedDuration::try_from(self.settings.unclaimed_forget_after())
            .unwrap_or(SignedDuration::from_hours(24 * 30));
        let forget_before = self.clock.now() - forget;
        let written = self
            .store
            .flush_unclaimed(&seen, self.settings.unclaimed_max, forget_before)
            .await;
        if let Err(e) = &written {
            tracing::warn!("push: writing unclaimed serials failed: {e}");
        }
        self.unclaimed.written(seen, written.is_ok());
        self.resync_unclaimed().await;
    }

    /// The store may have forgotten serials (pruned, or claimed on another
    /// instance): then read its list again.
    async fn resync_unclaimed(&self) {
        let Ok(stored) = self.store.count_unclaimed().await else {
            return;
        };
        if stored as usize == self.unclaimed.recorded() {
            return;
        }
        match self.store.list_unclaimed(self.settings.unclaimed_max).await {
            Ok(list) => self
                .unclaimed
                .reload(list.into_iter().map(|d| d.serial_number)),
            Err(e) => tracing::warn!("push: reading unclaimed serials failed: {e}"),
        }
    }
}
