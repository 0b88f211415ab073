//! Sign-up by mail: "check your mail" (the same page whether or not the
//! email had an account), and the page the mailed link opens, whose button
//! confirms and signs in (a POST, so a mail scanner opening the link does
//! not use it up).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use maud::{html, Markup};

use super::CROSS_SITE;
use crate::service::ServiceError;
use crate::web::pages::error::{invalid, see_other, PageError, PageResult};
use crate::web::pages::layout;
use crate::web::pages::session::{self, same_origin};
use crate::web::peer::Peer;
use crate::web::AppState;

/// After `POST /signup` with mail on, for every email.
pub fn check_mail_page(email: &str) -> Markup {
    let body = html! {
        div.narrow {
            h1.auth-title { "Check your mail" }
            div.card {
                div.flash.flash-ok role="status" data-testid="check-mail" {
                    "We sent a mail to " strong { (email.trim()) } ". Open the link in it to finish signing up. "
                    "If the address already has an account, the mail says how to log in instead."
                }
            }
            p.auth-switch { a href="/login" { "Back to log in" } }
        }
    };
    layout::page("Check your mail", None, body)
}

/// `GET /signup/confirm/{token}`
pub async fn confirm_form(Path(_token): Path<String>) -> Markup {
    confirm_page(None)
}

/// `POST /signup/confirm/{token}`: confirms the account and signs in.
pub async fn confirm(
    State(state): State<AppState>,
    Peer(from): Peer,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> PageResult {
    if !same_origin(&headers) {
        return Err(PageError::Forbidden(CROSS_SITE.into()));
    }
    match state.services.account().confirm_sign_up(from, &token).await {
        Ok(account) => {
            let jar = session::start(&state, &account).await?;
            Ok((jar, see_other("/devices")).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let message = errors.get("token").unwrap_or("This link does not work.");
            invalid(confirm_page(Some(message)))
        }
        Err(e) => Err(e.into()),
    }
}

fn confirm_page(error: Option<&str>) -> Markup {
    let body = html! {
        div.narrow {
            h1.auth-title { "Finish signing up" }
            div.card {
                @if let Some(m) = error {
                    div.flash.flash-bad role="alert" data-testid="confirm-error" {
                        (m) " " a href="/signup" { "Sign up" }
                    }
                } @else {
                    form.stack method="post" data-testid="confirm-form" {
                        p { "Confirm your email to open your account and sign in." }
                        div.form-actions {
                            button type="submit" data-testid="confirm-submit" { "Confirm and sign in" }
                        }
                    }
                }
            }
        }
    };
    layout::page("Finish signing up", None, body)
}
