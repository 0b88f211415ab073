//! The message after an action on a device: added, saved, deleted, or what
//! a test or sync found, in plain words from its device-log entry.

use maud::{html, Markup};
use serde::Deserialize;

use super::status::transport_text;
use crate::domain::{Device, DeviceId, DeviceLog, DeviceLogId, LogKind, Outcome};
use crate::web::pages::ctx::Ctx;
use crate::web::pages::fmt;
use crate::web::pages::layout::sentence;
use crate::web::AppState;

/// `?added=`, `?saved=`, `?deleted=` or `?did=…&device=…&log=…`.
#[derive(Deserialize, Default)]
pub struct FlashQuery {
    /// `test` or `sync`.
    #[serde(default)]
    did: Option<String>,
    #[serde(default)]
    device: Option<String>,
    #[serde(default)]
    log: Option<String>,
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    added: Option<String>,
    #[serde(default)]
    deleted: Option<String>,
}

/// What to tell, loaded.
pub enum Flash {
    Deleted,
    Added(Device),
    Saved(Device),
    Outcome(Device, DeviceLog),
}

fn id<T: std::str::FromStr>(v: &Option<String>) -> Option<T> {
    v.as_deref()?.parse().ok()
}

/// Load what the query points at; a stale or foreign id shows nothing.
pub async fn load(state: &AppState, ctx: &Ctx, q: &FlashQuery) -> Option<Flash> {
    if q.deleted.is_some() {
        return Some(Flash::Deleted);
    }
    let devices = state.services.devices();
    if let Some(added) = id(&q.added) {
        let d = devices.get(ctx.caller(), DeviceId(added)).await.ok()?;
        return Some(Flash::Added(d));
    }
    if let Some(saved) = id(&q.saved) {
        let d = devices.get(ctx.caller(), DeviceId(saved)).await.ok()?;
        return Some(Flash::Saved(d));
    }
    q.did.as_ref()?;
    let (device, log) = (DeviceId(id(&q.device)?), DeviceLogId(id(&q.log)?));
    let logs = state.services.device_logs();
    let (d, l) = logs.find_recent(ctx.caller(), device, log).await.ok()??;
    Some(Flash::Outcome(d, l))
}

pub fn render(flash: &Flash) -> Markup {
    match flash {
        Flash::Deleted => html! {
            div.flash.flash-ok role="status" data-testid="action-result" {
                strong { "Device deleted." }
                "Its punches and employees are kept."
            }
        },
        Flash::Added(d) => html! {
            div.flash.flash-ok role="status" data-testid="action-result" {
                strong { "Added " (d.name) "." }
                "Use Test connection to check that we can reach it."
            }
        },
        Flash::Saved(d) => html! {
            div.flash.flash-ok role="status" data-testid="action-result" {
                strong { "Saved " (d.name) "." }
            }
        },
        Flash::Outcome(d, l) => outcome_flash(d, l),
    }
}

/// What a test or sync found, in plain words, from its device-log entry.
pub fn outcome_flash(device: &Device, log: &DeviceLog) -> Markup {
    let ok = log.outcome == Outcome::Ok;
    let title = match (log.kind, ok) {
        (LogKind::Test, true) => format!("Connection test: {} answered.", device.name),
        (LogKind::Test, false) => format!("Connection test: could not reach {}.", device.name),
        (LogKind::Sync, true) => format!("Synced {}.", device.name),
        (LogKind::Sync, false) => format!("Sync of {} failed.", device.name),
    };
    let class = if ok {
        "flash flash-ok"
    } else {
        "flash flash-bad"
    };
    html! {
        div class=(class) role="status" data-testid="action-result" data-outcome=(log.outcome.as_str()) {
            strong { (title) }
            @if ok {
                (success_details(device, log))
                @if let Some(r) = &log.reason { p { (sentence(r)) } }
            } @else {
                p data-testid="action-reason" {
                    (sentence(log.reason.as_deref().unwrap_or("the device did not answer")))
                }
                p.small { a href=(format!("/devices/{}", device.id)) { "See the device log" } }
            }
        }
    }
}

fn success_details(device: &Device, log: &DeviceLog) -> Markup {
    html! {
        @match log.kind {
            LogKind::Test => {
                p {
                    "Connected to " (log.address.as_deref().unwrap_or(&log.host))
                    @if let Some(t) = log.transport_used { " over " (transport_text(t)) }
                    " in " (fmt::duration_ms(log.duration_ms)) "."
                    @if let Some(s) = &device.info.serial_number { " Serial number " (s) "." }
                }
            }
            LogKind::Sync => {
                p {
                    "Read " (fmt::plural(log.users_read.into(), "user", "users"))
                    " and " (fmt::plural(log.punches_read.into(), "punch", "punches"))
                    " in " (fmt::duration_ms(log.duration_ms)) ": "
                    (fmt::plural(log.punches_new.into(), "new punch", "new punches"))
                    @if log.employees_new > 0 {
                        ", " (fmt::plural(log.employees_new.into(), "new employee", "new employees"))
                    }
                    "."
                }
            }
        }
    }
}
