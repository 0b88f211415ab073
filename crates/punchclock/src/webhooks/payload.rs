//! The JSON body of each event: `{id, type, created_at, data}`. Times are
//! UTC (RFC 3339); device wall-clock times are as the device printed them.

use jiff::Timestamp;
use rand::RngCore;
use serde_json::{json, Value};

use crate::domain::{Alert, NewEvent, PunchView, WebhookEvent};

/// A fresh event id (`evt_` and 16 random bytes in hex).
pub fn event_id() -> String {
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    format!("evt_{}", hex::encode(b))
}

fn event(kind: WebhookEvent, ordering_key: String, now: Timestamp, data: Value) -> NewEvent {
    let id = event_id();
    let body = json!({
        "id": id,
        "type": kind.as_str(),
        "created_at": now.to_string(),
        "data": data,
    });
    NewEvent {
        event: kind,
        event_id: id,
        ordering_key,
        payload: body.to_string(),
    }
}

/// Ordering key of a device's events (punches, status, its alerts).
pub fn device_key(device: Option<i64>) -> String {
    match device {
        Some(id) => format!("device:{id}"),
        None => "company".into(),
    }
}

/// `punch.created`.
pub fn punch_created(p: &PunchView, now: Timestamp) -> NewEvent {
    let punch = &p.punch;
    let data = json!({
        "punch_id": punch.id.0,
        "employee_id": punch.employee_id.0,
        "employee_name": p.employee_name,
        "enroll_id": punch.enroll_id,
        "device_id": punch.device_id.map(|d| d.0),
        "device_name": p.device_name,
        "device_serial": punch.device_serial,
        "punched_at": punch.punched_at.to_string(),
        "device_time": punch.device_time.to_string(),
        "status": punch.status,
        "punch_type": punch.punch_type,
        "manual": punch.manual,
        "voided": punch.voided,
    });
    event(
        WebhookEvent::PunchCreated,
        device_key(punch.device_id.map(|d| d.0)),
        now,
        data,
    )
}

/// `alert.opened` or `alert.resolved`.
pub fn alert(kind: WebhookEvent, a: &Alert, device_name: Option<&str>, now: Timestamp) -> NewEvent {
    let data = json!({
        "alert_id": a.id.0,
        "rule": a.kind.as_str(),
        "device_id": a.device_id.map(|d| d.0),
        "device_name": device_name,
        "message": a.message,
        "opened_at": a.opened_at.to_string(),
        "resolved_at": a.resolved_at.map(|t| t.to_string()),
    });
    event(kind, device_key(a.device_id.map(|d| d.0)), now, data)
}

/// `device.offline` or `device.online`, with why.
pub fn device_status(
    kind: WebhookEvent,
    device_id: i64,
    device_name: &str,
    reason: &str,
    now: Timestamp,
) -> NewEvent {
    let data = json!({
        "device_id": device_id,
        "device_name": device_name,
        "reason": reason,
    });
    event(kind, device_key(Some(device_id)), now, data)
}
