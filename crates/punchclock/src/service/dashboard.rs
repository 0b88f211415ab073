//! The dashboard: today at a glance. Who is in, today's figures, the
//! devices, open alerts, worked hours over the last 30 days and what needs
//! a second look over the last 7.
//!
//! Everything about attendance comes from the attendance service (one
//! computation over the last 30 days, page by page), so the dashboard says
//! exactly what the attendance pages say. "In" is the engine's pairing,
//! not the device's in/out key: the key decides only where the company
//! marked keys reliable, and the engine already honours that.

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use super::attendance::period::today;
use super::attendance::{Everyone, Page, Period, PersonDays};
use super::error::ServiceResult;
use super::punches::{day_bound, Bound, MAX_LIMIT};
use super::services::{Caller, Services};
use crate::attendance::{ClassifiedPunch, Day, FlagCode, PunchRole, Status};
use crate::domain::{
    Alert, Device, DeviceId, DeviceStatus, EmployeeId, PunchFilter, PunchId, Zone,
};

/// Days of worked hours the dashboard charts (today included).
pub const HOURS_DAYS: usize = 30;
/// Days the attention figures look back over (today included).
pub const ATTENTION_DAYS: usize = 7;

/// Which people a figure counts on a day; each dashboard count links to
/// the day view filtered by its figure (`/attendance?show=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Figure {
    /// Punched and counted (late ones and half days included).
    Present,
    /// Present, and checked in after the shift's start.
    Late,
    Absent,
    OnLeave,
    /// Expected today but no punch yet (the day is still open).
    NotYetIn,
    /// A check-in or check-out is missing on a day that is final.
    Incomplete,
    /// A punch outside every shift window.
    Unassigned,
    /// A punch whose device key disagrees with the pairing.
    StatusConflict,
}

impl Figure {
    pub const ALL: [Figure; 8] = [
        Figure::Present,
        Figure::Late,
        Figure::Absent,
        Figure::OnLeave,
        Figure::NotYetIn,
        Figure::Incomplete,
        Figure::Unassigned,
        Figure::StatusConflict,
    ];

    /// As in URLs and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Figure::Present => "present",
            Figure::Late => "late",
            Figure::Absent => "absent",
            Figure::OnLeave => "on_leave",
            Figure::NotYetIn => "not_yet_in",
            Figure::Incomplete => "incomplete",
            Figure::Unassigned => "unassigned",
            Figure::StatusConflict => "status_conflict",
        }
    }

    pub fn parse(s: &str) -> Option<Figure> {
        Figure::ALL.into_iter().find(|f| f.as_str() == s.trim())
    }

    /// How many times `person` counts on `date`: once per person for a
    /// status, once per punch for unassigned punches and key conflicts.
    pub fn count(self, person: &PersonDays, date: Date) -> usize {
        let Some(day) = person.attendance.day(date) else {
            return 0;
        };
        let punches = || person.attendance.punches_on(date);
        let one = |b: bool| usize::from(b);
        match self {
            Figure::Present => one(worked(day, punches().any(|p| p.counted()))),
            Figure::Late => one(day.late_seconds > 0),
            Figure::Absent => one(day.status == Status::Absent),
            Figure::OnLeave => one(day.status == Status::Leave),
            Figure::NotYetIn => one(day.status == Status::Incomplete
                && day.provisional
                && !punches().any(|p| p.counted())),
            Figure::Incomplete => one(!day.provisional
                && (day.flags.contains(FlagCode::MissingIn)
                    || day.flags.contains(FlagCode::MissingOut))),
            Figure::Unassigned => punches()
                .filter(|p| p.role == PunchRole::Unassigned)
                .count(),
            Figure::StatusConflict => punches().filter(|p| p.status_conflict).count(),
        }
    }
}

/// Worked (or working) that day: a counted status, or punches still open.
fn worked(day: &Day, punched: bool) -> bool {
    match day.status {
        Status::Present | Status::Late | Status::HalfDay => true,
        Status::Incomplete => punched,
        _ => false,
    }
}

/// Today's counts, one per status figure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TodayCounts {
    pub present: usize,
    pub late: usize,
    pub absent: usize,
    pub on_leave: usize,
    pub not_yet_in: usize,
}

/// Someone whose last punch today is a check-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InNow {
    pub employee_id: EmployeeId,
    pub enroll_id: String,
    pub name: String,
    /// The check-in (or return from a break) they are in since.
    pub since: Timestamp,
    /// `None` for a punch added by hand or on a deleted device.
    pub device_id: Option<DeviceId>,
    pub device_name: Option<String>,
}

/// Worked time of everyone on one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayHours {
    pub date: Date,
    pub worked_seconds: i64,
}

/// What needs a second look on one date (only dates with something).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attention {
    pub date: Date,
    pub incomplete_days: usize,
    pub unassigned_punches: usize,
    pub status_conflicts: usize,
}

/// The devices panel: shown even while the account is blocked.
#[derive(Debug, Clone)]
pub struct DevicePanel {
    pub online: usize,
    /// Offline devices, each with its reason and last successful sync.
    pub offline: Vec<Device>,
    pub never_connected: usize,
    pub disabled: usize,
}

