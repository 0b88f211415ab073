//! Stored attendance days (migration 0010): the engine's result per
//! employee and date, kept so a month's timesheet reads rows instead of
//! recomputing 120,000 punches.
//!
//! A stored row is always current; a row that may be wrong is deleted.
//! Every write that can change a day calls one of the `forget_*` functions
//! in its own transaction: they bump the company's `attendance_epoch`, then
//! delete the rows the write can affect (the engine's `affected_by_*`).
//! Reads recompute what is missing and save it with
//! [`Store::save_attendance_days`], which writes nothing if the epoch moved
//! since the read began: its inputs may predate that write. The bump comes
//! before the delete so a save (which takes the company row first on
//! PostgreSQL) and a write never wait on each other in opposite order.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::calendar::{date, date_text};
use super::punch_ingest::json_list;
use super::{secs, ts, zone, Corrupt, Result, Store, StoreError, Tx};
use crate::attendance::{
    self, affected_by_date, affected_by_punch, DateRange, Day, FlagSet, Hours, LeaveKind,
    LocalTime, Status,
};
use crate::domain::{CompanyId, EmployeeId};

/// One stored day: the engine's [`Day`] and when its window closes (a
/// read recomputes it once its `provisional` flag no longer holds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDay {
    pub employee_id: EmployeeId,
    pub day: Day,
    pub closes_at: Timestamp,
}

const COLUMNS: [&str; 20] = [
    "company_id",
    "employee_id",
    "date",
    "shift_id",
    "scheduled_start",
    "scheduled_end",
    "status",
    "first_in",
    "last_out",
    "worked_seconds",
    "break_deducted_seconds",
    "late_seconds",
    "early_leave_seconds",
    "daily_overtime_seconds",
    "weekly_overtime_seconds",
    "flags",
    "provisional",
    "closes_at",
    "holiday",
    "leave_kind",
];

/// Rows per statement and per transaction when saving (20 values a row).
const SAVE_BATCH: usize = 500;

#[derive(sqlx::FromRow)]
struct DayRow {
    employee_id: i64,
    date: String,
    shift_id: Option<i64>,
    scheduled_start: Option<i64>,
    scheduled_end: Option<i64>,
    status: String,
    first_in: Option<i64>,
    last_out: Option<i64>,
    worked_seconds: i64,
    break_deducted_seconds: i64,
    late_seconds: i64,
    early_leave_seconds: i64,
    daily_overtime_seconds: i64,
    weekly_overtime_seconds: i64,
    flags: i64,
    provisional: bool,
    closes_at: i64,
    holiday: Option<String>,
    leave_kind: Option<String>,
}

fn local(zone: &TimeZone, seconds: i64) -> Result<LocalTime> {
    let at = ts(seconds)?;
    Ok(LocalTime {
        at,
        offset: zone.to_offset(at),
    })
}

fn opt_local(zone: &TimeZone, seconds: Option<i64>) -> Result<Option<LocalTime>> {
    seconds.map(|s| local(zone, s)).transpose()
}

fn corrupt(what: &'static str, value: String) -> StoreError {
    StoreError::Corrupt(Corrupt {
        field: what,
        row: None,
        detail: value,
    })
}

