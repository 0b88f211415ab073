//! Shifts as the company saved them. The attendance engine validates and
//! reads them ([`crate::attendance::Shift::parse`]); here they have an id.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::CompanyId;
use crate::attendance::{self, InvalidSetting, ShiftSpec};

id_type!(
    /// Id of a saved shift.
    ShiftId
);

/// A saved shift: its id and the fields as the engine reads them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    pub id: ShiftId,
    pub company_id: CompanyId,
    /// Normalised (`"09:00"`, weekdays Monday first) when it was saved.
    pub spec: ShiftSpec,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Shift {
    /// The shift the engine computes with, tagged with this id. Saved
    /// shifts were validated on the way in, so this fails only for rows
    /// written around the service.
    pub fn to_engine(&self) -> Result<attendance::Shift, InvalidSetting> {
        attendance::Shift::parse(&self.spec).map(|s| s.with_id(self.id.0))
    }
}
