//! Calendar inputs: date ranges, company holidays and employee leave.

use jiff::civil::{Date, Weekday};
use jiff::ToSpan;
use serde::{Deserialize, Serialize};

use super::error::InvalidSetting;

/// Longest range computed at once (a bit over two years), so one request
/// cannot ask for unbounded work.
pub const MAX_RANGE_DAYS: i32 = 800;

/// Calendar days `from..=to` in the company zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct DateRange {
    from: Date,
    to: Date,
}

impl DateRange {
    pub fn new(from: Date, to: Date) -> Result<DateRange, InvalidSetting> {
        if from > to {
            return Err(InvalidSetting::new("to", "must not be before from"));
        }
        if days_between(from, to) >= MAX_RANGE_DAYS {
            return Err(InvalidSetting::new(
                "to",
                format!("a range can cover at most {MAX_RANGE_DAYS} days"),
            ));
        }
        Ok(DateRange { from, to })
    }

    pub fn day(date: Date) -> DateRange {
        DateRange {
            from: date,
            to: date,
        }
    }

    pub fn from(self) -> Date {
        self.from
    }
    pub fn to(self) -> Date {
        self.to
    }
    pub fn contains(self, date: Date) -> bool {
        self.from <= date && date <= self.to
    }
    /// Number of days, at least 1.
    pub fn len(self) -> usize {
        days_between(self.from, self.to) as usize + 1
    }
    /// Never true; present for the `len` convention.
    pub fn is_empty(self) -> bool {
        false
    }
    pub fn days(self) -> impl Iterator<Item = Date> {
        let from = self.from;
        (0..self.len() as i32).map(move |i| add_days(from, i))
    }

    /// Widened by `before` days at the start and `after` at the end.
    pub(crate) fn widen(self, before: i32, after: i32) -> DateRange {
        DateRange {
            from: add_days(self.from, -before),
            to: add_days(self.to, after),
        }
    }

    /// Widened to whole weeks that start on `week_start`.
    pub fn whole_weeks(self, week_start: Weekday) -> DateRange {
        let back = self.from.weekday().since(week_start);
        let ahead = 6 - self.to.weekday().since(week_start);
        self.widen(i32::from(back), i32::from(ahead))
    }
}

/// `date` moved by `n` days, saturating at jiff's calendar limits.
pub(crate) fn add_days(date: Date, n: i32) -> Date {
    date.checked_add(n.days())
        .unwrap_or(if n < 0 { Date::MIN } else { Date::MAX })
}

fn days_between(from: Date, to: Date) -> i32 {
    // Civil days are exactly 86,400 s in `duration_until`.
    (from.duration_until(to).as_secs() / 86_400) as i32
}

/// A company holiday: nobody is expected to work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub date: Date,
    pub name: String,
}

/// The company's holidays, sorted by date for lookups.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Holidays(Vec<Holiday>);

impl Holidays {
    /// Keeps the first name given for a date.
    pub fn new(mut holidays: Vec<Holiday>) -> Holidays {
        holidays.sort_by_key(|h| h.date);
        holidays.dedup_by_key(|h| h.date);
        Holidays(holidays)
    }

    pub fn on(&self, date: Date) -> Option<&Holiday> {
        let i = self.0.binary_search_by_key(&date, |h| h.date).ok()?;
        Some(&self.0[i])
    }
}

/// Kinds of leave, as the API spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveKind {
    Vacation,
    Sick,
    Other,
}

impl LeaveKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LeaveKind::Vacation => "vacation",
            LeaveKind::Sick => "sick",
            LeaveKind::Other => "other",
        }
    }

    /// The kind [`LeaveKind::as_str`] spells `text`.
    pub fn parse(text: &str) -> Option<LeaveKind> {
        [LeaveKind::Vacation, LeaveKind::Sick, LeaveKind::Other]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// An employee's leave over `from..=to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leave {
    pub from: Date,
    pub to: Date,
    #[serde(rename = "type")]
    pub kind: LeaveKind,
}

impl Leave {
    pub fn new(from: Date, to: Date, kind: LeaveKind) -> Result<Leave, InvalidSetting> {
        DateRange::new(from, to)?;
        Ok(Leave { from, to, kind })
    }

    pub fn covers(&self, date: Date) -> bool {
        self.from <= date && date <= self.to
    }
}
