//! Webhooks: events told to a company's HTTPS endpoints.
//!
//! - [`url`]: what an endpoint URL may be (HTTPS, and only public
//!   addresses unless the operator allows others).
//! - [`payload`]: the JSON of each event.
//! - [`sign`]: the HMAC-SHA256 signature and timestamp headers.
//! - [`fanout`]: new punches become `punch.created` events.
//! - [`sender`]: the background job that delivers, retries with backoff
//!   for 24 hours and logs every attempt.

pub mod fanout;
pub mod payload;
pub mod sender;
pub mod sign;
pub mod url;
