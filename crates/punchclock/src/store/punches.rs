//! Punch listings. Device punches are written only by `record_poll`;
//! corrections (`corrections.rs`) add punches by hand and set `voided`.

use std::collections::HashMap;

use super::{int, parse_civil, placeholders, ts, Result, Store, StoreError};
use crate::domain::{
    display_name, CompanyId, DeviceId, DeviceLogId, EmployeeId, Punch, PunchFilter, PunchId,
    PunchView,
};

#[derive(sqlx::FromRow)]
pub(super) struct PunchViewRow {
    id: i64,
    company_id: i64,
    employee_id: i64,
    enroll_id: String,
    device_id: Option<i64>,
    device_serial: String,
    device_time: String,
    punched_at: i64,
    status: i64,
    punch_type: i64,
    uid: i64,
    device_log_id: Option<i64>,
    created_at: i64,
    manual: bool,
    voided: bool,
    first_name: Option<String>,
    last_name: Option<String>,
    name_from_device: Option<String>,
    device_name: Option<String>,
}

impl TryFrom<PunchViewRow> for PunchView {
    type Error = StoreError;
    fn try_from(r: PunchViewRow) -> Result<PunchView> {
        Ok(PunchView {
            employee_name: display_name(
                r.first_name.as_deref(),
                r.last_name.as_deref(),
                r.name_from_device.as_deref(),
            ),
            device_name: r.device_name,
            punch: Punch {
                id: PunchId(r.id),
                company_id: CompanyId(r.company_id),
                employee_id: EmployeeId(r.employee_id),
                enroll_id: r.enroll_id,
                device_id: r.device_id.map(DeviceId),
                device_serial: r.device_serial,
                device_time: parse_civil(&r.device_time)?,
                punched_at: ts(r.punched_at)?,
                status: int(r.status, "status")?,
                punch_type: int(r.punch_type, "punch_type")?,
                uid: int(r.uid, "uid")?,
                device_log_id: r.device_log_id.map(DeviceLogId),
                created_at: ts(r.created_at)?,
                manual: r.manual,
                voided: r.voided,
            },
        })
    }
}

/// A punch with its employee's names and its device's name.
pub(super) const PUNCH_VIEW_SELECT: &str =
    "SELECT p.id, p.company_id, p.employee_id, p.enroll_id, \
     p.device_id, p.device_serial, p.device_time, p.punched_at, p.status, p.punch_type, p.uid, \
     p.device_log_id, p.created_at, p.manual, p.voided, e.first_name, e.last_name, \
     e.name_from_device, d.name AS device_name \
     FROM punches p \
     JOIN employees e ON e.id = p.employee_id AND e.company_id = p.company_id \
     LEFT JOIN devices d ON d.id = p.device_id";

/// `WHERE …` for a filter plus the values to bind after `$1` (company id).
fn where_clause(filter: &PunchFilter, postgres: bool) -> (String, Vec<i64>) {
    // With a device, SQLite checks the company on each row but never
    // chooses it as the index (`+`): its planner has no statistics and
    // took the whole company's punches in time order (the company's time
    // index, punches_company_time_employee since 0014) over the device's
    // (punches_device_time, migration 0015): 22 s at 3 M punches.
    // PostgreSQL's statistics choose the device's index by
    // themselves, and an opaque `+` would only spoil its estimates.
    let company = if filter.device_id.is_some() && !postgres {
        "+p.company_id"
    } else {
        "p.company_id"
    };
    let mut sql = format!(" WHERE {company} = $1");
    let mut binds = Vec::new();
    let mut add = |column: &str, op: &str, value: i64| {
        binds.push(value);
        sql.push_str(&format!(" AND {column} {op} ${}", binds.len() + 1));
    };
    if let Some(employee) = filter.employee_id {
        add("p.employee_id", "=", employee.0);
    }
    if let Some(device) = filter.device_id {
        add("p.device_id", "=", device.0);
    }
    if let Some(from) = filter.from {
        add("p.punched_at", ">=", from.as_second());
    }
    if let Some(to) = filter.to {
        add("p.punched_at", "<", to.as_second());
    }
    if let Some((at, id)) = filter.after {
        // The listing's order is (punched_at, id), ascending or not.
        let op = if filter.oldest_first { ">" } else { "<" };
        binds.push(at.as_second());
        binds.push(id.0);
        let n = binds.len();
        sql.push_str(&format!(
            " AND (p.punched_at {op} ${} OR (p.punched_at = ${} AND p.id {op} ${}))",
            n,
            n,
            n + 1
        ));
    }
    if !filter.employee_ids.is_empty() {
        let first = binds.len() + 2;
        binds.extend(filter.employee_ids.iter().map(|e| e.0));
        let marks: Vec<String> = (first..first + filter.employee_ids.len())
            .map(|n| format!("${n}"))
            .collect();
        sql.push_str(&format!(" AND p.employee_id IN ({})", marks.join(", ")));
    }
    (sql, binds)
}

