//! Deterministic fake devices: the same `(index, seed)` always gives the same
//! identity, users and punches (for a given anchor date), on any machine and
//! any version of our dependencies, so tests and the interop script can
//! compare a client's pull against data computed separately.

use crate::spec::DeviceSpec;
use jiff::civil::Date;
use jiff::ToSpan;
use zk_protocol::{DeviceTime, Punch, User};

/// SplitMix64: tiny, fast and stable forever (unlike a library RNG whose
/// stream may change between versions, which would break determinism).
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64, index: u32, stream: u64) -> Rng {
        let mut r =
            Rng(seed ^ (u64::from(index) << 32) ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        r.next();
        r
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
}

// Names fit the 8 bytes a 28-byte (UDP) user record holds, so every
// transport returns them whole.
const NAMES: &[&str] = &[
    "Ana", "Bruno", "Carla", "Diego", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kemal",
    "Lucia", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tomas", "Uma", "Victor",
    "Wen", "Ximena", "Yusuf", "Zoe",
];

/// Punches fall between 07:00 and 19:00.
const DAY_START_SECS: u64 = 7 * 3600;
const WORKDAY_SECS: u64 = 12 * 3600;
/// Generated history never reaches back further than this.
const MAX_DAYS: u64 = 3650;

impl DeviceSpec {
    /// Deterministic device number `index` from `seed`, with `punches`
    /// punches spread over the days before today (host local date).
    ///
    /// Serial "SIM" + 10 digits; users have numeric enroll ids (so they fit the
    /// 28-byte and 16-byte UDP layouts), about 1 in 5 has an empty name; punches
    /// are in time order, each referencing a generated user (none if `users` is 0).
    pub fn generated(index: u32, users: u32, punches: u32, seed: u64) -> DeviceSpec {
        Self::generated_until(index, users, punches, seed, crate::clock::today())
    }

    /// As [`DeviceSpec::generated`], with punches on the days before `until`'s
    /// date instead of today's, so separate runs can agree on the data.
    pub fn generated_until(
        index: u32,
        users: u32,
        punches: u32,
        seed: u64,
        until: DeviceTime,
    ) -> DeviceSpec {
        let mut rng = Rng::new(seed, index, 0);
        let mac_tail = rng.next();
        let users = gen_users(
            &mut Rng::new(seed, index, 1),
            users.min(u32::from(u16::MAX)),
        );
        let punches = gen_punches(&mut Rng::new(seed, index, 2), &users, punches, until);
        DeviceSpec {
            serial: format!("SIM{:03}{:07}", seed % 1000, index),
            device_name: format!("SIM-{index:04}"),
            mac: format!(
                "00:17:61:{:02x}:{:02x}:{:02x}",
                (mac_tail >> 16) as u8,
                (mac_tail >> 8) as u8,
                mac_tail as u8
            ),
            users,
            punches,
            ..DeviceSpec::default()
        }
    }
}

fn gen_users(rng: &mut Rng, n: u32) -> Vec<User> {
    (0..n)
        .map(|i| {
            let name = if i == 0 {
                "Admin".to_string()
            } else if rng.below(5) == 0 {
                String::new()
            } else {
                let first = NAMES[rng.below(NAMES.len() as u64) as usize];
                let initial = char::from(b'A' + rng.below(26) as u8);
                if first.len() + 3 <= 8 && rng.below(2) == 0 {
                    format!("{first} {initial}.")
                } else {
                    first.to_string()
                }
            };
            User {
                uid: (i + 1) as u16,
                privilege: match (i, rng.below(20)) {
                    (0, _) => 14,
                    (_, 0) => 2,
                    _ => 0,
                },
                // At most 4 characters: what a 28-byte record holds.
                password: if rng.below(10) == 0 {
                    format!("{}", 1000 + rng.below(9000))
                } else {
                    String::new()
                },
                name_bytes: name.as_bytes().to_vec(),
                name,
                card: if rng.below(3) == 0 {
                    1_000_000 + rng.below(9_000_000) as u32
                } else {
                    0
                },
                group: 1,
                user_id: (1001 + i).to_string(),
            }
        })
        .collect()
}

fn gen_punches(rng: &mut Rng, users: &[User], n: u32, until: DeviceTime) -> Vec<Punch> {
    if users.is_empty() || n == 0 {
        return Vec::new();
    }
    let n64 = u64::from(n);
    // About two punches per user and day.
    let days = n64.div_ceil(2 * users.len() as u64).clamp(1, MAX_DAYS);
    let total = days * WORKDAY_SECS;
    let end = Date::new(until.year as i16, until.month as i8, until.day as i8)
        .unwrap_or(Date::constant(2026, 1, 1));
    let first_day = end.checked_sub((days as i64).days()).unwrap_or(end);
    let mut cached: Option<(u64, Date)> = None;
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n64 {
        // (i + u) * total / n with u in [0, 1): strictly inside slot i, so
        // positions never decrease and punches come out in time order.
        let u = rng.below(1 << 20);
        let pos = ((u128::from(i) << 20 | u128::from(u)) * u128::from(total)
            / (u128::from(n64) << 20)) as u64;
        let day = pos / WORKDAY_SECS;
        let secs = DAY_START_SECS + pos % WORKDAY_SECS;
        let date = match cached {
            Some((d, date)) if d == day => date,
            _ => {
                let date = first_day
                    .checked_add((day as i64).days())
                    .unwrap_or(first_day);
                cached = Some((day, date));
                date
            }
        };
        let hour = (secs / 3600) as u8;
        let user = &users[rng.below(users.len() as u64) as usize];
        let time = DeviceTime::new(
            date.year() as u16,
            date.month() as u8,
            date.day() as u8,
            hour,
            (secs / 60 % 60) as u8,
            (secs % 60) as u8,
        )
        .expect("computed from a valid date");
        out.push(Punch {
            uid: user.uid,
            user_id: user.user_id.clone(),
            time,
            // Mostly fingerprint, some face, a few card.
            status: match rng.below(10) {
                0..=6 => 1,
                7 | 8 => 15,
                _ => 4,
            },
            // Keypad state follows the time of day.
            punch: match hour {
                0..=11 => 0,
                12 => 2 + rng.below(2) as u8,
                _ => 1,
            },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use zk_protocol::records::{encode_user, UserLayout};

    fn until() -> DeviceTime {
        DeviceTime::new(2026, 3, 1, 0, 0, 0).unwrap()
    }

    #[test]
    fn deterministic_and_distinct() {
        let a = DeviceSpec::generated_until(3, 50, 500, 7, until());
        let b = DeviceSpec::generated_until(3, 50, 500, 7, until());
        assert_eq!(a.users, b.users);
        assert_eq!(a.punches, b.punches);
        assert_eq!(a.serial, b.serial);
        let c = DeviceSpec::generated_until(4, 50, 500, 7, until());
        assert_ne!(a.serial, c.serial);
        assert_ne!(a.punches, c.punches);
        assert!(a.serial.starts_with("SIM") && a.serial[3..].chars().all(|c| c.is_ascii_digit()));
        // More punches must not change the users.
        let d = DeviceSpec::generated_until(3, 50, 900, 7, until());
        assert_eq!(a.users, d.users);
    }

    #[test]
    fn users_fit_udp_records_and_some_have_no_name() {
        let s = DeviceSpec::generated_until(0, 500, 0, 1, until());
        let empty = s.users.iter().filter(|u| u.name.is_empty()).count();
        assert!((60..=140).contains(&empty), "{empty} of 500 unnamed");
        for u in &s.users {
            assert!(u.user_id.parse::<u32>().is_ok());
            let mut rec = vec![];
            encode_user(UserLayout::Zk6, u, &mut rec);
            let back = zk_protocol::records::decode_user(UserLayout::Zk6, &rec).unwrap();
            assert_eq!(&back, u, "user must survive the 28-byte layout");
        }
        let ids: std::collections::HashSet<_> = s.users.iter().map(|u| &u.user_id).collect();
        assert_eq!(ids.len(), 500);
    }

    #[test]
    fn punches_ordered_in_the_past_and_reference_users() {
        let s = DeviceSpec::generated_until(1, 20, 5000, 9, until());
        assert_eq!(s.punches.len(), 5000);
        let limit = until().seconds_since_2000();
        for w in s.punches.windows(2) {
            assert!(w[0].time <= w[1].time);
        }
        for p in &s.punches {
            assert!(p.time.seconds_since_2000() < limit);
            let u = s.users.iter().find(|u| u.user_id == p.user_id).unwrap();
            assert_eq!(u.uid, p.uid);
        }
        // Spread over several days, not squeezed into one.
        assert_ne!(s.punches[0].time.day, s.punches[4999].time.day);
        assert!(DeviceSpec::generated_until(1, 0, 10, 9, until())
            .punches
            .is_empty());
    }

    #[test]
    fn a_million_punches_stay_in_range() {
        let s = DeviceSpec::generated_until(0, 20, 1_000_000, 1, until());
        assert_eq!(s.punches.len(), 1_000_000);
        assert!(s.punches[0].time.encode().is_ok());
        assert!(s.punches[0].time < s.punches[999_999].time);
    }
}
