//! The plan as the owner sees it: seats, standing, the catalog, plan
//! changes and their audit trail. Billing decides; this is its front desk.

use std::sync::Arc;

use super::error::{ServiceError, ServiceResult};
use super::services::{Caller, Services};
use crate::billing::PlanError;
use crate::domain::AuditEvent;

pub use crate::billing::{AccountStatus as Status, Catalog, Plan, PlanPreview, Standing};

/// Most audit events one request may list.
pub const MAX_AUDIT_EVENTS: u32 = 1000;

impl Services {
    pub fn plan(&self) -> Plans<'_> {
        Plans(self)
    }
}

/// Plan operations; see [`Services::plan`].
pub struct Plans<'a>(&'a Services);

impl Plans<'_> {
    /// How the account stands now.
    pub async fn standing(&self, caller: &Caller) -> ServiceResult<Standing> {
        Ok(self.0.billing.standing(caller.company_id).await?)
    }

    /// How the account stands, recording any change (a trial that ended
    /// since) in the audit log first.
    pub async fn reconciled(&self, caller: &Caller) -> ServiceResult<Standing> {
        Ok(self
            .0
            .billing
            .reconcile(caller.company_id, Some(caller.account_id))
            .await?)
    }

    /// How many devices the company has, against its plan's device cap.
    pub async fn devices_in_use(&self, caller: &Caller) -> ServiceResult<u64> {
        Ok(self.0.store.count_devices(caller.company_id).await?)
    }

    pub fn catalog(&self) -> Arc<Catalog> {
        self.0.billing.shared_catalog()
    }

    /// The plan a trial can move to, if any.
    pub fn next_after(&self, plan: &str) -> Option<Plan> {
        self.0.billing.catalog().next_after(plan).cloned()
    }

    /// Move to another plan. An unknown plan is a `plan` field error; a
    /// plan that is refused (too small, same, not next during the trial,
    /// declined) is a conflict that says why.
    pub async fn change(&self, caller: &Caller, plan: &str) -> ServiceResult<Standing> {
        self.0
            .billing
            .change_plan(caller.company_id, caller.account_id, plan.trim())
            .await
            .map_err(plan_error)
    }

    /// What moving to `plan` would change, refused for the same reasons as
    /// [`Self::change`]; nothing is changed.
    pub async fn preview(&self, caller: &Caller, plan: &str) -> ServiceResult<PlanPreview> {
        self.0
            .billing
            .preview_change(caller.company_id, plan.trim())
            .await
            .map_err(plan_error)
    }

    /// Plan changes, blocks and unblocks, newest first.
    pub async fn audit(&self, caller: &Caller, limit: u32) -> ServiceResult<Vec<AuditEvent>> {
        Ok(self
            .0
            .store
            .list_audit_events(caller.company_id, limit.clamp(1, MAX_AUDIT_EVENTS))
            .await?)
    }
}

/// An unknown plan is a `plan` field error; a refusal is a conflict that
/// says why.
fn plan_error(e: PlanError) -> ServiceError {
    match e {
        PlanError::Store(s) => s.into(),
        PlanError::UnknownPlan(_) => ServiceError::field("plan", e),
        other => ServiceError::conflict("plan", other.to_string()),
    }
}
