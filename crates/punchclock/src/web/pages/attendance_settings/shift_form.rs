//! The shift form: new and edit, with every field explained.

use maud::{html, Markup};
use serde::Deserialize;

use crate::attendance::ShiftSpec;
use crate::domain::Shift;
use crate::service::shifts::ShiftInput;
use crate::service::FieldErrors;
use crate::web::pages::ctx::Ctx;
use crate::web::pages::layout::{field_error, form_summary, head, Input, Nav};

const DAYS: [(&str, &str); 7] = [
    ("mon", "Mon"),
    ("tue", "Tue"),
    ("wed", "Wed"),
    ("thu", "Thu"),
    ("fri", "Fri"),
    ("sat", "Sat"),
    ("sun", "Sun"),
];

/// The shift form as posted; each ticked weekday is its own field
/// (`mon=on`), as plain forms send checkboxes.
#[derive(Deserialize, Default, Clone)]
pub struct ShiftForm {
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
    #[serde(default)]
    mon: Option<String>,
    #[serde(default)]
    tue: Option<String>,
    #[serde(default)]
    wed: Option<String>,
    #[serde(default)]
    thu: Option<String>,
    #[serde(default)]
    fri: Option<String>,
    #[serde(default)]
    sat: Option<String>,
    #[serde(default)]
    sun: Option<String>,
    #[serde(default)]
    pub late_grace_minutes: String,
    #[serde(default)]
    pub early_grace_minutes: String,
    #[serde(default)]
    pub window_before_minutes: String,
    #[serde(default)]
    pub window_after_minutes: String,
    #[serde(default)]
    pub break_minutes: String,
    #[serde(default)]
    pub break_after_minutes: String,
}

impl ShiftForm {
    fn days(&self) -> [(&'static str, bool); 7] {
        [
            ("mon", self.mon.is_some()),
            ("tue", self.tue.is_some()),
            ("wed", self.wed.is_some()),
            ("thu", self.thu.is_some()),
            ("fri", self.fri.is_some()),
            ("sat", self.sat.is_some()),
            ("sun", self.sun.is_some()),
        ]
    }

    fn ticked(&self, day: &str) -> bool {
        self.days().iter().any(|(d, on)| *d == day && *on)
    }

    pub fn of(s: &ShiftSpec) -> Self {
        let on = |d: &str| s.weekdays.iter().any(|w| w == d).then(|| "on".to_owned());
        ShiftForm {
            csrf: String::new(),
            name: s.name.clone(),
            start: s.start.clone(),
            end: s.end.clone(),
            mon: on("mon"),
            tue: on("tue"),
            wed: on("wed"),
            thu: on("thu"),
            fri: on("fri"),
            sat: on("sat"),
            sun: on("sun"),
            late_grace_minutes: s.late_grace_minutes.to_string(),
            early_grace_minutes: s.early_grace_minutes.to_string(),
            window_before_minutes: s.window_before_minutes.to_string(),
            window_after_minutes: s.window_after_minutes.to_string(),
            break_minutes: s.break_minutes.to_string(),
            break_after_minutes: s.break_after_minutes.to_string(),
        }
    }

    /// A new shift's form: the defaults, Monday to Friday.
    pub fn blank() -> Self {
        ShiftForm {
            start: String::new(),
            end: String::new(),
            name: String::new(),
            ..ShiftForm::of(&ShiftSpec::new("", "", ""))
        }
    }

    /// Every field is sent; blank numbers take the defaults.
    pub fn input(&self) -> ShiftInput {
        let n = |v: &String| Some(v.clone()).filter(|v| !v.trim().is_empty());
        ShiftInput {
            name: Some(self.name.clone()),
            start: Some(self.start.clone()),
            end: Some(self.end.clone()),
            weekdays: Some(
                self.days()
                    .iter()
                    .filter(|(_, on)| *on)
                    .map(|(d, _)| (*d).to_owned())
                    .collect(),
            ),
            late_grace_minutes: n(&self.late_grace_minutes),
            early_grace_minutes: n(&self.early_grace_minutes),
            window_before_minutes: n(&self.window_before_minutes),
            window_after_minutes: n(&self.window_after_minutes),
            break_minutes: n(&self.break_minutes),
            break_after_minutes: n(&self.break_after_minutes),
        }
    }
}

pub fn shift_page(ctx: &Ctx, saved: Option<&Shift>, f: &ShiftForm, errors: &FieldErrors) -> Markup {
    let (title, action) = match saved {
        Some(s) => (
            format!("Edit {}", s.spec.name),
            format!("/shifts/{}/edit", s.id),
        ),
        None => ("New shift".to_owned(), "/shifts/new".to_owned()),
    };
    let minutes = |name: &'static str, label: &'static str, value: &str, hint: &'static str| {
        Input::text(name, label, value)
            .numeric()
            .hint(hint)
            .render(errors)
    };
    let body = html! {
        (head(&[("/attendance/settings", "Shifts and rules")], &title, None))
        div.card.w-form {
            @if let Some(m) = errors.get("id") {
                div.flash.flash-bad role="alert" data-testid="shift-in-use" { (m) }
            }
            (form_summary(errors))
            form.stack method="post" action=(action) novalidate data-testid="shift-form" {
                (ctx.csrf())
                (Input::text("name", "Name", &f.name).placeholder("Day").required().render(errors))
                div.row-2.even {
                    (Input::text("start", "Starts", &f.start).kind("time").required().render(errors))
                    (Input::text("end", "Ends", &f.end).kind("time").required()
                        .hint("At or before the start: the shift ends the next day.").render(errors))
                }
                (weekdays(f, errors))
                div.row-2.even {
                    (minutes("late_grace_minutes", "Late after (minutes of grace)", &f.late_grace_minutes, "5: 09:05 is on time, 09:06 is 6 minutes late."))
                    (minutes("early_grace_minutes", "Early leave grace (minutes)", &f.early_grace_minutes, "Leaving this early is not counted."))
                }
                div.row-2.even {
                    (minutes("window_before_minutes", "Punches count from (minutes before)", &f.window_before_minutes, "Earlier punches are not part of the shift."))
                    (minutes("window_after_minutes", "… until (minutes after the end)", &f.window_after_minutes, "Later punches are not part of the shift."))
                }
                div.row-2.even {
                    (minutes("break_minutes", "Unpaid break (minutes)", &f.break_minutes, "0: none. Break punches count against it."))
                    (minutes("break_after_minutes", "Break applies after (minutes worked)", &f.break_after_minutes, "Shorter days keep all their time."))
                }
                div.form-actions {
                    button type="submit" data-testid="save-shift" { "Save shift" }
                    a.btn.btn-quiet href="/attendance/settings" { "Cancel" }
                }
            }
            @if let Some(s) = saved {
                form.mt-lg method="post" action=(format!("/shifts/{}/delete", s.id)) data-testid="delete-shift-form" {
                    (ctx.csrf())
                    button.btn-danger type="submit" data-testid="delete-shift" { "Delete this shift" }
                }
            }
        }
    };
    ctx.page(&title, Nav::Attendance, body)
}

fn weekdays(f: &ShiftForm, errors: &FieldErrors) -> Markup {
    html! {
        fieldset.field.has-error[errors.get("weekdays").is_some()] {
            legend { "Worked on" }
            @for (code, label) in DAYS {
                label.check.inline {
                    input type="checkbox" name=(code) value="on" checked[f.ticked(code)];
                    span { (label) }
                }
            }
            (field_error("f-weekdays-error", "weekdays", errors.get("weekdays")))
        }
    }
}
