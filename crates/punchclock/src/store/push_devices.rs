//! Push devices: finding the device that claimed a serial, binding its
//! key, its source address, and when it last called.

use jiff::Timestamp;

use super::sealed::{is_sealed, Purpose};
use super::{opt_int, opt_ts, secs, Result, Store, StoreError, Tx};
use crate::domain::{
    CompanyId, Device, DeviceId, DeviceMode, LogKind, Outcome, PollFailure, PushCall, PushTarget,
    Zone,
};

/// Devices whose presence one statement writes.
const PRESENCE_BATCH: usize = 500;

#[derive(sqlx::FromRow)]
struct PushTargetRow {
    id: i64,
    company_id: i64,
    name: String,
    mode: String,
    enabled: bool,
    push_serial: String,
    timezone: String,
    push_language: Option<i64>,
    push_version: Option<String>,
    push_key_hash: Option<String>,
    source_address: Option<String>,
    pending_source_address: Option<String>,
    lock_source: bool,
    attlog_stamp: Option<String>,
    operlog_stamp: Option<String>,
    registry_code: Option<String>,
    push_session_id: Option<String>,
    push_handshake_at: Option<i64>,
    name_encoding: String,
    commands_waiting: bool,
}

impl TryFrom<PushTargetRow> for PushTarget {
    type Error = StoreError;
    fn try_from(r: PushTargetRow) -> Result<PushTarget> {
        Ok(PushTarget {
            device_id: DeviceId(r.id),
            company_id: CompanyId(r.company_id),
            name: r.name,
            mode: r.mode.parse::<DeviceMode>()?,
            enabled: r.enabled,
            serial: r.push_serial,
            timezone: Zone::parse(&r.timezone),
            language: opt_int(r.push_language, "push_language")?,
            name_encoding: r.name_encoding.parse()?,
            push_version: r.push_version,
            key_hash: r.push_key_hash,
            source_address: r.source_address,
            pending_source_address: r.pending_source_address,
            lock_source: r.lock_source,
            attlog_stamp: r.attlog_stamp,
            operlog_stamp: r.operlog_stamp,
            registry_code: r.registry_code,
            session_id: r.push_session_id,
            handshake_at: opt_ts(r.push_handshake_at)?,
            commands_waiting: r.commands_waiting,
        })
    }
}

/// A new source address for a push device: taken at once, or (when the
/// device is locked to its source) kept pending for the owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceChange<'a> {
    pub company_id: CompanyId,
    pub device_id: DeviceId,
    pub serial: &'a str,
    pub from: Option<&'a str>,
    pub to: &'a str,
    pub at: Timestamp,
    pub locked: bool,
}

