//! The sync transaction: everything one device contact produced, recorded
//! atomically and idempotently.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use super::device_logs::{device_log_cols, DeviceLogRow};
use super::{civil_text, int, secs, Result, Store, StoreError};
use crate::domain::{CompanyId, DeviceId, DeviceStatus, LogKind, Outcome, SyncOutcome, SyncRecord};

/// Rows per multi-row INSERT: 500 punches bind 6,000 values, well under
/// SQLite's 32,766 and PostgreSQL's 65,535 parameter limits.
const BATCH: usize = 500;

/// `template` (one row, `#` where a value is bound) repeated `rows` times.
///
/// Placeholders are anonymous `?` on SQLite: numbered `$n` parameters are
/// named parameters to SQLite, and looking up thousands of names per batch
/// is quadratic (a 100k-punch replay took 5.4 s instead of 0.8 s).
/// PostgreSQL needs `$n`.
fn value_rows(rows: usize, template: &str, postgres: bool) -> String {
    let mut sql = String::with_capacity(rows * (template.len() * 2 + 2));
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        for ch in template.chars() {
            if ch != '#' {
                sql.push(ch);
            } else if postgres {
                n += 1;
                sql.push_str(&format!("${n}"));
            } else {
                sql.push('?');
            }
        }
    }
    sql
}

/// Binds per row: company_id, device_id, device_serial, device_log_id,
/// created_at, employee_id, enroll_id, device_time, punched_at, status,
/// punch_type, uid.
fn punch_insert_sql(rows: usize, postgres: bool) -> String {
    format!(
        "INSERT INTO punches (company_id, device_id, device_serial, device_log_id, created_at, \
         employee_id, enroll_id, device_time, punched_at, status, punch_type, uid) VALUES {} \
         ON CONFLICT (company_id, device_serial, enroll_id, device_time) DO NOTHING",
        value_rows(rows, "(#, #, #, #, #, #, #, #, #, #, #, #)", postgres)
    )
}

/// Binds per row: company_id, created_at, updated_at, enroll_id,
/// name_from_device.
fn employee_insert_sql(rows: usize, postgres: bool) -> String {
    format!(
        "INSERT INTO employees (company_id, created_at, updated_at, active, enroll_id, \
         name_from_device) VALUES {} ON CONFLICT (company_id, enroll_id) DO NOTHING",
        value_rows(rows, "(#, #, #, TRUE, #, #)", postgres)
    )
}

/// Refreshes `name_from_device` of existing employees; human-edited
/// columns are not in the SET list, so they can never be overwritten.
/// Binds like [`employee_insert_sql`].
fn employee_rename_sql(rows: usize, postgres: bool) -> String {
    format!(
        "INSERT INTO employees (company_id, created_at, updated_at, active, enroll_id, \
         name_from_device) VALUES {} ON CONFLICT (company_id, enroll_id) DO UPDATE \
         SET name_from_device = excluded.name_from_device, updated_at = excluded.updated_at \
         WHERE employees.name_from_device IS NULL \
            OR employees.name_from_device <> excluded.name_from_device",
        value_rows(rows, "(#, #, #, TRUE, #, #)", postgres)
    )
}

/// A batched statement. Full batches always have the same SQL, so it is
/// built once per process; only the last, partial batch is built per call.
struct Batched {
    build: fn(usize, bool) -> String,
    sqlite: LazyLock<String>,
    postgres: LazyLock<String>,
}

impl Batched {
    fn sql(&'static self, rows: usize, postgres: bool) -> Cow<'static, str> {
        match (rows == BATCH, postgres) {
            (true, true) => Cow::Borrowed(self.postgres.as_str()),
            (true, false) => Cow::Borrowed(self.sqlite.as_str()),
            (false, _) => Cow::Owned((self.build)(rows, postgres)),
        }
    }
}

static INSERT_PUNCHES: Batched = Batched {
    build: punch_insert_sql,
    sqlite: LazyLock::new(|| punch_insert_sql(BATCH, false)),
    postgres: LazyLock::new(|| punch_insert_sql(BATCH, true)),
};
static INSERT_EMPLOYEES: Batched = Batched {
    build: employee_insert_sql,
    sqlite: LazyLock::new(|| employee_insert_sql(BATCH, false)),
    postgres: LazyLock::new(|| employee_insert_sql(BATCH, true)),
};
static RENAME_EMPLOYEES: Batched = Batched {
    build: employee_rename_sql,
    sqlite: LazyLock::new(|| employee_rename_sql(BATCH, false)),
    postgres: LazyLock::new(|| employee_rename_sql(BATCH, true)),
};

/// A punch ready to bind.
struct PunchValues<'a> {
    enroll_id: &'a str,
    device_time: String,
    punched_at: i64,
    status: i64,
    punch_type: i64,
    uid: i64,
}

