//! Shifts of a company. The service validates them with the engine
//! (`attendance::Shift::parse`) and saves the normalised fields.

use super::attendance_days::forget_company_days;
use super::{int, ts, Result, Rule, ShiftUse, Store, StoreError, Tx};
use crate::attendance::{self, ShiftSpec};
use crate::domain::{CompanyId, Shift, ShiftId};

macro_rules! shift_cols {
    () => {
        "id, company_id, name, start_time, end_time, weekdays, late_grace_minutes, \
         early_grace_minutes, window_before_minutes, window_after_minutes, break_minutes, \
         break_after_minutes, created_at, updated_at"
    };
}

#[derive(sqlx::FromRow)]
pub(crate) struct ShiftRow {
    id: i64,
    company_id: i64,
    name: String,
    start_time: String,
    end_time: String,
    weekdays: String,
    late_grace_minutes: i64,
    early_grace_minutes: i64,
    window_before_minutes: i64,
    window_after_minutes: i64,
    break_minutes: i64,
    break_after_minutes: i64,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<ShiftRow> for Shift {
    type Error = StoreError;
    fn try_from(r: ShiftRow) -> Result<Shift> {
        Ok(Shift {
            id: ShiftId(r.id),
            company_id: CompanyId(r.company_id),
            spec: ShiftSpec {
                name: r.name,
                start: r.start_time,
                end: r.end_time,
                weekdays: r.weekdays.split(',').map(str::to_owned).collect(),
                late_grace_minutes: r.late_grace_minutes,
                early_grace_minutes: r.early_grace_minutes,
                window_before_minutes: r.window_before_minutes,
                window_after_minutes: r.window_after_minutes,
                break_minutes: r.break_minutes,
                break_after_minutes: r.break_after_minutes,
            },
            created_at: ts(r.created_at)?,
            updated_at: ts(r.updated_at)?,
        })
    }
}

/// A unique violation on a shift can only be its name.
fn name_taken(err: StoreError, spec: &ShiftSpec) -> StoreError {
    match err {
        StoreError::Conflict(Rule::Unique { .. }) => StoreError::Conflict(Rule::ShiftNameTaken {
            name: spec.name.clone(),
        }),
        other => other,
    }
}

impl Store {
    /// Every shift of the company, by name.
    pub async fn list_shifts(&self, company_id: CompanyId) -> Result<Vec<Shift>> {
        let rows: Vec<ShiftRow> = with_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                shift_cols!(),
                " FROM shifts WHERE company_id = $1 ORDER BY name, id"
            ))
            .bind(company_id.0)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    pub async fn get_shift(&self, company_id: CompanyId, id: ShiftId) -> Result<Shift> {
        let row: ShiftRow = with_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                shift_cols!(),
                " FROM shifts WHERE id = $1 AND company_id = $2"
            ))
            .bind(id.0)
            .bind(company_id.0)
            .fetch_one(pool)
            .await?
        });
        row.try_into()
    }

    /// Saves a validated shift; `Conflict(ShiftNameTaken)` for a name the
    /// company already uses.
    pub async fn create_shift(
        &self,
        company_id: CompanyId,
        shift: &attendance::Shift,
    ) -> Result<Shift> {
        let spec = shift.to_spec();
        let weekdays = spec.weekdays.join(",");
        let now = self.now();
        let row: Result<ShiftRow> = async {
            Ok(with_pool!(self, |pool| {
                let mut q = insert_into!("shifts" {
                    company_id: company_id.0,
                    name: spec.name.as_str(),
                    start_time: spec.start.as_str(),
                    end_time: spec.end.as_str(),
                    weekdays: weekdays.as_str(),
                    late_grace_minutes: spec.late_grace_minutes,
                    early_grace_minutes: spec.early_grace_minutes,
                    window_before_minutes: spec.window_before_minutes,
                    window_after_minutes: spec.window_after_minutes,
                    break_minutes: spec.break_minutes,
                    break_after_minutes: spec.break_after_minutes,
                    created_at: now,
                    updated_at: now,
                });
                q.push(concat!(" RETURNING ", shift_cols!()));
                q.build_query_as().fetch_one(pool).await?
            }))
        }
        .await;
        row.map_err(|e| name_taken(e, &spec))?.try_into()
    }

    /// Replaces every field of a shift with a validated one.
    pub async fn update_shift(
        &self,
        company_id: CompanyId,
        id: ShiftId,
        shift: &attendance::Shift,
    ) -> Result<Shift> {
        let spec = shift.to_spec();
        let now = self.now();
        // Every stored day may follow this shift (its own or the default).
        let row: Result<ShiftRow> = self
            .transaction(async |tx| {
                let row: ShiftRow = on_tx!(tx, |conn| {
                    let mut q = sqlx::QueryBuilder::new("UPDATE shifts SET ");
                    let mut set = q.separated(", ");
                    set.push("name = ")
                        .push_bind_unseparated(spec.name.as_str());
                    set.push("start_time = ")
                        .push_bind_unseparated(spec.start.as_str());
                    set.push("end_time = ")
                        .push_bind_unseparated(spec.end.as_str());
                    set.push("weekdays = ")
                        .push_bind_unseparated(spec.weekdays.join(","));
                    for (column, value) in minute_columns(&spec) {
                        set.push(format!("{column} = "))
                            .push_bind_unseparated(value);
                    }
                    set.push("updated_at = ").push_bind_unseparated(now);
                    q.push(" WHERE id = ").push_bind(id.0);
                    q.push(" AND company_id = ").push_bind(company_id.0);
                    q.push(concat!(" RETURNING ", shift_cols!()));
                    q.build_query_as().fetch_one(conn).await?
                });
                forget_company_days(tx, company_id).await?;
                Ok(row)
            })
            .await;
        row.map_err(|e| name_taken(e, &spec))?.try_into()
    }

    /// Deletes a shift nobody uses; `Conflict(ShiftInUse)` says who does.
    pub async fn delete_shift(&self, company_id: CompanyId, id: ShiftId) -> Result<()> {
        self.transaction(async |tx| {
            let usage = shift_use(tx, company_id, id).await?;
            if usage.company_default || usage.employees > 0 {
                return Err(StoreError::Conflict(Rule::ShiftInUse(usage)));
            }
            let deleted = on_tx!(tx, |conn| {
                sqlx::query("DELETE FROM shifts WHERE id = $1 AND company_id = $2")
                    .bind(id.0)
                    .bind(company_id.0)
                    .execute(conn)
                    .await?
                    .rows_affected()
            });
            if deleted == 0 {
                return Err(StoreError::NotFound);
            }
            Ok(())
        })
        .await
    }
}

