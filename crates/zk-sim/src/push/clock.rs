//! A push device's clock: UTC now, plus its zone, plus its drift. The
//! server sets both at the handshake (`Date` header and `TimeZone`).

use jiff::{SignedDuration, Timestamp};
use zk_protocol::DeviceTime;

#[derive(Debug, Clone, Copy)]
pub(crate) struct DeviceClock {
    pub(crate) utc_offset_secs: i32,
    pub(crate) drift_secs: i64,
}

impl DeviceClock {
    /// The device's local wall-clock time now.
    pub(crate) fn now(&self) -> DeviceTime {
        let shift = i64::from(self.utc_offset_secs) + self.drift_secs;
        let t = Timestamp::now()
            .checked_add(SignedDuration::from_secs(shift))
            .unwrap_or(Timestamp::now());
        to_device_time(t)
    }

    /// Set from a handshake: the server's UTC time and zone.
    pub(crate) fn set_from_server(&mut self, server_utc: Timestamp, utc_offset_secs: i32) {
        self.utc_offset_secs = utc_offset_secs;
        self.drift_secs = server_utc.as_second() - Timestamp::now().as_second();
    }

    /// Set to a local wall-clock time (3.x `SET OPTIONS DateTime=`).
    pub(crate) fn set_local(&mut self, local: DeviceTime) {
        let now = self.now();
        self.drift_secs += seconds(local) - seconds(now);
    }
}

fn to_device_time(t: Timestamp) -> DeviceTime {
    let d = t.to_zoned(jiff::tz::TimeZone::UTC).datetime();
    DeviceTime::new(
        d.year() as u16,
        d.month() as u8,
        d.day() as u8,
        d.hour() as u8,
        d.minute() as u8,
        d.second() as u8,
    )
    .expect("a real instant is a real time")
}

/// Seconds since an arbitrary epoch, for differences between local times.
fn seconds(t: DeviceTime) -> i64 {
    jiff::civil::date(t.year as i16, t.month as i8, t.day as i8)
        .at(t.hour as i8, t.minute as i8, t.second as i8, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp().as_second())
        .unwrap_or(0)
}
