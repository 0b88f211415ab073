//! The device page: what it reports about itself, and its log of every
//! contact attempt.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use maud::{html, Markup};

use super::clock;

use crate::domain::{Device, DeviceLog, DeviceMode, DeviceStatus, LogKind, Outcome, PollMode};
use crate::service::device_logs::DeviceHistory;
use crate::service::devices::push::CloudServerSetting;
use crate::web::pages::ctx::Ctx;
use crate::web::pages::devices::actions::{action_button, Action, Back};
use crate::web::pages::devices::flash::{self, Flash};
use crate::web::pages::devices::form::cloud_server_box;
use crate::web::pages::devices::status::{device_status_label, status_text, transport_text};
use crate::web::pages::fmt;
use crate::web::pages::layout::{head, sentence, Nav};
use crate::web::pages::when;

/// How many attempts the page lists.
pub const LOG_ROWS: u32 = 100;

/// `health`: the device's alerts and care (see `health.rs`).
/// `cloud`: what a push device's Cloud Server Setting needs.
pub fn device_page(
    ctx: &Ctx,
    h: &DeviceHistory,
    flash: Option<&Flash>,
    health: Markup,
    cloud: &CloudServerSetting,
) -> Markup {
    let d = &h.device;
    let push = d.mode == DeviceMode::Push;
    let actions = html! {
        @if !push {
            (action_button(ctx, d, Action::Test, Back::Detail))
            (action_button(ctx, d, Action::Sync, Back::Detail))
        }
        a.btn.btn-quiet href=(format!("/devices/{}/edit", d.id)) { "Edit" }
    };
    let body = html! {
        (head(&[("/company", "Company"), ("/devices", "Manage Devices")], &d.name, Some(actions)))
        @if let Some(f) = flash { (flash::render(f)) }
        div.grid-2 data-live-status=(format!("/devices/status.json?id={}", d.id)) data-live-every="3000" {
            @if push { (push_card(ctx, d, cloud)) } @else { (connection_card(ctx, d)) }
            (reported_card(ctx, d, h.punches))
        }
        (health)
        h2 { "Device log" }
        (log_table(ctx, d, &h.logs))
    };
    ctx.page(&d.name, Nav::Devices, body)
}

/// How we reach the device and when.
fn connection_card(ctx: &Ctx, d: &Device) -> Markup {
    let zone = d.timezone.as_ref().unwrap_or(&ctx.company.timezone);
    let interval = d
        .poll_interval_minutes
        .unwrap_or(ctx.company.poll_interval_minutes);
    html! {
        div.card data-testid="device-facts" {
            h3 { "Connection" }
            dl.facts {
                dt { "Status" }
                dd { (device_status_label(d, ctx.now)) }
                @if let Some(err) = &d.last_error {
                    dt { "Last problem" }
                    dd data-field="last-error" data-device-id=(d.id) { (sentence(err)) }
                }
                dt { "Address" } dd.mono { (d.host) ":" (d.port) }
                dt { "Transport" } dd { (transport_text(d.transport)) }
                dt { "Comm key" } dd { @if d.has_comm_key { "Set" } @else { "None" } }
                dt { "Last seen" }
                dd {
                    span data-field="last-seen" data-device-id=(d.id) { (fmt::last_seen(ctx.now, d.last_seen_at)) }
                    @if let Some(t) = d.last_seen_at { span.muted.small { " (" (at(ctx, d, t, fmt::second)) ")" } }
                }
                dt { "Polled" }
                dd {
                    @if d.enabled {
                        "every " (interval) " min; next at " (at(ctx, d, d.next_poll_at, fmt::minute))
                    } @else {
                        span.tag { "Disabled" } " not polled on schedule"
                    }
                }
                dt { "Time zone" }
                dd {
                    (zone)
                    @if d.timezone.is_some() { span.muted.small { " (the device's own; the company's is " (ctx.company.timezone) ")" } }
                }
            }
        }
    }
}

