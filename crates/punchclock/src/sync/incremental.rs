//! Deciding what a sync downloads, from the device's counters and what the
//! last sync saw (its [`SyncMark`]), and fingerprinting the log's tail.
//!
//! The protocol cannot read part of a log, so a log that grew is downloaded
//! whole; but the punches before the last sync's position are checked, not
//! stored: if the records just before that position still have the
//! fingerprint they had, the log was only appended to, and only what comes
//! after goes to the store. A log cleared and refilled fails that check
//! (its operation-log count changed, so it is read even at the same
//! count): the records past the position are stored as they come, and the
//! ones skipped before it are read a second time and stored too.

use std::collections::VecDeque;
use std::time::Duration;

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use zk_protocol::{FreeSizes, Punch};

use crate::domain::{PollMode, SyncMark};

/// Records the tail fingerprint covers.
pub const TAIL_RECORDS: usize = 16;

/// What to download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Nothing: the counters match the last sync.
    Unchanged,
    /// Something changed: read the users if `users`, the punches if
    /// `punches`. Punch records before `after` were stored by earlier
    /// syncs if the records just before it still have fingerprint `tail`.
    Incremental {
        users: bool,
        punches: bool,
        after: u64,
        tail: String,
        why: &'static str,
    },
    /// Everything, stored whole (`why` in plain words, for the log).
    Full { why: &'static str },
}

impl Plan {
    pub fn mode(&self) -> PollMode {
        match self {
            Plan::Unchanged => PollMode::Unchanged,
            Plan::Incremental { .. } => PollMode::Incremental,
            Plan::Full { .. } => PollMode::Full,
        }
    }
}

/// The plan for a device reporting `sizes` at `now`, after `mark`.
/// `serial_changed`: another device answers at this address.
pub fn plan(
    mark: Option<&SyncMark>,
    sizes: &FreeSizes,
    serial_changed: bool,
    now: Timestamp,
    full_every: Duration,
) -> Plan {
    let Some(mark) = mark else {
        return Plan::Full {
            why: "the first sync reads every punch",
        };
    };
    let since_full = now.duration_since(mark.full_at);
    if since_full.as_secs() >= i64::try_from(full_every.as_secs()).unwrap_or(i64::MAX) {
        return Plan::Full {
            why: "the periodic full download (full_sync_hours) was due",
        };
    }
    if serial_changed {
        return Plan::Full {
            why: "another device answers at this address",
        };
    }
    if (sizes.users_cap, sizes.records_cap) != (mark.user_capacity, mark.punch_capacity) {
        return Plan::Full {
            why: "the device's capacities changed",
        };
    }
    if u64::from(sizes.records) < mark.position.min(u64::from(mark.punches)) {
        return Plan::Full {
            why: "the punch log shrank (it was cleared)",
        };
    }
    let oplog = sizes.oplog != mark.oplog;
    let punches = sizes.records != mark.punches || oplog;
    let users = sizes.users != mark.users || oplog;
    if !punches && !users {
        return Plan::Unchanged;
    }
    let why = if oplog {
        "the device's operation log changed (its data may have been cleared or edited)"
    } else if punches {
        "the punch log grew"
    } else {
        "the users changed"
    };
    Plan::Incremental {
        users,
        punches,
        after: mark.position,
        tail: mark.tail.clone(),
        why,
    }
}

/// The fingerprint of the last [`TAIL_RECORDS`] punch records seen.
#[derive(Debug, Clone, Default)]
pub struct Tail {
    recent: VecDeque<[u8; 32]>,
}

impl Tail {
    pub fn push(&mut self, p: &Punch) {
        if self.recent.len() == TAIL_RECORDS {
            self.recent.pop_front();
        }
        self.recent.push_back(record_hash(p));
    }

    /// Hex of a hash over the records held, oldest first.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        for r in &self.recent {
            h.update(r);
        }
        hex::encode(&h.finalize()[..16])
    }
}

