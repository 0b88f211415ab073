//! The poll transaction: everything one device contact produced, recorded
//! atomically and idempotently: one statement for the device row (its
//! identity, status, schedule and sync mark), one for the log row, and the
//! employees and punches when any were read, each binding its values next
//! to the columns they fill. An unchanged poll is two statements: the
//! device row (with the active count, and the lease given back when nothing
//! runs under it after) and the log row.

use std::collections::{BTreeMap, HashMap};

use super::device_logs::{device_log_cols, DeviceLogRow};
use super::punch_ingest::employee_ids;
pub(super) use super::punch_ingest::{insert_punches, PunchStamp};
use super::{int, secs, Invalid, Result, Store, Tx};
use crate::domain::{
    CompanyId, DeviceId, DeviceInfo, DeviceStatus, DeviceUser, NewPunch, Outcome, PollOutcome,
    PollRecord, SyncMark,
};

/// Rows per multi-row INSERT: 500 punches bind 6,000 values, well under
/// SQLite's 32,766 and PostgreSQL's 65,535 parameter limits.
const BATCH: usize = 500;

/// The device a poll is recorded for.
#[derive(Clone, Copy)]
pub(super) struct DeviceKey {
    pub(super) company_id: CompanyId,
    pub(super) device_id: DeviceId,
}

/// The people a record mentions: every enroll id with the device's name
/// for it (`None` when the device gave no name or only sent punches).
/// Sorted, so concurrent syncs of one company lock employee rows in the
/// same order.
pub(super) struct People<'a> {
    names: BTreeMap<&'a str, Option<DeviceName<'a>>>,
}

/// A name as the device gave it: decoded, and its bytes (`None`: unknown).
#[derive(Clone, Copy)]
struct DeviceName<'a> {
    text: &'a str,
    bytes: Option<&'a [u8]>,
}

impl<'a> People<'a> {
    pub(super) fn of(users: &'a [DeviceUser], punches: &'a [NewPunch]) -> Result<Self> {
        let mut names: BTreeMap<&str, Option<DeviceName>> = BTreeMap::new();
        for user in users {
            if user.enroll_id.is_empty() {
                return Err(Invalid::DeviceUserWithoutEnrollId.into());
            }
            let name = Some(user.name.trim())
                .filter(|n| !n.is_empty())
                .map(|text| DeviceName {
                    text,
                    bytes: Some(user.name_bytes.as_slice()).filter(|b| !b.is_empty()),
                });
            let entry = names.entry(user.enroll_id.as_str()).or_insert(None);
            if name.is_some() {
                *entry = name;
            }
        }
        for punch in punches {
            if punch.enroll_id.is_empty() {
                return Err(Invalid::PunchWithoutEnrollId.into());
            }
            names.entry(punch.enroll_id.as_str()).or_insert(None);
        }
        Ok(People { names })
    }

    /// No users and no punches: nothing for the employees or punches.
    fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    fn enroll_ids(&self) -> Vec<&'a str> {
        self.names.keys().copied().collect()
    }

    /// Enroll ids the device has a name for, with that name.
    fn named(&self) -> Vec<(&'a str, DeviceName<'a>)> {
        self.names
            .iter()
            .filter_map(|(id, name)| name.map(|n| (*id, n)))
            .collect()
    }
}

