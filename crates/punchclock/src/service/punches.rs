//! Punch listings, and reading the dates people filter them by.

use jiff::tz::TimeZone;
use jiff::{civil, Timestamp, ToSpan};

use super::error::ServiceResult;
use super::services::{Caller, Services};
use crate::domain::{PunchFilter, PunchId, PunchView};

/// Most punches one request may list.
pub const MAX_LIMIT: u32 = 1000;

/// Which end of a day a date stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// The day's first instant (inclusive lower bound).
    Start,
    /// The next day's first instant (exclusive upper bound), so a "to"
    /// date includes the whole day.
    End,
}

/// The instant a date stands for in `tz`: its start, or the next day's
/// start. Where midnight is skipped by a DST change, the day's first instant.
pub fn day_bound(date: civil::Date, tz: &TimeZone, bound: Bound) -> Option<Timestamp> {
    let day = match bound {
        Bound::Start => date,
        Bound::End => date.checked_add(1.day()).ok()?,
    };
    day.to_zoned(tz.clone()).ok().map(|z| z.timestamp())
}

/// An RFC 3339 instant, a `YYYY-MM-DDTHH:MM:SS` wall-clock time in `tz`, or
/// a `YYYY-MM-DD` date in `tz`.
pub fn parse_bound(value: &str, tz: &TimeZone, bound: Bound) -> Result<Timestamp, String> {
    let v = value.trim();
    let bad = || {
        format!(
            "Use a date like 2026-07-01 (in the company's time zone) or an instant like 2026-07-01T09:00:00+02:00; got \"{v}\"."
        )
    };
    // An instant first: jiff would also read the date out of a datetime.
    if let Ok(t) = v.parse::<Timestamp>() {
        return Ok(t);
    }
    // A wall-clock time without offset is read in the company's zone.
    if v.len() > 10 {
        return v
            .parse::<civil::DateTime>()
            .ok()
            .and_then(|dt| dt.to_zoned(tz.clone()).ok())
            .map(|z| z.timestamp())
            .ok_or_else(bad);
    }
    match v.parse::<civil::Date>() {
        Ok(date) => day_bound(date, tz, bound).ok_or_else(bad),
        Err(_) => Err(bad()),
    }
}

/// A date as typed in a date field; blank is `None`.
pub fn parse_date(value: &str) -> Result<Option<civil::Date>, String> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<civil::Date>()
        .map(Some)
        .map_err(|_| "Enter a date like 2026-07-01.".to_string())
}

impl Services {
    pub fn punches(&self) -> Punches<'_> {
        Punches(self)
    }
}

/// Punch operations; see [`Services::punches`].
pub struct Punches<'a>(&'a Services);

impl Punches<'_> {
    /// One page of matching punches with names, and how many match in all.
    pub async fn list(
        &self,
        caller: &Caller,
        filter: &PunchFilter,
    ) -> ServiceResult<(Vec<PunchView>, u64)> {
        let filter = PunchFilter {
            limit: filter.limit.clamp(1, MAX_LIMIT),
            ..filter.clone()
        };
        let store = &self.0.store;
        let total = store.count_punches(caller.company_id, &filter).await?;
        let items = store.list_punches(caller.company_id, &filter).await?;
        Ok((items, total))
    }

    /// Up to `filter.limit` punches without counting them: an export reads
    /// page after page with `filter.after` set to the last one it got.
    pub async fn page(
        &self,
        caller: &Caller,
        filter: &PunchFilter,
    ) -> ServiceResult<Vec<PunchView>> {
        let filter = PunchFilter {
            limit: filter.limit.clamp(1, MAX_LIMIT),
            ..filter.clone()
        };
        Ok(self
            .0
            .store
            .list_punches(caller.company_id, &filter)
            .await?)
    }

    /// The page (of `filter.limit`, newest first) that holds the newest
    /// matching punch before `before`: the page a "jump to a date" opens.
    pub async fn page_before(
        &self,
        caller: &Caller,
        filter: &PunchFilter,
        before: Timestamp,
    ) -> ServiceResult<u64> {
        let size = u64::from(filter.limit.clamp(1, MAX_LIMIT));
        let store = &self.0.store;
        let newer = PunchFilter {
            from: Some(filter.from.map_or(before, |f| f.max(before))),
            ..filter.clone()
        };
        let skipped = store.count_punches(caller.company_id, &newer).await?;
        let total = store.count_punches(caller.company_id, filter).await?;
        let last = total.div_ceil(size).max(1);
        Ok((skipped / size + 1).min(last))
    }

    /// One punch with its names; `NotFound` outside the company.
    pub async fn get(&self, caller: &Caller, id: PunchId) -> ServiceResult<PunchView> {
        Ok(self.0.store.get_punch(caller.company_id, id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_whole_days_in_the_company_zone() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let from = parse_bound("2026-07-01", &tz, Bound::Start).unwrap();
        let to = parse_bound("2026-07-01", &tz, Bound::End).unwrap();
        assert_eq!(from.to_string(), "2026-06-30T22:00:00Z");
        assert_eq!(to.to_string(), "2026-07-01T22:00:00Z");
        let instant = parse_bound("2026-07-01T09:00:00+02:00", &tz, Bound::End).unwrap();
        assert_eq!(instant.to_string(), "2026-07-01T07:00:00Z");
        let instant = parse_bound("2026-07-01T09:00:00Z", &tz, Bound::Start).unwrap();
        assert_eq!(instant.to_string(), "2026-07-01T09:00:00Z");
        assert!(parse_bound("July 1st", &tz, Bound::Start).is_err());
        let local = parse_bound("2026-07-01T09:00:00", &tz, Bound::Start).unwrap();
        assert_eq!(
            local.to_string(),
            "2026-07-01T07:00:00Z",
            "company wall clock"
        );
        assert!(parse_bound("2026-07-01T25:00:00", &tz, Bound::Start).is_err());
    }

    #[test]
    fn dst_days_start_at_their_first_instant() {
        // Clocks in Sao Paulo skipped midnight on 2018-11-04.
        let tz = TimeZone::get("America/Sao_Paulo").unwrap();
        let date: civil::Date = "2018-11-04".parse().unwrap();
        let start = day_bound(date, &tz, Bound::Start).unwrap();
        assert_eq!(start.to_string(), "2018-11-04T03:00:00Z");
        assert_eq!(parse_date(" "), Ok(None));
        assert!(parse_date("yesterday").unwrap_err().contains("2026-07-01"));
    }
}
