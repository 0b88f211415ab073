//! The ADMS / iclock HTTP push protocol (adms-push.md) as code without I/O:
//! request query strings and bodies in; records, line errors and response
//! bodies out. No HTTP framework types: the app and the simulator wrap
//! these in whatever server or client they use.
//!
//! Layout by role:
//! - [`query`]: which endpoint and request, the device's parameters.
//! - [`handshake`], [`timezone`]: the option block, `TimeZone`, `Date`.
//! - [`attlog`], [`operlog`]: 2.x uploads (punches, users, operations).
//! - [`security`]: 3.x registry, token, config, `rtlog`, `tabledata`.
//! - [`command`], [`results`]: queued commands and their results.
//! - [`device`]: the clock's side (lines it writes, commands it reads).
//! - [`body`]: line-level errors shared by every body parser.
//! - [`text`], [`time`], [`info`], [`reply`]: the small parts.

pub mod attlog;
pub mod body;
pub mod command;
pub mod device;
mod error;
pub mod handshake;
pub mod info;
pub mod operlog;
mod oplog_codes;
pub mod query;
pub mod reply;
pub mod results;
pub mod security;
pub mod text;
pub mod time;
pub mod timezone;
mod user;

pub use attlog::{parse_attlog, AttLog};
pub use body::{LineError, Parsed};
pub use command::{format_batch, Command, CommandBatch, CommandError, CommandId, UserUpdate};
pub use error::PushError;
pub use handshake::{Handshake, Stamps};
pub use info::DeviceInfo;
pub use operlog::{parse_operlog, Biometric, OperLogRecord, Operation};
pub use query::{
    classify, DeviceParams, Endpoint, PushRequest, PushVersion, Query, Request, Serial, Table,
};
pub use results::{parse_results, CommandResult};
pub use security::{parse_rtlog, parse_tabledata, KeyValues, RtLog, SecurityConfig, TableRecord};
pub use timezone::{http_date, TimeZoneOption};
pub use user::{parse_card, UserInfo};
