//! The words of the end-of-day mails: one person's day, and the company's
//! summary for its owners. Pure: a computed day in, a [`Draft`] out.

use std::fmt::Write as _;

use jiff::civil::Date;
use maud::{html, Markup};

use super::compose::Draft;
use crate::attendance::{ClassifiedPunch, Day, FlagCode, PunchRole, Status};
use crate::domain::{MailKind, Zone};

/// How a provisional day is announced.
pub const PROVISIONAL_NOTE: &str = "This day is not final yet: a shift window is still open, or \
     a clock has not been read since it closed. Punches may still arrive and these figures may \
     change.";

/// "Monday 2 March 2026".
pub fn long_date(d: Date) -> String {
    d.strftime("%A %-d %B %Y").to_string()
}

/// "7 h 05 min", "45 min".
pub fn minutes(m: i64) -> String {
    match m {
        m if m >= 60 => format!("{} h {:02} min", m / 60, m % 60),
        m => format!("{m} min"),
    }
}

/// A status in words.
pub fn status_words(s: Status) -> &'static str {
    match s {
        Status::Present => "present",
        Status::Late => "late",
        Status::HalfDay => "half day",
        Status::Absent => "absent",
        Status::Holiday => "holiday",
        Status::DayOff => "day off",
        Status::Leave => "on leave",
        Status::Incomplete => "incomplete: a punch is missing",
    }
}

/// A day flag in the plain words of a report (the provisional flag is
/// said separately).
fn flag_words(f: FlagCode) -> Option<&'static str> {
    Some(match f {
        FlagCode::MissingOut => {
            "No check-out recorded: the time after the last check-in is not counted."
        }
        FlagCode::MissingIn => "No check-in recorded before a check-out, so it is not counted.",
        FlagCode::DoubleTapMerged => "Punches seconds apart were counted once (a double tap).",
        FlagCode::StatusConflict => {
            "The in/out key pressed on the clock disagrees with the order of the punches."
        }
        FlagCode::UnassignedPunch => "A punch was outside the shift's hours and is not counted.",
        FlagCode::ManualPunch => "A punch was added by hand by an admin.",
        FlagCode::VoidedPunch => "A punch was voided by an admin and is not counted.",
        FlagCode::Provisional => return None,
    })
}

/// Times on the day are shown as HH:MM, with the zone's abbreviation when
/// the offset changes that day (a DST change), so 01:30 twice is clear.
struct Clock<'a> {
    zone: &'a Zone,
    changes: bool,
}

impl<'a> Clock<'a> {
    fn new(zone: &'a Zone, day: Date) -> Clock<'a> {
        let at = |d: Date| zone.instant(d.to_datetime(jiff::civil::Time::midnight()));
        let offset = |t: Option<jiff::Timestamp>| t.map(|t| zone.tz().to_offset(t));
        let next = day.tomorrow().unwrap_or(day);
        let changes = offset(at(day)) != offset(at(next));
        Clock { zone, changes }
    }

    fn show(&self, t: jiff::Timestamp) -> String {
        let z = self.zone.to_zoned(t);
        match self.changes {
            true => z.strftime("%H:%M %Z").to_string(),
            false => z.strftime("%H:%M").to_string(),
        }
    }
}

/// What one punch line says.
fn punch_note(p: &ClassifiedPunch) -> String {
    let mut s = match p.role {
        PunchRole::Voided => "voided by an admin, not counted".to_owned(),
        _ => p.reason.trim_end_matches('.').to_lowercase(),
    };
    if p.manual {
        s.push_str(" (added by hand)");
    }
    s
}

/// The report to one employee about one day.
pub fn employee_report(
    company: &str,
    name: &str,
    day: &Day,
    punches: &[&ClassifiedPunch],
    zone: &Zone,
) -> Draft {
    let clock = Clock::new(zone, day.date);
    let date = long_date(day.date);
    let provisional = if day.provisional {
        " (not final yet)"
    } else {
        ""
    };
    let subject = format!("Your day at {company}, {date}{provisional}");
    let time = |t: Option<crate::attendance::LocalTime>| {
        t.map_or("none recorded".to_owned(), |t| clock.show(t.at))
    };
    let figures = [
        ("Status", status_words(day.status).to_owned()),
        ("First in", time(day.first_in)),
        ("Last out", time(day.last_out)),
        ("Worked", minutes(day.worked_minutes())),
        ("Late", minutes(day.late_minutes())),
        ("Left early", minutes(day.early_leave_minutes())),
    ];
    let flags: Vec<&str> = day
        .flags
        .iter()
        .filter_map(|f| flag_words(f.code))
        .collect();
    let lines: Vec<(String, String)> = punches
        .iter()
        .map(|p| (clock.show(p.time.at), punch_note(p)))
        .collect();

    let mut text = format!("Hello {name},\n\nYour attendance at {company} on {date}:\n\n");
    if day.provisional {
        let _ = writeln!(text, "{PROVISIONAL_NOTE}\n");
    }
    for (label, value) in &figures {
        let _ = writeln!(text, "{label}: {value}");
    }
    text.push_str("\nPunches:\n");
    if lines.is_empty() {
        text.push_str("  none\n");
    }
    for (at, note) in &lines {
        let _ = writeln!(text, "  {at}  {note}");
    }
    if !flags.is_empty() {
        text.push_str("\nPlease check:\n");
        for f in &flags {
            let _ = writeln!(text, "- {f}");
        }
    }
    text.push_str("\nIf something is wrong, tell your manager so it can be corrected.\n");

    let html = html! {
        p { "Hello " (name) "," }
        p { "Your attendance at " (company) " on " strong { (date) } ":" }
        @if day.provisional { (note_box(PROVISIONAL_NOTE)) }
        (figure_table(&figures))
        h3 style="font-size:15px" { "Punches" }
        @if lines.is_empty() { p { "None." } }
        @else {
            table style="border-collapse:collapse" {
                @for (at, note) in &lines {
                    tr { td style=(CELL) { (at) } td style=(CELL) { (note) } }
                }
            }
        }
        @if !flags.is_empty() {
            h3 style="font-size:15px" { "Please check" }
            ul { @for f in &flags { li { (f) } } }
        }
        p { "If something is wrong, tell your manager so it can be corrected." }
    };
    Draft {
        kind: MailKind::DailyReport,
        subject,
        text,
        html,
    }
}

const CELL: &str = "padding:2px 12px 2px 0;border-bottom:1px solid #e3e6ea";

fn figure_table(rows: &[(&str, String)]) -> Markup {
    html! {
        table style="border-collapse:collapse" {
            @for (label, value) in rows {
                tr { th style=(CELL) align="left" { (label) } td style=(CELL) { (value) } }
            }
        }
    }
}

fn note_box(text: &str) -> Markup {
    html! {
        p style="background:#fff4d6;border:1px solid #e0c060;padding:8px" { (text) }
    }
}

/// The company's day in numbers, for its owners.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Came in (on time, late, half a day or with a punch missing).
    pub present: Vec<String>,
    pub late: Vec<String>,
    pub absent: Vec<String>,
    pub incomplete: Vec<String>,
    /// On leave, a holiday or a day off.
    pub away: usize,
    pub devices_offline: Vec<String>,
    pub provisional: bool,
}

