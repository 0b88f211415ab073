//! One employee over a range of days: every day with its flags explained,
//! and every punch with the role it played and a way to correct it.

use maud::{html, Markup};

use super::words::{clock, day_name, flags, hm, role_code, role_text, status_tag};
use crate::attendance::{ClassifiedPunch, Day};
use crate::service::attendance::{Period, PersonDays};
use crate::service::FieldErrors;
use crate::web::pages::ctx::Ctx;
use crate::web::pages::layout::{field_error, head, Nav};

pub fn person_page(
    ctx: &Ctx,
    p: &PersonDays,
    period: Period,
    errors: &FieldErrors,
    done: Option<&str>,
) -> Markup {
    let name = p.employee.display_name();
    let id = p.employee.id;
    let t = p.totals();
    let actions = html! {
        a.btn href=(format!("/punches/new?employee={id}&date={}", period.to)) data-testid="add-punch" { "Add missing punch" }
        a.btn.btn-quiet href=(format!("/timesheets/{id}?from={}&to={}", period.from, period.to)) { "Timesheet" }
    };
    let body = html! {
        (head(&[("/attendance", "Attendance")], &name, Some(actions)))
        @if let Some(text) = done.and_then(done_text) {
            div.flash.flash-ok role="status" data-testid="correction-done" {
                (text) " " a href="/corrections" { "See the corrections log" }
            }
        }
        p.muted {
            "Enroll ID " span.mono { (p.employee.enroll_id) } ". "
            @match &p.shift_name {
                Some(s) => { "Shift: " strong { (s) } "." }
                None => { "No shift: punches are grouped into work periods." }
            }
            " Times are in " (ctx.company.timezone) "."
        }
        (range_form(&format!("/attendance/employees/{id}"), period, errors))
        p.small data-testid="range-totals" {
            "Worked " strong { (hm(t.worked_minutes)) } " · late " (t.late) " times (" (hm(t.late_minutes)) ")"
            " · absent " (t.absent) " · incomplete " (t.incomplete)
        }
        div.table-wrap {
            table.cards data-testid="attendance-days" {
                thead { tr {
                    th { "Day" } th { "Status" } th { "In" } th { "Out" } th.num { "Worked" }
                    th.num { "Late" } th.num { "Early" } th.num { "Overtime" } th { "Why" } th { "Punches" }
                } }
                tbody { @for d in p.attendance.days.iter().rev() { (day_row(p, d)) } }
            }
        }
    };
    ctx.page(&name, Nav::Attendance, body)
}

fn done_text(done: &str) -> Option<&'static str> {
    match done {
        "added" => Some("The punch was added; the days below count it."),
        "voided" => Some("The punch was voided: it is still listed but no longer counts."),
        "unvoided" => Some("The punch counts again."),
        _ => None,
    }
}

/// From/to date fields posting back to `action`.
pub fn range_form(action: &str, period: Period, errors: &FieldErrors) -> Markup {
    html! {
        form.card.mb method="get" action=(action) data-testid="range-form" {
            div.filters {
                @for (name, label, value) in [("from", "From", period.from), ("to", "To", period.to)] {
                    div.field.has-error[errors.get(name).is_some()] {
                        label for=(format!("f-{name}")) { (label) }
                        input id=(format!("f-{name}")) type="date" name=(name) value=(value);
                        (field_error(&format!("f-{name}-error"), name, errors.get(name)))
                    }
                }
                div.actions { button type="submit" data-testid="show-range" { "Show" } }
            }
        }
    }
}

fn day_row(p: &PersonDays, d: &Day) -> Markup {
    let punches: Vec<&ClassifiedPunch> = p.attendance.punches_on(d.date).collect();
    html! {
        tr data-testid="attendance-day-row" data-date=(d.date) data-status=(d.status.as_str()) {
            td.card-title data-label="Day" { span.nowrap { (day_name(d.date)) } }
            td data-label="Status" { (status_tag(d)) }
            td data-label="In" { (clock(d.first_in, d.date)) }
            td data-label="Out" { (clock(d.last_out, d.date)) }
            td.num data-label="Worked" data-field="worked" { (hm(d.worked_minutes())) }
            td.num data-label="Late" { (hm(d.late_minutes())) }
            td.num data-label="Early" { (hm(d.early_leave_minutes())) }
            td.num data-label="Overtime" { (hm(d.overtime_minutes())) }
            td data-label="Why" { (flags(d.flags, true)) }
            td data-label="Punches" {
                ul.punches { @for c in punches { (punch_item(c)) } }
            }
        }
    }
}

fn punch_item(c: &ClassifiedPunch) -> Markup {
    let id = c.punch_id;
    let back = format!("/punches/{id}/{}", if c.voided { "unvoid" } else { "void" });
    html! {
        li data-testid="punch" data-punch-id=(id) data-role=(role_code(c.role)) {
            span.mono { (c.time.civil().strftime("%H:%M:%S")) } " "
            strong.voided[c.voided] { (role_text(c.role, c.paired)) }
            @if c.manual { " " span.tag { "by hand" } }
            @if !c.manual && c.device_time != c.time.civil() {
                " " span.small.muted title="What the clock printed" { "(clock: " (c.device_time.strftime("%H:%M:%S")) ")" }
            }
            " "
            a.small href=(back) data-testid=(if c.voided { "unvoid-punch" } else { "void-punch" }) {
                @if c.voided { "Unvoid" } @else { "Void" }
            }
            br;
            span.small.muted { (c.reason) }
        }
    }
}
