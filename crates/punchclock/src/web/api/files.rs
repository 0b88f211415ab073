//! `?format=csv|xlsx` on every list: one helper the list handlers end
//! with, over [`crate::web::export`].

use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiResult, Json};
use super::views::List;
use crate::service::attendance::period::today;
use crate::service::Caller;
use crate::web::export::{reply, Format};
use crate::web::AppState;

/// The list as JSON, or as a file named `name`, its period `period` (the
/// day it was taken, in the company zone, when `None`).
pub async fn listed<T: Serialize + ToSchema>(
    state: &AppState,
    caller: &Caller,
    format: Format,
    list: List<T>,
    name: &'static str,
    period: Option<String>,
) -> ApiResult<Response> {
    if format == Format::Json {
        return Ok(Json(list).into_response());
    }
    let company = state.services.company().get(caller).await?;
    let period =
        period.unwrap_or_else(|| today(state.services.now(), &company.timezone).to_string());
    let zone = company.timezone.to_string();
    Ok(reply(format, list, name, period, zone))
}
