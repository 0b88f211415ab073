//! The caller's company: its settings and how it stands.

use super::company_rules::{self, RulesChanges, RulesInput};
use super::error::ServiceResult;
use super::fields::FieldErrors;
use super::plan::Standing;
use super::services::{Caller, Services};
use super::zone;
use crate::domain::{AttendanceRules, Company, CompanyName, CompanySettings, PollInterval, Zone};

/// Company settings as typed; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyInput {
    pub name: Option<String>,
    pub timezone: Option<String>,
    pub poll_interval_minutes: Option<String>,
    /// The attendance rules.
    pub rules: RulesInput,
}

/// Changes to the settings, valid; `None` keeps the current value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyChanges {
    pub name: Option<CompanyName>,
    pub timezone: Option<Zone>,
    pub poll_interval: Option<PollInterval>,
    pub rules: RulesChanges,
}

impl CompanyInput {
    pub fn parse(&self) -> Result<CompanyChanges, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = self
            .name
            .as_deref()
            .and_then(|v| e.check("name", CompanyName::parse(v)));
        let timezone = self
            .timezone
            .as_deref()
            .and_then(|v| e.check("timezone", zone::parse(v)));
        let poll_interval = self
            .poll_interval_minutes
            .as_deref()
            .and_then(|v| e.check("poll_interval_minutes", PollInterval::parse(v)));
        let rules = self.rules.parse(&mut e);
        e.finish(|| {
            Some(CompanyChanges {
                name,
                timezone,
                poll_interval,
                rules,
            })
        })
    }
}

/// A company with its plan standing.
#[derive(Debug, Clone)]
pub struct CompanyOverview {
    pub company: Company,
    pub standing: Standing,
}

impl Services {
    pub fn company(&self) -> Companies<'_> {
        Companies(self)
    }
}

/// Company operations; see [`Services::company`].
pub struct Companies<'a>(&'a Services);

impl Companies<'_> {
    pub async fn get(&self, caller: &Caller) -> ServiceResult<Company> {
        Ok(self.0.store.get_company(caller.company_id).await?)
    }

    /// The company and its standing, loaded once.
    pub async fn overview(&self, caller: &Caller) -> ServiceResult<CompanyOverview> {
        let company = self.get(caller).await?;
        let standing = self.0.billing.standing_of(&company).await?;
        Ok(CompanyOverview { company, standing })
    }

    /// Devices connected and employees active.
    pub async fn counts(&self, caller: &Caller) -> ServiceResult<(usize, u64)> {
        let devices = self.0.store.list_devices(caller.company_id).await?.len();
        let active = self
            .0
            .store
            .count_active_employees(caller.company_id)
            .await?;
        Ok((devices, active))
    }

    /// The attendance rules (default shift, double taps, thresholds).
    pub async fn rules(&self, caller: &Caller) -> ServiceResult<AttendanceRules> {
        Ok(self.0.store.attendance_rules(caller.company_id).await?)
    }

    /// Saves the settings and the attendance rules. Every change is checked
    /// before anything is saved; attendance is computed with the new rules
    /// from the next read on.
    pub async fn update(
        &self,
        caller: &Caller,
        changes: CompanyChanges,
    ) -> ServiceResult<CompanyOverview> {
        self.0.require_good_standing(caller).await?;
        let current = self.get(caller).await?;
        let settings = CompanySettings {
            name: changes.name.map_or(current.name, CompanyName::into_string),
            timezone: changes.timezone.unwrap_or(current.timezone),
            poll_interval_minutes: changes
                .poll_interval
                .map_or(current.poll_interval_minutes, PollInterval::minutes),
        };
        if !changes.rules.is_empty() {
            let rules = changes.rules.over(&self.rules(caller).await?);
            company_rules::validate(&rules, &settings.timezone)?;
            // First: an unknown default shift refuses the whole change.
            self.0
                .store
                .update_attendance_rules(caller.company_id, &rules)
                .await?;
        }
        let company = self
            .0
            .store
            .update_company_settings(caller.company_id, &settings)
            .await?;
        let standing = self.0.billing.standing_of(&company).await?;
        Ok(CompanyOverview { company, standing })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_parsed_field_by_field() {
        let all = CompanyInput {
            name: Some(" Corner Bakery ".into()),
            timezone: Some("Asia/Tokyo".into()),
            poll_interval_minutes: Some("15".into()),
            ..CompanyInput::default()
        };
        let c = all.parse().unwrap();
        assert_eq!(c.name.unwrap().as_str(), "Corner Bakery");
        assert_eq!(
            c.timezone.map(|z| z.to_string()).as_deref(),
            Some("Asia/Tokyo")
        );
        assert_eq!(c.poll_interval.map(PollInterval::minutes), Some(15));
        let none = CompanyInput::default().parse().unwrap();
        assert_eq!(
            (none.name, none.timezone, none.poll_interval),
            (None, None, None)
        );
        let bad = CompanyInput {
            name: Some("".into()),
            timezone: Some("Atlantis/Capital".into()),
            poll_interval_minutes: Some("2".into()),
            ..CompanyInput::default()
        };
        let e = bad.parse().unwrap_err();
        for f in ["name", "timezone", "poll_interval_minutes"] {
            assert!(e.get(f).is_some(), "{f}: {e}");
        }
    }
}
