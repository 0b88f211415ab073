//! A company's report, alert and device-care settings (defaults until saved).

use super::audit::record_audit;
use super::{int, Result, Store, StoreError};
use crate::domain::{CompanyId, NewAuditEvent, NotifySettings, ReportTime};

macro_rules! settings_cols {
    () => {
        "report_time, offline_alert, offline_after_polls, drift_alert, drift_threshold_seconds, \
         log_full_alert, log_full_percent, seat_alert, auto_set_clock, auto_rotate_log, \
         auto_rotate_percent"
    };
}

#[derive(sqlx::FromRow)]
pub(crate) struct SettingsRow {
    report_time: String,
    offline_alert: bool,
    offline_after_polls: i64,
    drift_alert: bool,
    drift_threshold_seconds: i64,
    log_full_alert: bool,
    log_full_percent: i64,
    seat_alert: bool,
    auto_set_clock: bool,
    auto_rotate_log: bool,
    auto_rotate_percent: i64,
}

impl TryFrom<SettingsRow> for NotifySettings {
    type Error = StoreError;
    fn try_from(r: SettingsRow) -> Result<NotifySettings> {
        let report_time = ReportTime::parse(&r.report_time)
            .map_err(|e| StoreError::corrupt("notify_settings.report_time", None, e.to_string()))?;
        Ok(NotifySettings {
            report_time,
            offline_alert: r.offline_alert,
            offline_after_polls: int(r.offline_after_polls, "offline_after_polls")?,
            drift_alert: r.drift_alert,
            drift_threshold_seconds: int(r.drift_threshold_seconds, "drift_threshold_seconds")?,
            log_full_alert: r.log_full_alert,
            log_full_percent: int(r.log_full_percent, "log_full_percent")?,
            seat_alert: r.seat_alert,
            auto_set_clock: r.auto_set_clock,
            auto_rotate_log: r.auto_rotate_log,
            auto_rotate_percent: int(r.auto_rotate_percent, "auto_rotate_percent")?,
        })
    }
}

impl Store {
    /// The company's settings; the defaults while it never saved any.
    pub async fn notify_settings(&self, company_id: CompanyId) -> Result<NotifySettings> {
        let row: Option<SettingsRow> = with_reader!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                settings_cols!(),
                " FROM notify_settings WHERE company_id = $1"
            ))
            .bind(company_id.0)
            .fetch_optional(pool)
            .await?
        });
        row.map_or(Ok(NotifySettings::default()), TryInto::try_into)
    }

    /// Saves the settings with an audit entry, in one transaction.
    pub async fn save_notify_settings(
        &self,
        company_id: CompanyId,
        s: &NotifySettings,
        audit: &NewAuditEvent,
    ) -> Result<NotifySettings> {
        let now = self.now();
        let report_time = s.report_time.to_string();
        self.transaction(async |tx| {
            on_tx!(tx, |conn| {
                let mut q = insert_into!("notify_settings" {
                    company_id: company_id.0,
                    report_time: report_time.as_str(),
                    offline_alert: s.offline_alert,
                    offline_after_polls: i64::from(s.offline_after_polls),
                    drift_alert: s.drift_alert,
                    drift_threshold_seconds: i64::from(s.drift_threshold_seconds),
                    log_full_alert: s.log_full_alert,
                    log_full_percent: i64::from(s.log_full_percent),
                    seat_alert: s.seat_alert,
                    auto_set_clock: s.auto_set_clock,
                    auto_rotate_log: s.auto_rotate_log,
                    auto_rotate_percent: i64::from(s.auto_rotate_percent),
                    updated_at: now,
                });
                q.push(
                    " ON CONFLICT (company_id) DO UPDATE SET report_time = excluded.report_time, \
                     offline_alert = excluded.offline_alert, \
                     offline_after_polls = excluded.offline_after_polls, \
                     drift_alert = excluded.drift_alert, \
                     drift_threshold_seconds = excluded.drift_threshold_seconds, \
                     log_full_alert = excluded.log_full_alert, \
                     log_full_percent = excluded.log_full_percent, \
                     seat_alert = excluded.seat_alert, auto_set_clock = excluded.auto_set_clock, \
                     auto_rotate_log = excluded.auto_rotate_log, \
                     auto_rotate_percent = excluded.auto_rotate_percent, \
                     updated_at = excluded.updated_at",
                );
                q.build().execute(conn).await?;
            });
            record_audit(tx, company_id, audit, now).await?;
            Ok(())
        })
        .await?;
        Ok(*s)
    }
}
