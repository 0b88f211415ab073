//! Why a page could not be shown, as a page: a redirect to log in, a
//! friendly 404, or a message with the way on.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};

use super::{blocked, layout};
use crate::service::ServiceError;

/// Why a page could not be shown.
#[derive(Debug)]
pub enum PageError {
    /// Not signed in (or the session expired): go to the login page, and
    /// back to this page (a same-site path) afterwards.
    Login(Option<String>),
    NotFound,
    /// A form whose CSRF token does not match, or a cross-site post.
    Forbidden(String),
    /// A change refused while the account is blocked or expired.
    Restricted(String),
    /// Too many attempts: wait and try again.
    TooMany(String),
    /// Input refused that the page had no form field for.
    Unprocessable(String),
    /// A fault on our side; logged, never shown.
    Failed(String),
}

/// The message for a form whose CSRF token is not this session's.
pub const BAD_CSRF: &str = "This form has expired. Reload the page and try again.";

impl From<ServiceError> for PageError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound => PageError::NotFound,
            ServiceError::Blocked(standing) => {
                PageError::Restricted(blocked::restriction(&standing).unwrap_or_default())
            }
            e @ ServiceError::InvalidCredentials => PageError::Forbidden(e.to_string()),
            e @ ServiceError::Throttled { .. } => PageError::TooMany(e.to_string()),
            e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_)) => {
                PageError::Unprocessable(e.to_string())
            }
            ServiceError::Internal(detail) => PageError::Failed(detail),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::Login(next) => {
                Redirect::to(&super::session::login_url(next.as_deref())).into_response()
            }
            PageError::NotFound => not_found_page(),
            PageError::Forbidden(message) => {
                message_page(StatusCode::FORBIDDEN, "Please try again", &message)
            }
            PageError::Restricted(message) => restricted_page(&message),
            PageError::TooMany(message) => {
                message_page(StatusCode::TOO_MANY_REQUESTS, "Please wait", &message)
            }
            PageError::Unprocessable(message) => message_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Please check what you entered",
                &message,
            ),
            PageError::Failed(detail) => {
                tracing::error!("page failed: {detail}");
                message_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Something went wrong on our side. Please try again in a moment.",
                )
            }
        }
    }
}

pub type PageResult<T = Response> = Result<T, PageError>;

fn restricted_page(message: &str) -> Response {
    let body = html! {
        div.not-found data-testid="account-blocked" {
            h1 { "Your account needs attention" }
            p { (message) }
            p.actions.center {
                a.btn href="/account" { "Upgrade" }
                a.btn.btn-quiet href="/employees" { "Deactivate employees" }
            }
        }
    };
    (
        StatusCode::PAYMENT_REQUIRED,
        layout::page("Account blocked", None, body),
    )
        .into_response()
}

fn message_page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = html! {
        div.not-found {
            h1 { (title) }
            p.muted { (message) }
            p { a.btn href="/" { "Go to the start page" } }
        }
    };
    (status, layout::page(title, None, body)).into_response()
}

pub fn not_found_page() -> Response {
    let body = html! {
        div.not-found data-testid="not-found" {
            div.big { "404" }
            h1 { "This page does not exist" }
            p.muted { "The link may be old, or the device or employee may have been deleted." }
            p.actions.center {
                a.btn href="/devices" { "Go to your devices" }
            }
        }
    };
    (
        StatusCode::NOT_FOUND,
        layout::page("Page not found", None, body),
    )
        .into_response()
}

/// A numeric id from the path; anything else is a 404, not a 400.
pub fn path_id(raw: &str) -> PageResult<i64> {
    raw.parse().map_err(|_| PageError::NotFound)
}

/// Redirect after a successful POST (303, so the browser GETs).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A form shown again with its messages (422).
pub fn invalid(page: Markup) -> PageResult {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
