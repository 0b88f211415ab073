//! The plan page: plan, seats and standing, and the plans to move to.

use maud::{html, Markup};

use crate::service::plan::{PlanPreview, Status};
use crate::web::pages::blocked::{blocked_screen, plan_choices};
use crate::web::pages::ctx::Ctx;
use crate::web::pages::fmt;
use crate::web::pages::layout::{head, Nav};
use crate::web::pages::when;

pub fn plan_page(ctx: &Ctx, devices: u64, changed: bool, error: Option<&str>) -> Markup {
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
                        dt { "Devices" } dd data-testid="devices" { (fmt::thousands(devices)) " of " (a.plan.devices_label()) }
                        dt { "Status" }
                        dd data-testid="account-status" {
                            @if let (Status::Trial, Some(end)) = (a.status, a.trial_ends_at) {
                                "Trial, ends " span data-testid="trial-end" { (when::company(fmt::minute(end, &ctx.tz), ctx.company.timezone.name())) }
                            } @else { "Active" }
                        }
                    }
                    p.muted.small { "Seats are active employees. Inactive employees are free and their punches are kept. Devices count clocks of both kinds, polled and pushing." }
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

/// What a plan change would do (seats, price, when), with Confirm and
/// Cancel: nothing changes until the owner confirms.
pub fn confirm_page(ctx: &Ctx, p: &PlanPreview) -> Markup {
    let zone = ctx.company.timezone.name();
    let direction = if p.from.id == p.to.id {
        "same"
    } else if p.upgrade {
        "upgrade"
    } else {
        "downgrade"
    };
    let body = html! {
        (head(&[("/account", "Plan and seats")], "Confirm the plan change", None))
        div.card data-testid="plan-confirm" data-direction=(direction) {
            h3 {
                @match direction {
                    "upgrade" => { "Upgrade from " (p.from.name) " to " (p.to.name) }
                    "downgrade" => { "Downgrade from " (p.from.name) " to " (p.to.name) }
                    _ => { "Continue on " (p.to.name) }
                }
            }
            dl.facts {
                dt { "Seats" }
                dd data-testid="confirm-seats" {
                    (p.from.seats_label()) " → " strong { (p.to.seats_label()) }
                    span.muted.small { " · " (fmt::plural(p.active_employees, "employee is", "employees are")) " active now" }
                }
                dt { "Price" }
                dd data-testid="confirm-price" { (p.from.price_label()) " → " strong { (p.to.price_label()) } }
                dt { "Takes effect" }
                dd data-testid="confirm-date" { "At once: " (when::company(fmt::minute(p.effective, &ctx.tz), zone)) }
                dt { "Trial" }
                dd data-testid="confirm-trial" {
                    @match p.trial_ends_at {
                        Some(end) => { "Still ends " (when::company(fmt::minute(end, &ctx.tz), zone)) }
                        None => { "None: the plan is billed from the date above" }
                    }
                }
            }
            @if let (false, Some(seats)) = (p.upgrade, p.to.seats) {
                p.muted { "With " (seats) " seats, more than " (seats) " active employees block the account until someone is deactivated or you upgrade again." }
            }
            div.actions {
                form method="post" action="/account/plan" {
                    (ctx.csrf())
                    input type="hidden" name="plan" value=(p.to.id);
                    button.btn type="submit" data-testid="confirm-plan" { "Confirm: move to " (p.to.name) }
                }
                a.btn.btn-quiet href="/account" data-testid="cancel-plan" { "Cancel" }
            }
        }
    };
    ctx.page("Confirm the plan change", Nav::Account, body)
}
