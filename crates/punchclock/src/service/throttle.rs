//! Rate limits on what a client can make us do: sign-in, sign-up and
//! password-reset attempts, per client address and per account (the email
//! typed, whether or not it exists, so a limit reveals nothing); and manual
//! device contacts ("Test connection", "Sync now") per company, so the
//! device form is no fast port scanner.
//! GCRA limiters from `governor`, read on the service's [`Clock`] so tests
//! move time instead of sleeping. Checked before any password is hashed.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::Clock as GovernorClock;
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};

use super::error::ServiceError;
use crate::clock::Clock;
use crate::domain::CompanyId;

/// Who is asking, as far as the network tells: the peer address (IPv6
/// grouped by /64, which one customer usually holds whole).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Client(Option<IpAddr>);

impl Client {
    pub fn from_ip(ip: IpAddr) -> Client {
        Client(Some(match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
            },
            v4 => v4,
        }))
    }

    /// No address known (a request made in-process): one shared budget.
    pub fn unknown() -> Client {
        Client(None)
    }
}

/// Attempts allowed; each limiter starts with a burst and refills steadily.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Sign-in, sign-up and reset attempts per client address per minute.
    pub per_ip_per_minute: u32,
    /// Attempts per account (email) per hour; the burst is at most 10.
    pub per_account_per_hour: u32,
    /// Manual device contacts (Test, Sync now) per company per minute.
    pub device_contacts_per_company_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_ip_per_minute: 30,
            per_account_per_hour: 20,
            device_contacts_per_company_per_minute: 20,
        }
    }
}

/// `governor`'s view of the injected clock: time since the Unix epoch.
#[derive(Clone)]
struct ServiceClock(Clock);

impl GovernorClock for ServiceClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        let t = self.0.now();
        Duration::from_nanos(u64::try_from(t.as_nanosecond()).unwrap_or(0))
    }
}

type Keyed<K> = RateLimiter<K, HashMapStateStore<K>, ServiceClock, NoOpMiddleware<Duration>>;

/// The sign-in limiters; cheap to clone, clones share the counts.
#[derive(Clone)]
pub struct Throttle {
    by_client: Arc<Keyed<Client>>,
    by_account: Arc<Keyed<String>>,
    contacts: Arc<Keyed<CompanyId>>,
    clock: ServiceClock,
}

fn quota(per: Duration, n: u32, burst: u32) -> Quota {
    let n = NonZeroU32::new(n.max(1)).expect("at least 1");
    let burst = NonZeroU32::new(burst.max(1)).expect("at least 1");
    Quota::with_period(per / n.get())
        .expect("a positive period")
        .allow_burst(burst)
}

fn keyed<K: Hash + Eq + Clone>(q: Quota, clock: &ServiceClock) -> Arc<Keyed<K>> {
    Arc::new(RateLimiter::new(q, Default::default(), clock.clone()))
}

impl Throttle {
    pub fn new(limits: Limits, clock: Clock) -> Throttle {
        let clock = ServiceClock(clock);
        let (ip, account) = (limits.per_ip_per_minute, limits.per_account_per_hour);
        let contacts = limits.device_contacts_per_company_per_minute;
        let minute = Duration::from_secs(60);
        Throttle {
            by_client: keyed(quota(minute, ip, ip), &clock),
            by_account: keyed(quota(minute * 60, account, account.min(10)), &clock),
            contacts: keyed(quota(minute, contacts, contacts), &clock),
            clock,
        }
    }

    /// One attempt by `client` on `account` (an email, any case): refused
    /// with the wait when either has spent its budget.
    pub fn attempt(&self, client: Client, account: Option<&str>) -> Result<(), ServiceError> {
        // A flood of distinct addresses or emails must not grow the maps
        // without end: drop the keys that are back to a full budget.
        if self.by_client.len() + self.by_account.len() > 100_000 {
            self.forget_idle();
        }
        self.check(&self.by_client, &client)?;
        if let Some(email) = account {
            self.check(&self.by_account, &email.trim().to_lowercase())?;
        }
        Ok(())
    }

    /// One manual contact with a device of `company`.
    pub fn contact(&self, company: CompanyId) -> Result<(), ServiceError> {
        self.check(&self.contacts, &company)
    }

    fn check<K: Hash + Eq + Clone>(&self, limiter: &Keyed<K>, key: &K) -> Result<(), ServiceError> {
        limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            ServiceError::Throttled {
                retry_after_seconds: wait.as_secs().max(1),
            }
        })
    }

    /// Forget limiters that are full again, so memory stays bounded.
    fn forget_idle(&self) {
        self.by_client.retain_recent();
        self.by_account.retain_recent();
        self.contacts.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::SignedDuration;

    fn throttle(clock: &Clock) -> Throttle {
        let limits = Limits {
            per_ip_per_minute: 5,
            per_account_per_hour: 6,
            device_contacts_per_company_per_minute: 3,
        };
        Throttle::new(limits, clock.clone())
    }

    #[test]
    fn an_address_gets_its_burst_then_waits() {
        let clock = Clock::manual("2026-07-01T08:00:00Z".parse().unwrap());
        let t = throttle(&clock);
        let me = Client::from_ip("192.0.2.1".parse().unwrap());
        let other = Client::from_ip("192.0.2.2".parse().unwrap());
        for _ in 0..5 {
            t.attempt(me, None).unwrap();
        }
        let Err(ServiceError::Throttled {
            retry_after_seconds,
        }) = t.attempt(me, None)
        else {
            panic!("the sixth attempt passed");
        };
        assert!((1..=12).contains(&retry_after_seconds));
        t.attempt(other, None)
            .expect("another address has its own budget");
        clock.advance(SignedDuration::from_secs(12));
        t.attempt(me, None).expect("refilled after a while");
    }

    #[test]
    fn an_account_is_limited_across_addresses_in_any_case() {
        let clock = Clock::manual("2026-07-01T08:00:00Z".parse().unwrap());
        let t = throttle(&clock);
        for i in 0..6u8 {
            let ip = Client::from_ip(IpAddr::from([198, 51, 100, i]));
            t.attempt(ip, Some("Owner@Acme.example")).unwrap();
        }
        let fresh = Client::from_ip("203.0.113.9".parse().unwrap());
        assert!(t.attempt(fresh, Some("owner@acme.example ")).is_err());
        assert!(t.attempt(fresh, Some("other@acme.example")).is_ok());
    }

    #[test]
    fn manual_contacts_are_limited_per_company() {
        let clock = Clock::manual("2026-07-01T08:00:00Z".parse().unwrap());
        let t = throttle(&clock);
        for _ in 0..3 {
            t.contact(CompanyId(1)).unwrap();
        }
        assert!(t.contact(CompanyId(1)).is_err());
        assert!(
            t.contact(CompanyId(2)).is_ok(),
            "another company is not slowed"
        );
    }

    #[test]
    fn ipv6_neighbours_share_a_budget() {
        let a = Client::from_ip("2001:db8::1".parse().unwrap());
        let b = Client::from_ip("2001:db8::ffff:1".parse().unwrap());
        let c = Client::from_ip("2001:db8:0:1::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        let mapped = Client::from_ip("::ffff:192.0.2.1".parse().unwrap());
        assert_eq!(mapped, Client::from_ip("192.0.2.1".parse().unwrap()));
    }
}
