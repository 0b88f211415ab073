//! People who log in to the web app, and their sessions.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::CompanyId;

id_type!(
    /// Id of a login account (not a device user; those are employees).
    AccountId
);
id_type!(
    /// Id of a session row.
    SessionId
);

text_enum!(
    /// What an account may do within its company.
    Role {
        Owner => "owner",
    }
);

text_enum!(
    /// Browser session (cookie + CSRF) or API token.
    SessionKind {
        Web => "web",
        Api => "api",
    }
);

/// A login account. The password hash is deliberately not part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    pub company_id: CompanyId,
    /// Always lowercase.
    pub email: String,
    pub role: Role,
    pub created_at: Timestamp,
    /// Whether the owner opened the link mailed at sign-up (always, for
    /// sign-ups made while mail was off); unconfirmed accounts cannot log in.
    pub confirmed: bool,
}

/// What a login attempt needs: the account and its argon2 PHC hash.
#[derive(Clone, PartialEq, Eq)]
pub struct AccountLogin {
    pub account: Account,
    pub password_hash: String,
}

impl std::fmt::Debug for AccountLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountLogin")
            .field("account", &self.account)
            .field("password_hash", &"<redacted>")
            .finish()
    }
}

/// A session. Only the hash of its token is stored; the token itself is
/// handed out once by `Store::create_session`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: SessionId,
    pub account_id: AccountId,
    pub company_id: CompanyId,
    pub kind: SessionKind,
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// Last used (at most a minute stale); idle expiry counts from here.
    pub last_seen_at: Timestamp,
}
