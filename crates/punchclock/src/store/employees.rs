//! Employees. Devices create them during sync; humans edit the name,
//! designation, email and active flag.

use super::attendance_days::forget_employee_days;
use super::shifts::shift_exists;
use super::{ts, Invalid, Result, Rule, Store, StoreError};
use crate::domain::{
    non_blank, CompanyId, Employee, EmployeeFilter, EmployeeId, EmployeeOrder, EmployeeSearch,
    EmployeeUpdate, ListedEmployee, NewEmployee, ShiftId,
};

macro_rules! employee_cols {
    () => {
        "id, company_id, enroll_id, name_from_device, first_name, last_name, designation, \
         email, active, daily_report, email_bounce, shift_id, created_at, updated_at"
    };
}

#[derive(sqlx::FromRow)]
struct EmployeeRow {
    id: i64,
    company_id: i64,
    enroll_id: String,
    name_from_device: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    designation: Option<String>,
    email: Option<String>,
    active: bool,
    daily_report: bool,
    email_bounce: Option<String>,
    shift_id: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<EmployeeRow> for Employee {
    type Error = StoreError;
    fn try_from(r: EmployeeRow) -> Result<Employee> {
        Ok(Employee {
            id: EmployeeId(r.id),
            company_id: CompanyId(r.company_id),
            enroll_id: r.enroll_id,
            name_from_device: r.name_from_device,
            first_name: r.first_name,
            last_name: r.last_name,
            designation: r.designation,
            email: r.email,
            active: r.active,
            daily_report: r.daily_report,
            email_bounce: r.email_bounce,
            shift_id: r.shift_id.map(ShiftId),
            created_at: ts(r.created_at)?,
            updated_at: ts(r.updated_at)?,
        })
    }
}

fn filter_sql(filter: EmployeeFilter) -> &'static str {
    match filter {
        EmployeeFilter::Active => " AND active",
        EmployeeFilter::Inactive => " AND NOT active",
        EmployeeFilter::All => "",
    }
}

impl Store {
    /// Employees ordered by enroll id, numerically for numeric ids ("2"
    /// before "10").
    pub async fn list_employees(
        &self,
        company_id: CompanyId,
        filter: EmployeeFilter,
        limit: u32,
        offset: u64,
    ) -> Result<Vec<Employee>> {
        let sql = format!(
            concat!(
                "SELECT ",
                employee_cols!(),
                " FROM employees WHERE company_id = $1{} \
                 ORDER BY length(enroll_id), enroll_id, id LIMIT $2 OFFSET $3"
            ),
            filter_sql(filter)
        );
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        let rows: Vec<EmployeeRow> = with_reader!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(company_id.0)
                .bind(i64::from(limit))
                .bind(offset)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    pub async fn count_employees(
        &self,
        company_id: CompanyId,
        filter: EmployeeFilter,
    ) -> Result<u64> {
        let sql = format!(
            "SELECT COUNT(*) FROM employees WHERE company_id = $1{}",
            filter_sql(filter)
        );
        let count: i64 = with_reader!(self, |pool| {
            sqlx::query_scalar(&sql)
                .bind(company_id.0)
                .fetch_one(pool)
                .await?
        });
        super::int(count, "count")
    }

    /// Active employees; what seats are counted against.
    pub async fn count_active_employees(&self, company_id: CompanyId) -> Result<u64> {
        self.count_employees(company_id, EmployeeFilter::Active)
            .await
    }

    pub async fn get_employee(
        &self,
        company_id: CompanyId,
        employee_id: EmployeeId,
    ) -> Result<Employee> {
        let row: EmployeeRow = with_reader!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                employee_cols!(),
                " FROM employees WHERE id = $1 AND company_id = $2"
            ))
            .bind(employee_id.0)
            .bind(company_id.0)
            .fetch_one(pool)
            .await?
        });
        row.try_into()
    }

    pub async fn employee_by_enroll_id(
        &self,
        company_id: CompanyId,
        enroll_id: &str,
    ) -> Result<Option<Employee>> {
        let row: Option<EmployeeRow> = with_reader!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                employee_cols!(),
                " FROM employees WHERE company_id = $1 AND enroll_id = $2"
            ))
            .bind(company_id.0)
            .bind(enroll_id)
            .fetch_optional(pool)
            .await?
        });
        row.map(TryInto::try_into).transpose()
    }

    /// Creates an active employee by hand; `Conflict` if the enroll id is
    /// already used in this company.
    pub async fn create_employee(
        &self,
        company_id: CompanyId,
        new: &NewEmployee,
    ) -> Result<Employee> {
        if new.enroll_id.is_empty() {
            return Err(Invalid::EnrollIdMissing.into());
        }
        let now = self.now();
        let row: Result<EmployeeRow> = async {
            Ok(with_pool!(self, |pool| {
                sqlx::query_as(concat!(
                    "INSERT INTO employees (company_id, enroll_id, first_name, last_name, \
                     designation, email, active, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $7) RETURNING ",
                    employee_cols!()
                ))
                .bind(company_id.0)
                .bind(&new.enroll_id)
                .bind(non_blank(new.first_name.as_deref()))
                .bind(non_blank(new.last_name.as_deref()))
                .bind(non_blank(new.designation.as_deref()))
                .bind(non_blank(new.email.as_deref()))
                .bind(now)
                .fetch_one(pool)
                .await?
            }))
        }
        .await;
        match row {
            Err(StoreError::Conflict(_)) => Err(StoreError::Conflict(Rule::EnrollIdTaken {
                enroll_id: new.enroll_id.clone(),
            })),
            other => other?.try_into(),
        }
    }

    /// Saves the human-edited fields; `name_from_device` is left alone.
    /// `Invalid(UnknownShift)` unless the shift is one of the company's.
    pub async fn update_employee(
        &self,
        company_id: CompanyId,
        employee_id: EmployeeId,
        update: &EmployeeUpdate,
    ) -> Result<Employee> {
        let now = self.now();
        let row: EmployeeRow = self
            .transaction(async |tx| {
                if let Some(shift) = update.shift_id {
                    if !shift_exists(tx, company_id, shift).await? {
                        return Err(Invalid::UnknownShift.into());
                    }
                }
                let row: EmployeeRow = on_tx!(tx, |conn| {
                    sqlx::query_as(concat!(
                        "UPDATE employees SET first_name = $3, last_name = $4, designation = $5, \
                         email_bounce = CASE WHEN email IS DISTINCT FROM $6 THEN NULL ELSE email_bounce END, \
                         email = $6, active = $7, shift_id = $8, updated_at = $9, daily_report = $10 \
                         WHERE id = $1 AND company_id = $2 RETURNING ",
                        employee_cols!()
                    ))
                    .bind(employee_id.0)
                    .bind(company_id.0)
                    .bind(non_blank(update.first_name.as_deref()))
                    .bind(non_blank(update.last_name.as_deref()))
                    .bind(non_blank(update.designation.as_deref()))
                    .bind(non_blank(update.email.as_deref()))
                    .bind(update.active)
                    .bind(update.shift_id.map(|s| s.0))
                    .bind(now)
                    .bind(update.daily_report)
                    .fetch_one(conn)
                    .await?
                });
                // Their days follow their shift (and nothing else here,
                // but the rows are few: simpler than comparing).
                forget_employee_days(tx, company_id, employee_id).await?;
                Ok(row)
            })
            .await?;
        row.try_into()
    }
}

