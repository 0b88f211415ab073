//! Who is asking: password hashing, sessions, CSRF, and the extractors that
//! turn a request into a [`CurrentUser`].
//!
//! Browsers carry a `pc_session` cookie (kind `web`, with a per-session CSRF
//! token for forms); API clients send `Authorization: Bearer <token>` (kind
//! `api`). The two kinds are not interchangeable, so a leaked API token
//! cannot drive the pages and a cookie cannot be replayed as a bearer token.

use std::sync::OnceLock;
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use subtle::ConstantTimeEq;

use super::api::error::ApiError;
use super::AppState;
use crate::domain::{Account, AccountId, CompanyId, Role, SessionId, SessionKind};
use crate::store::StoreError;

/// Create a company on a trial of the smallest plan, with its owner.
/// Shared by the signup page and the API. A taken email is a
/// `StoreError::Conflict`.
pub async fn sign_up(
    state: &AppState,
    valid: crate::web::validate::Signup,
) -> Result<Account, AuthError> {
    let hash = hash_password_async(valid.password).await?;
    let trial = state.billing.trial_start();
    let company = crate::domain::NewCompany {
        name: valid.company,
        timezone: valid.timezone,
        poll_interval_minutes: Some(state.config.poll_interval_minutes),
        plan: trial.plan,
        seats: trial.seats,
        trial_ends_at: trial.trial_ends_at,
    };
    let (_, account) = state
        .store
        .create_company_with_owner(&company, &valid.email, &hash)
        .await?;
    Ok(account)
}

/// Name of the browser session cookie.
pub const SESSION_COOKIE: &str = "pc_session";
/// How long a browser stays signed in.
pub const WEB_SESSION_TTL: Duration = Duration::from_secs(14 * 24 * 3600);
/// How long an API token lives.
pub const API_TOKEN_TTL: Duration = Duration::from_secs(90 * 24 * 3600);

/// Why a caller could not be let in.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("The email or password is not right.")]
    InvalidCredentials,
    #[error("Sign in first.")]
    Unauthenticated,
    #[error("This form has expired. Reload the page and try again.")]
    BadCsrf,
    #[error("hashing the password failed: {0}")]
    Hash(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

// ---- passwords ----

/// Hash a password into an argon2id PHC string (default parameters, random
/// salt). CPU-heavy: call from `spawn_blocking` or via [`hash_password_async`].
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// Whether `password` matches the PHC string. A malformed hash is a mismatch.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// [`hash_password`] off the async workers.
pub async fn hash_password_async(password: String) -> Result<String, AuthError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AuthError::Hash(e.to_string()))?
}

/// A hash of nothing anyone knows, verified when the email is unknown so a
/// login attempt takes as long whether or not the account exists.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password("not-a-real-password").unwrap_or_default())
}

/// Check an email and password; the account on success.
pub async fn authenticate(
    state: &AppState,
    email: &str,
    password: &str,
) -> Result<Account, AuthError> {
    let login = state.store.account_login(email).await?;
    let password = password.to_owned();
    let (account, hash) = match login {
        Some(l) => (Some(l.account), l.password_hash),
        None => (None, dummy_hash().to_owned()),
    };
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| AuthError::Hash(e.to_string()))?;
    match account {
        Some(a) if ok => Ok(a),
        _ => Err(AuthError::InvalidCredentials),
    }
}

// ---- the signed-in caller ----

/// The account behind a live session.
#[derive(Clone)]
pub struct CurrentUser {
    pub account_id: AccountId,
    pub company_id: CompanyId,
    pub email: String,
    pub role: Role,
    pub session_id: SessionId,
    /// Per-session token that every page form must echo back.
    pub csrf_token: String,
    /// The session token itself, kept to end the session on logout.
    token: String,
}

impl CurrentUser {
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl std::fmt::Debug for CurrentUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CurrentUser")
            .field("account_id", &self.account_id)
            .field("company_id", &self.company_id)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("session_id", &self.session_id)
            .finish_non_exhaustive()
    }
}

/// The live session of `kind` for `token`, if any.
pub async fn lookup_session(
    state: &AppState,
    token: &str,
    kind: SessionKind,
) -> Result<Option<CurrentUser>, StoreError> {
    if token.is_empty() {
        return Ok(None);
    }
    // Sessions expire on the service clock like everything else: a test
    // that moves time past a session's end is signed out, as a user would be.
    let Some(session) = state
        .store
        .session_by_token(token, state.clock.now())
        .await?
    else {
        return Ok(None);
    };
    if session.kind != kind {
        return Ok(None);
    }
    let account = match state.store.get_account(session.account_id).await {
        Ok(a) => a,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(Some(CurrentUser {
        account_id: account.id,
        company_id: session.company_id,
        email: account.email,
        role: account.role,
        session_id: session.id,
        csrf_token: session.csrf_token,
        token: token.to_owned(),
    }))
}

/// An API caller, from `Authorization: Bearer <token>`; 401 JSON otherwise.
/// Any account standing: only for what a blocked or expired account may
/// still do (its account and plan, employee status, logout).
#[derive(Debug, Clone)]
pub struct ApiCaller(pub CurrentUser);

impl std::ops::Deref for ApiCaller {
    type Target = CurrentUser;
    fn deref(&self) -> &CurrentUser {
        &self.0
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer_token)
            .ok_or(ApiError::Unauthenticated)?;
        lookup_session(state, token, SessionKind::Api)
            .await?
            .map(ApiCaller)
            .ok_or(ApiError::Unauthenticated)
    }
}

