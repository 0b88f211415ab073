//! The caller's company settings.

use axum::extract::State;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::body::{combine, Fields};
use super::caller::ApiUser;
use super::error::{ApiResult, Json};
use super::responses::{Auth, Blocked, Body};
use super::schema;
use super::views::CompanyJson;
use crate::service::company::CompanyInput;
use crate::web::AppState;

/// The caller's company
#[utoipa::path(get, path = "/company", operation_id = "getCompany",
    responses((status = 200, description = "The company.", body = CompanyJson), Auth, Blocked))]
pub async fn get(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<CompanyJson>> {
    let c = state.services.company().overview(&user.caller).await?;
    Ok(Json(CompanyJson::new(&c.company, c.standing.status)))
}

/// Company settings to change; omitted fields keep their value.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CompanyChanges)]
#[allow(dead_code)] // read field by field through `Fields`
pub struct CompanyBody {
    #[schema(schema_with = company_name)]
    name: Option<String>,
    #[schema(schema_with = company_zone)]
    timezone: Option<String>,
    #[schema(schema_with = company_interval)]
    poll_interval_minutes: Option<String>,
}

fn company_name() -> schema::S {
    schema::text("The company's name, 1-100 characters.")
}
fn company_zone() -> schema::S {
    schema::text("IANA zone, e.g. Europe/Berlin.")
}
fn company_interval() -> schema::S {
    schema::number("Default minutes between polls, 5-1440.")
}

/// Change company settings
#[utoipa::path(patch, path = "/company", operation_id = "updateCompany",
    request_body = CompanyBody,
    responses((status = 200, description = "Updated.", body = CompanyJson), Body, Auth, Blocked))]
pub async fn patch(
    State(state): State<AppState>,
    user: ApiUser,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<Json<CompanyJson>> {
    let mut f = Fields::of::<CompanyBody>(body);
    let input = CompanyInput {
        name: f.string("name"),
        timezone: f.string("timezone"),
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
