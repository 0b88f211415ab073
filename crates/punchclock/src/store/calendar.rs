//! Company holidays and employee leave. Dates are stored as
//! `YYYY-MM-DD` text, which sorts and compares like the dates.

use jiff::civil::Date;

use super::attendance_days::forget_dates;
use super::{Invalid, Result, Rule, Store, StoreError, Tx};
use crate::attendance::Leave;
use crate::domain::{
    CompanyId, EmployeeId, Holiday, HolidayId, HolidayName, LeaveId, LeavePeriod, NewLeave,
};

#[derive(sqlx::FromRow)]
struct HolidayRow {
    id: i64,
    company_id: i64,
    date: String,
    name: String,
}

impl TryFrom<HolidayRow> for Holiday {
    type Error = StoreError;
    fn try_from(r: HolidayRow) -> Result<Holiday> {
        Ok(Holiday {
            id: HolidayId(r.id),
            company_id: CompanyId(r.company_id),
            date: date(&r.date, "holidays.date", r.id)?,
            name: r.name,
        })
    }
}

#[derive(sqlx::FromRow)]
struct LeaveRow {
    id: i64,
    company_id: i64,
    employee_id: i64,
    from_date: String,
    to_date: String,
    kind: String,
}

impl TryFrom<LeaveRow> for LeavePeriod {
    type Error = StoreError;
    fn try_from(r: LeaveRow) -> Result<LeavePeriod> {
        let kind = serde_json::from_value(serde_json::Value::String(r.kind.clone()))
            .map_err(|_| StoreError::corrupt("leave_periods.kind", Some(r.id), &r.kind))?;
        Ok(LeavePeriod {
            id: LeaveId(r.id),
            company_id: CompanyId(r.company_id),
            employee_id: EmployeeId(r.employee_id),
            from: date(&r.from_date, "leave_periods.from_date", r.id)?,
            to: date(&r.to_date, "leave_periods.to_date", r.id)?,
            kind,
        })
    }
}

pub(crate) fn date(text: &str, field: &'static str, row: i64) -> Result<Date> {
    text.parse()
        .map_err(|e| StoreError::corrupt(field, Some(row), format!("{text:?}: {e}")))
}

pub(crate) fn date_text(d: Date) -> String {
    d.strftime("%Y-%m-%d").to_string()
}

fn kind_text(leave: &Leave) -> String {
    match serde_json::to_value(leave.kind) {
        Ok(serde_json::Value::String(s)) => s,
        _ => unreachable!("LeaveKind serialises as a string"),
    }
}

impl Store {
    /// Holidays in `from..=to`, by date.
    pub async fn list_holidays(
        &self,
        company_id: CompanyId,
        from: Date,
        to: Date,
    ) -> Result<Vec<Holiday>> {
        let rows: Vec<HolidayRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, company_id, date, name FROM holidays \
                 WHERE company_id = $1 AND date >= $2 AND date <= $3 ORDER BY date",
            )
            .bind(company_id.0)
            .bind(date_text(from))
            .bind(date_text(to))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// `Conflict(HolidayDateTaken)` when the date already is one.
    pub async fn create_holiday(
        &self,
        company_id: CompanyId,
        date: Date,
        name: &HolidayName,
    ) -> Result<Holiday> {
        let now = self.now();
        self.transaction(async |tx| {
            if let Some(existing) = holiday_on(tx, company_id, date).await? {
                return Err(StoreError::Conflict(Rule::HolidayDateTaken {
                    date: date_text(date),
                    name: existing,
                }));
            }
            let row: HolidayRow = on_tx!(tx, |conn| {
                let mut q = insert_into!("holidays" {
                    company_id: company_id.0,
                    date: date_text(date),
                    name: name.as_str(),
                    created_at: now,
                });
                q.push(" RETURNING id, company_id, date, name");
                q.build_query_as().fetch_one(conn).await?
            });
            forget_dates(tx, company_id, None, date, date).await?;
            row.try_into()
        })
        .await
    }

    /// Returns the holiday deleted (its date says which days change).
    pub async fn delete_holiday(&self, company_id: CompanyId, id: HolidayId) -> Result<Holiday> {
        self.transaction(async |tx| {
            let row: HolidayRow = on_tx!(tx, |conn| {
                sqlx::query_as(
                    "DELETE FROM holidays WHERE id = $1 AND company_id = $2 \
                     RETURNING id, company_id, date, name",
                )
                .bind(id.0)
                .bind(company_id.0)
                .fetch_one(conn)
                .await?
            });
            let holiday: Holiday = row.try_into()?;
            forget_dates(tx, company_id, None, holiday.date, holiday.date).await?;
            Ok(holiday)
        })
        .await
    }

