//! Server-rendered pages (maud). Every form posts a hidden `_csrf` field
//! that is checked against the session; signup and login, which have no
//! session yet, rely on SameSite cookies plus an Origin check.
//!
//! Routes:
//! - `/` → `/devices` or `/login`
//! - `/signup`, `/login` (GET form, POST submit), `POST /logout`
//! - `/devices` (Manage Devices), `/devices/status.json` (live labels),
//!   `/devices/new`, `/devices/{id}` (details and log), `/devices/{id}/edit`,
//!   `/devices/{id}/delete`, `POST /devices/{id}/test`, `POST /devices/{id}/sync`
//! - `/employees`, `/employees/{id}/edit`
//! - `/punches` (filters and paging)
//! - `/company` (settings)
//! - anything else: a friendly 404 page

mod account;
mod company;
mod device_log;
mod devices;
mod employees;
pub mod fmt;
pub mod layout;
mod plan;
mod punches;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use maud::{html, Markup};

use self::layout::{Chrome, Nav};
use super::auth::{AuthError, PageRejection, PageUser};
use super::AppState;
use crate::billing::{AccountStatus, Standing};
use crate::domain::Company;
use crate::store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/signup", get(account::signup_form).post(account::signup))
        .route("/login", get(account::login_form).post(account::login))
        .route("/logout", post(account::logout))
        .route("/devices", get(devices::list))
        .route("/devices/status.json", get(devices::status_json))
        .route("/devices/new", get(devices::new_form).post(devices::create))
        .route("/devices/{id}", get(device_log::show))
        .route(
            "/devices/{id}/edit",
            get(devices::edit_form).post(devices::update),
        )
        .route(
            "/devices/{id}/delete",
            get(devices::delete_form).post(devices::delete),
        )
        .route("/devices/{id}/test", post(devices::test_connection))
        .route("/devices/{id}/sync", post(devices::sync_now))
        .route("/employees", get(employees::list))
        .route(
            "/employees/{id}/edit",
            get(employees::edit_form).post(employees::update),
        )
        .route("/punches", get(punches::list))
        .route("/company", get(company::form).post(company::update))
        .route("/account", get(plan::show))
        .route("/account/plan", post(plan::change))
        .fallback(not_found)
        .layer(middleware::map_response(security_headers))
}

/// Pages load nothing from elsewhere, run no inline script or style, and
/// may not be framed.
async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
    res
}

/// A signed-in request with its company loaded: what nearly every page needs.
pub struct Ctx {
    pub user: PageUser,
    pub company: Company,
    /// Plan, seats and standing.
    pub account: Standing,
    pub catalog: std::sync::Arc<crate::billing::Catalog>,
    pub tz: TimeZone,
    pub now: Timestamp,
}

impl Ctx {
    pub fn chrome(&self, nav: Nav) -> Chrome<'_> {
        Chrome {
            company_name: &self.company.name,
            email: &self.user.email,
            csrf: &self.user.csrf_token,
            nav,
        }
    }

    /// What a blocked or expired account is told, with the way out; `None`
    /// in good standing.
    pub fn restriction(&self) -> Option<String> {
        let a = &self.account;
        match a.status {
            AccountStatus::Expired => Some(
                "Your trial has ended. Choose a plan to continue; your data is kept and your devices keep syncing."
                    .into(),
            ),
            AccountStatus::Blocked => Some(format!(
                "Your account is blocked: {} employees are active but the {} plan has {}. \
                 Deactivate {} on the Employees page, or move to a bigger plan. Your devices keep syncing.",
                a.active_employees,
                a.plan.name,
                a.plan.seats_label(),
                fmt::plural(a.excess(), "employee", "employees"),
            )),
            AccountStatus::Trial | AccountStatus::Active => None,
        }
    }

    /// Refuse a change while the account is blocked or expired (viewing,
    /// and deactivating employees, stay allowed).
    pub fn require_good_standing(&self) -> Result<(), PageError> {
        match self.restriction() {
            Some(message) => Err(PageError::Restricted(message)),
            None => Ok(()),
        }
    }

    /// A full page in the signed-in frame. A blocked or expired account
    /// sees the blocked screen instead, except on the pages that are its
    /// way out (plan, employees), which carry the account notice.
    pub fn page(&self, title: &str, nav: Nav, body: Markup) -> Markup {
        let notice = self.restriction();
        let body = match notice {
            Some(_) if !matches!(nav, Nav::Account | Nav::Employees) => {
                return layout::page(
                    "Account blocked",
                    Some(&self.chrome(nav)),
                    plan::blocked_screen(self),
                );
            }
            Some(n) if nav == Nav::Employees => html! {
                div.flash.flash-bad role="status" data-testid="account-notice" {
                    (n) " " a href="/account" { "See the ways out" }
                }
                (body)
            },
            _ => body,
        };
        layout::page(title, Some(&self.chrome(nav)), body)
    }

    pub fn csrf(&self) -> Markup {
        layout::csrf_field(&self.user.csrf_token)
    }

    /// Refuse a form whose `_csrf` is not this session's.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), PageError> {
        super::auth::check_csrf(&self.user, submitted).map_err(PageError::from)
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let user = PageUser::from_request_parts(parts, state)
            .await
            .map_err(|r| match r {
                PageRejection::Login => PageError::Login,
                PageRejection::Failed(e) => PageError::Store(e),
            })?;
        let company = match state.store.get_company(user.company_id).await {
            Ok(c) => c,
            // The company is gone: the session is meaningless.
            Err(StoreError::NotFound) => return Err(PageError::Login),
            Err(e) => return Err(PageError::Store(e)),
        };
        let account = state.billing.standing_of(&company).await?;
        let tz = company.timezone.tz().clone();
        Ok(Ctx {
            user,
            company,
            account,
            catalog: state.billing.shared_catalog(),
            tz,
            now: state.clock.now(),
        })
    }
}

