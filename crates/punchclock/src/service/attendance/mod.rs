//! Attendance: days and timesheets read from the stored attendance days
//! (`stored.rs`), which every write that can change a day forgets in its
//! own transaction; a read computes what is missing with the engine and
//! saves it. So a punch that arrives late, a correction or a changed
//! setting shows on the next read (see ARCHITECTURE.md, "Attendance").
//!
//! [`Attendance::everyone`] computes a page of employees over a period,
//! [`Attendance::employee`] one person; both return the engine's days and
//! classified punches, which timesheets sum with [`Totals`].

mod context;
pub mod period;
mod stored;

use std::collections::HashSet;

use jiff::civil::Date;
use jiff::Timestamp;

use self::context::{compute, Context};
pub use self::period::{Page, Period};
use self::stored::days_of;
use super::error::ServiceResult;
use super::services::{Caller, Services};
use crate::attendance::{EmployeeAttendance, Totals};
use crate::domain::{Employee, EmployeeFilter, EmployeeId, Zone};

/// One employee's attendance over a period.
#[derive(Debug, Clone)]
pub struct PersonDays {
    pub employee: Employee,
    /// The name of the shift they work (their own or the default).
    pub shift_name: Option<String>,
    pub attendance: EmployeeAttendance,
    /// When each of `attendance.days` closes (its shift window's end):
    /// until then a new punch can still land on that day.
    pub closes_at: Vec<Timestamp>,
}

impl PersonDays {
    pub fn totals(&self) -> Totals {
        Totals::of(&self.attendance.days)
    }

    /// When the day on `date` closes, if the period holds it.
    pub fn closes_on(&self, date: Date) -> Option<Timestamp> {
        let i = self.attendance.days.iter().position(|d| d.date == date)?;
        self.closes_at.get(i).copied()
    }
}

/// A page of employees over a period.
#[derive(Debug, Clone)]
pub struct Everyone {
    pub people: Vec<PersonDays>,
    /// Employees in scope over all pages.
    pub total: usize,
    pub period: Period,
    pub zone: Zone,
}

impl Services {
    pub fn attendance(&self) -> Attendance<'_> {
        Attendance(self)
    }
}

/// Attendance reads; see [`Services::attendance`].
pub struct Attendance<'a>(&'a Services);

impl Attendance<'_> {
    /// Active employees, and inactive ones with punches near the period,
    /// in enroll id order; `page` of them, with their stored days (see
    /// `stored.rs`). Classified punches are not included.
    pub async fn everyone(
        &self,
        caller: &Caller,
        period: Period,
        page: Page,
    ) -> ServiceResult<Everyone> {
        let ctx = Context::load(self.0, caller, period, None).await?;
        self.everyone_in(&ctx, caller, period, page).await
    }

    /// [`Attendance::everyone`] over a context already loaded.
    async fn everyone_in(
        &self,
        ctx: &Context,
        caller: &Caller,
        period: Period,
        page: Page,
    ) -> ServiceResult<Everyone> {
        let s = self.0;
        let (from, to) = ctx.punch_span(ctx.range);
        let punched: HashSet<EmployeeId> = s
            .store
            .inactive_with_punches(caller.company_id, from, to)
            .await?
            .into_iter()
            .collect();
        let all = s
            .store
            .list_employees(caller.company_id, EmployeeFilter::All, u32::MAX, 0)
            .await?;
        let in_scope: Vec<Employee> = all
            .into_iter()
            .filter(|e| e.active || punched.contains(&e.id))
            .collect();
        let total = in_scope.len();
        let people: Vec<Employee> = in_scope
            .into_iter()
            .skip(page.offset)
            .take(page.limit)
            .collect();
        let mut days = days_of(s, ctx, &people, people.len() == total).await?;
        let computed = people
            .iter()
            .map(|e| EmployeeAttendance {
                employee_id: e.id.0,
                days: days.remove(&e.id).unwrap_or_default(),
                punches: Vec::new(),
            })
            .collect();
        Ok(Everyone {
            people: zip(ctx, people, computed),
            total,
            period,
            zone: ctx.company.timezone.clone(),
        })
    }

    /// [`Attendance::everyone`] with every punch classified (computed for
    /// this read, as [`Attendance::employee`] does): for short periods,
    /// such as the dashboard's last days, that need the punches' roles.
    pub async fn everyone_classified(
        &self,
        caller: &Caller,
        period: Period,
        page: Page,
    ) -> ServiceResult<Everyone> {
        let s = self.0;
        // One context for both the stored days and the classification.
        let ctx = Context::load(s, caller, period, None).await?;
        let mut all = self.everyone_in(&ctx, caller, period, page).await?;
        if all.people.is_empty() {
            return Ok(all);
        }
        let (from, to) = ctx.punch_span(ctx.range);
        let one = match all.people.as_slice() {
            [p] => Some(p.employee.id),
            _ => None,
        };
        let punches = s
            .store
            .attendance_punches(caller.company_id, from, to, one)
            .await?;
        let people: Vec<Employee> = all.people.iter().map(|p| p.employee.clone()).collect();
        for (p, (computed, _)) in all
            .people
            .iter_mut()
            .zip(compute(&ctx, ctx.range, &people, &punches))
        {
            p.attendance.punches = computed.punches;
        }
        Ok(all)
    }

    /// One employee over a period, with their stored days and every punch
    /// classified (computed for this read); `NotFound` outside the company.
    pub async fn employee(
        &self,
        caller: &Caller,
        id: EmployeeId,
        period: Period,
    ) -> ServiceResult<PersonDays> {
        let s = self.0;
        let employee = s.store.get_employee(caller.company_id, id).await?;
        let ctx = Context::load(s, caller, period, Some(id)).await?;
        let people = vec![employee];
        let mut days = days_of(s, &ctx, &people, false).await?;
        let (from, to) = ctx.punch_span(ctx.range);
        let punches = s
            .store
            .attendance_punches(caller.company_id, from, to, Some(id))
            .await?;
        let (mut attendance, _) = compute(&ctx, ctx.range, &people, &punches).remove(0);
        attendance.days = days.remove(&id).unwrap_or_default();
        Ok(zip(&ctx, people, vec![attendance]).remove(0))
    }
}

fn zip(ctx: &Context, people: Vec<Employee>, computed: Vec<EmployeeAttendance>) -> Vec<PersonDays> {
    let timetables = ctx.timetables(ctx.range);
    people
        .into_iter()
        .zip(computed)
        .map(|(employee, attendance)| {
            let shift = ctx.shift_of(&employee);
            // A shift deleted meanwhile reads as none (as in `compute`).
            let tt = timetables.get(&shift).unwrap_or(&timetables[&None]);
            PersonDays {
                shift_name: shift
                    .and_then(|id| ctx.shifts.get(&id))
                    .map(|s| s.spec.name.clone()),
                closes_at: attendance
                    .days
                    .iter()
                    .map(|d| tt.day_closes_at(d.date))
                    .collect(),
                employee,
                attendance,
            }
        })
        .collect()
}
