//! Companies (tenants) and their plan.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

id_type!(
    /// Id of a company; every piece of tenant data is scoped by it.
    CompanyId
);

text_enum!(
    /// Commercial state of a company, derived by [`Company::status`].
    CompanyStatus {
        Trial => "trial",
        Active => "active",
        Blocked => "blocked",
        Expired => "expired",
    }
);

/// A tenant: one customer with its devices, employees and punches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Company {
    pub id: CompanyId,
    pub name: String,
    /// IANA time zone name, used for devices without their own zone.
    pub timezone: String,
    pub poll_interval_minutes: u32,
    /// Plan id such as `"trial"` or `"team10"`; its meaning lives with billing.
    pub plan: String,
    /// Number of active employees the plan allows.
    pub seats: u32,
    /// Set while the company is on a time-limited trial.
    pub trial_ends_at: Option<Timestamp>,
    /// Manually blocked by an operator (e.g. unpaid).
    pub blocked: bool,
    pub created_at: Timestamp,
}

impl Company {
    /// Status is derived rather than stored so it can never disagree with
    /// the fields it comes from: blocked wins, then a passed trial end.
    pub fn status(&self, now: Timestamp) -> CompanyStatus {
        match self.trial_ends_at {
            _ if self.blocked => CompanyStatus::Blocked,
            Some(end) if end <= now => CompanyStatus::Expired,
            Some(_) => CompanyStatus::Trial,
            None => CompanyStatus::Active,
        }
    }
}

/// Input for creating a company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCompany {
    pub name: String,
    pub timezone: String,
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
    pub timezone: String,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn company(blocked: bool, trial_ends_at: Option<Timestamp>) -> Company {
        Company {
            id: CompanyId(1),
            name: "Acme".into(),
            timezone: "UTC".into(),
            poll_interval_minutes: 30,
            plan: "trial".into(),
            seats: 5,
            trial_ends_at,
            blocked,
            created_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn status_is_derived() {
        let now = Timestamp::from_second(1_000).unwrap();
        let later = Timestamp::from_second(2_000).unwrap();
        assert_eq!(company(false, None).status(now), CompanyStatus::Active);
        assert_eq!(
            company(false, Some(later)).status(now),
            CompanyStatus::Trial
        );
        assert_eq!(
            company(false, Some(now)).status(now),
            CompanyStatus::Expired
        );
        assert_eq!(
            company(true, Some(later)).status(now),
            CompanyStatus::Blocked
        );
    }
}
