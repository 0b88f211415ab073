//! Mail: SMTP through `lettre`, fed by the outbox in the store.
//!
//! - [`settings`]: `smtp_url` and `mail_from` parsed once; without them
//!   mail is off and nothing is queued.
//! - [`compose`]: a rendered mail for the outbox (Message-ID, unsubscribe
//!   link), shared by whoever queues mail.
//! - [`report`]: the words of the end-of-day report and the owners'
//!   daily summary (a computed attendance day in, a draft out).
//! - [`smtp`]: one message over SMTP, and what the server's answer means
//!   (sent, try again, bounced).
//! - [`sender`]: the background job: lease due mail, send, mark.
//!
//! Delivery is at least once, made as close to exactly once as SMTP
//! allows: a row is leased before sending and marked sent right after the
//! server's 250. The one window left is a crash between that 250 and the
//! commit of "sent": the lease then runs out and the mail goes again with
//! the same Message-ID, which mail systems use to drop the copy.

pub mod compose;
pub mod report;
pub mod reset;
pub mod sender;
pub mod settings;
pub mod signup;
pub mod smtp;

pub use compose::Composer;
pub use settings::{MailSettings, MailSettingsError};
