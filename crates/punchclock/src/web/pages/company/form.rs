//! The company settings page: the form as posted, and the page.

use maud::{html, Markup};
use serde::Deserialize;

use crate::domain::PollInterval;
use crate::service::plan::Status;
use crate::service::FieldErrors;
use crate::web::pages::ctx::Ctx;
use crate::web::pages::fmt;
use crate::web::pages::layout::{form_summary, head, Input, Nav};
use crate::web::pages::when;
use crate::web::pages::zone_field::ZoneField;

/// The settings as posted.
#[derive(Deserialize, Default)]
pub struct CompanyFields {
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub timezone: String,
    #[serde(default)]
    pub poll_interval_minutes: String,
}

/// What the page shows besides the form.
pub struct Facts {
    pub saved: bool,
    pub devices: usize,
    pub active_employees: u64,
}

pub fn settings_page(ctx: &Ctx, f: &CompanyFields, errors: &FieldErrors, facts: &Facts) -> Markup {
    let poll_hint = format!(
        "How often devices are read, from {} to {} minutes. A device can override it.",
        PollInterval::MIN,
        PollInterval::MAX
    );
    let body = html! {
        (head(&[], "Company", Some(html! { a.btn.btn-quiet href="/notifications" data-testid="notifications-link" { "Notifications" } })))
        @if facts.saved {
            div.flash.flash-ok role="status" data-testid="action-result" { strong { "Settings saved." } }
        }
        div.grid-2 {
            div.card {
                h3 { "Settings" }
                (form_summary(errors))
                form.stack method="post" action="/company" novalidate data-testid="company-form" {
                    (ctx.csrf())
                    (Input::text("name", "Company name", &f.name).required().render(errors))
                    (ZoneField { name: "timezone", label: "Time zone", value: &f.timezone, blank: None,
                        hint: "Punch times are shown in this zone; devices without their own zone use it too.",
                        guess: false }.render(errors))
                    (Input::text("poll_interval_minutes", "Poll devices every (minutes)", &f.poll_interval_minutes)
                        .numeric().required().hint(&poll_hint).render(errors))
                    div.form-actions { button type="submit" data-testid="save-company" { "Save settings" } }
                }
            }
            div {
                div.card {
                    h3 { "Manage Devices" }
                    p { (fmt::plural(facts.devices as u64, "time clock", "time clocks")) " connected. "
                        (fmt::plural(facts.active_employees, "active employee", "active employees")) "." }
                    p { a.btn href="/devices" data-testid="manage-devices" { "Manage Devices" } }
                }
                (plan_card(ctx))
            }
        }
    };
    ctx.page("Company", Nav::Company, body)
}

fn plan_card(ctx: &Ctx) -> Markup {
    let a = &ctx.account;
    html! {
        div.card {
            h3 { "Plan" }
            dl.facts {
                dt { "Plan" } dd data-testid="plan-name" { (a.plan.name) span.muted.small { " · " (a.plan.price_label()) } }
                dt { "Seats" }
                dd { (fmt::thousands(a.active_employees)) " active of " (a.plan.seats_label()) }
                dt { "Status" }
                dd {
                    @match a.status {
                        Status::Trial => {
                            "Trial"
                            @if let Some(end) = a.trial_ends_at { ", ends " (when::company(fmt::minute(end, &ctx.tz), ctx.company.timezone.name())) }
                        }
                        Status::Active => "Active",
                        Status::Blocked => span.outcome-failed { "Blocked: too many active employees" },
                        Status::Expired => span.outcome-failed { "Trial ended" },
                    }
                }
                dt { "Signed in as" } dd { (ctx.user.email) }
            }
        }
    }
}
