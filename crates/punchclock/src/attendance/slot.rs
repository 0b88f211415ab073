//! The engine's working row for one punch, in time order.

use jiff::civil::Date;

use super::output::PunchRole;

/// One input punch while it is being classified. `role` starts as
/// `Unassigned`, so a punch no group claims stays visibly unassigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    /// Index into the input slice.
    pub input: u32,
    /// The punch's id, the tie-break for punches in the same second.
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    pub role: PunchRole,
    pub paired: bool,
    pub conflict: bool,
    /// The day it is listed on; set by assignment.
    pub date: Date,
    /// Position of the punch it counts as (itself unless merged).
    pub anchor: u32,
}
