//! Punches: filter by employee, device and dates; newest first, in pages.

use axum::extract::{Query, State};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use maud::{html, Markup};
use serde::Deserialize;

use super::employees::pager;
use super::layout::{field_error, head, Nav};
use super::{fmt, Ctx, PageResult};
use crate::domain::{DeviceId, EmployeeFilter, EmployeeId, PunchFilter, NO_NAME};
use crate::web::validate::FieldErrors;
use crate::web::AppState;

const PAGE_SIZE: u32 = 50;
/// Employees offered in the filter list.
const EMPLOYEE_CHOICES: u32 = 2000;

#[derive(Deserialize, Default, Clone)]
pub struct PunchQuery {
    #[serde(default)]
    employee: String,
    #[serde(default)]
    device: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: String,
}

impl PunchQuery {
    fn link(&self, page: u64) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("employee", &self.employee),
            ("device", &self.device),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", encode(v)));
            }
        }
        parts.push(format!("page={page}"));
        format!("/punches?{}", parts.join("&"))
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Midnight at the start of `date` in `tz`.
fn start_of(date: Date, tz: &TimeZone) -> Option<Timestamp> {
    date.to_zoned(tz.clone()).ok().map(|z| z.timestamp())
}

fn parse_date(value: &str) -> Result<Option<Date>, String> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<Date>()
        .map(Some)
        .map_err(|_| "Enter a date like 2026-07-01.".to_string())
}

