//! Security PUSH (3.x) as far as adms-push.md describes it (§2.4, §3.5,
//! §6): registration, the session token, the configuration block, and the
//! `rtlog` and `tabledata` uploads.

use super::body::{lossy, number, pairs, record_type, Parsed};
use super::handshake::{clean, trans_times};
use super::time::parse_time;
use super::user::{UserInfo, V3};
use crate::names::NameDecoding;
use crate::{DeviceTime, VerifyMethod};
use md5::{Digest, Md5};

/// A comma-separated `key=value` list: the registry body (§2.4 step 3) and
/// the device's parameter push (`table=options`). Values may contain
/// commas (`~OEMVendor=ZKTECO CO., LTD.`), so a comma only separates when
/// what follows looks like `key=`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyValues(pub Vec<(String, String)>);

impl KeyValues {
    pub fn parse(body: &str) -> KeyValues {
        let mut out: Vec<(String, String)> = Vec::new();
        for piece in body.trim().split(',') {
            match piece.split_once('=').filter(|(k, _)| is_key(k)) {
                Some((k, v)) => out.push((k.trim().to_string(), v.to_string())),
                None => match out.last_mut() {
                    Some((_, v)) => {
                        v.push(',');
                        v.push_str(piece);
                    }
                    None if piece.trim().is_empty() => {}
                    None => out.push((piece.trim().to_string(), String::new())),
                },
            }
        }
        KeyValues(out)
    }

    /// The value of `key`, any case, with or without the read-only `~`.
    pub fn get(&self, key: &str) -> Option<&str> {
        let bare = |k: &str| k.trim_start_matches('~').to_ascii_lowercase();
        let want = bare(key);
        self.0
            .iter()
            .find(|(k, _)| bare(k) == want)
            .map(|(_, v)| v.as_str())
    }
}

