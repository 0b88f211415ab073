//! Punch listings with filters and paging.

use axum::extract::State;
use jiff::tz::TimeZone;
use serde::Deserialize;
use utoipa::IntoParams;

use super::caller::ApiUser;
use super::error::{ApiResult, Json, Query};
use super::responses::{self as r, Auth, Blocked};
use super::views::{company_zone, List, PunchJson};
use crate::domain::{DeviceId, EmployeeId, PunchFilter};
use crate::service::attendance::period::today;
use crate::service::punches::{parse_bound, Bound, MAX_LIMIT};
use crate::service::FieldErrors;
use crate::web::export::{both, sources, Format, FormatQuery};
use crate::web::AppState;
use axum::response::{IntoResponse, Response};

const DEFAULT_LIMIT: u32 = 100;

/// Everything as text, so a bad value becomes a field message. An empty
/// value (`device_id=`) is refused like any other bad value.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PunchQuery {
    /// From this day (`2026-07-01`, in the company's zone) or instant
    /// (ISO 8601 with offset), inclusive.
    #[param(pattern = r"\S")]
    from: Option<String>,
    /// Until this day (inclusive) or instant (exclusive).
    #[param(pattern = r"\S")]
    to: Option<String>,
    #[param(value_type = Option<i64>)]
    employee_id: Option<String>,
    #[param(value_type = Option<i64>)]
    device_id: Option<String>,
    /// Page size, default 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
    #[param(value_type = Option<i64>, minimum = 0)]
    offset: Option<String>,
    /// `desc` (newest first, the default) or `asc`.
    #[param(value_type = Option<String>, pattern = "^(asc|desc)$")]
    order: Option<String>,
}

fn parse_number<T: std::str::FromStr>(value: &str) -> Result<T, String> {
    // Not echoed: a long value would come back whole.
    value.parse().map_err(|_| "Use a whole number.".to_string())
}

fn filter(q: &PunchQuery, tz: &TimeZone) -> Result<PunchFilter, FieldErrors> {
    let mut e = FieldErrors::default();
    let mut f = PunchFilter::default();
    if let Some(v) = q.from.as_deref() {
        f.from = e.check("from", parse_bound(v, tz, Bound::Start));
    }
    if let Some(v) = q.to.as_deref() {
        f.to = e.check("to", parse_bound(v, tz, Bound::End));
    }
    if let (Some(from), Some(to)) = (f.from, f.to) {
        if to <= from {
            e.add("to", "The end must be after the start.");
        }
    }
    if let Some(v) = q.employee_id.as_deref() {
        f.employee_id = e.check("employee_id", parse_number(v)).map(EmployeeId);
    }
    if let Some(v) = q.device_id.as_deref() {
        f.device_id = e.check("device_id", parse_number(v)).map(DeviceId);
    }
    if let Some(v) = q.limit.as_deref() {
        match parse_number::<u32>(v) {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => f.limit = n,
            _ => e.add("limit", format!("Use a number from 1 to {MAX_LIMIT}.")),
        }
    } else {
        f.limit = DEFAULT_LIMIT;
    }
    if let Some(v) = q.offset.as_deref() {
        // At most i64::MAX, the document's int64.
        let n = parse_number::<i64>(v)
            .and_then(|n| u64::try_from(n).map_err(|_| "Use 0 or more.".into()));
        if let Some(n) = e.check("offset", n) {
            f.offset = n;
        }
    }
    match q.order.as_deref() {
        None | Some("desc") => {}
        Some("asc") => f.oldest_first = true,
        Some(_) => e.add("order", "Use asc (oldest first) or desc (newest first)."),
    }
    e.finish(|| Some(f))
}

/// List punches
///
/// Filters combine; newest first unless `order=asc`. With `format=csv` or
/// `xlsx`, every punch matching the filters, streamed.
#[utoipa::path(get, path = "/punches", operation_id = "listPunches", params(PunchQuery, FormatQuery),
    responses((status = 200, description = "One page of punches, or all of them as a file.",
        content((List<PunchJson> = "application/json"), (String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        r::Query, Auth, Blocked))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    Query(q): Query<PunchQuery>,
    Query(f): Query<FormatQuery>,
) -> ApiResult<Response> {
    let s = &state.services;
    let company = s.company().get(&user.caller).await?;
    let tz = company_zone(&company);
    let format = f.format();
    let filter = filter(&q, &tz);
    let (format, filter) = both(format, filter)?;
    if format != Format::Json {
        let today = today(s.now(), &company.timezone).to_string();
        let day = |v: &Option<String>, or: &str| {
            v.as_deref()
                .and_then(|v| v.get(..10))
                .unwrap_or(or)
                .to_string()
        };
        let period = format!("{}_{}", day(&q.from, "all"), day(&q.to, &today));
        let sheet = sources::punch_sheet(period, company.timezone.to_string());
        return Ok(sources::punches(s, user.caller, filter, tz, format, sheet));
    }
    let (items, total) = s.punches().list(&user.caller, &filter).await?;
    let items = items.iter().map(|p| PunchJson::new(p, &tz)).collect();
    Ok(Json(List::page(items, total)).into_response())
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