/// The store filter for a query, or messages for the fields that are wrong.
fn filter(q: &PunchQuery, tz: &TimeZone) -> (PunchFilter, FieldErrors) {
    let mut errors = FieldErrors::default();
    let mut f = PunchFilter {
        limit: PAGE_SIZE,
        ..PunchFilter::default()
    };
    if !q.employee.is_empty() {
        match q.employee.parse() {
            Ok(id) => f.employee_id = Some(EmployeeId(id)),
            Err(_) => errors.add("employee", "Choose an employee from the list."),
        }
    }
    if !q.device.is_empty() {
        match q.device.parse() {
            Ok(id) => f.device_id = Some(DeviceId(id)),
            Err(_) => errors.add("device", "Choose a device from the list."),
        }
    }
    let from = errors.check("from", parse_date(&q.from)).flatten();
    let to = errors.check("to", parse_date(&q.to)).flatten();
    if let (Some(a), Some(b)) = (from, to) {
        if a > b {
            errors.add("to", "The end date is before the start date.");
        }
    }
    f.from = from.and_then(|d| start_of(d, tz));
    // "To" is inclusive for people: up to the start of the next day.
    f.to = to
        .and_then(|d| d.checked_add(1.day()).ok())
        .and_then(|d| start_of(d, tz));
    let page: u64 = q.page.parse().ok().filter(|p| *p >= 1).unwrap_or(1);
    f.offset = (page - 1) * u64::from(PAGE_SIZE);
    (f, errors)
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

/// How the person was verified.
fn verify_text(s: u8) -> String {
    match s {
        0 => "password".into(),
        1 => "fingerprint".into(),
        2 => "card".into(),
        15 => "face".into(),
        n => format!("method {n}"),
    }
}

/// `GET /punches`
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PunchQuery>,
) -> PageResult<Markup> {
    let (f, errors) = filter(&q, &ctx.tz);
    let employees = state
        .store
        .list_employees(ctx.company.id, EmployeeFilter::All, EMPLOYEE_CHOICES, 0)
        .await?;
    let devices = state.store.list_devices(ctx.company.id).await?;
    let (punches, total) = if errors.is_empty() {
        let total = state.store.count_punches(ctx.company.id, &f).await?;
        (state.store.list_punches(ctx.company.id, &f).await?, total)
    } else {
        (Vec::new(), 0)
    };
    let page = f.offset / u64::from(PAGE_SIZE) + 1;
    let filtered =
        !(q.employee.is_empty() && q.device.is_empty() && q.from.is_empty() && q.to.is_empty());
    let body = html! {
        (head(&[], "Punches", None))
        form.card.mb method="get" action="/punches" data-testid="punch-filters" {
            div.filters {
                div.field.has-error[errors.get("employee").is_some()] {
                    label for="f-employee" { "Employee" }
                    select id="f-employee" name="employee" {
                        option value="" { "Everyone" }
                        @for e in &employees {
                            option value=(e.id) selected[q.employee == e.id.to_string()] {
                                (e.display_name()) " (" (e.enroll_id) ")"
                            }
                        }
                    }
                    (field_error("f-employee-error", "employee", errors.get("employee")))
                }
                div.field.has-error[errors.get("device").is_some()] {
                    label for="f-device" { "Device" }
                    select id="f-device" name="device" {
                        option value="" { "All devices" }
                        @for d in &devices {
                            option value=(d.id) selected[q.device == d.id.to_string()] { (d.name) }
                        }
                    }
                    (field_error("f-device-error", "device", errors.get("device")))
                }
                div.field.has-error[errors.get("from").is_some()] {
                    label for="f-from" { "From" }
                    input id="f-from" type="date" name="from" value=(q.from);
                    (field_error("f-from-error", "from", errors.get("from")))
                }
                div.field.has-error[errors.get("to").is_some()] {
                    label for="f-to" { "To" }
                    input id="f-to" type="date" name="to" value=(q.to);
                    (field_error("f-to-error", "to", errors.get("to")))
                }
                div.actions {
                    button type="submit" data-testid="apply-filters" { "Show" }
                    @if filtered { a.btn.btn-quiet href="/punches" { "Clear" } }
                }
            }
        }
        p.small.muted {
            "Times are in " (ctx.company.timezone) ". "
            "Device time is what the clock itself printed."
        }
        @if punches.is_empty() {
            div.card.empty data-testid="no-punches" {
                @if !errors.is_empty() { "Fix the filter above to see punches." }
                @else if filtered { "No punches match these filters." }
                @else { "No punches yet. They appear after a device is synced." }
            }
        } @else {
            div.table-wrap {
                table.cards data-testid="punches" {
                    thead { tr {
                        th { "Time" } th { "Employee" } th { "Device" } th { "Device time" } th { "Punch" }
                    } }
                    tbody {
                        @for p in &punches {
                            tr data-testid="punch-row" {
                                td.card-title data-label="Time" { span.nowrap data-field="time" { (fmt::second(p.punch.punched_at, &ctx.tz)) } }
                                td data-label="Employee" {
                                    @if p.employee_name == NO_NAME { span.no-name { (NO_NAME) } } @else { (p.employee_name) }
                                    " " span.muted.small.mono { "#" (p.punch.enroll_id) }
                                }
                                td data-label="Device" {
                                    @match &p.device_name {
                                        Some(n) => { (n) }
                                        None => { span.muted { "Deleted device " span.mono { (p.punch.device_serial) } } }
                                    }
                                }
                                td data-label="Device time" { span.nowrap.muted data-field="device-time" { (fmt::civil(p.punch.device_time)) } }
                                td data-label="Punch" {
                                    (punch_type_text(p.punch.punch_type))
                                    span.muted.small { " · " (verify_text(p.punch.status)) }
                                }
                            }
                        }
                    }
                }
            }
            (pager(page, total, u64::from(PAGE_SIZE), |p| q.link(p), ("Newer", "Older")))
        }
    };
    Ok(ctx.page("Punches", Nav::Punches, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_whole_days_in_the_company_zone() {
        let q = PunchQuery {
            from: "2026-07-01".into(),
            to: "2026-07-01".into(),
            ..PunchQuery::default()
        };
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let (f, e) = filter(&q, &tz);
        assert!(e.is_empty());
        assert_eq!(f.from.unwrap().to_string(), "2026-06-30T22:00:00Z");
        assert_eq!(f.to.unwrap().to_string(), "2026-07-01T22:00:00Z");
    }

    #[test]
    fn bad_filters_get_messages() {
        let q = PunchQuery {
            from: "yesterday".into(),
            employee: "x".into(),
            ..PunchQuery::default()
        };
        let (_, e) = filter(&q, &TimeZone::UTC);
        assert!(e.get("from").is_some() && e.get("employee").is_some());
        let q = PunchQuery {
            from: "2026-07-02".into(),
            to: "2026-07-01".into(),
            ..PunchQuery::default()
        };
        assert!(filter(&q, &TimeZone::UTC).1.get("to").is_some());
    }

    #[test]
    fn paging_links_keep_filters() {
        let q = PunchQuery {
            device: "3".into(),
            from: "2026-07-01".into(),
            ..PunchQuery::default()
        };
        assert_eq!(q.link(2), "/punches?device=3&from=2026-07-01&page=2");
    }
}
