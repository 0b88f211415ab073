//! Punches into the store in bulk, deduplicated by the punch key (company,
//! device serial, device time, enroll id: in time order, migration 0013) with `ON CONFLICT DO NOTHING`, so
//! a retry or a replayed sync stores nothing twice, within a batch or
//! across batches. Every statement has one text whatever the batch size,
//! so it stays prepared in the connection's statement cache without the
//! cache growing (a text per row count grew memory per poll: deeb50f):
//! - SQLite: `PUNCH_ROWS` rows per multi-row INSERT, and the remainder one
//!   row at a time through the one-row statement;
//! - PostgreSQL: one INSERT … SELECT FROM UNNEST of a column array each,
//!   for up to `PUNCH_ROWS_PG` rows.
//!
//! The new punches' employees' stored attendance days are forgotten: on
//! PostgreSQL `RETURNING` names the rows really inserted, on SQLite each
//! statement's count says whether its punches were (`sqlite_rows`).

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use super::attendance_days::forget_punch_days;
use super::poll_record::DeviceKey;
use super::{civil_text, secs, ts, Result, StoreError, Tx};
use crate::domain::{CompanyId, EmployeeId, NewPunch};
use jiff::Timestamp;

/// Rows per SQLite INSERT: 100 rows bind 1,200 values (SQLite takes
/// 32,766); more rows per statement measured no faster.
pub const PUNCH_ROWS: usize = 100;

/// Rows per PostgreSQL statement: its arrays stay a few hundred kB.
pub const PUNCH_ROWS_PG: usize = 5_000;

/// What every punch of one poll is stored with.
pub(super) struct PunchStamp<'a> {
    pub(super) key: DeviceKey,
    pub(super) serial: &'a str,
    /// The contact's log row; `None` for punches that arrived live.
    pub(super) log_id: Option<i64>,
    pub(super) now: i64,
}

/// The punch columns, in the order every statement binds them.
const COLUMNS: &str = "company_id, device_id, device_serial, device_log_id, created_at, \
    employee_id, enroll_id, device_time, punched_at, status, punch_type, uid";

const ON_KEY: &str = " ON CONFLICT (company_id, device_serial, device_time, enroll_id) DO NOTHING";

/// The SQLite INSERT of `rows` rows.
fn sqlite_insert(rows: usize) -> String {
    let row = format!("({})", ["?"; 12].join(", "));
    format!(
        "INSERT INTO punches ({COLUMNS}) VALUES {}{ON_KEY}",
        vec![row; rows].join(", ")
    )
}

static SQLITE_CHUNK: LazyLock<String> = LazyLock::new(|| sqlite_insert(PUNCH_ROWS));
static SQLITE_ONE: LazyLock<String> = LazyLock::new(|| sqlite_insert(1));

const PG_INSERT: &str = concat!(
    "INSERT INTO punches (company_id, device_id, device_serial, device_log_id, created_at, \
     employee_id, enroll_id, device_time, punched_at, status, punch_type, uid) \
     SELECT $1, $2, $3, $4, $5, r.* FROM UNNEST($6::BIGINT[], $7::TEXT[], $8::TEXT[], \
     $9::BIGINT[], $10::BIGINT[], $11::BIGINT[], $12::BIGINT[]) AS r",
    " ON CONFLICT (company_id, device_serial, device_time, enroll_id) DO NOTHING \
     RETURNING employee_id, punched_at"
);

/// Inserts the punches not stored yet; returns how many were new.
/// `employees` holds the employee row of every enroll id the punches name
/// (`upsert_employees`).
pub(super) async fn insert_punches(
    tx: &mut Tx,
    stamp: &PunchStamp<'_>,
    punches: &[NewPunch],
    employees: &HashMap<String, i64>,
) -> Result<u64> {
    if punches.is_empty() {
        return Ok(0);
    }
    let rows = punch_rows(punches, employees)?;
    let (new, maybe_new) = match tx {
        Tx::Sqlite(t) => sqlite_rows(&mut *t, stamp, &rows).await?,
        Tx::Postgres(t) => postgres_rows(&mut *t, stamp, &rows).await?,
    };
    // The stored attendance days these punches can change.
    forget_punch_days(tx, stamp.key.company_id, &maybe_new).await?;
    advance_last_punches(tx, stamp.key.company_id, &maybe_new).await?;
    Ok(new)
}