impl Store {
    /// The device that claimed `serial` (upper case), of any company.
    /// Every request asks this, so on SQLite it reads through the read
    /// pool and never queues behind the writer. It also says whether any
    /// command waits, so a poll with none (nearly all) reads nothing more.
    pub async fn push_target(&self, serial: &str) -> Result<Option<PushTarget>> {
        let row: Option<PushTargetRow> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT d.id, d.company_id, d.name, d.mode, d.enabled, d.push_serial, \
                 COALESCE(d.timezone, c.timezone) AS timezone, d.push_language, \
                 d.push_version, d.push_key_hash, d.source_address, \
                 d.pending_source_address, d.lock_source, d.attlog_stamp, d.operlog_stamp, \
                 d.registry_code, d.push_session_id, d.push_handshake_at, d.name_encoding, \
                 EXISTS (SELECT 1 FROM push_commands p WHERE p.device_id = d.id \
                   AND p.state IN ('queued', 'sent')) AS commands_waiting \
                 FROM devices d JOIN companies c ON c.id = d.company_id \
                 WHERE d.push_serial = $1",
            )
            .bind(serial)
            .fetch_optional(pool)
            .await?
        });
        let Some(mut row) = row else {
            return Ok(None);
        };
        // The bound key's digest is sealed at rest; one that does not open
        // fails this device's requests (an error), never lets any key in.
        if let Some(sealed) = row.push_key_hash.take() {
            let company = CompanyId(row.company_id);
            row.push_key_hash = Some(self.sealer.open_text(Purpose::PushKey, company, &sealed)?);
        }
        row.try_into().map(Some)
    }

    /// Binds a device's key on its first claim; a key already bound stays
    /// (returns whether this call bound it). Stored sealed.
    pub async fn bind_push_key(&self, device_id: DeviceId, key_hash: &str) -> Result<bool> {
        let company: Option<i64> = with_reader!(self, |pool| {
            sqlx::query_scalar("SELECT company_id FROM devices WHERE id = $1")
                .bind(device_id.0)
                .fetch_optional(pool)
                .await?
        });
        let Some(company) = company else {
            return Ok(false);
        };
        let sealed = self
            .sealer
            .seal_text(Purpose::PushKey, CompanyId(company), key_hash);
        let n = with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE devices SET push_key_hash = $2 WHERE id = $1 AND push_key_hash IS NULL",
            )
            .bind(device_id.0)
            .bind(&sealed)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n > 0)
    }

    /// Seals push-key digests stored in plain by older versions; returns
    /// how many. Run on start, once the key is checked.
    pub async fn seal_plain_push_keys(&self) -> Result<u64> {
        let rows: Vec<(i64, i64, String)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, company_id, push_key_hash FROM devices \
                 WHERE push_key_hash IS NOT NULL ORDER BY id",
            )
            .fetch_all(pool)
            .await?
        });
        let mut sealed = 0;
        for (id, company, digest) in rows.iter().filter(|(_, _, d)| !is_sealed(d)) {
            let value = self
                .sealer
                .seal_text(Purpose::PushKey, CompanyId(*company), digest);
            with_pool!(self, |pool| {
                sqlx::query(
                    "UPDATE devices SET push_key_hash = $1 WHERE id = $2 AND push_key_hash = $3",
                )
                .bind(&value)
                .bind(id)
                .bind(digest)
                .execute(pool)
                .await?;
            });
            sealed += 1;
        }
        Ok(sealed)
    }

    /// Keeps the 3.x registration we issued and the session of its config.
    pub async fn set_push_registration(
        &self,
        device_id: DeviceId,
        registry_code: &str,
        session_id: &str,
    ) -> Result<()> {
        with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE devices SET registry_code = $2, push_session_id = $3 WHERE id = $1",
            )
            .bind(device_id.0)
            .bind(registry_code)
            .bind(session_id)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Records a new source address (or, when locked, the refused one as
    /// pending) and logs the change in the device log.
    pub async fn record_push_source(&self, change: &SourceChange<'_>) -> Result<()> {
        self.transaction(async |tx| {
            let column = if change.locked {
                "pending_source_address"
            } else {
                "source_address"
            };
            // A refusal is also the device's latest news: "why offline".
            let error = change.locked.then(|| refusal(change));
            let code = change.locked.then_some(PollFailure::SourceRefused.as_str());
            on_tx!(tx, |conn| {
                sqlx::query(&format!(
                    "UPDATE devices SET {column} = $3, \
                     last_error = COALESCE($4, last_error), \
                     last_error_code = COALESCE($5, last_error_code) \
                     WHERE id = $1 AND company_id = $2"
                ))
                .bind(change.device_id.0)
                .bind(change.company_id.0)
                .bind(change.to)
                .bind(error.as_deref())
                .bind(code)
                .execute(conn)
                .await?;
            });
            insert_source_log(tx, change).await
        })
        .await
    }

    /// The owner accepts the pending source address of a locked device.
    pub async fn accept_pending_source(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
    ) -> Result<Device> {
        let updated = with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE devices SET source_address = pending_source_address, \
                 pending_source_address = NULL \
                 WHERE id = $1 AND company_id = $2 AND pending_source_address IS NOT NULL",
            )
            .bind(device_id.0)
            .bind(company_id.0)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if updated == 0 {
            // Either not ours, or nothing is pending: both leave it as is.
            self.get_device(company_id, device_id).await?;
        }
        self.get_device(company_id, device_id).await
    }

    /// When devices last called, gathered in memory and written together
    /// (a poll of `getrequest` every few seconds per device must not be
    /// a write each): one statement per [`PRESENCE_BATCH`] devices. Never
    /// moves a time backwards.
    pub async fn flush_push_presence(&self, seen: &[(DeviceId, Timestamp)]) -> Result<()> {
        if seen.is_empty() {
            return Ok(());
        }
        self.transaction(async |tx| {
            for chunk in seen.chunks(PRESENCE_BATCH) {
                on_tx!(tx, |conn| {
                    // Both backends name a VALUES list's columns column1, column2.
                    let mut q = sqlx::QueryBuilder::new(
                        "UPDATE devices SET push_last_seen = v.column2, \
                         last_seen_at = v.column2, status = 'online' FROM (",
                    );
                    q.push_values(chunk, |mut row, (device, at)| {
                        row.push_bind(device.0).push_bind(secs(*at));
                    });
                    q.push(
                        ") AS v WHERE devices.id = v.column1 AND \
                         (devices.push_last_seen IS NULL OR devices.push_last_seen < v.column2)",
                    );
                    q.build().execute(conn).await?;
                });
            }
            Ok(())
        })
        .await
    }
}

fn refusal(change: &SourceChange<'_>) -> String {
    format!(
        "a request came from {} but this device is locked to {}: \
         accept the new address on the device page to let it in",
        change.to,
        change.from.unwrap_or("another address")
    )
}

async fn insert_source_log(tx: &mut Tx, change: &SourceChange<'_>) -> Result<()> {
    let from = change.from.unwrap_or("nowhere yet");
    // A refusal is a reason (the device shows it); a change is news.
    let (outcome, code, reason, detail) = if change.locked {
        let reason = format!(
            "a request came from {} but this device is locked to {from}: \
             accept the new address on the device page to let it in",
            change.to
        );
        (
            Outcome::Failed,
            Some(PollFailure::SourceRefused),
            Some(reason),
            None,
        )
    } else {
        let detail = format!("requests now come from {} (before: {from})", change.to);
        (Outcome::Ok, None, None, Some(detail))
    };
    on_tx!(tx, |conn| {
        let mut q = insert_into!("device_logs" {
            company_id: change.company_id.0,
            device_id: change.device_id.0,
            kind: LogKind::Sync.as_str(),
            started_at: secs(change.at),
            duration_ms: 0_i64,
            host: change.to,
            address: Some(change.to),
            outcome: outcome.as_str(),
            reason: reason.as_deref(),
            reason_code: code.map(|c| c.as_str()),
            serial_number: change.serial,
            push_call: PushCall::Source.as_str(),
            detail: detail.as_deref(),
        });
        q.build().execute(conn).await?;
    });
    Ok(())
}
