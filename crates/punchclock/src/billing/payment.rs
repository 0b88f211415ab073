//! The seam where a payment provider will plug in. Today plan changes are
//! only recorded; a provider would charge or subscribe before they apply.

use super::Plan;
use crate::domain::CompanyId;

/// What the provider says about a plan change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentDecision {
    /// Go ahead; `reference` is kept in the audit log.
    Approved { reference: Option<String> },
    /// Do not change the plan; the message is shown to the owner.
    Declined { message: String },
}

/// A payment provider. Called before a plan change is stored.
#[async_trait::async_trait]
pub trait PaymentProvider: Send + Sync {
    async fn change_plan(&self, company: CompanyId, from: &Plan, to: &Plan) -> PaymentDecision;
}

/// No provider: every change is approved and just recorded.
#[derive(Debug, Default, Clone, Copy)]
pub struct RecordOnly;

#[async_trait::async_trait]
impl PaymentProvider for RecordOnly {
    async fn change_plan(&self, _: CompanyId, _: &Plan, _: &Plan) -> PaymentDecision {
        PaymentDecision::Approved { reference: None }
    }
}
