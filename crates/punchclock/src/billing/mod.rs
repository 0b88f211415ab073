//! Plans, seats, trial and account blocking.
//!
//! Seats used = active employees. When active employees exceed the plan's
//! seats the account is blocked; when a trial ends without a paid plan it is
//! expired. Both restrict the account (the API answers 402) but never stop
//! syncing: punches and new employees keep being stored. The state is
//! computed from the live count, so it lifts the moment the plan is upgraded
//! or people are deactivated; `reconcile` records the transitions.

pub mod payment;
pub mod plan;

use std::sync::Arc;

use jiff::Timestamp;
use serde::Serialize;

pub use payment::{PaymentDecision, PaymentProvider, RecordOnly};
pub use plan::{default_plans, Catalog, Plan};

use crate::clock::Clock;
use crate::domain::{AccountId, AuditKind, Company, CompanyId, NewAuditEvent, PlanChange};
use crate::store::{Store, StoreError};

/// Commercial state of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    Trial,
    Active,
    Blocked,
    Expired,
}

impl AccountStatus {
    /// Blocked and expired accounts may only fix their plan or seats.
    pub fn is_restricted(self) -> bool {
        matches!(self, AccountStatus::Blocked | AccountStatus::Expired)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Trial => "trial",
            AccountStatus::Active => "active",
            AccountStatus::Blocked => "blocked",
            AccountStatus::Expired => "expired",
        }
    }
}

/// A company's standing on its plan, as the owner sees it
/// (`GET /api/v1/account`). Not to be confused with `domain::Account`, a
/// login.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    pub plan: Plan,
    /// `None` is unlimited.
    pub seats: Option<u32>,
    pub active_employees: u64,
    pub blocked: bool,
    pub trial_ends_at: Option<Timestamp>,
    pub status: AccountStatus,
}

/// A plan change before it is made: what the owner is asked to confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanPreview {
    pub from: Plan,
    pub to: Plan,
    pub active_employees: u64,
    /// A bigger plan than now (else a smaller one, or the same again
    /// after a trial ended).
    pub upgrade: bool,
    /// When the change takes effect: at once, on confirming.
    pub effective: Timestamp,
    /// The trial end the new plan keeps (`None`: no trial).
    pub trial_ends_at: Option<Timestamp>,
}

/// A plan change that passed its checks, with what they were made on.
struct CheckedChange {
    company: Company,
    from: Plan,
    to: Plan,
    active: u64,
    now: Timestamp,
    /// The trial end the new plan keeps (`None`: no trial).
    trial_ends_at: Option<Timestamp>,
}

impl Standing {
    /// Over the seat limit: how many must be deactivated (or 0).
    pub fn excess(&self) -> u64 {
        self.seats
            .map_or(0, |s| self.active_employees.saturating_sub(u64::from(s)))
    }
}

/// Status from the facts: an ended trial wins (it needs a plan whatever the
/// count), then the seat limit.
pub fn status(
    plan: &Plan,
    active: u64,
    trial_ends_at: Option<Timestamp>,
    now: Timestamp,
) -> AccountStatus {
    match trial_ends_at {
        Some(end) if end <= now => AccountStatus::Expired,
        _ if !plan.fits(active) => AccountStatus::Blocked,
        Some(_) => AccountStatus::Trial,
        None => AccountStatus::Active,
    }
}