impl DayRow {
    fn into_stored(self, zone: &TimeZone) -> Result<StoredDay> {
        let scheduled = match (self.scheduled_start, self.scheduled_end) {
            (Some(s), Some(e)) => Some((local(zone, s)?, local(zone, e)?)),
            _ => None,
        };
        let status = Status::parse(&self.status)
            .ok_or_else(|| corrupt("attendance_days.status", self.status.clone()))?;
        let leave = match self.leave_kind {
            Some(k) => {
                Some(LeaveKind::parse(&k).ok_or_else(|| corrupt("attendance_days.leave_kind", k))?)
            }
            None => None,
        };
        let flags = u16::try_from(self.flags)
            .map_err(|_| corrupt("attendance_days.flags", self.flags.to_string()))?;
        Ok(StoredDay {
            employee_id: EmployeeId(self.employee_id),
            closes_at: ts(self.closes_at)?,
            day: Day {
                date: date(&self.date, "attendance_days.date", self.employee_id)?,
                shift_id: self.shift_id,
                scheduled,
                status,
                first_in: opt_local(zone, self.first_in)?,
                last_out: opt_local(zone, self.last_out)?,
                worked_seconds: self.worked_seconds,
                break_deducted_seconds: self.break_deducted_seconds,
                late_seconds: self.late_seconds,
                early_leave_seconds: self.early_leave_seconds,
                daily_overtime_seconds: self.daily_overtime_seconds,
                weekly_overtime_seconds: self.weekly_overtime_seconds,
                flags: FlagSet::from_bits(flags),
                provisional: self.provisional,
                holiday: self.holiday,
                leave,
            },
        })
    }
}

/// The `INSERT … ON CONFLICT DO UPDATE` of a batch, as a `QueryBuilder` for
/// whichever backend's connection runs it.
macro_rules! upsert {
    ($company_id:expr, $batch:expr) => {{
        let mut q = sqlx::QueryBuilder::new(format!(
            "INSERT INTO attendance_days ({}) ",
            COLUMNS.join(", ")
        ));
        q.push_values($batch, |mut v, s: &StoredDay| {
            let d = &s.day;
            let at = |t: Option<LocalTime>| t.map(|t| secs(t.at));
            v.push_bind($company_id.0)
                .push_bind(s.employee_id.0)
                .push_bind(date_text(d.date))
                .push_bind(d.shift_id)
                .push_bind(at(d.scheduled.map(|p| p.0)))
                .push_bind(at(d.scheduled.map(|p| p.1)))
                .push_bind(d.status.as_str())
                .push_bind(at(d.first_in))
                .push_bind(at(d.last_out))
                .push_bind(d.worked_seconds)
                .push_bind(d.break_deducted_seconds)
                .push_bind(d.late_seconds)
                .push_bind(d.early_leave_seconds)
                .push_bind(d.daily_overtime_seconds)
                .push_bind(d.weekly_overtime_seconds)
                .push_bind(i64::from(d.flags.bits()))
                .push_bind(d.provisional)
                .push_bind(secs(s.closes_at))
                .push_bind(d.holiday.clone())
                .push_bind(d.leave.map(LeaveKind::as_str));
        });
        let set: Vec<String> = COLUMNS[3..]
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        q.push(format!(
            " ON CONFLICT (company_id, date, employee_id) DO UPDATE SET {}",
            set.join(", ")
        ));
        q
    }};
}

impl Store {
    /// The company's attendance epoch: read it before loading what a
    /// computation needs, and hand it to [`Store::save_attendance_days`].
    pub async fn attendance_epoch(&self, company_id: CompanyId) -> Result<i64> {
        Ok(with_reader!(self, |pool| {
            sqlx::query_scalar("SELECT attendance_epoch FROM companies WHERE id = $1")
                .bind(company_id.0)
                .fetch_one(pool)
                .await?
        }))
    }

    /// The stored days in `range` of some employees (not empty) or
    /// everyone, by employee then date; times carry `zone`'s offsets (the company's).
    pub async fn stored_attendance_days(
        &self,
        company_id: CompanyId,
        range: DateRange,
        employees: Option<&[EmployeeId]>,
        zone: &TimeZone,
    ) -> Result<Vec<StoredDay>> {
        if employees.is_some_and(<[EmployeeId]>::is_empty) {
            return Ok(Vec::new());
        }
        let (from, to) = (date_text(range.from()), date_text(range.to()));
        let rows: Vec<DayRow> = with_reader!(self, |pool| {
            let mut q = sqlx::QueryBuilder::new(format!(
                "SELECT {} FROM attendance_days WHERE company_id = ",
                COLUMNS[1..].join(", ")
            ));
            q.push_bind(company_id.0);
            q.push(" AND date >= ").push_bind(from.as_str());
            q.push(" AND date <= ").push_bind(to.as_str());
            if let Some(ids) = employees {
                q.push(" AND employee_id IN (");
                let mut list = q.separated(", ");
                for id in ids {
                    list.push_bind(id.0);
                }
                q.push(")");
            }
            q.push(" ORDER BY employee_id, date");
            // An employee list is another text per length: not cached.
            let q = q.build_query_as().persistent(employees.is_none());
            q.fetch_all(pool).await?
        });
        rows.into_iter().map(|r| r.into_stored(zone)).collect()
    }

