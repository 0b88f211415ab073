//! Micro benchmark of the attendance engine alone (no database): a month
//! for 1,000 employees with 4 punches a day (120,000 punches), and one day
//! for everyone, each against a plain scan of the same punches measured in
//! the same run. Run through `bench/attendance_engine.sh`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use jiff::civil::{date, Date};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use punchclock::attendance::*;

const EMPLOYEES: i64 = 1_000;
const DAYS: i32 = 30;
const RUNS: usize = 15;

/// Berlin, a 09:00-17:30 default shift with a 30-minute break, a holiday.
fn company() -> (Rules, Holidays, Schedule) {
    let rules = Rules::new(TimeZone::get("Europe/Berlin").unwrap());
    let holidays = Holidays::new(vec![Holiday {
        date: date(2024, 4, 1),
        name: "Easter Monday".into(),
    }]);
    let mut spec = ShiftSpec::new("Day", "09:00", "17:30");
    spec.break_minutes = 30;
    let schedule = Schedule::single(Shift::parse(&spec).unwrap().with_id(1));
    (rules, holidays, schedule)
}

fn main() {
    let (rules, holidays, schedule) = company();
    let first = date(2024, 3, 15);
    let punches = month_of_punches(&rules.zone, first);
    let slices: Vec<(i64, &[Punch])> = by_employee(&punches).collect();
    let sync = SyncState::new("2024-05-01T00:00:00Z".parse().unwrap(), []);
    println!(
        "{} employees, {} punches, {DAYS} days from {first}",
        slices.len(),
        punches.len()
    );

    let scan = median(|| scan(&punches));
    let month = DateRange::new(first, first.checked_add((DAYS - 1).days()).unwrap()).unwrap();
    let shared = |range: DateRange| {
        let tt = Timetable::new(&rules, &holidays, Some(&schedule), range);
        run(&slices, &tt, sync)
    };
    let full = median(|| shared(month));
    let day = median(|| shared(DateRange::day(date(2024, 3, 27))));
    let per_employee = median(|| {
        let mut n = 0;
        for &(employee_id, punches) in &slices {
            let input = EmployeeInput {
                employee_id,
                leave: &[],
                punches,
            };
            n += compute(&rules, &holidays, Some(&schedule), month, &input, sync)
                .days
                .len();
        }
        n
    });
    report("plain scan of the month's punches (baseline)", scan, scan);
    report("month, one timetable for everyone", full, scan);
    report("month, a timetable per employee", per_employee, scan);
    report("one day for everyone", day, scan);
}

/// Everyone over one timetable, loading punches as the store would: one
/// query for the span, split by employee.
fn run(slices: &[(i64, &[Punch])], tt: &Timetable<'_>, sync: SyncState) -> usize {
    let (from, to) = tt.punch_span();
    let mut days = 0;
    for &(employee_id, punches) in slices {
        let lo = punches.partition_point(|p| p.at < from);
        let hi = punches.partition_point(|p| p.at < to);
        let input = EmployeeInput {
            employee_id,
            leave: &[],
            punches: &punches[lo..hi],
        };
        days += black_box(tt.compute(&input, sync)).days.len();
    }
    days
}

/// Four punches a day around 09:00, 13:00, 13:30 and 17:30 with jitter,
/// an early leave now and then; weekends too (work on a day off).
fn month_of_punches(zone: &TimeZone, first: Date) -> Vec<Punch> {
    let mut punches = Vec::with_capacity((EMPLOYEES * DAYS as i64 * 4) as usize);
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n) as i64
    };
    for employee_id in 1..=EMPLOYEES {
        for d in 0..DAYS {
            let day = first.checked_add(d.days()).unwrap();
            for (i, minute) in [9 * 60, 13 * 60, 13 * 60 + 30, 17 * 60 + 30]
                .into_iter()
                .enumerate()
            {
                let second = (minute - 10 + next(20)) * 60 + next(60);
                let second = if i == 3 && next(40) == 0 {
                    second - 30 * 60
                } else {
                    second
                };
                let civil = day.to_datetime(jiff::civil::Time::midnight()) + second.seconds();
                let at = zone.to_timestamp(civil).unwrap();
                let id = punches.len() as i64 + 1;
                punches.push(punch(
                    id,
                    employee_id,
                    at,
                    civil,
                    if i % 2 == 0 { 0 } else { 1 },
                ));
            }
        }
    }
    punches
}

fn punch(
    id: i64,
    employee_id: i64,
    at: Timestamp,
    device_time: jiff::civil::DateTime,
    state: u8,
) -> Punch {
    Punch {
        id,
        employee_id,
        at,
        device_time,
        state,
        verify: 1,
        manual: false,
        voided: false,
        device_id: Some(1),
    }
}

/// What any report must do at least: touch every punch once.
fn scan(punches: &[Punch]) -> i64 {
    punches
        .iter()
        .fold(0i64, |acc, p| acc.wrapping_add(p.at.as_second() ^ p.id))
}

fn median<T>(mut f: impl FnMut() -> T) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn report(what: &str, took: Duration, baseline: Duration) {
    let ratio = took.as_secs_f64() / baseline.as_secs_f64();
    println!(
        "{what:<48} {:>9.3} ms  {ratio:>8.1}x scan",
        took.as_secs_f64() * 1e3
    );
}
