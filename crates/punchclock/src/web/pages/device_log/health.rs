//! The device's health on its page: its alerts, open and past.

use maud::{html, Markup};

use crate::domain::Alert;
use crate::web::pages::ctx::Ctx;
use crate::web::pages::fmt;

pub fn card(ctx: &Ctx, alerts: &[Alert]) -> Markup {
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
