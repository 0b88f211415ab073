//! A forgotten password: ask for a link by email, then set a new one.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;

use super::CROSS_SITE;
use crate::service::{FieldErrors, ServiceError};
use crate::web::pages::error::{invalid, see_other, PageError, PageResult};
use crate::web::pages::layout::{self, form_summary, Input};
use crate::web::pages::session::same_origin;
use crate::web::peer::Peer;
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct ForgotFields {
    #[serde(default)]
    email: String,
}

#[derive(Deserialize, Default)]
pub struct ResetFields {
    #[serde(default)]
    password: String,
}

/// `GET /password/forgot`
pub async fn forgot_form() -> Markup {
    forgot_page(&FieldErrors::default(), false)
}

/// `POST /password/forgot`: the same answer whether the email has an
/// account or not.
pub async fn forgot(
    State(state): State<AppState>,
    Peer(from): Peer,
    headers: HeaderMap,
    Form(f): Form<ForgotFields>,
) -> PageResult {
    if !same_origin(&headers) {
        return Err(PageError::Forbidden(CROSS_SITE.into()));
    }
    if f.email.trim().is_empty() {
        let errors = FieldErrors::one("email", "Enter the email you log in with.");
        return invalid(forgot_page(&errors, false));
    }
    let accounts = state.services.account();
    match accounts.request_password_reset(from, f.email.trim()).await {
        Ok(()) => Ok(forgot_page(&FieldErrors::default(), true).into_response()),
        Err(e @ ServiceError::Throttled { .. }) => {
            let errors = FieldErrors::one("email", e.to_string());
            let page = forgot_page(&errors, false);
            Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response())
        }
        Err(ServiceError::Invalid(errors)) => invalid(forgot_page(&errors, false)),
        Err(e) => Err(e.into()),
    }
}

/// `GET /password/reset/{token}` (the link in the mail)
pub async fn reset_form(Path(_token): Path<String>) -> Markup {
    reset_page(&FieldErrors::default())
}

/// `POST /password/reset/{token}`: the new password; then log in with it.
pub async fn reset(
    State(state): State<AppState>,
    Peer(from): Peer,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(f): Form<ResetFields>,
) -> PageResult {
    if !same_origin(&headers) {
        return Err(PageError::Forbidden(CROSS_SITE.into()));
    }
    let accounts = state.services.account();
    match accounts.reset_password(from, &token, &f.password).await {
        Ok(()) => Ok(see_other("/login?reset=1")),
        Err(ServiceError::Invalid(errors)) => invalid(reset_page(&errors)),
        Err(e @ ServiceError::Throttled { .. }) => {
            let errors = FieldErrors::one("password", e.to_string());
            let page = reset_page(&errors);
            Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn forgot_page(errors: &FieldErrors, sent: bool) -> Markup {
    let body = html! {
        div.narrow {
            h1.auth-title { "Forgot your password?" }
            div.card {
                @if sent {
                    div.flash.flash-ok role="status" data-testid="reset-sent" {
                        "If an account uses that email, a link to choose a new password is on its way. It works once, within an hour."
                    }
                } @else {
                    (form_summary(errors))
                    form.stack method="post" action="/password/forgot" novalidate data-testid="forgot-form" {
                        (Input::text("email", "Email", "").kind("email")
                            .autocomplete("email").required().render(errors))
                        div.form-actions { button type="submit" { "Email me a link" } }
                    }
                }
            }
            p.auth-switch { a href="/login" { "Back to log in" } }
        }
    };
    layout::page("Forgot your password?", None, body)
}

fn reset_page(errors: &FieldErrors) -> Markup {
    let body = html! {
        div.narrow {
            h1.auth-title { "Choose a new password" }
            div.card {
                @if let Some(m) = errors.get("token") {
                    div.flash.flash-bad role="alert" data-testid="reset-error" {
                        (m) " " a href="/password/forgot" { "Ask for a new link" }
                    }
                }
                form.stack method="post" novalidate data-testid="reset-form" {
                    (Input::text("password", "New password", "").kind("password")
                        .autocomplete("new-password").required()
                        .hint("At least 8 characters, not a common password. Every browser and token signed in is signed out.")
                        .render(errors))
                    div.form-actions { button type="submit" { "Set password" } }
                }
            }
        }
    };
    layout::page("Choose a new password", None, body)
}
