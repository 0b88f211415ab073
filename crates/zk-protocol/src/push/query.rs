//! What a push request is, from its method, path and query string
//! (adms-push.md §2.1, §4.4). Parameter names are matched without regard to
//! case, because firmware varies (`SN`/`sn`, `table=ATTLOG`/`table=attlog`).

use super::info::DeviceInfo;
use super::PushError;
use crate::names::DeviceLanguage;

/// The `/iclock/*` endpoints. The `.aspx` variants some firmware uses map
/// to the same endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    Cdata,
    GetRequest,
    DeviceCmd,
    Registry,
    Push,
    Ping,
    Fdata,
    Exchange,
    QueryData,
    RtData,
    File,
}

const ENDPOINTS: &[(&str, Endpoint)] = &[
    ("cdata", Endpoint::Cdata),
    ("getrequest", Endpoint::GetRequest),
    ("devicecmd", Endpoint::DeviceCmd),
    ("registry", Endpoint::Registry),
    ("push", Endpoint::Push),
    ("ping", Endpoint::Ping),
    ("fdata", Endpoint::Fdata),
    ("exchange", Endpoint::Exchange),
    ("querydata", Endpoint::QueryData),
    ("rtdata", Endpoint::RtData),
    ("file", Endpoint::File),
];

impl Endpoint {
    /// `/iclock/cdata`, `/iclock/cdata.aspx`, `/iclock/cdata/` → `Cdata`.
    pub fn from_path(path: &str) -> Option<Endpoint> {
        let rest = path.strip_prefix("/iclock/")?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let name = match rest.len().checked_sub(5) {
            Some(i) if rest.is_char_boundary(i) && rest[i..].eq_ignore_ascii_case(".aspx") => {
                &rest[..i]
            }
            _ => rest,
        };
        ENDPOINTS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, e)| *e)
    }
}

/// The decoded query string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parse `a=b&c=d` with percent- and `+`-decoding. Invalid UTF-8 after
    /// decoding is replaced, never an error: values are checked where used.
    pub fn parse(raw: &str) -> Query {
        let raw = raw.strip_prefix('?').unwrap_or(raw);
        Query {
            pairs: form_urlencoded::parse(raw.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        }
    }

    /// The first value of `key`, any case.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// The serial number, validated.
    pub fn serial(&self) -> Result<Serial, PushError> {
        Serial::parse(self.get("SN").ok_or(PushError::MissingSerial)?)
    }
}

/// A device serial number: 1–32 letters, digits, `-` or `_`. An
/// identifier, not a secret (adms-push.md §6).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Serial(String);

impl Serial {
    pub const MAX_LEN: usize = 32;

