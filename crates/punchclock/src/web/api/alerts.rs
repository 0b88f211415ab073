//! Device health alerts of the caller's company.

use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use super::body::limit;
use super::caller::ApiCaller;
use super::error::{ApiError, ApiResult, Json, Path, Query};
use super::files;
use super::notify_views::AlertJson;
use super::responses::{self as r, Auth, Missing};
use super::views::{company_zone, List};
use crate::domain::{AlertId, AlertState};
use crate::service::alerts::MAX_LIST;
use crate::web::export::FormatQuery;
use crate::web::AppState;
use axum::response::Response;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// `open` or `resolved`; omitted: both.
    #[param(value_type = Option<String>, pattern = "^(open|resolved)$")]
    state: Option<String>,
    /// Page size (default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

/// List alerts
///
/// Newest first: offline devices, clock drift, nearly full logs and the
/// seat limit, each with when it opened, was acknowledged and resolved.
#[utoipa::path(get, path = "/alerts", operation_id = "listAlerts", params(FormatQuery, AlertQuery),
    responses((status = 200, description = "Alerts, newest first.", content((List<AlertJson> = "application/json"), (String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), r::Query, Auth))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiCaller,
    Query(q): Query<AlertQuery>,
    Query(fmt): Query<FormatQuery>,
) -> ApiResult<Response> {
    let format = fmt.format()?;
    let filter = match q.state.as_deref() {
        None => None,
        Some(s) => Some(
            s.parse::<AlertState>()
                .map_err(|_| ApiError::field("state", "Use open or resolved."))?,
        ),
    };
    let limit = limit(q.limit, 100, MAX_LIST)?;
    let s = &state.services;
    let items = s.alerts().list(&user.caller, filter, limit).await?;
    let tz = company_zone(&s.company().get(&user.caller).await?);
    let items: Vec<AlertJson> = items.iter().map(|a| AlertJson::new(a, &tz)).collect();
    let total = items.len() as u64;
    files::listed(
        &state,
        &user.caller,
        format,
        List::page(items, total),
        "alerts",
        None,
    )
    .await
}

/// Acknowledge an alert
///
/// Marks it seen; it stays open until its condition clears.
#[utoipa::path(post, path = "/alerts/{id}/ack", operation_id = "acknowledgeAlert",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The alert.", body = AlertJson), Auth, Missing))]
pub async fn ack(
    State(state): State<AppState>,
    user: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<AlertJson>> {
    let s = &state.services;
    let alert = s.alerts().acknowledge(&user.caller, AlertId(id)).await?;
    let tz = company_zone(&s.company().get(&user.caller).await?);
    Ok(Json(AlertJson::new(&alert, &tz)))
}
