//! The punch as the engine reads it: a few columns of a stored punch.

use jiff::{civil, Timestamp};
use serde::{Deserialize, Serialize};

/// One raw punch. The engine never changes it; it only classifies it.
///
/// From the store's `domain::Punch`: `state` is its `punch_type` (the key
/// pressed: check-in, check-out, …) and `verify` its `status` (finger,
/// card, …). Manual punches carry the time the admin entered in both `at`
/// and `device_time` (in the company zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Punch {
    pub id: i64,
    pub employee_id: i64,
    /// The instant, UTC. Sub-second parts are ignored.
    pub at: Timestamp,
    /// Wall-clock time printed by the device, kept for display.
    pub device_time: civil::DateTime,
    /// Keypad state: 0/4 in, 1/5 out, 2/3 break, 255 unknown.
    pub state: u8,
    /// Verification method as reported (display only).
    pub verify: u8,
    /// Added by an admin rather than read from a device.
    pub manual: bool,
    /// Voided by an admin: shown, never counted.
    pub voided: bool,
    pub device_id: Option<i64>,
}

/// What the device's key says about a punch. Only a hint unless the
/// company marks its keys reliable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusHint {
    In,
    Out,
    /// 2 or 3. Devices disagree on which is which, so no direction.
    Break,
    Unknown,
}

impl StatusHint {
    pub fn of(state: u8) -> StatusHint {
        match state {
            0 | 4 => StatusHint::In,
            1 | 5 => StatusHint::Out,
            2 | 3 => StatusHint::Break,
            _ => StatusHint::Unknown,
        }
    }
}

impl Punch {
    pub fn hint(&self) -> StatusHint {
        StatusHint::of(self.state)
    }
}

/// Splits punches sorted by employee id into one slice per employee, for
/// computing everyone from one query.
pub fn by_employee(punches: &[Punch]) -> impl Iterator<Item = (i64, &[Punch])> {
    punches
        .chunk_by(|a, b| a.employee_id == b.employee_id)
        .map(|chunk| (chunk[0].employee_id, chunk))
}
