//! Ordering and double taps.
//!
//! Punches are ordered by instant, then id, so the result never depends on
//! the order they arrive in. A punch within `double_tap_seconds` after the
//! last counted punch is a double tap: it counts as that punch. Measuring
//! from the counted punch (not the previous tap) means someone tapping
//! every minute still gets a new punch every two minutes. Voided punches
//! take no part: they are neither merged nor anchors. With the setting at
//! 0, only punches in the same second merge: they are the same punch read
//! twice (two devices), never a pair of zero length.

use super::output::PunchRole;
use super::punch::Punch;
use super::slot::Slot;

/// Slots for `employee_id`'s punches in time order, taps merged.
pub(crate) fn sort_and_merge(punches: &[Punch], employee_id: i64, double_tap: u32) -> Vec<Slot> {
    let mut slots: Vec<Slot> = punches
        .iter()
        .enumerate()
        .filter(|(_, p)| p.employee_id == employee_id)
        .map(|(i, p)| Slot {
            input: i as u32,
            id: p.id,
            at: p.at.as_second(),
            role: if p.voided {
                PunchRole::Voided
            } else {
                PunchRole::Unassigned
            },
            paired: false,
            conflict: false,
            date: jiff::civil::Date::MIN,
            anchor: 0,
        })
        .collect();
    // The store usually hands punches over in time order already.
    if !slots.is_sorted_by_key(|s| (s.at, s.id)) {
        slots.sort_unstable_by_key(|s| (s.at, s.id));
    }
    merge_taps(&mut slots, i64::from(double_tap));
    slots
}

fn merge_taps(slots: &mut [Slot], window: i64) {
    let mut anchor: Option<(u32, i64)> = None;
    for (pos, slot) in slots.iter_mut().enumerate() {
        slot.anchor = pos as u32;
        if slot.role == PunchRole::Voided {
            continue;
        }
        match anchor {
            Some((a, at)) if slot.at - at <= window => {
                slot.role = PunchRole::Merged;
                slot.anchor = a;
            }
            _ => anchor = Some((pos as u32, slot.at)),
        }
    }
}
