//! Uploads: punches (`ATTLOG`, 3.x `rtlog`), users and operations
//! (`OPERLOG`, 3.x `tabledata`), and the tables we acknowledge and drop.
//! Lines are parsed strictly; a malformed one is named in the device log
//! and the rest of the body is still stored.

use std::time::Instant;

use zk_protocol::push::{
    parse_attlog, parse_operlog, parse_rtlog, parse_tabledata, reply, security, text, AttLog,
    LineError, OperLogRecord, RtLog, Table, TableRecord, UserInfo,
};
use zk_protocol::{DeviceLanguage, DeviceTime, NameDecoding};

use super::claim::Served;
use super::{Inner, Reply};
use crate::domain::device_time::to_civil;
use crate::domain::{
    DeviceUser, DeviceUserFields, NewPunch, PollFailure, PollReason, PushCall, PushRecord,
    PushTarget, StampTable, Zone,
};

/// Line errors shown in full in one log row; the rest are counted.
const ERRORS_SHOWN: usize = 5;

/// What a body held: the record to store, the answer once it is stored,
/// and the users' device-side fields (for name changes waiting on them).
struct Upload {
    record: PushRecord,
    answer: String,
    fields: Vec<(String, DeviceUserFields)>,
}

impl Upload {
    fn new(at: &Served<'_>, call: PushCall) -> Upload {
        Upload {
            record: PushRecord::new(call, at.now, at.source.clone()),
            answer: reply::OK.into(),
            fields: Vec::new(),
        }
    }

    fn add_user(&mut self, u: UserInfo) {
        let (user, fields) = device_user(u);
        self.fields.push((user.enroll_id.clone(), fields));
        self.record.users.push(user);
    }
}

impl Inner {
    /// `POST cdata?table=…` (and 3.x `rtlog`/`tabledata`).
    pub(super) async fn upload(
        &self,
        at: &Served<'_>,
        table: &Table,
        stamp: &Option<String>,
        body: &[u8],
    ) -> Reply {
        let started = Instant::now();
        let lines = body.split(|&b| b == b'\n').count();
        if lines > self.settings.max_lines {
            let why = format!(
                "an upload of {lines} lines was refused (at most {} are taken at once)",
                self.settings.max_lines
            );
            self.refuse(&at.source, at.target, PollFailure::TooMuch, why)
                .await;
            return Reply::refuse(413, "too many lines");
        }
        let how = decoding(at.target);
        let upload = match table {
            Table::AttLog => attlog(at, body, stamp),
            Table::OperLog => operlog(at, body, stamp, &how),
            Table::RtLog => rtlog(at, body),
            Table::TableData { name, .. } => tabledata(at, body, name, &how),
            Table::Options | Table::RtState => return Reply::ok(reply::OK),
            other => other_table(at, body, other),
        };
        match self.commit(at, upload.record, started).await {
            Ok(_) => {
                self.users_arrived(at, &upload.fields).await;
                Reply::ok(upload.answer)
            }
            Err(reply) => reply,
        }
    }

    /// Name changes waiting to read these users can now be written.
    async fn users_arrived(&self, at: &Served<'_>, users: &[(String, DeviceUserFields)]) {
        if users.is_empty() {
            return;
        }
        if let Err(e) = self
            .store
            .fill_user_updates(at.target.device_id, users)
            .await
        {
            tracing::warn!(device = %at.target.device_id, "push: filling name changes: {e}");
        }
    }
}

/// How this device's text is read: UTF-8, else its language's code page
/// (GB18030 for Chinese; notes-proto.md: the language comes only with the
/// handshake, so it is the stored one).
fn decoding(target: &PushTarget) -> NameDecoding {
    let setting = target.name_encoding.encoding();
    text::decoding(target.language.map(DeviceLanguage), setting)
}