/// Devices and open alerts: what the owner sees in any standing.
#[derive(Debug, Clone)]
pub struct Health {
    pub devices: DevicePanel,
    pub alerts: Vec<Alert>,
}

/// Everything the dashboard shows.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub now: Timestamp,
    pub today: Date,
    pub zone: Zone,
    pub in_now: Vec<InNow>,
    pub today_counts: TodayCounts,
    /// The last [`HOURS_DAYS`] days, oldest first.
    pub hours: Vec<DayHours>,
    /// The last [`ATTENTION_DAYS`] days with something to check, newest first.
    pub attention: Vec<Attention>,
    pub health: Health,
}

impl Services {
    pub fn dashboard(&self) -> Dashboards<'_> {
        Dashboards(self)
    }
}

/// Dashboard reads; see [`Services::dashboard`].
pub struct Dashboards<'a>(&'a Services);

impl Dashboards<'_> {
    /// The whole dashboard as of now.
    pub async fn show(&self, caller: &Caller) -> ServiceResult<Dashboard> {
        let s = self.0;
        let now = s.now();
        let zone = s.company().get(caller).await?.timezone;
        let today = today(now, &zone);
        let back = |days: usize| Period {
            from: today.checked_sub((days as i64 - 1).days()).unwrap_or(today),
            to: today,
        };
        let mut sums = Sums::new(back(HOURS_DAYS), today, now);
        let attendance = &s.attendance();
        // Worked hours from the stored days; the last days again with
        // their punches classified, for the figures that count punches.
        let hours = back(HOURS_DAYS);
        self.each_page(
            hours,
            move |period, page| attendance.everyone(caller, period, page),
            |p| sums.add_hours(p),
        )
        .await?;
        let recent = back(ATTENTION_DAYS);
        self.each_page(
            recent,
            move |period, page| attendance.everyone_classified(caller, period, page),
            |p| sums.add_recent(p),
        )
        .await?;
        let attention = sums.attention();
        let in_now = self.with_devices(caller, sums.in_now, &zone, today).await?;
        Ok(Dashboard {
            now,
            today,
            zone,
            in_now,
            today_counts: sums.today_counts,
            hours: sums.hours,
            attention,
            health: self.health(caller).await?,
        })
    }

    /// Calls `each` for every person in scope over `period`, page by page.
    async fn each_page<F, Fut>(
        &self,
        period: Period,
        read: F,
        mut each: impl FnMut(&PersonDays),
    ) -> ServiceResult<()>
    where
        F: Fn(Period, Page) -> Fut,
        Fut: std::future::Future<Output = ServiceResult<Everyone>>,
    {
        let mut offset = 0;
        loop {
            let limit = Page::max_for(period);
            let page = read(period, Page { limit, offset }).await?;
            page.people.iter().for_each(&mut each);
            offset += page.people.len();
            if page.people.is_empty() || offset >= page.total {
                return Ok(());
            }
        }
    }

    /// Devices and open alerts; allowed in any account standing, so a
    /// blocked owner still sees that syncing goes on.
    pub async fn health(&self, caller: &Caller) -> ServiceResult<Health> {
        let devices = self.0.devices().list(caller).await?;
        let mut panel = DevicePanel {
            online: 0,
            offline: Vec::new(),
            never_connected: 0,
            disabled: 0,
        };
        for d in devices {
            match (d.enabled, d.status) {
                (false, _) => panel.disabled += 1,
                (true, DeviceStatus::Online) => panel.online += 1,
                (true, DeviceStatus::Pending) => panel.never_connected += 1,
                (true, DeviceStatus::Offline) => panel.offline.push(d),
            }
        }
        let alerts = self.0.alerts().open(caller).await?;
        Ok(Health {
            devices: panel,
            alerts,
        })
    }

    /// The people behind `figure` on `date`, a page of them, in enroll id
    /// order (the day view filtered by a dashboard count).
    pub async fn behind(
        &self,
        caller: &Caller,
        date: Date,
        figure: Figure,
        page: Page,
    ) -> ServiceResult<Everyone> {
        let period = Period::day(date);
        let attendance = self.0.attendance();
        let mut matching = Vec::new();
        let mut offset = 0;
        let zone = loop {
            let limit = Page::max_for(period);
            let all = attendance
                .everyone_classified(caller, period, Page { limit, offset })
                .await?;
            offset += all.people.len();
            let done = all.people.is_empty() || offset >= all.total;
            matching.extend(all.people.into_iter().filter(|p| figure.count(p, date) > 0));
            if done {
                break all.zone;
            }
        };
        let total = matching.len();
        let people = matching
            .into_iter()
            .skip(page.offset)
            .take(page.limit)
            .collect();
        Ok(Everyone {
            people,
            total,
            period,
            zone,
        })
    }

    /// Names the device of each check-in: one listing of today's punches,
    /// then one look-up for any it did not hold.
    async fn with_devices(
        &self,
        caller: &Caller,
        found: Vec<(PersonRef, ClassifiedPunch)>,
        zone: &Zone,
        today: Date,
    ) -> ServiceResult<Vec<InNow>> {
        let punches = self.0.punches();
        let filter = PunchFilter {
            from: day_bound(today, zone.tz(), Bound::Start),
            to: day_bound(today, zone.tz(), Bound::End),
            limit: MAX_LIMIT,
            ..PunchFilter::default()
        };
        let mut devices: HashMap<i64, (Option<DeviceId>, Option<String>)> = HashMap::new();
        if !found.is_empty() {
            for v in punches.list(caller, &filter).await?.0 {
                devices.insert(v.punch.id.0, (v.punch.device_id, v.device_name));
            }
        }
        let mut out = Vec::with_capacity(found.len());
        for (person, p) in found {
            let (device_id, device_name) = match devices.remove(&p.punch_id) {
                Some(d) => d,
                None => {
                    let v = punches.get(caller, PunchId(p.punch_id)).await?;
                    (v.punch.device_id, v.device_name)
                }
            };
            out.push(InNow {
                employee_id: person.id,
                enroll_id: person.enroll_id,
                name: person.name,
                since: p.time.at,
                device_id,
                device_name,
            });
        }
        out.sort_by(|a, b| b.since.cmp(&a.since).then(a.enroll_id.cmp(&b.enroll_id)));
        Ok(out)
    }
}

