//! Employees: device users of a company, enriched by humans.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{CompanyId, ShiftId};

id_type!(
    /// Id of an employee.
    EmployeeId
);

/// Shown when neither a human nor the device gave a name.
pub const NO_NAME: &str = "NO NAME";

/// Display name rule: the human-entered first/last name if any, else the
/// name stored on the device, else [`NO_NAME`].
pub fn display_name(
    first_name: Option<&str>,
    last_name: Option<&str>,
    name_from_device: Option<&str>,
) -> String {
    let human: Vec<&str> = [first_name, last_name]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if !human.is_empty() {
        return human.join(" ");
    }
    match name_from_device.map(str::trim) {
        Some(name) if !name.is_empty() => name.to_owned(),
        _ => NO_NAME.to_owned(),
    }
}

/// A person who punches. `enroll_id` is the user id on the devices and is
/// unique within a company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employee {
    pub id: EmployeeId,
    pub company_id: CompanyId,
    /// Up to 24 characters on current firmware; stored verbatim.
    pub enroll_id: String,
    /// Kept in sync with the device; never edited by humans.
    pub name_from_device: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub designation: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    /// Gets the end-of-day report (when `email` is set).
    pub daily_report: bool,
    /// Why mail to `email` bounced, if it did (cleared when it changes).
    pub email_bounce: Option<String>,
    /// Their own shift; `None` follows the company's default shift.
    pub shift_id: Option<ShiftId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Employee {
    pub fn display_name(&self) -> String {
        display_name(
            self.first_name.as_deref(),
            self.last_name.as_deref(),
            self.name_from_device.as_deref(),
        )
    }

    /// Whether the clocks show no name for this person ("NO NAME" there):
    /// only such a person's name may be written to them.
    pub fn nameless_on_devices(&self) -> bool {
        self.name_from_device
            .as_deref()
            .is_none_or(|n| n.trim().is_empty())
    }
}

/// Input for creating an employee by hand (before any device knows them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEmployee {
    pub enroll_id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub designation: Option<String>,
    pub email: Option<String>,
}

/// Human-editable employee fields. Blank strings are stored as "not set".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployeeUpdate {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub designation: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    pub daily_report: bool,
    /// Checked to be a shift of the same company before it is saved.
    pub shift_id: Option<ShiftId>,
}

/// Which employees a listing returns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EmployeeFilter {
    #[default]
    Active,
    Inactive,
    All,
}

/// The order of an employee listing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EmployeeOrder {
    /// By enroll id, numerically for numeric ids ("2" before "10").
    #[default]
    EnrollId,
    /// Never punched first, then the longest silent: who has left.
    LastPunch,
}

/// What an employee listing shows: who, matching what, in which order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmployeeSearch {
    pub filter: EmployeeFilter,
    /// Part of a name, enroll id, designation or email, any case; `None`
    /// matches everyone.
    pub text: Option<String>,
    pub order: EmployeeOrder,
}

/// An employee in a listing, with their last punch (`None`: never).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedEmployee {
    pub employee: Employee,
    pub last_punch: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_name_prefers_human_then_device_then_no_name() {
        assert_eq!(
            display_name(Some("Ana"), Some("Diaz"), Some("ANA D")),
            "Ana Diaz"
        );
        assert_eq!(display_name(None, Some("Diaz"), Some("ANA D")), "Diaz");
        assert_eq!(display_name(Some(" "), None, Some("ANA D")), "ANA D");
        assert_eq!(display_name(None, None, Some("  ")), NO_NAME);
        assert_eq!(display_name(None, None, None), NO_NAME);
    }
}
