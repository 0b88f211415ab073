//! The signed-in browser: the `pc_session` cookie (HttpOnly, SameSite=Lax)
//! of a web session, and the CSRF token every form must echo back.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use subtle::ConstantTimeEq;

use crate::domain::{Account, SessionKind};
use crate::service::sessions::{SignedIn, WEB_SESSION_TTL};
use crate::service::ServiceError;
use crate::web::AppState;

/// Name of the browser session cookie.
pub const SESSION_COOKIE: &str = "pc_session";

/// A signed-in browser, from the `pc_session` cookie; otherwise a redirect
/// to `/login`.
#[derive(Debug, Clone)]
pub struct PageUser(pub SignedIn);

impl std::ops::Deref for PageUser {
    type Target = SignedIn;
    fn deref(&self) -> &SignedIn {
        &self.0
    }
}

/// Why a page request has no user: send to login, or a server fault.
#[derive(Debug)]
pub enum PageRejection {
    Login,
    Failed(ServiceError),
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
        state
            .services
            .sessions()
            .find(&token, SessionKind::Web)
            .await
            .map_err(PageRejection::Failed)?
            .map(PageUser)
            .ok_or(PageRejection::Login)
    }
}

fn session_cookie(state: &AppState, value: String, max_age: time::Duration) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .secure(state.config.secure_cookies)
        .max_age(max_age)
        .build()
}

/// Sign a browser in: a new web session and its cookie, to return with
/// the response.
pub async fn start(state: &AppState, account: &Account) -> Result<CookieJar, ServiceError> {
    let session = state
        .services
        .sessions()
        .start(account, SessionKind::Web)
        .await?;
    let max_age = time::Duration::seconds(WEB_SESSION_TTL.as_secs() as i64);
    Ok(CookieJar::new().add(session_cookie(state, session.token, max_age)))
}

/// End the browser's session; the returned jar clears its cookie.
pub async fn end(state: &AppState, user: &PageUser) -> Result<CookieJar, ServiceError> {
    state.services.sessions().end(user).await?;
    Ok(CookieJar::new().add(session_cookie(state, String::new(), time::Duration::ZERO)))
}

/// Whether a form's CSRF token is this session's (constant time, so the
/// token cannot be guessed byte by byte from response timings).
pub fn csrf_matches(user: &SignedIn, submitted: &str) -> bool {
    let expected = user.csrf_token.as_bytes();
    !expected.is_empty() && bool::from(expected.ct_eq(submitted.as_bytes()))
}

/// For forms without a session (signup, login): refuse cross-site posts.
/// Browsers send `Origin` (and `Sec-Fetch-Site`) on POSTs; when present they
/// must name this host.
pub fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if !matches!(site, "same-origin" | "none") {
            return false;
        }
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(origin)
        .trim_end_matches('/');
    origin_host.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AccountId, CompanyId};
    use crate::service::Caller;

    fn user(csrf: &str) -> SignedIn {
        let caller = Caller {
            company_id: CompanyId(1),
            account_id: AccountId(1),
        };
        SignedIn::for_tests(caller, csrf)
    }

    #[test]
    fn csrf_must_match_exactly() {
        let u = user("abcdef");
        assert!(csrf_matches(&u, "abcdef"));
        assert!(!csrf_matches(&u, "abcdeg"));
        assert!(!csrf_matches(&u, "abc"));
        assert!(!csrf_matches(&u, ""));
        assert!(!csrf_matches(&user(""), ""), "empty never matches");
    }
}
