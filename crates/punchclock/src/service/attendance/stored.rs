//! Reading stored attendance days (migration 0010), and computing the ones
//! that are missing or no longer right.
//!
//! A stored day is current by construction (every write that can change
//! it deletes it in its own transaction; see `store/attendance_days.rs`),
//! except for one input the store cannot see change: time. A day is
//! provisional until its window has closed and every enabled device has
//! synced after that, so the stored `provisional` flag is compared with
//! the devices' last syncs on every read, and a day whose flag no longer
//! holds is recomputed like a missing one.

use std::collections::HashMap;

use crate::attendance::{DateRange, Day};
use crate::domain::{Employee, EmployeeId};
use crate::service::error::ServiceResult;
use crate::service::services::Services;
use crate::store::StoredDay;

use super::context::{compute, Context};

/// Each of `people`'s days over the context's range, from the stored rows;
/// days missing or no longer right are computed by the engine, saved (if
/// nothing was written meanwhile) and returned. `all` says `people` are
/// everyone in scope, so the rows are read without a list of ids.
pub(super) async fn days_of(
    s: &Services,
    ctx: &Context,
    people: &[Employee],
    all: bool,
) -> ServiceResult<HashMap<EmployeeId, Vec<Day>>> {
    let company = ctx.company.id;
    let ids: Vec<EmployeeId> = people.iter().map(|e| e.id).collect();
    let filter = (!all).then_some(ids.as_slice());
    let rows = s
        .store
        .stored_attendance_days(company, ctx.range, filter, &ctx.rules.zone)
        .await?;
    let mut stored: HashMap<EmployeeId, Vec<StoredDay>> = HashMap::new();
    for row in rows {
        stored.entry(row.employee_id).or_default().push(row);
    }

    // Who needs computing, and the dates that cover all of it.
    let mut stale: Vec<Employee> = Vec::new();
    let mut span: Option<(jiff::civil::Date, jiff::civil::Date)> = None;
    for e in people {
        if let Some((lo, hi)) = not_current(ctx, stored.get(&e.id).map_or(&[], Vec::as_slice)) {
            stale.push(e.clone());
            span = Some(match span {
                Some((a, b)) => (a.min(lo), b.max(hi)),
                None => (lo, hi),
            });
        }
    }
    let mut out: HashMap<EmployeeId, Vec<Day>> = stored
        .into_iter()
        .map(|(id, rows)| (id, rows.into_iter().map(|r| r.day).collect()))
        .collect();
    let Some((lo, hi)) = span else {
        return Ok(out);
    };
    let range = DateRange::new(lo, hi).expect("dates of the context's range, in order");
    let (from, to) = ctx.punch_span(range);
    let one = match stale.as_slice() {
        [e] => Some(e.id),
        _ => None,
    };
    let punches = s.store.attendance_punches(company, from, to, one).await?;
    let computed = compute(ctx, range, &stale, &punches);
    let mut save = Vec::new();
    for (e, (attendance, closes)) in stale.iter().zip(computed) {
        for (day, closes_at) in attendance.days.iter().zip(closes) {
            save.push(StoredDay {
                employee_id: e.id,
                day: day.clone(),
                closes_at,
            });
        }
        let days = out.entry(e.id).or_default();
        days.retain(|d| !range.contains(d.date));
        days.extend(attendance.days);
        days.sort_by_key(|d| d.date);
    }
    // Not saved when a write came in meanwhile: the next read computes
    // them again from what that write stored.
    s.store
        .save_attendance_days(company, ctx.epoch, &save)
        .await?;
    Ok(out)
}

/// The first and last date of the context's range whose stored day is
/// missing or whose `provisional` flag no longer holds; `None`: all current.
fn not_current(
    ctx: &Context,
    rows: &[StoredDay],
) -> Option<(jiff::civil::Date, jiff::civil::Date)> {
    let mut bad: Option<(jiff::civil::Date, jiff::civil::Date)> = None;
    let mut add = |d: jiff::civil::Date| {
        bad = Some(match bad {
            Some((a, b)) => (a.min(d), b.max(d)),
            None => (d, d),
        });
    };
    let mut next = rows.iter().peekable();
    for date in ctx.range.days() {
        // Rows come sorted by date.
        while next.peek().is_some_and(|r| r.day.date < date) {
            next.next();
        }
        match next.peek() {
            Some(r) if r.day.date == date => {
                if r.day.provisional != ctx.sync.is_provisional_at(r.closes_at) {
                    add(date);
                }
            }
            _ => add(date),
        }
    }
    bad
}
