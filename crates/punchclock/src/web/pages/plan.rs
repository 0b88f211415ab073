//! The account page: plan, seats and standing, plan changes, and the
//! blocked screen with its two ways out (upgrade, or deactivate people).

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{head, Nav};
use super::{fmt, see_other, Ctx, PageResult};
use crate::billing::{AccountStatus, PlanError};
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct PlanQuery {
    #[serde(default)]
    changed: Option<String>,
}

/// What a blocked or expired account sees instead of the page it asked
/// for: the count, the limit, and the ways out.
pub fn blocked_screen(ctx: &Ctx) -> Markup {
    let a = &ctx.account;
    let expired = a.status == AccountStatus::Expired;
    html! {
        div.card.blocked data-testid="blocked-screen" {
            @if expired {
                h1 { "Your trial has ended" }
                p { "Choose a plan to keep using Punchclock. "
                    "You have " (fmt::plural(a.active_employees, "active employee", "active employees")) "." }
            } @else {
                h1 { "Your account is blocked" }
                p data-testid="blocked-counts" {
                    strong { (fmt::plural(a.active_employees, "employee is", "employees are")) " active" }
                    ", but the " (a.plan.name) " plan has " strong { (a.plan.seats_label()) } "."
                }
            }
            p.muted { "Your devices keep syncing while the account is blocked: no punch is lost." }
            div.grid-2 {
                div.card {
                    h3 { @if expired { "Choose a plan" } @else { "Upgrade" } }
                    (plan_choices(ctx))
                }
                @if !expired {
                    div.card {
                        h3 { "Deactivate employees" }
                        p { "Deactivate " (fmt::plural(a.excess(), "employee", "employees"))
                            " who no longer work here. Their punches are kept; inactive employees are free." }
                        p { a.btn.btn-quiet href="/employees?show=active" data-testid="go-deactivate" { "Choose whom to deactivate" } }
                    }
                }
            }
        }
    }
}

/// The plans the owner may move to now, each with its button.
fn plan_choices(ctx: &Ctx) -> Markup {
    let a = &ctx.account;
    let catalog = &ctx.catalog;
    let in_trial = a.trial_ends_at.is_some_and(|end| end > ctx.now);
    let choices: Vec<_> = if in_trial {
        catalog.next_after(&a.plan.id).into_iter().collect()
    } else {
        catalog
            .plans()
            .iter()
            .filter(|p| p.fits(a.active_employees))
            .filter(|p| p.id != a.plan.id || a.status == AccountStatus::Expired)
            .collect()
    };
    html! {
        @if choices.is_empty() {
            p.muted { "There is no bigger plan; deactivate employees instead." }
        }
        @if in_trial {
            @if let Some(end) = a.trial_ends_at {
                p.muted.small { "During the trial you can move to the next plan; the trial still ends " span data-testid="trial-end" { (fmt::minute(end, &ctx.tz)) } "." }
            }
        }
        @for p in choices {
            form.plan-choice method="post" action="/account/plan" {
                (ctx.csrf())
                input type="hidden" name="plan" value=(p.id);
                div {
                    strong { (p.name) } " · " (p.seats_label())
                    div.muted.small { (p.price_label()) }
                }
                button type="submit" data-testid={ "choose-" (p.id) } {
                    @if in_trial { "Move to " (p.name) } @else { "Choose " (p.name) }
                }
            }
        }
    }
}

/// `GET /account`
pub async fn show(ctx: Ctx, Query(q): Query<PlanQuery>) -> Response {
    render(&ctx, q.changed.is_some(), None)
}

fn render(ctx: &Ctx, changed: bool, error: Option<String>) -> Response {
    let a = &ctx.account;
    let body = html! {
        (head(&[], "Plan and seats", None))
        @if changed {
            div.flash.flash-ok role="status" data-testid="action-result" {
                strong { "Plan changed." } " You are now on the " (a.plan.name) " plan."
            }
        }
        @if let Some(e) = &error {
            div.flash.flash-bad role="alert" data-testid="action-result" { (e) }
        }
        @if a.blocked {
            (blocked_screen(ctx))
        } @else {
            div.grid-2 {
                div.card {
                    h3 { "Your plan" }
                    dl.facts {
                        dt { "Plan" } dd data-testid="plan-name" { (a.plan.name) span.muted.small { " · " (a.plan.price_label()) } }
                        dt { "Seats" } dd data-testid="seats" { (fmt::thousands(a.active_employees)) " active of " (a.plan.seats_label()) }
                        dt { "Status" }
                        dd data-testid="account-status" {
                            @if let (AccountStatus::Trial, Some(end)) = (a.status, a.trial_ends_at) {
                                "Trial, ends " span data-testid="trial-end" { (fmt::minute(end, &ctx.tz)) }
                            } @else { "Active" }
                        }
                    }
                    p.muted.small { "Seats are active employees. Inactive employees are free and their punches are kept." }
                }
                div.card {
                    h3 { "Change plan" }
                    (plan_choices(ctx))
                }
            }
        }
    };
    ctx.page("Plan", Nav::Account, body).into_response()
}

#[derive(Deserialize, Default)]
pub struct PlanForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    plan: String,
}

/// `POST /account/plan`
pub async fn change(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PlanForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    match state
        .billing
        .change_plan(ctx.company.id, ctx.user.account_id, f.plan.trim())
        .await
    {
        Ok(_) => Ok(see_other("/account?changed=1")),
        Err(PlanError::Store(e)) => Err(e.into()),
        Err(e) => Ok(render(&ctx, false, Some(e.to_string()))),
    }
}
