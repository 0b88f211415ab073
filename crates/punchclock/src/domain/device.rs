//! Time clocks (devices) and what the poller needs to reach them.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{CompanyId, NameSetting, PollFailure, UnknownZone, Zone};

id_type!(
    /// Id of a configured device. Punches are keyed by the device serial,
    /// not by this id, so deleting and re-adding a device is harmless.
    DeviceId
);

text_enum!(
    /// How to talk to the device; `Auto` lets the client pick.
    Transport {
        Auto => "auto",
        Tcp => "tcp",
        Udp => "udp",
    }
);

text_enum!(
    /// How the device is reached: we poll it (port forwarding to its port
    /// 4370), or it calls us over HTTP (ADMS / iclock push). Punches and
    /// employees are the same in both modes, so switching keeps them.
    DeviceMode {
        Poll => "poll",
        Push => "push",
    }
);

text_enum!(
    /// Result of the most recent contact attempt.
    DeviceStatus {
        Pending => "pending",
        Online => "online",
        Offline => "offline",
    }
);

/// What the device reported about itself. Every field is optional because
/// older firmware does not answer every query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub serial_number: Option<String>,
    pub device_name: Option<String>,
    pub platform: Option<String>,
    pub firmware: Option<String>,
    pub mac: Option<String>,
    pub user_count: Option<u32>,
    pub punch_count: Option<u32>,
    pub user_capacity: Option<u32>,
    pub punch_capacity: Option<u32>,
    /// Device clock minus server clock, in seconds.
    pub clock_drift_seconds: Option<i64>,
}

/// A configured device as shown to users. It never carries the comm key;
/// use `Store::device_poll_target` for that.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub id: DeviceId,
    pub company_id: CompanyId,
    pub name: String,
    pub host: String,
    pub port: u16,
    pub has_comm_key: bool,
    pub transport: Transport,
    /// Overrides the company time zone when set.
    pub timezone: Option<Zone>,
    pub enabled: bool,
    /// Overrides the company poll interval when set.
    pub poll_interval_minutes: Option<u32>,
    pub info: DeviceInfo,
    pub status: DeviceStatus,
    pub last_attempt_at: Option<Timestamp>,
    /// Last successful contact.
    pub last_seen_at: Option<Timestamp>,
    pub last_error: Option<String>,
    /// The code of `last_error` (none on errors stored before codes were).
    pub last_error_code: Option<PollFailure>,
    pub next_poll_at: Timestamp,
    /// The first successful full pull of users and punches is done.
    pub history_pulled: bool,
    /// Instance currently polling the device, if its lease is live.
    pub lease_owner: Option<String>,
    pub lease_until: Option<Timestamp>,
    pub created_at: Timestamp,
    pub mode: DeviceMode,
    /// Push mode's side: serial, source address, last call.
    pub push: PushLink,
    /// The code page of the names it stores (`auto`: its language's, else CP1252).
    pub name_encoding: NameSetting,
    /// Real-time capture is on: a live connection besides the polls.
    pub realtime: bool,
    /// How that connection stands (`None` until tried, or when off).
    pub live_state: Option<super::LiveState>,
}

/// What push mode knows about a device (kept when it is switched to poll).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushLink {
    /// The serial number claimed by this company (upper case).
    pub serial: Option<String>,
    /// Where its requests come from.
    pub source_address: Option<String>,
    /// With `lock_source`, an address refused until the owner accepts it.
    pub pending_source_address: Option<String>,
    /// Refuse requests from any address but `source_address`.
    pub lock_source: bool,
    /// Its last request of any kind.
    pub last_seen: Option<Timestamp>,
    /// Its last handshake (the first one turns "Waiting" into "Connected").
    pub handshake_at: Option<Timestamp>,
    /// The `Delay` it was last told; "online" means it called within 3×.
    pub delay_seconds: Option<u32>,
    pub push_version: Option<String>,
    /// A pushcommkey or registry key is bound to it.
    pub has_key: bool,
}

impl Device {
    /// The serial punches are keyed by: the claimed one, else the one the
    /// device reported when polled.
    pub fn serial_number(&self) -> Option<&str> {
        self.push
            .serial
            .as_deref()
            .or(self.info.serial_number.as_deref())
    }
}

/// Input for adding a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDevice {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub comm_key: Option<u32>,
    pub transport: Transport,
    pub timezone: Option<Zone>,
    pub enabled: bool,
    pub poll_interval_minutes: Option<u32>,
    pub mode: DeviceMode,
    /// Required in push mode: the serial it calls with.
    pub push_serial: Option<String>,
}

/// What to do with the stored comm key on update; the edit form never
/// shows the key, so "leave it alone" must be expressible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommKeyUpdate {
    Keep,
    Set(u32),
    Clear,
}

/// Editable device settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceUpdate {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub transport: Transport,
    pub timezone: Option<Zone>,
    pub enabled: bool,
    pub poll_interval_minutes: Option<u32>,
    pub comm_key: CommKeyUpdate,
    pub mode: DeviceMode,
    pub push_serial: Option<String>,
    pub lock_source: bool,
}

/// Everything the poller needs to contact one device, including the
/// secret comm key. `Debug` redacts the key.
#[derive(Clone, PartialEq, Eq)]
pub struct PollTarget {
    pub device_id: DeviceId,
    pub company_id: CompanyId,
    pub name: String,
    pub host: String,
    pub port: u16,
    pub comm_key: Option<u32>,
    pub transport: Transport,
    /// Device time zone, or the company's when the device has none. A
    /// stored name that is no longer a known zone is kept as the error, so
    /// the poll fails with that reason instead of guessing UTC.
    pub timezone: Result<Zone, UnknownZone>,
    pub history_pulled: bool,
    pub serial_number: Option<String>,
    /// Device override, or the company setting.
    pub poll_interval_minutes: u32,
    /// How to read the names it stores.
    pub name_encoding: NameSetting,
    /// What the last successful sync found, to skip or shorten the next
    /// download; `None` until a sync under incremental polling.
    pub mark: Option<super::SyncMark>,
    /// Whether the company opted into automatic device care (setting the
    /// clock, rotating the log) when the device was leased. When it did
    /// not, nothing runs under the lease after a poll is recorded, so the
    /// recording gives the lease back in the same statement.
    pub care_opted_in: bool,
}

impl std::fmt::Debug for PollTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PollTarget")
            .field("device_id", &self.device_id)
            .field("company_id", &self.company_id)
            .field("name", &self.name)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("comm_key", &self.comm_key.map(|_| "<redacted>"))
            .field("transport", &self.transport)
            .field("timezone", &self.timezone)
            .field("history_pulled", &self.history_pulled)
            .field("serial_number", &self.serial_number)
            .field("poll_interval_minutes", &self.poll_interval_minutes)
            .field("mark", &self.mark)
            .field("care_opted_in", &self.care_opted_in)
            .finish()
    }
}
