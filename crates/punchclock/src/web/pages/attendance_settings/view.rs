//! The attendance settings page: rules and default shift, shifts,
//! holidays and leave, each with its form.

use maud::{html, Markup};

use super::forms::{Loaded, Shown};
use crate::attendance::LeaveKind;
use crate::domain::{Employee, EmployeeId, Shift};
use crate::service::FieldErrors;
use crate::web::pages::attendance::words::{day_name, leave_text};
use crate::web::pages::ctx::Ctx;
use crate::web::pages::layout::{field_error, form_summary, head, Input, Nav};

pub fn settings_page(ctx: &Ctx, d: &Loaded, s: &Shown) -> Markup {
    let none = FieldErrors::default();
    let errors_for = |section: &str| {
        if s.section == section {
            &s.errors
        } else {
            &none
        }
    };
    let body = html! {
        (head(&[("/attendance", "Attendance")], "Shifts and rules", None))
        @if let Some(saved) = &s.saved {
            div.flash.flash-ok role="status" data-testid="settings-saved" { (saved) }
        }
        (shifts(d))
        (rules(ctx, d, s, errors_for("rules")))
        (holidays(ctx, d, s, errors_for("holiday")))
        (leave(ctx, d, s, errors_for("leave")))
    };
    ctx.page("Shifts and rules", Nav::Attendance, body)
}

fn shifts(d: &Loaded) -> Markup {
    html! {
        section.card.mb data-testid="shifts" {
            div.page-head {
                h2 { "Shifts" }
                div.actions { a.btn href="/shifts/new" data-testid="new-shift" { "New shift" } }
            }
            p.muted.small { "A shift ending at or before its start crosses midnight and belongs to the day it starts. "
                "Give people their own shift on their employee page; everyone else works the default shift below." }
            @if d.shifts.is_empty() {
                p.empty data-testid="no-shifts" { "No shifts yet: punches are grouped into work periods, and nobody is late or absent." }
            } @else {
                div.table-wrap { table data-testid="shift-list" {
                    thead { tr { th { "Name" } th { "Hours" } th { "Days" } th.num { "Grace" } th.num { "Break" } th.num { "People" } th {} } }
                    tbody { @for sh in &d.shifts { (shift_row(sh, d)) } }
                } }
            }
        }
    }
}

fn shift_row(sh: &Shift, d: &Loaded) -> Markup {
    let s = &sh.spec;
    let people = d
        .assigned
        .iter()
        .find(|(id, _)| *id == sh.id)
        .map_or(0, |(_, n)| *n);
    html! {
        tr data-testid="shift-row" data-shift-id=(sh.id) {
            td { strong { (s.name) } }
            td.nowrap { (s.start) "–" (s.end) }
            td { (s.weekdays.join(", ")) }
            td.num { (s.late_grace_minutes) " / " (s.early_grace_minutes) " min" }
            td.num { @if s.break_minutes > 0 { (s.break_minutes) " min" } @else { "—" } }
            td.num { (people) }
            td { a.btn.btn-quiet href=(format!("/shifts/{}/edit", sh.id)) data-testid="edit-shift" { "Edit" } }
        }
    }
}

fn rules(ctx: &Ctx, d: &Loaded, s: &Shown, errors: &FieldErrors) -> Markup {
    let f = &s.rules;
    let hours = |name: &'static str, label: &'static str, value: &str, hint: &'static str| {
        Input::text(name, label, value)
            .numeric()
            .hint(hint)
            .render(errors)
    };
    html! {
        section.card.mb data-testid="rules" {
            h2 { "Rules" }
            (form_summary(errors))
            form.stack method="post" action="/attendance/settings" novalidate data-testid="rules-form" {
                (ctx.csrf())
                div.field.has-error[errors.get("default_shift_id").is_some()] {
                    label for="f-default_shift_id" { "Default shift" }
                    select id="f-default_shift_id" name="default_shift_id" {
                        option value="" { "None (work periods)" }
                        @for sh in &d.shifts {
                            option value=(sh.id) selected[f.default_shift_id == sh.id.to_string()] { (sh.spec.name) }
                        }
                    }
                    (field_error("f-default_shift_id-error", "default_shift_id", errors.get("default_shift_id")))
                }
                div.row-2.even {
                    (Input::text("double_tap_seconds", "Double taps within (seconds)", &f.double_tap_seconds).numeric()
                        .hint("Punches this close count once.").render(errors))
                    (hours("min_rest_hours", "Rest between work periods (hours)", &f.min_rest_hours,
                        "Without a shift, a gap this long starts a new period."))
                }
                div.row-2.even {
                    (hours("absent_below_hours", "Absent below (hours)", &f.absent_below_hours, "Blank: off."))
                    (hours("half_day_below_hours", "Half day below (hours)", &f.half_day_below_hours, "Blank: off."))
                }
                (hours("weekly_overtime_hours", "Weekly overtime after (hours)", &f.weekly_overtime_hours,
                    "Blank: only daily overtime (beyond each shift)."))
                div.field {
                    label.check {
                        input type="checkbox" name="punch_status_reliable" value="on" checked[f.punch_status_reliable.is_some()];
                        span { "Our clocks' in/out keys are reliable (otherwise punches pair in time order)" }
                    }
                }
                div.form-actions { button type="submit" data-testid="save-rules" { "Save rules" } }
            }
        }
    }
}

