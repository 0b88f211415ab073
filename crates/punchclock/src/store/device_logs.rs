//! Device logs: one row per contact attempt (written by `record_poll`).

use super::{int, ts, Result, Store, StoreError};
use crate::domain::{CompanyId, DeviceId, DeviceLog, DeviceLogId};

macro_rules! device_log_cols {
    () => {
        "id, company_id, device_id, kind, started_at, duration_ms, host, address, \
         transport_used, outcome, users_read, punches_read, punches_new, employees_new, \
         reason, reason_code, serial_number, push_call, detail, mode, bytes_received, \
         bytes_sent, punches_known"
    };
}
pub(crate) use device_log_cols;

#[derive(sqlx::FromRow)]
pub(crate) struct DeviceLogRow {
    id: i64,
    company_id: i64,
    device_id: i64,
    kind: String,
    started_at: i64,
    duration_ms: i64,
    host: String,
    address: Option<String>,
    transport_used: Option<String>,
    outcome: String,
    users_read: i64,
    punches_read: i64,
    punches_new: i64,
    employees_new: i64,
    reason: Option<String>,
    reason_code: Option<String>,
    serial_number: Option<String>,
    push_call: Option<String>,
    detail: Option<String>,
    mode: Option<String>,
    bytes_received: i64,
    bytes_sent: i64,
    punches_known: i64,
}

impl DeviceLogRow {
    /// Punches and employees the contact added.
    pub(crate) fn new_counts(&self) -> (i64, i64) {
        (self.punches_new, self.employees_new)
    }
}

impl TryFrom<DeviceLogRow> for DeviceLog {
    type Error = StoreError;
    fn try_from(r: DeviceLogRow) -> Result<DeviceLog> {
        Ok(DeviceLog {
            id: DeviceLogId(r.id),
            company_id: CompanyId(r.company_id),
            device_id: DeviceId(r.device_id),
            kind: r.kind.parse()?,
            started_at: ts(r.started_at)?,
            duration_ms: int(r.duration_ms, "duration_ms")?,
            host: r.host,
            address: r.address,
            transport_used: r.transport_used.map(|t| t.parse()).transpose()?,
            outcome: r.outcome.parse()?,
            users_read: int(r.users_read, "users_read")?,
            punches_read: int(r.punches_read, "punches_read")?,
            punches_new: int(r.punches_new, "punches_new")?,
            employees_new: int(r.employees_new, "employees_new")?,
            reason: r.reason,
            reason_code: r.reason_code.map(|c| c.parse()).transpose()?,
            serial_number: r.serial_number,
            push_call: r.push_call.map(|c| c.parse()).transpose()?,
            detail: r.detail,
            mode: r.mode.map(|m| m.parse()).transpose()?,
            bytes_received: int(r.bytes_received, "bytes_received")?,
            bytes_sent: int(r.bytes_sent, "bytes_sent")?,
            punches_known: int(r.punches_known, "punches_known")?,
        })
    }
}

impl Store {
    /// A device's attempts, newest first.
    pub async fn list_device_logs(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
        limit: u32,
    ) -> Result<Vec<DeviceLog>> {
        let rows: Vec<DeviceLogRow> = with_reader!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                device_log_cols!(),
                " FROM device_logs WHERE device_id = $1 AND company_id = $2 \
                 ORDER BY started_at DESC, id DESC LIMIT $3"
            ))
            .bind(device_id.0)
            .bind(company_id.0)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// The most recent attempt, if any.
    pub async fn latest_device_log(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
    ) -> Result<Option<DeviceLog>> {
        Ok(self
            .list_device_logs(company_id, device_id, 1)
            .await?
            .into_iter()
            .next())
    }
}
