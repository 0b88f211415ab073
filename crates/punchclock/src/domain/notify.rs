//! What a company wants to be told, and when: the end-of-day report time,
//! the alert rules and the opt-in device care.

use std::fmt;

/// A local time of day, "HH:MM" (24 h), in the company's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReportTime {
    hour: u8,
    minute: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Enter a time like 19:00 (24-hour clock).")]
pub struct ReportTimeError;

impl ReportTime {
    pub const DEFAULT: ReportTime = ReportTime {
        hour: 19,
        minute: 0,
    };

    pub fn parse(value: &str) -> Result<ReportTime, ReportTimeError> {
        let (h, m) = value.trim().split_once(':').ok_or(ReportTimeError)?;
        let digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(h) || !digits(m) {
            return Err(ReportTimeError);
        }
        let (hour, minute) = (
            h.parse().map_err(|_| ReportTimeError)?,
            m.parse().map_err(|_| ReportTimeError)?,
        );
        if hour > 23 || minute > 59 {
            return Err(ReportTimeError);
        }
        Ok(ReportTime { hour, minute })
    }

    pub fn hour(self) -> i8 {
        self.hour as i8
    }

    pub fn minute(self) -> i8 {
        self.minute as i8
    }

    /// As a civil time of day.
    pub fn civil(self) -> jiff::civil::Time {
        jiff::civil::time(self.hour(), self.minute(), 0, 0)
    }
}

impl fmt::Display for ReportTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

/// A company's report, alert and device-care settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotifySettings {
    pub report_time: ReportTime,
    /// Offline after this many failed polls in a row (or no push for 3×
    /// its delay).
    pub offline_alert: bool,
    pub offline_after_polls: u32,
    pub drift_alert: bool,
    pub drift_threshold_seconds: u32,
    pub log_full_alert: bool,
    /// Punches over this share of the device's capacity.
    pub log_full_percent: u32,
    pub seat_alert: bool,
    /// Set the device clock when drift passes the threshold.
    pub auto_set_clock: bool,
    /// Clear a verified log when it is this full.
    pub auto_rotate_log: bool,
    pub auto_rotate_percent: u32,
}

impl Default for NotifySettings {
    fn default() -> Self {
        NotifySettings {
            report_time: ReportTime::DEFAULT,
            offline_alert: true,
            offline_after_polls: 3,
            drift_alert: true,
            drift_threshold_seconds: 120,
            log_full_alert: true,
            log_full_percent: 80,
            seat_alert: true,
            auto_set_clock: false,
            auto_rotate_log: false,
            auto_rotate_percent: 90,
        }
    }
}

/// Bounds of the numeric settings, checked by the service and the schema.
pub mod bounds {
    pub const OFFLINE_AFTER_POLLS: (u32, u32) = (1, 100);
    pub const DRIFT_SECONDS: (u32, u32) = (10, 86_400);
    pub const LOG_FULL_PERCENT: (u32, u32) = (1, 100);
    pub const AUTO_ROTATE_PERCENT: (u32, u32) = (50, 100);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_times() {
        assert_eq!(ReportTime::parse("19:00").unwrap(), ReportTime::DEFAULT);
        assert_eq!(ReportTime::parse(" 07:05 ").unwrap().to_string(), "07:05");
        assert_eq!(
            ReportTime::parse("23:59").unwrap().civil().to_string(),
            "23:59:00"
        );
        for bad in [
            "24:00", "7:00", "07:60", "0700", "ab:cd", "", "07:00:00", "+1:00",
        ] {
            assert_eq!(ReportTime::parse(bad), Err(ReportTimeError), "{bad}");
        }
    }
}
