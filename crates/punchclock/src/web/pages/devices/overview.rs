//! Company › Manage Devices: the list with live status labels.

use maud::{html, Markup};

use super::actions::{action_button, Action, Back};
use super::flash::{self, Flash};
use super::status::{device_status_label, transport_text};
use crate::domain::{DeviceMode, Port};
use crate::service::devices::DeviceSummary;
use crate::web::pages::ctx::Ctx;
use crate::web::pages::fmt;
use crate::web::pages::layout::{head, Nav};
use crate::web::pages::pager::pager;

/// Which page of the list is shown, of how many devices.
#[derive(Debug, Clone, Copy)]
pub struct Shown {
    pub page: u64,
    pub total: u64,
    pub size: u64,
}

/// The list page. `public_address` is where the poller connects from.
pub fn list_page(
    ctx: &Ctx,
    devices: &[DeviceSummary],
    shown: Shown,
    flash: Option<&Flash>,
    public_address: &str,
) -> Markup {
    let status_url = format!("/devices/status.json?page={}", shown.page);
    let link = |n: u64| format!("/devices?page={n}");
    let body = html! {
        (head(&[("/company", "Company"), ("", "Manage Devices")], "Manage Devices",
            Some(html! { a.btn href="/devices/new" data-testid="add-device" { "Add device" } })))
        @if let Some(f) = flash { (flash::render(f)) }
        @if devices.is_empty() && shown.total == 0 {
            div.card.empty data-testid="no-devices" {
                h2.mt-0 { "No devices yet" }
                p { "Add your first time clock: its public address, port and comm key." }
                p { a.btn href="/devices/new" { "Add device" } }
            }
        } @else {
            div.table-wrap data-live-status=(status_url) data-live-every="3000" {
                table.cards data-testid="devices" {
                    thead { tr {
                        th { "Device" } th { "Address" } th { "Status" } th { "Last seen" }
                        th { "Serial number" } th.num { "Punches" } th { span.sr-only { "Actions" } }
                    } }
                    tbody {
                        @for s in devices { (row(ctx, s)) }
                    }
                }
            }
            (pager(shown.page, shown.total, shown.size, link, ("Previous", "Next")))
            p.small.muted { "Status updates by itself. Devices are polled every "
                (ctx.company.poll_interval_minutes) " minutes unless set otherwise." }
        }
        (public_address_box(public_address))
    };
    ctx.page("Manage Devices", Nav::Devices, body)
}

fn row(ctx: &Ctx, s: &DeviceSummary) -> Markup {
    let d = &s.device;
    html! {
        tr data-testid="device-row" data-device-id=(d.id) {
            td.card-title data-label="Device" {
                a href=(format!("/devices/{}", d.id)) data-testid="device-name" { (d.name) }
                @if d.mode == DeviceMode::Poll { " " span.tag { (transport_text(d.transport)) } }
                @if !d.enabled { " " span.tag data-testid="device-disabled" { "Disabled" } }
            }
            td data-label="Address" {
                @if d.mode == DeviceMode::Push {
                    span.tag { "Push" } " "
                    span.mono data-testid="source-address" { (d.push.source_address.as_deref().unwrap_or("")) }
                } @else {
                    span.mono { (d.host) ":" (d.port) }
                }
            }
            td data-label="Status" { (device_status_label(d, ctx.now)) }
            td.nowrap data-label="Last seen" {
                span data-field="last-seen" data-device-id=(d.id)
                    title=[d.last_seen_at.map(|t| fmt::second(t, &ctx.tz))] {
                    (fmt::last_seen(ctx.now, d.last_seen_at))
                }
            }
            td data-label="Serial number" {
                span.mono data-field="serial" data-device-id=(d.id) {
                    (d.serial_number().unwrap_or("—"))
                }
            }
            td.num data-label="Punches" {
                span data-field="punches" data-device-id=(d.id) { (fmt::thousands(s.punches)) }
            }
            td.card-actions {
                div.actions {
                    @if d.mode == DeviceMode::Poll {
                        (action_button(ctx, d, Action::Test, Back::List))
                        (action_button(ctx, d, Action::Sync, Back::List))
                    }
                    a.btn.btn-quiet href=(format!("/devices/{}/edit", d.id)) data-testid="edit-device" { "Edit" }
                    a.btn.btn-quiet href=(format!("/devices/{}/delete", d.id)) data-testid="delete-device" { "Delete" }
                }
            }
        }
    }
}

fn public_address_box(addr: &str) -> Markup {
    let addr = addr.trim();
    let port = Port::DEFAULT;
    html! {
        div.grid-2.mt-lg {
            div.card data-testid="public-address" {
                h3 { "Where we connect from" }
                @if addr.is_empty() {
                    p {
                        "Our poller connects to your devices over the internet. If your router only "
                        "lets in known addresses, ask us for the address to allow."
                    }
                } @else {
                    p {
                        "Our poller connects from " strong.mono { (addr) }
                        "; if your router filters by source address, allow it."
                    }
                }
            }
            div.help {
                h3 { "Reaching a device behind a router" }
                ol {
                    li { "Give the time clock a fixed address on your network (e.g. 192.168.1.201)." }
                    li { "On the router, forward a port (usually " span.mono { (port) } ", TCP and UDP) to that address, port " span.mono { (port) } "." }
                    li { "Enter the router's public IP address or DNS name here, with the forwarded port." }
                    li { "Press " strong { "Test connection" } "." }
                }
            }
        }
    }
}
