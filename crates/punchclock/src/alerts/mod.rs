//! Device health alerts.
//!
//! - [`rules`]: which conditions hold for a device or company, with
//!   hysteresis (a rule opens at its threshold and clears only clearly
//!   below it, or on the next success). Pure: facts in, conditions out.
//! - [`message`]: the mails that tell owners, and the webhook events.
//! - [`watch`]: the background job that compares the conditions with the
//!   open alerts and opens or resolves them.

pub mod message;
pub mod rules;
pub mod watch;

pub use watch::AlertWatch;
