//! Everything the engine needs for one company and period, loaded once:
//! rules, shifts, holidays, leave, the devices' sync state and punches.

use std::collections::HashMap;

use jiff::Timestamp;

use crate::attendance::{
    self, by_employee, DateRange, EmployeeAttendance, EmployeeInput, Holidays, Leave, Punch,
    Schedule, SyncState, Timetable,
};
use crate::domain::{Company, Employee, EmployeeId, Shift, ShiftId};
use crate::service::error::{ServiceError, ServiceResult};
use crate::service::services::{Caller, Services};

use super::period::Period;

/// Holidays and leave this far beyond the period are loaded too: the
/// engine computes whole weeks (weekly overtime) and looks two days out.
const CALENDAR_MARGIN_DAYS: i64 = 9;

/// The company's attendance inputs over one period.
pub(super) struct Context {
    pub company: Company,
    pub rules: attendance::Rules,
    pub default_shift: Option<ShiftId>,
    pub shifts: HashMap<ShiftId, Shift>,
    schedules: HashMap<ShiftId, Schedule>,
    pub holidays: Holidays,
    leave: HashMap<EmployeeId, Vec<Leave>>,
    pub sync: SyncState,
    pub range: DateRange,
    /// The company's attendance epoch, read before anything else: stored
    /// days computed from this context are saved only if it still holds.
    pub epoch: i64,
}

impl Context {
    /// Loads everything but the punches. `employee` narrows the leave.
    pub async fn load(
        s: &Services,
        caller: &Caller,
        period: Period,
        employee: Option<EmployeeId>,
    ) -> ServiceResult<Context> {
        let store = &s.store;
        let epoch = store.attendance_epoch(caller.company_id).await?;
        let company = store.get_company(caller.company_id).await?;
        let saved = store.attendance_rules(caller.company_id).await?;
        let (from, to) = widened(period);
        let shifts = store.list_shifts(caller.company_id).await?;
        let holidays = store.list_holidays(caller.company_id, from, to).await?;
        let leave = store
            .list_leave(caller.company_id, employee, from, to)
            .await?;
        let syncs = store.last_syncs(caller.company_id).await?;
        let mut by_person: HashMap<EmployeeId, Vec<Leave>> = HashMap::new();
        for l in &leave {
            by_person
                .entry(l.employee_id)
                .or_default()
                .push(l.to_engine());
        }
        Ok(Context {
            rules: saved.to_engine(&company.timezone),
            default_shift: saved.default_shift_id,
            schedules: schedules(&shifts)?,
            shifts: shifts.into_iter().map(|s| (s.id, s)).collect(),
            holidays: Holidays::new(holidays.iter().map(|h| h.to_engine()).collect()),
            leave: by_person,
            sync: SyncState::new(s.now(), syncs),
            range: period.range(),
            company,
            epoch,
        })
    }

    /// The shift an employee works: their own, else the company default.
    pub fn shift_of(&self, e: &Employee) -> Option<ShiftId> {
        e.shift_id.or(self.default_shift)
    }

    pub fn leave_of(&self, e: EmployeeId) -> &[Leave] {
        self.leave.get(&e).map_or(&[], Vec::as_slice)
    }

    /// One timetable per shift in use (and one for no shift) over `range`
    /// (within the context's range).
    pub fn timetables(&self, range: DateRange) -> HashMap<Option<ShiftId>, Timetable<'_>> {
        let mut out = HashMap::new();
        out.insert(
            None,
            Timetable::new(&self.rules, &self.holidays, None, range),
        );
        for (id, schedule) in &self.schedules {
            let tt = Timetable::new(&self.rules, &self.holidays, Some(schedule), range);
            out.insert(Some(*id), tt);
        }
        out
    }

    /// The UTC span of punches the engine needs over `range` (the same
    /// for every schedule: it depends on the rules and the range only).
    pub fn punch_span(&self, range: DateRange) -> (jiff::Timestamp, jiff::Timestamp) {
        Timetable::new(&self.rules, &self.holidays, None, range).punch_span()
    }
}

/// The engine's schedules of the saved shifts. A saved shift that no
/// longer validates was written around the service: a fault, not input.
fn schedules(shifts: &[Shift]) -> ServiceResult<HashMap<ShiftId, Schedule>> {
    shifts
        .iter()
        .map(|s| {
            let engine = s.to_engine().map_err(|e| {
                ServiceError::Internal(format!("saved shift {} is not valid: {e}", s.id))
            })?;
            Ok((s.id, Schedule::single(engine)))
        })
        .collect()
}

fn widened(period: Period) -> (jiff::civil::Date, jiff::civil::Date) {
    use jiff::ToSpan;
    let by = CALENDAR_MARGIN_DAYS.days();
    (
        period.from.checked_sub(by).unwrap_or(period.from),
        period.to.checked_add(by).unwrap_or(period.to),
    )
}

/// Computes each of `people` over `range` (within the context's) from
/// `punches` (sorted by employee, as the store returns them), with each
/// day's window close (what a stored day keeps).
pub(super) fn compute(
    ctx: &Context,
    range: DateRange,
    people: &[Employee],
    punches: &[Punch],
) -> Vec<(EmployeeAttendance, Vec<Timestamp>)> {
    let timetables = ctx.timetables(range);
    let by_person: HashMap<i64, &[Punch]> = by_employee(punches).collect();
    people
        .iter()
        .map(|e| {
            // A shift deleted meanwhile reads as none (the store nulls it).
            let tt = timetables
                .get(&ctx.shift_of(e))
                .unwrap_or(&timetables[&None]);
            let input = EmployeeInput {
                employee_id: e.id.0,
                leave: ctx.leave_of(e.id),
                punches: by_person.get(&e.id.0).copied().unwrap_or(&[]),
            };
            let computed = tt.compute(&input, ctx.sync);
            let closes = computed
                .days
                .iter()
                .map(|d| tt.day_closes_at(d.date))
                .collect();
            (computed, closes)
        })
        .collect()
}