/// Why a page could not be shown.
#[derive(Debug)]
pub enum PageError {
    /// Not signed in (or the session expired): go to the login page.
    Login,
    NotFound,
    /// A form whose CSRF token does not match.
    Forbidden(String),
    /// A change refused while the account is blocked or expired.
    Restricted(String),
    Store(StoreError),
    /// Password hashing failed.
    Hash(String),
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => PageError::NotFound,
            other => PageError::Store(other),
        }
    }
}

impl From<AuthError> for PageError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Store(s) => s.into(),
            AuthError::Unauthenticated => PageError::Login,
            other @ (AuthError::BadCsrf | AuthError::InvalidCredentials) => {
                PageError::Forbidden(other.to_string())
            }
            AuthError::Hash(h) => PageError::Hash(h),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::Login => Redirect::to("/login").into_response(),
            PageError::NotFound => not_found_page(),
            PageError::Forbidden(message) => {
                message_page(StatusCode::FORBIDDEN, "Please try again", &message)
            }
            PageError::Restricted(message) => {
                let body = html! {
                    div.not-found data-testid="account-blocked" {
                        h1 { "Your account needs attention" }
                        p { (message) }
                        p.actions.center {
                            a.btn href="/account" { "Upgrade" }
                            a.btn.btn-quiet href="/employees" { "Deactivate employees" }
                        }
                    }
                };
                (
                    StatusCode::PAYMENT_REQUIRED,
                    layout::page("Account blocked", None, body),
                )
                    .into_response()
            }
            PageError::Store(e) => internal_error(&e),
            PageError::Hash(e) => internal_error(&e),
        }
    }
}

fn internal_error(e: &dyn std::fmt::Display) -> Response {
    tracing::error!("page failed: {e}");
    message_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "Something went wrong on our side. Please try again in a moment.",
    )
}

pub type PageResult<T = Response> = Result<T, PageError>;

fn message_page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = html! {
        div.not-found {
            h1 { (title) }
            p.muted { (message) }
            p { a.btn href="/" { "Go to the start page" } }
        }
    };
    (status, layout::page(title, None, body)).into_response()
}

fn not_found_page() -> Response {
    let body = html! {
        div.not-found data-testid="not-found" {
            div.big { "404" }
            h1 { "This page does not exist" }
            p.muted { "The link may be old, or the device or employee may have been deleted." }
            p.actions.center {
                a.btn href="/devices" { "Go to your devices" }
            }
        }
    };
    (
        StatusCode::NOT_FOUND,
        layout::page("Page not found", None, body),
    )
        .into_response()
}

async fn not_found() -> Response {
    not_found_page()
}

/// `/`: the devices for a signed-in browser, else the login page.
async fn home(user: Result<PageUser, PageRejection>) -> Redirect {
    match user {
        Ok(_) => Redirect::to("/devices"),
        Err(_) => Redirect::to("/login"),
    }
}

/// A numeric id from the path; anything else is a 404, not a 400.
pub fn path_id(raw: &str) -> PageResult<i64> {
    raw.parse().map_err(|_| PageError::NotFound)
}

/// Redirect after a successful POST (303, so the browser GETs).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
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
mod tests;