/// A push device: how it calls us and from where.
fn push_card(ctx: &Ctx, d: &Device, cloud: &CloudServerSetting) -> Markup {
    let p = &d.push;
    let zone = d.timezone.as_ref().unwrap_or(&ctx.company.timezone);
    html! {
        div.card data-testid="device-facts" {
            h3 { "Connection (push)" }
            dl.facts {
                dt { "Status" }
                dd { (device_status_label(d, ctx.now)) }
                @if let Some(err) = &d.last_error {
                    dt { "Last problem" }
                    dd data-field="last-error" data-device-id=(d.id) { (sentence(err)) }
                }
                dt { "Serial number" } dd.mono data-testid="push-serial" { (p.serial.as_deref().unwrap_or("—")) }
                dt { "Calls from" }
                dd.mono data-testid="source-address" {
                    (p.source_address.as_deref().unwrap_or("—"))
                    @if p.lock_source { " " span.tag { "Locked" } }
                }
                @if let Some(pending) = &p.pending_source_address {
                    dt { "Refused address" }
                    dd data-testid="pending-source" { span.mono { (pending) } " — accept it with the API (POST /api/v1/devices/" (d.id) "/source/accept)" }
                }
                dt { "Last call" }
                dd {
                    span data-field="last-seen" data-device-id=(d.id) { (fmt::last_seen(ctx.now, d.last_seen_at.or(p.last_seen))) }
                    @if let Some(t) = p.last_seen { span.muted.small { " (" (fmt::second(t, &ctx.tz)) ")" } }
                }
                dt { "Push version" } dd { (p.push_version.as_deref().unwrap_or("—")) }
                dt { "Time zone" } dd { (zone) }
            }
            @if p.handshake_at.is_none() { (cloud_server_box(cloud)) }
        }
    }
}

/// What the device said about itself on the last contact.
fn reported_card(ctx: &Ctx, d: &Device, punches: u64) -> Markup {
    let info = &d.info;
    let dash = || "—".to_string();
    html! {
        div.card data-testid="device-info" {
            h3 { "What the device reports" }
            @if d.status == DeviceStatus::Pending && info.serial_number.is_none() && d.mode == DeviceMode::Poll {
                p.muted { (status_text(d.status)) ": press Test connection to read its details." }
            }
            dl.facts {
                dt { "Serial number" } dd.mono data-testid="device-serial" { (info.serial_number.clone().unwrap_or_else(dash)) }
                dt { "Model" } dd { (info.device_name.clone().unwrap_or_else(dash)) }
                dt { "Platform" } dd { (info.platform.clone().unwrap_or_else(dash)) }
                dt { "Firmware" } dd { (info.firmware.clone().unwrap_or_else(dash)) }
                dt { "MAC address" } dd.mono { (info.mac.clone().unwrap_or_else(dash)) }
                dt { "Users" } dd { (fmt::of(info.user_count, info.user_capacity)) }
                dt { "Punches on device" } dd { (fmt::of(info.punch_count, info.punch_capacity)) }
                dt { "Punches stored here" } dd { a href=(format!("/punches?device={}", d.id)) { (fmt::thousands(punches)) } }
                dt { "Clock" }
                dd data-testid="clock-drift" { (clock::drift_text(d)) }
            }
            @if let Some(a) = clock::advice(ctx, d) { (a) }
        }
    }
}

/// `t` in the company zone, and also on the device's own zone when it has
/// another one (labelled with it).
fn at(ctx: &Ctx, d: &Device, t: Timestamp, format: fn(Timestamp, &TimeZone) -> String) -> Markup {
    let company = ctx.company.timezone.name();
    html! {
        (when::company(format(t, &ctx.tz), company))
        @if let Some(z) = d.timezone.as_ref().filter(|z| z.name() != company) {
            " · " (when::zoned(format(t, z.tz()), z.name(), company))
        }
    }
}

