//! The demo's attendance: a day shift for everyone, a night shift for a
//! few, a holiday, and workday-shaped punches on the simulated clocks
//! (`zk_sim::workdays`), written on the company's wall clock so device
//! time and company time agree.

use jiff::civil::{Date, Weekday};
use jiff::{Timestamp, ToSpan};
use zk_sim::workdays::{workday_punches, WorkHours, Worker};
use zk_sim::Punch;

use crate::attendance::{Shift, ShiftSpec};
use crate::domain::{
    AttendanceRules, CompanyId, EmployeeUpdate, HolidayName, NewEmployee, ShiftId, Zone,
};
use crate::store::Store;

/// 09:00–17:30 with a 30-minute break; 22:00–06:00.
const DAY: WorkHours = WorkHours::weekdays((9, 0), (17, 30));
const NIGHT: WorkHours = WorkHours::weekdays((22, 0), (6, 0));
/// Who works nights (on the front door).
pub const NIGHT_PEOPLE: [&str; 3] = ["1012", "1013", "1014"];
/// Days of history generated, and days ahead released as they come.
const HISTORY_DAYS: i64 = 42;
const AHEAD_DAYS: i64 = 7;

/// Shifts, the default shift, the night workers and a holiday, made once
/// (the first time the demo company is set up). Returns the holidays.
pub async fn prepare(store: &Store, company: CompanyId, today: Date) -> anyhow::Result<Vec<Date>> {
    let (from, to) = window(today);
    if store.list_shifts(company).await?.is_empty() {
        let day = shift(store, company, "Day", "09:00", "17:30", 30).await?;
        let night = shift(store, company, "Night", "22:00", "06:00", 0).await?;
        let rules = AttendanceRules {
            default_shift_id: Some(day),
            ..AttendanceRules::default()
        };
        store.update_attendance_rules(company, &rules).await?;
        night_workers(store, company, night).await?;
        let name = HolidayName::parse("Company day off")?;
        store
            .create_holiday(company, a_weekday_before(today), &name)
            .await?;
    }
    let holidays = store.list_holidays(company, from, to).await?;
    Ok(holidays.into_iter().map(|h| h.date).collect())
}

async fn shift(
    store: &Store,
    company: CompanyId,
    name: &str,
    start: &str,
    end: &str,
    break_minutes: i64,
) -> anyhow::Result<ShiftId> {
    let mut spec = ShiftSpec::new(name, start, end);
    spec.break_minutes = break_minutes;
    let shift = Shift::parse(&spec).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(store.create_shift(company, &shift).await?.id)
}

/// The night workers exist before their first sync, so they can have
/// their shift from the start.
async fn night_workers(store: &Store, company: CompanyId, night: ShiftId) -> anyhow::Result<()> {
    for enroll_id in NIGHT_PEOPLE {
        let e = match store.employee_by_enroll_id(company, enroll_id).await? {
            Some(e) => e,
            None => {
                let new = NewEmployee {
                    enroll_id: enroll_id.into(),
                    first_name: None,
                    last_name: None,
                    designation: Some("Night baker".into()),
                    email: None,
                };
                store.create_employee(company, &new).await?
            }
        };
        let update = EmployeeUpdate {
            first_name: e.first_name,
            last_name: e.last_name,
            designation: e.designation,
            email: e.email,
            active: e.active,
            daily_report: e.daily_report,
            shift_id: Some(night),
        };
        store.update_employee(company, e.id, &update).await?;
    }
    Ok(())
}

/// A week ago, moved back to a weekday.
fn a_weekday_before(today: Date) -> Date {
    let mut d = today.checked_sub(7.days()).unwrap_or(today);
    while matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
        d = d.yesterday().unwrap_or(d);
    }
    d
}

fn window(today: Date) -> (Date, Date) {
    (
        today.checked_sub(HISTORY_DAYS.days()).unwrap_or(today),
        today.checked_add(AHEAD_DAYS.days()).unwrap_or(today),
    )
}

/// Who punches on a device: its users that work there (the back office's,
/// the warehouse's, the rest at the front door), with their hours.
pub fn workers_of(device: usize, users: &[zk_sim::User]) -> Vec<Worker> {
    users
        .iter()
        .filter(|u| home(&u.user_id) == device)
        .map(|u| Worker {
            user_id: u.user_id.clone(),
            uid: u.uid,
            hours: if NIGHT_PEOPLE.contains(&u.user_id.as_str()) {
                NIGHT
            } else {
                DAY
            },
        })
        .collect()
}

/// 1001–1004 work in the back office (device 2), 1005–1009 in the
/// warehouse (1), everyone else at the front door (0).
fn home(enroll_id: &str) -> usize {
    match enroll_id.parse::<u32>().unwrap_or(0) {
        1001..=1004 => 2,
        1005..=1009 => 1,
        _ => 0,
    }
}

/// The device's punches until `now` (company wall clock), and the ones
/// still to come, to be released as their time passes.
pub fn punches(
    workers: &[Worker],
    today: Date,
    days_off: &[Date],
    now: jiff::civil::DateTime,
) -> (Vec<Punch>, Vec<Punch>) {
    let (from, to) = window(today);
    let all = workday_punches(workers, from, to, days_off, 2026);
    all.into_iter()
        .partition(|p| crate::domain::device_time::to_civil(p.time).is_some_and(|t| t <= now))
}

/// Seconds to add to this machine's wall clock so a simulated device
/// shows the company's wall clock (the simulator runs on local time).
pub fn clock_offset(zone: &Zone, now: Timestamp) -> i64 {
    let company = zone.to_zoned(now).datetime();
    let local = now.to_zoned(jiff::tz::TimeZone::system()).datetime();
    company.duration_since(local).as_secs()
}
