//! Builders for engine tests: punches are written as wall-clock times in
//! the company zone, days are looked up by date.

use jiff::civil::{date, Date, DateTime};
use jiff::{tz::TimeZone, Timestamp};

use crate::attendance::*;

/// A scenario for one employee.
#[derive(Debug, Clone)]
pub struct Case {
    pub rules: Rules,
    pub holidays: Vec<Holiday>,
    pub shifts: Vec<Shift>,
    pub has_schedule: bool,
    pub leave: Vec<Leave>,
    pub punches: Vec<Punch>,
    pub sync: Option<SyncState>,
}

pub const EMPLOYEE: i64 = 42;

/// `"2024-03-04 08:58:10"` or `"2024-03-04 08:58"` as a civil datetime.
pub fn civil(text: &str) -> DateTime {
    let text = if text.len() == 16 {
        format!("{text}:00")
    } else {
        text.to_owned()
    };
    text.replace(' ', "T").parse().expect("test datetime")
}

pub fn d(text: &str) -> Date {
    text.parse().expect("test date")
}

pub fn spec(name: &str, start: &str, end: &str) -> ShiftSpec {
    let mut s = ShiftSpec::new(name, start, end);
    s.weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .map(String::from)
        .to_vec();
    s
}

impl Case {
    pub fn new(zone: &str) -> Case {
        Case {
            rules: Rules::new(TimeZone::get(zone).unwrap()),
            holidays: Vec::new(),
            shifts: Vec::new(),
            has_schedule: false,
            leave: Vec::new(),
            punches: Vec::new(),
            sync: None,
        }
    }

    /// Berlin, one shift every day of the week.
    pub fn with_shift(start: &str, end: &str) -> Case {
        Case::new("Europe/Berlin").shift(spec("Shift", start, end))
    }

    pub fn shift(mut self, spec: ShiftSpec) -> Case {
        let id = self.shifts.len() as i64 + 1;
        self.shifts.push(Shift::parse(&spec).unwrap().with_id(id));
        self.has_schedule = true;
        self
    }

    pub fn instant(&self, local: &str) -> Timestamp {
        self.rules.zone.to_timestamp(civil(local)).unwrap()
    }

    /// A device punch with an unknown key (255).
    pub fn punch(self, local: &str) -> Case {
        self.punch_key(local, 255)
    }

    pub fn punch_key(mut self, local: &str, state: u8) -> Case {
        let at = self.instant(local);
        let id = self.punches.len() as i64 + 1;
        self.punches.push(Punch {
            id,
            employee_id: EMPLOYEE,
            at,
            device_time: civil(local),
            state,
            verify: 1,
            manual: false,
            voided: false,
            device_id: Some(1),
        });
        self
    }

    pub fn manual(mut self, local: &str) -> Case {
        self = self.punch(local);
        self.punches.last_mut().unwrap().manual = true;
        self
    }

    pub fn voided(mut self, local: &str) -> Case {
        self = self.punch(local);
        self.punches.last_mut().unwrap().voided = true;
        self
    }

    pub fn sync(mut self, now: &str, synced_until: &str) -> Case {
        let (now, until) = (self.instant(now), self.instant(synced_until));
        self.sync = Some(SyncState::new(now, [Some(until)]));
        self
    }

    pub fn schedule(&self) -> Option<Schedule> {
        self.has_schedule
            .then(|| Schedule::new(self.shifts.clone()).unwrap())
    }

    /// Computes `from..=to`; by default long after, with every device synced.
    pub fn run(&self, from: &str, to: &str) -> EmployeeAttendance {
        let schedule = self.schedule();
        let holidays = Holidays::new(self.holidays.clone());
        let range = DateRange::new(d(from), d(to)).unwrap();
        let tt = Timetable::new(&self.rules, &holidays, schedule.as_ref(), range);
        let far = date(2100, 1, 1)
            .to_zoned(TimeZone::UTC)
            .unwrap()
            .timestamp();
        let sync = self.sync.unwrap_or(SyncState {
            now: far,
            synced_until: far,
        });
        let input = EmployeeInput {
            employee_id: EMPLOYEE,
            leave: &self.leave,
            punches: &self.punches,
        };
        tt.compute(&input, sync)
    }

    /// Computes one day.
    pub fn day(&self, on: &str) -> Day {
        self.run(on, on).days[0].clone()
    }
}

pub fn hms(h: i64, m: i64, s: i64) -> i64 {
    h * 3600 + m * 60 + s
}

/// The roles of the punches listed on `on`, in time order.
pub fn roles(result: &EmployeeAttendance, on: &str) -> Vec<PunchRole> {
    result.punches_on(d(on)).map(|p| p.role).collect()
}

pub fn codes(day: &Day) -> Vec<&'static str> {
    day.flags.iter().map(|f| f.code.as_str()).collect()
}
