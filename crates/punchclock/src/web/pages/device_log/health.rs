//! The device's health on its page: its alerts, open and past, and device
//! care (set the clock, rotate the log) with what was done.

use maud::{html, Markup};

use crate::domain::{Alert, DeviceEvent, DeviceId};
use crate::web::pages::ctx::Ctx;
use crate::web::pages::fmt;

/// `care`: the device is one we connect to (push devices get their clock
/// set by a queued command instead).
pub fn card(
    ctx: &Ctx,
    id: DeviceId,
    alerts: &[Alert],
    events: &[DeviceEvent],
    care: bool,
) -> Markup {
    html! {
        div.grid-2 {
            (alerts_card(ctx, alerts))
            @if care { (care_card(ctx, id, events)) }
        }
    }
}

fn care_card(ctx: &Ctx, id: DeviceId, events: &[DeviceEvent]) -> Markup {
    html! {
        div.card data-testid="device-care" {
            h3 { "Device care" }
            form method="post" action=(format!("/devices/{id}/set-clock")) {
                (ctx.csrf())
                button.btn-quiet type="submit" data-testid="set-clock" { "Set clock" }
                span.muted.small { " to the time in the device's zone (written to the audit log)" }
            }
            form method="post" action=(format!("/devices/{id}/rotate-log")) {
                (ctx.csrf())
                label.check {
                    input type="checkbox" name="confirm" value="on" data-testid="confirm-rotate";
                    span { "Clear the device's log once every punch on it is verified as stored" }
                }
                button.btn-quiet type="submit" data-testid="rotate-log" { "Rotate log" }
            }
            @for e in events {
                p.small data-testid="device-event" data-kind=(e.kind.as_str()) data-outcome=(e.outcome.as_str()) {
                    (fmt::minute(e.at, &ctx.tz)) " · " (e.message)
                }
            }
        }
    }
}

fn alerts_card(ctx: &Ctx, alerts: &[Alert]) -> Markup {
    html! {
        div.card data-testid="device-alerts" {
            h3 { "Alerts" }
            @if alerts.is_empty() {
                p.muted { "No alerts for this clock." }
            }
            @for a in alerts {
                p data-testid="alert" data-rule=(a.kind.as_str()) data-state=(a.state().as_str()) {
                    strong { @if a.resolved_at.is_some() { "Resolved" } @else { "Open" } }
                    " · " (a.kind.as_str().replace('_', " "))
                    " · opened " (fmt::minute(a.opened_at, &ctx.tz))
                    @if let Some(r) = a.resolved_at { ", resolved " (fmt::minute(r, &ctx.tz)) }
                    @if let Some(k) = a.acknowledged_at { ", seen " (fmt::minute(k, &ctx.tz)) }
                    br;
                    span { (a.message) }
                }
            }
        }
    }
}