/// An employee as the "in now" list names them.
struct PersonRef {
    id: EmployeeId,
    enroll_id: String,
    name: String,
}

/// The dashboard's figures, summed page by page.
struct Sums {
    today: Date,
    now: Timestamp,
    attention_from: Date,
    today_counts: TodayCounts,
    hours: Vec<DayHours>,
    by_date: HashMap<Date, Attention>,
    in_now: Vec<(PersonRef, ClassifiedPunch)>,
}

impl Sums {
    fn new(period: Period, today: Date, now: Timestamp) -> Sums {
        let hours = period
            .range()
            .days()
            .map(|date| DayHours {
                date,
                worked_seconds: 0,
            })
            .collect();
        Sums {
            today,
            now,
            attention_from: today
                .checked_sub((ATTENTION_DAYS as i64 - 1).days())
                .unwrap_or(today),
            today_counts: TodayCounts::default(),
            hours,
            by_date: HashMap::new(),
            in_now: Vec::new(),
        }
    }

    /// One person's worked hours over the charted days.
    fn add_hours(&mut self, p: &PersonDays) {
        for (h, day) in self.hours.iter_mut().zip(&p.attendance.days) {
            h.worked_seconds += day.worked_seconds;
        }
    }

    /// One person's figures over the last days, punches classified.
    fn add_recent(&mut self, p: &PersonDays) {
        let t = &mut self.today_counts;
        let today = self.today;
        t.present += Figure::Present.count(p, today);
        t.late += Figure::Late.count(p, today);
        t.absent += Figure::Absent.count(p, today);
        t.on_leave += Figure::OnLeave.count(p, today);
        t.not_yet_in += Figure::NotYetIn.count(p, today);
        for day in p
            .attendance
            .days
            .iter()
            .filter(|d| d.date >= self.attention_from)
        {
            let a = self.by_date.entry(day.date).or_insert(Attention {
                date: day.date,
                incomplete_days: 0,
                unassigned_punches: 0,
                status_conflicts: 0,
            });
            a.incomplete_days += Figure::Incomplete.count(p, day.date);
            a.unassigned_punches += Figure::Unassigned.count(p, day.date);
            a.status_conflicts += Figure::StatusConflict.count(p, day.date);
        }
        if let Some(since) = in_since(p, today, self.now) {
            let person = PersonRef {
                id: p.employee.id,
                enroll_id: p.employee.enroll_id.clone(),
                name: p.employee.display_name(),
            };
            self.in_now.push((person, *since));
        }
    }

    fn attention(&self) -> Vec<Attention> {
        let mut out: Vec<Attention> = self
            .by_date
            .values()
            .filter(|a| a.incomplete_days + a.unassigned_punches + a.status_conflicts > 0)
            .copied()
            .collect();
        out.sort_by_key(|a| std::cmp::Reverse(a.date));
        out
    }
}

/// The check-in someone is in since, if they are in now: their last
/// counted punch is a check-in (or the end of a break) on today, or on
/// yesterday while that day is still open, so a night shift that began
/// yesterday evening still shows after midnight, and a check-out
/// forgotten yesterday does not keep someone "in" today.
fn in_since(p: &PersonDays, today: Date, now: Timestamp) -> Option<&ClassifiedPunch> {
    let yesterday = today.yesterday().ok();
    let last = p
        .attendance
        .punches
        .iter()
        .filter(|c| c.counted() && (c.date == today || Some(c.date) == yesterday))
        .max_by_key(|c| (c.time.at, c.punch_id))?;
    let open = last.date == today || p.closes_on(last.date).is_some_and(|t| now < t);
    (open && matches!(last.role, PunchRole::In | PunchRole::BreakEnd)).then_some(last)
}
