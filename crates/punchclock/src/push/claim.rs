//! Checks on a request from a claimed serial, before anything is served:
//! the device is in push mode, its zone is known, its bound key or 3.x
//! session token matches, and its source address is accepted.

use std::time::Duration;

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zk_protocol::push::{security, DeviceParams, PushRequest, Request};

use super::{Call, Inner, Reply};
use crate::domain::{
    DeviceMode, Outcome, PollFailure, PollReason, PushCall, PushRecord, PushTarget, Zone,
};
use crate::store::SourceChange;

/// A refusal is logged at most this often per device.
const REFUSAL_LOG_EVERY: Duration = Duration::from_secs(300);

/// A request that passed the checks.
pub(super) struct Served<'a> {
    pub(super) target: &'a PushTarget,
    pub(super) zone: &'a Zone,
    pub(super) now: Timestamp,
    pub(super) source: String,
}

/// Where a bound key comes from, and so on which requests it is checked:
/// `ComKey` rides on every URL, `pushcommkey` only on the handshake, the
/// 3.x `authKey` on the registry (its token then on every request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyKind {
    Com,
    PushComm,
    Auth,
}

impl KeyKind {
    fn prefix(self) -> &'static str {
        match self {
            KeyKind::Com => "comkey",
            KeyKind::PushComm => "pushcommkey",
            KeyKind::Auth => "authkey",
        }
    }
}

/// How a key is stored: its kind and SHA-256, never the key.
pub(super) fn key_hash(kind: KeyKind, key: &str) -> String {
    let digest = Sha256::digest(key.trim().as_bytes());
    format!("{}:{}", kind.prefix(), hex::encode(digest))
}

/// What the stored key says about a presented one.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum KeyCheck {
    Fine,
    /// First claim: bind this hash.
    Bind(String),
    Wrong,
}

/// A key of `kind` presented (or not) against what is bound.
pub(super) fn check_key(stored: Option<&str>, kind: KeyKind, presented: Option<&str>) -> KeyCheck {
    let bound_kind = stored.and_then(|s| s.split_once(':')).map(|(k, _)| k);
    match (stored, presented) {
        (None, None) => KeyCheck::Fine,
        (None, Some(k)) => KeyCheck::Bind(key_hash(kind, k)),
        // A key of another kind is checked where that kind travels.
        (Some(_), _) if bound_kind != Some(kind.prefix()) => KeyCheck::Fine,
        (Some(s), Some(k)) if bool::from(s.as_bytes().ct_eq(key_hash(kind, k).as_bytes())) => {
            KeyCheck::Fine
        }
        (Some(_), _) => KeyCheck::Wrong,
    }
}

/// The key this request carries that must match, if any is due on it.
fn due_key<'a>(dev: &'a DeviceParams, request: &Request) -> Option<(KeyKind, Option<&'a str>)> {
    if dev.com_key.is_some() {
        return Some((KeyKind::Com, dev.com_key.as_deref()));
    }
    matches!(request, Request::Handshake { .. })
        .then_some((KeyKind::PushComm, dev.push_comm_key.as_deref()))
}

impl Inner {
    /// The checks, in order; the first that fails answers the request.
    pub(super) async fn admit(
        &self,
        call: Call<'_>,
        req: &PushRequest,
        t: &PushTarget,
    ) -> Result<Zone, Reply> {
        if t.mode != DeviceMode::Push || !t.enabled {
            // Its owner switched it to polling or turned it off.
            return Err(Reply::refuse(403, "this device is not set to push"));
        }
        let zone = match &t.timezone {
            Ok(zone) => zone.clone(),
            Err(e) => {
                let why = format!("{e}: set a valid time zone for this device or the company");
                self.refuse(&call.source.to_string(), t, PollFailure::UnknownZone, why)
                    .await;
                return Err(Reply::refuse(503, "time zone not set up"));
            }
        };
        self.check_keys(call, req, t).await?;
        self.check_source(call, t).await?;
        Ok(zone)
    }

