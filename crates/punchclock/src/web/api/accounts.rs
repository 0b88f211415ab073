//! Sign-up, login and logout. Tokens are API sessions; only their hash is
//! stored.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::error::{ApiError, ApiResult, Json};
use super::views::TokenJson;
use crate::store::StoreError;
use crate::web::auth::{self, ApiCaller};
use crate::web::validate::{self, SignupForm};
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
    let valid = validate::signup(&SignupForm {
        company: body.company,
        email: body.email,
        password: body.password,
        timezone: body.timezone,
    })?;
    let account = auth::sign_up(&state, valid).await.map_err(|e| match e {
        auth::AuthError::Store(StoreError::Conflict(_)) => {
            ApiError::Conflict("An account with this email already exists. Log in instead.".into())
        }
        other => other.into(),
    })?;
    let token = auth::start_api_session(&state, &account).await?;
    Ok((StatusCode::CREATED, Json(TokenJson { token })))
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
    let account = auth::authenticate(&state, &body.email, &body.password).await?;
    let token = auth::start_api_session(&state, &account).await?;
    Ok(Json(TokenJson { token }))
}

/// `POST /logout`: the token stops working.
pub async fn logout(State(state): State<AppState>, user: ApiCaller) -> ApiResult<StatusCode> {
    // API clients hold no cookie, so the clearing jar is not needed.
    let _jar = auth::end_session(&state, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}
