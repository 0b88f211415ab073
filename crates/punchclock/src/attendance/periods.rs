//! Work periods for punches no shift claims.
//!
//! A rest of `min_rest_hours` or more starts a new period. A rest is time
//! off: the gap after a check-out, not the working time between a check-in
//! and its check-out (else nobody could work 9 hours without a lunch
//! punch). So the walk follows in/out as pairing will: alternating, or by
//! key when keys are reliable. A check-in is left without its check-out,
//! and the next punch starts a new period, when that punch
//! - would stretch the period past 16 hours, so a forgotten check-out never
//!   makes a 24-hour day;
//! - comes more than 12 hours later, unless a reliable key says check-out:
//!   nobody works 12 hours without a punch, a forgotten punch is likelier,
//!   and reading it as work would shift every later in/out by one, hiding
//!   the gap;
//! - comes at least `min_rest_hours` later with a check-in key, when the
//!   open punch's key did not say check-in (devices that send 0 for every
//!   punch say nothing).
//!
//! A period belongs to the day its first punch falls on.

use std::ops::Range;

use super::punch::StatusHint;
use super::rules::{MAX_PERIOD_SECONDS, MAX_STRETCH_SECONDS};

/// A punch no shift claims: slot position, Unix seconds, device key.
pub(crate) type Loose = (u32, i64, StatusHint);

/// Calls `each` with the range of `punches` (in time order) forming each
/// period.
pub(crate) fn split(
    punches: &[Loose],
    min_rest: i64,
    reliable: bool,
    mut each: impl FnMut(Range<usize>),
) {
    let Some(first) = punches.first() else { return };
    let mut start = 0;
    let mut open = opens_period(first.2, reliable);
    for i in 1..punches.len() {
        let ((_, before, before_hint), (_, at, hint)) = (punches[i - 1], punches[i]);
        let (gap, rested) = (at - before, at - before >= min_rest);
        let opens = match (reliable, open) {
            (true, _) => key_opens(hint, open),
            (false, true) => rested && hint == StatusHint::In && before_hint != StatusHint::In,
            (false, false) => true,
        };
        let too_long = at - punches[start].1 > MAX_PERIOD_SECONDS;
        let believed_out = reliable && hint == StatusHint::Out;
        let stretched = open && !believed_out && gap > MAX_STRETCH_SECONDS;
        if too_long || stretched || (rested && (opens || !open)) {
            each(start..i);
            start = i;
            open = opens_period(hint, reliable);
        } else {
            open = opens;
        }
    }
    each(start..punches.len());
}

/// Whether a punch opens a pair when keys are trusted.
fn key_opens(hint: StatusHint, open: bool) -> bool {
    match hint {
        StatusHint::In => true,
        StatusHint::Out => false,
        StatusHint::Break | StatusHint::Unknown => !open,
    }
}

/// The first punch of a period is a check-in unless its key says out.
fn opens_period(hint: StatusHint, reliable: bool) -> bool {
    if reliable {
        key_opens(hint, false)
    } else {
        hint != StatusHint::Out
    }
}