/// Every enroll id seen in the record with the device's name for it
/// (`None` when the device gave no name or only sent punches). Sorted, so
/// concurrent syncs of one company lock employee rows in the same order.
fn employee_names(record: &SyncRecord) -> Result<BTreeMap<&str, Option<&str>>> {
    let mut names: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    for user in &record.users {
        if user.enroll_id.is_empty() {
            return Err(StoreError::Invalid("device user without enroll id".into()));
        }
        let name = Some(user.name.trim()).filter(|n| !n.is_empty());
        let entry = names.entry(user.enroll_id.as_str()).or_insert(None);
        if name.is_some() {
            *entry = name;
        }
    }
    for punch in &record.punches {
        if punch.enroll_id.is_empty() {
            return Err(StoreError::Invalid("punch without enroll id".into()));
        }
        names.entry(punch.enroll_id.as_str()).or_insert(None);
    }
    Ok(names)
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Store {
    /// Records one contact attempt in a single transaction: the device log
    /// row; the device's info, status, schedule and (for `LogKind::Sync`)
    /// lease release; employees for every enroll id seen; and the punches.
    ///
    /// Idempotent: employees are keyed by (company, enroll id) and punches
    /// by (company, device serial, enroll id, device time), both inserted
    /// with `ON CONFLICT DO NOTHING`, so replaying a record adds nothing
    /// but a log row. Any error rolls everything back.
    ///
    /// `NotFound` if the device does not exist in this company (e.g. it was
    /// deleted while being polled). `Invalid` if punches arrive and neither
    /// the record nor the device knows the device serial.
    pub async fn record_sync(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
        record: &SyncRecord,
    ) -> Result<SyncOutcome> {
        let names = employee_names(record)?;
        let punches: Vec<PunchValues<'_>> = record
            .punches
            .iter()
            .map(|p| PunchValues {
                enroll_id: &p.enroll_id,
                device_time: civil_text(p.device_time),
                punched_at: secs(p.punched_at),
                status: i64::from(p.status),
                punch_type: i64::from(p.punch_type),
                uid: i64::from(p.uid),
            })
            .collect();
        let renames: Vec<(&str, &str)> = names
            .iter()
            .filter_map(|(id, name)| name.map(|n| (*id, n)))
            .collect();
        let enroll_ids: Vec<&str> = names.keys().copied().collect();

        let ok = record.outcome == Outcome::Ok;
        let status = if ok {
            DeviceStatus::Online
        } else {
            DeviceStatus::Offline
        };
        let info = record.info.clone().unwrap_or_default();
        let now = self.now();
        let started = secs(record.started_at);
        let duration_ms = i64::try_from(record.duration.as_millis()).unwrap_or(i64::MAX);
        let postgres = self.is_postgres();

        let (log_row, punches_new, employees_new, active): (DeviceLogRow, u64, u64, i64) = with_tx!(
            self,
            |tx| {
                // Written first: it locks the device row (PostgreSQL) and
                // proves the device belongs to this company.
                let serial: Option<String> = sqlx::query_scalar(
                    "UPDATE devices SET \
                       serial_number = COALESCE($3, serial_number), \
                       device_name = COALESCE($4, device_name), \
                       platform = COALESCE($5, platform), \
                       firmware = COALESCE($6, firmware), \
                       mac = COALESCE($7, mac), \
                       user_count = COALESCE($8, user_count), \
                       punch_count = COALESCE($9, punch_count), \
                       user_capacity = COALESCE($10, user_capacity), \
                       punch_capacity = COALESCE($11, punch_capacity), \
                       clock_drift_seconds = COALESCE($12, clock_drift_seconds), \
                       status = $13, \
                       last_attempt_at = $14, \
                       last_seen_at = CASE WHEN $15 THEN $14 ELSE last_seen_at END, \
                       last_error = $16, \
                       history_pulled = (history_pulled OR $17), \
                       next_poll_at = COALESCE($18, next_poll_at), \
                       lease_owner = CASE WHEN $19 THEN NULL ELSE lease_owner END, \
                       lease_until = CASE WHEN $19 THEN NULL ELSE lease_until END \
                     WHERE id = $1 AND company_id = $2 RETURNING serial_number",
                )
                .bind(device_id.0)
                .bind(company_id.0)
                .bind(info.serial_number.as_deref())
                .bind(info.device_name.as_deref())
                .bind(info.platform.as_deref())
                .bind(info.firmware.as_deref())
                .bind(info.mac.as_deref())
                .bind(info.user_count.map(i64::from))
                .bind(info.punch_count.map(i64::from))
                .bind(info.user_capacity.map(i64::from))
                .bind(info.punch_capacity.map(i64::from))
                .bind(info.clock_drift_seconds)
                .bind(status.as_str())
                .bind(started)
                .bind(ok)
                .bind(if ok { None } else { record.reason.as_deref() })
                .bind(ok && record.history_pulled)
                .bind(record.next_poll_at.map(secs))
                .bind(record.kind == LogKind::Sync)
                .fetch_one(&mut *tx)
                .await?;

                // Punches are keyed by serial, never by device row or address.
                let serial = match serial {
                    Some(serial) => serial,
                    None if punches.is_empty() => String::new(),
                    None => Err(StoreError::Invalid(
                        "punches need the device serial number".into(),
                    ))?,
                };

                let log_id: i64 = sqlx::query_scalar(
                    "INSERT INTO device_logs (company_id, device_id, kind, started_at, duration_ms, \
                     host, address, transport_used, outcome, users_read, punches_read, \
                     punches_new, employees_new, reason, serial_number) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, 0, $12, $13) \
                     RETURNING id",
                )
                .bind(company_id.0)
                .bind(device_id.0)
                .bind(record.kind.as_str())
                .bind(started)
                .bind(duration_ms)
                .bind(&record.host)
                .bind(record.address.as_deref())
                .bind(record.transport_used.map(|t| t.as_str()))
                .bind(record.outcome.as_str())
                .bind(count(record.users.len()))
                .bind(count(record.punches.len()))
                .bind(record.reason.as_deref())
                .bind(Some(serial.as_str()).filter(|s| !s.is_empty()))
                .fetch_one(&mut *tx)
                .await?;

                let mut employees_new = 0u64;
                for chunk in enroll_ids.chunks(BATCH) {
                    let sql = INSERT_EMPLOYEES.sql(chunk.len(), postgres);
                    let mut query = sqlx::query(&sql);
                    for enroll_id in chunk {
                        query = query
                            .bind(company_id.0)
                            .bind(now)
                            .bind(now)
                            .bind(*enroll_id)
                            .bind(names[enroll_id]);
                    }
                    employees_new += query.execute(&mut *tx).await?.rows_affected();
                }

                for chunk in renames.chunks(BATCH) {
                    let sql = RENAME_EMPLOYEES.sql(chunk.len(), postgres);
                    let mut query = sqlx::query(&sql);
                    for (enroll_id, name) in chunk {
                        query = query
                            .bind(company_id.0)
                            .bind(now)
                            .bind(now)
                            .bind(*enroll_id)
                            .bind(*name);
                    }
                    query.execute(&mut *tx).await?;
                }

                let mut punches_new = 0u64;
                if !punches.is_empty() {
                    let ids: HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
                        "SELECT enroll_id, id FROM employees WHERE company_id = $1",
                    )
                    .bind(company_id.0)
                    .fetch_all(&mut *tx)
                    .await?
                    .into_iter()
                    .collect();
                    for chunk in punches.chunks(BATCH) {
                        let sql = INSERT_PUNCHES.sql(chunk.len(), postgres);
                        let mut query = sqlx::query(&sql);
                        for p in chunk {
                            // Every enroll id was inserted above.
                            let employee_id = ids.get(p.enroll_id).copied().ok_or_else(|| {
                                StoreError::corrupt(
                                    "employees.enroll_id",
                                    None,
                                    format!("no employee for {:?}", p.enroll_id),
                                )
                            })?;
                            query = query
                                .bind(company_id.0)
                                .bind(device_id.0)
                                .bind(serial.as_str())
                                .bind(log_id)
                                .bind(now)
                                .bind(employee_id)
                                .bind(p.enroll_id)
                                .bind(p.device_time.as_str())
                                .bind(p.punched_at)
                                .bind(p.status)
                                .bind(p.punch_type)
                                .bind(p.uid);
                        }
                        punches_new += query.execute(&mut *tx).await?.rows_affected();
                    }
                }

                let log_row: DeviceLogRow = sqlx::query_as(concat!(
                    "UPDATE device_logs SET punches_new = $2, employees_new = $3 WHERE id = $1 \
                     RETURNING ",
                    device_log_cols!()
                ))
                .bind(log_id)
                .bind(i64::try_from(punches_new).unwrap_or(i64::MAX))
                .bind(i64::try_from(employees_new).unwrap_or(i64::MAX))
                .fetch_one(&mut *tx)
                .await?;

                let active: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM employees WHERE company_id = $1 AND active",
                )
                .bind(company_id.0)
                .fetch_one(&mut *tx)
                .await?;

                (log_row, punches_new, employees_new, active)
            }
        );

        Ok(SyncOutcome {
            log: log_row.try_into()?,
            punches_new: u32::try_from(punches_new).unwrap_or(u32::MAX),
            employees_new: u32::try_from(employees_new).unwrap_or(u32::MAX),
            active_employees: int(active, "active employees")?,
        })
    }
}
