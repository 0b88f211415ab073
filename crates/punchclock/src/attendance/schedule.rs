//! An employee's schedule: the shift that applies on each weekday.
//!
//! The API gives an employee one shift (their own or the company default);
//! a rota of several shifts on different weekdays is also accepted, so a
//! night shift on Monday can be followed by an evening shift on Tuesday.

use jiff::civil::Weekday;

use super::error::InvalidSetting;
use super::shift::{Shift, MAX_SHIFT_MINUTES};

/// At most one shift per weekday, and no shift running into the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    shifts: Vec<Shift>,
    /// Index into `shifts` per weekday, Monday first.
    by_weekday: [Option<u8>; 7],
}

impl Schedule {
    /// The usual case: one shift on its weekdays.
    pub fn single(shift: Shift) -> Schedule {
        Schedule::new(vec![shift]).expect("one valid shift is a valid schedule")
    }

    /// A rota. Refuses two shifts on one weekday, and a shift whose
    /// scheduled time runs past the start of the next day's shift.
    pub fn new(shifts: Vec<Shift>) -> Result<Schedule, InvalidSetting> {
        if shifts.len() > 7 {
            return Err(InvalidSetting::new(
                "shifts",
                "at most one shift per weekday",
            ));
        }
        let mut by_weekday = [None; 7];
        for (i, shift) in shifts.iter().enumerate() {
            for (day, slot) in by_weekday.iter_mut().enumerate() {
                if !shift.works_on(weekday(day)) {
                    continue;
                }
                if let Some(other) = *slot {
                    let other: &Shift = &shifts[usize::from(other)];
                    return Err(InvalidSetting::new(
                        "weekdays",
                        format!(
                            "{:?} and {:?} both work on {}",
                            other.name(),
                            shift.name(),
                            short(day)
                        ),
                    ));
                }
                *slot = Some(i as u8);
            }
        }
        let schedule = Schedule { shifts, by_weekday };
        schedule.check_consecutive_days()?;
        Ok(schedule)
    }

    fn check_consecutive_days(&self) -> Result<(), InvalidSetting> {
        for day in 0..7 {
            let (Some(a), Some(b)) = (self.on_index(day), self.on_index((day + 1) % 7)) else {
                continue;
            };
            let end_a = a.start_minute() + a.length_minutes();
            if end_a > b.start_minute() + 24 * 60 {
                return Err(InvalidSetting::new(
                    "start",
                    format!(
                        "{:?} on {} ends after {:?} starts on {}",
                        a.name(),
                        short(day),
                        b.name(),
                        short((day + 1) % 7)
                    ),
                ));
            }
        }
        debug_assert!(self
            .shifts
            .iter()
            .all(|s| s.length_minutes() <= MAX_SHIFT_MINUTES));
        Ok(())
    }

    fn on_index(&self, day: usize) -> Option<&Shift> {
        self.by_weekday[day].map(|i| &self.shifts[usize::from(i)])
    }

    /// The shift worked on that weekday, if any.
    pub fn shift_on(&self, day: Weekday) -> Option<&Shift> {
        self.on_index(day.to_monday_zero_offset() as usize)
    }

    /// Index into [`Schedule::shifts`] of the shift worked on that weekday.
    pub(crate) fn index_on(&self, day: Weekday) -> Option<usize> {
        self.by_weekday[day.to_monday_zero_offset() as usize].map(usize::from)
    }

    pub fn shifts(&self) -> &[Shift] {
        &self.shifts
    }
}

fn weekday(monday_offset: usize) -> Weekday {
    Weekday::from_monday_zero_offset(monday_offset as i8).expect("0..7")
}

fn short(monday_offset: usize) -> &'static str {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][monday_offset]
}
