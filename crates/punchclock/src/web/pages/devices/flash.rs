//! The message after an action on a device: added, saved, deleted, or what
//! a test or sync found, in plain words from its device-log entry.

use maud::{html, Markup};
use serde::Deserialize;

use super::status::transport_text;
use crate::domain::{Device, DeviceId, DeviceLog, DeviceLogId, LogKind, Outcome, PollMode};
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
    /// A new device, with its first contact (a connection test) if made.
    Added(Device, Option<DeviceLog>),
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
        let first = first_contact(state, ctx, d.id, q).await;
        return Some(Flash::Added(d, first));
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

/// The log entry `?log=` names, when it is this device's.
async fn first_contact(
    state: &AppState,
    ctx: &Ctx,
    device: DeviceId,
    q: &FlashQuery,
) -> Option<DeviceLog> {
    let log = DeviceLogId(id(&q.log)?);
    let logs = state.services.device_logs();
    let (_, l) = logs.find_recent(ctx.caller(), device, log).await.ok()??;
    Some(l)
}

pub fn render(flash: &Flash) -> Markup {
    match flash {
        Flash::Deleted => html! {
            div.flash.flash-ok role="status" data-testid="action-result" {
                strong { "Device deleted." }
                "Its punches and employees are kept."
            }
        },
        Flash::Added(d, Some(first)) => added_flash(d, first),
        Flash::Added(d, None) => html! {
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

/// A new device and what its first contact found, in the words of Test
/// connection. A failure keeps the device: the router may not be ready.
fn added_flash(device: &Device, log: &DeviceLog) -> Markup {
    let ok = log.outcome == Outcome::Ok;
    html! {
        div class=(flash_class(ok)) role="status" data-testid="action-result" data-outcome=(log.outcome.as_str()) {
            strong { "Added " (device.name) "." }
            (outcome_words(device, log))
            @if !ok {
                p data-testid="still-saved" {
                    "The device is saved, and we keep trying on schedule. Once the router forwards the "
                    "port (or the address is fixed under Edit), press Test connection."
                }
            }
        }
    }
}

/// What a test or sync found, in plain words, from its device-log entry.
pub fn outcome_flash(device: &Device, log: &DeviceLog) -> Markup {
    let ok = log.outcome == Outcome::Ok;
    html! {
        div class=(flash_class(ok)) role="status" data-testid="action-result" data-outcome=(log.outcome.as_str()) {
            (outcome_words(device, log))
        }
    }
}

fn flash_class(ok: bool) -> &'static str {
    if ok {
        "flash flash-ok"
    } else {
        "flash flash-bad"
    }
}

/// The title and details of a test or sync outcome.
fn outcome_words(device: &Device, log: &DeviceLog) -> Markup {
    let ok = log.outcome == Outcome::Ok;
    let title = match (log.kind, ok) {
        (LogKind::Test, true) => format!("Connection test: {} answered.", device.name),
        (LogKind::Test, false) => format!("Connection test: could not reach {}.", device.name),
        (LogKind::Sync, true) => format!("Synced {}.", device.name),
        (LogKind::Sync, false) => format!("Sync of {} failed.", device.name),
    };
    html! {
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
            LogKind::Sync if log.mode == Some(PollMode::Unchanged) => {
                p {
                    "Nothing changed on the device since the last sync: its counts were the same, so nothing was downloaded ("
                    (fmt::thousands(log.bytes_received + log.bytes_sent)) " bytes in "
                    (fmt::duration_ms(log.duration_ms)) ")."
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
