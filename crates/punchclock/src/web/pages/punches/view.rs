//! The punch list: filters, the table, and paging.

use crate::web::pages::exports;
use maud::{html, Markup};

use super::query::{PunchQuery, PAGE_SIZES};
use crate::domain::{Device, Employee, PunchView, NO_NAME};
use crate::service::FieldErrors;
use crate::web::pages::ctx::Ctx;
use crate::web::pages::fmt;
use crate::web::pages::layout::{field_error, head, Nav};
use crate::web::pages::pager::pager;
use crate::web::pages::when;

/// What the page shows, loaded.
pub struct PunchPage {
    /// The people an employee search matched.
    pub matches: Vec<Employee>,
    pub devices: Vec<Device>,
    pub punches: Vec<PunchView>,
    pub total: u64,
    pub page: u64,
    /// Punches a page.
    pub size: u32,
}

pub fn punch_page(ctx: &Ctx, q: &PunchQuery, errors: &FieldErrors, p: &PunchPage) -> Markup {
    let body = html! {
        (head(&[], "Punches", Some(html! {
            a.btn href="/punches/new" data-testid="add-missing-punch" { "Add missing punch" }
        })))
        (filters(q, errors, p))
        p.small.muted {
            "Times are in " (ctx.company.timezone) ". "
            "Device time is what the clock itself printed."
        }
        @if errors.is_empty() {
            (exports::links("Download every punch with these filters", &q.export_link(), "punches"))
        }
        @if p.punches.is_empty() {
            (empty(q, errors, p))
        } @else {
            (table(ctx, &p.punches, &p.devices))
            (pager(p.page, p.total, u64::from(p.size), |n| q.link(n), ("Newer", "Older")))
        }
    };
    ctx.page("Punches", Nav::Punches, body)
}

/// Why the list is empty: a bad filter, nothing matching, past the last
/// page (with the way back), or no punches at all yet.
fn empty(q: &PunchQuery, errors: &FieldErrors, p: &PunchPage) -> Markup {
    let size = u64::from(p.size);
    let last = p.total.div_ceil(size).max(1);
    html! {
        div.card.empty data-testid="no-punches" {
            @if !errors.is_empty() { "Fix the filter above to see punches." }
            @else if p.total > 0 {
                p data-testid="past-last-page" {
                    "This range has no punches: page " (p.page) " is past the end of the list, which has "
                    (fmt::plural(p.total, "punch", "punches")) " on " (fmt::plural(last, "page", "pages")) "."
                }
                p { a.btn.btn-quiet href=(q.link(last)) data-testid="back-to-last-page" { "← Back to page " (last) } }
            }
            @else if q.filtered() { "No punches match these filters." }
            @else { "No punches yet. They appear after a device is synced." }
        }
    }
}

fn filters(q: &PunchQuery, errors: &FieldErrors, p: &PunchPage) -> Markup {
    html! {
        form.card.mb method="get" action="/punches" data-testid="punch-filters" {
            div.filters {
                div.field.field-names.has-error[errors.get("who").or(errors.get("employee")).is_some()] {
                    label for="f-who" { "Employee" }
                    input id="f-who" type="search" name="who" value=(q.who) maxlength="100"
                        placeholder="Name or enroll ID" autocomplete="off" data-testid="employee-search";
                    @if !q.employee.is_empty() {
                        input type="hidden" name="employee" value=(q.employee);
                    }
                    (field_error("f-who-error", "who", errors.get("who").or(errors.get("employee"))))
                }
                div.field.has-error[errors.get("device").is_some()] {
                    label for="f-device" { "Device" }
                    select id="f-device" name="device" {
                        option value="" { "All devices" }
                        @for d in &p.devices {
                            option value=(d.id) selected[q.device == d.id.to_string()] { (d.name) }
                        }
                    }
                    (field_error("f-device-error", "device", errors.get("device")))
                }
                (date_field("from", "From", &q.from, errors))
                (date_field("to", "To", &q.to, errors))
                (date_field("at", "Go to date", &q.at, errors))
                div.field.has-error[errors.get("size").is_some()] {
                    label for="f-size" { "Per page" }
                    select id="f-size" name="size" data-testid="page-size" {
                        @for n in PAGE_SIZES {
                            option value=(n) selected[n == p.size] { (n) }
                        }
                    }
                    (field_error("f-size-error", "size", errors.get("size")))
                }
                div.actions {
                    button type="submit" data-testid="apply-filters" { "Show" }
                    @if q.filtered() { a.btn.btn-quiet href="/punches" { "Clear" } }
                }
            }
            (matched(q, p))
        }
    }
}

