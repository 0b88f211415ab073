//! Automatic device care, opt-in per company: after a successful scheduled
//! poll, set a clock that drifted past the threshold and rotate a log past
//! the chosen fill level. Each action is recorded with the device and in
//! the audit log as done by the system (no account), never silently.

use super::care::{clock_words, drift_words, rotation_words, Rotation};
use super::Syncer;
use crate::domain::{
    AuditKind, DeviceEventKind, DeviceInfo, NewAuditEvent, NotifySettings, Outcome, PollTarget,
};
use crate::store::{NewDeviceEvent, StoreError};

/// What a poll's reading makes due under a company's settings.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CareDue {
    pub set_clock: bool,
    pub rotate_log: bool,
}

/// Pure: the company's opt-ins and what the device just reported.
pub fn due(s: &NotifySettings, info: &DeviceInfo) -> CareDue {
    let drifted = info
        .clock_drift_seconds
        .is_some_and(|d| d.unsigned_abs() > u64::from(s.drift_threshold_seconds));
    let full = match (info.punch_count, info.punch_capacity) {
        (Some(n), Some(cap)) if cap > 0 => {
            u64::from(n) * 100 >= u64::from(cap) * u64::from(s.auto_rotate_percent)
        }
        _ => false,
    };
    CareDue {
        set_clock: s.auto_set_clock && drifted,
        rotate_log: s.auto_rotate_log && full,
    }
}

/// What one automatic action left behind.
struct Done {
    kind: DeviceEventKind,
    audit: AuditKind,
    outcome: Outcome,
    message: String,
    from_to: (Option<String>, Option<String>),
}

impl Syncer {
    /// Runs what the company opted into, after a poll that read `info`.
    pub async fn auto_care(
        &self,
        target: &PollTarget,
        info: &DeviceInfo,
    ) -> Result<CareDue, StoreError> {
        let settings = self.store.notify_settings(target.company_id).await?;
        let d = due(&settings, info);
        let (company, device) = (target.company_id, target.device_id);
        if d.set_clock {
            let r = self.set_clock(company, device).await?;
            let (outcome, message) = clock_words(&r);
            let from_to = match &r {
                Ok(c) => (
                    Some(drift_words(c.drift_before)),
                    Some(drift_words(c.drift_after)),
                ),
                Err(_) => (None, None),
            };
            let why = format!(
                "Automatically, as the drift passed {} s: ",
                settings.drift_threshold_seconds
            );
            self.record_auto(
                target,
                why,
                Done {
                    kind: DeviceEventKind::ClockSet,
                    audit: AuditKind::DeviceClockSet,
                    outcome,
                    message,
                    from_to,
                },
            )
            .await?;
        }
        if d.rotate_log {
            let r = self.rotate_log(company, device).await?;
            let (outcome, message) = rotation_words(&r);
            let to = matches!(r, Ok(Rotation::Cleared { .. })).then(|| "cleared".to_owned());
            let why = format!(
                "Automatically, as the log was {}% full or more: ",
                settings.auto_rotate_percent
            );
            self.record_auto(
                target,
                why,
                Done {
                    kind: DeviceEventKind::LogRotated,
                    audit: AuditKind::DeviceLogRotated,
                    outcome,
                    message,
                    from_to: (None, to),
                },
            )
            .await?;
        }
        Ok(d)
    }

    async fn record_auto(
        &self,
        target: &PollTarget,
        why: String,
        done: Done,
    ) -> Result<(), StoreError> {
        let message = format!("{why}{}", done.message);
        let (from_value, to_value) = done.from_to;
        let event = NewDeviceEvent {
            kind: done.kind,
            outcome: done.outcome,
            account_id: None,
            audit: Some(NewAuditEvent {
                account_id: None,
                kind: done.audit,
                from_value,
                to_value,
                detail: Some(format!("device {}: {message}", target.device_id)),
            }),
            message,
        };
        self.store
            .record_device_event(target.company_id, target.device_id, &event)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(drift: Option<i64>, count: Option<u32>, cap: Option<u32>) -> DeviceInfo {
        DeviceInfo {
            clock_drift_seconds: drift,
            punch_count: count,
            punch_capacity: cap,
            ..DeviceInfo::default()
        }
    }

    fn opted_in() -> NotifySettings {
        NotifySettings {
            auto_set_clock: true,
            auto_rotate_log: true,
            auto_rotate_percent: 90,
            drift_threshold_seconds: 120,
            ..NotifySettings::default()
        }
    }

    #[test]
    fn nothing_is_done_unless_the_company_opted_in() {
        let d = due(
            &NotifySettings::default(),
            &info(Some(7200), Some(100), Some(100)),
        );
        assert_eq!(d, CareDue::default());
    }

    #[test]
    fn the_clock_is_set_only_past_the_threshold_either_way() {
        let s = opted_in();
        assert!(!due(&s, &info(Some(120), None, None)).set_clock);
        assert!(!due(&s, &info(Some(-120), None, None)).set_clock);
        assert!(due(&s, &info(Some(121), None, None)).set_clock);
        assert!(due(&s, &info(Some(-3600), None, None)).set_clock);
        assert!(!due(&s, &info(None, None, None)).set_clock, "unknown drift");
    }

    #[test]
    fn the_log_is_rotated_from_the_fill_level_on() {
        let s = opted_in();
        assert!(!due(&s, &info(None, Some(89_999), Some(100_000))).rotate_log);
        assert!(due(&s, &info(None, Some(90_000), Some(100_000))).rotate_log);
        assert!(due(&s, &info(None, Some(u32::MAX), Some(u32::MAX))).rotate_log);
        assert!(
            !due(&s, &info(None, Some(5), Some(0))).rotate_log,
            "no capacity"
        );
        assert!(!due(&s, &info(None, None, Some(10))).rotate_log, "no count");
    }
}
