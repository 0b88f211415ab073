//! The JSON API under `/api/v1`: bearer-token auth, every query scoped to the
//! caller's company, errors as `{error, message}` JSON.
//!
//! The OpenAPI document at `/api/v1/openapi.json` is derived from the
//! handlers' `#[utoipa::path]` annotations and the request and response
//! types (see [`openapi`]), and the router is built from the same list, so
//! a route cannot be served without being documented.
//!
//! How to add an API route:
//! 1. Write the handler in the file of its concept and annotate it with
//!    `#[utoipa::path(method, path = "/things/{id}", operation_id = …,
//!    params(…), request_body = ThingBody, responses((status = 200, body =
//!    ThingJson), Auth, Blocked, Missing, r::Body))]`. The first doc line
//!    is the summary. List the error sets of `responses.rs` for the checks
//!    it runs: `Auth` (any token), `Blocked` (takes `ApiUser`), `Missing`
//!    (an `{id}`), `r::Body` (a JSON body), `r::Query` (query parameters),
//!    `Conflict`, `Throttled`.
//! 2. Response types derive `ToSchema` (in `views.rs`); query types derive
//!    `IntoParams` with `minimum`/`maximum` the handler enforces; a body
//!    read field by field is described by a `ToSchema` struct with
//!    `deny_unknown_fields` and read with `Fields::of::<ThatStruct>`, so
//!    its field list is the document's (`schema.rs` has the JSON types
//!    `Fields::string` and `Fields::text` accept).
//! 3. Register it in [`routes`] with `routes!(module::handler)` (handlers of
//!    one path go in one `routes!`). `tests/api_contract.rs` and
//!    schemathesis (`tests/schemathesis/run.sh`) check the document
//!    against the server.

pub mod account;
pub mod accounts;
pub mod alerts;
pub mod attendance;
pub mod attendance_views;
pub mod body;
pub mod caller;
pub mod company;
pub mod corrections;
pub mod dashboard;
pub mod device_care;
pub mod devices;
pub mod employees;
pub mod error;
pub mod files;
pub mod holidays;
pub mod leave;
pub mod notify_views;
pub mod openapi;
pub mod punches;
pub mod push;
pub mod reports;
pub mod responses;
pub mod schema;
pub mod sessions;
pub mod shifts;
pub mod views;
pub mod webhooks;

use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::Response;
use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use self::error::ApiError;
use super::state::AppState;

/// Every operation, documented and routed at once (paths relative to
/// `/api/v1`). One `routes!` per path; add new routes here.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::base())
        .routes(routes!(openapi::document))
        .routes(routes!(accounts::signup))
        .routes(routes!(accounts::login))
        .routes(routes!(accounts::logout))
        .routes(routes!(sessions::logout_everywhere))
        .routes(routes!(sessions::list))
        .routes(routes!(sessions::revoke))
        .routes(routes!(sessions::change_password))
        .routes(routes!(sessions::request_reset))
        .routes(routes!(sessions::reset))
        .routes(routes!(account::get))
        .routes(routes!(account::change_plan))
        .routes(routes!(account::audit))
        .routes(routes!(account::plans))
        .routes(routes!(company::get, company::patch))
        .routes(routes!(devices::list, devices::create))
        .routes(routes!(devices::get, devices::patch, devices::delete))
        .routes(routes!(devices::test))
        .routes(routes!(devices::sync))
        .routes(routes!(devices::logs))
        .routes(routes!(push::list, push::queue))
        .routes(routes!(push::accept_source))
        .routes(routes!(employees::list, employees::create))
        .routes(routes!(employees::get, employees::patch))
        .routes(routes!(device_care::set_clock))
        .routes(routes!(device_care::rotate_log))
        .routes(routes!(alerts::list))
        .routes(routes!(alerts::ack))
        .routes(routes!(reports::daily))
        .routes(routes!(webhooks::list, webhooks::create))
        .routes(routes!(webhooks::delete))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(webhooks::resend))
        .routes(routes!(punches::list, corrections::add))
        .routes(routes!(corrections::void))
        .routes(routes!(corrections::unvoid))
        .routes(routes!(corrections::log))
        .routes(routes!(shifts::list, shifts::create))
        .routes(routes!(shifts::get, shifts::patch, shifts::delete))
        .routes(routes!(holidays::list, holidays::create))
        .routes(routes!(holidays::delete))
        .routes(routes!(leave::list, leave::create))
        .routes(routes!(leave::delete))
        .routes(routes!(attendance::daily))
        .routes(routes!(attendance::timesheets))
        .routes(routes!(dashboard::get))
}

/// Routes relative to `/api/v1`.
pub fn router() -> Router<AppState> {
    let (router, _) = routes().split_for_parts();
    router
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::map_response(private_headers))
}

/// API answers hold company data: never stored by a browser or proxy
/// (Back after logout shows nothing), never sniffed as another type.
async fn private_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
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
