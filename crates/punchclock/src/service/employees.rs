//! Employees: the people the devices know, with names humans can fix.
//! Active employees are billed seats, so adding and (de)activating people
//! is followed by billing.

use super::error::{ServiceError, ServiceResult};
use super::fields::{parse_optional, FieldErrors};
use super::services::{Caller, Services};
use crate::domain::{
    Designation, Email, EmployeeFilter, EmployeeId, EmployeeSearch, EmployeeUpdate, EnrollId,
    FirstName, LastName, ListedEmployee, NewEmployee, ShiftId,
};

use crate::domain::Employee;

/// Most employees one request may list (the punch filter offers them all).
pub const MAX_LIST: u32 = 2000;

/// Employee details as typed; `None` keeps the current value, blank text
/// clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmployeeInput {
    /// Only when adding someone by hand.
    pub enroll_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub designation: Option<String>,
    pub email: Option<String>,
    pub active: Option<bool>,
    /// Send the end-of-day report (on by default once an email is set).
    pub daily_report: Option<bool>,
    /// A shift id; blank follows the company default.
    pub shift_id: Option<String>,
    /// Also write the new name to the company's devices (USER_WRQ).
    pub push_name: Option<bool>,
}

/// Human-editable details, valid; the outer `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmployeeChanges {
    pub first_name: Option<Option<FirstName>>,
    pub last_name: Option<Option<LastName>>,
    pub designation: Option<Option<Designation>>,
    pub email: Option<Option<Email>>,
    pub active: Option<bool>,
    pub daily_report: Option<bool>,
    /// Their own shift; `Some(None)` follows the company default.
    pub shift_id: Option<Option<ShiftId>>,
    pub push_name: Option<bool>,
}

/// Someone added by hand, before any device knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    pub enroll_id: EnrollId,
    pub details: EmployeeChanges,
}

impl EmployeeInput {
    pub fn parse_changes(&self) -> Result<EmployeeChanges, FieldErrors> {
        let mut e = FieldErrors::default();
        let changes = self.details(&mut e);
        e.finish(|| Some(changes))
    }

    pub fn parse_new(&self) -> Result<NewPerson, FieldErrors> {
        let mut e = FieldErrors::default();
        let enroll_id = e.check(
            "enroll_id",
            EnrollId::parse(self.enroll_id.as_deref().unwrap_or_default()),
        );
        let details = self.details(&mut e);
        e.finish(|| {
            Some(NewPerson {
                enroll_id: enroll_id?,
                details,
            })
        })
    }

    fn details(&self, e: &mut FieldErrors) -> EmployeeChanges {
        EmployeeChanges {
            first_name: self
                .first_name
                .as_deref()
                .and_then(|v| e.check("first_name", FirstName::parse(v))),
            last_name: self
                .last_name
                .as_deref()
                .and_then(|v| e.check("last_name", LastName::parse(v))),
            designation: self
                .designation
                .as_deref()
                .and_then(|v| e.check("designation", Designation::parse(v))),
            email: self
                .email
                .as_deref()
                .and_then(|v| e.check("email", parse_optional(v, Email::parse))),
            active: self.active,
            daily_report: self.daily_report,
            shift_id: self
                .shift_id
                .as_deref()
                .and_then(|v| e.check("shift_id", parse_optional(v, parse_shift_id))),
            push_name: self.push_name,
        }
    }
}

fn parse_shift_id(value: &str) -> Result<ShiftId, String> {
    value
        .parse()
        .map_err(|_| "Choose a shift from the list (or none, for the company's default).".into())
}

/// `Some(text)` of a changed field, else the current value.
fn merge<T>(
    change: Option<Option<T>>,
    current: &Option<String>,
    text: fn(T) -> String,
) -> Option<String> {
    match change {
        Some(v) => v.map(text),
        None => current.clone(),
    }
}

impl Services {
    pub fn employees(&self) -> Employees<'_> {
        Employees(self)
    }
}

/// Employee operations; see [`Services::employees`].
pub struct Employees<'a>(&'a Services);

