//! Sessions: a browser's (cookie, with a CSRF token for its forms) or an API
//! token. Only the hash of a token is stored; the token is handed out once.
//! The two kinds are not interchangeable, so a leaked API token cannot drive
//! the pages and a cookie cannot be replayed as a bearer token.

use std::time::Duration;

use super::error::{ServiceError, ServiceResult};
use super::services::{Caller, Services};
use crate::domain::{Account, Role, Session, SessionId, SessionKind};
use crate::store::StoreError;

/// How long a browser stays signed in.
pub const WEB_SESSION_TTL: Duration = Duration::from_secs(14 * 24 * 3600);
/// How long an API token lives.
pub const API_TOKEN_TTL: Duration = Duration::from_secs(90 * 24 * 3600);
/// An API token unused this long ends (integrations call daily or more).
pub const API_TOKEN_IDLE: Duration = Duration::from_secs(30 * 24 * 3600);

/// The account behind a live session.
#[derive(Clone)]
pub struct SignedIn {
    pub caller: Caller,
    pub email: String,
    pub role: Role,
    pub session_id: SessionId,
    /// Per-session token that every page form must echo back.
    pub csrf_token: String,
    /// The session token itself, kept to end the session on logout.
    token: String,
}

impl SignedIn {
    pub fn token(&self) -> &str {
        &self.token
    }

    /// A signed-in user made by hand, for tests of what uses one.
    #[cfg(test)]
    pub fn for_tests(caller: Caller, csrf_token: &str) -> SignedIn {
        SignedIn {
            caller,
            email: "owner@example.com".into(),
            role: Role::Owner,
            session_id: SessionId(1),
            csrf_token: csrf_token.into(),
            token: "t".into(),
        }
    }
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("caller", &self.caller)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("session_id", &self.session_id)
            .finish_non_exhaustive()
    }
}

/// A session just started: its token (shown once) and CSRF token.
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
}

impl Services {
    pub fn sessions(&self) -> Sessions<'_> {
        Sessions(self)
    }
}

/// Session operations; see [`Services::sessions`].
pub struct Sessions<'a>(&'a Services);

impl Sessions<'_> {
    /// Sign `account` in: a new session of `kind`.
    pub async fn start(&self, account: &Account, kind: SessionKind) -> ServiceResult<NewSession> {
        let ttl = match kind {
            SessionKind::Web => WEB_SESSION_TTL,
            SessionKind::Api => API_TOKEN_TTL,
        };
        let (token, session) = self
            .0
            .store
            .create_session(account.id, account.company_id, kind, ttl)
            .await?;
        Ok(NewSession {
            token,
            csrf_token: session.csrf_token,
        })
    }

    /// The live session of `kind` for `token`, if any.
    pub async fn find(&self, token: &str, kind: SessionKind) -> ServiceResult<Option<SignedIn>> {
        if token.is_empty() {
            return Ok(None);
        }
        // Sessions expire on the service clock like everything else: a test
        // that moves time past a session's end is signed out, as a user would be.
        let store = &self.0.store;
        let Some(session) = store.session_by_token(token, self.0.clock.now()).await? else {
            return Ok(None);
        };
        if session.kind != kind {
            return Ok(None);
        }
        let now = self.0.clock.now();
        if self.idle(&session, now) {
            store
                .delete_account_session(session.account_id, session.id)
                .await?;
            return Ok(None);
        }
        // Only idle expiry reads this, so a failed write (the database busy
        // with a long sync) must not fail the request.
        if let Err(e) = store.touch_session(session.id, now).await {
            tracing::debug!("noting a session's use failed: {e}");
        }
        let account = match store.get_account(session.account_id).await {
            Ok(a) => a,
            Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(Some(SignedIn {
            caller: Caller {
                company_id: session.company_id,
                account_id: account.id,
            },
            email: account.email,
            role: account.role,
            session_id: session.id,
            csrf_token: session.csrf_token,
            token: token.to_owned(),
        }))
    }

    /// Whether `session` has gone unused past its kind's idle limit.
    fn idle(&self, session: &Session, now: jiff::Timestamp) -> bool {
        let limit = match session.kind {
            SessionKind::Web => {
                Duration::from_secs(u64::from(self.0.settings.session_idle_minutes) * 60)
            }
            SessionKind::Api => API_TOKEN_IDLE,
        };
        let idle_for = now
            .as_second()
            .saturating_sub(session.last_seen_at.as_second());
        idle_for >= i64::try_from(limit.as_secs()).unwrap_or(i64::MAX)
    }

    /// End a session (logout); its token stops working at once.
    pub async fn end(&self, user: &SignedIn) -> ServiceResult<()> {
        Ok(self.0.store.delete_session(user.token()).await?)
    }

    /// The account's live browser sessions and API tokens (never their
    /// tokens), most recently used first, without the idle ones.
    pub async fn list(&self, user: &SignedIn) -> ServiceResult<Vec<Session>> {
        let now = self.0.clock.now();
        let all = self
            .0
            .store
            .account_sessions(user.caller.account_id, now)
            .await?;
        Ok(all.into_iter().filter(|s| !self.idle(s, now)).collect())
    }

    /// Ends one of the account's sessions or tokens (perhaps the one used).
    pub async fn revoke(&self, user: &SignedIn, id: SessionId) -> ServiceResult<()> {
        let store = &self.0.store;
        if store
            .delete_account_session(user.caller.account_id, id)
            .await?
        {
            Ok(())
        } else {
            Err(ServiceError::NotFound)
        }
    }

    /// Log out everywhere: every session and token of the account ends,
    /// the one used included; returns how many.
    pub async fn end_all(&self, user: &SignedIn) -> ServiceResult<u64> {
        let store = &self.0.store;
        Ok(store
            .delete_account_sessions(user.caller.account_id)
            .await?)
    }
}