/// The listing's statement: binds are the company, these values, the
/// limit and the offset.
fn list_sql(filter: &PunchFilter, postgres: bool) -> (String, Vec<i64>) {
    let (where_sql, binds) = where_clause(filter, postgres);
    let order = if filter.oldest_first { "ASC" } else { "DESC" };
    let sql = format!(
        "{PUNCH_VIEW_SELECT} {where_sql} ORDER BY p.punched_at {order}, p.id {order} LIMIT ${} OFFSET ${}",
        binds.len() + 2,
        binds.len() + 3
    );
    (sql, binds)
}

/// Punches per device for `n` devices of the company: binds are the
/// company and the device ids.
fn counts_of_devices_sql(n: usize) -> String {
    format!(
        "SELECT p.device_id, COUNT(*) FROM devices d \
         JOIN punches p ON p.device_id = d.id \
         WHERE d.company_id = $1 AND d.id IN ({}) GROUP BY p.device_id",
        placeholders(2, n)
    )
}

/// The count's statement: binds are the company and these values.
fn count_sql(filter: &PunchFilter, postgres: bool) -> (String, Vec<i64>) {
    let (where_sql, binds) = where_clause(filter, postgres);
    (format!("SELECT COUNT(*) FROM punches p{where_sql}"), binds)
}

impl Store {
    /// Punches matching `filter` with employee display name and device
    /// name, newest first unless `filter.oldest_first`.
    pub async fn list_punches(
        &self,
        company_id: CompanyId,
        filter: &PunchFilter,
    ) -> Result<Vec<PunchView>> {
        let (sql, binds) = list_sql(filter, self.is_postgres());
        let offset = i64::try_from(filter.offset).unwrap_or(i64::MAX);
        let rows: Vec<PunchViewRow> = with_reader!(self, |pool| {
            let mut query = sqlx::query_as::<_, PunchViewRow>(&sql).bind(company_id.0);
            for value in &binds {
                query = query.bind(*value);
            }
            query
                .bind(i64::from(filter.limit))
                .bind(offset)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// One punch with its names; `NotFound` outside the company.
    pub async fn get_punch(&self, company_id: CompanyId, id: PunchId) -> Result<PunchView> {
        let sql = format!("{PUNCH_VIEW_SELECT} WHERE p.company_id = $1 AND p.id = $2");
        let row: PunchViewRow = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(company_id.0)
                .bind(id.0)
                .fetch_one(pool)
                .await?
        });
        row.try_into()
    }

    /// Punches stored per device of the company (devices without any are
    /// absent), in one grouped query: the device list must not cost a
    /// query per device.
    pub async fn punch_counts_by_device(
        &self,
        company_id: CompanyId,
    ) -> Result<HashMap<DeviceId, u64>> {
        let rows: Vec<(i64, i64)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT p.device_id, COUNT(*) FROM punches p \
                 WHERE p.company_id = $1 AND p.device_id IS NOT NULL GROUP BY p.device_id",
            )
            .bind(company_id.0)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(device, n)| Ok((DeviceId(device), int(n, "count")?)))
            .collect()
    }

    /// Punches stored per device for these devices of the company
    /// (devices without any are absent): a page of the device list counts
    /// its own devices' punches, not the whole company's.
    ///
    /// Scoped through the devices' company, so the count runs on the
    /// `punches_device_time` index alone (covering: it leads with the
    /// device): with `p.company_id = $1` SQLite's planner preferred the
    /// company's time index and read every punch of the
    /// company (20 s at 3 M punches, a read pinning the WAL all along).
    pub async fn punch_counts_of_devices(
        &self,
        company_id: CompanyId,
        devices: &[DeviceId],
    ) -> Result<HashMap<DeviceId, u64>> {
        if devices.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = counts_of_devices_sql(devices.len());
        let rows: Vec<(i64, i64)> = with_reader!(self, |pool| {
            // Not cached: each page size is another statement text.
            let mut query = sqlx::query_as(&sql).persistent(false).bind(company_id.0);
            for d in devices {
                query = query.bind(d.0);
            }
            query.fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(device, n)| Ok((DeviceId(device), int(n, "count")?)))
            .collect()
    }

    /// Number of punches matching `filter`, ignoring its paging.
    pub async fn count_punches(&self, company_id: CompanyId, filter: &PunchFilter) -> Result<u64> {
        let (sql, binds) = count_sql(filter, self.is_postgres());
        let count: i64 = with_reader!(self, |pool| {
            let mut query = sqlx::query_scalar(&sql).bind(company_id.0);
            for value in &binds {
                query = query.bind(*value);
            }
            query.fetch_one(pool).await?
        });
        int(count, "count")
    }
}

