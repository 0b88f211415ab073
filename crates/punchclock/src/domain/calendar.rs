//! Company holidays and employee leave, as saved.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{CompanyId, EmployeeId};
use crate::attendance::{self, LeaveKind};

id_type!(
    /// Id of a saved holiday.
    HolidayId
);

id_type!(
    /// Id of a saved leave period.
    LeaveId
);

/// A day off for everyone in the company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub id: HolidayId,
    pub company_id: CompanyId,
    pub date: Date,
    pub name: String,
}

impl Holiday {
    pub fn to_engine(&self) -> attendance::Holiday {
        attendance::Holiday {
            date: self.date,
            name: self.name.clone(),
        }
    }
}

/// One employee's leave over `from..=to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeavePeriod {
    pub id: LeaveId,
    pub company_id: CompanyId,
    pub employee_id: EmployeeId,
    pub from: Date,
    pub to: Date,
    pub kind: LeaveKind,
}

impl LeavePeriod {
    pub fn to_engine(&self) -> attendance::Leave {
        attendance::Leave {
            from: self.from,
            to: self.to,
            kind: self.kind,
        }
    }
}

/// Input for saving leave (validated: `from <= to`, at most
/// [`attendance::MAX_RANGE_DAYS`] days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewLeave {
    pub employee_id: EmployeeId,
    pub leave: attendance::Leave,
}