    /// Leave overlapping `from..=to`, of one employee or everyone, by
    /// employee and start.
    pub async fn list_leave(
        &self,
        company_id: CompanyId,
        employee: Option<EmployeeId>,
        from: Date,
        to: Date,
    ) -> Result<Vec<LeavePeriod>> {
        let rows: Vec<LeaveRow> = with_pool!(self, |pool| {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT id, company_id, employee_id, from_date, to_date, kind \
                 FROM leave_periods WHERE company_id = ",
            );
            q.push_bind(company_id.0);
            if let Some(e) = employee {
                q.push(" AND employee_id = ").push_bind(e.0);
            }
            q.push(" AND from_date <= ").push_bind(date_text(to));
            q.push(" AND to_date >= ").push_bind(date_text(from));
            q.push(" ORDER BY employee_id, from_date, id");
            q.build_query_as().fetch_all(pool).await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Saves leave for an employee of this company; refuses an overlap
    /// with their other leave (`Conflict(LeaveOverlaps)`).
    pub async fn create_leave(&self, company_id: CompanyId, new: &NewLeave) -> Result<LeavePeriod> {
        let now = self.now();
        self.transaction(async |tx| {
            if !employee_exists(tx, company_id, new.employee_id).await? {
                return Err(Invalid::UnknownEmployee.into());
            }
            if let Some((from, to)) = overlapping_leave(tx, company_id, new).await? {
                return Err(StoreError::Conflict(Rule::LeaveOverlaps { from, to }));
            }
            let row: LeaveRow = on_tx!(tx, |conn| {
                let mut q = insert_into!("leave_periods" {
                    company_id: company_id.0,
                    employee_id: new.employee_id.0,
                    from_date: date_text(new.leave.from),
                    to_date: date_text(new.leave.to),
                    kind: kind_text(&new.leave),
                    created_at: now,
                });
                q.push(" RETURNING id, company_id, employee_id, from_date, to_date, kind");
                q.build_query_as().fetch_one(conn).await?
            });
            let leave = new.leave;
            forget_dates(tx, company_id, Some(new.employee_id), leave.from, leave.to).await?;
            row.try_into()
        })
        .await
    }

    pub async fn delete_leave(&self, company_id: CompanyId, id: LeaveId) -> Result<LeavePeriod> {
        self.transaction(async |tx| {
            let row: LeaveRow = on_tx!(tx, |conn| {
                sqlx::query_as(
                    "DELETE FROM leave_periods WHERE id = $1 AND company_id = $2 \
                     RETURNING id, company_id, employee_id, from_date, to_date, kind",
                )
                .bind(id.0)
                .bind(company_id.0)
                .fetch_one(conn)
                .await?
            });
            let leave: LeavePeriod = row.try_into()?;
            forget_dates(
                tx,
                company_id,
                Some(leave.employee_id),
                leave.from,
                leave.to,
            )
            .await?;
            Ok(leave)
        })
        .await
    }
}

async fn holiday_on(tx: &mut Tx, company_id: CompanyId, date: Date) -> Result<Option<String>> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar("SELECT name FROM holidays WHERE company_id = $1 AND date = $2")
            .bind(company_id.0)
            .bind(date_text(date))
            .fetch_optional(conn)
            .await?
    }))
}

pub(crate) async fn employee_exists(
    tx: &mut Tx,
    company_id: CompanyId,
    id: EmployeeId,
) -> Result<bool> {
    let found: Option<i64> = on_tx!(tx, |conn| {
        sqlx::query_scalar("SELECT id FROM employees WHERE id = $1 AND company_id = $2")
            .bind(id.0)
            .bind(company_id.0)
            .fetch_optional(conn)
            .await?
    });
    Ok(found.is_some())
}

async fn overlapping_leave(
    tx: &mut Tx,
    company_id: CompanyId,
    new: &NewLeave,
) -> Result<Option<(String, String)>> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT from_date, to_date FROM leave_periods \
             WHERE company_id = $1 AND employee_id = $2 AND from_date <= $3 AND to_date >= $4 \
             ORDER BY from_date LIMIT 1",
        )
        .bind(company_id.0)
        .bind(new.employee_id.0)
        .bind(date_text(new.leave.to))
        .bind(date_text(new.leave.from))
        .fetch_optional(conn)
        .await?
    }))
}
