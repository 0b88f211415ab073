//! End-of-day reports sent by hand.

use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use super::body::refuse_empty;
use super::caller::ApiCaller;
use super::error::{ApiResult, Json, Query};
use super::notify_views::ReportRunJson;
use super::responses::{self as r, Auth};
use crate::service::FieldErrors;
use crate::web::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DailyQuery {
    /// The local day, `YYYY-MM-DD` in the company's zone: today or up to
    /// 366 days back.
    #[param(value_type = String, format = Date, required = true)]
    date: Option<String>,
    /// Send again to people who already got that day's report.
    #[param(value_type = Option<bool>)]
    resend: Option<String>,
}

/// Send a day's end-of-day reports now
///
/// Queues that day's report to each active employee with an email and
/// the report on, and the company summary to its owners. Idempotent per
/// day and recipient: someone who already got the day's report (from the
/// job or an earlier call) is skipped, unless `resend=true`. 409 while
/// email is off on this server.
#[utoipa::path(post, path = "/reports/daily", operation_id = "sendDailyReports",
    params(DailyQuery),
    responses((status = 200, description = "What was queued.", body = ReportRunJson),
        r::Query, Auth, r::Conflict))]
pub async fn daily(
    State(state): State<AppState>,
    user: ApiCaller,
    Query(q): Query<DailyQuery>,
) -> ApiResult<Json<ReportRunJson>> {
    let mut e = FieldErrors::default();
    refuse_empty(&mut e, "date", q.date.as_deref());
    refuse_empty(&mut e, "resend", q.resend.as_deref());
    let date = match q.date.as_deref().map(str::trim) {
        None => {
            e.add("date", "Give the day, as YYYY-MM-DD.");
            None
        }
        Some("") => None,
        Some(v) => e.check(
            "date",
            v.parse::<jiff::civil::Date>()
                .map_err(|_| "Use a date like 2026-03-02."),
        ),
    };
    let resend = match q.resend.as_deref().map(str::trim) {
        None | Some("") | Some("false") => Some(false),
        Some("true") => Some(true),
        Some(_) => {
            e.add("resend", "Use true or false.");
            None
        }
    };
    let (date, resend) = e.finish(|| Some((date?, resend?)))?;
    let run = state
        .services
        .reports()
        .send_day(&user.caller, date, resend)
        .await?;
    Ok(Json(ReportRunJson::new(&run)))
}