/// The columns of `employee_cols!()` and the time of the person's last
/// punch (`None`: never punched), kept by the ingest (migration 0014).
#[derive(sqlx::FromRow)]
struct ListedRow {
    #[sqlx(flatten)]
    employee: EmployeeRow,
    last_punch: Option<i64>,
}

/// `text` as a case-insensitive `LIKE` pattern that matches it anywhere,
/// with `%`, `_` and `\` taken literally; empty matches everything.
fn like_pattern(text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let mut p = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The search condition on `$4` (an empty pattern matches everyone).
const SEARCH_SQL: &str = " AND ($4 = '' OR lower(coalesce(first_name, '') || ' ' || \
     coalesce(last_name, '') || ' ' || coalesce(name_from_device, '') || ' ' || enroll_id || ' ' || \
     coalesce(designation, '') || ' ' || coalesce(email, '')) LIKE $4 ESCAPE '\\')";

fn order_sql(order: EmployeeOrder) -> &'static str {
    match order {
        EmployeeOrder::EnrollId => "length(enroll_id), enroll_id, id",
        // Never punched first, then the longest silent: the people who left.
        EmployeeOrder::LastPunch => {
            "(last_punch IS NOT NULL), last_punch, length(enroll_id), enroll_id, id"
        }
    }
}

impl Store {
    /// Employees matching `search`, each with their last punch, in its
    /// order, and how many match in all.
    pub async fn search_employees(
        &self,
        company_id: CompanyId,
        search: &EmployeeSearch,
        limit: u32,
        offset: u64,
    ) -> Result<(Vec<ListedEmployee>, u64)> {
        let sql = format!(
            concat!(
                "SELECT * FROM (SELECT ",
                employee_cols!(),
                ", last_punch_at AS last_punch FROM employees WHERE company_id = $1{}{}) e ORDER BY {} LIMIT $2 OFFSET $3"
            ),
            filter_sql(search.filter),
            SEARCH_SQL,
            order_sql(search.order),
        );
        let count_sql = format!(
            "SELECT COUNT(*) FROM employees WHERE company_id = $1{}{}",
            filter_sql(search.filter),
            SEARCH_SQL.replace("$4", "$2"),
        );
        let pattern = like_pattern(search.text.as_deref().unwrap_or(""));
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        let (rows, count): (Vec<ListedRow>, i64) = with_reader!(self, |pool| {
            let rows = sqlx::query_as(&sql)
                .bind(company_id.0)
                .bind(i64::from(limit))
                .bind(offset)
                .bind(&pattern)
                .fetch_all(pool)
                .await?;
            let count = sqlx::query_scalar(&count_sql)
                .bind(company_id.0)
                .bind(&pattern)
                .fetch_one(pool)
                .await?;
            (rows, count)
        });
        let listed = rows
            .into_iter()
            .map(|r| {
                Ok(ListedEmployee {
                    employee: r.employee.try_into()?,
                    last_punch: r.last_punch.map(ts).transpose()?,
                })
            })
            .collect::<Result<_>>()?;
        Ok((listed, super::int(count, "count")?))
    }

    /// Sets `active` on each of `ids` (the company's only) in one
    /// transaction; returns how many changed.
    pub async fn set_employees_active(
        &self,
        company_id: CompanyId,
        ids: &[EmployeeId],
        active: bool,
    ) -> Result<u64> {
        let now = self.now();
        self.transaction(async |tx| {
            let mut changed = 0;
            for id in ids {
                changed += on_tx!(tx, |conn| {
                    sqlx::query(
                        "UPDATE employees SET active = $3, updated_at = $4 \
                         WHERE id = $1 AND company_id = $2 AND active <> $3",
                    )
                    .bind(id.0)
                    .bind(company_id.0)
                    .bind(active)
                    .bind(now)
                    .execute(conn)
                    .await?
                    .rows_affected()
                });
            }
            Ok(changed)
        })
        .await
    }
}
