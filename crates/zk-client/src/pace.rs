//! Reading a streamed chunk that trickles in, at a cost that does not grow
//! with the link's pace.
//!
//! Waking for every 1 KB DATA frame costs a runtime wakeup each (an epoll
//! return plus a futex handoff between worker threads), so on a slow link a
//! pull used 4-6x the CPU of the same pull back to back (issue 10). Once the
//! link's rate is known (from the previous chunk of the same pull, or from
//! the first frames of this one), the reader instead parks the socket and
//! sleeps for about the time the rest of the chunk needs, then takes all of
//! it in one read: a few wakeups per chunk, whatever the pace. The kernel
//! buffers what arrives meanwhile, so nothing is lost.

use std::time::Duration;
use tokio::time::Instant;

/// Below this much elapsed time the rate is not yet measurable.
const MIN_SAMPLE: Duration = Duration::from_millis(1);
/// Shorter pauses are not worth a timer: read as data comes.
const MIN_PAUSE: Duration = Duration::from_millis(2);
/// Never wait longer than this in one go, so a link that speeds up (TCP
/// slow start, a burst after a stall) is followed within this delay.
const MAX_PAUSE: Duration = Duration::from_millis(500);
/// What follows the data of a chunk: its last frame's header and the closing
/// ACK_OK frame, as bytes of waiting at the link's rate.
const TAIL_BYTES: f64 = 1024.0;

/// What a device's link did on the last streamed answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Link {
    /// Data bytes per second.
    pub(crate) rate: f64,
    /// From sending a request to its answer's first frame.
    pub(crate) latency: Duration,
}

/// Paces the reads of one streamed answer of `expect` data bytes.
#[derive(Debug)]
pub(crate) struct Pacer {
    expect: usize,
    /// When the request went out.
    sent: Instant,
    known: Option<Link>,
    /// When the answer was first seen begun, and the data bytes by then.
    first: Option<(Instant, usize)>,
    rate: Option<f64>,
    latency: Option<Duration>,
    /// The last pause was taken: what is here now arrived while we slept.
    slept: bool,
}

impl Pacer {
    /// Call as the request is sent.
    pub(crate) fn new(expect: usize, known: Option<Link>, sent: Instant) -> Pacer {
        Pacer {
            expect,
            sent,
            known,
            first: None,
            rate: None,
            latency: None,
            slept: false,
        }
    }

    /// How long to wait before reading again, given that the answer has
    /// `started` (its first frame came) and `received` data bytes so far;
    /// `None` = read as soon as anything arrives.
    pub(crate) fn pause(
        &mut self,
        started: bool,
        received: usize,
        now: Instant,
    ) -> Option<Duration> {
        let wait = if started {
            self.measure(received, now);
            let remaining = self.expect.saturating_sub(received);
            let rate = self.rate.or(self.known.map(|k| k.rate))?;
            (remaining > 0).then(|| secs((remaining as f64 + TAIL_BYTES) / rate))?
        } else if self.slept {
            // Slept through the expected latency and nothing came: wait for it.
            return None;
        } else {
            // A link seen before: sleep through the whole answer at once.
            let k = self.known?;
            let ahead = k
                .latency
                .saturating_sub(now.saturating_duration_since(self.sent));
            ahead + secs((self.expect as f64 + TAIL_BYTES) / k.rate)
        };
        self.slept = wait >= MIN_PAUSE;
        self.slept.then(|| wait.min(MAX_PAUSE))
    }

