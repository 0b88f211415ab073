//! The punch filters as the page sends them, and the store filter they mean.

use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::domain::{DeviceId, EmployeeId, PunchFilter};
use crate::service::punches::{day_bound, parse_date, Bound};
use crate::service::FieldErrors;
use crate::web::pages::fmt;

/// Punches a page shows unless another size is chosen.
pub const PAGE_SIZE: u32 = 50;
/// The page sizes offered.
pub const PAGE_SIZES: [u32; 4] = [25, 50, 100, 200];

#[derive(Deserialize, Default, Clone)]
pub struct PunchQuery {
    /// One employee by id (links from other pages).
    #[serde(default)]
    pub employee: String,
    /// An employee search: enroll id, or part of a name.
    #[serde(default)]
    pub who: String,
    #[serde(default)]
    pub device: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub page: String,
    /// Punches a page (one of [`PAGE_SIZES`]).
    #[serde(default)]
    pub size: String,
    /// Jump to the page holding this date's punches.
    #[serde(default)]
    pub at: String,
}

impl PunchQuery {
    /// This query on another page.
    pub fn link(&self, page: u64) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("employee", &self.employee),
            ("who", &self.who),
            ("device", &self.device),
            ("from", &self.from),
            ("to", &self.to),
            ("size", &self.size),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", fmt::percent_encode(v)));
            }
        }
        parts.push(format!("page={page}"));
        format!("/punches?{}", parts.join("&"))
    }

    /// The download route with these filters, ready for `format=`.
    pub fn export_link(&self) -> String {
        let mut link = String::from("/punches/export?");
        for (k, v) in [
            ("employee", &self.employee),
            ("device", &self.device),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.is_empty() {
                link.push_str(&format!("{k}={}&", fmt::percent_encode(v)));
            }
        }
        link
    }

    /// Whether any filter is set.
    pub fn filtered(&self) -> bool {
        !(self.employee.is_empty()
            && self.who.trim().is_empty()
            && self.device.is_empty()
            && self.from.is_empty()
            && self.to.is_empty())
    }

    /// The store filter, or messages for the fields that are wrong.
    pub fn filter(&self, tz: &TimeZone) -> (PunchFilter, FieldErrors) {
        let mut errors = FieldErrors::default();
        let size = match self.size.trim() {
            "" => PAGE_SIZE,
            s => match s.parse().ok().filter(|n| PAGE_SIZES.contains(n)) {
                Some(n) => n,
                None => {
                    errors.add("size", "Choose one of the page sizes listed.");
                    PAGE_SIZE
                }
            },
        };
        let mut f = PunchFilter {
            limit: size,
            ..PunchFilter::default()
        };
        if !self.employee.is_empty() {
            match self.employee.parse() {
                Ok(id) => f.employee_id = Some(EmployeeId(id)),
                Err(_) => errors.add("employee", "Choose an employee from the list."),
            }
        }
        if !self.device.is_empty() {
            match self.device.parse() {
                Ok(id) => f.device_id = Some(DeviceId(id)),
                Err(_) => errors.add("device", "Choose a device from the list."),
            }
        }
        let from = errors.check("from", parse_date(&self.from)).flatten();
        let to = errors.check("to", parse_date(&self.to)).flatten();
        if let (Some(a), Some(b)) = (from, to) {
            if a > b {
                errors.add("to", "The end date is before the start date.");
            }
        }
        f.from = from.and_then(|d| day_bound(d, tz, Bound::Start));
        // "To" is inclusive for people: up to the start of the next day.
        f.to = to.and_then(|d| day_bound(d, tz, Bound::End));
        let page: u64 = self.page.parse().ok().filter(|p| *p >= 1).unwrap_or(1);
        f.offset = (page - 1).saturating_mul(u64::from(size));
        (f, errors)
    }

    /// The date to jump to, if one was asked for; a message if it is not
    /// a date.
    pub fn jump(&self) -> Result<Option<jiff::civil::Date>, String> {
        parse_date(&self.at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_whole_days_in_the_company_zone() {
        let q = PunchQuery {
            from: "2026-07-01".into(),
            to: "2026-07-01".into(),
            ..PunchQuery::default()
        };
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let (f, e) = q.filter(&tz);
        assert!(e.is_empty());
        assert_eq!(f.from.unwrap().to_string(), "2026-06-30T22:00:00Z");
        assert_eq!(f.to.unwrap().to_string(), "2026-07-01T22:00:00Z");
    }

    #[test]
    fn bad_filters_get_messages() {
        let q = PunchQuery {
            from: "yesterday".into(),
            employee: "x".into(),
            ..PunchQuery::default()
        };
        let (_, e) = q.filter(&TimeZone::UTC);
        assert!(e.get("from").is_some() && e.get("employee").is_some());
        let q = PunchQuery {
            from: "2026-07-02".into(),
            to: "2026-07-01".into(),
            ..PunchQuery::default()
        };
        assert!(q.filter(&TimeZone::UTC).1.get("to").is_some());
    }

    #[test]
    fn paging_links_keep_filters() {
        let q = PunchQuery {
            device: "3".into(),
            from: "2026-07-01".into(),
            ..PunchQuery::default()
        };
        assert_eq!(q.link(2), "/punches?device=3&from=2026-07-01&page=2");
    }
}