/// Moves each employee's last punch (`employees.last_punch_at`, migration
/// 0014) forward to the latest of `punches`, all of them stored, in one
/// statement of one text. Only ever forward: a punch older than the last
/// one changes nothing.
pub(super) async fn advance_last_punches(
    tx: &mut Tx,
    company_id: CompanyId,
    punches: &[(EmployeeId, Timestamp)],
) -> Result<()> {
    if punches.is_empty() {
        return Ok(());
    }
    let mut latest: BTreeMap<i64, i64> = BTreeMap::new();
    for (employee, at) in punches {
        let at = secs(*at);
        latest
            .entry(employee.0)
            .and_modify(|t| *t = (*t).max(at))
            .or_insert(at);
    }
    match tx {
        Tx::Sqlite(t) => {
            let pairs: Vec<(i64, i64)> = latest.into_iter().collect();
            // `+company_id`: not an index term, so each pair is one seek by
            // id; otherwise the planner scans the company's employees once
            // per pair.
            sqlx::query(
                "UPDATE employees SET last_punch_at = s.value ->> 1 FROM json_each(?2) s \
                 WHERE employees.id = s.value ->> 0 AND +employees.company_id = ?1 \
                 AND (employees.last_punch_at IS NULL OR employees.last_punch_at < s.value ->> 1)",
            )
            .bind(company_id.0)
            .bind(json_list(&pairs))
            .execute(&mut **t)
            .await?;
        }
        Tx::Postgres(t) => {
            let (ids, times): (Vec<i64>, Vec<i64>) = latest.into_iter().unzip();
            sqlx::query(
                "UPDATE employees e SET last_punch_at = s.at \
                 FROM UNNEST($2::BIGINT[], $3::BIGINT[]) AS s(id, at) \
                 WHERE e.company_id = $1 AND e.id = s.id \
                 AND (e.last_punch_at IS NULL OR e.last_punch_at < s.at)",
            )
            .bind(company_id.0)
            .bind(&ids)
            .bind(&times)
            .execute(&mut **t)
            .await?;
        }
    }
    Ok(())
}

/// The new punches' count, and the punches that may be new: every punch
/// of a statement that inserted any. Not `RETURNING`: sqlx hands SQLite's
/// rows from its worker thread one at a time, and a statement's count is
/// enough. A statement of stored and new punches forgets the days of all
/// of them (at most `PUNCH_ROWS` punches: a day forgotten is only computed
/// again), and a replay of stored punches forgets none.
async fn sqlite_rows(
    conn: &mut sqlx::SqliteConnection,
    stamp: &PunchStamp<'_>,
    rows: &[PunchRow<'_>],
) -> Result<(u64, Vec<(EmployeeId, Timestamp)>)> {
    let mut new = 0;
    let mut maybe_new = Vec::new();
    let mut chunks = rows.chunks_exact(PUNCH_ROWS);
    for chunk in chunks.by_ref() {
        let q = sqlite_bind(sqlx::query(SQLITE_CHUNK.as_str()), stamp, chunk);
        let added = q.execute(&mut *conn).await?.rows_affected();
        if added > 0 {
            new += added;
            maybe_new.extend(chunk.iter().map(PunchRow::at));
        }
    }
    for row in chunks.remainder() {
        let one = std::slice::from_ref(row);
        let q = sqlite_bind(sqlx::query(SQLITE_ONE.as_str()), stamp, one);
        if q.execute(&mut *conn).await?.rows_affected() > 0 {
            new += 1;
            maybe_new.push(row.at());
        }
    }
    Ok((new, maybe_new))
}

type SqliteRows<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

fn sqlite_bind<'q>(
    mut q: SqliteRows<'q>,
    stamp: &'q PunchStamp<'_>,
    rows: &'q [PunchRow<'_>],
) -> SqliteRows<'q> {
    for row in rows {
        q = q
            .bind(stamp.key.company_id.0)
            .bind(stamp.key.device_id.0)
            .bind(stamp.serial)
            .bind(stamp.log_id)
            .bind(stamp.now)
            .bind(row.employee_id)
            .bind(row.punch.enroll_id.as_str())
            .bind(row.device_time.as_str())
            .bind(secs(row.punch.punched_at))
            .bind(i64::from(row.punch.status))
            .bind(i64::from(row.punch.punch_type))
            .bind(i64::from(row.punch.uid));
    }
    q
}

