//! Notifications: report time, alert rules and device care
//! (`/notifications`), webhooks (`/webhooks`, `/webhooks/{id}` with every
//! delivery and a Resend button), "Send reports" for a day
//! (`POST /notifications/reports`), and the unsubscribe link from mail
//! (`/unsubscribe/{token}`, no login).

mod unsubscribe;
mod view;
mod webhooks;

pub use unsubscribe::{unsubscribe_form, unsubscribe_post};
pub use webhooks::{webhook_create, webhook_delete, webhook_page, webhook_resend, webhooks_page};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Form;
use maud::Markup;
use serde::Deserialize;

use super::ctx::Ctx;
use super::error::{see_other, PageResult};
use crate::service::notify::NotifyInput;
use crate::service::{FieldErrors, ServiceError};
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
    /// After "Send reports": the day and how many mails were queued.
    #[serde(default)]
    reports_day: Option<String>,
    #[serde(default)]
    reports_queued: Option<u64>,
}

/// The "send a day's reports now" form.
#[derive(Deserialize, Default)]
pub struct ReportsForm {
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub resend: Option<String>,
}

/// The settings form as posted (unchecked boxes are absent).
#[derive(Deserialize, Default, Clone)]
pub struct NotifyForm {
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
    #[serde(default)]
    pub report_time: String,
    #[serde(default)]
    pub offline_alert: Option<String>,
    #[serde(default)]
    pub offline_after_polls: String,
    #[serde(default)]
    pub drift_alert: Option<String>,
    #[serde(default)]
    pub drift_threshold_seconds: String,
    #[serde(default)]
    pub log_full_alert: Option<String>,
    #[serde(default)]
    pub log_full_percent: String,
    #[serde(default)]
    pub seat_alert: Option<String>,
    #[serde(default)]
    pub auto_set_clock: Option<String>,
    #[serde(default)]
    pub auto_rotate_log: Option<String>,
    #[serde(default)]
    pub auto_rotate_percent: String,
}

impl NotifyForm {
    fn input(&self) -> NotifyInput {
        NotifyInput {
            report_time: Some(self.report_time.clone()),
            offline_alert: Some(self.offline_alert.is_some()),
            offline_after_polls: Some(self.offline_after_polls.clone()),
            drift_alert: Some(self.drift_alert.is_some()),
            drift_threshold_seconds: Some(self.drift_threshold_seconds.clone()),
            log_full_alert: Some(self.log_full_alert.is_some()),
            log_full_percent: Some(self.log_full_percent.clone()),
            seat_alert: Some(self.seat_alert.is_some()),
            auto_set_clock: Some(self.auto_set_clock.is_some()),
            auto_rotate_log: Some(self.auto_rotate_log.is_some()),
            auto_rotate_percent: Some(self.auto_rotate_percent.clone()),
        }
    }
}

/// `GET /notifications`
pub async fn settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> PageResult<Markup> {
    let s = &state.services;
    let settings = s.notify().get(ctx.caller()).await?;
    let alerts = s.alerts().open(ctx.caller()).await?;
    let f = view::form_of(&settings);
    let today = s.now().to_zoned(ctx.tz.clone()).date();
    let reports = view::ReportsBox {
        date: q.reports_day.clone().unwrap_or_else(|| today.to_string()),
        done: q.reports_day.as_ref().map(|day| {
            let n = q.reports_queued.unwrap_or(0);
            format!(
                "Reports for {day}: {n} queued to send (people who already had it were skipped)."
            )
        }),
        errors: FieldErrors::default(),
    };
    let page = view::Page {
        email_on: s.mail_enabled(),
        saved: q.saved.is_some(),
        alerts: &alerts,
        reports,
    };
    Ok(view::settings_page(
        &ctx,
        &f,
        &FieldErrors::default(),
        &page,
    ))
}

/// `POST /notifications`
pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<NotifyForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    let s = &state.services;
    match s.notify().update(ctx.caller(), &f.input()).await {
        Ok(_) => Ok(see_other("/notifications?saved=1")),
        Err(ServiceError::Invalid(errors)) => {
            let alerts = s.alerts().open(ctx.caller()).await?;
            let page = view::Page {
                email_on: s.mail_enabled(),
                saved: false,
                alerts: &alerts,
                reports: view::ReportsBox::default(),
            };
            let body = view::settings_page(&ctx, &f, &errors, &page);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /notifications/reports`: sends a day's reports now.
pub async fn send_reports(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<ReportsForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    let s = &state.services;
    let date = f.date.trim().parse::<jiff::civil::Date>();
    let result = match date {
        Ok(date) => {
            s.reports()
                .send_day(ctx.caller(), date, f.resend.is_some())
                .await
        }
        Err(_) => Err(ServiceError::field("date", "Use a date like 2026-03-02.")),
    };
    let errors = match result {
        Ok(run) => {
            return Ok(see_other(&format!(
                "/notifications?reports_day={}&reports_queued={}",
                run.date, run.queued
            )))
        }
        Err(ServiceError::Invalid(errors)) => errors,
        Err(ServiceError::Conflict(c)) => FieldErrors::one("date", c.message),
        Err(e) => return Err(e.into()),
    };
    let settings = s.notify().get(ctx.caller()).await?;
    let alerts = s.alerts().open(ctx.caller()).await?;
    let page = view::Page {
        email_on: s.mail_enabled(),
        saved: false,
        alerts: &alerts,
        reports: view::ReportsBox {
            date: f.date.clone(),
            done: None,
            errors,
        },
    };
    let body = view::settings_page(
        &ctx,
        &view::form_of(&settings),
        &FieldErrors::default(),
        &page,
    );
    Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
}
