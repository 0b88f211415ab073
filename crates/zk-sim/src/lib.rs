//! A simulator of ZKTeco-compatible time clocks speaking the binary protocol
//! on port 4370, for tests, demos and benchmarks of the client and the app.
//!
//! Each simulated device listens on TCP and UDP on the same port and serves
//! its users and punches like real firmware does (reference §11.3), with
//! faults that can be switched on at run time.
//!
//! Layout by role:
//! - [`spec`] and [`generate`]: what a device holds, and deterministic fake data;
//!   [`workdays`]: punches shaped like real workdays (the demo's attendance).
//! - [`faults`]: the misbehaviours a device can be told to show.
//! - [`wan`]: the simulated link (round trip and throughput cap).
//! - `state` and `store`: what a device knows; compact tables, lazy datasets.
//! - `device` and `answer`: the per-connection state machine (no I/O).
//! - `shared`: what all tasks of one device share (state, faults, listeners).
//! - `tcp`, `udp`: the socket tasks; [`server`]: starts them and hands out handles.
//! - [`push`]: devices that call a server over HTTP instead (ADMS / iclock).

mod answer;
mod care;
mod clock;
mod device;
pub mod error;
pub mod faults;
pub mod generate;
mod live;
pub mod push;
pub mod server;
mod shared;
pub mod spec;
mod state;
mod store;
mod tcp;
mod udp;
pub mod wan;
pub mod workdays;

pub use error::SimError;
pub use faults::Faults;
pub use server::{SimDevice, Simulator};
pub use spec::DeviceSpec;
pub use wan::Wan;
pub use zk_protocol::{Punch, PunchLayout, User, UserLayout};