/// `OK:<n>`, n the lines handled (stored, already stored or refused).
fn attlog(at: &Served<'_>, body: &[u8], stamp: &Option<String>) -> Upload {
    let parsed = parse_attlog(body);
    let handled = parsed.lines_handled();
    let mut up = Upload::new(at, PushCall::Punches);
    let lines = record_lines(body, &parsed.errors);
    let mut errors = parsed.errors;
    for (line, p) in lines.zip(&parsed.records) {
        match punch(at.zone, p) {
            Ok(punch) => up.record.punches.push(punch),
            Err(reason) => errors.push(LineError { line, reason }),
        }
    }
    up.record.records_read = count(handled);
    up.record.reason = line_errors(errors);
    up.record.stamp = stamp.clone().map(|s| (StampTable::AttLog, s));
    up.answer = reply::ok_count(handled);
    up
}

/// The punch a line holds, its instant taken in the device's zone.
fn punch(zone: &Zone, p: &AttLog) -> Result<NewPunch, String> {
    let (device_time, punched_at) = instant(zone, p.time)?;
    Ok(NewPunch {
        enroll_id: p.pin.clone(),
        device_time,
        punched_at,
        // The verify method is the binary protocol's "status", the keypad
        // state its "punch" (domain::Punch).
        status: small("verify method", p.verify.code())?,
        punch_type: small("status", p.status)?,
        uid: 0,
    })
}

fn instant(zone: &Zone, t: DeviceTime) -> Result<(jiff::civil::DateTime, jiff::Timestamp), String> {
    let civil = to_civil(t).ok_or_else(|| format!("time {t} is not a real time"))?;
    let at = zone
        .instant(civil)
        .ok_or_else(|| format!("time {t} does not exist in {zone}"))?;
    Ok((civil, at))
}

fn small(what: &str, value: u16) -> Result<u8, String> {
    u8::try_from(value).map_err(|_| format!("{what} {value} is out of range (0-255)"))
}

fn operlog(at: &Served<'_>, body: &[u8], stamp: &Option<String>, how: &NameDecoding) -> Upload {
    let parsed = parse_operlog(body, how);
    let handled = parsed.lines_handled();
    let mut up = Upload::new(at, PushCall::Users);
    let mut operations = Vec::new();
    let mut others = 0;
    for r in parsed.records {
        match r {
            OperLogRecord::User(u) => up.add_user(u),
            OperLogRecord::Operation(op) => operations.push(op),
            OperLogRecord::Biometric(_) => others += 1,
        }
    }
    up.record.records_read = count(handled);
    up.record.reason = line_errors(parsed.errors);
    up.record.detail = operations_detail(&operations, others);
    up.record.stamp = stamp.clone().map(|s| (StampTable::OperLog, s));
    up.answer = reply::ok_count(handled);
    up
}

