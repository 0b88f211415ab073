//! The device clock on the device page: its drift in words, and what to do
//! about it. A whole number of hours off is a zone set wrong, fixed on the
//! device (or by giving the device its zone here); any other drift is a
//! clock to set.

use maud::{html, Markup};

use crate::domain::{ClockDrift, Device, DeviceMode};
use crate::web::pages::ctx::Ctx;
use crate::web::pages::fmt;
use crate::web::pages::layout::sentence;

/// Where the date and time live in a ZKTeco menu (newer, then older firmware).
const MENU_DATE_TIME: &str =
    "Menu › System › Date Time (older models: Menu › Options › System Opt › Date/Time)";

/// The drift in words, or a dash before the first contact.
pub fn drift_text(d: &Device) -> String {
    match d.info.clock_drift_seconds {
        Some(s) => sentence(&fmt::drift(s)),
        None => "—".into(),
    }
}

/// Advice for a drift worth acting on; nothing for a clock in step.
pub fn advice(ctx: &Ctx, d: &Device) -> Option<Markup> {
    let seconds = d.info.clock_drift_seconds?;
    match ClockDrift::of(seconds) {
        ClockDrift::InStep | ClockDrift::Small => None,
        ClockDrift::WholeHours { hours } => Some(wrong_zone(ctx, d, hours)),
        ClockDrift::Wrong => Some(wrong_clock(ctx, d)),
    }
}

fn wrong_zone(ctx: &Ctx, d: &Device, hours: i64) -> Markup {
    let zone = d.timezone.as_ref().unwrap_or(&ctx.company.timezone);
    let ours = i64::from(zone.tz().to_offset(ctx.now).seconds());
    let theirs = ours + hours * 3600;
    html! {
        div.flash.flash-info.mt data-testid="clock-advice" data-advice="zone" {
            strong { "The device's time zone is probably wrong." }
            p {
                "Its clock is a whole number of hours off (" (fmt::plural(hours.unsigned_abs(), "hour", "hours"))
                "), which is what a clock set to another zone's time looks like: it keeps "
                (utc_offset(theirs)) " time, but this device is read as " strong { (zone) } " ("
                (utc_offset(ours)) " now)."
            }
            p {
                "To fix it on the device: " (MENU_DATE_TIME) ", and set the time zone (or the local time) to "
                (zone) "'s. If the clock is meant to keep another zone's time, "
                a href=(format!("/devices/{}/edit", d.id)) { "give this device that time zone" } " instead."
            }
        }
    }
}

fn wrong_clock(ctx: &Ctx, d: &Device) -> Markup {
    html! {
        div.flash.flash-info.mt data-testid="clock-advice" data-advice="set-clock" {
            strong { "The device clock needs setting." }
            p { "Punches are stamped by the device clock, so they are off by as much. " }
            @match set_clock_action(ctx, d) {
                Some(button) => { (button) }
                None => p { "Set the clock on the device: " (MENU_DATE_TIME) "." },
            }
        }
    }
}

/// The "Set clock" button (device care) for a device we connect to; a
/// push device is only ever told what to do when it calls.
fn set_clock_action(ctx: &Ctx, d: &Device) -> Option<Markup> {
    (d.mode == DeviceMode::Poll).then(|| {
        html! {
            form method="post" action=(format!("/devices/{}/set-clock", d.id)) {
                (ctx.csrf())
                p {
                    "Set it now to the time in its zone (written to the audit log): "
                    button.btn type="submit" data-testid="advice-set-clock" { "Set clock" }
                }
            }
        }
    })
}

/// `UTC+02:00` for an offset in seconds.
fn utc_offset(seconds: i64) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn offsets_in_words() {
        assert_eq!(super::utc_offset(2 * 3600), "UTC+02:00");
        assert_eq!(super::utc_offset(-5 * 3600), "UTC-05:00");
        assert_eq!(super::utc_offset(19_800), "UTC+05:30");
        assert_eq!(super::utc_offset(0), "UTC+00:00");
    }
}
