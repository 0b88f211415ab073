//! Employees (device users) of the caller's company.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::body::{combine, Fields};
use super::caller::{ApiCaller, ApiUser};
use super::error::{ApiError, ApiResult, Json, Path, Query};
use super::views::{company_zone, EmployeeJson, List};
use crate::domain::{Employee, EmployeeFilter, EmployeeId};
use crate::service::employees::EmployeeInput;
use crate::service::Caller;
use crate::web::AppState;

/// The API's page size limit (the documented maximum).
const MAX_PAGE: u32 = 1000;

#[derive(Deserialize)]
pub struct ListQuery {
    active: Option<String>,
    limit: Option<u32>,
    offset: Option<u64>,
}

/// `GET /employees?active=true|false&limit=&offset=`: all when `active` is
/// absent.
pub async fn list(
    State(state): State<AppState>,
    user: ApiCaller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<List<EmployeeJson>>> {
    let filter = match q.active.as_deref() {
        None | Some("") => EmployeeFilter::All,
        Some("true") => EmployeeFilter::Active,
        Some("false") => EmployeeFilter::Inactive,
        Some(_) => return Err(ApiError::field("active", "Use true or false.")),
    };
    let limit = q.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let s = &state.services;
    let (items, total) = s
        .employees()
        .list(&user.caller, filter, limit, q.offset.unwrap_or(0))
        .await?;
    let tz = company_zone(&s.company().get(&user.caller).await?);
    let items = items.iter().map(|e| EmployeeJson::new(e, &tz)).collect();
    Ok(Json(List::page(items, total)))
}

/// `GET /employees/{id}`
pub async fn get(
    State(state): State<AppState>,
    user: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<EmployeeJson>> {
    let employee = state
        .services
        .employees()
        .get(&user.caller, EmployeeId(id))
        .await?;
    Ok(Json(json(&state, &user.caller, &employee).await?))
}

/// `PATCH /employees/{id} {first_name?, last_name?, designation?, email?,
/// active?}`: absent fields keep their value; `null` or "" clears.
///
/// A blocked or expired account may still change `active` (deactivating
/// people is a way out of a block), but nothing else.
pub async fn patch(
    State(state): State<AppState>,
    user: ApiCaller,
    Path(id): Path<i64>,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<Json<EmployeeJson>> {
    let mut f = Fields::new(
        body,
        &["first_name", "last_name", "designation", "email", "active"],
    );
    let input = details(&mut f);
    let changes = combine(f.errors, input.parse_changes())?;
    let employees = state.services.employees();
    let employee = employees
        .update(&user.caller, EmployeeId(id), changes)
        .await?;
    Ok(Json(json(&state, &user.caller, &employee).await?))
}

/// `POST /employees {enroll_id, first_name?, last_name?, designation?, email?}`:
/// add someone by hand (before they are enrolled on a device). Counts as a seat.
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<EmployeeJson>)> {
    let mut f = Fields::new(
        body,
        &[
            "enroll_id",
            "first_name",
            "last_name",
            "designation",
            "email",
        ],
    );
    let input = EmployeeInput {
        enroll_id: f.text("enroll_id"),
        ..details(&mut f)
    };
    let person = combine(f.errors, input.parse_new())?;
    let employee = state
        .services
        .employees()
        .create(&user.caller, person)
        .await?;
    let view = json(&state, &user.caller, &employee).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The details sent, as text; wrong JSON types are noted in `f.errors`.
fn details(f: &mut Fields) -> EmployeeInput {
    EmployeeInput {
        enroll_id: None,
        first_name: f.text("first_name"),
        last_name: f.text("last_name"),
        designation: f.text("designation"),
        email: f.text("email"),
        active: f.bool("active"),
    }
}

/// An employee with times in the company's zone.
async fn json(state: &AppState, caller: &Caller, e: &Employee) -> ApiResult<EmployeeJson> {
    let company = state.services.company().get(caller).await?;
    Ok(EmployeeJson::new(e, &company_zone(&company)))
}