    pub fn parse(s: &str) -> Result<Serial, PushError> {
        let s = s.trim();
        let ok = !s.is_empty()
            && s.len() <= Self::MAX_LEN
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Serial(s.to_string()))
        } else {
            Err(PushError::BadSerial(s.chars().take(40).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Serial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The push protocol version a device speaks (`pushver`, A40 appendix 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PushVersion(pub u16, pub u16, pub u16);

impl PushVersion {
    /// What to assume when the device sends none (A40 appendix 6).
    pub const ASSUMED: PushVersion = PushVersion(2, 2, 14);

    /// `2.4.1`, `3.1.2`, also `Ver 3.1.2S` as seen in the wild.
    pub fn parse(s: &str) -> Option<PushVersion> {
        let s = s.trim();
        let s = s.strip_prefix("Ver").unwrap_or(s).trim();
        let mut parts = s.split('.').map(|p| {
            let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<u16>().ok()
        });
        let major = parts.next()??;
        let minor = parts.next().flatten().unwrap_or(0);
        let patch = parts.next().flatten().unwrap_or(0);
        Some(PushVersion(major, minor, patch))
    }

    /// Security PUSH (3.x): registry, token, `rtlog`/`tabledata` uploads.
    pub fn is_security(self) -> bool {
        self.0 >= 3
    }
}

impl std::fmt::Display for PushVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// What every request says about the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceParams {
    pub serial: Serial,
    /// `None` when the firmware sent none (old firmware: PUSH 1.0 stamp names).
    pub push_version: Option<PushVersion>,
    pub language: Option<DeviceLanguage>,
    /// Opaque per-device value, when the firmware sends it (A40 §6).
    pub push_comm_key: Option<String>,
    /// `ComKey=` on every URL when `IsPushComKey=1` (U320).
    pub com_key: Option<String>,
    /// `att`, `acc`, `pid`, `ins`, …
    pub device_type: Option<String>,
}

impl DeviceParams {
    fn from_query(q: &Query) -> Result<DeviceParams, PushError> {
        let text = |k: &str| q.get(k).map(str::trim).filter(|v| !v.is_empty());
        Ok(DeviceParams {
            serial: q.serial()?,
            push_version: text("pushver").and_then(PushVersion::parse),
            language: text("language").and_then(DeviceLanguage::parse),
            push_comm_key: text("pushcommkey").map(str::to_string),
            com_key: text("ComKey").map(str::to_string),
            device_type: text("DeviceType").map(str::to_string),
        })
    }

    /// The version both sides use when the server speaks `ours`.
    pub fn effective_version(&self, ours: PushVersion) -> PushVersion {
        self.push_version.unwrap_or(PushVersion::ASSUMED).min(ours)
    }
}

/// An upload table (`table=`), any case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Table {
    AttLog,
    OperLog,
    AttPhoto,
    BioData,
    IdCard,
    ErrorLog,
    /// The device pushes its parameters (`table=options`).
    Options,
    /// 3.x real-time events.
    RtLog,
    /// 3.x door/relay state.
    RtState,
    /// 3.x table upload with `tablename=` and `count=`.
    TableData {
        name: String,
        count: Option<u32>,
    },
    Other(String),
}

impl Table {
    fn from_query(q: &Query) -> Option<Table> {
        let t = q.get("table")?.trim();
        let known = [
            ("ATTLOG", Table::AttLog),
            ("OPERLOG", Table::OperLog),
            ("ATTPHOTO", Table::AttPhoto),
            ("BIODATA", Table::BioData),
            ("IDCARD", Table::IdCard),
            ("ERRORLOG", Table::ErrorLog),
            ("options", Table::Options),
            ("rtlog", Table::RtLog),
            ("rtstate", Table::RtState),
        ];
        if let Some((_, table)) = known.iter().find(|(n, _)| n.eq_ignore_ascii_case(t)) {
            return Some(table.clone());
        }
        if t.eq_ignore_ascii_case("tabledata") {
            return Some(Table::TableData {
                name: q.get("tablename").unwrap_or_default().trim().to_string(),
                count: q.get("count").and_then(|c| c.trim().parse().ok()),
            });
        }
        Some(Table::Other(t.to_string()))
    }
}

/// A push request, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `GET cdata?options=all`: send the option block (or 3.x config).
    Handshake {
        push_options: bool,
    },
    /// `POST cdata?table=…`: records in the body.
    Upload {
        table: Table,
        /// The stamp the device sent (`Stamp`, or the table-named one).
        stamp: Option<String>,
    },
    /// `GET cdata?table=RemoteAtt&PIN=…` or the older `GET cdata?PIN=…`.
    RemoteUser {
        pin: String,
    },
    /// `GET cdata?type=time` (U320) or `GET rtdata?type=time` (3.x).
    TimeQuery,
    /// `POST cdata?type=PostVerifyData`: background verification.
    PostVerify,
    /// `GET getrequest`: hand out queued commands.
    Poll {
        info: Option<DeviceInfo>,
    },
    /// `POST devicecmd`: command results in the body.
    CommandResults,
    /// `POST registry` (3.x): registration in the body.
    Registry,
    /// `POST push` (3.x): send the configuration.
    ConfigDownload,
    Ping,
    /// 3.x query answers (`POST querydata?type=…&cmdid=…&tablename=…`).
    QueryData {
        kind: String,
        command_id: Option<String>,
        table: Option<String>,
    },
    /// Endpoints we recognise but do not serve (photos, key exchange, files).
    Unsupported(Endpoint),
}

/// A classified request with the device's parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRequest {
    pub endpoint: Endpoint,
    pub device: DeviceParams,
    pub request: Request,
}

/// Classify a request. `method` is `GET` or `POST` (any case); `query` is
/// the raw query string, with or without the leading `?`.
pub fn classify(method: &str, path: &str, query: &str) -> Result<PushRequest, PushError> {
    let endpoint = Endpoint::from_path(path).ok_or_else(|| PushError::UnknownPath(short(path)))?;
    let q = Query::parse(query);
    let device = DeviceParams::from_query(&q)?;
    let post = method.eq_ignore_ascii_case("POST");
    let request = match endpoint {
        Endpoint::Cdata => cdata(&q, post)?,
        Endpoint::GetRequest => Request::Poll {
            info: q.get("INFO").map(DeviceInfo::parse),
        },
        Endpoint::DeviceCmd => Request::CommandResults,
        Endpoint::Registry => Request::Registry,
        Endpoint::Push => Request::ConfigDownload,
        Endpoint::Ping => Request::Ping,
        Endpoint::RtData if is(&q, "type", "time") => Request::TimeQuery,
        Endpoint::QueryData => Request::QueryData {
            kind: q.get("type").unwrap_or_default().to_string(),
            command_id: q.get("cmdid").map(str::to_string),
            table: q.get("tablename").map(str::to_string),
        },
        other => Request::Unsupported(other),
    };
    Ok(PushRequest {
        endpoint,
        device,
        request,
    })
}

fn cdata(q: &Query, post: bool) -> Result<Request, PushError> {
    if post {
        if is(q, "type", "PostVerifyData") {
            return Ok(Request::PostVerify);
        }
        let table = Table::from_query(q).ok_or(PushError::MissingTable)?;
        let stamp = q
            .get("Stamp")
            .or_else(|| q.get("OpStamp"))
            .map(str::to_string);
        return Ok(Request::Upload { table, stamp });
    }
    if is(q, "options", "all") {
        let push_options = is(q, "PushOptionsFlag", "1");
        return Ok(Request::Handshake { push_options });
    }
    if is(q, "type", "time") {
        return Ok(Request::TimeQuery);
    }
    match q.get("PIN").map(str::trim).filter(|p| !p.is_empty()) {
        Some(pin) => Ok(Request::RemoteUser {
            pin: pin.to_string(),
        }),
        None => Err(PushError::UnknownRequest(
            "GET /iclock/cdata without options=all, type=time or PIN".into(),
        )),
    }
}

fn is(q: &Query, key: &str, value: &str) -> bool {
    q.get(key)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(value))
}

fn short(s: &str) -> String {
    s.chars().take(80).collect()
}