fn minute_columns(spec: &ShiftSpec) -> [(&'static str, i64); 6] {
    [
        ("late_grace_minutes", spec.late_grace_minutes),
        ("early_grace_minutes", spec.early_grace_minutes),
        ("window_before_minutes", spec.window_before_minutes),
        ("window_after_minutes", spec.window_after_minutes),
        ("break_minutes", spec.break_minutes),
        ("break_after_minutes", spec.break_after_minutes),
    ]
}

/// Who has the shift: the company as its default, and how many employees.
async fn shift_use(tx: &mut Tx, company_id: CompanyId, id: ShiftId) -> Result<ShiftUse> {
    let (default, employees): (i64, i64) = on_tx!(tx, |conn| {
        sqlx::query_as(
            "SELECT \
               (SELECT COUNT(*) FROM companies WHERE id = $1 AND default_shift_id = $2), \
               (SELECT COUNT(*) FROM employees WHERE company_id = $1 AND shift_id = $2)",
        )
        .bind(company_id.0)
        .bind(id.0)
        .fetch_one(conn)
        .await?
    });
    Ok(ShiftUse {
        company_default: default > 0,
        employees: int(employees, "employees using a shift")?,
    })
}

/// Whether `id` is a shift of the company (for assigning it).
pub(crate) async fn shift_exists(tx: &mut Tx, company_id: CompanyId, id: ShiftId) -> Result<bool> {
    let found: Option<i64> = on_tx!(tx, |conn| {
        sqlx::query_scalar("SELECT id FROM shifts WHERE id = $1 AND company_id = $2")
            .bind(id.0)
            .bind(company_id.0)
            .fetch_optional(conn)
            .await?
    });
    Ok(found.is_some())
}
