//! The dashboard's panels, and the page around them.

use jiff::civil::Date;
use maud::{html, Markup};

use super::chart;
use crate::service::dashboard::{Attention, Dashboard, Figure, Health, InNow, TodayCounts};
use crate::web::pages::attendance::words::day_name;
use crate::web::pages::blocked::blocked_screen;
use crate::web::pages::ctx::Ctx;
use crate::web::pages::layout::{self, head, sentence, Nav};
use crate::web::pages::{fmt, when};

/// What the panels show: everything, or (blocked) devices and alerts.
pub enum Panels {
    Full(Box<Dashboard>),
    Health(Health),
}

/// How often the page fetches its panels again.
const REFRESH_MS: u32 = 20_000;

pub fn page(ctx: &Ctx, panels: Panels) -> Markup {
    let live = html! {
        div data-live-panels="/dashboard/live" data-live-every=(REFRESH_MS) data-testid="dashboard" {
            (self::panels(ctx, &panels))
        }
    };
    match panels {
        Panels::Full(_) => ctx.page(
            "Dashboard",
            Nav::Dashboard,
            html! {
                (head(&[], "Dashboard", None))
                (live)
            },
        ),
        Panels::Health(_) => layout::page(
            "Account blocked",
            Some(&ctx.chrome(Nav::Dashboard)),
            html! {
                (blocked_screen(&ctx.plan_view()))
                h2 { "Devices keep syncing" }
                (live)
            },
        ),
    }
}

/// The panels alone (also `/dashboard/live`).
pub fn panels(ctx: &Ctx, p: &Panels) -> Markup {
    let zone = ctx.company.timezone.name();
    let updated = ctx
        .now
        .to_zoned(ctx.tz.clone())
        .strftime("%H:%M:%S")
        .to_string();
    match p {
        Panels::Health(h) => health(ctx, h),
        Panels::Full(d) => html! {
            p.small.muted data-testid="dashboard-updated" {
                (day_name(d.today)) " · updated " (when::company(updated, zone))
            }
            div.grid-2 {
                (in_now(ctx, &d.in_now))
                (today(&d.today_counts, d.today))
            }
            (health(ctx, &d.health))
            div.grid-2.mt {
                section.card aria-labelledby="hours-title" data-testid="worked-hours" {
                    h2.mt-0 id="hours-title" { "Worked hours, last 30 days" }
                    (chart::worked_hours(&d.hours))
                }
                (attention(&d.attention))
            }
        },
    }
}

