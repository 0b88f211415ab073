//! The alert rules, each on or off per company. Pure functions of what
//! the store knows; `open` says which alerts are open now, so a rule can
//! keep an alert open until it has clearly recovered (hysteresis).

use crate::domain::{silence_reason, Zone};
use crate::domain::{
    AlertCondition, AlertKind, AlertSubject, ClockDrift, DeviceStatus, NotifySettings,
};
use crate::store::{CompanyHealth, DeviceHealth, PushCalls};

/// What the rules need besides the stored facts: the time now, and the
/// `Delay` of a push device that was given none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    pub at: jiff::Timestamp,
    pub push_delay_seconds: u32,
}

/// Conditions that hold for one device.
pub fn device_conditions(
    d: &DeviceHealth,
    s: &NotifySettings,
    now: Now,
    open: impl Fn(AlertKind) -> bool,
) -> Vec<AlertCondition> {
    let subject = AlertSubject::Device(d.device_id);
    let mut out = Vec::new();
    let mut add = |kind, message: String| {
        out.push(AlertCondition {
            kind,
            subject,
            message,
        })
    };
    if s.offline_alert {
        let m = match &d.push {
            Some(calls) => push_silent(d, calls, now),
            None => offline(d, s, open(AlertKind::Offline)),
        };
        if let Some(m) = m {
            add(AlertKind::Offline, m);
        }
    }
    if s.drift_alert {
        if let Some(m) = drift(d, s, open(AlertKind::ClockDrift)) {
            add(AlertKind::ClockDrift, m);
        }
    }
    if s.log_full_alert {
        if let Some(m) = log_full(d, s, open(AlertKind::LogFull)) {
            add(AlertKind::LogFull, m);
        }
    }
    out
}

/// Opens after N failures in a row; stays open until an attempt succeeds.
fn offline(d: &DeviceHealth, s: &NotifySettings, is_open: bool) -> Option<String> {
    let failing = d.status == DeviceStatus::Offline;
    let opens = failing && d.failures_in_a_row >= s.offline_after_polls.max(1);
    if !(opens || (is_open && failing)) {
        return None;
    }
    let why = d.last_error.as_deref().unwrap_or("no reason was recorded");
    Some(format!(
        "{} has not answered {} polls in a row. Last reason: {why}",
        d.name, d.failures_in_a_row
    ))
}

/// A push device is offline when it has not called for 3× its `Delay`
/// (as the device page judges it); it recovers on its next call. One that
/// never called is waiting to be set up, not offline.
fn push_silent(d: &DeviceHealth, calls: &PushCalls, now: Now) -> Option<String> {
    let last = calls.last_call?;
    let delay = calls.delay_seconds.unwrap_or(now.push_delay_seconds).max(1);
    let silent = now.at.duration_since(last).as_secs();
    if silent <= 3 * i64::from(delay) {
        return None;
    }
    let tz = Zone::parse(&d.timezone).unwrap_or_else(|_| Zone::utc());
    let why = silence_reason(last, now.at, tz.tz()).message;
    Some(format!(
        "{} has not called for {} (it calls every {delay} seconds): {why}",
        d.name,
        span(silent.unsigned_abs())
    ))
}

/// Opens over the threshold; clears below three quarters of it.
fn drift(d: &DeviceHealth, s: &NotifySettings, is_open: bool) -> Option<String> {
    let drift = d.clock_drift_seconds?;
    let limit = i64::from(s.drift_threshold_seconds);
    let over = drift.abs() > limit || (is_open && drift.abs() * 4 > limit * 3);
    over.then(|| drift_message(&d.name, drift, &d.timezone))
}

/// Words for a drift, with its likely cause.
pub fn drift_message(name: &str, drift: i64, zone: &str) -> String {
    let way = if drift > 0 { "ahead of" } else { "behind" };
    let abs = drift.unsigned_abs();
    if let ClockDrift::WholeHours { hours } = ClockDrift::of(drift) {
        let hours = hours.unsigned_abs();
        let h = if hours == 1 { "hour" } else { "hours" };
        return format!(
            "{name}'s clock is {hours} {h} {way} the real time. A whole number of hours almost \
             always means the device is set to the wrong time zone: set it to {zone}, or use \
             Set clock."
        );
    }
    format!(
        "{name}'s clock is {} {way} the real time, so its punches are stamped wrong. Use Set \
         clock to correct it.",
        span(abs)
    )
}