fn holidays(ctx: &Ctx, d: &Loaded, s: &Shown, errors: &FieldErrors) -> Markup {
    html! {
        section.card.mb data-testid="holidays" {
            h2 { "Holidays" }
            @if d.holidays.is_empty() { p.muted { "No holidays this year or next." } }
            ul.plain {
                @for h in &d.holidays {
                    li data-testid="holiday" data-date=(h.date) {
                        strong { (day_name(h.date)) " " (h.date.year()) } " · " (h.name) " "
                        (delete_button(ctx, &format!("/holidays/{}/delete", h.id), "delete-holiday"))
                    }
                }
            }
            (form_summary(errors))
            form.filters method="post" action="/holidays" novalidate data-testid="holiday-form" {
                (ctx.csrf())
                (Input::text("date", "Date", &s.holiday.date).kind("date").render(errors))
                (Input::text("name", "Name", &s.holiday.name).placeholder("New Year's Day").render(errors))
                div.actions { button type="submit" data-testid="add-holiday" { "Add holiday" } }
            }
        }
    }
}

fn leave(ctx: &Ctx, d: &Loaded, s: &Shown, errors: &FieldErrors) -> Markup {
    let name = |id: EmployeeId| {
        d.employees
            .iter()
            .find(|e| e.id == id)
            .map(Employee::display_name)
    };
    html! {
        section.card.mb data-testid="leave" {
            h2 { "Leave" }
            @if d.leave.is_empty() { p.muted { "No leave from last month on." } }
            ul.plain {
                @for l in &d.leave {
                    li data-testid="leave-period" {
                        strong { (name(l.employee_id).unwrap_or_default()) } " · " (leave_text(l.kind)) " · "
                        (day_name(l.from)) " – " (day_name(l.to)) " " (l.to.year()) " "
                        (delete_button(ctx, &format!("/leave/{}/delete", l.id), "delete-leave"))
                    }
                }
            }
            (form_summary(errors))
            (leave_form(ctx, d, s, errors))
        }
    }
}

fn leave_form(ctx: &Ctx, d: &Loaded, s: &Shown, errors: &FieldErrors) -> Markup {
    let f = &s.leave;
    html! {
        form.filters method="post" action="/leave" novalidate data-testid="leave-form" {
            (ctx.csrf())
            div.field.has-error[errors.get("employee_id").is_some()] {
                label for="f-leave-employee" { "Employee" }
                select id="f-leave-employee" name="employee" {
                    option value="" { "Choose…" }
                    @for e in d.employees.iter().filter(|e| e.active) {
                        option value=(e.id) selected[f.employee == e.id.to_string()] { (e.display_name()) }
                    }
                }
                (field_error("f-leave-employee-error", "employee_id", errors.get("employee_id")))
            }
            (Input::text("from", "First day", &f.from).kind("date").render(errors))
            (Input::text("to", "Last day", &f.to).kind("date").render(errors))
            div.field.has-error[errors.get("type").is_some()] {
                label for="f-type" { "Type" }
                select id="f-type" name="type" {
                    @for k in [LeaveKind::Vacation, LeaveKind::Sick, LeaveKind::Other] {
                        @let code = kind_code(k);
                        option value=(code) selected[f.kind == code] { (leave_text(k)) }
                    }
                }
                (field_error("f-type-error", "type", errors.get("type")))
            }
            div.actions { button type="submit" data-testid="add-leave" { "Add leave" } }
        }
    }
}

fn kind_code(k: LeaveKind) -> &'static str {
    match k {
        LeaveKind::Vacation => "vacation",
        LeaveKind::Sick => "sick",
        LeaveKind::Other => "other",
    }
}

fn delete_button(ctx: &Ctx, action: &str, testid: &str) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (ctx.csrf())
            button.btn-link type="submit" data-testid=(testid) { "Delete" }
        }
    }
}
