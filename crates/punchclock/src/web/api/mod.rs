//! The JSON API under `/api/v1`: bearer-token auth, every query scoped to the
//! caller's company, errors as `{error, message}` JSON. The OpenAPI document
//! at `/api/v1/openapi.json` describes every route below.

pub mod account;
pub mod accounts;
pub mod body;
pub mod caller;
pub mod company;
pub mod devices;
pub mod employees;
pub mod error;
pub mod openapi;
pub mod punches;
pub mod views;

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;

use self::error::ApiError;
use super::state::AppState;

/// Routes relative to `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/signup", post(accounts::signup))
        .route("/login", post(accounts::login))
        .route("/logout", post(accounts::logout))
        .route("/account", get(account::get))
        .route("/account/plan", post(account::change_plan))
        .route("/account/audit", get(account::audit))
        .route("/plans", get(account::plans))
        .route("/company", get(company::get).patch(company::patch))
        .route("/devices", get(devices::list).post(devices::create))
        .route(
            "/devices/{id}",
            get(devices::get)
                .patch(devices::patch)
                .delete(devices::delete),
        )
        .route("/devices/{id}/test", post(devices::test))
        .route("/devices/{id}/sync", post(devices::sync))
        .route("/devices/{id}/logs", get(devices::logs))
        .route("/employees", get(employees::list).post(employees::create))
        .route(
            "/employees/{id}",
            get(employees::get).patch(employees::patch),
        )
        .route("/punches", get(punches::list))
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn no_route() -> ApiError {
    ApiError::BadRequest {
        status: StatusCode::NOT_FOUND,
        code: "no_route",
        message: "There is no such API endpoint; see /api/v1/openapi.json.".into(),
    }
}

async fn method_not_allowed() -> ApiError {
    ApiError::BadRequest {
        status: StatusCode::METHOD_NOT_ALLOWED,
        code: "method_not_allowed",
        message: "This endpoint does not accept that method; see /api/v1/openapi.json.".into(),
    }
}
