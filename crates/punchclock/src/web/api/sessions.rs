//! The account's sessions and tokens (listed, revoked, all ended), its
//! password (changed, or reset by a mailed token).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::caller::ApiCaller;
use super::error::{ApiResult, Json, Path, Query};
use super::files;
use super::responses::{self as r, Auth, Body, Missing, Throttled};
use super::views::{company_zone, instant, List};
use crate::domain::{SessionId, SessionKind};
use crate::service::account::recovery::PasswordChange;
use crate::web::export::FormatQuery;
use crate::web::peer::Peer;
use crate::web::AppState;

/// A browser session or API token of the account (never the token).
#[derive(Serialize, ToSchema)]
#[schema(as = Session)]
pub struct SessionJson {
    pub id: i64,
    /// `web` (a browser) or `api` (a token).
    #[schema(value_type = String)]
    pub kind: &'static str,
    /// Whether this is the token of this request.
    pub current: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Within a minute.
    #[schema(format = DateTime)]
    pub last_seen_at: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
}

/// The account's sessions and tokens
///
/// Live browser sessions and API tokens, most recently used first.
#[utoipa::path(get, path = "/sessions", operation_id = "listSessions", params(FormatQuery),
    responses((status = 200, description = "Sessions and tokens.", content((List<SessionJson> = "application/json"), (String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), r::Query, Auth))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiCaller,
    Query(fmt): Query<FormatQuery>,
) -> ApiResult<Response> {
    let format = fmt.format()?;
    let s = &state.services;
    let tz = company_zone(&s.company().get(&user.caller).await?);
    let sessions = s.sessions().list(&user).await?;
    let items = List::all(
        sessions
            .into_iter()
            .map(|x| SessionJson {
                id: x.id.0,
                kind: match x.kind {
                    SessionKind::Web => "web",
                    SessionKind::Api => "api",
                },
                current: x.id == user.session_id,
                created_at: instant(x.created_at, &tz),
                last_seen_at: instant(x.last_seen_at, &tz),
                expires_at: instant(x.expires_at, &tz),
            })
            .collect(),
    );
    files::listed(&state, &user.caller, format, items, "sessions", None).await
}

/// Revoke a session or token
///
/// It stops working at once (it may be the one used).
#[utoipa::path(delete, path = "/sessions/{id}", operation_id = "revokeSession",
    params(("id" = i64, Path)),
    responses((status = 204, description = "Revoked."), Auth, Missing))]
pub async fn revoke(
    State(state): State<AppState>,
    user: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state
        .services
        .sessions()
        .revoke(&user, SessionId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Log out everywhere
///
/// Every browser session and API token of the account ends, this one too.
#[utoipa::path(post, path = "/logout/everywhere", operation_id = "logoutEverywhere",
    responses((status = 204, description = "Every session and token ended."), Auth))]
pub async fn logout_everywhere(
    State(state): State<AppState>,
    user: ApiCaller,
) -> ApiResult<StatusCode> {
    state.services.sessions().end_all(&user).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    #[serde(default)]
    #[schema(required = true)]
    current_password: String,
    /// 8-1000 characters; common and breached passwords are refused.
    #[serde(default)]
    #[schema(required = true)]
    new_password: String,
}

/// Change the password
///
/// Checks the current password; every other session and token ends.
#[utoipa::path(post, path = "/account/password", operation_id = "changePassword",
    request_body = PasswordBody,
    responses((status = 204, description = "Changed; other sessions ended."), Body, Auth, Throttled))]
pub async fn change_password(
    State(state): State<AppState>,
    Peer(from): Peer,
    user: ApiCaller,
    Json(body): Json<PasswordBody>,
) -> ApiResult<StatusCode> {
    let change = PasswordChange {
        current_password: body.current_password,
        new_password: body.new_password,
    };
    let accounts = state.services.account();
    accounts.change_password(from, &user, &change).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequestBody {
    #[serde(default)]
    #[schema(required = true)]
    email: String,
}

/// Ask for a password reset
///
/// Mails a link that works once, within an hour, if the email has an
/// account. The answer is the same either way.
#[utoipa::path(post, path = "/password-reset", operation_id = "requestPasswordReset", security(()),
    request_body = ResetRequestBody,
    responses((status = 202, description = "A link is mailed if the email has an account."), Body, Throttled))]
pub async fn request_reset(
    State(state): State<AppState>,
    Peer(from): Peer,
    Json(body): Json<ResetRequestBody>,
) -> ApiResult<StatusCode> {
    let accounts = state.services.account();
    accounts.request_password_reset(from, &body.email).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    /// The token from the mailed link.
    #[serde(default)]
    #[schema(required = true)]
    token: String,
    /// 8-1000 characters; common and breached passwords are refused.
    #[serde(default)]
    #[schema(required = true)]
    password: String,
}

/// Reset the password with a mailed token
///
/// Every session and token of the account ends; log in with the new
/// password. A token that is unknown, used or expired is a `token` error.
#[utoipa::path(post, path = "/password-reset/confirm", operation_id = "resetPassword", security(()),
    request_body = ResetBody,
    responses((status = 204, description = "The password is set."), Body, Throttled))]
pub async fn reset(
    State(state): State<AppState>,
    Peer(from): Peer,
    Json(body): Json<ResetBody>,
) -> ApiResult<StatusCode> {
    let accounts = state.services.account();
    accounts
        .reset_password(from, &body.token, &body.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