impl Employees<'_> {
    /// One page of employees and how many match in all.
    pub async fn list(
        &self,
        caller: &Caller,
        filter: EmployeeFilter,
        limit: u32,
        offset: u64,
    ) -> ServiceResult<(Vec<Employee>, u64)> {
        let store = &self.0.store;
        let limit = limit.clamp(1, MAX_LIST);
        let items = store
            .list_employees(caller.company_id, filter, limit, offset)
            .await?;
        let total = store.count_employees(caller.company_id, filter).await?;
        Ok((items, total))
    }

    pub async fn get(&self, caller: &Caller, id: EmployeeId) -> ServiceResult<Employee> {
        Ok(self.0.store.get_employee(caller.company_id, id).await?)
    }

    /// Add someone by hand; they count as a seat at once.
    pub async fn create(&self, caller: &Caller, new: NewPerson) -> ServiceResult<Employee> {
        self.0.require_good_standing(caller).await?;
        let d = new.details;
        let new = NewEmployee {
            enroll_id: new.enroll_id.into_string(),
            first_name: d.first_name.flatten().map(FirstName::into_string),
            last_name: d.last_name.flatten().map(LastName::into_string),
            designation: d.designation.flatten().map(Designation::into_string),
            email: d.email.flatten().map(Email::into_string),
        };
        let employee = self
            .0
            .store
            .create_employee(caller.company_id, &new)
            .await?;
        self.reconcile(caller).await?;
        Ok(employee)
    }

    /// Change someone's details or whether they are active. While the
    /// account is blocked or expired only `active` may change: deactivating
    /// people is one of the ways out.
    pub async fn update(
        &self,
        caller: &Caller,
        id: EmployeeId,
        changes: EmployeeChanges,
    ) -> ServiceResult<Employee> {
        let current = self.get(caller, id).await?;
        let update = EmployeeUpdate {
            first_name: merge(
                changes.first_name,
                &current.first_name,
                FirstName::into_string,
            ),
            last_name: merge(changes.last_name, &current.last_name, LastName::into_string),
            designation: merge(
                changes.designation,
                &current.designation,
                Designation::into_string,
            ),
            email: merge(changes.email, &current.email, Email::into_string),
            active: changes.active.unwrap_or(current.active),
            daily_report: changes.daily_report.unwrap_or(current.daily_report),
            shift_id: changes.shift_id.unwrap_or(current.shift_id),
        };
        let push = match changes.push_name {
            Some(true) => Some(
                self.0
                    .device_care()
                    .name_to_push(
                        caller,
                        &current,
                        update.first_name.as_deref(),
                        update.last_name.as_deref(),
                    )
                    .await?,
            ),
            _ => None,
        };
        // The report setting is a person's mail preference, not billed:
        // it may change while the account is blocked.
        let details_changed = update.first_name != current.first_name
            || update.last_name != current.last_name
            || update.designation != current.designation
            || update.email != current.email
            || update.shift_id != current.shift_id;
        if details_changed {
            self.0.require_good_standing(caller).await?;
        }
        let saved = self
            .0
            .store
            .update_employee(caller.company_id, id, &update)
            .await?;
        if saved.active != current.active {
            // A reactivation can block the account; a deactivation can lift it.
            self.reconcile(caller).await?;
        }
        if let Some(name) = push {
            self.0
                .device_care()
                .push_name(caller, &saved, &name)
                .await?;
        }
        Ok(saved)
    }

    /// One page of the employees `search` finds, each with their last
    /// punch, and how many it finds in all.
    pub async fn search(
        &self,
        caller: &Caller,
        search: &EmployeeSearch,
        limit: u32,
        offset: u64,
    ) -> ServiceResult<(Vec<ListedEmployee>, u64)> {
        let limit = limit.clamp(1, MAX_LIST);
        Ok(self
            .0
            .store
            .search_employees(caller.company_id, search, limit, offset)
            .await?)
    }

    /// Activate or deactivate several people at once (in one
    /// transaction); returns how many changed. Allowed while the account
    /// is blocked or expired: deactivating people is a way out.
    pub async fn set_active(
        &self,
        caller: &Caller,
        ids: &[EmployeeId],
        active: bool,
    ) -> ServiceResult<u64> {
        if ids.is_empty() {
            return Err(ServiceError::field(
                "ids",
                "Tick at least one person first.",
            ));
        }
        if ids.len() > MAX_LIST as usize {
            return Err(ServiceError::field(
                "ids",
                format!("At most {MAX_LIST} people at once."),
            ));
        }
        let changed = self
            .0
            .store
            .set_employees_active(caller.company_id, ids, active)
            .await?;
        if changed > 0 {
            // A reactivation can block the account; a deactivation can lift it.
            self.reconcile(caller).await?;
        }
        Ok(changed)
    }

    async fn reconcile(&self, caller: &Caller) -> ServiceResult<()> {
        self.0
            .billing
            .reconcile(caller.company_id, Some(caller.account_id))
            .await?;
        Ok(())
    }
}

/// Search text as typed: trimmed, at most 100 characters; blank is none.
pub fn parse_search_text(text: &str) -> Result<Option<String>, FieldErrors> {
    let text = text.trim();
    if text.chars().count() > 100 {
        return Err(FieldErrors::one("q", "Search for at most 100 characters."));
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_are_parsed_and_blank_clears() {
        let input = EmployeeInput {
            first_name: Some(" Ana ".into()),
            last_name: Some("".into()),
            email: Some("ana@example.com".into()),
            active: Some(false),
            ..EmployeeInput::default()
        };
        let c = input.parse_changes().unwrap();
        assert_eq!(c.first_name.unwrap().unwrap().as_str(), "Ana");
        assert_eq!(c.last_name, Some(None));
        assert_eq!(c.designation, None, "absent: kept");
        assert_eq!(c.email.unwrap().unwrap().as_str(), "ana@example.com");
        assert_eq!(c.active, Some(false));
    }

    #[test]
    fn every_bad_field_has_a_message() {
        let input = EmployeeInput {
            enroll_id: Some(" ".into()),
            first_name: Some("x".repeat(61)),
            designation: Some("x".repeat(81)),
            email: Some("ana at example".into()),
            ..EmployeeInput::default()
        };
        let e = input.parse_new().unwrap_err();
        for f in ["enroll_id", "first_name", "designation", "email"] {
            assert!(e.get(f).is_some(), "{f}: {e}");
        }
        assert!(e.get("first_name").unwrap().contains("first name"));
        let ok = EmployeeInput {
            enroll_id: Some("A-12".into()),
            ..EmployeeInput::default()
        };
        assert_eq!(ok.parse_new().unwrap().enroll_id.as_str(), "A-12");
    }
}