    /// Woken by data, the bytes so far arrived at the rate seen. After a
    /// pause they arrived at least that fast, and the answer began at most
    /// that long after the request, perhaps long before we looked: such a
    /// sample only raises the rate (lowers the latency), or pauses would
    /// creep longer chunk after chunk.
    fn measure(&mut self, received: usize, now: Instant) {
        if self.latency.is_none() {
            let seen = now.saturating_duration_since(self.sent);
            self.latency = Some(match self.known {
                Some(k) if self.slept => seen.min(k.latency),
                _ => seen,
            });
        }
        let (t0, r0) = *self.first.get_or_insert((now, received));
        let (dt, dr) = (now.saturating_duration_since(t0), received - r0);
        if dr == 0 || dt < MIN_SAMPLE {
            return;
        }
        let seen = dr as f64 / dt.as_secs_f64();
        self.rate = Some(match self.rate.or(self.known.map(|k| k.rate)) {
            Some(before) if self.slept => seen.max(before),
            _ => seen,
        });
    }

    /// The link as measured on this answer, for the next one.
    pub(crate) fn link(&self) -> Option<Link> {
        Some(Link {
            rate: self.rate.or(self.known.map(|k| k.rate))?,
            latency: self.latency.or(self.known.map(|k| k.latency))?,
        })
    }
}

/// Seconds as a duration, saturating at a day for absurd estimates.
fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s).unwrap_or(Duration::from_secs(86_400))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn back_to_back_data_is_read_at_once() {
        let t = Instant::now();
        let mut p = Pacer::new(65_000, None, t);
        assert_eq!(p.pause(false, 0, t), None, "no answer yet: wait for it");
        assert_eq!(
            p.pause(true, 0, t),
            None,
            "the first frame starts the clock"
        );
        let soon = t + Duration::from_micros(300);
        assert_eq!(p.pause(true, 30_000, soon), None, "too fast to measure");
        assert_eq!(p.pause(true, 65_000, t + 1000 * MS), None, "done");
    }

    #[test]
    fn a_trickle_waits_for_about_the_rest() {
        let t = Instant::now();
        let mut p = Pacer::new(65_000, None, t);
        p.pause(true, 0, t + 10 * MS);
        // 1,000 bytes per 3 ms: the other 63,000 (and the tail) need ~192 ms.
        let wait = p.pause(true, 2_000, t + 16 * MS).unwrap();
        assert!(wait >= 190 * MS && wait <= 195 * MS, "{wait:?}");
        let link = p.link().unwrap();
        assert_eq!(link.latency, 10 * MS);
        assert!((330_000.0..340_000.0).contains(&link.rate), "{link:?}");
        // Read after a pause that overslept the end: the rate is not lowered.
        assert_eq!(p.pause(true, 65_000, t + 400 * MS), None);
        assert_eq!(p.link(), Some(link));
        // A very slow link is re-checked at least every MAX_PAUSE.
        let mut slow = Pacer::new(1_000_000, None, t);
        slow.pause(true, 10, t);
        assert_eq!(slow.pause(true, 20, t + 1000 * MS), Some(MAX_PAUSE));
    }

    #[test]
    fn a_known_link_sleeps_through_the_whole_answer() {
        let t = Instant::now();
        let known = Link {
            rate: 1_000_000.0,
            latency: 20 * MS,
        };
        let mut p = Pacer::new(65_000, Some(known), t);
        let wait = p.pause(false, 0, t).unwrap();
        assert!(wait >= 85 * MS && wait <= 87 * MS, "{wait:?}");
        // Woke early, the answer half in: the rest, and no lower estimates.
        let rest = p.pause(true, 32_000, t + wait).unwrap();
        assert!(rest >= 30 * MS && rest <= 40 * MS, "{rest:?}");
        assert_eq!(p.link(), Some(known));
        // Woke and nothing came yet: wait for the device, no second guess.
        let mut q = Pacer::new(65_000, Some(known), t);
        q.pause(false, 0, t);
        assert_eq!(q.pause(false, 0, t + 90 * MS), None);
        // A link measured as fast gives no pause at all.
        let fast = Link {
            rate: 1e9,
            latency: Duration::ZERO,
        };
        assert_eq!(Pacer::new(65_000, Some(fast), t).pause(false, 0, t), None);
    }
}
