//! The service layer: every operation the pages and the API offer, once.
//!
//! An operation takes the [`Caller`] (company and account) and typed input
//! (domain newtypes, parsed by the `*Input` types here), and returns typed
//! output or a [`ServiceError`]. It scopes every query to the caller's
//! company, enforces the account's standing, and tells billing what it must
//! know. The web layer only parses requests and renders answers.
//!
//! Layers: `web` → `service` → `store`, `sync`, `billing` → `domain`.
//! One file (or folder) per concept; each adds its accessor to
//! [`Services`]: `services.devices().create(&caller, settings)`.

pub mod account;
pub mod alerts;
pub mod attendance;
pub mod company;
pub mod company_rules;
pub mod corrections;
pub mod dashboard;
pub mod device_care;
pub mod device_logs;
pub mod devices;
pub mod employees;
mod error;
pub mod fields;
pub mod health;
pub mod holidays;
pub mod leave;
pub mod mail_links;
pub mod notify;
pub mod plan;
pub mod punches;
pub mod reports;
mod services;
pub mod sessions;
pub mod shifts;
pub mod throttle;
pub mod webhooks;
pub mod zone;

pub use error::{Conflict, ServiceError, ServiceResult};
pub use fields::FieldErrors;
pub use services::{Caller, PushSetup, Services, Settings};

#[cfg(test)]
mod tests;
