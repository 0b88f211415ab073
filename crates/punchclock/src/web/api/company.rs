//! The caller's company settings.

use axum::extract::State;
use serde_json::{Map, Value};

use super::body::{combine, Fields};
use super::error::{ApiResult, Json};
use super::views::CompanyJson;
use crate::web::auth::ApiUser;
use crate::web::validate::{self, CompanyForm};
use crate::web::AppState;

/// `GET /company`
pub async fn get(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<CompanyJson>> {
    let company = state.store.get_company(user.company_id).await?;
    let account = state.billing.standing(user.company_id).await?;
    Ok(Json(CompanyJson::new(&company, account.status)))
}

/// `PATCH /company {name?, timezone?, poll_interval_minutes?}`
pub async fn patch(
    State(state): State<AppState>,
    user: ApiUser,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<Json<CompanyJson>> {
    let company = state.store.get_company(user.company_id).await?;
    let mut f = Fields::new(body, &["name", "timezone", "poll_interval_minutes"]);
    let form = CompanyForm {
        name: f.text("name").unwrap_or(company.name),
        timezone: f
            .text("timezone")
            .unwrap_or_else(|| company.timezone.to_string()),
        poll_interval_minutes: f
            .text("poll_interval_minutes")
            .unwrap_or_else(|| company.poll_interval_minutes.to_string()),
    };
    let settings = combine(f.errors, validate::company(&form))?;
    let updated = state
        .store
        .update_company_settings(user.company_id, &settings)
        .await?;
    let account = state.billing.standing(user.company_id).await?;
    Ok(Json(CompanyJson::new(&updated, account.status)))
}
