//! Punch listings with filters and paging.

use axum::extract::State;
use jiff::tz::TimeZone;
use jiff::{civil, Timestamp, ToSpan};
use serde::Deserialize;

use super::error::{ApiResult, Json, Query};
use super::views::{company_zone, List, PunchJson};
use crate::domain::{DeviceId, EmployeeId, PunchFilter};
use crate::web::auth::ApiUser;
use crate::web::validate::FieldErrors;
use crate::web::AppState;

const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

/// Everything as text, so a bad value becomes a field message.
#[derive(Deserialize, Default)]
pub struct PunchQuery {
    from: Option<String>,
    to: Option<String>,
    employee_id: Option<String>,
    device_id: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
    order: Option<String>,
}

/// Which end of a day a date stands for.
#[derive(Clone, Copy)]
enum Bound {
    /// The day's first instant (inclusive lower bound).
    Start,
    /// The next day's first instant (exclusive upper bound), so `to` is
    /// inclusive of the whole day.
    End,
}

/// An RFC 3339 instant, a `YYYY-MM-DDTHH:MM:SS` wall-clock time in `tz`, or
/// a `YYYY-MM-DD` date in `tz`.
fn parse_bound(value: &str, tz: &TimeZone, bound: Bound) -> Result<Timestamp, String> {
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
    if let Ok(date) = v.parse::<civil::Date>() {
        let day = match bound {
            Bound::Start => date,
            Bound::End => date.checked_add(1.day()).map_err(|_| bad())?,
        };
        // Start of day, even where midnight is skipped by a DST change.
        return day
            .to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .map_err(|_| bad());
    }
    Err(bad())
}

fn parse_number<T: std::str::FromStr>(value: &str) -> Result<T, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("Use a whole number; got \"{}\".", value.trim()))
}

fn filter(q: &PunchQuery, tz: &TimeZone) -> Result<PunchFilter, FieldErrors> {
    let mut e = FieldErrors::default();
    let mut f = PunchFilter::default();
    let present = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    if let Some(v) = present(&q.from) {
        f.from = e.check("from", parse_bound(&v, tz, Bound::Start));
    }
    if let Some(v) = present(&q.to) {
        f.to = e.check("to", parse_bound(&v, tz, Bound::End));
    }
    if let (Some(from), Some(to)) = (f.from, f.to) {
        if to <= from {
            e.add("to", "The end must be after the start.");
        }
    }
    if let Some(v) = present(&q.employee_id) {
        f.employee_id = e.check("employee_id", parse_number(&v)).map(EmployeeId);
    }
    if let Some(v) = present(&q.device_id) {
        f.device_id = e.check("device_id", parse_number(&v)).map(DeviceId);
    }
    if let Some(v) = present(&q.limit) {
        match parse_number::<u32>(&v) {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => f.limit = n,
            _ => e.add("limit", format!("Use a number from 1 to {MAX_LIMIT}.")),
        }
    } else {
        f.limit = DEFAULT_LIMIT;
    }
    if let Some(v) = present(&q.offset) {
        if let Some(n) = e.check("offset", parse_number(&v)) {
            f.offset = n;
        }
    }
    match present(&q.order).as_deref() {
        None | Some("desc") => {}
        Some("asc") => f.oldest_first = true,
        Some(_) => e.add("order", "Use asc (oldest first) or desc (newest first)."),
    }
    e.finish(|| Some(f))
}

/// `GET /punches?from=&to=&employee_id=&device_id=&limit=&offset=&order=`
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    Query(q): Query<PunchQuery>,
) -> ApiResult<Json<List<PunchJson>>> {
    let company = state.store.get_company(user.company_id).await?;
    let tz = company_zone(&company);
    let filter = filter(&q, &tz)?;
    let items = state.store.list_punches(user.company_id, &filter).await?;
    let total = state.store.count_punches(user.company_id, &filter).await?;
    Ok(Json(List::page(
        items.iter().map(|p| PunchJson::new(p, &tz)).collect(),
        total,
    )))
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
    fn bad_parameters_name_their_field() {
        let q = PunchQuery {
            from: Some("2026-07-02".into()),
            to: Some("2026-07-01".into()),
            limit: Some("0".into()),
            employee_id: Some("x".into()),
            order: Some("up".into()),
            ..PunchQuery::default()
        };
        let e = filter(&q, &TimeZone::UTC).unwrap_err();
        for field in ["to", "limit", "employee_id", "order"] {
            assert!(e.get(field).is_some(), "{field}: {e}");
        }
    }
}
