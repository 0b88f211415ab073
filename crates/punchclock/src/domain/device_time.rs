//! Between the protocol's device time and jiff's civil time. Both are
//! wall-clock times without a zone; the zone is applied where an instant is
//! needed (sync, with the device's or company's zone).

use jiff::civil;
use zk_protocol::DeviceTime;

/// The civil form of a device time (always representable).
pub fn to_civil(t: DeviceTime) -> Option<civil::DateTime> {
    civil::DateTime::new(
        t.year as i16,
        t.month as i8,
        t.day as i8,
        t.hour as i8,
        t.minute as i8,
        t.second as i8,
        0,
    )
    .ok()
}

/// The device form of a civil time; `None` outside what devices can hold
/// (years 2000-2099).
pub fn from_civil(t: civil::DateTime) -> Option<DeviceTime> {
    let year = u16::try_from(t.year())
        .ok()
        .filter(|y| (2000..=2099).contains(y))?;
    DeviceTime::new(
        year,
        t.month() as u8,
        t.day() as u8,
        t.hour() as u8,
        t.minute() as u8,
        t.second() as u8,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_bounds() {
        let dt = civil::datetime(2024, 1, 31, 8, 30, 0, 0);
        let t = from_civil(dt).unwrap();
        assert_eq!(t.encode().unwrap(), 774_001_800);
        assert_eq!(to_civil(t), Some(dt));
        assert_eq!(
            from_civil(civil::datetime(1999, 12, 31, 23, 59, 59, 0)),
            None
        );
        assert_eq!(from_civil(civil::datetime(2100, 1, 1, 0, 0, 0, 0)), None);
    }
}
