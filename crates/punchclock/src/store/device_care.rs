//! Device care: what the store says about a device's log before it is
//! cleared, and the device events (with audit entries) care leaves behind.

use std::collections::HashSet;

use super::audit::record_audit;
use super::{civil_text, ts, Result, Store, StoreError};
use crate::domain::{
    AccountId, CompanyId, DeviceEvent, DeviceEventKind, DeviceId, NewAuditEvent, NewPunch, Outcome,
};

/// Punches per lookup: two values each, well under every bind limit.
const CHUNK: usize = 400;

/// One punch's identity and what was recorded, as compared.
fn line(enroll: &str, time: &str, status: i64, punch_type: i64) -> String {
    format!("{enroll}|{time}|{status}|{punch_type}")
}

/// A device event to record, with the audit entry it goes with.
#[derive(Debug, Clone)]
pub struct NewDeviceEvent {
    pub kind: DeviceEventKind,
    pub outcome: Outcome,
    pub message: String,
    pub account_id: Option<AccountId>,
    pub audit: Option<NewAuditEvent>,
}

impl Store {
    /// How many of `punches` (read from the device with `serial`) are not
    /// stored exactly as read: same enroll id and device time (the punch
    /// key), same status and type.
    pub async fn punches_missing(
        &self,
        company_id: CompanyId,
        serial: &str,
        punches: &[NewPunch],
    ) -> Result<usize> {
        let mut found: HashSet<String> = HashSet::new();
        for chunk in punches.chunks(CHUNK) {
            for row in self.stored_lines(company_id, serial, chunk).await? {
                found.insert(row);
            }
        }
        let missing = punches
            .iter()
            .filter(|p| {
                let l = line(
                    &p.enroll_id,
                    &civil_text(p.device_time),
                    i64::from(p.status),
                    i64::from(p.punch_type),
                );
                !found.contains(&l)
            })
            .count();
        Ok(missing)
    }

    async fn stored_lines(
        &self,
        company_id: CompanyId,
        serial: &str,
        chunk: &[NewPunch],
    ) -> Result<Vec<String>> {
        let rows: Vec<(String, String, i64, i64)> = with_pool!(self, |pool| {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT enroll_id, device_time, status, punch_type FROM punches \
                 WHERE company_id = ",
            );
            q.push_bind(company_id.0);
            q.push(" AND device_serial = ").push_bind(serial);
            // In the punch key's order (migration 0013).
            q.push(" AND (device_time, enroll_id) IN (VALUES ");
            let mut values = q.separated(", ");
            for p in chunk {
                values.push("(");
                values.push_bind_unseparated(civil_text(p.device_time));
                values.push_unseparated(", ");
                values.push_bind_unseparated(p.enroll_id.clone());
                values.push_unseparated(")");
            }
            q.push(")");
            q.build_query_as().fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|(e, t, s, k)| line(&e, &t, s, k))
            .collect())
    }

    /// Records a device event and its audit entry together.
    pub async fn record_device_event(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
        e: &NewDeviceEvent,
    ) -> Result<DeviceEvent> {
        let now = self.now();
        self.transaction(async |tx| {
            on_tx!(tx, |conn| {
                insert_into!("device_events" {
                    company_id: company_id.0,
                    device_id: device_id.0,
                    kind: e.kind.as_str(),
                    outcome: e.outcome.as_str(),
                    message: e.message.as_str(),
                    account_id: e.account_id.map(|a| a.0),
                    at: now,
                })
                .build()
                .execute(conn)
                .await?;
            });
            if let Some(audit) = &e.audit {
                record_audit(tx, company_id, audit, now).await?;
            }
            Ok(())
        })
        .await?;
        Ok(DeviceEvent {
            device_id,
            kind: e.kind,
            outcome: e.outcome,
            message: e.message.clone(),
            account_id: e.account_id,
            at: ts(now)?,
        })
    }

    /// A device's events, newest first.
    pub async fn device_events(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
        limit: u32,
    ) -> Result<Vec<DeviceEvent>> {
        let rows: Vec<(String, String, String, Option<i64>, i64)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT kind, outcome, message, account_id, at FROM device_events \
                 WHERE company_id = $1 AND device_id = $2 ORDER BY id DESC LIMIT $3",
            )
            .bind(company_id.0)
            .bind(device_id.0)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(kind, outcome, message, account, at)| {
                Ok(DeviceEvent {
                    device_id,
                    kind: kind.parse().map_err(StoreError::from)?,
                    outcome: outcome.parse().map_err(StoreError::from)?,
                    message,
                    account_id: account.map(AccountId),
                    at: ts(at)?,
                })
            })
            .collect()
    }
}
