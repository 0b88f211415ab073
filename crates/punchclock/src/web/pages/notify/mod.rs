//! Notifications: report time, alert rules and device care
//! (`/notifications`), webhooks (`/webhooks`, `/webhooks/{id}` with every
//! delivery and a Resend button), and the unsubscribe link from mail
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
    let page = view::Page {
        email_on: s.mail_enabled(),
        saved: q.saved.is_some(),
        alerts: &alerts,
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
            };
            let body = view::settings_page(&ctx, &f, &errors, &page);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
