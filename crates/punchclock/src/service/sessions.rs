//! Sessions: a browser's (cookie, with a CSRF token for its forms) or an API
//! token. Only the hash of a token is stored; the token is handed out once.
//! The two kinds are not interchangeable, so a leaked API token cannot drive
//! the pages and a cookie cannot be replayed as a bearer token.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
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
/// A session's use is written at most this often (the store's own limit
/// too): idle limits are minutes or days.
const TOUCH_EVERY_SECONDS: i64 = 60;

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
        let last_seen = self.0.session_uses.last(session.id, session.last_seen_at);
        if self.idle(&session, last_seen, now) {
            store
                .delete_account_session(session.account_id, session.id)
                .await?;
            return Ok(None);
        }
        if now.as_second().saturating_sub(last_seen.as_second()) >= TOUCH_EVERY_SECONDS {
            self.note_use(session.id, now);
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

    /// Writes that `id` was used at `now`, in the background: behind a
    /// large sync the writer's queue can be seconds long, and only idle
    /// expiry reads it, so a page must not wait for it. Until it is
    /// written, [`PendingUses`] answers for it; a failed write is only
    /// logged (the next use a minute on tries again).
    fn note_use(&self, id: SessionId, now: jiff::Timestamp) {
        let uses = self.0.session_uses.clone();
        if !uses.begin(id, now) {
            return;
        }
        let store = self.0.store.clone();
        tokio::spawn(async move {
            if let Err(e) = store.touch_session(id, now).await {
                tracing::debug!("noting a session's use failed: {e}");
            }
            uses.end(id);
        });
    }

    /// Whether `session`, last used at `last_seen`, has gone unused past
    /// its kind's idle limit.
    fn idle(&self, session: &Session, last_seen: jiff::Timestamp, now: jiff::Timestamp) -> bool {
        let limit = match session.kind {
            SessionKind::Web => {
                Duration::from_secs(u64::from(self.0.settings.session_idle_minutes) * 60)
            }
            SessionKind::Api => API_TOKEN_IDLE,
        };
        let idle_for = now.as_second().saturating_sub(last_seen.as_second());
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
        let uses = &self.0.session_uses;
        let live = |s: &Session| !self.idle(s, uses.last(s.id, s.last_seen_at), now);
        Ok(all.into_iter().filter(|s| live(s)).collect())
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

/// Session uses being written in the background (see
/// [`Sessions::find`]): at most one write per session at a time, and the
/// time it writes counts as the session's last use until it lands.
#[derive(Clone, Default)]
pub struct PendingUses(Arc<Mutex<HashMap<SessionId, jiff::Timestamp>>>);

impl PendingUses {
    /// The later of `stored` and a use of `id` still being written.
    fn last(&self, id: SessionId, stored: jiff::Timestamp) -> jiff::Timestamp {
        let pending = self.0.lock().ok().and_then(|m| m.get(&id).copied());
        pending.map_or(stored, |p| p.max(stored))
    }

    /// Whether a write of `id`'s use at `at` should start (none running).
    fn begin(&self, id: SessionId, at: jiff::Timestamp) -> bool {
        let Ok(mut m) = self.0.lock() else {
            return false;
        };
        if m.contains_key(&id) {
            return false;
        }
        m.insert(id, at);
        true
    }

    fn end(&self, id: SessionId) {
        if let Ok(mut m) = self.0.lock() {
            m.remove(&id);
        }
    }
}