fn span(secs: u64) -> String {
    match secs {
        s if s < 120 => format!("{s} seconds"),
        s if s < 7200 => format!("{} minutes", s / 60),
        s => format!("{} hours {} minutes", s / 3600, (s % 3600) / 60),
    }
}

/// Opens at the fill level; clears five points below it.
fn log_full(d: &DeviceHealth, s: &NotifySettings, is_open: bool) -> Option<String> {
    let (count, cap) = (u64::from(d.punch_count?), u64::from(d.punch_capacity?));
    if cap == 0 {
        return None;
    }
    let pct = count * 100 / cap;
    let level = u64::from(s.log_full_percent);
    let over = pct >= level || (is_open && pct + 5 >= level);
    over.then(|| {
        format!(
            "{}'s attendance log is {pct}% full ({count} of {cap} punches). When it is full \
             the device stops recording: rotate the log from its page.",
            d.name
        )
    })
}

/// The seat rule: the plan's seats are all used, or the account is blocked.
pub fn seat_condition(c: &CompanyHealth) -> Option<AlertCondition> {
    if !c.settings.seat_alert {
        return None;
    }
    let message = if c.blocked {
        format!(
            "The account is blocked: {} employees are active and the plan has {} seats. \
             Punches keep arriving; upgrade or deactivate people to see them.",
            c.active_employees, c.seats
        )
    } else if c.seats > 0 && c.active_employees >= u64::from(c.seats) {
        format!(
            "All {} seats of the plan are used. The next new person on a device will block the \
             account until it upgrades.",
            c.seats
        )
    } else {
        return None;
    };
    Some(AlertCondition {
        kind: AlertKind::SeatLimit,
        subject: AlertSubject::Company,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CompanyId, DeviceId};

    fn device() -> DeviceHealth {
        DeviceHealth {
            company_id: CompanyId(1),
            device_id: DeviceId(2),
            name: "Front door".into(),
            status: DeviceStatus::Online,
            last_error: None,
            failures_in_a_row: 0,
            clock_drift_seconds: Some(3),
            punch_count: Some(100),
            punch_capacity: Some(100_000),
            timezone: "Europe/Berlin".into(),
            push: None,
        }
    }

    const NOW: Now = Now {
        at: jiff::Timestamp::constant(1_772_000_000, 0),
        push_delay_seconds: 10,
    };

    fn kinds(d: &DeviceHealth, open: &[AlertKind]) -> Vec<AlertKind> {
        let s = NotifySettings::default();
        device_conditions(d, &s, NOW, |k| open.contains(&k))
            .into_iter()
            .map(|c| c.kind)
            .collect()
    }

    #[test]
    fn a_push_device_is_offline_after_three_delays_without_a_call() {
        let mut d = device();
        d.status = DeviceStatus::Online;
        let ago = |secs: i64| Some(NOW.at - jiff::SignedDuration::from_secs(secs));
        // Never called: waiting to be set up.
        d.push = Some(PushCalls {
            last_call: None,
            delay_seconds: None,
        });
        assert!(kinds(&d, &[]).is_empty());
        // The default delay (10 s): 30 s of silence is still fine, 31 s is not.
        d.push = Some(PushCalls {
            last_call: ago(30),
            delay_seconds: None,
        });
        assert!(kinds(&d, &[]).is_empty());
        d.push = Some(PushCalls {
            last_call: ago(31),
            delay_seconds: None,
        });
        assert_eq!(kinds(&d, &[]), [AlertKind::Offline]);
        let m = &device_conditions(&d, &NotifySettings::default(), NOW, |_| false)[0].message;
        assert!(m.contains("has not called for 31 seconds"), "{m}");
        // Its own delay from the handshake counts: 60 s → 180 s.
        d.push = Some(PushCalls {
            last_call: ago(179),
            delay_seconds: Some(60),
        });
        assert!(kinds(&d, &[AlertKind::Offline]).is_empty(), "recovers");
        d.push = Some(PushCalls {
            last_call: ago(181),
            delay_seconds: Some(60),
        });
        assert_eq!(kinds(&d, &[]), [AlertKind::Offline]);
        // Failed polls mean nothing for a device that calls us.
        d.status = DeviceStatus::Offline;
        d.failures_in_a_row = 10;
        d.push = Some(PushCalls {
            last_call: ago(1),
            delay_seconds: None,
        });
        assert!(kinds(&d, &[]).is_empty());
    }

    #[test]
    fn offline_after_three_failures_until_a_success() {
        let mut d = device();
        d.status = DeviceStatus::Offline;
        d.last_error = Some("connection refused".into());
        for n in 0..3 {
            d.failures_in_a_row = n;
            assert!(kinds(&d, &[]).is_empty(), "{n} failures");
        }
        d.failures_in_a_row = 3;
        assert_eq!(kinds(&d, &[]), [AlertKind::Offline]);
        let m = &device_conditions(&d, &NotifySettings::default(), NOW, |_| false)[0].message;
        assert!(
            m.contains("3 polls in a row") && m.contains("connection refused"),
            "{m}"
        );
        // Open, then one more failure after a restart of the count: still open.
        d.failures_in_a_row = 1;
        assert_eq!(kinds(&d, &[AlertKind::Offline]), [AlertKind::Offline]);
        d.status = DeviceStatus::Online;
        d.failures_in_a_row = 0;
        assert!(
            kinds(&d, &[AlertKind::Offline]).is_empty(),
            "recovers on success"
        );
    }

    #[test]
    fn drift_with_hysteresis_and_its_likely_cause() {
        let mut d = device();
        d.clock_drift_seconds = Some(119);
        assert!(kinds(&d, &[]).is_empty());
        d.clock_drift_seconds = Some(-121);
        assert_eq!(kinds(&d, &[]), [AlertKind::ClockDrift]);
        d.clock_drift_seconds = Some(100);
        assert_eq!(
            kinds(&d, &[AlertKind::ClockDrift]),
            [AlertKind::ClockDrift],
            "stays"
        );
        d.clock_drift_seconds = Some(80);
        assert!(
            kinds(&d, &[AlertKind::ClockDrift]).is_empty(),
            "clears under 90 s"
        );
        let tz = drift_message("Till", 3600 * 2 + 40, "Europe/Berlin");
        assert!(
            tz.contains("2 hours ahead") && tz.contains("wrong time zone"),
            "{tz}"
        );
        assert!(tz.contains("Europe/Berlin"), "{tz}");
        let slow = drift_message("Till", -600, "Europe/Berlin");
        assert!(
            slow.contains("10 minutes behind") && !slow.contains("time zone"),
            "{slow}"
        );
    }

    #[test]
    fn log_full_at_eighty_percent_clears_five_below() {
        let mut d = device();
        d.punch_capacity = Some(1000);
        d.punch_count = Some(799);
        assert!(kinds(&d, &[]).is_empty());
        d.punch_count = Some(800);
        assert_eq!(kinds(&d, &[]), [AlertKind::LogFull]);
        d.punch_count = Some(760);
        assert_eq!(kinds(&d, &[AlertKind::LogFull]), [AlertKind::LogFull]);
        d.punch_count = Some(740);
        assert!(kinds(&d, &[AlertKind::LogFull]).is_empty());
    }

    #[test]
    fn rules_switched_off_stay_quiet() {
        let mut d = device();
        d.status = DeviceStatus::Offline;
        d.failures_in_a_row = 10;
        d.clock_drift_seconds = Some(9000);
        let s = NotifySettings {
            offline_alert: false,
            drift_alert: false,
            ..NotifySettings::default()
        };
        assert!(device_conditions(&d, &s, NOW, |_| false).is_empty());
    }

    #[test]
    fn seats_used_up_or_blocked() {
        let mut c = CompanyHealth {
            company_id: CompanyId(1),
            settings: NotifySettings::default(),
            seats: 10,
            active_employees: 9,
            blocked: false,
        };
        assert!(seat_condition(&c).is_none());
        c.active_employees = 10;
        assert!(seat_condition(&c).unwrap().message.contains("All 10 seats"));
        c.active_employees = 12;
        c.blocked = true;
        assert!(seat_condition(&c)
            .unwrap()
            .message
            .contains("blocked: 12 employees"));
        c.settings.seat_alert = false;
        assert!(seat_condition(&c).is_none());
    }
}
