//! Attendance in words: statuses, flags with their explanations, roles of
//! punches, and durations as payroll reads them (h:mm).

use jiff::civil::Date;
use maud::{html, Markup};

use crate::attendance::{Day, FlagCode, FlagSet, LeaveKind, LocalTime, PunchRole, Status};

pub fn status_text(s: Status) -> &'static str {
    match s {
        Status::Present => "Present",
        Status::Late => "Late",
        Status::HalfDay => "Half day",
        Status::Absent => "Absent",
        Status::Holiday => "Holiday",
        Status::DayOff => "Day off",
        Status::Leave => "Leave",
        Status::Incomplete => "Incomplete",
    }
}

/// The day's status as a coloured tag; a provisional day says so.
pub fn status_tag(day: &Day) -> Markup {
    let class = format!("tag att-{}", day.status.as_str());
    let extra = match (&day.holiday, day.leave) {
        (Some(name), _) => Some(name.clone()),
        (None, Some(kind)) => Some(leave_text(kind).to_owned()),
        _ => None,
    };
    html! {
        span class=(class) data-testid="day-status" data-status=(day.status.as_str()) {
            (status_text(day.status))
        }
        @if let Some(e) = extra { " " span.small.muted { (e) } }
        @if day.provisional { " " span.tag title=(FlagCode::Provisional.message()) { "so far" } }
    }
}

pub fn leave_text(kind: LeaveKind) -> &'static str {
    match kind {
        LeaveKind::Vacation => "Vacation",
        LeaveKind::Sick => "Sick",
        LeaveKind::Other => "Other leave",
    }
}

pub fn flag_label(code: FlagCode) -> &'static str {
    match code {
        FlagCode::MissingIn => "Missing check-in",
        FlagCode::MissingOut => "Missing check-out",
        FlagCode::DoubleTapMerged => "Double tap",
        FlagCode::StatusConflict => "Key disagrees",
        FlagCode::UnassignedPunch => "Outside the shift",
        FlagCode::ManualPunch => "Added by hand",
        FlagCode::VoidedPunch => "Voided punch",
        FlagCode::Provisional => "Not final yet",
    }
}

/// Every flag with its explanation; provisional is left to the status tag
/// unless `all`.
pub fn flags(set: FlagSet, all: bool) -> Markup {
    html! {
        ul.flags {
            @for f in set.iter().filter(|f| all || f.code != FlagCode::Provisional) {
                li data-testid="flag" data-flag=(f.code.as_str()) {
                    strong { (flag_label(f.code)) } ": "
                    span data-testid="flag-message" { (f.message) }
                }
            }
        }
    }
}

/// Minutes as `8:07`; zero is a dash so the eye finds the figures.
pub fn hm(minutes: i64) -> String {
    if minutes == 0 {
        return "—".into();
    }
    let sign = if minutes < 0 { "-" } else { "" };
    let m = minutes.abs();
    format!("{sign}{}:{:02}", m / 60, m % 60)
}

/// A time of the day `on`: `09:01`, or with its weekday when it falls on
/// another date (`Tue 06:02` for a night shift).
pub fn clock(t: Option<LocalTime>, on: Date) -> String {
    match t {
        None => "—".into(),
        Some(t) => {
            let c = t.civil();
            if c.date() == on {
                c.strftime("%H:%M").to_string()
            } else {
                c.strftime("%a %H:%M").to_string()
            }
        }
    }
}

pub fn role_text(role: PunchRole, paired: bool) -> &'static str {
    match (role, paired) {
        (PunchRole::In, true) => "In",
        (PunchRole::In, false) => "In (no out)",
        (PunchRole::Out, true) => "Out",
        (PunchRole::Out, false) => "Out (no in)",
        (PunchRole::BreakStart, _) => "Break",
        (PunchRole::BreakEnd, _) => "Back",
        (PunchRole::Merged, _) => "Double tap",
        (PunchRole::Unassigned, _) => "Not counted",
        (PunchRole::Voided, _) => "Voided",
    }
}

/// The role as the API spells it (`break_start`), for tests and styles.
pub fn role_code(role: PunchRole) -> &'static str {
    match role {
        PunchRole::In => "in",
        PunchRole::Out => "out",
        PunchRole::BreakStart => "break_start",
        PunchRole::BreakEnd => "break_end",
        PunchRole::Merged => "merged",
        PunchRole::Unassigned => "unassigned",
        PunchRole::Voided => "voided",
    }
}

/// `Wed 1 Jul`.
pub fn day_name(d: Date) -> String {
    d.strftime("%a %-d %b").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_hours_and_minutes() {
        assert_eq!(hm(0), "—");
        assert_eq!(hm(487), "8:07");
        assert_eq!(hm(60 * 160 + 5), "160:05");
        assert_eq!(hm(-30), "-0:30");
        assert_eq!(day_name(jiff::civil::date(2026, 7, 1)), "Wed 1 Jul");
    }
}
