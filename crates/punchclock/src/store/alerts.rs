//! Device health alerts: what the watcher reads (every device's health
//! and the open alerts) and writes (an alert opened or resolved, together
//! with its mails and webhook events, in one transaction).

use super::mail_outbox::queue_mails;
use super::notify_settings::SettingsRow;
use super::webhooks::queue_events;
use super::{int, opt_int, opt_ts, ts, Result, Store, StoreError, Tx};
use crate::domain::{
    AccountId, Alert, AlertCondition, AlertId, AlertState, CompanyId, DeviceId, DeviceStatus,
    NewEvent, NewMail, NotifySettings,
};

/// A resolved alert that comes back within this many seconds is reopened
/// quietly instead of opening (and mailing) a new one.
pub const FLAP_WINDOW_SECONDS: i64 = 3600;

macro_rules! alert_cols {
    () => {
        "id, company_id, device_id, kind, message, opened_at, acknowledged_at, \
         acknowledged_by, resolved_at"
    };
}

#[derive(sqlx::FromRow)]
struct AlertRow {
    id: i64,
    company_id: i64,
    device_id: Option<i64>,
    kind: String,
    message: String,
    opened_at: i64,
    acknowledged_at: Option<i64>,
    acknowledged_by: Option<i64>,
    resolved_at: Option<i64>,
}

impl TryFrom<AlertRow> for Alert {
    type Error = StoreError;
    fn try_from(r: AlertRow) -> Result<Alert> {
        Ok(Alert {
            id: AlertId(r.id),
            company_id: CompanyId(r.company_id),
            device_id: r.device_id.map(DeviceId),
            kind: r.kind.parse()?,
            message: r.message,
            opened_at: ts(r.opened_at)?,
            acknowledged_at: opt_ts(r.acknowledged_at)?,
            acknowledged_by: r.acknowledged_by.map(AccountId),
            resolved_at: opt_ts(r.resolved_at)?,
        })
    }
}

/// What the watcher knows of one device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceHealth {
    pub company_id: CompanyId,
    pub device_id: DeviceId,
    pub name: String,
    pub status: DeviceStatus,
    pub last_error: Option<String>,
    /// Failed attempts since the last successful one.
    pub failures_in_a_row: u32,
    pub clock_drift_seconds: Option<i64>,
    pub punch_count: Option<u32>,
    pub punch_capacity: Option<u32>,
    /// The zone its punches are read in (its own, else the company's).
    pub timezone: String,
    /// For a device that calls us (push mode): when it last called.
    pub push: Option<PushCalls>,
}

/// When a push device last called, and the `Delay` it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushCalls {
    /// Its last call (or handshake); `None` before the first.
    pub last_call: Option<jiff::Timestamp>,
    /// The `Delay` handed out at its handshake; `None`: the default.
    pub delay_seconds: Option<u32>,
}

#[derive(sqlx::FromRow)]
struct HealthRow {
    company_id: i64,
    id: i64,
    name: String,
    status: String,
    last_error: Option<String>,
    failures: i64,
    clock_drift_seconds: Option<i64>,
    punch_count: Option<i64>,
    punch_capacity: Option<i64>,
    timezone: String,
    mode: String,
    push_last_seen: Option<i64>,
    push_handshake_at: Option<i64>,
    push_delay_seconds: Option<i64>,
}

impl TryFrom<HealthRow> for DeviceHealth {
    type Error = StoreError;
    fn try_from(r: HealthRow) -> Result<DeviceHealth> {
        Ok(DeviceHealth {
            company_id: CompanyId(r.company_id),
            device_id: DeviceId(r.id),
            name: r.name,
            status: r.status.parse()?,
            last_error: r.last_error,
            failures_in_a_row: int(r.failures.min(1_000_000), "failures")?,
            clock_drift_seconds: r.clock_drift_seconds,
            punch_count: opt_int(r.punch_count, "punch_count")?,
            punch_capacity: opt_int(r.punch_capacity, "punch_capacity")?,
            timezone: r.timezone,
            push: match r.mode.as_str() {
                "push" => Some(PushCalls {
                    last_call: opt_ts(r.push_last_seen.or(r.push_handshake_at))?,
                    delay_seconds: opt_int(r.push_delay_seconds, "push_delay_seconds")?,
                }),
                _ => None,
            },
        })
    }
}

/// A company's settings and seat use, for the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyHealth {
    pub company_id: CompanyId,
    pub settings: NotifySettings,
    pub seats: u32,
    pub active_employees: u64,
    pub blocked: bool,
}

#[derive(sqlx::FromRow)]
struct CompanyHealthRow {
    id: i64,
    seats: i64,
    blocked: bool,
    active: i64,
    #[sqlx(flatten)]
    settings: SettingsRow,
}

