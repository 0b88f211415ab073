//! Employee leave: vacation, sick or other, over a range of dates. Never
//! an absence.

use jiff::civil::Date;

use super::attendance::period::{date_or, MAX_DAYS};
use super::error::ServiceResult;
use super::fields::FieldErrors;
use super::services::{Caller, Services};
use crate::attendance::{DateRange, Leave, LeaveKind};
use crate::domain::{EmployeeId, LeaveId, LeavePeriod, NewLeave};

/// Leave as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeaveInput {
    pub employee_id: String,
    pub from: String,
    pub to: String,
    /// `vacation`, `sick` or `other`.
    pub kind: String,
}

impl LeaveInput {
    pub fn parse(&self) -> Result<NewLeave, FieldErrors> {
        let mut e = FieldErrors::default();
        let employee = e.check(
            "employee_id",
            self.employee_id
                .trim()
                .parse::<i64>()
                .map(EmployeeId)
                .map_err(|_| "Choose the employee."),
        );
        let from = required_date(&mut e, "from", &self.from);
        let to = required_date(&mut e, "to", &self.to);
        let days = match (from, to) {
            (Some(f), Some(t)) => e.check("to", range(f, t)),
            _ => None,
        };
        let kind = e.check("type", kind(&self.kind));
        let leave = days
            .zip(kind)
            .map(|((from, to), kind)| Leave { from, to, kind });
        e.finish(|| {
            Some(NewLeave {
                employee_id: employee?,
                leave: leave?,
            })
        })
    }
}

fn required_date(e: &mut FieldErrors, field: &str, value: &str) -> Option<Date> {
    if value.trim().is_empty() {
        e.add(field, "Enter a date like 2026-07-01.");
        return None;
    }
    e.check(field, date_or(value, Date::MIN))
}

fn kind(value: &str) -> Result<LeaveKind, &'static str> {
    match value.trim() {
        "vacation" => Ok(LeaveKind::Vacation),
        "sick" => Ok(LeaveKind::Sick),
        "other" => Ok(LeaveKind::Other),
        _ => Err("Choose vacation, sick or other."),
    }
}

fn range(from: Date, to: Date) -> Result<(Date, Date), String> {
    if to < from {
        return Err("The last day is before the first day.".into());
    }
    match DateRange::new(from, to) {
        Ok(r) if r.len() <= MAX_DAYS => Ok((from, to)),
        _ => Err(format!(
            "Leave can cover at most {MAX_DAYS} days; split it."
        )),
    }
}

impl Services {
    pub fn leave(&self) -> LeaveOps<'_> {
        LeaveOps(self)
    }
}

/// Leave operations; see [`Services::leave`].
pub struct LeaveOps<'a>(&'a Services);

impl LeaveOps<'_> {
    /// Leave overlapping `from..=to`, of one employee or everyone.
    pub async fn list(
        &self,
        caller: &Caller,
        employee: Option<EmployeeId>,
        from: Date,
        to: Date,
    ) -> ServiceResult<Vec<LeavePeriod>> {
        Ok(self
            .0
            .store
            .list_leave(caller.company_id, employee, from, to)
            .await?)
    }

    pub async fn create(&self, caller: &Caller, new: &NewLeave) -> ServiceResult<LeavePeriod> {
        self.0.require_good_standing(caller).await?;
        Ok(self.0.store.create_leave(caller.company_id, new).await?)
    }

    pub async fn delete(&self, caller: &Caller, id: LeaveId) -> ServiceResult<LeavePeriod> {
        self.0.require_good_standing(caller).await?;
        Ok(self.0.store.delete_leave(caller.company_id, id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(from: &str, to: &str, kind: &str) -> LeaveInput {
        LeaveInput {
            employee_id: "7".into(),
            from: from.into(),
            to: to.into(),
            kind: kind.into(),
        }
    }

    #[test]
    fn leave_is_read_field_by_field() {
        let ok = input("2026-07-06", "2026-07-10", "sick").parse().unwrap();
        assert_eq!(ok.employee_id, EmployeeId(7));
        assert_eq!(ok.leave.kind, LeaveKind::Sick);
        let e = LeaveInput::default().parse().unwrap_err();
        for f in ["employee_id", "from", "to", "type"] {
            assert!(e.get(f).is_some(), "{f}: {e}");
        }
        let e = input("2026-07-10", "2026-07-06", "vacation")
            .parse()
            .unwrap_err();
        assert!(e.get("to").unwrap().contains("before"), "{e}");
        let e = input("2026-01-01", "2027-06-01", "vacation")
            .parse()
            .unwrap_err();
        assert!(e.get("to").unwrap().contains("at most 366"), "{e}");
        let e = input("2026-07-06", "2026-07-10", "holiday")
            .parse()
            .unwrap_err();
        assert!(e.get("type").is_some());
    }
}
