//! Corrections: a missing punch added by hand, a punch voided or
//! unvoided, and the log of them all.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::attendance_views::CorrectionJson;
use super::body::{combine, limit, offset, Fields};
use super::caller::ApiUser;
use super::error::{ApiResult, Json, Path, Query};
use super::files;
use super::responses::{self as r, Auth, Blocked, Conflict, Missing};
use super::schema::{self, S};
use super::views::{company_zone, List, PunchJson};
use crate::domain::PunchId;
use crate::service::corrections::{parse_reason, ManualPunchInput, MAX_LOG};
use crate::web::export::FormatQuery;
use crate::web::AppState;
use axum::response::Response;

/// A missing punch.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ManualPunch)]
#[allow(dead_code)] // read field by field through `Fields`
pub struct ManualPunchBody {
    #[schema(schema_with = employee)]
    employee_id: Option<i64>,
    #[schema(schema_with = time)]
    time: Option<String>,
    #[schema(schema_with = reason)]
    reason: Option<String>,
}

fn employee() -> S {
    schema::number("The employee's id (required).")
}
fn time() -> S {
    schema::text(
        "RFC 3339 (`2026-07-01T17:30:00+02:00`) or a wall-clock time read in the company's \
         zone (`2026-07-01T17:30`); not in the future (required).",
    )
}
fn reason() -> S {
    schema::text("Why, 1-500 characters; kept in the corrections log (required).")
}

/// Add a missing punch
///
/// Beside the device's punches, which are never changed; recorded in the
/// corrections log with who, when and why.
#[utoipa::path(post, path = "/punches", operation_id = "addPunch", request_body = ManualPunchBody,
    responses((status = 201, description = "The punch, as listed.", body = PunchJson), r::Body, Auth, Blocked, Conflict))]
pub async fn add(
    State(state): State<AppState>,
    user: ApiUser,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<PunchJson>)> {
    let mut f = Fields::of::<ManualPunchBody>(body);
    let input = ManualPunchInput {
        employee_id: f.text("employee_id").unwrap_or_default(),
        time: f.string("time").unwrap_or_default(),
        reason: f.string("reason").unwrap_or_default(),
    };
    let s = &state.services;
    let company = s.company().get(&user.caller).await?;
    let new = combine(f.errors, input.parse(&company.timezone, s.now()))?;
    let punch = s.corrections().add_punch(&user.caller, &new).await?;
    Ok((
        StatusCode::CREATED,
        Json(PunchJson::new(&punch, &company_zone(&company))),
    ))
}

/// Why a punch is voided or unvoided.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Reason)]
#[allow(dead_code)] // read field by field through `Fields`
pub struct ReasonBody {
    #[schema(schema_with = reason)]
    reason: Option<String>,
}

async fn set_void(
    state: &AppState,
    user: &ApiUser,
    id: i64,
    body: Map<String, Value>,
    void: bool,
) -> ApiResult<Json<PunchJson>> {
    let mut f = Fields::of::<ReasonBody>(body);
    let reason = f.string("reason").unwrap_or_default();
    let reason = combine(f.errors, parse_reason(&reason))?;
    let s = &state.services;
    let c = s.corrections();
    let punch = if void {
        c.void(&user.caller, PunchId(id), &reason).await?
    } else {
        c.unvoid(&user.caller, PunchId(id), &reason).await?
    };
    let tz = company_zone(&s.company().get(&user.caller).await?);
    Ok(Json(PunchJson::new(&punch, &tz)))
}

/// Void a punch
///
/// It stays listed (`voided: true`) but no longer counts. 409 if it is
/// already voided.
#[utoipa::path(post, path = "/punches/{id}/void", operation_id = "voidPunch", params(("id" = i64, Path)),
    request_body = ReasonBody,
    responses((status = 200, description = "The punch, voided.", body = PunchJson), r::Body, Auth, Blocked, Missing, Conflict))]
pub async fn void(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<Json<PunchJson>> {
    set_void(&state, &user, id, body, true).await
}

/// Unvoid a punch
///
/// It counts again. 409 if it is not voided.
#[utoipa::path(post, path = "/punches/{id}/unvoid", operation_id = "unvoidPunch", params(("id" = i64, Path)),
    request_body = ReasonBody,
    responses((status = 200, description = "The punch, counting again.", body = PunchJson), r::Body, Auth, Blocked, Missing, Conflict))]
pub async fn unvoid(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<Json<PunchJson>> {
    set_void(&state, &user, id, body, false).await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    /// Page size (default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    /// Entries to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// The corrections log
///
/// Every punch added, voided or unvoided, newest first: who, when, what
/// and why.
#[utoipa::path(get, path = "/corrections", operation_id = "listCorrections", params(FormatQuery, LogQuery),
    responses((status = 200, description = "One page of the log.", content((List<CorrectionJson> = "application/json"), (String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), r::Query, Auth, Blocked))]
pub async fn log(
    State(state): State<AppState>,
    user: ApiUser,
    Query(q): Query<LogQuery>,
    Query(fmt): Query<FormatQuery>,
) -> ApiResult<Response> {
    let format = fmt.format()?;
    let limit = limit(q.limit, 100, MAX_LOG)?;
    let offset = offset(q.offset)?;
    let s = &state.services;
    let (items, total) = s
        .corrections()
        .log(&user.caller, None, limit, offset)
        .await?;
    let tz = company_zone(&s.company().get(&user.caller).await?);
    let items = items.iter().map(|c| CorrectionJson::new(c, &tz)).collect();
    files::listed(
        &state,
        &user.caller,
        format,
        List::page(items, total),
        "corrections",
        None,
    )
    .await
}
