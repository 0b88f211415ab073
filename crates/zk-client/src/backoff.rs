//! When to try again after a device dropped a realtime connection:
//! exponential, capped, with jitter so a site's clocks that failed together
//! do not all call back in the same second.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    /// Waits start at `first` and double up to `max`.
    pub fn new(first: Duration, max: Duration) -> Backoff {
        Backoff {
            first,
            max,
            next: first,
        }
    }

    /// The wait before the next attempt: the current step, less up to a
    /// quarter at random.
    pub fn next_wait(&mut self) -> Duration {
        let step = self.next;
        self.next = (self.next * 2).min(self.max);
        step.mul_f64(1.0 - rand::random::<f64>() * 0.25)
    }

    /// A connection held: start again from `first` after the next failure.
    pub fn reset(&mut self) {
        self.next = self.first;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_with_jitter_and_resets() {
        let s = Duration::from_secs(1);
        let mut b = Backoff::new(s, 8 * s);
        let waits: Vec<Duration> = (0..6).map(|_| b.next_wait()).collect();
        for (w, step) in waits.iter().zip([1, 2, 4, 8, 8, 8]) {
            let step = step * s;
            assert!(*w <= step && *w >= step.mul_f64(0.75), "{w:?} for {step:?}");
        }
        b.reset();
        assert!(b.next_wait() <= s);
    }
}
