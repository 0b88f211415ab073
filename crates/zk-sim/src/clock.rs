//! The device clock: host local wall-clock time plus a per-device offset.

use jiff::civil::DateTime;
use jiff::{Span, Zoned};
use zk_protocol::DeviceTime;

fn host_now() -> DateTime {
    Zoned::now().datetime()
}

pub(crate) fn to_device(dt: DateTime) -> Option<DeviceTime> {
    let year = u16::try_from(dt.year()).ok()?;
    DeviceTime::new(
        year,
        dt.month() as u8,
        dt.day() as u8,
        dt.hour() as u8,
        dt.minute() as u8,
        dt.second() as u8,
    )
}

/// The device's time now, or `None` if the offset pushes it off the calendar.
pub(crate) fn device_now(offset_secs: i64) -> Option<DeviceTime> {
    let dt = host_now()
        .checked_add(Span::new().try_seconds(offset_secs).ok()?)
        .ok()?;
    to_device(dt)
}

/// The offset that makes the device clock read `t` now.
pub(crate) fn offset_for(t: &DeviceTime) -> Option<i64> {
    let host = to_device(host_now())?;
    Some(t.seconds_since_2000() - host.seconds_since_2000())
}

/// Today's date on the host, as a device time at midnight.
pub(crate) fn today() -> DeviceTime {
    let now = host_now();
    to_device(now.date().to_datetime(jiff::civil::Time::midnight()))
        .unwrap_or_else(|| DeviceTime::new(2026, 1, 1, 0, 0, 0).expect("valid date"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_roundtrip() {
        let now = device_now(0).unwrap();
        let later = device_now(3600).unwrap();
        let d = later.seconds_since_2000() - now.seconds_since_2000();
        assert!((3599..=3601).contains(&d), "{d}");
        let off = offset_for(&later).unwrap();
        assert!((3599..=3601).contains(&off), "{off}");
        assert!(device_now(i64::MAX).is_none());
    }
}
