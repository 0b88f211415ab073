//! The signed-in browser: the `pc_session` cookie (HttpOnly, SameSite=Lax)
//! of a web session, and the CSRF token every form must echo back.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
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

/// Why a page request has no user: send to login (and back to the page
/// asked for, when it is a same-site GET), or a server fault.
#[derive(Debug)]
pub enum PageRejection {
    Login(Option<String>),
    Failed(ServiceError),
}

/// Where the login page sends the browser afterwards: a same-site path
/// only. One leading `/` (never `//` or `/\`), printable ASCII without
/// spaces or backslashes (browsers drop a tab or line break, so `/\t/evil`
/// becomes `//evil`), and a valid URI path. Checked before anything else.
pub fn same_site_next(next: &str) -> Option<&str> {
    let ok = next.len() <= 2048
        && next.starts_with('/')
        && !next.starts_with("//")
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
        && next.parse::<axum::http::uri::PathAndQuery>().is_ok();
    ok.then_some(next)
}

/// The login page, with the page to come back to.
pub fn login_url(next: Option<&str>) -> String {
    match next.and_then(same_site_next) {
        Some(n) => format!("/login?next={}", super::fmt::percent_encode(n)),
        None => "/login".into(),
    }
}

/// The page a signed-out GET asked for, to come back to after login.
fn come_back_to(parts: &Parts) -> Option<String> {
    let wanted = parts.uri.path_and_query()?.as_str();
    (parts.method == Method::GET)
        .then(|| same_site_next(wanted).map(str::to_owned))
        .flatten()
}

impl IntoResponse for PageRejection {
    fn into_response(self) -> Response {
        match self {
            PageRejection::Login(next) => Redirect::to(&login_url(next.as_deref())).into_response(),
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
        let login = || PageRejection::Login(come_back_to(parts));
        let token = jar
            .get(SESSION_COOKIE)
            .map(|c| c.value().to_owned())
            .ok_or_else(login)?;
        state
            .services
            .sessions()
            .find(&token, SessionKind::Web)
            .await
            .map_err(PageRejection::Failed)?
            .map(PageUser)
            .ok_or_else(login)
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
    fn next_is_a_same_site_path_or_nothing() {
        for good in [
            "/devices",
            "/punches?employee=3&from=2026-07-01",
            "/a/%0a/b",
        ] {
            assert_eq!(same_site_next(good), Some(good), "{good}");
        }
        for bad in [
            "/\t/evil.example/phish",
            "/\n/x",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "evil.example",
            "/ space",
            "",
            "/\u{7f}",
            "/é",
        ] {
            assert_eq!(same_site_next(bad), None, "{bad:?}");
        }
        assert_eq!(
            login_url(Some("/punches?employee=3")),
            "/login?next=%2Fpunches%3Femployee%3D3"
        );
        assert_eq!(login_url(Some("/\t/evil")), "/login");
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
