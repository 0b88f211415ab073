//! Hostile-input guards: request rates per source, per device and for
//! unclaimed serials (governor's keyed token buckets), and the per-company
//! limit on uploads being committed at once.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::settings::{PushSettings, Rate};
use crate::domain::CompanyId;

fn quota(rate: Rate) -> Quota {
    let n = |v: u32| NonZeroU32::new(v.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_second(n(rate.per_second)).allow_burst(n(rate.burst))
}

/// The token buckets.
pub(super) struct Limits {
    source: DefaultKeyedRateLimiter<IpAddr>,
    device: DefaultKeyedRateLimiter<String>,
    unclaimed: DefaultKeyedRateLimiter<String>,
    all_unclaimed: DefaultDirectRateLimiter,
}

impl Limits {
    pub(super) fn new(s: &PushSettings) -> Limits {
        Limits {
            source: RateLimiter::keyed(quota(s.per_source)),
            device: RateLimiter::keyed(quota(s.per_device)),
            unclaimed: RateLimiter::keyed(quota(s.per_unclaimed)),
            all_unclaimed: RateLimiter::direct(quota(s.all_unclaimed)),
        }
    }

    pub(super) fn source(&self, ip: IpAddr) -> bool {
        self.source.check_key(&ip).is_ok()
    }

    pub(super) fn device(&self, serial: &str) -> bool {
        self.device.check_key(&serial.to_string()).is_ok()
    }

    /// One unclaimed serial, and all of them together.
    pub(super) fn unclaimed(&self, serial: &str) -> bool {
        self.unclaimed.check_key(&serial.to_string()).is_ok() && self.all_unclaimed.check().is_ok()
    }

    /// Drops the buckets of keys that went quiet (memory stays bounded by
    /// the keys active within one refill).
    pub(super) fn forget_idle(&self) {
        for limiter in [&self.device, &self.unclaimed] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        self.source.retain_recent();
        self.source.shrink_to_fit();
    }
}

/// Uploads of one company committed at once.
pub(super) struct CompanySlots {
    per_company: usize,
    slots: Mutex<HashMap<CompanyId, Arc<Semaphore>>>,
}

impl CompanySlots {
    pub(super) fn new(per_company: u32) -> CompanySlots {
        CompanySlots {
            per_company: per_company.max(1) as usize,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for one of the company's slots (first come, first served).
    pub(super) async fn take(&self, company: CompanyId) -> Option<OwnedSemaphorePermit> {
        let semaphore = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots
                .entry(company)
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_company)))
                .clone()
        };
        semaphore.acquire_owned().await.ok()
    }

    /// Forgets companies with no upload in flight.
    pub(super) fn forget_idle(&self) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.retain(|_, s| Arc::strong_count(s) > 1);
    }
}
