//! Device time (reference §5.4): wall-clock time with no zone, packed into a
//! u32 as a mixed-radix number with 31-day months and 12-month years.

use crate::ProtocolError;
use std::fmt;

/// A device-local wall-clock time, as the device reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeviceTime {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

impl DeviceTime {
    /// A validated time; `None` for impossible dates such as February 30.
    pub fn new(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<Self> {
        let ok = (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour < 24
            && minute < 60
            && second < 60;
        ok.then_some(DeviceTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// Decode the packed u32 form. Dates that do not exist (the encoding
    /// allows e.g. February 31) are an error, never a panic.
    pub fn decode(t: u32) -> Result<Self, ProtocolError> {
        let mut v = t;
        let second = (v % 60) as u8;
        v /= 60;
        let minute = (v % 60) as u8;
        v /= 60;
        let hour = (v % 24) as u8;
        v /= 24;
        let day = (v % 31) as u8 + 1;
        v /= 31;
        let month = (v % 12) as u8 + 1;
        let year = 2000 + (v / 12) as u16;
        DeviceTime::new(year, month, day, hour, minute, second).ok_or(ProtocolError::InvalidTime(t))
    }

    /// Encode into the packed u32 form; only years 2000-2099 fit.
    pub fn encode(&self) -> Result<u32, ProtocolError> {
        if !(2000..=2099).contains(&self.year) {
            return Err(ProtocolError::TimeOutOfRange(self.to_string()));
        }
        let yy = u32::from(self.year - 2000);
        let days = yy * 12 * 31 + (u32::from(self.month) - 1) * 31 + (u32::from(self.day) - 1);
        Ok(days * 86400
            + (u32::from(self.hour) * 60 + u32::from(self.minute)) * 60
            + u32::from(self.second))
    }

    /// Decode the 6-byte `YY MM DD hh mm ss` form used in live events.
    pub fn decode_event(bytes: &[u8]) -> Result<Self, ProtocolError> {
        match bytes {
            [y, mo, d, h, mi, s, ..] => DeviceTime::new(2000 + u16::from(*y), *mo, *d, *h, *mi, *s)
                .ok_or_else(|| {
                    ProtocolError::malformed("event time", format!("{:02x?}", &bytes[..6]))
                }),
            _ => Err(ProtocolError::TooShort {
                len: bytes.len(),
                need: 6,
            }),
        }
    }

    /// Encode the 6-byte event form.
    pub fn encode_event(&self) -> Result<[u8; 6], ProtocolError> {
        if !(2000..=2255).contains(&self.year) {
            return Err(ProtocolError::TimeOutOfRange(self.to_string()));
        }
        Ok([
            (self.year - 2000) as u8,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
        ])
    }

    /// Seconds since 2000-01-01 00:00:00 on a real calendar, for ordering and arithmetic.
    pub fn seconds_since_2000(&self) -> i64 {
        let mut days: i64 = 0;
        for y in 2000..self.year {
            days += if days_in_month(y, 2) == 29 { 366 } else { 365 };
        }
        for m in 1..self.month {
            days += i64::from(days_in_month(self.year, m));
        }
        days += i64::from(self.day) - 1;
        days * 86400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }
}

impl fmt::Display for DeviceTime {
    /// `YYYY-MM-DDTHH:MM:SS`, the form the JSON output and the store use.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reference_example() {
        let t = DeviceTime::new(2024, 1, 31, 8, 30, 0).unwrap();
        assert_eq!(t.encode().unwrap(), 774_001_800);
        assert_eq!(774_001_800u32.to_le_bytes(), [0x88, 0x54, 0x22, 0x2E]);
        assert_eq!(DeviceTime::decode(774_001_800).unwrap(), t);
    }

    #[test]
    fn captured_record_time() {
        let t = DeviceTime::decode(0x2368B36B).unwrap();
        assert_eq!(t, DeviceTime::new(2018, 6, 25, 17, 50, 35).unwrap());
        assert_eq!(t.to_string(), "2018-06-25T17:50:35");
    }

    #[test]
    fn event_time_example() {
        let t = DeviceTime::decode_event(&[0x12, 0x06, 0x19, 0x11, 0x29, 0x05]).unwrap();
        assert_eq!(t, DeviceTime::new(2018, 6, 25, 17, 41, 5).unwrap());
        assert_eq!(
            t.encode_event().unwrap(),
            [0x12, 0x06, 0x19, 0x11, 0x29, 0x05]
        );
    }

    #[test]
    fn impossible_dates_are_errors() {
        // Day index 30 in February.
        let feb31 = ((24 * 12 + 1) * 31 + 30) * 86400;
        assert_eq!(
            DeviceTime::decode(feb31),
            Err(ProtocolError::InvalidTime(feb31))
        );
        assert!(DeviceTime::new(2023, 2, 29, 0, 0, 0).is_none());
        assert!(DeviceTime::new(2024, 2, 29, 0, 0, 0).is_some());
        assert!(DeviceTime::new(1999, 1, 1, 0, 0, 0)
            .unwrap()
            .encode()
            .is_err());
    }

    #[test]
    fn seconds_since_2000_is_calendar_true() {
        let a = DeviceTime::new(2024, 2, 28, 23, 59, 59).unwrap();
        let b = DeviceTime::new(2024, 3, 1, 0, 0, 0).unwrap();
        assert_eq!(b.seconds_since_2000() - a.seconds_since_2000(), 86401);
    }

    proptest! {
        #[test]
        fn roundtrip(y in 2000u16..2100, mo in 1u8..13, d in 1u8..32, h in 0u8..24, mi in 0u8..60, s in 0u8..60) {
            if let Some(t) = DeviceTime::new(y, mo, d, h, mi, s) {
                prop_assert_eq!(DeviceTime::decode(t.encode().unwrap()).unwrap(), t);
            }
        }

        #[test]
        fn decode_never_panics(t: u32) {
            if let Ok(dt) = DeviceTime::decode(t) {
                if dt.year <= 2099 {
                    prop_assert_eq!(dt.encode().unwrap(), t);
                }
            }
        }
    }
}
