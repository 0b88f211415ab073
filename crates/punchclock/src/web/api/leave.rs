//! Employee leave.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::attendance_views::LeaveJson;
use super::body::{combine, Fields};
use super::caller::ApiUser;
use super::error::{ApiResult, Json, Path, Query};
use super::files;
use super::holidays::{range, RangeQuery};
use super::responses::{self as r, Auth, Blocked, Conflict, Missing};
use super::schema::{self, S};
use super::views::List;
use crate::domain::{EmployeeId, LeaveId};
use crate::service::attendance::period::today;
use crate::service::leave::LeaveInput;
use crate::service::FieldErrors;
use crate::web::export::FormatQuery;
use crate::web::AppState;
use axum::response::Response;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EmployeeQuery {
    /// Only this employee's leave.
    #[param(value_type = Option<i64>)]
    employee_id: Option<String>,
}

/// List leave
///
/// Leave overlapping `from`–`to` (default: this year and next).
#[utoipa::path(get, path = "/leave", operation_id = "listLeave", params(FormatQuery, RangeQuery, EmployeeQuery),
    responses((status = 200, description = "Leave by employee and first day.", content((List<LeaveJson> = "application/json"), (String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), r::Query, Auth, Blocked))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    Query(q): Query<RangeQuery>,
    Query(who): Query<EmployeeQuery>,
    Query(fmt): Query<FormatQuery>,
) -> ApiResult<Response> {
    let format = fmt.format()?;
    let s = &state.services;
    let company = s.company().get(&user.caller).await?;
    let (from, to) = range(&q, today(s.now(), &company.timezone))?;
    let employee = match who.employee_id.as_deref() {
        None => None,
        Some(v) => Some(v.parse().map(EmployeeId).map_err(|_| {
            FieldErrors::one("employee_id", "Use an employee's id (a whole number).")
        })?),
    };
    let list = s.leave().list(&user.caller, employee, from, to).await?;
    files::listed(
        &state,
        &user.caller,
        format,
        List::all(list.iter().map(LeaveJson::from).collect()),
        "leave",
        None,
    )
    .await
}

/// Leave of one employee over a range of days.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewLeave)]
#[allow(dead_code)] // read field by field through `Fields`
pub struct LeaveBody {
    #[schema(schema_with = employee)]
    employee_id: Option<i64>,
    #[schema(schema_with = from)]
    from: Option<String>,
    #[schema(schema_with = to)]
    to: Option<String>,
    #[serde(rename = "type")]
    #[schema(schema_with = kind)]
    kind: Option<String>,
}

fn employee() -> S {
    schema::number("The employee's id (required).")
}
fn from() -> S {
    schema::text("First day, `YYYY-MM-DD` (required).")
}
fn to() -> S {
    schema::text("Last day, inclusive; at most 366 days from the first (required).")
}
fn kind() -> S {
    schema::text("`vacation`, `sick` or `other` (required).")
}

/// Add leave
///
/// Leave is never an absence. Refused (409) when it overlaps the
/// employee's other leave.
#[utoipa::path(post, path = "/leave", operation_id = "createLeave", request_body = LeaveBody,
    responses((status = 201, description = "Created.", body = LeaveJson), r::Body, Auth, Blocked, Conflict))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<LeaveJson>)> {
    let mut f = Fields::of::<LeaveBody>(body);
    let input = LeaveInput {
        employee_id: f.text("employee_id").unwrap_or_default(),
        from: f.string("from").unwrap_or_default(),
        to: f.string("to").unwrap_or_default(),
        kind: f.string("type").unwrap_or_default(),
    };
    let new = combine(f.errors, input.parse())?;
    let saved = state.services.leave().create(&user.caller, &new).await?;
    Ok((StatusCode::CREATED, Json(LeaveJson::from(&saved))))
}

/// Delete leave
#[utoipa::path(delete, path = "/leave/{id}", operation_id = "deleteLeave", params(("id" = i64, Path)),
    responses((status = 204, description = "Deleted."), Auth, Blocked, Missing))]
pub async fn delete(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state
        .services
        .leave()
        .delete(&user.caller, LeaveId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