#[cfg(test)]
mod tests {
    //! The punch list's plans on SQLite. Nothing runs ANALYZE, so the
    //! planner has no statistics and its plan is the same on an empty
    //! database as at 3 M punches: asserted here, from the statements the
    //! store runs.

    use super::*;
    use crate::clock::Clock;

    /// The plan's steps, one a line; `binds` after the company.
    async fn plan_of(store: &Store, sql: &str, binds: &[i64]) -> String {
        let explain = format!("EXPLAIN QUERY PLAN {sql}");
        let rows: Vec<(i64, i64, i64, String)> = with_reader!(store, |pool| {
            let mut query = sqlx::query_as(&explain).bind(1_i64);
            for value in binds {
                query = query.bind(*value);
            }
            query.fetch_all(pool).await.unwrap()
        });
        rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("\n")
    }

    /// The first step of a plan: how the punches are read.
    fn punches_step(plan: &str) -> &str {
        plan.lines()
            .find(|l| l.contains(" p "))
            .unwrap_or_else(|| panic!("no step reads the punches:\n{plan}"))
    }

    #[tokio::test]
    async fn a_device_is_read_through_its_own_index_in_time_order() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/plans.sqlite?mode=rwc", dir.path().display());
        let store = Store::connect(&url, Clock::system()).await.unwrap();
        let from: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let device = PunchFilter {
            device_id: Some(DeviceId(2)),
            ..PunchFilter::default()
        };
        let device_range = PunchFilter {
            from: Some(from),
            to: Some(from + jiff::SignedDuration::from_hours(24 * 31)),
            ..device.clone()
        };
        let device_oldest = PunchFilter {
            oldest_first: true,
            ..device_range.clone()
        };
        for filter in [&device, &device_range, &device_oldest] {
            let (list, mut list_binds) = list_sql(filter, false);
            list_binds.extend([50, 0]);
            for (sql, binds) in [(list, list_binds), count_sql(filter, false)] {
                let plan = plan_of(&store, &sql, &binds).await;
                let step = punches_step(&plan);
                assert!(
                    step.contains("INDEX punches_device_time (device_id=?"),
                    "{filter:?}:\n{plan}"
                );
                if filter.from.is_some() {
                    assert!(step.contains("punched_at>?"), "{plan}");
                }
                // Read in the listing's order: no sort of the device's punches.
                assert!(!plan.contains("TEMP B-TREE"), "{filter:?}:\n{plan}");
            }
        }
        // Without a device the company's time index still serves a range.
        let company_range = PunchFilter {
            device_id: None,
            ..device_range.clone()
        };
        let (sql, mut binds) = list_sql(&company_range, false);
        binds.extend([50, 0]);
        let plan = plan_of(&store, &sql, &binds).await;
        assert!(
            punches_step(&plan).contains("punches_company_time_employee"),
            "{plan}"
        );
        // The device page's counts read the device index alone.
        let plan = plan_of(&store, &counts_of_devices_sql(2), &[2, 3]).await;
        assert!(
            plan.contains("COVERING INDEX punches_device_time (device_id=?)"),
            "{plan}"
        );
        store.close().await;
    }
}
