//! Polls: what one contact with a device produced (recorded atomically by
//! `Store::record_poll`), and why one failed.

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
    /// The name exactly as the device stored it (empty when unknown), kept
    /// so it can be decoded again when the device's encoding setting changes.
    pub name_bytes: Vec<u8>,
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

text_enum!(
    /// Why a poll failed (or, for `UnreadableRecords`, what went wrong in
    /// one that succeeded), as a stable code stored beside the plain-words
    /// message: alerts, metrics and "offline because …" group by it.
    PollFailure {
        /// The host name did not resolve.
        Dns => "dns",
        /// Nothing listens at the address (port forwarding, device off).
        Refused => "refused",
        /// A protocol step got no answer in time.
        Timeout => "timeout",
        /// The comm key (or a push device's bound key or token) is missing
        /// or wrong.
        Auth => "auth",
        /// Something answered, but not a ZK device.
        NotAZkDevice => "not_a_zk_device",
        /// The device answered but refused a request.
        DeviceRejected => "device_rejected",
        /// The device sent a malformed reply.
        Protocol => "protocol",
        /// The device closed the connection mid-session.
        Closed => "closed",
        /// Any other network error.
        Network => "network",
        /// The host resolves to an address this service does not contact.
        AddressNotAllowed => "address_not_allowed",
        /// The whole attempt ran over its time limit.
        AttemptTimeout => "attempt_timeout",
        /// The device's (or company's) stored time zone is not known.
        UnknownZone => "unknown_zone",
        /// What was read could not be saved.
        Store => "store",
        /// A sync that did not finish: still running, or the service
        /// stopped midway. The batches it stored are kept.
        Interrupted => "interrupted",
        /// Some records on the device could not be read and were skipped.
        UnreadableRecords => "unreadable_records",
        /// A push device has not called within 3× its `Delay`.
        Silent => "silent",
        /// A push request came from an address other than the accepted one
        /// while the device is locked to its source.
        SourceRefused => "source_refused",
        /// A push upload was too large, or a request too frequent.
        TooMuch => "too_much",
    }
);

/// A failure code with its message in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollReason {
    pub code: PollFailure,
    pub message: String,
}

impl PollReason {
    pub fn new(code: PollFailure, message: impl Into<String>) -> Self {
        PollReason {
            code,
            message: message.into(),
        }
    }
}

/// Everything learned in one attempt. A failed attempt carries no users or
/// punches and a `reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollRecord {
    pub kind: LogKind,
    pub started_at: Timestamp,
    pub duration: Duration,
    pub host: String,
    pub address: Option<String>,
    pub transport_used: Option<Transport>,
    pub outcome: Outcome,
    /// Why it failed; on success, a warning worth showing, if any.
    pub reason: Option<PollReason>,
    /// Fields left `None` keep their stored value.
    pub info: Option<DeviceInfo>,
    pub users: Vec<DeviceUser>,
    pub punches: Vec<NewPunch>,
    /// Set when this attempt read the device's complete history; once set
    /// on the device it stays set.
    pub history_pulled: bool,
    /// `None` keeps the device's current schedule.
    pub next_poll_at: Option<Timestamp>,
    /// Full, incremental or unchanged; bytes on the wire; the records
    /// already stored; the mark for the next poll.
    pub sync: super::PollSync,
}

/// Result of `Store::record_poll`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollOutcome {
    pub log: DeviceLog,
    pub punches_new: u32,
    pub employees_new: u32,
    /// Active employees of the company after the sync (for seat checks).
    pub active_employees: u64,
}
