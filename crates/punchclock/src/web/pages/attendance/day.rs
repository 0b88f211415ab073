//! The day view: everyone's attendance on one date, flags explained.

use crate::web::pages::exports;
use jiff::civil::Date;
use jiff::ToSpan;
use maud::{html, Markup};

use super::words::{clock, day_name, flags, hm, status_tag};
use crate::attendance::{Day, Totals};
use crate::service::attendance::{Everyone, PersonDays};
use crate::service::dashboard::Figure;
use crate::service::FieldErrors;
use crate::web::pages::ctx::Ctx;
use crate::web::pages::layout::{field_error, head, Nav};
use crate::web::pages::pager::pager;

pub const PAGE_SIZE: usize = 100;

/// Which day, figure and page are shown.
pub struct Shown {
    pub date: Date,
    /// Only the people behind this dashboard figure.
    pub figure: Option<Figure>,
    pub page: u64,
}

impl Shown {
    fn link(&self, page: u64) -> String {
        let date = self.date;
        match self.figure {
            Some(f) => format!("/attendance?date={date}&show={}&page={page}", f.as_str()),
            None => format!("/attendance?date={date}&page={page}"),
        }
    }
}

/// The words for a figure on the filtered day view.
pub fn figure_text(f: Figure) -> &'static str {
    match f {
        Figure::Present => "Present",
        Figure::Late => "Late",
        Figure::Absent => "Absent",
        Figure::OnLeave => "On leave",
        Figure::NotYetIn => "Not yet in",
        Figure::Incomplete => "Incomplete days",
        Figure::Unassigned => "With unassigned punches",
        Figure::StatusConflict => "With key conflicts",
    }
}

pub fn day_page(ctx: &Ctx, shown: &Shown, e: &Everyone, errors: &FieldErrors) -> Markup {
    let (date, page) = (shown.date, shown.page);
    let title = format!("Attendance · {}", day_name(date));
    let days: Vec<&Day> = e
        .people
        .iter()
        .filter_map(|p| p.attendance.days.first())
        .collect();
    let body = html! {
        (head(&[], "Attendance", Some(actions())))
        (date_form(shown, errors))
        @if let Some(f) = shown.figure {
            p.flash.flash-info data-testid="figure-filter" data-figure=(f.as_str()) {
                "Showing: " strong { (figure_text(f)) } " (" (e.total) "). "
                a href=(format!("/attendance?date={date}")) data-testid="show-everyone" { "Show everyone" }
            }
        } @else {
            (summary(&Totals::of(days.iter().copied())))
        }
        p.small.muted { "Times are in " (ctx.company.timezone) ". Flagged days say why in words; "
            "open a person to see every punch and correct it." }
        (exports::links("Download this day for payroll", &format!("/attendance/export?date={date}&"), "attendance"))
        @if e.people.is_empty() {
            @if shown.figure.is_some() {
                div.card.empty data-testid="no-attendance" { "Nobody on this day." }
            } @else {
                div.card.empty data-testid="no-attendance" { "Nobody is active yet. People appear once a device is synced." }
            }
        } @else {
            div.table-wrap {
                table.cards data-testid="attendance-day" {
                    thead { tr {
                        th { "Employee" } th { "Status" } th { "In" } th { "Out" }
                        th.num { "Worked" } th.num { "Late" } th.num { "Early" } th.num { "Overtime" }
                        th { "Why" } th { "" }
                    } }
                    tbody { @for p in &e.people { (row(p, date)) } }
                }
            }
            (pager(page, e.total as u64, PAGE_SIZE as u64, |n| shown.link(n), ("Previous", "Next")))
        }
    };
    ctx.page(&title, Nav::Attendance, body)
}

fn actions() -> Markup {
    html! {
        a.btn.btn-quiet href="/corrections" { "Corrections log" }
        a.btn.btn-quiet href="/attendance/settings" data-testid="attendance-settings" { "Shifts and rules" }
    }
}

fn date_form(shown: &Shown, errors: &FieldErrors) -> Markup {
    let date = shown.date;
    let prev = date.checked_sub(1.day()).unwrap_or(date);
    let next = date.checked_add(1.day()).unwrap_or(date);
    let show = shown
        .figure
        .map_or(String::new(), |f| format!("&show={}", f.as_str()));
    html! {
        form.card.mb method="get" action="/attendance" data-testid="day-picker" {
            div.filters {
                a.btn.btn-quiet href=(format!("/attendance?date={prev}{show}")) data-testid="prev-day" { "← " (day_name(prev)) }
                div.field.has-error[errors.get("date").is_some()] {
                    label for="f-date" { "Day" }
                    input id="f-date" type="date" name="date" value=(date);
                    (field_error("f-date-error", "date", errors.get("date")))
                }
                div.field.has-error[errors.get("show").is_some()] {
                    label for="f-show" { "Who" }
                    select id="f-show" name="show" data-testid="figure-select" {
                        option value="" selected[shown.figure.is_none()] { "Everyone" }
                        @for f in Figure::ALL {
                            option value=(f.as_str()) selected[shown.figure == Some(f)] { (figure_text(f)) }
                        }
                    }
                    (field_error("f-show-error", "show", errors.get("show")))
                }
                div.actions {
                    button type="submit" data-testid="show-day" { "Show" }
                    a.btn.btn-quiet href=(format!("/attendance?date={next}{show}")) data-testid="next-day" { (day_name(next)) " →" }
                }
            }
        }
    }
}

fn summary(t: &Totals) -> Markup {
    html! {
        p data-testid="day-summary" {
            @for (n, label) in [
                (t.present + t.late + t.half_day, "present"), (t.late, "late"), (t.absent, "absent"),
                (t.incomplete, "incomplete"), (t.leave, "on leave"), (t.holiday + t.day_off, "off"),
            ] {
                span.tag.mr { strong { (n) } " " (label) }
            }
        }
    }
}

fn row(p: &PersonDays, date: Date) -> Markup {
    let Some(day) = p.attendance.days.first() else {
        return html! {};
    };
    let id = p.employee.id;
    html! {
        tr data-testid="attendance-row" data-employee-id=(id) data-status=(day.status.as_str()) {
            td.card-title data-label="Employee" {
                a href=(format!("/attendance/employees/{id}?from={date}&to={date}")) data-testid="employee-link" {
                    (p.employee.display_name())
                }
                " " span.muted.small.mono { "#" (p.employee.enroll_id) }
                @if let Some(s) = &p.shift_name { br; span.muted.small { (s) } }
            }
            td data-label="Status" { (status_tag(day)) }
            td data-label="In" { span.nowrap data-field="first-in" { (clock(day.first_in, date)) } }
            td data-label="Out" { span.nowrap data-field="last-out" { (clock(day.last_out, date)) } }
            td.num data-label="Worked" data-field="worked" { (hm(day.worked_minutes())) }
            td.num data-label="Late" { (hm(day.late_minutes())) }
            td.num data-label="Early" { (hm(day.early_leave_minutes())) }
            td.num data-label="Overtime" { (hm(day.overtime_minutes())) }
            td data-label="Why" { (flags(day.flags, false)) }
            td.card-actions {
                div.actions {
                    a.btn.btn-quiet href=(format!("/punches/new?employee={id}&date={date}")) data-testid="add-punch" { "Add punch" }
                }
            }
        }
    }
}
