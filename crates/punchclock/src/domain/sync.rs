//! What one contact with a device produced, recorded atomically by
//! `Store::record_sync`.

use std::time::Duration;

use jiff::{civil, Timestamp};

use super::{DeviceInfo, DeviceLog, LogKind, Outcome, Transport};

/// A user record read from a device. The store keeps `enroll_id` and
/// `name`; the other fields are carried for callers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceUser {
    pub enroll_id: String,
    /// May be empty; an empty name never overwrites a known one.
    pub name: String,
    pub uid: u16,
    pub privilege: u8,
    pub card: u32,
}

/// An attendance record read from a device, with its UTC instant already
/// computed by the caller from the device time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPunch {
    pub enroll_id: String,
    pub device_time: civil::DateTime,
    pub punched_at: Timestamp,
    pub status: u8,
    pub punch_type: u8,
    pub uid: u16,
}

/// Everything learned in one attempt. A failed attempt carries no users or
/// punches and a `reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRecord {
    pub kind: LogKind,
    pub started_at: Timestamp,
    pub duration: Duration,
    pub host: String,
    pub address: Option<String>,
    pub transport_used: Option<Transport>,
    pub outcome: Outcome,
    pub reason: Option<String>,
    /// Fields left `None` keep their stored value.
    pub info: Option<DeviceInfo>,
    pub users: Vec<DeviceUser>,
    pub punches: Vec<NewPunch>,
    /// Set when this attempt read the device's complete history; once set
    /// on the device it stays set.
    pub history_pulled: bool,
    /// `None` keeps the device's current schedule.
    pub next_poll_at: Option<Timestamp>,
}

/// Result of `Store::record_sync`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOutcome {
    pub log: DeviceLog,
    pub punches_new: u32,
    pub employees_new: u32,
    /// Active employees of the company after the sync (for seat checks).
    pub active_employees: u64,
}
