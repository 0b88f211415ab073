//! The push transaction: everything one push request produced, recorded
//! atomically and idempotently, through the same employee and punch
//! statements as a poll (so a resend, a backfill or a switch between modes
//! adds nothing twice: punches are keyed by company, serial, enroll id and
//! device time).

use super::poll_record::{
    count, count_active, finish_log, insert_punches, upsert_employees, DeviceKey, People,
    PunchStamp,
};
use super::{secs, Result, Store, Tx};
use crate::domain::{
    CompanyId, DeviceId, DeviceStatus, LogKind, Outcome, PollOutcome, PushRecord, StampTable,
};

/// One push request's record, for [`Store::record_pushes`].
#[derive(Debug, Clone)]
pub struct PushWrite {
    pub company_id: CompanyId,
    pub device_id: DeviceId,
    /// The claimed serial the punches are keyed by.
    pub serial: String,
    pub record: PushRecord,
}

impl Store {
    /// Records one push request in a single transaction: the device's
    /// status, last call, handshake facts and stamps; the log row; the
    /// employees for every enroll id seen; the punches. Only after this
    /// returns may the device be told `OK`.
    ///
    /// `serial` is the claimed serial the punches are keyed by.
    /// `NotFound` if the device is not in this company (deleted meanwhile).
    pub async fn record_push(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
        serial: &str,
        record: &PushRecord,
    ) -> Result<PollOutcome> {
        let key = DeviceKey {
            company_id,
            device_id,
        };
        let now = self.now();
        self.transaction(async |tx| record_one(tx, key, serial, record, now).await)
            .await
    }

    /// Records several push requests in one transaction (group commit:
    /// one writer, one commit for all). Each request runs in its own
    /// savepoint, so one that fails (its device deleted meanwhile, say) is
    /// rolled back alone and gets its error; the others are kept.
    ///
    /// Nothing is stored unless the outer `Ok` is returned: an `Err` means
    /// the whole batch was rolled back (a batch of one fails so), and every
    /// request must be sent again. A request's own `Ok` therefore means
    /// committed.
    pub async fn record_pushes(&self, writes: &[PushWrite]) -> Result<Vec<Result<PollOutcome>>> {
        let now = self.now();
        if let [one] = writes {
            // Alone, its transaction is its savepoint.
            let outcome = self.record_push(one.company_id, one.device_id, &one.serial, &one.record);
            return Ok(vec![Ok(outcome.await?)]);
        }
        self.transaction(async move |tx| {
            let mut outcomes = Vec::with_capacity(writes.len());
            for write in writes {
                savepoint(tx, "SAVEPOINT push_write").await?;
                let key = DeviceKey {
                    company_id: write.company_id,
                    device_id: write.device_id,
                };
                match record_one(tx, key, &write.serial, &write.record, now).await {
                    Ok(outcome) => {
                        savepoint(tx, "RELEASE SAVEPOINT push_write").await?;
                        outcomes.push(Ok(outcome));
                    }
                    Err(e) => {
                        savepoint(tx, "ROLLBACK TO SAVEPOINT push_write").await?;
                        savepoint(tx, "RELEASE SAVEPOINT push_write").await?;
                        outcomes.push(Err(e));
                    }
                }
            }
            Ok(outcomes)
        })
        .await
    }
}

/// One push request's statements, inside the caller's transaction.
async fn record_one(
    tx: &mut Tx,
    key: DeviceKey,
    serial: &str,
    record: &PushRecord,
    now: i64,
) -> Result<PollOutcome> {
    let company_id = key.company_id;
    let people = People::of(&record.users, &record.punches)?;
    update_device(tx, key, record).await?;
    let log_id = insert_push_log(tx, key, record, serial).await?;
    let employees = upsert_employees(tx, key, &people, now).await?;
    let employees_new = employees.added;
    let stamp = PunchStamp {
        key,
        serial,
        log_id: Some(log_id),
        now,
    };
    let punches_new = insert_punches(tx, &stamp, &record.punches, &employees.ids).await?;
    let log = finish_log(tx, log_id, punches_new, employees_new).await?;
    Ok(PollOutcome {
        log: log.try_into()?,
        punches_new: u32::try_from(punches_new).unwrap_or(u32::MAX),
        employees_new: u32::try_from(employees_new).unwrap_or(u32::MAX),
        active_employees: count_active(tx, company_id).await?,
    })
}

