//! Device health alerts: a rule that fired, with when it opened, was
//! acknowledged and resolved.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{AccountId, CompanyId, DeviceId};

id_type!(
    /// Id of an alert.
    AlertId
);

text_enum!(
    /// The rule that fired.
    AlertKind {
        Offline => "offline",
        ClockDrift => "clock_drift",
        LogFull => "log_full",
        SeatLimit => "seat_limit",
    }
);

text_enum!(
    /// Open until the condition clears.
    AlertState {
        Open => "open",
        Resolved => "resolved",
    }
);

/// What an alert is about: one device, or the whole company (seats).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertSubject {
    Device(DeviceId),
    Company,
}

impl AlertSubject {
    /// The stored key: `device:<id>` or `company`.
    pub fn key(self) -> String {
        match self {
            AlertSubject::Device(id) => format!("device:{id}"),
            AlertSubject::Company => "company".into(),
        }
    }

    pub fn device(self) -> Option<DeviceId> {
        match self {
            AlertSubject::Device(id) => Some(id),
            AlertSubject::Company => None,
        }
    }
}

/// A recorded alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub id: AlertId,
    pub company_id: CompanyId,
    pub device_id: Option<DeviceId>,
    pub kind: AlertKind,
    /// In plain words, with the likely cause and what to do.
    pub message: String,
    pub opened_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    pub acknowledged_by: Option<AccountId>,
    pub resolved_at: Option<Timestamp>,
}

impl Alert {
    pub fn state(&self) -> AlertState {
        if self.resolved_at.is_some() {
            AlertState::Resolved
        } else {
            AlertState::Open
        }
    }
}

/// A condition a rule found, to be opened (or kept open) as an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertCondition {
    pub kind: AlertKind,
    pub subject: AlertSubject,
    pub message: String,
}
