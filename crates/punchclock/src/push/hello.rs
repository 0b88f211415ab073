//! Handshakes: the 2.x option block (stored stamps, `Realtime=1`, `Delay`,
//! the device's `TimeZone`), the 3.x registry and configuration, and the
//! short answers to everything that needs no storage.

use std::time::Instant;

use rand::distributions::Alphanumeric;
use rand::Rng;
use zk_protocol::push::query::Endpoint;
use zk_protocol::push::security::{self, KeyValues, SecurityConfig};
use zk_protocol::push::{reply, Handshake, PushRequest, Request, Stamps, TimeZoneOption};

use super::claim::{check_key, KeyCheck, KeyKind, Served};
use super::{Inner, Reply};
use crate::domain::device_time::from_civil;
use crate::domain::{PushCall, PushHello, PushRecord};

/// How the unclaimed are answered: handshakes and polls politely (the
/// device keeps calling, so it can be claimed later), uploads refused so
/// the device keeps its records until then.
pub(super) fn unclaimed_answer(req: &PushRequest) -> Reply {
    match &req.request {
        Request::Handshake { .. } if is_security(req) => Reply::ok(security::UNREGISTERED),
        Request::Handshake { .. } | Request::Poll { .. } | Request::Ping => {
            Reply::ok(reply::UNKNOWN_DEVICE)
        }
        Request::Registry => Reply::refuse(406, reply::UNKNOWN_DEVICE),
        _ => Reply::refuse(403, reply::UNKNOWN_DEVICE),
    }
}

fn is_security(req: &PushRequest) -> bool {
    req.device.push_version.is_some_and(|v| v.is_security())
}

/// A random registry code or session id (≤ 32 bytes, SEC §2.4).
fn random_code() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(24)
        .map(char::from)
        .collect()
}

impl Inner {
    /// `GET cdata?options=all`.
    pub(super) async fn handshake(&self, at: &Served<'_>, req: &PushRequest) -> Reply {
        if is_security(req) {
            return self.security_handshake(at, req).await;
        }
        let started = Instant::now();
        let t = at.target;
        let tz = TimeZoneOption::at(at.zone.tz(), at.now);
        let mut h = Handshake::new(tz);
        h.stamps = Stamps {
            attlog: t.attlog_stamp.clone(),
            operlog: t.operlog_stamp.clone(),
            attphoto: None,
        };
        h.delay = self.settings.delay_seconds;
        h.error_delay = self.settings.error_delay_seconds;
        h.trans_interval = self.settings.trans_interval_minutes;
        h.realtime = true;
        let mut record = self.hello_record(at, req, PushCall::Handshake);
        record.detail = Some(format!(
            "options sent: TimeZone={tz} ({}), Delay={}, Realtime=1; the device sets its \
             clock from them and the Date header",
            at.zone, h.delay
        ));
        match self.commit(at, record, started).await {
            Ok(_) => Reply::ok(h.render(&req.device)),
            Err(reply) => reply,
        }
    }

    fn hello_record(&self, at: &Served<'_>, req: &PushRequest, call: PushCall) -> PushRecord {
        let mut record = PushRecord::new(call, at.now, at.source.clone());
        record.hello = Some(PushHello {
            push_version: req.device.push_version.map(|v| v.to_string()),
            language: req.device.language.map(|l| l.0),
            delay_seconds: self.settings.delay_seconds,
        });
        record
    }

    fn security_config(&self, code: &str, session: &str) -> SecurityConfig {
        let mut c = SecurityConfig::new(code, session);
        c.request_delay = self.settings.delay_seconds;
        c.error_delay = self.settings.error_delay_seconds;
        c.trans_interval = self.settings.trans_interval_minutes;
        c.realtime = true;
        c
    }

    /// 3.x: a registered device gets its configuration and a new session;
    /// an unregistered one `OK`, after which it registers.
    async fn security_handshake(&self, at: &Served<'_>, req: &PushRequest) -> Reply {
        let started = Instant::now();
        let mut record = self.hello_record(at, req, PushCall::Handshake);
        let Some(code) = at.target.registry_code.clone() else {
            record.detail = Some("the device is not registered yet; it will register".into());
            return match self.commit(at, record, started).await {
                Ok(_) => Reply::ok(security::UNREGISTERED),
                Err(reply) => reply,
            };
        };
        let Some(session) = self.new_session(at, &code).await else {
            return Reply::refuse(503, "try again later");
        };
        record.detail = Some("registered device: configuration and a new session sent".into());
        match self.commit(at, record, started).await {
            Ok(_) => Reply::ok(self.security_config(&code, &session).render_handshake()),
            Err(reply) => reply,
        }
    }

