//! Company settings: name, time zone, poll interval; plan shown read-only.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{form_summary, head, timezone_select, Input, Nav};
use super::{fmt, see_other, Ctx, PageResult};
use crate::billing::AccountStatus;
use crate::web::validate::{self, CompanyForm, FieldErrors, MAX_POLL_MINUTES, MIN_POLL_MINUTES};
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct CompanyFields {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    poll_interval_minutes: String,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

fn settings_page(
    ctx: &Ctx,
    f: &CompanyFields,
    errors: &FieldErrors,
    saved: bool,
    devices: usize,
    employees: u64,
) -> Markup {
    let poll_hint = format!(
        "How often devices are read, from {MIN_POLL_MINUTES} to {MAX_POLL_MINUTES} minutes. A device can override it."
    );
    let a = &ctx.account;
    let body = html! {
        (head(&[], "Company", None))
        @if saved {
            div.flash.flash-ok role="status" data-testid="action-result" { strong { "Settings saved." } }
        }
        div.grid-2 {
            div.card {
                h3 { "Settings" }
                (form_summary(errors))
                form.stack method="post" action="/company" novalidate data-testid="company-form" {
                    (ctx.csrf())
                    (Input::text("name", "Company name", &f.name).required().render(errors))
                    (timezone_select("timezone", "Time zone", &f.timezone, None,
                        Some("Punch times are shown in this zone; devices without their own zone use it too."),
                        false, errors))
                    (Input::text("poll_interval_minutes", "Poll devices every (minutes)", &f.poll_interval_minutes)
                        .numeric().required().hint(&poll_hint).render(errors))
                    div.form-actions { button type="submit" data-testid="save-company" { "Save settings" } }
                }
            }
            div {
                div.card {
                    h3 { "Manage Devices" }
                    p { (fmt::plural(devices as u64, "time clock", "time clocks")) " connected. "
                        (fmt::plural(employees, "active employee", "active employees")) "." }
                    p { a.btn href="/devices" data-testid="manage-devices" { "Manage Devices" } }
                }
                div.card {
                    h3 { "Plan" }
                    dl.facts {
                        dt { "Plan" } dd data-testid="plan-name" { (a.plan.name) span.muted.small { " · " (a.plan.price_label()) } }
                        dt { "Seats" }
                        dd { (fmt::thousands(a.active_employees)) " active of " (a.plan.seats_label()) }
                        dt { "Status" }
                        dd {
                            @match a.status {
                                AccountStatus::Trial => {
                                    "Trial"
                                    @if let Some(end) = a.trial_ends_at { ", ends " (fmt::minute(end, &ctx.tz)) }
                                }
                                AccountStatus::Active => "Active",
                                AccountStatus::Blocked => span.outcome-failed { "Blocked: too many active employees" },
                                AccountStatus::Expired => span.outcome-failed { "Trial ended" },
                            }
                        }
                        dt { "Signed in as" } dd { (ctx.user.email) }
                    }
                }
            }
        }
    };
    ctx.page("Company", Nav::Company, body)
}

async fn counts(state: &AppState, ctx: &Ctx) -> PageResult<(usize, u64)> {
    let devices = state.store.list_devices(ctx.company.id).await?.len();
    let employees = state.store.count_active_employees(ctx.company.id).await?;
    Ok((devices, employees))
}

/// `GET /company`
pub async fn form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> PageResult<Markup> {
    let f = CompanyFields {
        csrf: String::new(),
        name: ctx.company.name.clone(),
        timezone: ctx.company.timezone.to_string(),
        poll_interval_minutes: ctx.company.poll_interval_minutes.to_string(),
    };
    let (devices, employees) = counts(&state, &ctx).await?;
    Ok(settings_page(
        &ctx,
        &f,
        &FieldErrors::default(),
        q.saved.is_some(),
        devices,
        employees,
    ))
}

/// `POST /company`
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<CompanyFields>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    ctx.require_good_standing()?;
    match validate::company(&CompanyForm {
        name: f.name.clone(),
        timezone: f.timezone.clone(),
        poll_interval_minutes: f.poll_interval_minutes.clone(),
    }) {
        Ok(settings) => {
            state
                .store
                .update_company_settings(ctx.company.id, &settings)
                .await?;
            Ok(see_other("/company?saved=1"))
        }
        Err(errors) => {
            let (devices, employees) = counts(&state, &ctx).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                settings_page(&ctx, &f, &errors, false, devices, employees),
            )
                .into_response())
        }
    }
}
