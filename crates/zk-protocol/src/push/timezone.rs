//! The `TimeZone` handshake option and the `Date` header, which together
//! set the device's clock (adms-push.md §1, §2.2).

use jiff::tz::TimeZone;
use jiff::Timestamp;

/// The `TimeZone=` value: hours when −12 < v < 12, minutes when |v| > 60
/// (A40 §6). Whole-hour zones below 12 h go as hours (`8`); half- and
/// quarter-hour zones and ±12 h or more go as minutes (`330`, `345`, `780`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZoneOption(i32);

impl TimeZoneOption {
    /// From a UTC offset in seconds (seconds beyond the minute are dropped).
    /// An offset under an hour that is not whole has no encoding (none is in
    /// use today); it is rounded to the nearest hour.
    pub fn from_offset_seconds(seconds: i32) -> TimeZoneOption {
        let minutes = seconds / 60;
        if minutes % 60 == 0 && minutes.abs() < 12 * 60 {
            TimeZoneOption(minutes / 60)
        } else if minutes.abs() > 60 {
            TimeZoneOption(minutes)
        } else {
            TimeZoneOption((f64::from(minutes) / 60.0).round() as i32)
        }
    }

    /// The option for `zone` at instant `at`, so daylight saving is right.
    pub fn at(zone: &TimeZone, at: Timestamp) -> TimeZoneOption {
        Self::from_offset_seconds(zone.to_offset(at).seconds())
    }

    /// The number sent.
    pub fn value(self) -> i32 {
        self.0
    }

    /// The offset a device reads from `value` (the device's side, for the
    /// simulator): hours up to ±14 (IC2010 read ≤ 13 as hours), else minutes.
    pub fn offset_minutes(value: i32) -> i32 {
        if value.abs() <= 14 {
            value * 60
        } else {
            value
        }
    }
}

impl std::fmt::Display for TimeZoneOption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The HTTP `Date:` header value (IMF-fixdate, always GMT), which the device
/// needs to set its clock.
pub fn http_date(at: Timestamp) -> String {
    at.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Parse an HTTP `Date:` value (the device's side).
pub fn parse_http_date(value: &str) -> Option<Timestamp> {
    let t = value.trim().strip_suffix("GMT")?.trim();
    jiff::civil::DateTime::strptime("%a, %d %b %Y %H:%M:%S", t)
        .ok()?
        .to_zoned(TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(zone: &str, instant: &str) -> i32 {
        let tz = TimeZone::get(zone).unwrap();
        TimeZoneOption::at(&tz, instant.parse().unwrap()).value()
    }

    #[test]
    fn hours_minutes_and_daylight_saving() {
        assert_eq!(at("Asia/Shanghai", "2026-01-15T00:00:00Z"), 8);
        assert_eq!(at("UTC", "2026-01-15T00:00:00Z"), 0);
        assert_eq!(at("America/New_York", "2026-01-15T12:00:00Z"), -5);
        assert_eq!(at("America/New_York", "2026-07-15T12:00:00Z"), -4);
        assert_eq!(at("Asia/Kolkata", "2026-07-15T12:00:00Z"), 330);
        assert_eq!(at("Asia/Kathmandu", "2026-07-15T12:00:00Z"), 345);
        assert_eq!(at("America/St_Johns", "2026-01-15T12:00:00Z"), -210);
        assert_eq!(at("America/St_Johns", "2026-07-15T12:00:00Z"), -150);
        assert_eq!(at("Australia/Adelaide", "2026-01-15T12:00:00Z"), 630);
        // ±12 h and beyond are outside the hours range: minutes.
        assert_eq!(at("Pacific/Auckland", "2026-01-15T12:00:00Z"), 780);
        assert_eq!(at("Pacific/Kiritimati", "2026-01-15T12:00:00Z"), 840);
        assert_eq!(at("Etc/GMT+12", "2026-01-15T12:00:00Z"), -720);
        assert_eq!(at("Asia/Tokyo", "2026-01-15T12:00:00Z"), 9);
    }

    #[test]
    fn the_device_reads_back_the_offset() {
        for secs in [0, 3600, -18000, 19800, 20700, -12600, 45000, 50400, -43200] {
            let v = TimeZoneOption::from_offset_seconds(secs).value();
            assert_eq!(TimeZoneOption::offset_minutes(v) * 60, secs, "{secs}");
        }
    }

    #[test]
    fn date_header() {
        let t: Timestamp = "1994-11-06T08:49:37Z".parse().unwrap();
        assert_eq!(http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(t));
        assert_eq!(parse_http_date("yesterday"), None);
    }
}
