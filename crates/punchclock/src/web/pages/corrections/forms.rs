//! The correction forms: add a missing punch, void or unvoid one.

use jiff::civil::Date;
use maud::{html, Markup};
use serde::Deserialize;

use crate::domain::{Employee, PunchView};
use crate::service::FieldErrors;
use crate::web::pages::ctx::Ctx;
use crate::web::pages::fmt;
use crate::web::pages::layout::{field_error, form_summary, head, Input, Nav};

/// The missing-punch form as posted.
#[derive(Deserialize, Default)]
pub struct AddForm {
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
    #[serde(default)]
    pub employee: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub time: String,
    #[serde(default)]
    pub reason: String,
}

impl AddForm {
    /// `2026-07-01T17:30`, read in the company's zone by the service.
    pub fn time(&self) -> String {
        format!("{}T{}", self.date.trim(), self.time.trim())
    }
}

pub fn add_page(ctx: &Ctx, people: &[Employee], f: &AddForm, errors: &FieldErrors) -> Markup {
    let body = html! {
        (head(&[("/attendance", "Attendance")], "Add a missing punch", None))
        div.card.w-narrow {
            p.muted { "For a check-in or check-out the clock did not record. The punch is added "
                "beside the device's punches (which are never changed) and the reason goes into the "
                "corrections log. Times are in " (ctx.company.timezone) "." }
            (form_summary(errors))
            form.stack method="post" action="/punches/new" novalidate data-testid="add-punch-form" {
                (ctx.csrf())
                div.field.has-error[errors.get("employee_id").is_some()] {
                    label for="f-employee" { "Employee" }
                    select id="f-employee" name="employee" {
                        option value="" { "Choose…" }
                        @for e in people {
                            option value=(e.id) selected[f.employee == e.id.to_string()] {
                                (e.display_name()) " (" (e.enroll_id) ")"
                            }
                        }
                    }
                    (field_error("f-employee-error", "employee_id", errors.get("employee_id")))
                }
                div.row-2.even {
                    (Input::text("date", "Date", &f.date).kind("date").required().render(errors))
                    div.field.has-error[errors.get("time").is_some()] {
                        label for="f-time" { "Time" }
                        input id="f-time" type="time" name="time" value=(f.time) step="60" required;
                        (field_error("f-time-error", "time", errors.get("time")))
                    }
                }
                (Input::text("reason", "Reason", &f.reason).placeholder("Forgot to clock out").required()
                    .hint("Kept in the corrections log with your name and the time.").render(errors))
                div.form-actions {
                    button type="submit" data-testid="save-punch" { "Add punch" }
                    a.btn.btn-quiet href="/attendance" { "Cancel" }
                }
            }
        }
    };
    ctx.page("Add a missing punch", Nav::Attendance, body)
}

/// The void (or unvoid) form as posted.
#[derive(Deserialize, Default)]
pub struct VoidForm {
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
    #[serde(default)]
    pub reason: String,
}

pub fn void_page(ctx: &Ctx, p: &PunchView, f: &VoidForm, errors: &FieldErrors) -> Markup {
    let unvoid = p.punch.voided;
    let (title, verb) = if unvoid {
        ("Unvoid a punch", "unvoid")
    } else {
        ("Void a punch", "void")
    };
    let action = format!("/punches/{}/{verb}", p.punch.id);
    let body = html! {
        (head(&[("/attendance", "Attendance")], title, None))
        div.card.w-narrow {
            dl.facts {
                dt { "Employee" } dd { (p.employee_name) " " span.mono.muted { "#" (p.punch.enroll_id) } }
                dt { "Time" } dd data-testid="punch-time" { (fmt::second(p.punch.punched_at, &ctx.tz)) }
                dt { "Recorded by" } dd {
                    @if p.punch.manual { "an admin, by hand" }
                    @else { (p.device_name.as_deref().unwrap_or("a deleted device")) " (clock printed " (fmt::civil(p.punch.device_time)) ")" }
                }
            }
            p.muted.mt-lg {
                @if unvoid { "The punch will count again. " }
                @else { "A voided punch stays listed but no longer counts. Nothing is deleted, and you can undo this. " }
                "The reason goes into the corrections log."
            }
            (form_summary(errors))
            form.stack method="post" action=(action) novalidate data-testid="void-form" {
                (ctx.csrf())
                (Input::text("reason", "Reason", &f.reason).required()
                    .placeholder(if unvoid { "Voided by mistake" } else { "A colleague's badge" }).render(errors))
                div.form-actions {
                    button.btn-danger[!unvoid] type="submit" data-testid="confirm-void" { (if unvoid { "Unvoid" } else { "Void" }) }
                    a.btn.btn-quiet href=(back_to(ctx, p)) { "Cancel" }
                }
            }
        }
    };
    ctx.page(title, Nav::Attendance, body)
}

/// The attendance of the punch's person on the punch's day.
pub fn back_to(ctx: &Ctx, p: &PunchView) -> String {
    let date = ctx.company.timezone.to_zoned(p.punch.punched_at).date();
    person_day(p.punch.employee_id.0, date)
}

pub fn person_day(employee: i64, date: Date) -> String {
    format!("/attendance/employees/{employee}?from={date}&to={date}")
}
