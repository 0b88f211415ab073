//! A sync recorded in bounded batches, so a device of any size never holds
//! the write lock for long: `begin_poll` (the device's identity, its users
//! and the log row), then `record_punch_batch` for each batch as it is read,
//! each its own short transaction, then `finish_poll` (status, schedule and
//! the log row's outcome). Punches are keyed as in `record_poll`, so a
//! batch stored twice (a retry, a crash before the answer) adds nothing.
//!
//! The log row exists from the start, marked `interrupted`, and counts what
//! each batch stored: a sync cut short says so, with what it kept.

use super::device_logs::{device_log_cols, DeviceLogRow};
use super::poll_record::{
    count, count_active, insert_log, insert_punches, store_device_info, upsert_employees,
    DeviceKey, People, PunchStamp,
};
use super::{Invalid, Result, Store, Tx};
use crate::domain::{
    CompanyId, DeviceId, NewPunch, Outcome, PollFailure, PollOutcome, PollReason, PollRecord,
};

/// What the log row says of a sync until it finishes.
pub const INTERRUPTED: &str = "This sync did not finish (it was still running, or the service stopped): the punches it stored are kept, and the next sync reads the rest.";

/// A sync whose log row is written and whose batches are being stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollInProgress {
    key: (CompanyId, DeviceId),
    log_id: i64,
    /// Punches are keyed by serial, never by device row or address.
    serial: String,
}

/// What one batch added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchStored {
    pub punches_new: u64,
    pub employees_new: u64,
}

impl Store {
    /// Opens a batched sync: stores what the device said about itself and
    /// its users (employees by enroll id), and the log row, in one
    /// transaction. `record` is the sync so far: its punches are ignored.
    /// `NotFound` if the device is not this company's.
    pub async fn begin_poll(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
        record: &PollRecord,
    ) -> Result<PollInProgress> {
        let people = People::of(&record.users, &[])?;
        let key = DeviceKey {
            company_id,
            device_id,
        };
        let header = PollRecord {
            outcome: Outcome::Failed,
            reason: Some(PollReason::new(PollFailure::Interrupted, INTERRUPTED)),
            punches: vec![],
            ..record.clone()
        };
        let now = self.now();
        self.transaction(async |tx| {
            if let Some(info) = &record.info {
                store_device_info(tx, key, info).await?;
            }
            let serial = device_serial(tx, key).await?;
            let log_id = insert_log(tx, key, &header, &serial).await?;
            let employees_new = upsert_employees(tx, key, &people, now).await?.added;
            add_to_log(tx, log_id, 0, 0, employees_new).await?;
            Ok(PollInProgress {
                key: (company_id, device_id),
                log_id,
                serial,
            })
        })
        .await
    }

    /// Stores one batch of a sync's punches in its own transaction (with
    /// an employee for any enroll id not seen yet) and adds its counts to
    /// the log row. Idempotent: punches already stored are skipped.
    pub async fn record_punch_batch(
        &self,
        poll: &PollInProgress,
        punches: &[NewPunch],
    ) -> Result<BatchStored> {
        if punches.is_empty() {
            return Ok(BatchStored::default());
        }
        if poll.serial.is_empty() {
            return Err(Invalid::PunchesWithoutSerial.into());
        }
        let people = People::of(&[], punches)?;
        let key = DeviceKey {
            company_id: poll.key.0,
            device_id: poll.key.1,
        };
        let now = self.now();
        self.transaction(async |tx| {
            let employees = upsert_employees(tx, key, &people, now).await?;
            let employees_new = employees.added;
            let stamp = PunchStamp {
                key,
                serial: &poll.serial,
                log_id: Some(poll.log_id),
                now,
            };
            let punches_new = insert_punches(tx, &stamp, punches, &employees.ids).await?;
            add_to_log(tx, poll.log_id, punches.len(), punches_new, employees_new).await?;
            Ok(BatchStored {
                punches_new,
                employees_new,
            })
        })
        .await
    }

    /// Closes a batched sync: the device's status and schedule, and the log
    /// row's outcome, reason and duration (its counts are the batches').
    pub async fn finish_poll(
        &self,
        poll: &PollInProgress,
        record: &PollRecord,
    ) -> Result<PollOutcome> {
        let key = DeviceKey {
            company_id: poll.key.0,
            device_id: poll.key.1,
        };
        self.transaction(async |tx| {
            super::poll_record::record_attempt_on_device(tx, key, record, None).await?;
            let log = close_log(tx, poll.log_id, record).await?;
            let (punches_new, employees_new) = log.new_counts();
            Ok(PollOutcome {
                log: log.try_into()?,
                punches_new: u32::try_from(punches_new).unwrap_or(u32::MAX),
                employees_new: u32::try_from(employees_new).unwrap_or(u32::MAX),
                active_employees: count_active(tx, key.company_id).await?,
            })
        })
        .await
    }
}

/// The device's serial ("" when unknown); also proves it is the company's.
async fn device_serial(tx: &mut Tx, key: DeviceKey) -> Result<String> {
    let serial: Option<String> = on_tx!(tx, |conn| {
        sqlx::query_scalar("SELECT serial_number FROM devices WHERE id = $1 AND company_id = $2")
            .bind(key.device_id.0)
            .bind(key.company_id.0)
            .fetch_one(conn)
            .await?
    });
    Ok(serial.unwrap_or_default())
}

/// Adds one batch's counts to the log row.
async fn add_to_log(
    tx: &mut Tx,
    log_id: i64,
    read: usize,
    punches_new: u64,
    employees_new: u64,
) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE device_logs SET punches_read = punches_read + $1, \
             punches_new = punches_new + $2, employees_new = employees_new + $3 WHERE id = $4",
        )
        .bind(count(read))
        .bind(count(punches_new))
        .bind(count(employees_new))
        .bind(log_id)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// The log row's outcome, reason, duration and where it went, once known.
async fn close_log(tx: &mut Tx, log_id: i64, record: &PollRecord) -> Result<DeviceLogRow> {
    let reason = record.reason.as_ref();
    Ok(on_tx!(tx, |conn| {
        let mut q = sqlx::QueryBuilder::new("UPDATE device_logs SET outcome = ");
        q.push_bind(record.outcome.as_str());
        q.push(", reason = ")
            .push_bind(reason.map(|r| r.message.as_str()));
        q.push(", reason_code = ")
            .push_bind(reason.map(|r| r.code.as_str()));
        q.push(", duration_ms = ")
            .push_bind(count(record.duration.as_millis()));
        // Records read but not handed to the store (stored by earlier
        // syncs) count as read and already stored, beside those handed and
        // found stored.
        let known = count(record.sync.known);
        q.push(", punches_read = punches_read + ").push_bind(known);
        q.push(", punches_known = punches_read - punches_new + ")
            .push_bind(known);
        q.push(", mode = ")
            .push_bind(record.sync.mode.map(|m| m.as_str()));
        q.push(", detail = ").push_bind(record.sync.note.as_deref());
        q.push(", bytes_received = ")
            .push_bind(count(record.sync.bytes.received));
        q.push(", bytes_sent = ")
            .push_bind(count(record.sync.bytes.sent));
        q.push(" WHERE id = ").push_bind(log_id);
        q.push(concat!(" RETURNING ", device_log_cols!()));
        q.build_query_as().fetch_one(conn).await?
    }))
}