pub(super) fn count(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

impl Store {
    /// Records one contact attempt in a single transaction: the device log
    /// row; the device's info, status and schedule; employees for every
    /// enroll id seen; and the punches. The lease stays: its owner gives it
    /// back when the poll ends (or see [`Store::record_poll_and_release`]).
    ///
    /// Idempotent: employees are keyed by (company, enroll id) and punches
    /// by (company, device serial, enroll id, device time), both inserted
    /// with `ON CONFLICT DO NOTHING`, so replaying a record adds nothing
    /// but a log row. Any error rolls everything back.
    ///
    /// `NotFound` if the device does not exist in this company (e.g. it was
    /// deleted while being polled). `Invalid` if punches arrive and neither
    /// the record nor the device knows the device serial.
    pub async fn record_poll(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
        record: &PollRecord,
    ) -> Result<PollOutcome> {
        self.record_attempt(company_id, device_id, record, None)
            .await
    }

    /// [`Store::record_poll`], giving `owner`'s lease on the device back in
    /// the statement that records the attempt on the device row: for a
    /// poll after which nothing else runs under the lease. Only the
    /// owner's lease is given back (a lease that lapsed and was taken by
    /// another instance stays theirs), and only if the recording commits;
    /// the schedule is the record's.
    pub async fn record_poll_and_release(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
        record: &PollRecord,
        owner: &str,
    ) -> Result<PollOutcome> {
        self.record_attempt(company_id, device_id, record, Some(owner))
            .await
    }

    async fn record_attempt(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
        record: &PollRecord,
        release_lease_of: Option<&str>,
    ) -> Result<PollOutcome> {
        let people = People::of(&record.users, &record.punches)?;
        let key = DeviceKey {
            company_id,
            device_id,
        };
        let now = self.now();
        // A record that read nobody changes no employee, so the active
        // count is read by the device-row UPDATE: one statement fewer.
        let also = AlsoOnDevice {
            release_lease_of,
            count_active: people.is_empty(),
        };
        self.transaction(async |tx| {
            // Also proves the device belongs to this company.
            let (serial, active) =
                update_device_row(tx, key, record, record.info.as_ref(), also).await?;
            // Punches are keyed by serial, never by device row or address.
            let serial = match serial {
                Some(serial) => serial,
                None if record.punches.is_empty() => String::new(),
                None => return Err(Invalid::PunchesWithoutSerial.into()),
            };
            let (log, punches_new, employees_new) = if people.is_empty() {
                // Nothing read (an unchanged poll, a failure, a test): the
                // log row goes in finished.
                (insert_finished_log(tx, key, record, &serial).await?, 0, 0)
            } else {
                let log_id = insert_log(tx, key, record, &serial).await?;
                let employees = upsert_employees(tx, key, &people, now).await?;
                let employees_new = employees.added;
                let stamp = PunchStamp {
                    key,
                    serial: &serial,
                    log_id: Some(log_id),
                    now,
                };
                let punches_new =
                    insert_punches(tx, &stamp, &record.punches, &employees.ids).await?;
                let log = finish_log(tx, log_id, punches_new, employees_new).await?;
                (log, punches_new, employees_new)
            };
            let active_employees = match active {
                Some(active) => int(active, "active employees")?,
                None => count_active(tx, company_id).await?,
            };
            Ok(PollOutcome {
                log: log.try_into()?,
                punches_new: u32::try_from(punches_new).unwrap_or(u32::MAX),
                employees_new: u32::try_from(employees_new).unwrap_or(u32::MAX),
                active_employees,
            })
        })
        .await
    }
}

impl Store {
    /// What a device said about itself outside a poll (a push device's
    /// `INFO`); fields it did not report keep their stored value.
    pub async fn set_device_info(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
        info: &DeviceInfo,
    ) -> Result<()> {
        let key = DeviceKey {
            company_id,
            device_id,
        };
        self.transaction(async |tx| store_device_info(tx, key, info).await)
            .await
    }
}

/// Pushes `column = COALESCE(value, column)` onto the `Separated` list
/// `$set` for each field of the `DeviceInfo` `$info`, so fields the device
/// did not report keep their stored value. (A macro: the list's type
/// differs per backend inside `on_tx!`.)
macro_rules! push_device_info {
    ($set:expr, $info:expr) => {{
        let info: &DeviceInfo = $info;
        let text = [
            ("serial_number", info.serial_number.as_deref()),
            ("device_name", info.device_name.as_deref()),
            ("platform", info.platform.as_deref()),
            ("firmware", info.firmware.as_deref()),
            ("mac", info.mac.as_deref()),
        ];
        let numbers = [
            ("user_count", info.user_count.map(i64::from)),
            ("punch_count", info.punch_count.map(i64::from)),
            ("user_capacity", info.user_capacity.map(i64::from)),
            ("punch_capacity", info.punch_capacity.map(i64::from)),
            ("clock_drift_seconds", info.clock_drift_seconds),
        ];
        for (column, value) in text {
            $set.push(format!("{column} = COALESCE("));
            $set.push_bind_unseparated(value);
            $set.push_unseparated(format!(", {column})"));
        }
        for (column, value) in numbers {
            $set.push(format!("{column} = COALESCE("));
            $set.push_bind_unseparated(value);
            $set.push_unseparated(format!(", {column})"));
        }
    }};
}

/// What the device said about itself; fields it did not report keep their
/// stored value.
pub(super) async fn store_device_info(
    tx: &mut Tx,
    key: DeviceKey,
    info: &DeviceInfo,
) -> Result<()> {
    on_tx!(tx, |conn| {
        let mut q = sqlx::QueryBuilder::new("UPDATE devices SET ");
        let mut set = q.separated(", ");
        push_device_info!(set, info);
        q.push(" WHERE id = ").push_bind(key.device_id.0);
        q.push(" AND company_id = ").push_bind(key.company_id.0);
        q.build().execute(conn).await?;
    });
    Ok(())
}

/// The device row after the attempt, in one statement: what the device
/// said about itself (`info`, when given), status, last error and
/// schedule, and what a successful sync found (its `SyncMark`, for the next
/// poll to compare with; nothing for failed attempts or tests). The lease
/// is given back by its owner once the poll ends (`Syncer`), however it
/// ends. Returns the device's serial number.
pub(super) async fn record_attempt_on_device(
    tx: &mut Tx,
    key: DeviceKey,
    record: &PollRecord,
    info: Option<&DeviceInfo>,
) -> Result<Option<String>> {
    let (serial, _) = update_device_row(tx, key, record, info, AlsoOnDevice::default()).await?;
    Ok(serial)
}

/// What the device-row UPDATE of an attempt does besides recording it.
#[derive(Debug, Default, Clone, Copy)]
struct AlsoOnDevice<'a> {
    /// Gives this owner's lease back (nobody else's).
    release_lease_of: Option<&'a str>,
    /// Returns the company's active employees too.
    count_active: bool,
}

