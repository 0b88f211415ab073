//! Sign up (confirmed by a mailed link when mail is on: `confirm`), log in,
//! log out; a forgotten password (`recovery`).

pub mod confirm;
mod forms;
pub mod recovery;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;

use self::forms::{LoginFields, SignupFields};
use super::error::{invalid, see_other, PageError, PageResult, BAD_CSRF};
use super::session::{self, same_origin, PageRejection, PageUser};
use crate::service::account::{SignedUp, SignupInput};
use crate::service::{FieldErrors, ServiceError, ServiceResult};
use crate::web::peer::Peer;
use crate::web::AppState;

const CROSS_SITE: &str =
    "This form was sent from another site, so we did not accept it. Open this site directly and try again.";

// ---- sign up ----

/// `GET /signup`
pub async fn signup_form(user: Result<PageUser, PageRejection>) -> Response {
    if user.is_ok() {
        return see_other("/");
    }
    let form = SignupFields {
        timezone: "UTC".into(),
        ..SignupFields::default()
    };
    forms::signup_page(&form, &FieldErrors::default()).into_response()
}

/// `POST /signup`: the company, its owner, and a signed-in browser.
pub async fn signup(
    State(state): State<AppState>,
    Peer(from): Peer,
    headers: HeaderMap,
    Form(form): Form<SignupFields>,
) -> PageResult {
    if !same_origin(&headers) {
        return Err(PageError::Forbidden(CROSS_SITE.into()));
    }
    let input = SignupInput {
        company: form.company.clone(),
        email: form.email.clone(),
        password: form.password.clone(),
        timezone: form.timezone.clone(),
    };
    let accounts = state.services.account();
    let created: ServiceResult<_> = async { accounts.sign_up(from, input.parse()?).await }.await;
    let account = match created {
        Ok(SignedUp::Account(account)) => account,
        Ok(SignedUp::CheckMail) => return Ok(confirm::check_mail_page(&form.email).into_response()),
        Err(ServiceError::Invalid(errors)) => return invalid(forms::signup_page(&form, &errors)),
        Err(ServiceError::Conflict(c)) => {
            let errors = FieldErrors::one(c.field.unwrap_or("email"), c.message);
            return invalid(forms::signup_page(&form, &errors));
        }
        Err(e) => return Err(e.into()),
    };
    let jar = session::start(&state, &account).await?;
    Ok((jar, see_other("/devices")).into_response())
}

// ---- log in ----

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    expired: Option<String>,
    /// Back from setting a new password by a reset link.
    #[serde(default)]
    reset: Option<String>,
}

/// Only same-site paths, so `next` cannot send anyone to another site.
fn safe_next(next: &str) -> &str {
    session::same_site_next(next).unwrap_or("/")
}

/// `GET /login`
pub async fn login_form(
    user: Result<PageUser, PageRejection>,
    Query(q): Query<LoginQuery>,
) -> Response {
    if user.is_ok() {
        return see_other(safe_next(&q.next));
    }
    let notice = if q.reset.is_some() {
        Some("Your password is set. Log in with it.")
    } else {
        q.expired
            .is_some()
            .then_some("Your session ended. Log in again to continue.")
    };
    let form = LoginFields {
        next: safe_next(&q.next).to_owned(),
        ..LoginFields::default()
    };
    forms::login_page(&form, &FieldErrors::default(), notice).into_response()
}

/// `POST /login`
pub async fn login(
    State(state): State<AppState>,
    Peer(from): Peer,
    headers: HeaderMap,
    Form(mut form): Form<LoginFields>,
) -> PageResult {
    if !same_origin(&headers) {
        return Err(PageError::Forbidden(CROSS_SITE.into()));
    }
    form.next = safe_next(&form.next).to_owned();
    let accounts = state.services.account();
    match accounts
        .authenticate(from, &form.email, &form.password)
        .await
    {
        Ok(account) => {
            let jar = session::start(&state, &account).await?;
            Ok((jar, see_other(&form.next)).into_response())
        }
        // Signed up, but the mailed link was not opened yet.
        Err(ServiceError::Conflict(c)) => {
            let errors = FieldErrors::one("login", c.message);
            let page = forms::login_page(&form, &errors, None);
            Ok((StatusCode::FORBIDDEN, page).into_response())
        }
        Err(e @ ServiceError::InvalidCredentials) => {
            let errors = FieldErrors::one("login", e.to_string());
            let page = forms::login_page(&form, &errors, None);
            Ok((StatusCode::UNAUTHORIZED, page).into_response())
        }
        Err(e @ ServiceError::Throttled { .. }) => {
            let errors = FieldErrors::one("login", e.to_string());
            let page = forms::login_page(&form, &errors, None);
            Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response())
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
        Err(PageRejection::Login(_)) => return Ok(see_other("/login")),
        Err(PageRejection::Failed(e)) => return Err(e.into()),
    };
    if !session::csrf_matches(&user, &form.csrf) {
        return Err(PageError::Forbidden(BAD_CSRF.into()));
    }
    let jar = session::end(&state, &user).await?;
    Ok((jar, see_other("/login")).into_response())
}
