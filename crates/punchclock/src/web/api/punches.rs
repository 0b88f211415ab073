//! Punch listings with filters and paging.

use axum::extract::State;
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::caller::ApiUser;
use super::error::{ApiResult, Json, Query};
use super::views::{company_zone, List, PunchJson};
use crate::domain::{DeviceId, EmployeeId, PunchFilter};
use crate::service::punches::{parse_bound, Bound, MAX_LIMIT};
use crate::service::FieldErrors;
use crate::web::AppState;

const DEFAULT_LIMIT: u32 = 100;

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
    let s = &state.services;
    let tz = company_zone(&s.company().get(&user.caller).await?);
    let filter = filter(&q, &tz)?;
    let (items, total) = s.punches().list(&user.caller, &filter).await?;
    let items = items.iter().map(|p| PunchJson::new(p, &tz)).collect();
    Ok(Json(List::page(items, total)))
}

#[cfg(test)]
mod tests {
    use super::*;

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
