//! The caller's company settings.

use axum::extract::State;
use serde_json::{Map, Value};

use super::body::{combine, Fields};
use super::caller::ApiUser;
use super::error::{ApiResult, Json};
use super::views::CompanyJson;
use crate::service::company::CompanyInput;
use crate::web::AppState;

/// `GET /company`
pub async fn get(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<CompanyJson>> {
    let c = state.services.company().overview(&user.caller).await?;
    Ok(Json(CompanyJson::new(&c.company, c.standing.status)))
}

/// `PATCH /company {name?, timezone?, poll_interval_minutes?}`
pub async fn patch(
    State(state): State<AppState>,
    user: ApiUser,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<Json<CompanyJson>> {
    let mut f = Fields::new(body, &["name", "timezone", "poll_interval_minutes"]);
    let input = CompanyInput {
        name: f.text("name"),
        timezone: f.text("timezone"),
        poll_interval_minutes: f.text("poll_interval_minutes"),
    };
    let changes = combine(f.errors, input.parse())?;
    let c = state
        .services
        .company()
        .update(&user.caller, changes)
        .await?;
    Ok(Json(CompanyJson::new(&c.company, c.standing.status)))
}
