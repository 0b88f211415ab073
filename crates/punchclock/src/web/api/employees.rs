//! Employees (device users) of the caller's company.

use axum::extract::State;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::body::{combine, Fields};
use super::error::{ApiError, ApiResult, Json, Path, Query};
use super::views::{company_zone, EmployeeJson, List};
use crate::domain::{EmployeeFilter, EmployeeId, NewEmployee};
use crate::web::auth::{ApiCaller, ApiUser};
use crate::web::validate::{self, EmployeeForm};
use crate::web::AppState;

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
    let offset = q.offset.unwrap_or(0);
    let company = state.store.get_company(user.company_id).await?;
    let tz = company_zone(&company);
    let items = state
        .store
        .list_employees(user.company_id, filter, limit, offset)
        .await?;
    let total = state.store.count_employees(user.company_id, filter).await?;
    Ok(Json(List::page(
        items.iter().map(|e| EmployeeJson::new(e, &tz)).collect(),
        total,
    )))
}

/// `GET /employees/{id}`
pub async fn get(
    State(state): State<AppState>,
    user: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<EmployeeJson>> {
    let employee = state
        .store
        .get_employee(user.company_id, EmployeeId(id))
        .await?;
    let company = state.store.get_company(user.company_id).await?;
    Ok(Json(EmployeeJson::new(&employee, &company_zone(&company))))
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
    if body.keys().any(|k| k != "active") {
        let account = state.billing.standing(user.company_id).await?;
        if account.blocked {
            return Err(ApiError::AccountBlocked(Box::new(account)));
        }
    }
    let id = EmployeeId(id);
    let current = state.store.get_employee(user.company_id, id).await?;
    let mut f = Fields::new(
        body,
        &["first_name", "last_name", "designation", "email", "active"],
    );
    let keep = |v: &Option<String>| v.clone().unwrap_or_default();
    let form = EmployeeForm {
        first_name: f.text("first_name").unwrap_or(keep(&current.first_name)),
        last_name: f.text("last_name").unwrap_or(keep(&current.last_name)),
        designation: f.text("designation").unwrap_or(keep(&current.designation)),
        email: f.text("email").unwrap_or(keep(&current.email)),
        active: f.bool("active").unwrap_or(current.active),
    };
    let update = combine(f.errors, validate::employee(&form))?;
    let employee = state
        .store
        .update_employee(user.company_id, id, &update)
        .await?;
    if employee.active != current.active {
        // A reactivation can block the account; a deactivation can lift it.
        state
            .billing
            .reconcile(user.company_id, Some(user.account_id))
            .await?;
    }
    let company = state.store.get_company(user.company_id).await?;
    Ok(Json(EmployeeJson::new(&employee, &company_zone(&company))))
}

/// `POST /employees {enroll_id, first_name?, last_name?, designation?, email?}`:
/// add someone by hand (before they are enrolled on a device). Counts as a seat.
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<(axum::http::StatusCode, Json<EmployeeJson>)> {
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
    let enroll_id = f.text("enroll_id").unwrap_or_default();
    let form = EmployeeForm {
        first_name: f.text("first_name").unwrap_or_default(),
        last_name: f.text("last_name").unwrap_or_default(),
        designation: f.text("designation").unwrap_or_default(),
        email: f.text("email").unwrap_or_default(),
        active: true,
    };
    let mut errors = f.errors;
    let enroll_id = enroll_id.trim().to_string();
    if enroll_id.is_empty() || enroll_id.chars().count() > 24 {
        errors.add(
            "enroll_id",
            "Enter the enroll ID (up to 24 characters), the number the person uses on the device.",
        );
    }
    let update = combine(errors, validate::employee(&form))?;
    let employee = state
        .store
        .create_employee(
            user.company_id,
            &NewEmployee {
                enroll_id,
                first_name: update.first_name,
                last_name: update.last_name,
                designation: update.designation,
                email: update.email,
            },
        )
        .await?;
    state
        .billing
        .reconcile(user.company_id, Some(user.account_id))
        .await?;
    let company = state.store.get_company(user.company_id).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(EmployeeJson::new(&employee, &company_zone(&company))),
    ))
}