/// Whom an employee search matched, each a link to their punches alone.
fn matched(q: &PunchQuery, p: &PunchPage) -> Markup {
    let shown = &p.matches[..p.matches.len().min(super::MAX_MATCHES)];
    html! {
        @if !q.who.trim().is_empty() && !shown.is_empty() && shown.len() == p.matches.len() {
            p.small.mb-0 data-testid="search-matches" {
                "Punches of " (fmt::plural(shown.len() as u64, "person", "people")) ": "
                @for (i, e) in shown.iter().enumerate() {
                    @if i > 0 { ", " }
                    a href=(format!("/punches?employee={}", e.id)) data-testid="search-match" data-employee-id=(e.id) {
                        (e.display_name()) " #" (e.enroll_id)
                    }
                }
            }
        }
    }
}

fn date_field(name: &str, label: &str, value: &str, errors: &FieldErrors) -> Markup {
    let id = format!("f-{name}");
    html! {
        div.field.has-error[errors.get(name).is_some()] {
            label for=(id) { (label) }
            input id=(id) type="date" name=(name) value=(value);
            (field_error(&format!("{id}-error"), name, errors.get(name)))
        }
    }
}

fn table(ctx: &Ctx, punches: &[PunchView], devices: &[Device]) -> Markup {
    html! {
        div.table-wrap {
            table.cards.compact data-testid="punches" {
                thead { tr {
                    th { "Time" } th { "Employee" } th { "Device" } th { "Device time" } th { "Punch" } th { "" }
                } }
                tbody {
                    @for (i, p) in punches.iter().enumerate() {
                        // The first row of each day is where "Go to date" lands.
                        @let day = p.punch.punched_at.to_zoned(ctx.tz.clone()).date();
                        @let first = i == 0 || punches[i - 1].punch.punched_at.to_zoned(ctx.tz.clone()).date() != day;
                        (row(ctx, p, device_zone(ctx, devices, p), first.then_some(day)))
                    }
                }
            }
        }
    }
}

/// The zone a punch's device time was read in: the device's own, else the
/// company's (also for a deleted device, whose zone is no longer known).
fn device_zone<'a>(ctx: &'a Ctx, devices: &'a [Device], p: &PunchView) -> &'a str {
    let device = devices.iter().find(|d| Some(d.id) == p.punch.device_id);
    device
        .and_then(|d| d.timezone.as_ref())
        .unwrap_or(&ctx.company.timezone)
        .name()
}

fn row(ctx: &Ctx, p: &PunchView, zone: &str, first_of: Option<jiff::civil::Date>) -> Markup {
    let company = ctx.company.timezone.name();
    let time = html! { span data-field="time" { (fmt::second(p.punch.punched_at, &ctx.tz)) } };
    let device_time = html! { span data-field="device-time" { (fmt::civil(p.punch.device_time)) } };
    html! {
        tr data-testid="punch-row" data-punch-id=(p.punch.id) data-voided[p.punch.voided]
            id=[first_of.map(|d| format!("day-{d}"))] {
            td.card-title data-label="Time" { (when::company(time, company)) }
            td.who data-label="Employee" {
                @if p.employee_name == NO_NAME { span.no-name { (NO_NAME) } } @else { (p.employee_name) }
                " " span.muted.small.mono { "#" (p.punch.enroll_id) }
            }
            td.where data-label="Device" {
                @match &p.device_name {
                    _ if p.punch.manual => { span.tag { "Added by hand" } }
                    Some(n) => { (n) }
                    None => { span.muted { "Deleted device " span.mono { (p.punch.device_serial) } } }
                }
            }
            // In the company zone the device time is the time above: phones skip it.
            td.muted.device-time.same-time[zone == company] data-label="Device time" { (when::zoned(device_time, zone, company)) }
            td.punch-kind data-label="Punch" {
                @if p.punch.voided { span.tag.att-absent data-testid="voided" { "Voided" } " " }
                @if p.punch.manual { "Added by an admin" } @else {
                    (punch_type_text(p.punch.punch_type))
                    span.muted.small { " · " span data-field="verify" { (p.punch.verify_method()) } }
                }
            }
            td.card-actions {
                @let (verb, label) = if p.punch.voided { ("unvoid", "Unvoid") } else { ("void", "Void") };
                a.btn.btn-quiet href=(format!("/punches/{}/{verb}", p.punch.id)) data-testid=(format!("{verb}-punch")) { (label) }
            }
        }
    }
}

/// Keypad state reported with a punch.
fn punch_type_text(t: u8) -> String {
    match t {
        0 => "Check in".into(),
        1 => "Check out".into(),
        2 => "Break out".into(),
        3 => "Break in".into(),
        4 => "Overtime in".into(),
        5 => "Overtime out".into(),
        255 => "—".into(),
        n => format!("State {n}"),
    }
}
