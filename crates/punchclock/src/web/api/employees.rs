//! Employees (device users) of the caller's company.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::body::{combine, limit, offset, Fields};
use super::caller::{ApiCaller, ApiUser};
use super::error::{ApiError, ApiResult, Json, Path, Query};
use super::files;
use super::responses::{self as r, Auth, Blocked, Conflict, Missing, Throttled};
use super::schema::{self, S};
use super::views::{company_zone, EmployeeJson, List};
use crate::domain::{Employee, EmployeeFilter, EmployeeId};
use crate::service::employees::EmployeeInput;
use crate::service::Caller;
use crate::web::export::FormatQuery;
use crate::web::AppState;
use axum::response::Response;

/// The API's page size limit (the documented maximum).
const MAX_PAGE: u32 = 1000;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// true: active only; false: inactive only; omitted: all.
    #[param(value_type = Option<bool>)]
    active: Option<String>,
    /// Page size (default 1000).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
    /// Matches to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// List employees
///
/// By enroll id; reachable while the account is blocked, so people can be
/// deactivated.
#[utoipa::path(get, path = "/employees", operation_id = "listEmployees", params(FormatQuery, ListQuery),
    responses((status = 200, description = "Employees by enroll id.", content((List<EmployeeJson> = "application/json"), (String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        r::Query, Auth))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiCaller,
    Query(q): Query<ListQuery>,
    Query(fmt): Query<FormatQuery>,
) -> ApiResult<Response> {
    let format = fmt.format()?;
    // An empty `active=` is not a boolean: refused, as the document says.
    let filter = match q.active.as_deref() {
        None => EmployeeFilter::All,
        Some("true") => EmployeeFilter::Active,
        Some("false") => EmployeeFilter::Inactive,
        Some(_) => return Err(ApiError::field("active", "Use true or false.")),
    };
    let limit = limit(q.limit, MAX_PAGE, MAX_PAGE)?;
    let s = &state.services;
    let (items, total) = s
        .employees()
        .list(&user.caller, filter, limit, offset(q.offset)?)
        .await?;
    let tz = company_zone(&s.company().get(&user.caller).await?);
    let items = items.iter().map(|e| EmployeeJson::new(e, &tz)).collect();
    files::listed(
        &state,
        &user.caller,
        format,
        List::page(items, total),
        "employees",
        None,
    )
    .await
}

/// One employee
#[utoipa::path(get, path = "/employees/{id}", operation_id = "getEmployee", params(("id" = i64, Path)),
    responses((status = 200, description = "The employee.", body = EmployeeJson), Auth, Missing))]
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

/// An employee's details; omitted fields keep their value, `null` or ""
/// clears. `enroll_id` is for POST only.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EmployeeDetails)]
#[allow(dead_code)] // read field by field through `Fields`
pub struct EmployeeBody {
    #[schema(schema_with = first_name)]
    first_name: Option<String>,
    #[schema(schema_with = last_name)]
    last_name: Option<String>,
    #[schema(schema_with = designation)]
    designation: Option<String>,
    #[schema(schema_with = email)]
    email: Option<String>,
    #[schema(schema_with = active)]
    active: Option<bool>,
    #[schema(schema_with = daily_report)]
    daily_report: Option<bool>,
    #[schema(schema_with = shift)]
    shift_id: Option<i64>,
    #[schema(schema_with = push_name)]
    push_name: Option<bool>,
}

fn push_name() -> S {
    schema::boolean("Also write the name (first and last) to the company's devices that know this enroll id, e.g. after naming a \"NO NAME\" person; each write is in the device's events and the audit log. Default false.")
}

/// A new employee: an enroll id and the details.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewEmployee)]
#[allow(dead_code)] // read field by field through `Fields`
pub struct NewEmployeeBody {
    #[schema(schema_with = enroll_id)]
    enroll_id: Option<String>,
    #[schema(schema_with = first_name)]
    first_name: Option<String>,
    #[schema(schema_with = last_name)]
    last_name: Option<String>,
    #[schema(schema_with = designation)]
    designation: Option<String>,
    #[schema(schema_with = email)]
    email: Option<String>,
}

fn enroll_id() -> S {
    schema::number("The user id on the devices (required), up to 24 characters.")
}
fn first_name() -> S {
    schema::text("Up to 60 characters.")
}
fn last_name() -> S {
    schema::text("Up to 60 characters.")
}
fn designation() -> S {
    schema::text("Job title, up to 80 characters.")
}
fn email() -> S {
    schema::text("The employee's email address.")
}
fn daily_report() -> S {
    schema::boolean("Send the end-of-day report to `email` (default true).")
}
fn shift() -> S {
    schema::number(
        "Their own shift (a shift id of the company); `null`: the company's default shift.",
    )
}
fn active() -> S {
    schema::boolean("Whether the employee is active (a billed seat).")
}

/// Change an employee
///
/// A blocked or expired account may still change `active` (deactivating
/// people is a way out of a block), but nothing else. `push_name: true`
/// also writes the name to the clocks, for a person they show no name for
/// (else 422, nothing saved); it counts as a contact with the devices
/// (429 past the company's limit).
#[utoipa::path(patch, path = "/employees/{id}", operation_id = "updateEmployee", params(("id" = i64, Path)),
    request_body = EmployeeBody,
    responses((status = 200, description = "Updated.", body = EmployeeJson), r::Body, Auth, Blocked, Missing, Throttled))]
pub async fn patch(
    State(state): State<AppState>,
    user: ApiCaller,
    Path(id): Path<i64>,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<Json<EmployeeJson>> {
    let mut f = Fields::of::<EmployeeBody>(body);
    let input = details(&mut f);
    let changes = combine(f.errors, input.parse_changes())?;
    let employees = state.services.employees();
    let employee = employees
        .update(&user.caller, EmployeeId(id), changes)
        .await?;
    Ok(Json(json(&state, &user.caller, &employee).await?))
}

/// Add an employee by hand
///
/// Before they are enrolled on a device. Counts as a seat; may block the
/// account.
#[utoipa::path(post, path = "/employees", operation_id = "createEmployee",
    request_body = NewEmployeeBody,
    responses((status = 201, description = "Created.", body = EmployeeJson), r::Body, Auth, Blocked, Conflict))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<EmployeeJson>)> {
    let mut f = Fields::of::<NewEmployeeBody>(body);
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
        first_name: f.string("first_name"),
        last_name: f.string("last_name"),
        designation: f.string("designation"),
        email: f.string("email"),
        active: f.bool("active"),
        daily_report: f.bool("daily_report"),
        shift_id: f.text("shift_id"),
        push_name: f.bool("push_name"),
    }
}

/// An employee with times in the company's zone.
async fn json(state: &AppState, caller: &Caller, e: &Employee) -> ApiResult<EmployeeJson> {
    let company = state.services.company().get(caller).await?;
    Ok(EmployeeJson::new(e, &company_zone(&company)))
}
