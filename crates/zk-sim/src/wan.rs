//! A simulated WAN between a device and its client: a delay per round trip
//! and a throughput cap, so a simulated device costs what a real one behind
//! a router costs.
//!
//! Everything is a tokio timer on the connection's own task: no thread per
//! device and nothing that wakes while a link is idle, so one process can
//! serve 10,000 devices at 100 ms.

use std::time::Duration;
use tokio::time::Instant;

/// A link's shape. `Wan::default()` is loopback: no delay, no cap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wan {
    /// Added once per request/answer round trip (half of it to a pushed event).
    pub rtt: Duration,
    /// Device-to-client throughput cap in kilobits per second; 0 = none.
    pub bandwidth_kbps: u32,
}

/// One connection's side of the link: when it is free to carry more bytes.
#[derive(Debug)]
pub(crate) struct Link {
    free_at: Instant,
}

impl Link {
    pub(crate) fn new() -> Link {
        Link {
            free_at: Instant::now(),
        }
    }

    /// Wait out one round trip before an answer starts.
    pub(crate) async fn round_trip(&self, wan: Wan) {
        if !wan.rtt.is_zero() {
            tokio::time::sleep(wan.rtt).await;
        }
    }

    /// Wait out half a round trip before a pushed event.
    pub(crate) async fn one_way(&self, wan: Wan) {
        if !wan.rtt.is_zero() {
            tokio::time::sleep(wan.rtt / 2).await;
        }
    }

    /// Wait until `bytes` have crossed the capped link, queued behind what
    /// was sent before, so the peer receives them when they would arrive.
    pub(crate) async fn transmit(&mut self, wan: Wan, bytes: usize) {
        if wan.bandwidth_kbps == 0 {
            return;
        }
        let secs = bytes as f64 * 8.0 / (f64::from(wan.bandwidth_kbps) * 1000.0);
        let start = self.free_at.max(Instant::now());
        self.free_at = start + Duration::from_secs_f64(secs);
        tokio::time::sleep_until(self.free_at).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn bytes_queue_behind_each_other_at_the_cap() {
        let wan = Wan {
            rtt: Duration::from_millis(100),
            bandwidth_kbps: 80, // 10,000 bytes per second
        };
        let mut link = Link::new();
        let t0 = Instant::now();
        link.round_trip(wan).await;
        assert_eq!(t0.elapsed(), Duration::from_millis(100));
        link.transmit(wan, 1_000).await;
        link.transmit(wan, 1_000).await;
        assert_eq!(t0.elapsed(), Duration::from_millis(300));
        link.one_way(wan).await;
        assert_eq!(t0.elapsed(), Duration::from_millis(350));
        // An idle link does not bank its unused capacity... nor owe any.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let t1 = Instant::now();
        link.transmit(wan, 500).await;
        assert_eq!(t1.elapsed(), Duration::from_millis(50));
        Link::new().transmit(Wan::default(), 1 << 20).await;
        assert_eq!(t1.elapsed(), Duration::from_millis(50), "no cap, no wait");
    }
}
