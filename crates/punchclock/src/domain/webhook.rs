//! Webhooks: a company's HTTPS endpoints, and each event's delivery to one.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::CompanyId;

id_type!(
    /// Id of a webhook endpoint.
    WebhookId
);
id_type!(
    /// Id of one event's delivery to one endpoint.
    DeliveryId
);

text_enum!(
    /// What a webhook can be told about.
    WebhookEvent {
        PunchCreated => "punch.created",
        DeviceOffline => "device.offline",
        DeviceOnline => "device.online",
        AlertOpened => "alert.opened",
        AlertResolved => "alert.resolved",
    }
);

text_enum!(
    /// Where a delivery stands: retried until delivered or 24 h passed.
    DeliveryState {
        Pending => "pending",
        Delivered => "delivered",
        Failed => "failed",
    }
);

/// A registered endpoint (its signing secret is never part of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: WebhookId,
    pub company_id: CompanyId,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub created_at: Timestamp,
}

/// An event to deliver to every endpoint of the company that wants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub event: WebhookEvent,
    /// Unique per event; receivers deduplicate by it.
    pub event_id: String,
    /// Deliveries with one key (per endpoint) go out in order.
    pub ordering_key: String,
    /// The JSON body.
    pub payload: String,
}

/// One event's delivery to one endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: DeliveryId,
    pub webhook_id: WebhookId,
    pub event: WebhookEvent,
    pub event_id: String,
    pub ordering_key: String,
    pub payload: String,
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
}

/// A delivery leased to the sender, with where and how to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryJob {
    pub delivery: Delivery,
    pub company_id: CompanyId,
    pub url: String,
    pub secret: String,
    pub give_up_at: Timestamp,
}

/// One attempt at a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    pub attempted_at: Timestamp,
    pub duration_ms: u64,
    /// The HTTP status, when an answer came.
    pub status: Option<u16>,
    pub error: Option<String>,
    /// Sent by hand ("Resend").
    pub manual: bool,
}