/// An API caller whose account is in good standing; a blocked or expired
/// account gets 402 `account_blocked`. The default for API handlers, so a
/// new endpoint is gated unless it deliberately takes [`ApiCaller`].
#[derive(Debug, Clone)]
pub struct ApiUser(pub CurrentUser);

impl std::ops::Deref for ApiUser {
    type Target = CurrentUser;
    fn deref(&self) -> &CurrentUser {
        &self.0
    }
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = ApiCaller::from_request_parts(parts, state).await?;
        let account = state.billing.standing(caller.company_id).await?;
        if account.blocked {
            return Err(ApiError::AccountBlocked(Box::new(account)));
        }
        Ok(ApiUser(caller.0))
    }
}

/// The token of an `Authorization` header value, scheme case-insensitive.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A signed-in browser, from the `pc_session` cookie; otherwise a redirect
/// to `/login`.
#[derive(Debug, Clone)]
pub struct PageUser(pub CurrentUser);

impl std::ops::Deref for PageUser {
    type Target = CurrentUser;
    fn deref(&self) -> &CurrentUser {
        &self.0
    }
}

/// Why a page request has no user: send to login, or a server fault.
#[derive(Debug)]
pub enum PageRejection {
    Login,
    Failed(StoreError),
}

impl IntoResponse for PageRejection {
    fn into_response(self) -> Response {
        match self {
            PageRejection::Login => Redirect::to("/login").into_response(),
            PageRejection::Failed(e) => {
                tracing::error!("looking up a session failed: {e}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on our side. Please try again in a moment.",
                )
                    .into_response()
            }
        }
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = PageRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, PageRejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(SESSION_COOKIE)
            .map(|c| c.value().to_owned())
            .ok_or(PageRejection::Login)?;
        lookup_session(state, &token, SessionKind::Web)
            .await
            .map_err(PageRejection::Failed)?
            .map(PageUser)
            .ok_or(PageRejection::Login)
    }
}

// ---- starting and ending sessions ----

fn session_cookie(state: &AppState, value: String, max_age: time::Duration) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .secure(state.config.secure_cookies)
        .max_age(max_age)
        .build()
}

/// Sign a browser in: a new web session, its cookie (to return with the
/// response) and its CSRF token.
pub async fn start_web_session(
    state: &AppState,
    account: &Account,
) -> Result<(CookieJar, String), StoreError> {
    let (token, session) = state
        .store
        .create_session(
            account.id,
            account.company_id,
            SessionKind::Web,
            WEB_SESSION_TTL,
        )
        .await?;
    let max_age = time::Duration::seconds(WEB_SESSION_TTL.as_secs() as i64);
    let jar = CookieJar::new().add(session_cookie(state, token, max_age));
    Ok((jar, session.csrf_token))
}

/// A new API token for `account`.
pub async fn start_api_session(state: &AppState, account: &Account) -> Result<String, StoreError> {
    let (token, _) = state
        .store
        .create_session(
            account.id,
            account.company_id,
            SessionKind::Api,
            API_TOKEN_TTL,
        )
        .await?;
    Ok(token)
}

/// End the caller's session. The returned jar clears the browser cookie;
/// API callers can ignore it.
pub async fn end_session(state: &AppState, user: &CurrentUser) -> Result<CookieJar, StoreError> {
    state.store.delete_session(user.token()).await?;
    Ok(CookieJar::new().add(session_cookie(state, String::new(), time::Duration::ZERO)))
}

/// Reject a form whose CSRF token is not this session's (constant time, so
/// the token cannot be guessed byte by byte from response timings).
pub fn check_csrf(user: &PageUser, submitted: &str) -> Result<(), AuthError> {
    let expected = user.csrf_token.as_bytes();
    if !expected.is_empty() && bool::from(expected.ct_eq(submitted.as_bytes())) {
        Ok(())
    } else {
        Err(AuthError::BadCsrf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_per_salt() {
        let a = hash_password("correct horse").unwrap();
        let b = hash_password("correct horse").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "random salt");
        assert!(verify_password("correct horse", &a));
        assert!(!verify_password("correct hors", &a));
        assert!(!verify_password("correct horse", "not a phc string"));
    }

    #[test]
    fn bearer_header_parsing() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("abc"), None);
    }

    fn page_user(csrf: &str) -> PageUser {
        PageUser(CurrentUser {
            account_id: AccountId(1),
            company_id: CompanyId(1),
            email: "a@b.c".into(),
            role: Role::Owner,
            session_id: SessionId(1),
            csrf_token: csrf.into(),
            token: "t".into(),
        })
    }

    #[test]
    fn csrf_must_match_exactly() {
        let u = page_user("abcdef");
        assert!(check_csrf(&u, "abcdef").is_ok());
        assert!(check_csrf(&u, "abcdeg").is_err());
        assert!(check_csrf(&u, "abc").is_err());
        assert!(check_csrf(&u, "").is_err());
        assert!(
            check_csrf(&page_user(""), "").is_err(),
            "empty never matches"
        );
    }
}