    /// Saves computed days (replacing rows of the same employee and date),
    /// unless the company's epoch is no longer `epoch`: a write since then
    /// may have changed them. Returns whether everything was saved. Each
    /// batch is its own short transaction and checks the epoch itself.
    pub async fn save_attendance_days(
        &self,
        company_id: CompanyId,
        epoch: i64,
        days: &[StoredDay],
    ) -> Result<bool> {
        let lock = if self.is_postgres() {
            // Waits for a write that bumped the epoch and has not committed.
            " FOR SHARE"
        } else {
            "" // SQLite: transactions take the one write lock up front.
        };
        let check = format!("SELECT attendance_epoch FROM companies WHERE id = $1{lock}");
        for batch in days.chunks(SAVE_BATCH) {
            let saved = self
                .transaction(async |tx| {
                    let now: i64 = on_tx!(tx, |conn| {
                        sqlx::query_scalar(&check)
                            .bind(company_id.0)
                            .fetch_one(conn)
                            .await?
                    });
                    if now != epoch {
                        return Ok(false);
                    }
                    on_tx!(tx, |conn| {
                        // Not cached: each batch size is another statement
                        // text (see `insert_rows!`).
                        let mut q = upsert!(company_id, batch);
                        q.build().persistent(false).execute(conn).await?;
                    });
                    Ok(true)
                })
                .await?;
            if !saved {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

// ------------------------------------------------------------ forgetting

/// Bumps the company's epoch: saves that began before this write fail.
/// First in every `forget_*` (see the module comment for why).
async fn bump_epoch(tx: &mut Tx, company_id: CompanyId) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query("UPDATE companies SET attendance_epoch = attendance_epoch + 1 WHERE id = $1")
            .bind(company_id.0)
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// Every stored day of the company: a shift, the rules or the zone changed.
pub(crate) async fn forget_company_days(tx: &mut Tx, company_id: CompanyId) -> Result<()> {
    bump_epoch(tx, company_id).await?;
    on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM attendance_days WHERE company_id = $1")
            .bind(company_id.0)
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// Every stored day of one employee: their shift changed.
pub(crate) async fn forget_employee_days(
    tx: &mut Tx,
    company_id: CompanyId,
    employee: EmployeeId,
) -> Result<()> {
    bump_epoch(tx, company_id).await?;
    on_tx!(tx, |conn| {
        sqlx::query("DELETE FROM attendance_days WHERE company_id = $1 AND employee_id = $2")
            .bind(company_id.0)
            .bind(employee.0)
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// The days a change to the dates `from..=to` can affect (a holiday or a
/// leave period added or removed), of one employee or everyone.
pub(crate) async fn forget_dates(
    tx: &mut Tx,
    company_id: CompanyId,
    employee: Option<EmployeeId>,
    from: Date,
    to: Date,
) -> Result<()> {
    let rules = rules_in(tx, company_id).await?;
    let (first, last) = (
        affected_by_date(&rules, from).from(),
        affected_by_date(&rules, to).to(),
    );
    bump_epoch(tx, company_id).await?;
    let (first, last) = (date_text(first), date_text(last));
    on_tx!(tx, |conn| {
        let mut q = sqlx::QueryBuilder::new("DELETE FROM attendance_days WHERE company_id = ");
        q.push_bind(company_id.0);
        q.push(" AND date >= ").push_bind(first.as_str());
        q.push(" AND date <= ").push_bind(last.as_str());
        if let Some(e) = employee {
            q.push(" AND employee_id = ").push_bind(e.0);
        }
        q.build().execute(conn).await?;
    });
    Ok(())
}

/// The days that punches at these instants (new, added by hand, voided or
/// unvoided) can affect: per employee, from the first affected date of
/// their earliest punch to the last of their latest.
pub(crate) async fn forget_punch_days(
    tx: &mut Tx,
    company_id: CompanyId,
    punches: &[(EmployeeId, Timestamp)],
) -> Result<()> {
    if punches.is_empty() {
        return Ok(());
    }
    let rules = rules_in(tx, company_id).await?;
    let mut spans: BTreeMap<i64, (Date, Date)> = BTreeMap::new();
    for (employee, at) in punches {
        let r = affected_by_punch(&rules, *at);
        spans
            .entry(employee.0)
            .and_modify(|s| *s = (s.0.min(r.from()), s.1.max(r.to())))
            .or_insert((r.from(), r.to()));
    }
    bump_epoch(tx, company_id).await?;
    let employees: Vec<i64> = spans.keys().copied().collect();
    let firsts: Vec<String> = spans.values().map(|s| date_text(s.0)).collect();
    let lasts: Vec<String> = spans.values().map(|s| date_text(s.1)).collect();
    // One statement of one text whatever the number of employees: each
    // employee's span is read through (company_id, employee_id, date)
    // (on SQLite CROSS JOIN keeps the spans the outer loop: otherwise the
    // planner may scan every stored day of the company).
    match tx {
        Tx::Sqlite(t) => {
            let spans: Vec<(i64, &str, &str)> = employees
                .iter()
                .zip(&firsts)
                .zip(&lasts)
                .map(|((e, f), l)| (*e, f.as_str(), l.as_str()))
                .collect();
            sqlx::query(
                "DELETE FROM attendance_days WHERE rowid IN (SELECT a.rowid \
                 FROM json_each(?2) s CROSS JOIN attendance_days a ON a.company_id = ?1 \
                 AND a.employee_id = s.value ->> 0 \
                 AND a.date >= s.value ->> 1 AND a.date <= s.value ->> 2)",
            )
            .bind(company_id.0)
            .bind(json_list(&spans))
            .execute(&mut **t)
            .await?;
        }
        Tx::Postgres(t) => {
            sqlx::query(
                "DELETE FROM attendance_days a \
                 USING UNNEST($2::BIGINT[], $3::TEXT[], $4::TEXT[]) AS s(employee_id, first, last) \
                 WHERE a.company_id = $1 AND a.employee_id = s.employee_id \
                 AND a.date >= s.first AND a.date <= s.last",
            )
            .bind(company_id.0)
            .bind(&employees)
            .bind(&firsts)
            .bind(&lasts)
            .execute(&mut **t)
            .await?;
        }
    }
    Ok(())
}

/// What `affected_by_*` needs of the company's rules: its zone and
/// whether weekly overtime is on (weeks start on the engine's default).
async fn rules_in(tx: &mut Tx, company_id: CompanyId) -> Result<attendance::Rules> {
    let (name, weekly): (String, Option<i64>) = on_tx!(tx, |conn| {
        sqlx::query_as("SELECT timezone, weekly_overtime_seconds FROM companies WHERE id = $1")
            .bind(company_id.0)
            .fetch_one(conn)
            .await?
    });
    let zone = zone(&name, "companies.timezone", company_id.0)?;
    let weekly = weekly
        .map(|s| u32::try_from(s).map(Hours::from_seconds))
        .transpose()
        .map_err(|_| corrupt("companies.weekly_overtime_seconds", format!("{weekly:?}")))?;
    Ok(attendance::Rules {
        weekly_overtime: weekly,
        ..attendance::Rules::new(zone.tz().clone())
    })
}