/// Why a plan change was refused.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("there is no plan called {0:?}")]
    UnknownPlan(String),
    #[error("you are already on the {0} plan")]
    Unchanged(String),
    #[error(
        "the {plan} plan has {seats} seats but {active} employees are active: deactivate {excess} first, or pick a bigger plan"
    )]
    TooSmall {
        plan: String,
        seats: u32,
        active: u64,
        excess: u64,
    },
    #[error("during the trial you can move to the next plan ({next}) only")]
    TrialNextOnly { next: String },
    #[error("{0}")]
    Declined(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Plans, seats and blocking for one service.
#[derive(Clone)]
pub struct Billing {
    store: Store,
    catalog: Arc<Catalog>,
    payments: Arc<dyn PaymentProvider>,
    clock: Clock,
    trial_days: u32,
}

impl Billing {
    pub fn new(store: Store, catalog: Catalog, clock: Clock, trial_days: u32) -> Self {
        Billing {
            store,
            catalog: Arc::new(catalog),
            payments: Arc::new(RecordOnly),
            clock,
            trial_days,
        }
    }

    /// Plug in a payment provider.
    pub fn with_payments(mut self, provider: Arc<dyn PaymentProvider>) -> Self {
        self.payments = provider;
        self
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// A shared handle on the catalog, for views that outlive a borrow.
    pub fn shared_catalog(&self) -> Arc<Catalog> {
        self.catalog.clone()
    }

    /// What a new company starts with: the smallest plan, on trial.
    pub fn trial_start(&self) -> PlanChange {
        let plan = self.catalog.smallest();
        PlanChange {
            plan: plan.id.clone(),
            seats: plan.stored_seats(),
            trial_ends_at: Some(
                self.clock.now()
                    + jiff::SignedDuration::from_hours(24 * i64::from(self.trial_days)),
            ),
        }
    }

    /// The company's plan; an id no longer in the catalog reads as the
    /// seats stored with the company, so a config change never unblocks or
    /// blocks anyone by surprise, and the catalog's largest device cap.
    pub fn plan_of(&self, company: &Company) -> Plan {
        self.catalog
            .get(&company.plan)
            .cloned()
            .unwrap_or_else(|| Plan {
                id: company.plan.clone(),
                name: company.plan.clone(),
                seats: (company.seats != u32::MAX).then_some(company.seats),
                monthly_price_cents: 0,
                devices: self.catalog.plans().iter().filter_map(|p| p.devices).max(),
            })
    }

    /// The company's standing now.
    pub async fn standing(&self, company_id: CompanyId) -> Result<Standing, StoreError> {
        let company = self.store.get_company(company_id).await?;
        self.standing_of(&company).await
    }

    /// The standing of a company the caller has already loaded.
    pub async fn standing_of(&self, company: &Company) -> Result<Standing, StoreError> {
        let active = self.store.count_active_employees(company.id).await?;
        Ok(self.view(company, active))
    }

    fn view(&self, company: &Company, active: u64) -> Standing {
        let plan = self.plan_of(company);
        let status = status(&plan, active, company.trial_ends_at, self.clock.now());
        Standing {
            seats: plan.seats,
            plan,
            active_employees: active,
            blocked: status.is_restricted(),
            trial_ends_at: company.trial_ends_at,
            status,
        }
    }

    /// Record a change of state (blocked, unblocked, expired) in the audit
    /// log after something that can change it: a sync, a manual add, a
    /// (de)activation, a plan change. `actor` is `None` for the system.
    pub async fn reconcile(
        &self,
        company_id: CompanyId,
        actor: Option<AccountId>,
    ) -> Result<Standing, StoreError> {
        let company = self.store.get_company(company_id).await?;
        let account = self.standing_of(&company).await?;
        let active = account.active_employees;
        if account.blocked != company.blocked {
            let detail = match account.status {
                AccountStatus::Blocked => format!(
                    "{} active employees, the {} plan has {}",
                    active,
                    account.plan.name,
                    account.plan.seats_label()
                ),
                AccountStatus::Expired => "the trial ended without a paid plan".to_string(),
                _ => format!(
                    "{} active employees within the {} plan's {}",
                    active,
                    account.plan.name,
                    account.plan.seats_label()
                ),
            };
            self.store
                .set_company_blocked(company_id, account.blocked, actor, Some(&detail))
                .await?;
            if account.status == AccountStatus::Expired {
                self.store
                    .insert_audit_event(
                        company_id,
                        &NewAuditEvent {
                            account_id: actor,
                            kind: AuditKind::Expired,
                            from_value: Some("trial".into()),
                            to_value: Some("expired".into()),
                            detail: company.trial_ends_at.map(|t| format!("trial ended {t}")),
                        },
                    )
                    .await?;
            }
        }
        Ok(account)
    }

    /// The owner changes the plan.
    ///
    /// During a trial the only change is to the next plan, for the rest of
    /// the trial: the end date does not move. Otherwise (paid, or the trial
    /// is over) any plan that fits the active employees can be chosen, and
    /// choosing one ends the trial. A plan smaller than current usage is
    /// refused.
    pub async fn change_plan(
        &self,
        company_id: CompanyId,
        actor: AccountId,
        plan_id: &str,
    ) -> Result<Standing, PlanError> {
        let CheckedChange {
            company,
            from,
            to,
            now,
            trial_ends_at,
            ..
        } = self.check_change(company_id, plan_id).await?;
        let in_trial = company.trial_ends_at.is_some_and(|end| end > now);
        let reference = match self.payments.change_plan(company_id, &from, &to).await {
            PaymentDecision::Approved { reference } => reference,
            PaymentDecision::Declined { message } => return Err(PlanError::Declined(message)),
        };
        let detail = match (&reference, in_trial) {
            (Some(r), _) => format!("payment reference {r}"),
            (None, true) => "upgrade for the rest of the trial".to_string(),
            (None, false) => "recorded; no payment provider configured".to_string(),
        };
        let change = PlanChange {
            plan: to.id.clone(),
            seats: to.stored_seats(),
            trial_ends_at,
        };
        self.store
            .set_company_plan(company_id, &change, Some(actor), Some(&detail))
            .await?;
        Ok(self.reconcile(company_id, Some(actor)).await?)
    }

    /// What moving to `plan_id` would change, checked as [`Self::change_plan`]
    /// checks it, without changing anything (the confirmation step).
    pub async fn preview_change(
        &self,
        company_id: CompanyId,
        plan_id: &str,
    ) -> Result<PlanPreview, PlanError> {
        let CheckedChange {
            from,
            to,
            active,
            now,
            trial_ends_at,
            ..
        } = self.check_change(company_id, plan_id).await?;
        let upgrade = self.catalog.rank(&to.id) > self.catalog.rank(&from.id);
        Ok(PlanPreview {
            from,
            to,
            active_employees: active,
            upgrade,
            effective: now,
            trial_ends_at,
        })
    }

    /// Loads what a plan change is decided on and checks it, so that the
    /// confirmation step and the change itself can never disagree.
    async fn check_change(
        &self,
        company_id: CompanyId,
        plan_id: &str,
    ) -> Result<CheckedChange, PlanError> {
        let to = self
            .catalog
            .get(plan_id)
            .cloned()
            .ok_or_else(|| PlanError::UnknownPlan(plan_id.to_string()))?;
        let company = self.store.get_company(company_id).await?;
        let active = self.store.count_active_employees(company_id).await?;
        let from = self.plan_of(&company);
        let now = self.clock.now();
        let trial_ends_at = self.allowed_change(&company, &from, &to, active, now)?;
        Ok(CheckedChange {
            company,
            from,
            to,
            active,
            now,
            trial_ends_at,
        })
    }

    /// Whether `from` may become `to` now, and if so the trial end the new
    /// plan keeps (`None` ends the trial).
    fn allowed_change(
        &self,
        company: &Company,
        from: &Plan,
        to: &Plan,
        active: u64,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, PlanError> {
        if to.id == from.id && company.trial_ends_at.is_none_or(|end| end > now) {
            return Err(PlanError::Unchanged(to.name.clone()));
        }
        if !to.fits(active) {
            let seats = to.seats.unwrap_or(u32::MAX);
            return Err(PlanError::TooSmall {
                plan: to.name.clone(),
                seats,
                active,
                excess: active - u64::from(seats),
            });
        }
        if company.trial_ends_at.is_none_or(|end| end <= now) {
            return Ok(None);
        }
        let next = self.catalog.next_after(&from.id);
        if next.map(|p| &p.id) != Some(&to.id) {
            return Err(PlanError::TrialNextOnly {
                next: next.map_or_else(|| "none".to_string(), |p| p.name.clone()),
            });
        }
        Ok(company.trial_ends_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap()
    }

    #[test]
    fn status_rules() {
        let c = Catalog::default();
        let starter = c.get("starter").unwrap();
        let now = at(1_000);
        assert_eq!(
            status(starter, 10, Some(at(2_000)), now),
            AccountStatus::Trial
        );
        assert_eq!(
            status(starter, 11, Some(at(2_000)), now),
            AccountStatus::Blocked
        );
        assert_eq!(
            status(starter, 3, Some(at(1_000)), now),
            AccountStatus::Expired
        );
        assert_eq!(
            status(starter, 30, Some(at(500)), now),
            AccountStatus::Expired
        );
        assert_eq!(status(starter, 10, None, now), AccountStatus::Active);
        assert_eq!(status(starter, 11, None, now), AccountStatus::Blocked);
        let unlimited = c.get("unlimited").unwrap();
        assert_eq!(
            status(unlimited, 1_000_000, None, now),
            AccountStatus::Active
        );
        assert!(AccountStatus::Expired.is_restricted());
        assert!(!AccountStatus::Trial.is_restricted());
    }
}
