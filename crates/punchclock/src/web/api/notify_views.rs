//! The JSON shapes of notifications: settings, alerts, webhooks and their
//! deliveries. Times in the company's zone, as in `views`.

use jiff::tz::TimeZone;
use serde::Serialize;
use utoipa::ToSchema;

use super::views::instant;
use crate::domain::{Alert, Delivery, DeliveryAttempt, NotifySettings, Webhook};

/// A company's report time, alert rules and device care.
#[derive(Serialize, ToSchema)]
#[schema(as = Notifications)]
pub struct NotifyJson {
    /// Whether this service can send email (SMTP configured).
    pub email_enabled: bool,
    /// "HH:MM" in the company's zone: when end-of-day reports go out.
    pub report_time: String,
    pub offline_alert: bool,
    pub offline_after_polls: u32,
    pub drift_alert: bool,
    pub drift_threshold_seconds: u32,
    pub log_full_alert: bool,
    pub log_full_percent: u32,
    pub seat_alert: bool,
    pub auto_set_clock: bool,
    pub auto_rotate_log: bool,
    pub auto_rotate_percent: u32,
}

impl NotifyJson {
    pub fn new(s: &NotifySettings, email_enabled: bool) -> Self {
        NotifyJson {
            email_enabled,
            report_time: s.report_time.to_string(),
            offline_alert: s.offline_alert,
            offline_after_polls: s.offline_after_polls,
            drift_alert: s.drift_alert,
            drift_threshold_seconds: s.drift_threshold_seconds,
            log_full_alert: s.log_full_alert,
            log_full_percent: s.log_full_percent,
            seat_alert: s.seat_alert,
            auto_set_clock: s.auto_set_clock,
            auto_rotate_log: s.auto_rotate_log,
            auto_rotate_percent: s.auto_rotate_percent,
        }
    }
}

/// A device health alert.
#[derive(Serialize, ToSchema)]
#[schema(as = Alert)]
pub struct AlertJson {
    pub id: i64,
    /// `offline`, `clock_drift`, `log_full` or `seat_limit`.
    pub rule: String,
    /// `open` or `resolved`.
    pub state: String,
    /// `null` for company-wide alerts (seats).
    pub device_id: Option<i64>,
    pub message: String,
    #[schema(format = DateTime)]
    pub opened_at: String,
    pub acknowledged_at: Option<String>,
    pub resolved_at: Option<String>,
}

impl AlertJson {
    pub fn new(a: &Alert, tz: &TimeZone) -> Self {
        AlertJson {
            id: a.id.0,
            rule: a.kind.as_str().into(),
            state: a.state().as_str().into(),
            device_id: a.device_id.map(|d| d.0),
            message: a.message.clone(),
            opened_at: instant(a.opened_at, tz),
            acknowledged_at: a.acknowledged_at.map(|t| instant(t, tz)),
            resolved_at: a.resolved_at.map(|t| instant(t, tz)),
        }
    }
}

/// A webhook endpoint (its secret is shown only when it is added).
#[derive(Serialize, ToSchema)]
#[schema(as = Webhook)]
pub struct WebhookJson {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Only in the answer to POST: the HMAC-SHA256 signing secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl WebhookJson {
    pub fn new(w: &Webhook, tz: &TimeZone, secret: Option<String>) -> Self {
        WebhookJson {
            id: w.id.0,
            url: w.url.clone(),
            events: w.events.iter().map(|e| e.as_str().to_owned()).collect(),
            created_at: instant(w.created_at, tz),
            secret,
        }
    }
}

/// One attempt at a delivery.
#[derive(Serialize, ToSchema)]
#[schema(as = DeliveryAttempt)]
pub struct AttemptJson {
    #[schema(format = DateTime)]
    pub attempted_at: String,
    pub duration_ms: u64,
    /// The HTTP status, when an answer came.
    pub status: Option<u16>,
    pub error: Option<String>,
    /// Sent by hand ("resend").
    pub manual: bool,
}

impl AttemptJson {
    pub fn new(a: &DeliveryAttempt, tz: &TimeZone) -> Self {
        AttemptJson {
            attempted_at: instant(a.attempted_at, tz),
            duration_ms: a.duration_ms,
            status: a.status,
            error: a.error.clone(),
            manual: a.manual,
        }
    }
}

/// One event's delivery to an endpoint, with its attempts.
#[derive(Serialize, ToSchema)]
#[schema(as = Delivery)]
pub struct DeliveryJson {
    pub id: i64,
    pub event: String,
    pub event_id: String,
    /// `pending`, `delivered` or `failed` (24 h of retries over).
    pub state: String,
    pub attempts: u32,
    pub next_attempt_at: Option<String>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    /// The JSON body sent.
    pub payload: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub delivered_at: Option<String>,
    pub attempt_log: Vec<AttemptJson>,
}

impl DeliveryJson {
    pub fn new(d: &Delivery, attempts: &[DeliveryAttempt], tz: &TimeZone) -> Self {
        let pending = d.state == crate::domain::DeliveryState::Pending;
        DeliveryJson {
            id: d.id.0,
            event: d.event.as_str().into(),
            event_id: d.event_id.clone(),
            state: d.state.as_str().into(),
            attempts: d.attempts,
            next_attempt_at: pending.then(|| instant(d.next_attempt_at, tz)),
            last_status: d.last_status,
            last_error: d.last_error.clone(),
            payload: d.payload.clone(),
            created_at: instant(d.created_at, tz),
            delivered_at: d.delivered_at.map(|t| instant(t, tz)),
            attempt_log: attempts.iter().map(|a| AttemptJson::new(a, tz)).collect(),
        }
    }
}

/// What `POST /reports/daily` queued.
#[derive(Serialize, ToSchema)]
#[schema(as = DailyReportRun)]
pub struct ReportRunJson {
    /// The local day reported, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub date: String,
    /// Mails queued now (employee reports and owner summaries).
    pub queued: u64,
    /// Everyone who gets a report for that day (now or before).
    pub recipients: u64,
    /// The day is not final yet; the mails say so.
    pub provisional: bool,
}

impl ReportRunJson {
    pub fn new(r: &crate::service::reports::ReportRun) -> Self {
        ReportRunJson {
            date: r.date.to_string(),
            queued: r.queued,
            recipients: r.recipients as u64,
            provisional: r.provisional,
        }
    }
}
