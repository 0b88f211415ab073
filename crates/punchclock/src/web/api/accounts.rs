//! Sign-up, login and logout. Tokens are API sessions; only their hash is
//! stored.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;

use super::caller::ApiCaller;
use super::error::{ApiResult, Json};
use super::responses::{Auth, Body, Conflict, Throttled};
use super::views::TokenJson;
use crate::domain::SessionKind;
use crate::service::account::{SignedUp, SignupInput};
use crate::web::peer::Peer;
use crate::web::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupBody {
    /// The company's name (1-100 characters).
    #[serde(default)]
    #[schema(required = true)]
    company: String,
    #[serde(default)]
    #[schema(required = true)]
    email: String,
    /// 8-1000 characters; common and breached passwords are refused.
    #[serde(default)]
    #[schema(required = true)]
    password: String,
    /// IANA name, e.g. Europe/Berlin.
    #[serde(default)]
    #[schema(required = true)]
    timezone: String,
}

/// Create a company (trial plan) and its owner
///
/// A company on the trial plan and its owner. With mail configured the
/// answer is 202 whether or not the email has an account: a new account
/// is confirmed by a link mailed to it (log in after opening it), the
/// owner of a taken email gets a mail instead. Without mail: a token at
/// once (201), and 409 for a taken email.
#[utoipa::path(post, path = "/signup", operation_id = "signup", security(()),
    request_body = SignupBody,
    responses((status = 201, description = "Signed up (mail off).", body = TokenJson),
        (status = 202, description = "Mail on: a confirmation link, or to the owner of a taken email a note, is mailed; the same answer either way."),
        Body, Conflict, Throttled))]
pub async fn signup(
    State(state): State<AppState>,
    Peer(from): Peer,
    Json(body): Json<SignupBody>,
) -> ApiResult<Response> {
    let accounts = state.services.account();
    let signup = SignupInput {
        company: body.company,
        email: body.email,
        password: body.password,
        timezone: body.timezone,
    }
    .parse()?;
    let account = match accounts.sign_up(from, signup).await? {
        SignedUp::Account(account) => account,
        SignedUp::CheckMail => return Ok(StatusCode::ACCEPTED.into_response()),
    };
    let session = state
        .services
        .sessions()
        .start(&account, SessionKind::Api)
        .await?;
    let token = Json(TokenJson {
        token: session.token,
    });
    Ok((StatusCode::CREATED, token).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    #[serde(default)]
    #[schema(required = true)]
    email: String,
    #[serde(default)]
    #[schema(required = true)]
    password: String,
}

/// Get a token
///
/// A new API token for the account. A wrong password and an unknown email
/// answer the same.
#[utoipa::path(post, path = "/login", operation_id = "login", security(()),
    request_body = LoginBody,
    responses((status = 200, description = "Logged in.", body = TokenJson),
        (status = 401, description = "`invalid_credentials`: wrong email or password.", body = super::error::ErrorJson),
        Body, Throttled))]
pub async fn login(
    State(state): State<AppState>,
    Peer(from): Peer,
    Json(body): Json<LoginBody>,
) -> ApiResult<Json<TokenJson>> {
    let accounts = state.services.account();
    let account = accounts
        .authenticate(from, &body.email, &body.password)
        .await?;
    let session = state
        .services
        .sessions()
        .start(&account, SessionKind::Api)
        .await?;
    Ok(Json(TokenJson {
        token: session.token,
    }))
}

/// Revoke the token used
#[utoipa::path(post, path = "/logout", operation_id = "logout",
    responses((status = 204, description = "Logged out."), Auth))]
pub async fn logout(State(state): State<AppState>, user: ApiCaller) -> ApiResult<StatusCode> {
    state.services.sessions().end(&user).await?;
    Ok(StatusCode::NO_CONTENT)
}
