//! Mail in the outbox: what is sent, to whom, and how it went.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{AccountId, CompanyId, EmployeeId};

id_type!(
    /// Id of a mail in the outbox.
    MailId
);

text_enum!(
    /// Why a mail is sent.
    MailKind {
        DailyReport => "daily_report",
        DailySummary => "daily_summary",
        Alert => "alert",
        PasswordReset => "password_reset",
        SignupConfirm => "signup_confirm",
        SignupTaken => "signup_taken",
    }
);

text_enum!(
    /// Where a mail stands. `Bounced`: the server refused the address for
    /// good; `Failed`: gave up after every retry.
    MailState {
        Pending => "pending",
        Sent => "sent",
        Bounced => "bounced",
        Failed => "failed",
    }
);

text_enum!(
    /// A kind of mail a person can unsubscribe from.
    MailList {
        DailyReport => "daily_report",
        DailySummary => "daily_summary",
        Alerts => "alerts",
    }
);

/// The person a mail is for, so a bounce is marked on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    Employee(EmployeeId),
    Account(AccountId),
}

/// An unsubscribe link's token (only its hash is stored) and its list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscribe {
    pub list: MailList,
    pub token: String,
    pub url: String,
}

/// A mail to put in the outbox, fully rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    pub kind: MailKind,
    /// At most one mail per key is ever queued (a day's report to one
    /// person); `None` for no such rule.
    pub dedupe_key: Option<String>,
    pub to: String,
    pub recipient: Recipient,
    /// `<…@…>`, fixed now so that a retry carries the same id.
    pub message_id: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub unsubscribe: Option<Unsubscribe>,
}

/// A mail leased to a sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    pub id: MailId,
    pub company_id: CompanyId,
    pub kind: MailKind,
    pub to: String,
    pub recipient: Option<Recipient>,
    pub message_id: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub unsubscribe_url: Option<String>,
    /// Attempts before this one.
    pub attempts: u32,
    pub created_at: Timestamp,
}

/// A mail as listed for people and tests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailRecord {
    pub id: MailId,
    pub kind: MailKind,
    pub to: String,
    pub subject: String,
    pub state: MailState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}