    async fn check_keys(
        &self,
        call: Call<'_>,
        req: &PushRequest,
        t: &PushTarget,
    ) -> Result<(), Reply> {
        if let Some((kind, presented)) = due_key(&req.device, &req.request) {
            match check_key(t.key_hash.as_deref(), kind, presented) {
                KeyCheck::Fine => {}
                KeyCheck::Bind(hash) => self.bind_key(t, &hash).await,
                KeyCheck::Wrong => {
                    let why = "the device's communication key does not match the one it \
                               used when it was first claimed: if it was changed on purpose, \
                               remove the device and add it again";
                    self.refuse(&call.source.to_string(), t, PollFailure::Auth, why.into())
                        .await;
                    return Err(Reply::refuse(401, "key does not match"));
                }
            }
        }
        if !token_ok(req, t, call.token) {
            let why = "the 3.x session token is missing or wrong (not the registered device?)";
            self.refuse(&call.source.to_string(), t, PollFailure::Auth, why.into())
                .await;
            return Err(Reply::refuse(401, "register again"));
        }
        Ok(())
    }

    async fn bind_key(&self, t: &PushTarget, hash: &str) {
        if let Err(e) = self.store.bind_push_key(t.device_id, hash).await {
            tracing::warn!(device = %t.device_id, "push: binding the key failed: {e}");
        }
    }

    /// A new source address is logged and taken, unless the device is
    /// locked to its source: then the request is refused and the address
    /// waits for the owner.
    async fn check_source(&self, call: Call<'_>, t: &PushTarget) -> Result<(), Reply> {
        let source = call.source.to_string();
        if t.source_address.as_deref() == Some(source.as_str()) {
            return Ok(());
        }
        let locked = t.lock_source && t.source_address.is_some();
        let already_pending = locked && t.pending_source_address.as_deref() == Some(&source);
        if !already_pending {
            let change = SourceChange {
                company_id: t.company_id,
                device_id: t.device_id,
                serial: &t.serial,
                from: t.source_address.as_deref(),
                to: &source,
                at: self.clock.now(),
                locked,
            };
            if let Err(e) = self.store.record_push_source(&change).await {
                tracing::warn!(device = %t.device_id, "push: recording the source failed: {e}");
                return Err(Reply::refuse(503, "try again later"));
            }
        }
        match locked {
            true => Err(Reply::refuse(403, "source address not accepted")),
            false => Ok(()),
        }
    }

    /// Logs why a request was refused, at most every few minutes per device.
    pub(super) async fn refuse(
        &self,
        source: &str,
        t: &PushTarget,
        code: PollFailure,
        why: String,
    ) {
        let now = self.clock.now();
        {
            let mut last = self.refusals.lock().unwrap_or_else(|e| e.into_inner());
            let recent = last
                .get(&t.device_id)
                .is_some_and(|at| now.duration_since(*at).unsigned_abs() < REFUSAL_LOG_EVERY);
            if recent {
                return;
            }
            last.insert(t.device_id, now);
        }
        let mut record = PushRecord::new(PushCall::Refused, now, source.to_string());
        record.outcome = Outcome::Failed;
        record.reason = Some(PollReason::new(code, why));
        if let Err(e) = self
            .store
            .record_push(t.company_id, t.device_id, &t.serial, &record)
            .await
        {
            tracing::warn!(device = %t.device_id, "push: logging a refusal failed: {e}");
        }
    }
}

/// A registered 3.x device must show its session token on every request
/// but those that (re)establish the session.
fn token_ok(req: &PushRequest, t: &PushTarget, token: Option<&str>) -> bool {
    let establishing = matches!(
        req.request,
        Request::Handshake { .. } | Request::Registry | Request::ConfigDownload
    );
    let (Some(code), Some(session)) = (&t.registry_code, &t.session_id) else {
        return true;
    };
    if establishing {
        return true;
    }
    let want = security::session_token(code, req.device.serial.as_str(), session);
    token.is_some_and(|t| bool::from(t.as_bytes().ct_eq(want.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_bind_once_and_are_checked_where_they_travel() {
        let k = KeyKind::PushComm;
        assert_eq!(check_key(None, k, None), KeyCheck::Fine);
        let KeyCheck::Bind(hash) = check_key(None, k, Some("abc")) else {
            panic!("first key binds");
        };
        assert!(!hash.contains("abc"), "never the key itself");
        assert_eq!(check_key(Some(&hash), k, Some("abc")), KeyCheck::Fine);
        assert_eq!(check_key(Some(&hash), k, Some("abd")), KeyCheck::Wrong);
        assert_eq!(check_key(Some(&hash), k, None), KeyCheck::Wrong);
        // A ComKey binding is not checked against a pushcommkey, nor the other way.
        let com = key_hash(KeyKind::Com, "88888888");
        assert_eq!(check_key(Some(&com), k, Some("zzz")), KeyCheck::Fine);
        assert_eq!(
            check_key(Some(&com), KeyKind::Com, Some("1")),
            KeyCheck::Wrong
        );
    }
}
