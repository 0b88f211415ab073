//! What a simulated push device is, and how fast its protocol time runs.

use std::time::Duration;
use zk_protocol::push::AttLog;
use zk_protocol::NameEncoding;

/// A user on a push device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushUser {
    pub pin: String,
    pub name: String,
    pub privilege: u8,
    pub card: Option<u64>,
    pub group: u32,
}

impl PushUser {
    pub fn new(pin: &str, name: &str) -> PushUser {
        PushUser {
            pin: pin.into(),
            name: name.into(),
            privilege: 0,
            card: None,
            group: 1,
        }
    }
}

/// One simulated push device.
#[derive(Debug, Clone)]
pub struct PushSpec {
    pub serial: String,
    pub users: Vec<PushUser>,
    /// Punches already on the device; queued for upload at start, as on a
    /// device that has never reached the server.
    pub punches: Vec<AttLog>,
    /// How names go on the wire; GBK makes the device Chinese-language.
    pub name_encoding: NameEncoding,
    /// `language=`; `None` = 83 for GBK/GB18030, else 69 (English).
    pub language: Option<u16>,
    /// `pushver=`; `None` sends none, like very old firmware.
    pub push_version: Option<String>,
    /// The device's zone until the server's `TimeZone` replaces it.
    pub utc_offset_secs: i32,
    /// How wrong the device clock is until the server sets it.
    pub clock_drift_secs: i64,
}

impl PushSpec {
    pub fn new(serial: &str) -> PushSpec {
        PushSpec {
            serial: serial.into(),
            users: Vec::new(),
            punches: Vec::new(),
            name_encoding: NameEncoding::Utf8,
            language: None,
            push_version: Some("2.4.1".into()),
            utc_offset_secs: 0,
            clock_drift_secs: 0,
        }
    }

    pub(crate) fn language_code(&self) -> u16 {
        self.language.unwrap_or(match self.name_encoding {
            NameEncoding::Gbk | NameEncoding::Gb18030 => 83,
            _ => 69,
        })
    }
}

/// How the simulated devices behave on the wire.
#[derive(Debug, Clone)]
pub struct PushOptions {
    /// How long one protocol second lasts (`Delay`, `ErrorDelay`; a
    /// `TransInterval` minute is 60 of them). Tests shrink it.
    pub second: Duration,
    /// A request without an answer in this time counts as failed and is
    /// retried, like a dropped reply.
    pub request_timeout: Duration,
    /// Most records in one upload.
    pub batch: usize,
    /// Allow a server outside 127.0.0.0/8 and [::1] (never in tests).
    pub allow_non_loopback: bool,
    /// First handshakes are spread evenly over this time, as real devices
    /// do not all start at one instant.
    pub start_spread: Duration,
}

impl Default for PushOptions {
    fn default() -> Self {
        PushOptions {
            second: Duration::from_secs(1),
            request_timeout: Duration::from_secs(10),
            batch: 100,
            allow_non_loopback: false,
            start_spread: Duration::ZERO,
        }
    }
}
