//! Times in push bodies and commands: device-local wall-clock text with no
//! zone (adms-push.md §3.1), `YYYY-MM-DD hh:mm:ss`; the U320 dialect writes
//! a `T` in the middle.

use crate::DeviceTime;

/// Parse `YYYY-MM-DD hh:mm:ss` (or with `T`); `None` if it is not a real time.
pub fn parse_time(text: &str) -> Option<DeviceTime> {
    let b = text.trim().as_bytes();
    if b.len() != 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b' ' | b'T') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| -> Option<u16> {
        let s = std::str::from_utf8(&b[r]).ok()?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    DeviceTime::new(
        n(0..4)?,
        n(5..7)? as u8,
        n(8..10)? as u8,
        n(11..13)? as u8,
        n(14..16)? as u8,
        n(17..19)? as u8,
    )
}

/// Format as `YYYY-MM-DD hh:mm:ss`, the form commands use (A40 §12.4).
pub fn format_time(t: DeviceTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_separators_and_real_dates_only() {
        let t = DeviceTime::new(2024, 2, 29, 8, 5, 9).unwrap();
        assert_eq!(parse_time("2024-02-29 08:05:09"), Some(t));
        assert_eq!(parse_time("2024-02-29T08:05:09"), Some(t));
        assert_eq!(format_time(t), "2024-02-29 08:05:09");
        for bad in [
            "2023-02-29 08:05:09",
            "2024-13-01 00:00:00",
            "2024-01-01 24:00:00",
            "2024-1-1 0:0:0",
            "2024-01-01 +0:00:00",
            "",
            "2024-01-01 00:00:00:00",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}
