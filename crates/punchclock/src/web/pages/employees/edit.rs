//! Editing an employee: names humans can fix, and whether they are active.

use maud::{html, Markup};
use serde::Deserialize;

use crate::domain::{Employee, Shift};
use crate::service::employees::EmployeeInput;
use crate::service::FieldErrors;
use crate::web::pages::ctx::Ctx;
use crate::web::pages::layout::{field_error, form_summary, head, Input, Nav};

/// The employee form as posted.
#[derive(Deserialize, Default)]
pub struct EmployeeForm {
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    designation: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    daily_report: Option<String>,
    /// A shift id; blank follows the company's default shift.
    #[serde(default)]
    shift_id: String,
    #[serde(default)]
    push_name: Option<String>,
}

impl EmployeeForm {
    pub fn of(e: &Employee) -> Self {
        EmployeeForm {
            csrf: String::new(),
            first_name: e.first_name.clone().unwrap_or_default(),
            last_name: e.last_name.clone().unwrap_or_default(),
            designation: e.designation.clone().unwrap_or_default(),
            email: e.email.clone().unwrap_or_default(),
            active: e.active.then(|| "on".into()),
            daily_report: e.daily_report.then(|| "on".into()),
            shift_id: e.shift_id.map(|s| s.to_string()).unwrap_or_default(),
            push_name: None,
        }
    }

    /// Every field is sent, so every field counts.
    pub fn input(&self) -> EmployeeInput {
        EmployeeInput {
            enroll_id: None,
            first_name: Some(self.first_name.clone()),
            last_name: Some(self.last_name.clone()),
            designation: Some(self.designation.clone()),
            email: Some(self.email.clone()),
            active: Some(self.active.is_some()),
            daily_report: Some(self.daily_report.is_some()),
            shift_id: Some(self.shift_id.clone()),
            push_name: Some(self.push_name.is_some()),
        }
    }
}

pub fn edit_page(
    ctx: &Ctx,
    e: &Employee,
    shifts: &[Shift],
    f: &EmployeeForm,
    errors: &FieldErrors,
) -> Markup {
    let title = format!("Edit {}", e.display_name());
    let device_name = e
        .name_from_device
        .as_deref()
        .filter(|n| !n.trim().is_empty())
        .map(|n| format!("The device calls this person \"{n}\"."))
        .unwrap_or_else(|| "The device has no name for this person.".into());
    let body = html! {
        (head(&[("/employees", "Employees")], &title, None))
        div.card.w-narrow {
            p.muted { "Enroll ID " span.mono { (e.enroll_id) } ". " (device_name)
                " Names entered here are shown instead"
                @if e.nameless_on_devices() { "; they reach the clocks only if you tick the box below." }
                @else { " and are never sent to the device." } }
            (form_summary(errors))
            form.stack method="post" action=(format!("/employees/{}/edit", e.id)) novalidate data-testid="employee-form" {
                (ctx.csrf())
                div.row-2.even {
                    (Input::text("first_name", "First name", &f.first_name).autocomplete("off").render(errors))
                    (Input::text("last_name", "Last name", &f.last_name).autocomplete("off").render(errors))
                }
                (Input::text("designation", "Designation", &f.designation).placeholder("Cashier").render(errors))
                (Input::text("email", "Email", &f.email).kind("email").autocomplete("off").render(errors))
                @if let Some(reason) = &e.email_bounce {
                    p.flash.flash-bad data-testid="email-bounce" { "Mail to this address bounced: " (reason) }
                }
                @if e.nameless_on_devices() {
                    div.field {
                        label.check {
                            input type="checkbox" name="push_name" value="on" checked[f.push_name.is_some()] data-testid="push-name";
                            span { "Also write this name to the clocks (they show \"NO NAME\" now)" }
                        }
                        (field_error("f-push_name-error", "push_name", errors.get("push_name")))
                    }
                }
                div.field {
                    label.check {
                        input type="checkbox" name="daily_report" value="on" checked[f.daily_report.is_some()] data-testid="daily-report";
                        span { "Send the end-of-day report to this address" }
                    }
                }
                (shift_select(shifts, f, errors))
                div.field {
                    label.check {
                        input type="checkbox" name="active" value="on" checked[f.active.is_some()];
                        span { "Active — counts toward your plan's seats" }
                    }
                    (field_error("f-active-error", "active", errors.get("active")))
                }
                div.form-actions {
                    button type="submit" data-testid="save-employee" { "Save" }
                    a.btn.btn-quiet href="/employees" { "Cancel" }
                }
            }
        }
    };
    ctx.page(&title, Nav::Employees, body)
}

fn shift_select(shifts: &[Shift], f: &EmployeeForm, errors: &FieldErrors) -> Markup {
    html! {
        div.field.has-error[errors.get("shift_id").is_some()] {
            label for="f-shift_id" { "Shift" }
            select id="f-shift_id" name="shift_id" {
                option value="" { "The company's default shift" }
                @for s in shifts {
                    option value=(s.id) selected[f.shift_id == s.id.to_string()] {
                        (s.spec.name) " (" (s.spec.start) "–" (s.spec.end) ")"
                    }
                }
            }
            span.hint { "Shifts are set up under Attendance › Shifts and rules." }
            (field_error("f-shift_id-error", "shift_id", errors.get("shift_id")))
        }
    }
}