/// [`record_attempt_on_device`], plus what `also` asks for; returns the
/// serial number and, when asked, the active employees.
async fn update_device_row(
    tx: &mut Tx,
    key: DeviceKey,
    record: &PollRecord,
    info: Option<&DeviceInfo>,
    also: AlsoOnDevice<'_>,
) -> Result<(Option<String>, Option<i64>)> {
    let ok = record.outcome == Outcome::Ok;
    let status = if ok {
        DeviceStatus::Online
    } else {
        DeviceStatus::Offline
    };
    let error = record.reason.as_ref().filter(|_| !ok);
    let started = secs(record.started_at);
    let mark: Option<&SyncMark> = record.sync.mark.as_ref().filter(|_| ok);
    Ok(on_tx!(tx, |conn| {
        let mut q = sqlx::QueryBuilder::new("UPDATE devices SET ");
        let mut set = q.separated(", ");
        set.push("status = ").push_bind_unseparated(status.as_str());
        set.push("last_attempt_at = ")
            .push_bind_unseparated(started);
        set.push("last_error = ")
            .push_bind_unseparated(error.map(|r| r.message.as_str()));
        set.push("last_error_code = ")
            .push_bind_unseparated(error.map(|r| r.code.as_str()));
        if ok {
            set.push("last_seen_at = ").push_bind_unseparated(started);
        }
        if ok && record.history_pulled {
            set.push("history_pulled = TRUE");
        }
        if let Some(next) = record.next_poll_at {
            set.push("next_poll_at = ")
                .push_bind_unseparated(secs(next));
        }
        if let Some(info) = info {
            push_device_info!(set, info);
        }
        if let Some(mark) = mark {
            set.push("synced_users = ")
                .push_bind_unseparated(i64::from(mark.users));
            set.push("synced_punches = ")
                .push_bind_unseparated(i64::from(mark.punches));
            set.push("synced_oplog = ")
                .push_bind_unseparated(i64::from(mark.oplog));
            set.push("synced_user_capacity = ")
                .push_bind_unseparated(i64::from(mark.user_capacity));
            set.push("synced_punch_capacity = ")
                .push_bind_unseparated(i64::from(mark.punch_capacity));
            set.push("synced_position = ")
                .push_bind_unseparated(count(mark.position));
            set.push("synced_tail = ")
                .push_bind_unseparated(mark.tail.as_str());
            set.push("full_synced_at = ")
                .push_bind_unseparated(secs(mark.full_at));
        }
        if let Some(owner) = also.release_lease_of {
            // Every SET expression reads the row as it was, so both
            // columns test the old owner.
            set.push("lease_until = CASE WHEN lease_owner = ")
                .push_bind_unseparated(owner)
                .push_unseparated(" THEN NULL ELSE lease_until END");
            set.push("lease_owner = CASE WHEN lease_owner = ")
                .push_bind_unseparated(owner)
                .push_unseparated(" THEN NULL ELSE lease_owner END");
        }
        q.push(" WHERE id = ").push_bind(key.device_id.0);
        q.push(" AND company_id = ").push_bind(key.company_id.0);
        q.push(" RETURNING serial_number, ");
        if also.count_active {
            q.push("(SELECT COUNT(*) FROM employees WHERE company_id = ")
                .push_bind(key.company_id.0)
                .push(" AND active)");
        } else {
            q.push("NULL");
        }
        let row: (Option<String>, Option<i64>) = q.build_query_as().fetch_one(conn).await?;
        row
    }))
}

