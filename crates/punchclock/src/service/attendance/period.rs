//! Which days and which people one request covers: dates as typed, the
//! bounds that keep a request's work small, and paging over employees.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use crate::attendance::DateRange;
use crate::domain::Zone;
use crate::service::fields::{optional, FieldErrors};

/// Most days one request covers: a year (a leap year's).
pub const MAX_DAYS: usize = 366;
/// Most daily rows (employees × days) one request returns.
pub const MAX_DAY_ROWS: usize = 20_000;
/// Most employee-days one timesheet request computes (a month for 1,000
/// people); only totals are returned, so it can be more than the rows.
pub const MAX_SHEET_DAYS: usize = 40_000;
/// Most employees one page of a timesheet summary holds.
pub const MAX_EMPLOYEES: usize = 1_000;

/// Calendar days `from..=to` in the company's zone, at most [`MAX_DAYS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    pub fn day(date: Date) -> Period {
        Period {
            from: date,
            to: date,
        }
    }

    /// The calendar month holding `date`.
    pub fn month_of(date: Date) -> Period {
        Period {
            from: date.first_of_month(),
            to: date.last_of_month(),
        }
    }

    pub fn days(self) -> usize {
        self.range().len()
    }

    pub fn range(self) -> DateRange {
        DateRange::new(self.from, self.to).expect("a Period is a valid range")
    }

    /// Dates as typed; blank takes `default`'s bound. Messages name the
    /// fields `from` and `to`.
    pub fn parse(from: &str, to: &str, default: Period) -> Result<Period, FieldErrors> {
        let mut e = FieldErrors::default();
        let from = e.check("from", date_or(from, default.from));
        let to = e.check("to", date_or(to, default.to));
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                e.add("to", "The end date is before the start date.");
            } else if DateRange::new(f, t).map_or(true, |r| r.len() > MAX_DAYS) {
                e.add(
                    "to",
                    format!("Ask for at most {MAX_DAYS} days at a time (a year)."),
                );
            }
        }
        e.finish(|| {
            Some(Period {
                from: from?,
                to: to?,
            })
        })
    }

    /// The previous and next period of the same length (for paging links).
    pub fn shifted(self, forward: bool) -> Period {
        let n = self.days() as i64;
        let by = if forward { n } else { -n };
        let move_by = |d: Date| d.checked_add(by.days()).unwrap_or(d);
        Period {
            from: move_by(self.from),
            to: move_by(self.to),
        }
    }
}

/// Today in the company's zone.
pub fn today(now: Timestamp, zone: &Zone) -> Date {
    zone.to_zoned(now).date()
}

/// A date as typed (`2026-07-01`); blank is `default`.
pub fn date_or(value: &str, default: Date) -> Result<Date, String> {
    match optional(value) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| format!("Enter a date like 2026-07-01, not \"{v}\".")),
    }
}

/// One page of employees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: usize,
    pub offset: usize,
}

impl Page {
    /// The most employees a page over `period` may hold: every row of a
    /// daily listing counts, so a longer period means fewer people.
    pub fn max_for(period: Period) -> usize {
        (MAX_DAY_ROWS / period.days()).clamp(1, MAX_EMPLOYEES)
    }

    /// The most employees a page of timesheet totals over `period` may
    /// hold (the work is employees × days; the answer is one per person).
    pub fn max_for_totals(period: Period) -> usize {
        (MAX_SHEET_DAYS / period.days()).clamp(1, MAX_EMPLOYEES)
    }

    /// `limit` and `offset` as typed; blank `limit` takes `max`.
    pub fn parse(limit: &str, offset: &str, max: usize) -> Result<Page, FieldErrors> {
        let mut e = FieldErrors::default();
        let limit = match optional(limit) {
            None => Some(max),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => Some(n),
                _ => {
                    e.add(
                        "limit",
                        format!("Use a number of employees from 1 to {max} for this period."),
                    );
                    None
                }
            },
        };
        let offset = match optional(offset) {
            None => Some(0),
            Some(v) => e.check(
                "offset",
                // At most i64::MAX, as the API documents (int64).
                v.parse::<i64>()
                    .ok()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| format!("Use a whole number from 0, not \"{v}\".")),
            ),
        };
        e.finish(|| {
            Some(Page {
                limit: limit?,
                offset: offset?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn periods_default_and_are_bounded() {
        let month = Period::month_of(date(2026, 2, 14));
        assert_eq!(
            (month.from, month.to),
            (date(2026, 2, 1), date(2026, 2, 28))
        );
        assert_eq!(Period::parse(" ", "", month).unwrap(), month);
        let p = Period::parse("2026-01-01", "2026-12-31", month).unwrap();
        assert_eq!(p.days(), 365);
        let e = Period::parse("2026-01-01", "2027-01-02", month).unwrap_err();
        assert!(e.get("to").unwrap().contains("366 days"), "{e}");
        let e = Period::parse("2026-02-02", "2026-02-01", month).unwrap_err();
        assert!(e.get("to").unwrap().contains("before"), "{e}");
        let e = Period::parse("yesterday", "soon", month).unwrap_err();
        assert!(e.get("from").is_some() && e.get("to").is_some());
        assert_eq!(
            month.shifted(false),
            Period {
                from: date(2026, 1, 4),
                to: date(2026, 1, 31)
            }
        );
    }

    #[test]
    fn pages_shrink_as_periods_grow() {
        let day = Period::day(date(2026, 7, 1));
        assert_eq!(Page::max_for(day), MAX_EMPLOYEES);
        let year = Period::parse("2026-01-01", "2026-12-31", day).unwrap();
        assert_eq!(Page::max_for(year), MAX_DAY_ROWS / 365);
        let month = Period::month_of(date(2026, 7, 1));
        assert_eq!(
            Page::max_for_totals(month),
            MAX_EMPLOYEES,
            "a month for 1,000"
        );
        assert_eq!(Page::max_for_totals(year), MAX_SHEET_DAYS / 365);
        assert_eq!(
            Page::parse("", "", 54).unwrap(),
            Page {
                limit: 54,
                offset: 0
            }
        );
        let e = Page::parse("55", "-1", 54).unwrap_err();
        assert!(e.get("limit").unwrap().contains("1 to 54"));
        assert!(e.get("offset").is_some());
    }
}
