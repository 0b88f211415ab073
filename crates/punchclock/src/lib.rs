//! Punchclock: turns the punches of ZKTeco-compatible time clocks into attendance.
//!
//! - [`domain`]: the concepts (company, device, device log, employee, punch, plan, seat).
//! - [`store`]: the one storage layer, over SQLite or PostgreSQL.
//! - [`billing`]: plans, seats, trial and account blocking.
//! - [`sync`]: the scheduler and the poller that talks to devices.
//! - [`mail`]: SMTP and the outbox sender.
//! - [`alerts`]: device health rules and the job that opens and resolves alerts.
//! - [`webhooks`]: signed event deliveries to companies' endpoints.
//! - [`push`]: answering devices that call us over HTTP (ADMS / iclock).
//! - [`reports`]: the end-of-day report job (over `service`).
//! - [`service`]: every operation of the pages and the API, once.
//! - [`web`]: pages, the JSON API and embedded assets, over `service`.
//! - [`attendance`]: the attendance engine, without I/O (time passed in).
//! - [`telemetry`]: the metrics recorder behind `/metrics`.
//! - [`app`]: wiring it all together; [`config`]: layered configuration;
//!   [`data_dir`]: the private data directory and the secrets key.
//! - [`cli`]: the `punchclock` command line (service, simulator, technician tools).

pub mod alerts;
pub mod app;
pub mod attendance;
pub mod billing;
pub mod cli;
pub mod clock;
pub mod config;
pub mod data_dir;
pub mod demo;
pub mod domain;
pub mod mail;
pub mod push;
pub mod reports;
pub mod service;
pub mod store;
pub mod sync;
pub mod telemetry;
pub mod web;
pub mod webhooks;