/// A record's identity as the device holds it, every field included.
fn record_hash(p: &Punch) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(p.user_id.as_bytes());
    h.update([0]);
    h.update(p.time.seconds_since_2000().to_le_bytes());
    h.update([p.status, p.punch]);
    h.update(p.uid.to_le_bytes());
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use zk_protocol::DeviceTime;

    fn sizes(users: u32, records: u32) -> FreeSizes {
        FreeSizes {
            users,
            records,
            users_cap: 3_000,
            records_cap: 100_000,
            ..FreeSizes::default()
        }
    }

    fn mark(users: u32, punches: u32, full_at: Timestamp) -> SyncMark {
        SyncMark {
            users,
            punches,
            oplog: 0,
            user_capacity: 3_000,
            punch_capacity: 100_000,
            position: u64::from(punches),
            tail: "t".into(),
            full_at,
        }
    }

    const DAY: Duration = Duration::from_secs(86_400);

    fn is_full(p: &Plan) -> bool {
        matches!(p, Plan::Full { .. })
    }

    #[test]
    fn plans_follow_the_counters() {
        let t0: Timestamp = "2026-03-02T08:00:00Z".parse().unwrap();
        let later = t0 + jiff::SignedDuration::from_hours(1);
        let m = mark(5, 100, t0);
        assert!(is_full(&plan(None, &sizes(5, 100), false, t0, DAY)));
        assert_eq!(
            plan(Some(&m), &sizes(5, 100), false, later, DAY),
            Plan::Unchanged
        );
        let grew = plan(Some(&m), &sizes(5, 110), false, later, DAY);
        assert!(
            matches!(
                &grew,
                Plan::Incremental { users: false, punches: true, after: 100, tail, .. } if tail == "t"
            ),
            "{grew:?}"
        );
        let new_user = plan(Some(&m), &sizes(6, 100), false, later, DAY);
        assert!(
            matches!(
                new_user,
                Plan::Incremental {
                    users: true,
                    punches: false,
                    ..
                }
            ),
            "{new_user:?}"
        );
        // Cleared and refilled to the same count: the operation log says so.
        let cleared = FreeSizes {
            oplog: 1,
            ..sizes(5, 100)
        };
        let refilled = plan(Some(&m), &cleared, false, later, DAY);
        assert!(
            matches!(
                refilled,
                Plan::Incremental {
                    users: true,
                    punches: true,
                    after: 100,
                    ..
                }
            ),
            "{refilled:?}"
        );
        assert!(is_full(&plan(Some(&m), &sizes(5, 90), false, later, DAY)));
        assert!(is_full(&plan(Some(&m), &sizes(5, 100), true, later, DAY)));
        let bigger = FreeSizes {
            records_cap: 200_000,
            ..sizes(5, 100)
        };
        assert!(is_full(&plan(Some(&m), &bigger, false, later, DAY)));
        let almost_a_day = t0 + jiff::SignedDuration::from_hours(23);
        assert_eq!(
            plan(Some(&m), &sizes(5, 100), false, almost_a_day, DAY),
            Plan::Unchanged
        );
        let next_day = t0 + jiff::SignedDuration::from_hours(24);
        assert!(is_full(&plan(
            Some(&m),
            &sizes(5, 100),
            false,
            next_day,
            DAY
        )));
    }

    fn punch(id: &str, second: u8) -> Punch {
        Punch {
            uid: 1,
            user_id: id.into(),
            time: DeviceTime::new(2026, 3, 2, 8, 0, second).unwrap(),
            status: 1,
            punch: 0,
        }
    }

    #[test]
    fn the_tail_covers_the_last_records_and_every_field() {
        let mut a = Tail::default();
        let mut b = Tail::default();
        for s in 0..40 {
            a.push(&punch("1", s));
        }
        // Only the last 16 count: a different start, the same tail.
        b.push(&punch("9", 59));
        for s in 24..40 {
            b.push(&punch("1", s));
        }
        assert_eq!(a.fingerprint(), b.fingerprint());
        let mut c = a.clone();
        c.push(&Punch {
            status: 2,
            ..punch("1", 40)
        });
        let mut d = a.clone();
        d.push(&punch("1", 40));
        assert_ne!(c.fingerprint(), d.fingerprint(), "status is part of it");
        assert_ne!(Tail::default().fingerprint(), a.fingerprint());
    }
}