impl Summary {
    /// Counts one employee's day.
    pub fn add(&mut self, name: &str, day: &Day) {
        let name = name.to_owned();
        match day.status {
            Status::Present | Status::HalfDay => self.present.push(name),
            Status::Late => {
                self.present.push(name.clone());
                self.late.push(name);
            }
            Status::Incomplete => {
                self.present.push(name.clone());
                self.incomplete.push(name);
            }
            Status::Absent => self.absent.push(name),
            Status::Holiday | Status::DayOff | Status::Leave => self.away += 1,
        }
        self.provisional |= day.provisional;
    }
}

/// Names listed per line of the summary; the rest are counted.
const NAMES_SHOWN: usize = 30;

fn names(list: &[String]) -> String {
    let mut s = list
        .iter()
        .take(NAMES_SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if list.len() > NAMES_SHOWN {
        let _ = write!(s, " and {} more", list.len() - NAMES_SHOWN);
    }
    s
}

/// The daily company summary; `dashboard` is the absolute link to `/`.
pub fn company_summary(company: &str, date: Date, s: &Summary, dashboard: &str) -> Draft {
    let date_words = long_date(date);
    let provisional = if s.provisional {
        " (not final yet)"
    } else {
        ""
    };
    let subject = format!(
        "{company}, {date_words}: {} present, {} late, {} absent{provisional}",
        s.present.len(),
        s.late.len(),
        s.absent.len()
    );
    let rows: Vec<(&str, usize, String)> = vec![
        ("Present", s.present.len(), String::new()),
        ("Late", s.late.len(), names(&s.late)),
        ("Absent", s.absent.len(), names(&s.absent)),
        (
            "Incomplete (a punch missing)",
            s.incomplete.len(),
            names(&s.incomplete),
        ),
        ("On leave, holiday or day off", s.away, String::new()),
        (
            "Devices offline",
            s.devices_offline.len(),
            names(&s.devices_offline),
        ),
    ];
    let mut text = format!("{company} on {date_words}:\n\n");
    if s.provisional {
        let _ = writeln!(text, "{PROVISIONAL_NOTE}\n");
    }
    for (label, n, who) in &rows {
        let _ = match who.is_empty() {
            true => writeln!(text, "{label}: {n}"),
            false => writeln!(text, "{label}: {n} ({who})"),
        };
    }
    let _ = writeln!(
        text,
        "\nPresent counts everyone who came in, late or with a punch missing too.\n\nOpen the dashboard: {dashboard}"
    );
    let html = html! {
        p { (company) " on " strong { (date_words) } ":" }
        @if s.provisional { (note_box(PROVISIONAL_NOTE)) }
        table style="border-collapse:collapse" {
            @for (label, n, who) in &rows {
                tr {
                    th style=(CELL) align="left" { (label) }
                    td style=(CELL) align="right" { (n) }
                    td style=(CELL) { (who) }
                }
            }
        }
        p style="color:#556" { "Present counts everyone who came in, late or with a punch missing too." }
        p { a href=(dashboard) { "Open the dashboard" } }
    };
    Draft {
        kind: MailKind::DailySummary,
        subject,
        text,
        html,
    }
}
