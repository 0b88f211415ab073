//! Server-rendered pages (maud). Every form posts a hidden `_csrf` field
//! that is checked against the session; signup and login, which have no
//! session yet, rely on SameSite cookies plus an Origin check.
//!
//! Each concept has a folder: `mod.rs` holds the handlers, which load with
//! a service call and hand the result to a template function in the files
//! beside it. Shared: [`ctx`] (the signed-in request), [`error`],
//! [`session`], [`layout`], [`fmt`], [`blocked`], [`pager`],
//! [`when`], [`zone_field`].
//!
//! Routes:
//! - `/` (the dashboard, or → `/login`), `/dashboard/live` (its panels)
//! - `/signup`, `/login` (GET form, POST submit), `POST /logout`
//! - `/account/security` (password change, sessions and tokens with
//!   "Sign out", `POST /logout/everywhere`); `/password/forgot` and
//!   `/password/reset/{token}` (the link a reset mail carries);
//!   `/signup/confirm/{token}` (the link a sign-up mail carries, mail on)
//! - `/devices` (Manage Devices), `/devices/status.json` (live labels),
//!   `/devices/new`, `/devices/{id}` (details and log), `/devices/{id}/edit`,
//!   `/devices/{id}/delete`, `POST /devices/{id}/test`, `POST /devices/{id}/sync`
//! - `/employees`, `/employees/active` (tick several, then (de)activate), `/employees/{id}/edit`
//! - `/punches` (employee search, device and date filters, page size, a
//!   jump to a date, paging); `/punches/new` (add a missing
//!   punch), `/punches/{id}/void` and `/unvoid`, `/corrections` (the log)
//! - `/attendance` (everyone on a day, or `?show=` the people behind a
//!   dashboard figure), `/attendance/employees/{id}` (one
//!   person over a range, with punches and corrections), `/timesheets`,
//!   `/timesheets/{id}`
//! - `/attendance/settings` (rules, default shift, holidays, leave),
//!   `/shifts/new`, `/shifts/{id}/edit`, `/shifts/{id}/delete`,
//!   `POST /holidays`, `/holidays/{id}/delete`, `/leave`, `/leave/{id}/delete`
//! - `/company` (settings), `/account` (plan and seats)
//! - `/notifications` (report time, alert rules, device care, open alerts),
//!   `/webhooks`, `/webhooks/{id}` (deliveries, Resend), `/unsubscribe/{token}`
//! - anything else: a friendly 404 page

mod account;
pub mod attendance;
mod attendance_settings;
pub mod blocked;
mod company;
mod corrections;
pub mod ctx;
mod dashboard;
mod device_log;
mod devices;
mod employees;
pub mod error;
pub mod exports;
pub mod fmt;
pub mod layout;
mod notify;
pub mod pager;
mod plan;
mod punches;
mod security;
pub mod session;
mod timesheets;
pub mod when;
pub mod zone_field;

use axum::http::{header, HeaderValue};
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use super::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::home))
        .route("/dashboard/live", get(dashboard::live))
        .route("/signup", get(account::signup_form).post(account::signup))
        .route("/login", get(account::login_form).post(account::login))
        .route("/logout", post(account::logout))
        .route("/logout/everywhere", post(security::logout_everywhere))
        .route("/account/security", get(security::show))
        .route("/account/password", post(security::change_password))
        .route("/account/sessions/{id}/revoke", post(security::revoke))
        .route(
            "/signup/confirm/{token}",
            get(account::confirm::confirm_form).post(account::confirm::confirm),
        )
        .route(
            "/password/forgot",
            get(account::recovery::forgot_form).post(account::recovery::forgot),
        )
        .route(
            "/password/reset/{token}",
            get(account::recovery::reset_form).post(account::recovery::reset),
        )
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
        .route("/devices/{id}/set-clock", post(device_log::set_clock))
        .route("/devices/{id}/rotate-log", post(device_log::rotate_log))
        .route("/employees", get(employees::list))
        .route("/employees/active", post(employees::set_active))
        .route(
            "/employees/{id}/edit",
            get(employees::edit_form).post(employees::update),
        )
        .route("/punches", get(punches::list))
        .route("/punches/export", get(exports::punches))
        .route(
            "/punches/new",
            get(corrections::add_form).post(corrections::add),
        )
        .route(
            "/punches/{id}/void",
            get(corrections::void_form).post(corrections::void),
        )
        .route(
            "/punches/{id}/unvoid",
            get(corrections::void_form).post(corrections::unvoid),
        )
        .route("/corrections", get(corrections::log))
        .merge(attendance_routes())
        .route("/company", get(company::form).post(company::update))
        .route("/account", get(plan::show))
        .route("/notifications", get(notify::settings).post(notify::save))
        .route("/notifications/reports", post(notify::send_reports))
        .route(
            "/webhooks",
            get(notify::webhooks_page).post(notify::webhook_create),
        )
        .route("/webhooks/{id}", get(notify::webhook_page))
        .route("/webhooks/{id}/delete", post(notify::webhook_delete))
        .route(
            "/webhooks/{id}/deliveries/{delivery}/resend",
            post(notify::webhook_resend),
        )
        .route(
            "/unsubscribe/{token}",
            get(notify::unsubscribe_form).post(notify::unsubscribe_post),
        )
        .route("/account/plan", get(plan::confirm).post(plan::change))
        .fallback(not_found)
        .layer(middleware::map_response(security_headers))
}

/// Attendance, timesheets and their settings.
fn attendance_routes() -> Router<AppState> {
    use attendance_settings as settings;
    Router::new()
        .route("/attendance", get(attendance::day))
        .route("/attendance/export", get(exports::attendance))
        .route("/attendance/employees/{id}", get(attendance::person))
        .route("/timesheets", get(timesheets::summary))
        .route("/timesheets/export", get(exports::timesheets))
        .route("/timesheets/{id}", get(timesheets::person))
        .route(
            "/attendance/settings",
            get(settings::show).post(settings::save_rules),
        )
        .route(
            "/shifts/new",
            get(settings::new_shift).post(settings::create_shift),
        )
        .route(
            "/shifts/{id}/edit",
            get(settings::edit_shift).post(settings::update_shift),
        )
        .route("/shifts/{id}/delete", post(settings::delete_shift))
        .route("/holidays", post(settings::add_holiday))
        .route("/holidays/{id}/delete", post(settings::delete_holiday))
        .route("/leave", post(settings::add_leave))
        .route("/leave/{id}/delete", post(settings::delete_leave))
}

/// Pages load nothing from elsewhere, run no inline script or style, and
/// may not be framed; they show company data, so no browser keeps them
/// (Back after logout shows nothing).
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
        (header::CACHE_CONTROL, "no-store"),
    ] {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
    res
}

async fn not_found() -> Response {
    error::not_found_page()
}

#[cfg(test)]
mod tests;