/// A savepoint statement (the same on both backends).
async fn savepoint(tx: &mut Tx, sql: &'static str) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(sql).execute(conn).await?;
    });
    Ok(())
}

/// A served request makes the device online and seen; a refused one only
/// leaves its reason. The handshake's facts and the upload's stamp are
/// kept for the next handshake.
async fn update_device(tx: &mut Tx, key: DeviceKey, record: &PushRecord) -> Result<()> {
    let ok = record.outcome == Outcome::Ok;
    let at = secs(record.received_at);
    let error = record.reason.as_ref().filter(|_| !ok);
    on_tx!(tx, |conn| {
        let mut q = sqlx::QueryBuilder::new("UPDATE devices SET last_attempt_at = ");
        q.push_bind(at);
        q.push(", last_error = ")
            .push_bind(error.map(|r| r.message.as_str()));
        q.push(", last_error_code = ")
            .push_bind(error.map(|r| r.code.as_str()));
        if ok {
            q.push(", status = ")
                .push_bind(DeviceStatus::Online.as_str());
            q.push(", last_seen_at = ").push_bind(at);
            // Never move backwards: another instance may have seen it later.
            q.push(", push_last_seen = CASE WHEN push_last_seen IS NULL OR push_last_seen < ")
                .push_bind(at)
                .push(" THEN ")
                .push_bind(at)
                .push(" ELSE push_last_seen END");
        }
        if let Some(hello) = &record.hello {
            q.push(", push_handshake_at = ").push_bind(at);
            q.push(", push_version = ")
                .push_bind(hello.push_version.as_deref());
            q.push(", push_language = ")
                .push_bind(hello.language.map(i64::from));
            q.push(", push_delay_seconds = ")
                .push_bind(i64::from(hello.delay_seconds));
        }
        if let Some((table, value)) = &record.stamp {
            let column = match table {
                StampTable::AttLog => ", attlog_stamp = ",
                StampTable::OperLog => ", operlog_stamp = ",
            };
            q.push(column).push_bind(value.as_str());
        }
        q.push(" WHERE id = ").push_bind(key.device_id.0);
        q.push(" AND company_id = ").push_bind(key.company_id.0);
        q.push(" RETURNING id");
        let _: i64 = q.build_query_scalar().fetch_one(conn).await?;
    });
    Ok(())
}

/// The log row, with zero new punches and employees until they are known.
async fn insert_push_log(
    tx: &mut Tx,
    key: DeviceKey,
    record: &PushRecord,
    serial: &str,
) -> Result<i64> {
    let reason = record.reason.as_ref();
    Ok(on_tx!(tx, |conn| {
        let mut q = insert_into!("device_logs" {
            company_id: key.company_id.0,
            device_id: key.device_id.0,
            kind: LogKind::Sync.as_str(),
            started_at: secs(record.received_at),
            duration_ms: count(record.duration.as_millis()),
            host: record.source.as_str(),
            address: Some(record.source.as_str()),
            outcome: record.outcome.as_str(),
            users_read: count(record.users.len()),
            punches_read: count(record.punches.len()),
            punches_new: 0_i64,
            employees_new: 0_i64,
            reason: reason.map(|r| r.message.as_str()),
            reason_code: reason.map(|r| r.code.as_str()),
            serial_number: serial,
            push_call: record.call.as_str(),
            detail: record.detail.as_deref(),
        });
        q.push(" RETURNING id");
        q.build_query_scalar().fetch_one(conn).await?
    }))
}
