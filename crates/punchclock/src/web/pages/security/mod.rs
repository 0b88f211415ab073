//! Account security (`/account/security`): change the password, see the
//! browsers and API tokens signed in, sign one out, log out everywhere.

mod view;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Form;
use maud::Markup;
use serde::Deserialize;

use super::ctx::Ctx;
use super::error::{path_id, see_other, PageResult};
use super::session;
use crate::domain::SessionId;
use crate::service::account::recovery::PasswordChange;
use crate::service::{FieldErrors, ServiceError};
use crate::web::peer::Peer;
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct PasswordFields {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

#[derive(Deserialize, Default)]
pub struct CsrfOnly {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// `GET /account/security`
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<Done>,
) -> PageResult<Markup> {
    let sessions = state.services.sessions().list(&ctx.user).await?;
    let notice = match q.done.as_deref() {
        Some("password") => {
            Some("Password changed. Every other browser and API token was signed out.")
        }
        Some("revoked") => Some("Signed out there."),
        _ => None,
    };
    Ok(view::page(&ctx, &sessions, &FieldErrors::default(), notice))
}

/// `POST /account/password`
pub async fn change_password(
    State(state): State<AppState>,
    Peer(from): Peer,
    ctx: Ctx,
    Form(f): Form<PasswordFields>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    let change = PasswordChange {
        current_password: f.current_password,
        new_password: f.new_password,
    };
    let accounts = state.services.account();
    let (status, errors) = match accounts.change_password(from, &ctx.user, &change).await {
        Ok(()) => return Ok(see_other("/account/security?done=password")),
        Err(ServiceError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(e @ ServiceError::Throttled { .. }) => (
            StatusCode::TOO_MANY_REQUESTS,
            FieldErrors::one("current_password", e.to_string()),
        ),
        Err(e) => return Err(e.into()),
    };
    let sessions = state.services.sessions().list(&ctx.user).await?;
    Ok((status, view::page(&ctx, &sessions, &errors, None)).into_response())
}

/// `POST /account/sessions/{id}/revoke`: signs one browser or token out;
/// this browser's own goes back to the login page.
pub async fn revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    let id = SessionId(path_id(&raw)?);
    state.services.sessions().revoke(&ctx.user, id).await?;
    if id == ctx.user.session_id {
        let jar = session::end(&state, &ctx.user).await?;
        return Ok((jar, see_other("/login")).into_response());
    }
    Ok(see_other("/account/security?done=revoked"))
}

/// `POST /logout/everywhere`: every browser and token of the account ends,
/// this one included.
pub async fn logout_everywhere(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    state.services.sessions().end_all(&ctx.user).await?;
    let jar = session::end(&state, &ctx.user).await?;
    Ok((jar, see_other("/login")).into_response())
}