/// The INSERT of an attempt's log row (no RETURNING): new punches and
/// employees are 0 until they are known; `$known` of the punches read were
/// stored already.
macro_rules! insert_log_row {
    ($key:expr, $record:expr, $serial:expr, $known:expr) => {{
        let (key, record, serial): (DeviceKey, &PollRecord, &str) = ($key, $record, $serial);
        let reason = record.reason.as_ref();
        insert_into!("device_logs" {
            company_id: key.company_id.0,
            device_id: key.device_id.0,
            kind: record.kind.as_str(),
            started_at: secs(record.started_at),
            duration_ms: count(record.duration.as_millis()),
            host: record.host.as_str(),
            address: record.address.as_deref(),
            transport_used: record.transport_used.map(|t| t.as_str()),
            outcome: record.outcome.as_str(),
            users_read: count(record.users.len()),
            punches_read: punches_read(record),
            punches_new: 0_i64,
            punches_known: $known,
            employees_new: 0_i64,
            reason: reason.map(|r| r.message.as_str()),
            reason_code: reason.map(|r| r.code.as_str()),
            serial_number: Some(serial).filter(|s| !s.is_empty()),
            detail: record.sync.note.as_deref(),
            mode: record.sync.mode.map(|m| m.as_str()),
            bytes_received: count(record.sync.bytes.received),
            bytes_sent: count(record.sync.bytes.sent),
        })
    }};
}

/// Punches the attempt read: those handed over plus those it skipped as
/// already stored (an incremental sync reads past them).
fn punches_read(record: &PollRecord) -> i64 {
    count(record.punches.len()).saturating_add(count(record.sync.known))
}

/// The log row, with zero new punches and employees until they are known.
pub(super) async fn insert_log(
    tx: &mut Tx,
    key: DeviceKey,
    record: &PollRecord,
    serial: &str,
) -> Result<i64> {
    Ok(on_tx!(tx, |conn| {
        let mut q = insert_log_row!(key, record, serial, 0_i64);
        q.push(" RETURNING id");
        q.build_query_scalar().fetch_one(conn).await?
    }))
}

/// The log row of an attempt that read no users and no punches, finished
/// as it goes in: no new punches or employees, every punch read known.
pub(super) async fn insert_finished_log(
    tx: &mut Tx,
    key: DeviceKey,
    record: &PollRecord,
    serial: &str,
) -> Result<DeviceLogRow> {
    Ok(on_tx!(tx, |conn| {
        let mut q = insert_log_row!(key, record, serial, punches_read(record));
        q.push(concat!(" RETURNING ", device_log_cols!()));
        q.build_query_as().fetch_one(conn).await?
    }))
}

/// The employee rows of a record's enroll ids, and how many were added.
pub(super) struct Employees {
    /// Enroll id → employee id, for every enroll id of the record.
    pub(super) ids: HashMap<String, i64>,
    pub(super) added: u64,
}

