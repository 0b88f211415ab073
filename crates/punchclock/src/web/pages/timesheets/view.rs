//! Timesheets: totals per employee over a period (default: this month),
//! and one employee's days with their totals.

use crate::web::pages::exports;
use maud::{html, Markup};

use crate::attendance::Totals;
use crate::service::attendance::{Everyone, Period, PersonDays};
use crate::service::FieldErrors;
use crate::web::pages::attendance::person::range_form;
use crate::web::pages::attendance::words::{clock, day_name, flags, hm, status_tag};
use crate::web::pages::ctx::Ctx;
use crate::web::pages::layout::{head, Nav};
use crate::web::pages::pager::pager;

pub const PAGE_SIZE: usize = 100;

const TOTAL_HEADS: [&str; 9] = [
    "Present", "Absent", "Late", "Late", "Early", "Worked", "Regular", "Overtime", "Leave",
];

/// `page` is (number, size).
pub fn summary_page(ctx: &Ctx, e: &Everyone, page: (u64, usize), errors: &FieldErrors) -> Markup {
    let p = e.period;
    let body = html! {
        (head(&[], "Timesheets", None))
        (range_form("/timesheets", p, errors))
        p.small.muted { (period_words(p)) ". Days present counts late and half days too; "
            "late and early are days (and h:mm); hours are h:mm." }
        (exports::links("Payroll timesheet, one row per person and day",
            &format!("/timesheets/export?rows=days&from={}&to={}&", p.from, p.to), "timesheet-days"))
        (exports::links("Totals per person",
            &format!("/timesheets/export?rows=totals&from={}&to={}&", p.from, p.to), "timesheet-totals"))
        div.table-wrap {
            table.cards data-testid="timesheet-summary" {
                thead { tr {
                    th { "Employee" }
                    @for h in TOTAL_HEADS { th.num { (h) } }
                } }
                tbody {
                    @for person in &e.people {
                        (summary_row(person, p))
                    }
                }
            }
        }
        (pager(page.0, e.total as u64, page.1 as u64,
            |n| format!("/timesheets?from={}&to={}&page={n}", p.from, p.to), ("Previous", "Next")))
    };
    ctx.page("Timesheets", Nav::Timesheets, body)
}

fn summary_row(person: &PersonDays, p: Period) -> Markup {
    let id = person.employee.id;
    let t = person.totals();
    html! {
        tr data-testid="timesheet-row" data-employee-id=(id) {
            td.card-title data-label="Employee" {
                a href=(format!("/timesheets/{id}?from={}&to={}", p.from, p.to)) data-testid="timesheet-link" {
                    (person.employee.display_name())
                }
                " " span.muted.small.mono { "#" (person.employee.enroll_id) }
            }
            (total_cells(&t))
        }
    }
}

fn total_cells(t: &Totals) -> Markup {
    html! {
        td.num data-label="Present" data-field="present" { (t.days_present()) }
        td.num data-label="Absent" data-field="absent" { (t.absent) }
        td.num data-label="Late (days)" data-field="late" { (t.late_days) }
        td.num data-label="Late (h:mm)" { (hm(t.late_minutes)) }
        td.num data-label="Early leave" { (t.early_leave_days) " · " (hm(t.early_leave_minutes)) }
        td.num data-label="Worked" data-field="worked" { (hm(t.worked_minutes)) }
        td.num data-label="Regular" data-field="regular" { (hm(t.regular_minutes)) }
        td.num data-label="Overtime" data-field="overtime" { (hm(t.overtime_minutes)) }
        td.num data-label="Leave" { (t.leave) }
    }
}

fn period_words(p: Period) -> String {
    format!(
        "{} to {} ({} days)",
        day_name(p.from),
        day_name(p.to),
        p.days()
    )
}

pub fn person_page(ctx: &Ctx, person: &PersonDays, p: Period, errors: &FieldErrors) -> Markup {
    let id = person.employee.id;
    let name = person.employee.display_name();
    let t = person.totals();
    let body = html! {
        (head(&[("/timesheets", "Timesheets")], &name, Some(html! {
            a.btn.btn-quiet href=(format!("/attendance/employees/{id}?from={}&to={}", p.from, p.to)) { "Punches and corrections" }
        })))
        (range_form(&format!("/timesheets/{id}"), p, errors))
        p.small.muted { (period_words(p)) ". Shift: " (person.shift_name.as_deref().unwrap_or("none")) "." }
        div.table-wrap {
            table.cards data-testid="timesheet-totals" {
                thead { tr { th { "Totals" } @for h in TOTAL_HEADS { th.num { (h) } } } }
                tbody { tr { td.card-title { "Period" } (total_cells(&t)) } }
            }
        }
        div.table-wrap.mt-lg {
            table.cards data-testid="timesheet-days" {
                thead { tr {
                    th { "Day" } th { "Status" } th { "In" } th { "Out" } th.num { "Worked" }
                    th.num { "Regular" } th.num { "Overtime" } th.num { "Late" } th.num { "Early" } th { "Why" }
                } }
                tbody {
                    @for d in &person.attendance.days {
                        tr data-testid="timesheet-day" data-date=(d.date) data-status=(d.status.as_str()) {
                            td.card-title data-label="Day" { (day_name(d.date)) }
                            td data-label="Status" { (status_tag(d)) }
                            td data-label="In" { (clock(d.first_in, d.date)) }
                            td data-label="Out" { (clock(d.last_out, d.date)) }
                            td.num data-label="Worked" { (hm(d.worked_minutes())) }
                            td.num data-label="Regular" { (hm(d.regular_minutes())) }
                            td.num data-label="Overtime" { (hm(d.overtime_minutes())) }
                            td.num data-label="Late" { (hm(d.late_minutes())) }
                            td.num data-label="Early" { (hm(d.early_leave_minutes())) }
                            td data-label="Why" { (flags(d.flags, false)) }
                        }
                    }
                }
            }
        }
    };
    ctx.page(&name, Nav::Timesheets, body)
}
