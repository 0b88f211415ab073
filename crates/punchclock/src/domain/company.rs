//! Companies (tenants) and their plan.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::Zone;

id_type!(
    /// Id of a company; every piece of tenant data is scoped by it.
    CompanyId
);

/// A tenant: one customer with its devices, employees and punches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Company {
    pub id: CompanyId,
    pub name: String,
    /// Used for devices without their own zone.
    pub timezone: Zone,
    pub poll_interval_minutes: u32,
    /// Plan id such as `"trial"` or `"team10"`; its meaning lives with billing.
    pub plan: String,
    /// Number of active employees the plan allows.
    pub seats: u32,
    /// Set while the company is on a time-limited trial.
    pub trial_ends_at: Option<Timestamp>,
    /// Last recorded restriction (over its seats, or trial expired), kept
    /// so billing can log each change once; billing derives the live state.
    pub blocked: bool,
    pub created_at: Timestamp,
}

/// Input for creating a company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCompany {
    pub name: String,
    pub timezone: Zone,
    /// `None` uses the default of 30 minutes.
    pub poll_interval_minutes: Option<u32>,
    pub plan: String,
    pub seats: u32,
    pub trial_ends_at: Option<Timestamp>,
}

/// Settings the company owner may edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanySettings {
    pub name: String,
    pub timezone: Zone,
    pub poll_interval_minutes: u32,
}

/// A plan change; recorded in the audit log together with the update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanChange {
    pub plan: String,
    pub seats: u32,
    /// `None` ends the trial (a paid plan).
    pub trial_ends_at: Option<Timestamp>,
}
