//! In/out pairing within one group (a shift instance or a work period).
//!
//! By default the device's key is only a hint: punches alternate in, out,
//! in, out in time order. With an odd count one punch has no partner; the
//! hints decide whether it is the first (a missing check-in) or the last
//! (a missing check-out), and for a lone punch with no usable hint, the
//! nearer of the shift's start and end does. A punch whose role
//! contradicts its key is flagged.
//!
//! With reliable keys, 0/4 open a pair and 1/5 close one; a break (2/3) or
//! unknown (255) key closes an open pair and otherwise opens one.

use super::output::PunchRole;
use super::punch::{Punch, StatusHint};
use super::slot::Slot;

/// Figures of one group, in seconds and Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct GroupStats {
    /// Sum over complete pairs.
    pub gross: i64,
    /// Time between one pair's out and the next pair's in.
    pub taken: i64,
    pub first_in: Option<i64>,
    pub last_out: Option<i64>,
    /// The first counted punch is an in (so lateness can be measured).
    pub starts_with_in: bool,
    /// The last counted punch is a paired out (so early leave can be).
    pub ends_with_out: bool,
    pub missing_in: bool,
    pub missing_out: bool,
    pub counted: u32,
}

/// Scheduled start and end, used to place a lone punch.
pub(crate) type Schedule = Option<(i64, i64)>;

pub(crate) fn pair(
    slots: &mut [Slot],
    members: &[u32],
    punches: &[Punch],
    reliable: bool,
    scheduled: Schedule,
) -> GroupStats {
    let hint = |slots: &[Slot], m: u32| punches[slots[m as usize].input as usize].hint();
    if reliable {
        pair_by_key(slots, members, |s, m| hint(s, m));
    } else {
        pair_in_order(slots, members, scheduled, |s, m| hint(s, m));
        flag_conflicts(slots, members, |s, m| hint(s, m));
    }
    mark_breaks(slots, members);
    stats(slots, members)
}

fn set(slots: &mut [Slot], m: u32, role: PunchRole, paired: bool) {
    let slot = &mut slots[m as usize];
    slot.role = role;
    slot.paired = paired;
}

fn pair_in_order(
    slots: &mut [Slot],
    members: &[u32],
    scheduled: Schedule,
    hint: impl Fn(&[Slot], u32) -> StatusHint,
) {
    let n = members.len();
    let lone_out_first = n % 2 == 1 && first_is_lone_out(slots, members, scheduled, &hint);
    for (i, &m) in members.iter().enumerate() {
        // With a missing check-in the sequence starts one punch later.
        let k = if lone_out_first {
            i as isize - 1
        } else {
            i as isize
        };
        let role = if k.rem_euclid(2) == 0 {
            PunchRole::In
        } else {
            PunchRole::Out
        };
        let paired = k >= 0 && !(k as usize + 1 == n && role == PunchRole::In);
        set(slots, m, role, paired);
    }
}

/// For an odd count: does the hint agreement favour "first is a lone out"
/// over "last is a lone in"? The two readings give every punch opposite
/// roles, so one score decides.
fn first_is_lone_out(
    slots: &[Slot],
    members: &[u32],
    scheduled: Schedule,
    hint: impl Fn(&[Slot], u32) -> StatusHint,
) -> bool {
    let score: i32 = members
        .iter()
        .enumerate()
        .map(|(i, &m)| match (hint(slots, m), i % 2 == 0) {
            (StatusHint::In, true) | (StatusHint::Out, false) => 1,
            (StatusHint::In, false) | (StatusHint::Out, true) => -1,
            _ => 0,
        })
        .sum();
    match (score, scheduled) {
        (s, _) if s != 0 => s < 0,
        (_, Some((start, end))) if members.len() == 1 => {
            let at = slots[members[0] as usize].at;
            (at - start).abs() > (end - at).abs()
        }
        _ => false,
    }
}

fn pair_by_key(slots: &mut [Slot], members: &[u32], hint: impl Fn(&[Slot], u32) -> StatusHint) {
    let mut open: Option<u32> = None;
    for &m in members {
        let opens = match hint(slots, m) {
            StatusHint::In => true,
            StatusHint::Out => false,
            StatusHint::Break | StatusHint::Unknown => open.is_none(),
        };
        if opens {
            if let Some(o) = open {
                set(slots, o, PunchRole::In, false);
            }
            set(slots, m, PunchRole::In, false);
            open = Some(m);
        } else if let Some(o) = open.take() {
            set(slots, o, PunchRole::In, true);
            set(slots, m, PunchRole::Out, true);
        } else {
            set(slots, m, PunchRole::Out, false);
        }
    }
}

fn flag_conflicts(slots: &mut [Slot], members: &[u32], hint: impl Fn(&[Slot], u32) -> StatusHint) {
    for &m in members {
        let role = slots[m as usize].role;
        slots[m as usize].conflict = matches!(
            (role, hint(slots, m)),
            (PunchRole::In, StatusHint::Out) | (PunchRole::Out, StatusHint::In)
        );
    }
}

/// A paired out directly followed by a paired in is a break.
fn mark_breaks(slots: &mut [Slot], members: &[u32]) {
    for w in members.windows(2) {
        let (a, b) = (slots[w[0] as usize], slots[w[1] as usize]);
        if a.role == PunchRole::Out && a.paired && b.role == PunchRole::In && b.paired {
            slots[w[0] as usize].role = PunchRole::BreakStart;
            slots[w[1] as usize].role = PunchRole::BreakEnd;
        }
    }
}

fn stats(slots: &[Slot], members: &[u32]) -> GroupStats {
    let mut st = GroupStats {
        counted: members.len() as u32,
        ..GroupStats::default()
    };
    let mut open_pair: Option<i64> = None;
    let mut break_from: Option<i64> = None;
    for &m in members {
        let s = slots[m as usize];
        match (s.role, s.paired) {
            (PunchRole::In | PunchRole::BreakEnd, true) => open_pair = Some(s.at),
            (PunchRole::Out | PunchRole::BreakStart, true) => {
                st.gross += s.at - open_pair.take().unwrap_or(s.at);
            }
            (PunchRole::In, false) => st.missing_out = true,
            (_, false) => st.missing_in = true,
            _ => {}
        }
        if s.role == PunchRole::BreakStart {
            break_from = Some(s.at);
        } else if let (PunchRole::BreakEnd, Some(from)) = (s.role, break_from.take()) {
            st.taken += s.at - from;
        }
        if matches!(s.role, PunchRole::In | PunchRole::BreakEnd) {
            st.first_in = st.first_in.or(Some(s.at));
        } else {
            st.last_out = Some(s.at);
        }
    }
    let first = members.first().map(|&m| slots[m as usize]);
    let last = members.last().map(|&m| slots[m as usize]);
    st.starts_with_in = first.is_some_and(|s| s.role == PunchRole::In);
    st.ends_with_out = last.is_some_and(|s| s.role == PunchRole::Out && s.paired);
    st
}
