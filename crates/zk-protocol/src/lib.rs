//! The ZKTeco "standalone" protocol spoken by time clocks on port 4370.
//!
//! This crate does no I/O. Bytes (and, where timing matters, `now`) go in;
//! decoded values, events and bytes to send come out. Every decoder accepts
//! arbitrary input and answers with a [`ProtocolError`] rather than panicking,
//! because device replies are never trusted.
//!
//! Layout by role:
//! - [`checksum`], [`packet`], [`command`]: framing on UDP and TCP.
//! - [`commkey`]: the comm-key (communication password) handshake.
//! - [`time`]: packed device time and the 6-byte event time.
//! - [`records`]: user and attendance records, with size detection.
//! - [`names`]: user names in the device's code page (UTF-8, CP1252, GBK, …).
//! - [`verify`]: the verification method of a punch, by name.
//! - [`sizes`], [`options`]: GET_FREE_SIZES and OPTIONS_RRQ.
//! - [`buffer`]: the buffered bulk read (1503/1504/1502).
//! - [`event`]: live events (REG_EVENT / EF_ATTLOG).
//! - [`exchange`]: collecting one command's answer, matched by reply id.
//! - [`session`]: the client side of a session (ids, handshake, requests).
//! - [`push`]: the HTTP push protocol (ADMS / iclock), also without I/O.

pub mod buffer;
pub mod checksum;
pub mod command;
pub mod commkey;
pub mod error;
pub mod event;
pub mod exchange;
pub mod names;
pub mod options;
pub mod packet;
pub mod push;
pub mod records;
pub mod session;
pub mod sizes;
pub mod time;
pub mod verify;

pub use error::ProtocolError;
pub use names::{DeviceLanguage, NameDecoding, NameEncoding};
pub use packet::{Packet, TcpDeframer, Transport};
pub use records::{Punch, PunchLayout, User, UserLayout};
pub use sizes::FreeSizes;
pub use time::DeviceTime;
pub use verify::VerifyMethod;

/// The default port of ZK devices.
pub const DEFAULT_PORT: u16 = 4370;