/// What the device's operation log said, briefly.
fn operations_detail(ops: &[zk_protocol::push::Operation], others: usize) -> Option<String> {
    let mut parts: Vec<String> = ops
        .iter()
        .take(10)
        .map(|op| {
            let what = op
                .description()
                .map_or(format!("operation {}", op.code), str::to_string);
            format!("{what} at {}", op.time)
        })
        .collect();
    if ops.len() > 10 {
        parts.push(format!("{} more operations", ops.len() - 10));
    }
    if others > 0 {
        parts.push(format!(
            "{others} fingerprint, face or photo records (not kept)"
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn device_user(u: UserInfo) -> (DeviceUser, DeviceUserFields) {
    let fields = DeviceUserFields {
        privilege: u.privilege.unwrap_or(0),
        password: u.password.clone(),
        card: u.card,
        group: u.group.unwrap_or(1),
    };
    let user = DeviceUser {
        enroll_id: u.pin,
        name: u.name,
        name_bytes: u.name_bytes,
        uid: 0,
        privilege: fields.privilege,
        card: u32::try_from(u.card.unwrap_or(0)).unwrap_or(0),
    };
    (user, fields)
}

/// 3.x real-time events: those that identified someone are punches
/// (`inoutstatus` is the keypad state); door and alarm events are counted.
fn rtlog(at: &Served<'_>, body: &[u8]) -> Upload {
    let parsed = parse_rtlog(body);
    let mut up = Upload::new(at, PushCall::Punches);
    let lines = record_lines(body, &parsed.errors);
    let mut errors = parsed.errors;
    let mut events = 0;
    for (line, e) in lines.zip(&parsed.records) {
        if !e.is_punch() {
            events += 1;
            continue;
        }
        match rt_punch(at.zone, e) {
            Ok(p) => up.record.punches.push(p),
            Err(reason) => errors.push(LineError { line, reason }),
        }
    }
    up.record.records_read = count(parsed.records.len() + errors.len());
    up.record.reason = line_errors(errors);
    up.record.detail = (events > 0).then(|| format!("{events} door or alarm events (not kept)"));
    up
}

fn rt_punch(zone: &Zone, e: &RtLog) -> Result<NewPunch, String> {
    let (device_time, punched_at) = instant(zone, e.time)?;
    Ok(NewPunch {
        enroll_id: e.pin.clone(),
        device_time,
        punched_at,
        status: small("verify type", e.verify.code())?,
        punch_type: e.in_out.unwrap_or(0),
        uid: 0,
    })
}

/// 3.x table uploads: users become employees; other tables are counted.
/// The answer is `<tablename>=<n>` (SEC §7).
fn tabledata(at: &Served<'_>, body: &[u8], name: &str, how: &NameDecoding) -> Upload {
    let parsed = parse_tabledata(body, how);
    let handled = parsed.lines_handled();
    let mut up = Upload::new(at, PushCall::Users);
    let mut others = 0;
    for r in parsed.records {
        match r {
            TableRecord::User(u) => up.add_user(u),
            TableRecord::Other { .. } => others += 1,
        }
    }
    if up.record.users.is_empty() {
        up.record.call = PushCall::OtherData;
    }
    up.record.records_read = count(handled);
    up.record.reason = line_errors(parsed.errors);
    up.record.detail = (others > 0).then(|| format!("{others} {name} records (not kept)"));
    up.answer = security::tabledata_reply(name, handled);
    up
}

/// Photos, templates, ID cards, error logs: acknowledged, counted, not kept
/// (Punchclock keeps punches and names, not biometrics).
fn other_table(at: &Served<'_>, body: &[u8], table: &Table) -> Upload {
    let n = numbered(body).count();
    let mut up = Upload::new(at, PushCall::OtherData);
    up.record.records_read = count(n);
    up.record.detail = Some(format!("{n} {} records (not kept)", table_name(table)));
    up.answer = reply::ok_count(n);
    up
}

fn table_name(table: &Table) -> String {
    match table {
        Table::AttPhoto => "attendance photo".into(),
        Table::BioData => "biometric template".into(),
        Table::IdCard => "ID card".into(),
        Table::ErrorLog => "error log".into(),
        Table::Other(name) => name.chars().take(20).collect(),
        _ => "other".into(),
    }
}

/// Line numbers of the records a parser returned: the non-blank lines it
/// did not refuse, in order.
fn record_lines<'a>(body: &'a [u8], errors: &[LineError]) -> impl Iterator<Item = usize> + 'a {
    let refused: Vec<usize> = errors.iter().map(|e| e.line).collect();
    numbered(body).filter(move |l| !refused.contains(l))
}

/// Line numbers of the non-blank lines, as the parsers count them.
fn numbered(body: &[u8]) -> impl Iterator<Item = usize> + '_ {
    body.split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, l)| !l.iter().all(|b| b.is_ascii_whitespace()))
        .map(|(i, _)| i + 1)
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The reason a log row gives for lines that were not stored.
fn line_errors(mut errors: Vec<LineError>) -> Option<PollReason> {
    if errors.is_empty() {
        return None;
    }
    errors.sort_by_key(|e| e.line);
    let shown: Vec<String> = errors
        .iter()
        .take(ERRORS_SHOWN)
        .map(ToString::to_string)
        .collect();
    let more = errors.len().saturating_sub(ERRORS_SHOWN);
    let tail = if more > 0 {
        format!("; and {more} more")
    } else {
        String::new()
    };
    let lines = match errors.len() {
        1 => "1 line was".to_string(),
        n => format!("{n} lines were"),
    };
    Some(PollReason::new(
        PollFailure::UnreadableRecords,
        format!(
            "{lines} not understood and skipped, the rest stored: {}{tail}",
            shown.join("; ")
        ),
    ))
}