fn in_now(ctx: &Ctx, people: &[InNow]) -> Markup {
    let zone = ctx.company.timezone.name();
    html! {
        section.card aria-labelledby="in-title" data-testid="in-now" {
            h2.mt-0 id="in-title" { "In now " span.tag data-testid="in-count" { (people.len()) } }
            @if people.is_empty() {
                p.muted data-testid="nobody-in" { "Nobody is checked in right now." }
            } @else {
                ul.plain {
                    @for p in people {
                        li data-testid="in-person" data-employee-id=(p.employee_id) {
                            a href=(format!("/attendance/employees/{}", p.employee_id)) { (p.name) }
                            " " span.muted.small.mono { "#" (p.enroll_id) }
                            br;
                            span.small {
                                "in since " span data-field="since" { (when::company(fmt::clock_time(p.since, &ctx.tz), zone)) }
                                " · "
                                @match (&p.device_id, &p.device_name) {
                                    (Some(id), Some(name)) => a href=(format!("/devices/{id}")) data-field="device" { (name) },
                                    (None, _) => span data-field="device" { "added by hand" },
                                    (Some(_), None) => span data-field="device" { "a deleted device" },
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn today(c: &TodayCounts, date: Date) -> Markup {
    let link = |f: Figure| format!("/attendance?date={date}&show={}", f.as_str());
    html! {
        section.card aria-labelledby="today-title" data-testid="today" {
            h2.mt-0 id="today-title" { "Today" }
            ul.plain {
                @for (figure, n, label) in [
                    (Figure::Present, c.present, "present"),
                    (Figure::Late, c.late, "late"),
                    (Figure::Absent, c.absent, "absent"),
                    (Figure::OnLeave, c.on_leave, "on leave"),
                    (Figure::NotYetIn, c.not_yet_in, "not yet in"),
                ] {
                    li {
                        a href=(link(figure)) data-testid={ "today-" (figure.as_str()) } {
                            strong data-field="count" { (n) } " " (label)
                        }
                    }
                }
            }
        }
    }
}

fn health(ctx: &Ctx, h: &Health) -> Markup {
    let d = &h.devices;
    let zone = ctx.company.timezone.name();
    html! {
        div.grid-2.mt {
            section.card aria-labelledby="devices-title" data-testid="device-panel" {
                h2.mt-0 id="devices-title" { "Devices" }
                p {
                    span.status.status-online data-testid="devices-online" { (d.online) " online" }
                    " "
                    span.status.status-offline data-testid="devices-offline" { (d.offline.len()) " offline" }
                    @if d.never_connected > 0 { " " span.status.status-pending { (d.never_connected) " never connected" } }
                    @if d.disabled > 0 { " " span.status.status-disabled { (d.disabled) " paused" } }
                }
                @if !d.offline.is_empty() {
                    ul.plain {
                        @for dev in &d.offline {
                            li data-testid="offline-device" data-device-id=(dev.id) {
                                a href=(format!("/devices/{}", dev.id)) { strong { (dev.name) } }
                                br;
                                span.small data-field="reason" {
                                    (dev.last_error.as_deref().map(sentence).unwrap_or_else(|| "The last attempt failed.".into()))
                                }
                                br;
                                span.small.muted {
                                    "Last successful sync: "
                                    @match dev.last_seen_at {
                                        Some(t) => span data-field="last-sync" { (when::company(fmt::minute(t, &ctx.tz), zone)) " (" (fmt::ago(ctx.now, t)) ")" },
                                        None => span data-field="last-sync" { "never" },
                                    }
                                }
                            }
                        }
                    }
                }
                p.mb-0 { a href="/devices" data-testid="manage-devices" { "Manage Devices" } }
            }
            section.card aria-labelledby="alerts-title" data-testid="alerts" {
                h2.mt-0 id="alerts-title" { "Open alerts " span.tag { (h.alerts.len()) } }
                @if h.alerts.is_empty() {
                    p.muted { "No open alerts." }
                } @else {
                    ul.plain {
                        @for a in &h.alerts {
                            li data-testid="alert" data-kind=(a.kind.as_str()) {
                                (a.message)
                                br;
                                span.small.muted { "Since " (when::company(fmt::minute(a.opened_at, &ctx.tz), zone)) }
                            }
                        }
                    }
                }
                p.mb-0 { a href="/notifications" { "Alert settings" } }
            }
        }
    }
}

fn attention(days: &[Attention]) -> Markup {
    let cell = |date: Date, n: usize, f: Figure| {
        html! {
            @if n == 0 { span.muted { "—" } } @else {
                a href=(format!("/attendance?date={date}&show={}", f.as_str())) data-testid={ "attention-" (f.as_str()) } { (n) }
            }
        }
    };
    html! {
        section.card aria-labelledby="attention-title" data-testid="attention" {
            h2.mt-0 id="attention-title" { "Needs attention, last 7 days" }
            @if days.is_empty() {
                p.muted data-testid="nothing-to-check" { "Nothing to check: no incomplete days, unassigned punches or key conflicts." }
            } @else {
                div.table-wrap {
                    table.cards {
                        thead { tr { th { "Day" } th.num { "Incomplete days" } th.num { "Unassigned punches" } th.num { "Key conflicts" } } }
                        tbody {
                            @for a in days {
                                tr data-testid="attention-day" data-date=(a.date) {
                                    td.card-title data-label="Day" { a href=(format!("/attendance?date={}", a.date)) { (day_name(a.date)) } }
                                    td.num data-label="Incomplete days" { (cell(a.date, a.incomplete_days, Figure::Incomplete)) }
                                    td.num data-label="Unassigned punches" { (cell(a.date, a.unassigned_punches, Figure::Unassigned)) }
                                    td.num data-label="Key conflicts" { (cell(a.date, a.status_conflicts, Figure::StatusConflict)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
