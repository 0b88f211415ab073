//! Punches shaped like real workdays, for the demo and attendance tests:
//! most people check in around the start of their shift, some late; they
//! check out around its end, now and then early or not at all; a double
//! tap, a wrong key, a day absent; weekends and days off without punches.
//! Deterministic for a given seed. Times are the device's wall clock.

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::ToSpan;
use zk_protocol::{DeviceTime, Punch};

use crate::generate::Rng;

/// When someone is scheduled: minutes after midnight, and the weekdays
/// (Monday first). An end at or before the start is the next day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkHours {
    pub start_minute: u16,
    pub end_minute: u16,
    pub weekdays: [bool; 7],
}

impl WorkHours {
    /// `start`–`end` (`HH`, `MM`), Monday to Friday.
    pub const fn weekdays(start: (u16, u16), end: (u16, u16)) -> WorkHours {
        WorkHours {
            start_minute: start.0 * 60 + start.1,
            end_minute: end.0 * 60 + end.1,
            weekdays: [true, true, true, true, true, false, false],
        }
    }

    fn works_on(&self, day: Weekday) -> bool {
        self.weekdays[day.to_monday_zero_offset() as usize]
    }

    fn length_minutes(&self) -> i64 {
        let (s, e) = (i64::from(self.start_minute), i64::from(self.end_minute));
        if e > s {
            e - s
        } else {
            e + 24 * 60 - s
        }
    }
}

/// One person on a device: their ids there and their hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worker {
    pub user_id: String,
    pub uid: u16,
    pub hours: WorkHours,
}

/// Every punch of `workers` on the days `from..=to` (shifts starting on
/// them), skipping `days_off`, in time order.
pub fn workday_punches(
    workers: &[Worker],
    from: Date,
    to: Date,
    days_off: &[Date],
    seed: u64,
) -> Vec<Punch> {
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        if !days_off.contains(&day) {
            for w in workers {
                // Seeded by person and date, so a day reads the same
                // whatever range or device list it was generated in (a
                // restarted demo adds nothing).
                let mut rng = Rng::new(seed, person_number(&w.user_id), date_number(day));
                out.extend(one_day(w, day, &mut rng));
            }
        }
        day = match day.tomorrow() {
            Ok(d) => d,
            Err(_) => break,
        };
    }
    out.sort_by_key(|p| p.time);
    out
}

/// FNV-1a of the enroll id.
fn person_number(user_id: &str) -> u32 {
    user_id.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

fn date_number(d: Date) -> u64 {
    (i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())) as u64
}

/// One person's punches for the shift starting on `day`.
fn one_day(w: &Worker, day: Date, rng: &mut Rng) -> Vec<Punch> {
    if !w.hours.works_on(day.weekday()) || rng.below(40) == 0 {
        return Vec::new(); // day off, or absent one day in forty
    }
    let start = day.to_datetime(Time::midnight()) + i64::from(w.hours.start_minute).minutes();
    let end = start + w.hours.length_minutes().minutes();
    // Most arrive 12 min early to 4 min late; one in eight 6-40 min late.
    let arrive = if rng.below(8) == 0 {
        6 * 60 + rng.below(34 * 60) as i64
    } else {
        rng.below(16 * 60) as i64 - 12 * 60
    };
    let mut punches = vec![punch(w, start + arrive.seconds(), 0)];
    if rng.below(20) == 0 {
        // A double tap: the finger did not read the first time.
        let again = start + (arrive + 20 + rng.below(40) as i64).seconds();
        punches.push(punch(w, again, 0));
    }
    if rng.below(25) != 0 {
        // Usually out 5 min early to 25 late; sometimes an hour early.
        let leave = if rng.below(30) == 0 {
            -(30 + rng.below(60) as i64) * 60
        } else {
            rng.below(30 * 60) as i64 - 5 * 60
        };
        // Now and then the wrong key: out pressed as in.
        let key = if rng.below(30) == 0 { 0 } else { 1 };
        punches.push(punch(w, end + leave.seconds(), key));
    }
    punches
}