async fn postgres_rows(
    conn: &mut sqlx::PgConnection,
    stamp: &PunchStamp<'_>,
    rows: &[PunchRow<'_>],
) -> Result<(u64, Vec<(EmployeeId, Timestamp)>)> {
    let mut inserted = Vec::new();
    for chunk in rows.chunks(PUNCH_ROWS_PG) {
        let column = |f: fn(&PunchRow) -> i64| chunk.iter().map(f).collect::<Vec<i64>>();
        let enroll_ids: Vec<&str> = chunk.iter().map(|r| r.punch.enroll_id.as_str()).collect();
        let times: Vec<&str> = chunk.iter().map(|r| r.device_time.as_str()).collect();
        let found: Vec<(i64, i64)> = sqlx::query_as(PG_INSERT)
            .bind(stamp.key.company_id.0)
            .bind(stamp.key.device_id.0)
            .bind(stamp.serial)
            .bind(stamp.log_id)
            .bind(stamp.now)
            .bind(column(|r| r.employee_id))
            .bind(enroll_ids)
            .bind(times)
            .bind(column(|r| secs(r.punch.punched_at)))
            .bind(column(|r| i64::from(r.punch.status)))
            .bind(column(|r| i64::from(r.punch.punch_type)))
            .bind(column(|r| i64::from(r.punch.uid)))
            .fetch_all(&mut *conn)
            .await?;
        for (employee, at) in found {
            inserted.push((EmployeeId(employee), ts(at)?));
        }
    }
    Ok((inserted.len() as u64, inserted))
}

/// The employee row of each of `ids` that has one (only those: a batch of
/// a big company's sync must not read all its people), in one statement of
/// one text whatever the count. On SQLite the ids go in and the rows come
/// out as one JSON text each: sqlx hands rows from its worker thread one
/// at a time.
pub(super) async fn employee_ids(
    tx: &mut Tx,
    company_id: CompanyId,
    ids: &[&str],
) -> Result<HashMap<String, i64>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, i64)> =
        match tx {
            Tx::Sqlite(t) => {
                let found: String = sqlx::query_scalar(
                    "SELECT json_group_array(json_array(enroll_id, id)) FROM employees \
                 WHERE company_id = ?1 AND enroll_id IN (SELECT value FROM json_each(?2))",
                )
                .bind(company_id.0)
                .bind(json_list(ids))
                .fetch_one(&mut **t)
                .await?;
                serde_json::from_str(&found)
                    .map_err(|e| StoreError::corrupt("employees.enroll_id", None, e))?
            }
            Tx::Postgres(t) => sqlx::query_as(
                "SELECT enroll_id, id FROM employees WHERE company_id = $1 AND enroll_id = ANY($2)",
            )
            .bind(company_id.0)
            .bind(ids)
            .fetch_all(&mut **t)
            .await?,
        };
    Ok(rows.into_iter().collect())
}

/// `values` as a JSON array, for SQLite's `json_each`.
pub(super) fn json_list<T: serde::Serialize>(values: &[T]) -> String {
    // A slice of strings or numbers always serialises.
    serde_json::to_string(values).unwrap_or_else(|_| "[]".into())
}

/// A punch with what its row needs beyond the punch itself.
struct PunchRow<'a> {
    punch: &'a NewPunch,
    employee_id: i64,
    /// Part of the punch identity: always the canonical text.
    device_time: String,
}

impl PunchRow<'_> {
    /// Whose punch, and when: what a new punch makes forget.
    fn at(&self) -> (EmployeeId, Timestamp) {
        (EmployeeId(self.employee_id), self.punch.punched_at)
    }
}

fn punch_rows<'a>(
    punches: &'a [NewPunch],
    employees: &HashMap<String, i64>,
) -> Result<Vec<PunchRow<'a>>> {
    punches
        .iter()
        .map(|punch| {
            // upsert_employees made one for every enroll id.
            let employee_id = employees.get(&punch.enroll_id).copied().ok_or_else(|| {
                StoreError::corrupt(
                    "employees.enroll_id",
                    None,
                    format!("no employee for {:?}", punch.enroll_id),
                )
            })?;
            Ok(PunchRow {
                punch,
                employee_id,
                device_time: civil_text(punch.device_time),
            })
        })
        .collect()
}
