//! Plans: how many active employees (seats) and devices an account may
//! have, and what that costs per month (for display; there is no payment
//! provider yet).

use serde::{Deserialize, Serialize};

/// One plan of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Stable id stored with the company, e.g. `"team"`.
    pub id: String,
    /// Name shown to customers.
    pub name: String,
    /// Active employees allowed; `None` is unlimited.
    pub seats: Option<u32>,
    /// Monthly price in cents, for display.
    pub monthly_price_cents: u32,
    /// Devices allowed (pull and push together), so one company cannot
    /// load the service with thousands of clocks; `None` (a configured
    /// plan without `devices`) is no cap.
    #[serde(default)]
    pub devices: Option<u32>,
}

impl Plan {
    fn new(id: &str, name: &str, seats: Option<u32>, price: u32, devices: u32) -> Self {
        Plan {
            id: id.into(),
            name: name.into(),
            seats,
            monthly_price_cents: price,
            devices: Some(devices),
        }
    }

    /// Whether `active` employees fit.
    pub fn fits(&self, active: u64) -> bool {
        self.seats.is_none_or(|s| active <= u64::from(s))
    }

    /// Seats as stored with the company (unlimited as `u32::MAX`).
    pub fn stored_seats(&self) -> u32 {
        self.seats.unwrap_or(u32::MAX)
    }

    /// "$59/month".
    pub fn price_label(&self) -> String {
        format!(
            "${}.{:02}/month",
            self.monthly_price_cents / 100,
            self.monthly_price_cents % 100
        )
    }

    /// "25 seats" or "unlimited seats".
    pub fn seats_label(&self) -> String {
        match self.seats {
            Some(n) => format!("{n} seats"),
            None => "unlimited seats".into(),
        }
    }

    pub fn devices_label(&self) -> String {
        match self.devices {
            Some(1) => "1 device".into(),
            Some(n) => format!("{n} devices"),
            None => "unlimited devices".into(),
        }
    }
}

/// The default catalog: plans of 10, 25, 50, 100 and unlimited seats. The
/// device caps are far above what a business of that size puts on its
/// walls: they only stop one company from loading the service for all.
pub fn default_plans() -> Vec<Plan> {
    vec![
        Plan::new("starter", "Starter", Some(10), 2900, 200),
        Plan::new("team", "Team", Some(25), 5900, 500),
        Plan::new("business", "Business", Some(50), 9900, 1000),
        Plan::new("pro", "Pro", Some(100), 17900, 2000),
        Plan::new("unlimited", "Unlimited", None, 29900, 5000),
    ]
}

/// The configured plans, smallest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    plans: Vec<Plan>,
}

/// A catalog that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("the plan catalog is empty")]
    Empty,
    #[error("plan id {0:?} appears twice")]
    Duplicate(String),
}

impl Catalog {
    /// Sorts by seats (unlimited last) and checks ids are unique.
    pub fn new(mut plans: Vec<Plan>) -> Result<Self, CatalogError> {
        if plans.is_empty() {
            return Err(CatalogError::Empty);
        }
        plans.sort_by_key(|p| (p.seats.is_none(), p.seats.unwrap_or(0)));
        for (i, p) in plans.iter().enumerate() {
            if plans[..i].iter().any(|q| q.id == p.id) {
                return Err(CatalogError::Duplicate(p.id.clone()));
            }
        }
        Ok(Catalog { plans })
    }

    pub fn plans(&self) -> &[Plan] {
        &self.plans
    }

    pub fn get(&self, id: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.id == id)
    }

    /// The plan a trial runs on.
    pub fn smallest(&self) -> &Plan {
        &self.plans[0]
    }

    /// The next bigger plan, if any.
    pub fn next_after(&self, id: &str) -> Option<&Plan> {
        let i = self.plans.iter().position(|p| p.id == id)?;
        self.plans.get(i + 1)
    }

    /// Position in the catalog, for telling upgrades from downgrades.
    pub fn rank(&self, id: &str) -> Option<usize> {
        self.plans.iter().position(|p| p.id == id)
    }
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog::new(default_plans()).expect("the default catalog is valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_catalog_is_ordered() {
        let c = Catalog::default();
        let seats: Vec<_> = c.plans().iter().map(|p| p.seats).collect();
        assert_eq!(seats, [Some(10), Some(25), Some(50), Some(100), None]);
        assert_eq!(c.smallest().id, "starter");
        assert_eq!(c.next_after("starter").unwrap().id, "team");
        assert!(c.next_after("unlimited").is_none());
    }

    #[test]
    fn every_default_plan_caps_devices_and_bigger_plans_allow_more() {
        let caps: Vec<_> = Catalog::default()
            .plans()
            .iter()
            .map(|p| p.devices)
            .collect();
        assert_eq!(
            caps,
            [Some(200), Some(500), Some(1000), Some(2000), Some(5000)]
        );
    }

    #[test]
    fn catalog_sorts_and_rejects_duplicates() {
        let mut plans = default_plans();
        plans.reverse();
        assert_eq!(Catalog::new(plans).unwrap(), Catalog::default());
        let mut plans = default_plans();
        plans.push(plans[0].clone());
        assert_eq!(
            Catalog::new(plans),
            Err(CatalogError::Duplicate("starter".into()))
        );
        assert_eq!(Catalog::new(vec![]), Err(CatalogError::Empty));
    }

    #[test]
    fn seats_fit() {
        let c = Catalog::default();
        assert!(c.get("starter").unwrap().fits(10));
        assert!(!c.get("starter").unwrap().fits(11));
        assert!(c.get("unlimited").unwrap().fits(u64::MAX));
        assert_eq!(c.get("team").unwrap().price_label(), "$59.00/month");
    }
}
