//! Sign up, log in, log out.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{self, form_summary, Input};
use super::{same_origin, see_other, PageError, PageResult};
use crate::store::StoreError;
use crate::web::auth::{self, AuthError, PageRejection, PageUser};
use crate::web::validate::{self, FieldErrors, SignupForm};
use crate::web::AppState;

const CROSS_SITE: &str =
    "This form was sent from another site, so we did not accept it. Open this site directly and try again.";

// ---- sign up ----

#[derive(Deserialize, Default)]
pub struct SignupFields {
    #[serde(default)]
    company: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

fn signup_page(form: &SignupFields, errors: &FieldErrors) -> Markup {
    let body = html! {
        div.narrow {
            h1.auth-title { "Start your free trial" }
            p.muted.center {
                "Connect your ZKTeco time clocks and see who punched in, from anywhere."
            }
            div.card {
                (form_summary(errors))
                form.stack method="post" action="/signup" novalidate data-testid="signup-form" {
                    (Input::text("company", "Company name", &form.company)
                        .autocomplete("organization").required().render(errors))
                    (layout::timezone_select("timezone", "Time zone", &form.timezone, None,
                        Some("Punch times are shown in this zone."), true, errors))
                    (Input::text("email", "Email", &form.email).kind("email")
                        .autocomplete("email").required().render(errors))
                    (Input::text("password", "Password", "").kind("password")
                        .autocomplete("new-password").required()
                        .hint("At least 8 characters.").render(errors))
                    div.form-actions {
                        button type="submit" data-testid="signup-submit" { "Create account" }
                    }
                }
            }
            p.auth-switch { "Already have an account? " a href="/login" { "Log in" } }
        }
    };
    layout::page("Sign up", None, body)
}

/// `GET /signup`
pub async fn signup_form(user: Result<PageUser, PageRejection>) -> Response {
    if user.is_ok() {
        return see_other("/devices");
    }
    let form = SignupFields {
        timezone: "UTC".into(),
        ..SignupFields::default()
    };
    signup_page(&form, &FieldErrors::default()).into_response()
}

/// `POST /signup`: the company, its owner, and a signed-in browser.
pub async fn signup(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SignupFields>,
) -> PageResult {
    if !same_origin(&headers) {
        return Err(PageError::Forbidden(CROSS_SITE.into()));
    }
    let invalid = |errors: FieldErrors| {
        Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            signup_page(&form, &errors),
        )
            .into_response())
    };
    let valid = match validate::signup(&SignupForm {
        company: form.company.clone(),
        email: form.email.clone(),
        password: form.password.clone(),
        timezone: form.timezone.clone(),
    }) {
        Ok(v) => v,
        Err(errors) => return invalid(errors),
    };
    let account = match auth::sign_up(&state, valid).await {
        Ok(account) => account,
        Err(auth::AuthError::Store(StoreError::Conflict(_))) => {
            let mut errors = FieldErrors::default();
            errors.add(
                "email",
                "An account with this email already exists. Log in instead.",
            );
            return invalid(errors);
        }
        Err(e) => return Err(e.into()),
    };
    let (jar, _csrf) = auth::start_web_session(&state, &account).await?;
    Ok((jar, see_other("/devices")).into_response())
}

// ---- log in ----

#[derive(Deserialize, Default)]
pub struct LoginFields {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    expired: Option<String>,
}

/// Only local paths, so `next` cannot send anyone to another site.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/devices"
    }
}

fn login_page(email: &str, next: &str, errors: &FieldErrors, notice: Option<&str>) -> Markup {
    let body = html! {
        div.narrow {
            h1.auth-title { "Log in" }
            div.card {
                @if let Some(n) = notice {
                    div.flash.flash-info { (n) }
                }
                @if let Some(m) = errors.get("login") {
                    div.flash.flash-bad role="alert" data-testid="login-error" { (m) }
                }
                form.stack method="post" action="/login" data-testid="login-form" {
                    input type="hidden" name="next" value=(next);
                    (Input::text("email", "Email", email).kind("email")
                        .autocomplete("email").required().render(errors))
                    (Input::text("password", "Password", "").kind("password")
                        .autocomplete("current-password").required().render(errors))
                    div.form-actions {
                        button type="submit" data-testid="login-submit" { "Log in" }
                    }
                }
            }
            p.auth-switch { "New here? " a href="/signup" { "Create an account" } }
        }
    };
    layout::page("Log in", None, body)
}

/// `GET /login`
pub async fn login_form(
    user: Result<PageUser, PageRejection>,
    Query(q): Query<LoginQuery>,
) -> Response {
    if user.is_ok() {
        return see_other(safe_next(&q.next));
    }
    let notice = q
        .expired
        .is_some()
        .then_some("Your session ended. Log in again to continue.");
    login_page("", safe_next(&q.next), &FieldErrors::default(), notice).into_response()
}

/// `POST /login`
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LoginFields>,
) -> PageResult {
    if !same_origin(&headers) {
        return Err(PageError::Forbidden(CROSS_SITE.into()));
    }
    let next = safe_next(&form.next);
    match auth::authenticate(&state, &form.email, &form.password).await {
        Ok(account) => {
            let (jar, _csrf) = auth::start_web_session(&state, &account).await?;
            Ok((jar, see_other(next)).into_response())
        }
        Err(AuthError::InvalidCredentials) => {
            let mut errors = FieldErrors::default();
            errors.add("login", AuthError::InvalidCredentials.to_string());
            Ok((
                StatusCode::UNAUTHORIZED,
                login_page(&form.email, next, &errors, None),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---- log out ----

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// `POST /logout`
pub async fn logout(
    State(state): State<AppState>,
    user: Result<PageUser, PageRejection>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    let user = match user {
        Ok(u) => u,
        // Already signed out: nothing to end.
        Err(PageRejection::Login) => return Ok(see_other("/login")),
        Err(PageRejection::Failed(e)) => return Err(e.into()),
    };
    auth::check_csrf(&user, &form.csrf)?;
    let jar = auth::end_session(&state, &user).await?;
    Ok((jar, see_other("/login")).into_response())
}