fn log_table(ctx: &Ctx, d: &Device, logs: &[DeviceLog]) -> Markup {
    html! {
        @if logs.is_empty() {
            div.card.empty data-testid="no-log" { "No contact attempts yet." }
        } @else {
            div.table-wrap {
                table.cards data-testid="device-log" {
                    thead { tr {
                        th { "Started" } th { "Kind" } th.num { "Duration" } th { "Address" }
                        th { "Outcome" } th.num { "Users read" } th.num { "Punches read" }
                        th.num { "New punches" } th { "Reason" }
                    } }
                    tbody {
                        @for l in logs { (log_row(ctx, d, l)) }
                    }
                }
            }
            @if logs.len() as u32 == LOG_ROWS { p.small.muted { "Showing the last " (LOG_ROWS) " attempts." } }
        }
    }
}

/// What each poll mode means, as a tooltip.
fn mode_words(mode: PollMode) -> &'static str {
    match mode {
        PollMode::Full => "Every punch on the device was read and checked against the stored ones",
        PollMode::Incremental => "The log grew: only the punches after the last sync were stored",
        PollMode::Unchanged => "The device's counts matched the last sync: nothing was downloaded",
    }
}

fn log_row(ctx: &Ctx, d: &Device, l: &DeviceLog) -> Markup {
    html! {
        tr data-testid="log-entry" data-outcome=(l.outcome.as_str()) data-kind=(l.kind.as_str()) {
            td.card-title data-label="Started" { (at(ctx, d, l.started_at, fmt::second)) }
            td data-label="Kind" {
                span.tag { @match l.kind { LogKind::Sync => "Sync", LogKind::Test => "Test" } }
                @if let Some(mode) = l.mode { " " span.tag data-field="mode" title=(mode_words(mode)) { (mode.as_str()) } }
            }
            td.num data-label="Duration" {
                (fmt::duration_ms(l.duration_ms))
                @if l.bytes_received + l.bytes_sent > 0 {
                    br; span.small.muted.nowrap data-field="bytes" title="Bytes received from / sent to the device" {
                        (fmt::thousands(l.bytes_received)) " B in / " (fmt::thousands(l.bytes_sent)) " B out"
                    }
                }
            }
            td data-label="Address" {
                span.mono { (l.address.clone().unwrap_or_else(|| l.host.clone())) }
                @if let Some(t) = l.transport_used { " " span.tag { (transport_text(t)) } }
            }
            td data-label="Outcome" {
                @match l.outcome {
                    Outcome::Ok => span.outcome-ok data-field="outcome" { "OK" },
                    Outcome::Failed => span.outcome-failed data-field="outcome" { "Failed" },
                }
            }
            @if l.kind == LogKind::Test {
                // A test only shakes hands; nothing is read.
                td.num.muted data-label="Users read" { "—" }
                td.num.muted data-label="Punches read" { "—" }
                td.num.muted data-label="New punches" { "—" }
            } @else {
                td.num data-label="Users read" data-field="users-read" { (l.users_read) }
                td.num data-label="Punches read" {
                    span data-field="punches-read" { (l.punches_read) }
                    @if l.punches_known > 0 {
                        br; span.small.muted.nowrap data-field="punches-known" { (fmt::thousands(l.punches_known.into())) " already stored" }
                    }
                }
                td.num data-label="New punches" data-field="punches-new" { (l.punches_new) }
            }
            td.wide data-label="Reason" data-field="reason" {
                @if let Some(r) = &l.reason { (sentence(r)) }
                @else if l.employees_new > 0 { span.muted { (fmt::plural(l.employees_new.into(), "new employee", "new employees")) } }

                // Why the sync downloaded what it did (only polls have a mode).
                @if let (Some(_), Some(note)) = (l.mode, &l.detail) {
                    div.small.muted data-field="sync-note" { (sentence(note)) }
                }
            }
        }
    }
}