fn punch(w: &Worker, at: DateTime, key: u8) -> Punch {
    let time = DeviceTime::new(
        at.year() as u16,
        at.month() as u8,
        at.day() as u8,
        at.hour() as u8,
        at.minute() as u8,
        at.second() as u8,
    )
    .expect("a civil time is a device time");
    Punch {
        uid: w.uid,
        user_id: w.user_id.clone(),
        time,
        status: 1,
        punch: key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn workers() -> Vec<Worker> {
        (0..20)
            .map(|i| Worker {
                user_id: (1001 + i).to_string(),
                uid: i as u16 + 1,
                hours: if i < 17 {
                    WorkHours::weekdays((9, 0), (17, 30))
                } else {
                    WorkHours::weekdays((22, 0), (6, 0))
                },
            })
            .collect()
    }

    fn minutes(t: DeviceTime) -> i64 {
        i64::from(t.hour) * 60 + i64::from(t.minute)
    }

    #[test]
    fn shaped_like_workdays_and_deterministic() {
        // 2026-06-01 is a Monday; four weeks, one day off.
        let (from, to) = (date(2026, 6, 1), date(2026, 6, 28));
        let off = [date(2026, 6, 10)];
        let punches = workday_punches(&workers(), from, to, &off, 7);
        assert_eq!(punches, workday_punches(&workers(), from, to, &off, 7));
        let later = workday_punches(&workers(), date(2026, 6, 8), to, &off, 7);
        let overlap: Vec<_> = punches
            .iter()
            .filter(|p| p.time.day >= 8)
            .cloned()
            .collect();
        assert_eq!(later, overlap, "a day is the same in any range");
        assert!(punches.windows(2).all(|w| w[0].time <= w[1].time));
        let on = |d: u8| {
            punches
                .iter()
                .filter(move |p| p.time.day == d && p.time.month == 6)
        };
        assert_eq!(on(7).count(), 0, "a Sunday without punches");
        assert!(
            on(6).all(|p| minutes(p.time) < 7 * 60),
            "Saturday: Friday night's check-outs"
        );
        assert!(
            on(10).all(|p| minutes(p.time) < 7 * 60),
            "only last night's check-outs on the day off"
        );
        let day_ins: Vec<i64> = punches
            .iter()
            .filter(|p| p.punch == 0 && (7 * 60..11 * 60).contains(&minutes(p.time)))
            .map(|p| minutes(p.time))
            .collect();
        let on_time = day_ins
            .iter()
            .filter(|m| (8 * 60 + 48..=9 * 60 + 5).contains(*m))
            .count();
        let late = day_ins.iter().filter(|m| **m > 9 * 60 + 5).count();
        assert!(
            on_time * 10 > day_ins.len() * 7,
            "most on time: {on_time} of {}",
            day_ins.len()
        );
        assert!(late > 0, "some late");
        // Night shifts check out the next morning.
        let night_outs = punches
            .iter()
            .filter(|p| p.user_id == "1018" && p.punch == 1);
        assert!(night_outs.clone().count() > 10);
        assert!(night_outs
            .clone()
            .all(|p| minutes(p.time) < 7 * 60 || minutes(p.time) > 21 * 60));
    }

    #[test]
    fn some_days_are_irregular() {
        let punches = workday_punches(&workers(), date(2026, 6, 1), date(2026, 7, 31), &[], 3);
        let mut per_day: std::collections::HashMap<(String, u8, u8), usize> = Default::default();
        for p in punches.iter().filter(|p| p.user_id.as_str() < "1018") {
            *per_day
                .entry((p.user_id.clone(), p.time.month, p.time.day))
                .or_default() += 1;
        }
        assert!(per_day.values().any(|n| *n == 1), "a missing check-out");
        assert!(per_day.values().any(|n| *n == 3), "a double tap");
        assert!(per_day.values().filter(|n| **n == 2).count() > per_day.len() * 3 / 4);
    }
}
