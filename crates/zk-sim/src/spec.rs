//! What one simulated device is and holds.

use crate::wan::Wan;
use std::time::Duration;
use zk_protocol::{NameEncoding, Punch, PunchLayout, User, UserLayout};

/// A device to simulate: identity, tables and wire behaviour.
#[derive(Debug, Clone)]
pub struct DeviceSpec {
    pub serial: String,
    pub device_name: String,
    pub platform: String,
    pub firmware: String,
    pub mac: String,
    pub users: Vec<User>,
    pub punches: Vec<Punch>,
    /// Comm key (communication password); `None` = no AUTH needed.
    pub comm_key: Option<u32>,
    /// Pause between frames of a multi-frame answer and after each such answer
    /// (0 = back-to-back like real firmware; pyzk needs a few ms over TCP).
    pub frame_gap: Duration,
    /// GET_FREE_SIZES reply length: 80, 92 (default) or 112.
    pub sizes_len: usize,
    /// `None` = per transport: TCP 72-byte, UDP 28-byte users.
    pub user_layout: Option<UserLayout>,
    /// `None` = per transport: TCP 40-byte, UDP 16-byte punches.
    pub punch_layout: Option<PunchLayout>,
    /// Datasets (prefix included) up to this many bytes answer PREPARE_BUFFER
    /// with inline CMD_DATA; 0 = never. The default stays below 1016 because
    /// pyzk reads that reply over UDP with `recv(1024)`.
    pub inline_limit: usize,
    /// Device clock = host local time + this offset.
    pub clock_offset_secs: i64,
    /// The simulated WAN between the device and its clients.
    pub wan: Wan,
    /// Also serve UDP on the same port. Off, a device costs one descriptor
    /// instead of two (10,000 devices fit a 20,000-descriptor limit).
    pub udp: bool,
    /// Generate a live tap (a punch by a random user, pushed to sessions
    /// registered for events) this often while running; `None` = never.
    pub live_every: Option<Duration>,
    /// The code page user names are stored and served in (older clocks use
    /// their menu language's, e.g. CP1252 or GBK); characters it cannot
    /// store are served as `?`.
    pub name_encoding: NameEncoding,
}

/// The default inline limit (see [`DeviceSpec::inline_limit`]).
pub const DEFAULT_INLINE_LIMIT: usize = 1000;

impl Default for DeviceSpec {
    fn default() -> Self {
        DeviceSpec {
            serial: "SIM0000000000".into(),
            device_name: "SIM-0000".into(),
            platform: "ZEM560_TFT".into(),
            firmware: "Ver 6.60 Apr 28 2015".into(),
            mac: "00:17:61:00:00:00".into(),
            users: Vec::new(),
            punches: Vec::new(),
            comm_key: None,
            frame_gap: Duration::ZERO,
            sizes_len: 92,
            user_layout: None,
            punch_layout: None,
            inline_limit: DEFAULT_INLINE_LIMIT,
            clock_offset_secs: 0,
            wan: Wan::default(),
            udp: true,
            live_every: None,
            name_encoding: NameEncoding::Utf8,
        }
    }
}
