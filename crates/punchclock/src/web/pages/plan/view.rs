//! The plan page: plan, seats and standing, and the plans to move to.

use maud::{html, Markup};

use crate::service::plan::Status;
use crate::web::pages::blocked::{blocked_screen, plan_choices};
use crate::web::pages::ctx::Ctx;
use crate::web::pages::fmt;
use crate::web::pages::layout::{head, Nav};
use crate::web::pages::when;

pub fn plan_page(ctx: &Ctx, changed: bool, error: Option<&str>) -> Markup {
    let a = &ctx.account;
    let body = html! {
        (head(&[], "Plan and seats", None))
        @if changed {
            div.flash.flash-ok role="status" data-testid="action-result" {
                strong { "Plan changed." } " You are now on the " (a.plan.name) " plan."
            }
        }
        @if let Some(e) = error {
            div.flash.flash-bad role="alert" data-testid="action-result" { (e) }
        }
        @if a.blocked {
            (blocked_screen(&ctx.plan_view()))
        } @else {
            div.grid-2 {
                div.card {
                    h3 { "Your plan" }
                    dl.facts {
                        dt { "Plan" } dd data-testid="plan-name" { (a.plan.name) span.muted.small { " · " (a.plan.price_label()) } }
                        dt { "Seats" } dd data-testid="seats" { (fmt::thousands(a.active_employees)) " active of " (a.plan.seats_label()) }
                        dt { "Status" }
                        dd data-testid="account-status" {
                            @if let (Status::Trial, Some(end)) = (a.status, a.trial_ends_at) {
                                "Trial, ends " span data-testid="trial-end" { (when::company(fmt::minute(end, &ctx.tz), ctx.company.timezone.name())) }
                            } @else { "Active" }
                        }
                    }
                    p.muted.small { "Seats are active employees. Inactive employees are free and their punches are kept." }
                }
                div.card {
                    h3 { "Change plan" }
                    (plan_choices(&ctx.plan_view()))
                }
            }
        }
    };
    ctx.page("Plan", Nav::Account, body)
}