fn is_key(k: &str) -> bool {
    let k = k.trim();
    let k = k.strip_prefix('~').unwrap_or(k);
    !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The session token every 3.x request carries as `Cookie: token=…`:
/// MD5 hex of RegistryCode ‖ SerialNumber ‖ SessionID (SEC §4.5). It binds
/// a session; it is not a strong credential (all three cross the wire).
pub fn session_token(registry_code: &str, serial: &str, session_id: &str) -> String {
    let digest = Md5::digest(format!("{registry_code}{serial}{session_id}"));
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Our 3.x configuration (§2.4 steps 1 and 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityConfig {
    pub registry_code: String,
    pub session_id: String,
    pub server_version: String,
    pub server_name: String,
    pub error_delay: u32,
    /// Seconds between polls (2.x `Delay`).
    pub request_delay: u32,
    pub trans_times: Vec<(u8, u8)>,
    pub trans_interval: u32,
    pub realtime: bool,
    pub timeout_sec: u32,
}

impl SecurityConfig {
    pub fn new(registry_code: &str, session_id: &str) -> SecurityConfig {
        SecurityConfig {
            registry_code: clean(registry_code),
            session_id: clean(session_id),
            server_version: "3.1.2".into(),
            server_name: "Punchclock".into(),
            error_delay: 30,
            request_delay: 10,
            trans_times: vec![(0, 0), (14, 5)],
            trans_interval: 1,
            realtime: true,
            timeout_sec: 10,
        }
    }

    /// The handshake answer for a registered device.
    pub fn render_handshake(&self) -> String {
        let mut out = String::from("registry=ok\n");
        out.push_str(&format!("RegistryCode={}\n", self.registry_code));
        out.push_str(&format!("PushProtVer={}\n", self.server_version));
        out.push_str(&self.common());
        out
    }

    /// The answer to `POST /iclock/push`.
    pub fn render_push(&self) -> String {
        format!("PushVersion={}\n{}", self.server_version, self.common())
    }

    fn common(&self) -> String {
        [
            format!("ServerVersion={}", self.server_version),
            format!("ServerName={}", self.server_name),
            format!("ErrorDelay={}", self.error_delay),
            format!("RequestDelay={}", self.request_delay),
            format!("TransTimes={}", trans_times(&self.trans_times)),
            format!("TransInterval={}", self.trans_interval),
            "TransTables=User Transaction".to_string(),
            format!("Realtime={}", u8::from(self.realtime)),
            format!("SessionID={}", self.session_id),
            format!("TimeoutSec={}", self.timeout_sec),
        ]
        .map(|l| l + "\n")
        .concat()
    }
}

/// The handshake answer to a 3.x device that is not registered (§2.4).
pub const UNREGISTERED: &str = "OK";

/// The answer to an accepted registration.
pub fn registry_reply(registry_code: &str) -> String {
    format!("RegistryCode={}", clean(registry_code))
}

/// The answer to `GET /iclock/rtdata?type=time`: the device-local time in
/// the packed form and the server zone as `+hhmm`.
pub fn rtdata_time(local: DeviceTime, offset_seconds: i32) -> Option<String> {
    let m = offset_seconds / 60;
    let sign = if m < 0 { '-' } else { '+' };
    let encoded = local.encode().ok()?;
    Some(format!(
        "DateTime={encoded},ServerTZ={sign}{:02}{:02}",
        m.abs() / 60,
        m.abs() % 60
    ))
}

/// One `rtlog` line: a real-time event from an access-control style device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtLog {
    pub time: DeviceTime,
    /// Empty or `0` when nobody was identified (door events, alarms).
    pub pin: String,
    pub card: String,
    pub event: u16,
    /// Door or reader the event happened at.
    pub event_address: Option<u16>,
    /// 0 in, 1 out.
    pub in_out: Option<u8>,
    pub verify: VerifyMethod,
}

impl RtLog {
    /// Whether a person was identified: the events that are punches.
    pub fn is_punch(&self) -> bool {
        !self.pin.is_empty() && self.pin != "0"
    }
}

/// Parse an `rtlog` body (lower-case `key=value` pairs separated by TAB).
pub fn parse_rtlog(body: &[u8]) -> Parsed<RtLog> {
    Parsed::from_lines(body, |line| {
        let p = pairs(line)?;
        let get = |k: &str| super::body::get(&p, k).map(lossy);
        let time_text = get("time").ok_or("no time= field")?;
        let time = parse_time(&time_text)
            .ok_or_else(|| format!("time {time_text:?} is not YYYY-MM-DD hh:mm:ss"))?;
        let opt = |k: &str| -> Result<Option<u16>, String> {
            match get(k).filter(|v| !v.trim().is_empty()) {
                Some(v) => number(k, v.as_bytes()).map(Some),
                None => Ok(None),
            }
        };
        Ok(RtLog {
            time,
            pin: get("pin").unwrap_or_default().trim().to_string(),
            card: get("cardno").unwrap_or_default().trim().to_string(),
            event: opt("event")?.ok_or("no event= field")?,
            event_address: opt("eventaddr")?,
            in_out: opt("inoutstatus")?.map(|v| v as u8),
            verify: VerifyMethod(opt("verifytype")?.unwrap_or(0)),
        })
    })
}

/// One `tabledata` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableRecord {
    User(UserInfo),
    /// Any other table (`biodata`, `errorlog`, …), kept as pairs.
    Other {
        table: String,
        fields: Vec<(String, String)>,
    },
}

/// Parse a `tabledata` body: lines `<tablename> key=value<TAB>…` with
/// lower-case keys (§3.5). Users' names are decoded by `how`.
pub fn parse_tabledata(body: &[u8], how: &NameDecoding) -> Parsed<TableRecord> {
    Parsed::from_lines(body, |line| {
        let (table, rest) = record_type(line);
        let table = lossy(table);
        let p = pairs(rest)?;
        if table.eq_ignore_ascii_case("user") {
            return UserInfo::from_pairs(&p, &V3, how).map(TableRecord::User);
        }
        Ok(TableRecord::Other {
            table,
            fields: p.into_iter().map(|(k, v)| (k, lossy(v))).collect(),
        })
    })
}

/// The answer to a `tabledata` upload: `<tablename>=<n>` (SEC §7).
pub fn tabledata_reply(table: &str, count: usize) -> String {
    format!("{}={count}", clean(table))
}
