//! A blocked or expired account: what it is told, the blocked screen with
//! its two ways out (upgrade, or deactivate people), and the plan choices.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use maud::{html, Markup};

use super::{fmt, when};
use crate::service::plan::{Catalog, Standing, Status};

/// What a blocked or expired account is told, with the way out; `None` in
/// good standing.
pub fn restriction(a: &Standing) -> Option<String> {
    match a.status {
        Status::Expired => Some(
            "Your trial has ended. Choose a plan to continue; your data is kept and your devices keep syncing."
                .into(),
        ),
        Status::Blocked => Some(format!(
            "Your account is blocked: {} employees are active but the {} plan has {}. \
             Deactivate {} on the Employees page, or move to a bigger plan. Your devices keep syncing.",
            a.active_employees,
            a.plan.name,
            a.plan.seats_label(),
            fmt::plural(a.excess(), "employee", "employees"),
        )),
        Status::Trial | Status::Active => None,
    }
}

/// What the plan parts of a page need to know.
pub struct PlanView<'a> {
    pub standing: &'a Standing,
    pub catalog: &'a Catalog,
    pub now: Timestamp,
    pub tz: &'a TimeZone,
    /// The company zone's name, for the times shown.
    pub zone: &'a str,
}

/// What a blocked or expired account sees instead of the page it asked
/// for: the count, the limit, and the ways out.
pub fn blocked_screen(v: &PlanView<'_>) -> Markup {
    let a = v.standing;
    let expired = a.status == Status::Expired;
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
                    (plan_choices(v))
                }
                @if !expired {
                    div.card {
                        h3 { "Deactivate employees" }
                        p { "Deactivate " (fmt::plural(a.excess(), "employee", "employees"))
                            " who no longer work here. Their punches are kept; inactive employees are free." }
                        p { a.btn.btn-quiet href="/employees?show=active&sort=last-punch" data-testid="go-deactivate" { "Choose whom to deactivate" } }
                    }
                }
            }
        }
    }
}

/// The plans the owner may move to now, each with its button.
pub fn plan_choices(v: &PlanView<'_>) -> Markup {
    let a = v.standing;
    let in_trial = a.trial_ends_at.is_some_and(|end| end > v.now);
    let choices: Vec<_> = if in_trial {
        v.catalog.next_after(&a.plan.id).into_iter().collect()
    } else {
        v.catalog
            .plans()
            .iter()
            .filter(|p| p.fits(a.active_employees))
            .filter(|p| p.id != a.plan.id || a.status == Status::Expired)
            .collect()
    };
    html! {
        @if choices.is_empty() {
            p.muted { "There is no bigger plan; deactivate employees instead." }
        }
        @if in_trial {
            @if let Some(end) = a.trial_ends_at {
                p.muted.small { "During the trial you can move to the next plan; the trial still ends " span data-testid="trial-end" { (when::company(fmt::minute(end, v.tz), v.zone)) } "." }
            }
        }
        @for p in choices {
            // To the confirmation, which shows what changes; nothing changes yet.
            form.plan-choice method="get" action="/account/plan" {
                input type="hidden" name="plan" value=(p.id);
                div {
                    strong { (p.name) } " · " (p.seats_label())
                    div.muted.small { (p.price_label()) }
                }
                button type="submit" data-testid={ "choose-" (p.id) } {
                    @if in_trial { "Move to " (p.name) "…" } @else { "Choose " (p.name) "…" }
                }
            }
        }
    }
}