impl Store {
    /// Every enabled device's health. Failures in a row are counted only
    /// for devices whose last attempt failed (the rest have none).
    pub async fn device_health(&self) -> Result<Vec<DeviceHealth>> {
        let rows: Vec<HealthRow> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT d.company_id, d.id, d.name, d.status, d.last_error, \
                 CASE WHEN d.status = 'offline' THEN (SELECT COUNT(*) FROM device_logs l \
                   WHERE l.device_id = d.id AND l.outcome = 'failed' AND l.id > COALESCE( \
                     (SELECT MAX(o.id) FROM device_logs o \
                      WHERE o.device_id = d.id AND o.outcome = 'ok'), 0)) ELSE 0 END AS failures, \
                 d.clock_drift_seconds, d.punch_count, d.punch_capacity, \
                 COALESCE(d.timezone, c.timezone) AS timezone, \
                 d.mode, d.push_last_seen, d.push_handshake_at, d.push_delay_seconds \
                 FROM devices d JOIN companies c ON c.id = d.company_id \
                 WHERE d.enabled ORDER BY d.company_id, d.id",
            )
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Settings and seat use of every company.
    pub async fn company_health(&self) -> Result<Vec<CompanyHealth>> {
        let rows: Vec<CompanyHealthRow> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT c.id, c.seats, c.blocked, \
                 (SELECT COUNT(*) FROM employees e WHERE e.company_id = c.id AND e.active) AS active, \
                 COALESCE(s.report_time, '19:00') AS report_time, \
                 COALESCE(s.offline_alert, TRUE) AS offline_alert, \
                 COALESCE(s.offline_after_polls, 3) AS offline_after_polls, \
                 COALESCE(s.drift_alert, TRUE) AS drift_alert, \
                 COALESCE(s.drift_threshold_seconds, 120) AS drift_threshold_seconds, \
                 COALESCE(s.log_full_alert, TRUE) AS log_full_alert, \
                 COALESCE(s.log_full_percent, 80) AS log_full_percent, \
                 COALESCE(s.seat_alert, TRUE) AS seat_alert, \
                 COALESCE(s.auto_set_clock, FALSE) AS auto_set_clock, \
                 COALESCE(s.auto_rotate_log, FALSE) AS auto_rotate_log, \
                 COALESCE(s.auto_rotate_percent, 90) AS auto_rotate_percent \
                 FROM companies c LEFT JOIN notify_settings s ON s.company_id = c.id ORDER BY c.id",
            )
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(CompanyHealth {
                    company_id: CompanyId(r.id),
                    seats: int(r.seats, "seats")?,
                    active_employees: int(r.active, "active")?,
                    blocked: r.blocked,
                    settings: r.settings.try_into()?,
                })
            })
            .collect()
    }

    /// Every open alert of every company.
    pub async fn all_open_alerts(&self) -> Result<Vec<Alert>> {
        let rows: Vec<AlertRow> = with_reader!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                alert_cols!(),
                " FROM alerts WHERE resolved_at IS NULL ORDER BY id"
            ))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Owners who get alert mail: theirs is on and has not bounced.
    pub async fn alert_recipients(
        &self,
        company_id: CompanyId,
    ) -> Result<Vec<(AccountId, String)>> {
        self.account_recipients(company_id, "alert_mail").await
    }

    /// Owners who get the daily company summary.
    pub async fn summary_recipients(
        &self,
        company_id: CompanyId,
    ) -> Result<Vec<(AccountId, String)>> {
        self.account_recipients(company_id, "daily_summary").await
    }

    async fn account_recipients(
        &self,
        company_id: CompanyId,
        flag: &str,
    ) -> Result<Vec<(AccountId, String)>> {
        let sql = format!(
            "SELECT id, email FROM accounts WHERE company_id = $1 AND {flag} \
             AND email_bounce IS NULL ORDER BY id"
        );
        let rows: Vec<(i64, String)> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(company_id.0)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(|(id, e)| (AccountId(id), e)).collect())
    }

    /// Opens an alert for `condition` unless one is open. One resolved
    /// within the flap window is reopened quietly. A new alert gets the
    /// mails and events `tell` makes for it, in the same transaction.
    /// Returns the alert if it is new.
    pub async fn open_alert(
        &self,
        company_id: CompanyId,
        condition: &AlertCondition,
        tell: impl FnOnce(&Alert) -> (Vec<NewMail>, Vec<NewEvent>),
    ) -> Result<Option<Alert>> {
        let now = self.now();
        self.transaction(async |tx| {
            if reopen_flapping(tx, company_id, condition, now).await? {
                return Ok(None);
            }
            let Some(alert) = insert_alert(tx, company_id, condition, now).await? else {
                return Ok(None);
            };
            let (mails, events) = tell(&alert);
            queue_mails(tx, company_id, &mails, now).await?;
            queue_events(tx, company_id, &events, now).await?;
            Ok(Some(alert))
        })
        .await
    }

    /// Resolves the open alert `id`, with the mails and events `tell`
    /// makes, in one transaction. Returns it if it was open.
    pub async fn resolve_alert(
        &self,
        company_id: CompanyId,
        id: AlertId,
        tell: impl FnOnce(&Alert) -> (Vec<NewMail>, Vec<NewEvent>),
    ) -> Result<Option<Alert>> {
        let now = self.now();
        self.transaction(async |tx| {
            let row: Option<AlertRow> = on_tx!(tx, |conn| {
                sqlx::query_as(concat!(
                    "UPDATE alerts SET resolved_at = $3, updated_at = $3 \
                     WHERE company_id = $1 AND id = $2 AND resolved_at IS NULL RETURNING ",
                    alert_cols!()
                ))
                .bind(company_id.0)
                .bind(id.0)
                .bind(now)
                .fetch_optional(conn)
                .await?
            });
            let Some(row) = row else { return Ok(None) };
            let alert: Alert = row.try_into()?;
            let (mails, events) = tell(&alert);
            queue_mails(tx, company_id, &mails, now).await?;
            queue_events(tx, company_id, &events, now).await?;
            Ok(Some(alert))
        })
        .await
    }

    /// A company's alerts, newest first, optionally by state and device.
    pub async fn list_alerts(
        &self,
        company_id: CompanyId,
        state: Option<AlertState>,
        device: Option<DeviceId>,
        limit: u32,
    ) -> Result<Vec<Alert>> {
        let state_sql = match state {
            None => "",
            Some(AlertState::Open) => " AND resolved_at IS NULL",
            Some(AlertState::Resolved) => " AND resolved_at IS NOT NULL",
        };
        let device_sql = if device.is_some() {
            " AND device_id = $3"
        } else {
            ""
        };
        let sql = format!(
            concat!(
                "SELECT ",
                alert_cols!(),
                " FROM alerts WHERE company_id = $1{}{} ORDER BY id DESC LIMIT $2"
            ),
            state_sql, device_sql
        );
        let rows: Vec<AlertRow> = with_pool!(self, |pool| {
            let mut q = sqlx::query_as(&sql)
                .bind(company_id.0)
                .bind(i64::from(limit));
            if let Some(d) = device {
                q = q.bind(d.0);
            }
            q.fetch_all(pool).await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Acknowledges an alert (once; later calls keep the first).
    pub async fn ack_alert(
        &self,
        company_id: CompanyId,
        id: AlertId,
        by: AccountId,
    ) -> Result<Alert> {
        let now = self.now();
        let row: AlertRow = with_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "UPDATE alerts SET acknowledged_at = COALESCE(acknowledged_at, $3), \
                 acknowledged_by = COALESCE(acknowledged_by, $4), updated_at = $3 \
                 WHERE company_id = $1 AND id = $2 RETURNING ",
                alert_cols!()
            ))
            .bind(company_id.0)
            .bind(id.0)
            .bind(now)
            .bind(by.0)
            .fetch_one(pool)
            .await?
        });
        row.try_into()
    }
}

