//! Simulated clocks that call the server over HTTP (ADMS / iclock push,
//! issue 13 §4), built on `zk_protocol::push`.
//!
//! Each device is one task: handshake (which sets its clock from `Date`
//! and `TimeZone`), upload ATTLOG and OPERLOG `USER` records in `Realtime`
//! or `TransInterval` style, poll `getrequest` every `Delay`, run the
//! commands and answer `devicecmd`. Anything not acknowledged with 200 and
//! `OK` is sent again after `ErrorDelay`. All devices share one HTTP
//! connection pool, so thousands fit in one process.
//!
//! - [`spec`]: what a device is; protocol time scale for tests.
//! - `state`, `clock`: what it holds and still has to send.
//! - `run`, `commands`, `http`: its life, its commands, its requests.
//! - [`fleet`]: starting devices and handles on them.
//! - [`load`]: steady punch load for benchmarks.

mod clock;
mod commands;
pub mod fleet;
mod http;
pub mod load;
mod run;
pub mod spec;
mod state;

pub use fleet::{PushDevice, PushFleet, StartError};
pub use load::punch_steadily;
pub use spec::{PushOptions, PushSpec, PushUser};
pub use state::PushStats;
