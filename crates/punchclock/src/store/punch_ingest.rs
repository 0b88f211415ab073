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
//! `RETURNING` names the rows really inserted: their employees' stored
//! attendance days are the ones to forget.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use super::attendance_days::forget_punch_days;
use super::poll_record::DeviceKey;
use super::{civil_text, secs, ts, Result, StoreError, Tx};
use crate::domain::{CompanyId, EmployeeId, NewPunch};

/// Rows per SQLite INSERT: 100 rows bind 1,200 values (SQLite takes
/// 32,766); more rows per statement measured no faster.
pub const PUNCH_ROWS: usize = 100;

/// Rows per PostgreSQL statement: its arrays stay a few hundred kB.
pub const PUNCH_ROWS_PG: usize = 5_000;

/// Enroll ids per employee lookup (one IN list).
const LOOKUP_IDS: usize = 500;

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

const ON_KEY: &str = " ON CONFLICT (company_id, device_serial, device_time, enroll_id) DO NOTHING \
    RETURNING employee_id, punched_at";

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

/// Inserts the punches not stored yet; returns how many were new. The
/// employees of every enroll id must exist (`upsert_employees`).
pub(super) async fn insert_punches(
    tx: &mut Tx,
    stamp: &PunchStamp<'_>,
    punches: &[NewPunch],
) -> Result<u64> {
    if punches.is_empty() {
        return Ok(0);
    }
    let company_id = stamp.key.company_id;
    let employees = employee_ids(tx, company_id, punches).await?;
    let rows = punch_rows(punches, &employees)?;
    let inserted: Vec<(i64, i64)> = match tx {
        Tx::Sqlite(t) => sqlite_rows(&mut *t, stamp, &rows).await?,
        Tx::Postgres(t) => postgres_rows(&mut *t, stamp, &rows).await?,
    };
    let added = inserted
        .into_iter()
        .map(|(employee, at)| Ok((EmployeeId(employee), ts(at)?)))
        .collect::<Result<Vec<_>>>()?;
    // The stored attendance days these punches can change.
    forget_punch_days(tx, company_id, &added).await?;
    Ok(added.len() as u64)
}

async fn sqlite_rows(
    conn: &mut sqlx::SqliteConnection,
    stamp: &PunchStamp<'_>,
    rows: &[PunchRow<'_>],
) -> Result<Vec<(i64, i64)>> {
    let mut inserted = Vec::new();
    let mut chunks = rows.chunks_exact(PUNCH_ROWS);
    for chunk in chunks.by_ref() {
        let q = sqlite_bind(sqlx::query_as(SQLITE_CHUNK.as_str()), stamp, chunk);
        inserted.extend(q.fetch_all(&mut *conn).await?);
    }
    for row in chunks.remainder() {
        let one = std::slice::from_ref(row);
        let q = sqlite_bind(sqlx::query_as(SQLITE_ONE.as_str()), stamp, one);
        inserted.extend(q.fetch_optional(&mut *conn).await?);
    }
    Ok(inserted)
}

type SqliteRows<'q> =
    sqlx::query::QueryAs<'q, sqlx::Sqlite, (i64, i64), sqlx::sqlite::SqliteArguments<'q>>;

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
) -> Result<Vec<(i64, i64)>> {
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
        inserted.extend(found);
    }
    Ok(inserted)
}

/// The employee row of every enroll id the punches name (only those: a
/// batch of a big company's sync must not read all its people).
async fn employee_ids(
    tx: &mut Tx,
    company_id: CompanyId,
    punches: &[NewPunch],
) -> Result<HashMap<String, i64>> {
    let ids: BTreeSet<&str> = punches.iter().map(|p| p.enroll_id.as_str()).collect();
    let ids: Vec<&str> = ids.into_iter().collect();
    let mut found = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(LOOKUP_IDS) {
        let rows: Vec<(String, i64)> = on_tx!(tx, |conn| {
            let mut q =
                sqlx::QueryBuilder::new("SELECT enroll_id, id FROM employees WHERE company_id = ");
            q.push_bind(company_id.0);
            q.push(" AND enroll_id IN (");
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            q.push(")");
            // One text per id count: not kept in the statement cache.
            q.build_query_as().persistent(false).fetch_all(conn).await?
        });
        found.extend(rows);
    }
    Ok(found)
}

/// A punch with what its row needs beyond the punch itself.
struct PunchRow<'a> {
    punch: &'a NewPunch,
    employee_id: i64,
    /// Part of the punch identity: always the canonical text.
    device_time: String,
}

fn punch_rows<'a>(
    punches: &'a [NewPunch],
    employees: &HashMap<String, i64>,
) -> Result<Vec<PunchRow<'a>>> {
    punches
        .iter()
        .map(|punch| {
            // Every enroll id was inserted by upsert_employees.
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
