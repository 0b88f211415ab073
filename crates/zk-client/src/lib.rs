//! Async client for ZKTeco-compatible time clocks (port 4370, TCP or UDP).
//!
//! The protocol itself lives in the sans-I/O `zk-protocol` crate; this crate
//! adds sockets, timeouts, retries and the order of requests.
//!
//! ```no_run
//! # async fn demo() -> Result<(), zk_client::ClientError> {
//! use zk_client::{ClientOptions, ZkClient};
//! let mut c = ZkClient::connect("clock.example.com", 4370, &ClientOptions::default()).await?;
//! let punches = c.punches().await?;
//! c.close().await?;
//! # Ok(()) }
//! ```

mod backoff;
mod bulk;
mod care;
mod client;
mod error;
mod events;
mod info;
mod options;
mod pace;
mod park;
mod punch_batches;
mod resolve;
mod traffic;
mod transport;

pub use backoff::Backoff;
pub use care::{Cleared, InvalidUser, UserRecord};
pub use client::ZkClient;
pub use error::ClientError;
pub use info::DeviceInfo;
pub use options::{ClientOptions, TransportChoice};
pub use punch_batches::PunchBatches;
pub use resolve::resolve;
pub use traffic::{Traffic, TrafficMeter};
pub use zk_protocol::event::LiveAttendance;
pub use zk_protocol::{
    DeviceTime, FreeSizes, NameEncoding, Punch, PunchLayout, Transport, User, UserLayout,
};