    async fn new_session(&self, at: &Served<'_>, code: &str) -> Option<String> {
        let session = random_code();
        let stored = self
            .store
            .set_push_registration(at.target.device_id, code, &session)
            .await;
        match stored {
            Ok(()) => Some(session),
            Err(e) => {
                tracing::warn!(device = %at.target.device_id, "push: storing a session: {e}");
                None
            }
        }
    }

    /// 3.x `POST registry`: the `authKey` is bound on first claim and
    /// checked afterwards; a wrong one is refused with 406.
    pub(super) async fn registry(&self, at: &Served<'_>, req: &PushRequest, body: &[u8]) -> Reply {
        let started = Instant::now();
        let t = at.target;
        let kv = KeyValues::parse(&String::from_utf8_lossy(body));
        match check_key(t.key_hash.as_deref(), KeyKind::Auth, kv.get("authKey")) {
            KeyCheck::Fine => {}
            KeyCheck::Bind(hash) => self.bind_key_or_warn(t.device_id, &hash).await,
            KeyCheck::Wrong => return Reply::refuse(406, "registration refused"),
        }
        let code = t.registry_code.clone().unwrap_or_else(random_code);
        if self.new_session(at, &code).await.is_none() {
            return Reply::refuse(503, "try again later");
        }
        let mut record = self.hello_record(at, req, PushCall::Registry);
        record.detail = Some(registry_detail(&kv));
        match self.commit(at, record, started).await {
            Ok(_) => Reply::ok(security::registry_reply(&code)),
            Err(reply) => reply,
        }
    }

    async fn bind_key_or_warn(&self, device: crate::domain::DeviceId, hash: &str) {
        if let Err(e) = self.store.bind_push_key(device, hash).await {
            tracing::warn!(device = %device, "push: binding the key failed: {e}");
        }
    }

    /// 3.x `POST push`: the configuration, with a new session.
    pub(super) async fn config_download(&self, at: &Served<'_>, _req: &PushRequest) -> Reply {
        let Some(code) = at.target.registry_code.clone() else {
            return Reply::refuse(406, "register first");
        };
        match self.new_session(at, &code).await {
            Some(session) => Reply::ok(self.security_config(&code, &session).render_push()),
            None => Reply::refuse(503, "try again later"),
        }
    }
}

/// What the registry body says about the device, briefly.
fn registry_detail(kv: &KeyValues) -> String {
    let facts: Vec<String> = ["DeviceName", "FirmVer", "PushVersion", "DeviceType"]
        .iter()
        .filter_map(|k| {
            kv.get(k)
                .map(|v| format!("{k}={}", v.chars().take(40).collect::<String>()))
        })
        .collect();
    format!("registered ({})", facts.join(", "))
}

/// Requests that need nothing stored: pings, time queries, lookups we do
/// not serve.
pub(super) fn small_talk(at: &Served<'_>, req: &PushRequest) -> Reply {
    match &req.request {
        Request::TimeQuery => time_answer(at, req.endpoint),
        Request::RemoteUser { .. } => Reply::ok("NONE"),
        Request::Unsupported(Endpoint::Fdata) => Reply::ok(reply::OK),
        Request::Unsupported(_) => Reply::refuse(404, "not supported"),
        _ => Reply::ok(reply::OK),
    }
}

/// `GET rtdata?type=time` (3.x, packed) or `GET cdata?type=time` (U320).
fn time_answer(at: &Served<'_>, endpoint: Endpoint) -> Reply {
    let zoned = at.now.to_zoned(at.zone.tz().clone());
    let offset = zoned.offset().seconds();
    if endpoint == Endpoint::RtData {
        let local = from_civil(zoned.datetime());
        return match local.and_then(|l| security::rtdata_time(l, offset)) {
            Some(text) => Reply::ok(text),
            None => Reply::refuse(500, "time out of range"),
        };
    }
    Reply::ok(format!("Time={}", zoned.strftime("%Y-%m-%dT%H:%M:%S%:z")))
}