/// Adds an employee for every new enroll id and refreshes the device's
/// name of known ones, with its raw bytes and the device that sent them
/// (for decoding again when that device's setting changes). Looks them up
/// first and inserts only the missing ones: a batch of people already
/// stored costs one SELECT.
pub(super) async fn upsert_employees(
    tx: &mut Tx,
    key: DeviceKey,
    people: &People<'_>,
    now: i64,
) -> Result<Employees> {
    let company_id = key.company_id;
    let enroll_ids = people.enroll_ids();
    let mut ids = employee_ids(tx, company_id, &enroll_ids).await?;
    let missing: Vec<&str> = enroll_ids
        .into_iter()
        .filter(|id| !ids.contains_key(*id))
        .collect();
    let mut added = 0;
    for chunk in missing.chunks(BATCH) {
        let rows: Vec<(String, i64)> = on_tx!(tx, |conn| {
            let mut q = insert_rows!("employees", chunk, |enroll_id| {
                company_id: company_id.0,
                created_at: now,
                updated_at: now,
                active: true,
                enroll_id: *enroll_id,
                name_from_device: people.names[enroll_id].map(|n| n.text),
                name_bytes: people.names[enroll_id].and_then(|n| n.bytes),
                name_device_id: people.names[enroll_id].map(|_| key.device_id.0),
            });
            q.push(" ON CONFLICT (company_id, enroll_id) DO NOTHING RETURNING enroll_id, id");
            // Multi-row statements are not cached: each row count is
            // another text (tens of kB), and kept in every connection's
            // statement cache the punch inserts took the process from 61
            // to 87 MB over 1,000 polls on PostgreSQL (fault_campaign.rs).
            q.build_query_as().persistent(false).fetch_all(conn).await?
        });
        added += rows.len() as u64;
        ids.extend(rows);
    }
    // Added meanwhile by another transaction (PostgreSQL): stored now.
    let late: Vec<&str> = missing
        .into_iter()
        .filter(|id| !ids.contains_key(*id))
        .collect();
    ids.extend(employee_ids(tx, company_id, &late).await?);
    for chunk in people.named().chunks(BATCH) {
        on_tx!(tx, |conn| {
            let mut q = insert_rows!("employees", chunk, |named| {
                company_id: company_id.0,
                created_at: now,
                updated_at: now,
                active: true,
                enroll_id: named.0,
                name_from_device: named.1.text,
                name_bytes: named.1.bytes,
                name_device_id: key.device_id.0,
            });
            // Human-edited columns are not in the SET list, so a device can
            // never overwrite them.
            q.push(
                " ON CONFLICT (company_id, enroll_id) DO UPDATE \
                 SET name_from_device = excluded.name_from_device, \
                     name_bytes = excluded.name_bytes, \
                     name_device_id = excluded.name_device_id, \
                     updated_at = excluded.updated_at \
                 WHERE employees.name_from_device IS NULL \
                    OR employees.name_from_device <> excluded.name_from_device \
                    OR (employees.name_bytes IS NULL AND excluded.name_bytes IS NOT NULL) \
                    OR COALESCE(employees.name_device_id, 0) <> excluded.name_device_id",
            );
            q.build().persistent(false).execute(conn).await?;
        });
    }
    Ok(Employees { ids, added })
}

/// Fills in the counts now known and returns the finished log row.
pub(super) async fn finish_log(
    tx: &mut Tx,
    log_id: i64,
    punches: u64,
    employees: u64,
) -> Result<DeviceLogRow> {
    Ok(on_tx!(tx, |conn| {
        let mut q = sqlx::QueryBuilder::new("UPDATE device_logs SET punches_new = ");
        q.push_bind(count(punches));
        // Read but not new: before the last sync's position, or handed to
        // the store and found there.
        q.push(", punches_known = punches_read - ")
            .push_bind(count(punches));
        q.push(", employees_new = ").push_bind(count(employees));
        q.push(" WHERE id = ").push_bind(log_id);
        q.push(concat!(" RETURNING ", device_log_cols!()));
        q.build_query_as().fetch_one(conn).await?
    }))
}

/// Active employees after the poll, for seat checks.
pub(super) async fn count_active(tx: &mut Tx, company_id: CompanyId) -> Result<u64> {
    let active: i64 = on_tx!(tx, |conn| {
        sqlx::query_scalar("SELECT COUNT(*) FROM employees WHERE company_id = $1 AND active")
            .bind(company_id.0)
            .fetch_one(conn)
            .await?
    });
    int(active, "active employees")
}
