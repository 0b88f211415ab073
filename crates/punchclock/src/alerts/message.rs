//! How an alert is told: a mail to each owner who wants alert mail, and
//! webhook events (`alert.opened`/`alert.resolved`, and for the offline
//! rule `device.offline`/`device.online`).

use jiff::Timestamp;
use maud::html;

use crate::domain::{
    AccountId, Alert, AlertKind, MailKind, MailList, NewEvent, NewMail, Recipient, WebhookEvent,
};
use crate::mail::compose::{Composer, Draft};
use crate::webhooks::payload;

/// Whether the alert was opened or resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Opened,
    Resolved,
}

fn title(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::Offline => "offline",
        AlertKind::ClockDrift => "clock is off",
        AlertKind::LogFull => "log nearly full",
        AlertKind::SeatLimit => "seat limit",
    }
}

/// The mail draft for one change of one alert.
pub fn draft(c: &Composer, alert: &Alert, about: &str, change: Change) -> Draft {
    let link = match alert.device_id {
        Some(d) => c.link(&format!("/devices/{d}")),
        None => c.link("/account"),
    };
    let (subject, lead) = match change {
        Change::Opened => (
            format!("Alert: {about}: {}", title(alert.kind)),
            alert.message.clone(),
        ),
        Change::Resolved => (
            format!("Resolved: {about}: {}", title(alert.kind)),
            format!("This is fine again: {}", alert.message),
        ),
    };
    let text = format!("{lead}\n\nDetails: {link}\n");
    let html = html! {
        p { (lead) }
        p { a href=(link) { "Open it in Punchclock" } }
    };
    Draft {
        kind: MailKind::Alert,
        subject,
        text,
        html,
    }
}

/// One mail per recipient, each with its own unsubscribe link.
pub fn mails(
    c: Option<&Composer>,
    alert: &Alert,
    about: &str,
    change: Change,
    to: &[(AccountId, String)],
) -> Vec<NewMail> {
    let Some(c) = c else { return Vec::new() };
    let d = draft(c, alert, about, change);
    to.iter()
        .map(|(id, email)| {
            let who = Recipient::Account(*id);
            c.address(&d, email, who, Some(MailList::Alerts), None)
        })
        .collect()
}

/// The webhook events of one change.
pub fn events(
    alert: &Alert,
    device_name: Option<&str>,
    change: Change,
    now: Timestamp,
) -> Vec<NewEvent> {
    let (kind, status) = match change {
        Change::Opened => (WebhookEvent::AlertOpened, WebhookEvent::DeviceOffline),
        Change::Resolved => (WebhookEvent::AlertResolved, WebhookEvent::DeviceOnline),
    };
    let mut out = Vec::new();
    if let (AlertKind::Offline, Some(d)) = (alert.kind, alert.device_id) {
        let name = device_name.unwrap_or_default();
        out.push(payload::device_status(
            status,
            d.0,
            name,
            &alert.message,
            now,
        ));
    }
    out.push(payload::alert(kind, alert, device_name, now));
    out
}
