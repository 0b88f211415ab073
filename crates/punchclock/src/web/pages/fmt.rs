//! Turning times, durations and counts into words for pages.

use jiff::tz::TimeZone;
use jiff::{civil, Timestamp};

/// `2026-07-01 09:05` in `tz`.
pub fn minute(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned(tz.clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// `09:05` in `tz`.
pub fn clock_time(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned(tz.clone()).strftime("%H:%M").to_string()
}

/// `2026-07-01 09:05:07` in `tz`.
pub fn second(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned(tz.clone())
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// A device's wall-clock time as it printed it.
pub fn civil(t: civil::DateTime) -> String {
    t.strftime("%Y-%m-%d %H:%M:%S").to_string()
}

/// "just now", "4 min ago", "3 h ago", "2 days ago".
pub fn ago(now: Timestamp, t: Timestamp) -> String {
    let secs = now.as_second() - t.as_second();
    if secs < 45 {
        return "just now".into();
    }
    let mins = (secs + 30) / 60;
    if mins < 60 {
        return format!("{mins} min ago");
    }
    let hours = secs / 3600;
    if hours < 48 {
        return format!("{hours} h ago");
    }
    format!("{} days ago", secs / 86_400)
}

/// "Never" or "4 min ago".
pub fn last_seen(now: Timestamp, t: Option<Timestamp>) -> String {
    t.map_or_else(|| "Never".into(), |t| ago(now, t))
}

/// "350 ms", "1.2 s", "1 min 4 s".
pub fn duration_ms(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        let s = ms / 1000;
        format!("{} min {} s", s / 60, s % 60)
    }
}

/// "2 min 5 s", "1 h 3 min", "3 days 2 h".
pub fn span(mut secs: u64) -> String {
    if secs < 60 {
        return format!("{secs} s");
    }
    // Two units at most, and no "0" second unit: "1 h", "2 min 5 s".
    let two = |big: u64, big_unit: &str, small: u64, small_unit: &str| {
        if small == 0 {
            format!("{big} {big_unit}")
        } else {
            format!("{big} {big_unit} {small} {small_unit}")
        }
    };
    if secs < 3600 {
        return two(secs / 60, "min", secs % 60, "s");
    }
    if secs < 86_400 {
        secs /= 60;
        return two(secs / 60, "h", secs % 60, "min");
    }
    let days = secs / 86_400;
    let unit = if days == 1 { "day" } else { "days" };
    two(days, unit, (secs % 86_400) / 3600, "h")
}

/// Device clock drift in words: "device clock is 2 min 5 s ahead".
pub fn drift(seconds: i64) -> String {
    match seconds {
        -1..=1 => "device clock matches ours".into(),
        s if s > 0 => format!("device clock is {} ahead", span(s.unsigned_abs())),
        s => format!("device clock is {} behind", span(s.unsigned_abs())),
    }
}

/// "12 of 3,000".
pub fn of(count: Option<u32>, capacity: Option<u32>) -> String {
    match (count, capacity) {
        (Some(c), Some(cap)) if cap > 0 => {
            format!("{} of {}", thousands(c.into()), thousands(cap.into()))
        }
        (Some(c), _) => thousands(c.into()),
        _ => "—".into(),
    }
}

/// `12345` → `12,345`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let groups: Vec<&str> = digits
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|g| std::str::from_utf8(g).unwrap_or_default())
        .collect();
    groups.join(",")
}

/// Text for a URL query value: unreserved bytes as they are, the rest
/// `%XX` (so a link keeps the filters people typed).
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// "1 punch", "3 punches".
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_in_words() {
        assert_eq!(drift(125), "device clock is 2 min 5 s ahead");
        assert_eq!(drift(-7), "device clock is 7 s behind");
        assert_eq!(drift(0), "device clock matches ours");
        assert_eq!(drift(3 * 3600 + 120), "device clock is 3 h 2 min ahead");
        assert_eq!(
            drift(-(86_400 * 2 + 3600)),
            "device clock is 2 days 1 h behind"
        );
        assert_eq!(drift(-3600), "device clock is 1 h behind");
        assert_eq!(drift(120), "device clock is 2 min ahead");
    }

    #[test]
    fn durations_and_counts() {
        assert_eq!(duration_ms(350), "350 ms");
        assert_eq!(duration_ms(1250), "1.2 s");
        assert_eq!(duration_ms(64_000), "1 min 4 s");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(of(Some(12), Some(3000)), "12 of 3,000");
        assert_eq!(of(None, None), "—");
        assert_eq!(plural(1, "punch", "punches"), "1 punch");
    }

    #[test]
    fn relative_times() {
        let now = Timestamp::from_second(1_000_000).unwrap();
        let at = |s: i64| Timestamp::from_second(1_000_000 - s).unwrap();
        assert_eq!(ago(now, at(10)), "just now");
        assert_eq!(ago(now, at(300)), "5 min ago");
        assert_eq!(ago(now, at(7200)), "2 h ago");
        assert_eq!(ago(now, at(86_400 * 3)), "3 days ago");
        assert_eq!(last_seen(now, None), "Never");
    }

    #[test]
    fn times_in_a_zone() {
        let t: Timestamp = "2026-07-01T07:00:00Z".parse().unwrap();
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        assert_eq!(minute(t, &berlin), "2026-07-01 09:00");
        assert_eq!(second(t, &TimeZone::UTC), "2026-07-01 07:00:00");
    }
}
