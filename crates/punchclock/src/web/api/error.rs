//! Every API failure as `{error, message}` JSON with a fitting status, and
//! extractors whose rejections (bad JSON, bad path or query) use it too.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::service::plan::{Standing, Status};
use crate::service::{FieldErrors, ServiceError};

/// An API error; its `IntoResponse` is the only place statuses are chosen.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(
        "Send a valid API token as `Authorization: Bearer <token>`; get one from /api/v1/login."
    )]
    Unauthenticated,
    #[error("The email or password is not right.")]
    InvalidCredentials,
    #[error("Some fields are not valid.")]
    Validation(FieldErrors),
    #[error("Not found.")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    /// A request the server could not read (bad JSON, path or query).
    #[error("{message}")]
    BadRequest {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    /// The account is blocked (over its seats) or expired (trial over).
    #[error("{}", blocked_message(.0))]
    AccountBlocked(Box<Standing>),
    /// Too many attempts; try again after this many seconds.
    #[error("{}", ServiceError::Throttled { retry_after_seconds: *.0 })]
    Throttled(u64),
    /// A fault on our side; the detail is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Every error answer: `{error, message}`, plus `fields` for validation
/// and `account` when the account is blocked.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ErrorJson {
    /// Machine-readable code: unauthenticated, invalid_credentials,
    /// validation, not_found, conflict, invalid_json, invalid_body,
    /// unsupported_media_type, payload_too_large, invalid_query, no_route,
    /// method_not_allowed, rate_limited, account_blocked, internal.
    pub error: String,
    /// For people.
    pub message: String,
    /// With `error=validation`: field name to message.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<std::collections::BTreeMap<String, String>>)]
    pub fields: Option<FieldErrors>,
    /// With `error=account_blocked`: plan, seats and counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub account: Option<Standing>,
}

/// What a blocked or expired account is told, with the way out.
pub fn blocked_message(a: &Standing) -> String {
    match a.status {
        Status::Expired => "Your trial has ended. Choose a plan (POST /api/v1/account/plan) to continue; your data is kept and devices keep syncing.".to_string(),
        _ => format!(
            "Your account is blocked: {} employees are active but the {} plan has {}. Upgrade (POST /api/v1/account/plan) or deactivate {} employees (PATCH /api/v1/employees/{{id}} with active=false). Devices keep syncing.",
            a.active_employees,
            a.plan.name,
            a.plan.seats_label(),
            a.excess()
        ),
    }
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            ApiError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            ApiError::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation"),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::BadRequest { status, code, .. } => (*status, code),
            ApiError::AccountBlocked(_) => (StatusCode::PAYMENT_REQUIRED, "account_blocked"),
            ApiError::Throttled(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    /// One invalid field.
    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Validation(FieldErrors::one(field, message))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            ApiError::Internal(detail) => {
                tracing::error!("API request failed: {detail}");
                "Something went wrong on our side. Please try again in a moment.".to_string()
            }
            // Rejections quote what was sent; never echo it back whole.
            other => crate::domain::excerpt_long(&other.to_string()),
        };
        let retry_after = match &self {
            ApiError::Throttled(s) => Some(*s),
            _ => None,
        };
        let (fields, account) = match self {
            ApiError::Validation(f) => (Some(f), None),
            ApiError::AccountBlocked(a) => (None, Some(*a)),
            _ => (None, None),
        };
        let body = ErrorJson {
            error: code.to_owned(),
            message,
            fields,
            account,
        };
        let mut response = (status, axum::Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound => ApiError::NotFound,
            ServiceError::Invalid(fields) => ApiError::Validation(fields),
            ServiceError::Conflict(c) => ApiError::Conflict(c.message),
            ServiceError::Blocked(standing) => ApiError::AccountBlocked(standing),
            ServiceError::InvalidCredentials => ApiError::InvalidCredentials,
            ServiceError::Throttled {
                retry_after_seconds,
            } => ApiError::Throttled(retry_after_seconds),
            ServiceError::Internal(detail) => ApiError::Internal(detail),
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(e: FieldErrors) -> Self {
        ApiError::Validation(e)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let code = match &r {
            JsonRejection::MissingJsonContentType(_) => "unsupported_media_type",
            JsonRejection::JsonDataError(_) => "invalid_body",
            _ => "invalid_json",
        };
        ApiError::BadRequest {
            status: r.status(),
            code,
            message: r.body_text(),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        // `/devices/abc` names nothing that exists.
        ApiError::NotFound
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::BadRequest {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_query",
            message: r.body_text(),
        }
    }
}

/// `axum::Json` whose rejection is an [`ApiError`].
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Path` whose rejection is an [`ApiError`].
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// `axum::extract::Query` whose rejection is an [`ApiError`].
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// Result type of API handlers.
pub type ApiResult<T> = Result<T, ApiError>;