/// Reopens the same alert if it was resolved within the flap window.
async fn reopen_flapping(
    tx: &mut Tx,
    company_id: CompanyId,
    c: &AlertCondition,
    now: i64,
) -> Result<bool> {
    let reopened = on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE alerts SET resolved_at = NULL, updated_at = $5, message = $6 \
             WHERE id = (SELECT id FROM alerts WHERE company_id = $1 AND kind = $2 \
               AND subject = $3 AND resolved_at IS NOT NULL AND resolved_at >= $4 \
               ORDER BY id DESC LIMIT 1) \
             AND NOT EXISTS (SELECT 1 FROM alerts WHERE company_id = $1 AND kind = $2 \
               AND subject = $3 AND resolved_at IS NULL)",
        )
        .bind(company_id.0)
        .bind(c.kind.as_str())
        .bind(c.subject.key())
        .bind(now - FLAP_WINDOW_SECONDS)
        .bind(now)
        .bind(&c.message)
        .execute(conn)
        .await?
        .rows_affected()
    });
    Ok(reopened > 0)
}

/// Inserts the alert unless one is open for the rule and subject.
async fn insert_alert(
    tx: &mut Tx,
    company_id: CompanyId,
    c: &AlertCondition,
    now: i64,
) -> Result<Option<Alert>> {
    let row: Option<AlertRow> = on_tx!(tx, |conn| {
        let mut q = insert_into!("alerts" {
            company_id: company_id.0,
            device_id: c.subject.device().map(|d| d.0),
            kind: c.kind.as_str(),
            subject: c.subject.key(),
            message: c.message.as_str(),
            opened_at: now,
            updated_at: now,
        });
        q.push(" ON CONFLICT (company_id, kind, subject) WHERE resolved_at IS NULL DO NOTHING");
        q.push(concat!(" RETURNING ", alert_cols!()));
        q.build_query_as().fetch_optional(conn).await?
    });
    row.map(TryInto::try_into).transpose()
}
