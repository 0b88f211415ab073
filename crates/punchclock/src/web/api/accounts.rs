//! Sign-up, login and logout. Tokens are API sessions; only their hash is
//! stored.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::caller::ApiCaller;
use super::error::{ApiResult, Json};
use super::views::TokenJson;
use crate::domain::SessionKind;
use crate::service::account::SignupInput;
use crate::web::AppState;

#[derive(Deserialize)]
pub struct SignupBody {
    #[serde(default)]
    company: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    timezone: String,
}

/// `POST /signup`: a company on the trial plan, its owner, and a token.
pub async fn signup(
    State(state): State<AppState>,
    Json(body): Json<SignupBody>,
) -> ApiResult<(StatusCode, Json<TokenJson>)> {
    let accounts = state.services.account();
    let signup = SignupInput {
        company: body.company,
        email: body.email,
        password: body.password,
        timezone: body.timezone,
    }
    .parse()?;
    let account = accounts.sign_up(signup).await?;
    let session = state
        .services
        .sessions()
        .start(&account, SessionKind::Api)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenJson {
            token: session.token,
        }),
    ))
}

#[derive(Deserialize)]
pub struct LoginBody {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// `POST /login`: a new token for the account.
pub async fn login(
    State(state): State<AppState>,
    Json(body): Json<LoginBody>,
) -> ApiResult<Json<TokenJson>> {
    let accounts = state.services.account();
    let account = accounts.authenticate(&body.email, &body.password).await?;
    let session = state
        .services
        .sessions()
        .start(&account, SessionKind::Api)
        .await?;
    Ok(Json(TokenJson {
        token: session.token,
    }))
}

/// `POST /logout`: the token stops working.
pub async fn logout(State(state): State<AppState>, user: ApiCaller) -> ApiResult<StatusCode> {
    state.services.sessions().end(&user).await?;
    Ok(StatusCode::NO_CONTENT)
}
