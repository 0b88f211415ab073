//! The notifications page: email status, open alerts, report time, the
//! alert rules with their thresholds, and the opt-in device care.

use maud::{html, Markup};

use super::NotifyForm;
use crate::domain::{Alert, NotifySettings};
use crate::service::FieldErrors;
use crate::web::pages::ctx::Ctx;
use crate::web::pages::fmt;
use crate::web::pages::layout::{form_summary, head, Input, Nav};

pub struct Page<'a> {
    pub email_on: bool,
    pub saved: bool,
    pub alerts: &'a [Alert],
    /// The "send a day's reports now" form: the day, what it did, and why
    /// it was refused.
    pub reports: ReportsBox,
}

#[derive(Default)]
pub struct ReportsBox {
    pub date: String,
    pub done: Option<String>,
    pub errors: FieldErrors,
}

fn reports_card(ctx: &Ctx, r: &ReportsBox, email_on: bool) -> Markup {
    html! {
        div.card.w-narrow data-testid="send-reports" {
            h3 { "Send a day's reports now" }
            p.muted { "Each person gets a day's report once; the job sends them at the report time by itself. Tick \"again\" to send to people who already got it." }
            @if let Some(done) = &r.done {
                div.flash.flash-ok role="status" data-testid="reports-result" { (done) }
            }
            form.stack method="post" action="/notifications/reports" novalidate {
                (ctx.csrf())
                (Input::text("date", "Day", &r.date).kind("date").required().render(&r.errors))
                (check("resend", "Send again to people who already got it", &None))
                div.form-actions {
                    button type="submit" data-testid="send-reports-button" disabled[!email_on] { "Send reports" }
                }
            }
        }
    }
}

fn on(b: bool) -> Option<String> {
    b.then(|| "on".to_owned())
}

pub fn form_of(s: &NotifySettings) -> NotifyForm {
    NotifyForm {
        csrf: String::new(),
        report_time: s.report_time.to_string(),
        offline_alert: on(s.offline_alert),
        offline_after_polls: s.offline_after_polls.to_string(),
        drift_alert: on(s.drift_alert),
        drift_threshold_seconds: s.drift_threshold_seconds.to_string(),
        log_full_alert: on(s.log_full_alert),
        log_full_percent: s.log_full_percent.to_string(),
        seat_alert: on(s.seat_alert),
        auto_set_clock: on(s.auto_set_clock),
        auto_rotate_log: on(s.auto_rotate_log),
        auto_rotate_percent: s.auto_rotate_percent.to_string(),
    }
}

fn check(name: &str, label: &str, value: &Option<String>) -> Markup {
    html! {
        div.field {
            label.check {
                input type="checkbox" name=(name) value="on" checked[value.is_some()] data-testid=(format!("f-{name}"));
                span { (label) }
            }
        }
    }
}

/// The open alerts, for this page and the dashboard area.
pub fn alert_list(ctx: &Ctx, alerts: &[Alert]) -> Markup {
    html! {
        @if alerts.is_empty() {
            p.muted data-testid="no-alerts" { "No open alerts: every clock is answering." }
        } @else {
            ul.stack data-testid="open-alerts" {
                @for a in alerts {
                    li data-testid="alert" data-rule=(a.kind.as_str()) data-device-id=[a.device_id.map(|d| d.0)] {
                        strong { (a.kind.as_str().replace('_', " ")) }
                        " since " (fmt::minute(a.opened_at, &ctx.tz)) ": " (a.message)
                        @if let Some(d) = a.device_id { " " a href=(format!("/devices/{d}")) { "Open device" } }
                    }
                }
            }
        }
    }
}

pub fn settings_page(ctx: &Ctx, f: &NotifyForm, errors: &FieldErrors, p: &Page<'_>) -> Markup {
    let body = html! {
        (head(&[("/company", "Company")], "Notifications", Some(html! { a.btn.btn-quiet href="/webhooks" data-testid="webhooks-link" { "Webhooks" } })))
        @if p.saved {
            div.flash.flash-ok role="status" data-testid="action-result" { strong { "Settings saved." } }
        }
        @if !p.email_on {
            div.flash.flash-bad role="status" data-testid="email-off" {
                "Email is off: this service has no mail server configured (smtp_url), so no reports or alerts are mailed. Alerts still show here and go to webhooks."
            }
        }
        div.card {
            h3 { "Open alerts" }
            (alert_list(ctx, p.alerts))
        }
        (reports_card(ctx, &p.reports, p.email_on))
        div.card.w-narrow {
            (form_summary(errors))
            form.stack method="post" action="/notifications" novalidate data-testid="notify-form" {
                (ctx.csrf())
                h3 { "End-of-day report" }
                (Input::text("report_time", "Send reports at (HH:MM, company time)", &f.report_time).required().render(errors))
                h3 { "Alert rules" }
                (check("offline_alert", "A clock goes offline", &f.offline_alert))
                (Input::text("offline_after_polls", "…after this many failed polls in a row", &f.offline_after_polls).numeric().render(errors))
                (check("drift_alert", "A clock's time is off", &f.drift_alert))
                (Input::text("drift_threshold_seconds", "…by more than (seconds)", &f.drift_threshold_seconds).numeric().render(errors))
                (check("log_full_alert", "A clock's log is nearly full", &f.log_full_alert))
                (Input::text("log_full_percent", "…at this percentage of its capacity", &f.log_full_percent).numeric().render(errors))
                (check("seat_alert", "All seats are used, or the account is blocked", &f.seat_alert))
                h3 { "Device care" }
                (check("auto_set_clock", "Set a clock's time by itself when it drifts past the threshold (always written to the audit log)", &f.auto_set_clock))
                (check("auto_rotate_log", "Clear a clock's log by itself once every punch on it is verified as stored", &f.auto_rotate_log))
                (Input::text("auto_rotate_percent", "…when the log is this full (percent)", &f.auto_rotate_percent).numeric().render(errors))
                div.form-actions { button type="submit" data-testid="save-notify" { "Save" } }
            }
        }
    };
    ctx.page("Notifications", Nav::Company, body)
}
