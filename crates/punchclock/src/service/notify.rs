//! A company's notification settings: when the end-of-day report goes,
//! which alert rules are on with their thresholds, and the opt-in device
//! care. Every change is audit-logged.

use super::error::ServiceResult;
use super::fields::FieldErrors;
use super::services::{Caller, Services};
use crate::domain::{notify_bounds as b, AuditKind, NewAuditEvent, NotifySettings, ReportTime};

/// Settings as typed; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotifyInput {
    pub report_time: Option<String>,
    pub offline_alert: Option<bool>,
    pub offline_after_polls: Option<String>,
    pub drift_alert: Option<bool>,
    pub drift_threshold_seconds: Option<String>,
    pub log_full_alert: Option<bool>,
    pub log_full_percent: Option<String>,
    pub seat_alert: Option<bool>,
    pub auto_set_clock: Option<bool>,
    pub auto_rotate_log: Option<bool>,
    pub auto_rotate_percent: Option<String>,
}

fn number(text: &str, (lo, hi): (u32, u32)) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(n),
        _ => Err(format!("Enter a whole number from {lo} to {hi}.")),
    }
}

impl NotifyInput {
    /// The settings after applying this input to `current`.
    pub fn apply(&self, current: NotifySettings) -> Result<NotifySettings, FieldErrors> {
        let mut e = FieldErrors::default();
        let mut s = current;
        if let Some(t) = &self.report_time {
            if let Some(t) = e.check("report_time", ReportTime::parse(t)) {
                s.report_time = t;
            }
        }
        let mut num = |field: &str, v: &Option<String>, bounds, slot: &mut u32| {
            if let Some(n) = v.as_deref().and_then(|t| e.check(field, number(t, bounds))) {
                *slot = n;
            }
        };
        num(
            "offline_after_polls",
            &self.offline_after_polls,
            b::OFFLINE_AFTER_POLLS,
            &mut s.offline_after_polls,
        );
        num(
            "drift_threshold_seconds",
            &self.drift_threshold_seconds,
            b::DRIFT_SECONDS,
            &mut s.drift_threshold_seconds,
        );
        num(
            "log_full_percent",
            &self.log_full_percent,
            b::LOG_FULL_PERCENT,
            &mut s.log_full_percent,
        );
        num(
            "auto_rotate_percent",
            &self.auto_rotate_percent,
            b::AUTO_ROTATE_PERCENT,
            &mut s.auto_rotate_percent,
        );
        let flags = [
            (self.offline_alert, &mut s.offline_alert),
            (self.drift_alert, &mut s.drift_alert),
            (self.log_full_alert, &mut s.log_full_alert),
            (self.seat_alert, &mut s.seat_alert),
            (self.auto_set_clock, &mut s.auto_set_clock),
            (self.auto_rotate_log, &mut s.auto_rotate_log),
        ];
        for (value, slot) in flags {
            if let Some(v) = value {
                *slot = v;
            }
        }
        e.finish(|| Some(s))
    }

    pub fn is_empty(&self) -> bool {
        *self == NotifyInput::default()
    }
}

impl Services {
    pub fn notify(&self) -> Notify<'_> {
        Notify(self)
    }
}

/// Notification settings; see [`Services::notify`].
pub struct Notify<'a>(&'a Services);

impl Notify<'_> {
    pub async fn get(&self, caller: &Caller) -> ServiceResult<NotifySettings> {
        Ok(self.0.store.notify_settings(caller.company_id).await?)
    }

    /// Saves changed settings with an audit entry; unchanged ones save nothing.
    pub async fn update(
        &self,
        caller: &Caller,
        input: &NotifyInput,
    ) -> ServiceResult<NotifySettings> {
        let current = self.get(caller).await?;
        let next = input.apply(current)?;
        if next == current {
            return Ok(current);
        }
        self.0.require_good_standing(caller).await?;
        let audit = NewAuditEvent {
            account_id: Some(caller.account_id),
            kind: AuditKind::NotifySettingsChanged,
            from_value: Some(format!("{current:?}")),
            to_value: Some(format!("{next:?}")),
            detail: None,
        };
        Ok(self
            .0
            .store
            .save_notify_settings(caller.company_id, &next, &audit)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_applies_field_by_field() {
        let input = NotifyInput {
            report_time: Some("18:30".into()),
            offline_after_polls: Some("5".into()),
            drift_alert: Some(false),
            ..NotifyInput::default()
        };
        let s = input.apply(NotifySettings::default()).unwrap();
        assert_eq!(s.report_time.to_string(), "18:30");
        assert_eq!(s.offline_after_polls, 5);
        assert!(!s.drift_alert && s.offline_alert);
        let bad = NotifyInput {
            report_time: Some("25:00".into()),
            offline_after_polls: Some("0".into()),
            log_full_percent: Some("120".into()),
            ..NotifyInput::default()
        };
        let e = bad.apply(NotifySettings::default()).unwrap_err();
        for f in ["report_time", "offline_after_polls", "log_full_percent"] {
            assert!(e.get(f).is_some(), "{f}: {e}");
        }
    }
}
