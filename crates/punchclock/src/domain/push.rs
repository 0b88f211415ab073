//! Push mode (ADMS / iclock): devices that call us. What one call
//! produced (recorded by `Store::record_push`), the commands queued for a
//! device, and serials nobody has claimed.

use std::time::Duration;

use jiff::{civil, Timestamp};
use serde::{Deserialize, Serialize};

use super::{
    CompanyId, Device, DeviceId, DeviceMode, DeviceStatus, DeviceUser, NewPunch, Outcome,
    PollFailure, PollReason,
};
use super::{NameSetting, UnknownZone, Zone};

/// A push device's status judged at `now`: online when it called within
/// 3× its `Delay`, else offline with the reason in plain words (times in
/// `tz`); waiting until its first call. A polled device is left as stored.
pub fn judge_presence(
    device: &mut Device,
    now: Timestamp,
    default_delay: u32,
    tz: &jiff::tz::TimeZone,
) {
    if device.mode != DeviceMode::Push {
        return;
    }
    let Some(last) = device.push.last_seen.or(device.push.handshake_at) else {
        device.status = DeviceStatus::Pending;
        return;
    };
    let delay = device.push.delay_seconds.unwrap_or(default_delay).max(1);
    let silent = now.duration_since(last).as_secs() > 3 * i64::from(delay);
    if !silent {
        device.status = DeviceStatus::Online;
        if device.last_error_code == Some(PollFailure::Silent) {
            device.last_error = None;
            device.last_error_code = None;
        }
        return;
    }
    device.status = DeviceStatus::Offline;
    let reason = silence_reason(last, now, tz);
    device.last_error = Some(reason.message);
    device.last_error_code = Some(reason.code);
}

/// "the device has not called since 09:12: check …" (the date too when
/// it was not today).
pub fn silence_reason(last: Timestamp, now: Timestamp, tz: &jiff::tz::TimeZone) -> PollReason {
    let last = last.to_zoned(tz.clone());
    let same_day = last.date() == now.to_zoned(tz.clone()).date();
    let when = match same_day {
        true => last.strftime("%H:%M").to_string(),
        false => last.strftime("%-d %b %Y %H:%M").to_string(),
    };
    PollReason::new(
        PollFailure::Silent,
        format!(
            "the device has not called since {when}: check its network and its Cloud \
             Server Setting (server address and port)"
        ),
    )
}

/// What answering a push device needs: the device that claimed its
/// serial, with its zone resolved and its protocol state.
#[derive(Debug, Clone)]
pub struct PushTarget {
    pub device_id: DeviceId,
    pub company_id: CompanyId,
    pub name: String,
    pub mode: DeviceMode,
    pub enabled: bool,
    /// The claimed serial (upper case); punches are keyed by it.
    pub serial: String,
    /// Device zone, or the company's; an unknown stored name stays the
    /// error, so the device log says so instead of guessing UTC.
    pub timezone: Result<Zone, UnknownZone>,
    pub language: Option<u16>,
    /// The owner's name-encoding setting (`auto`: the language's code page).
    pub name_encoding: NameSetting,
    pub push_version: Option<String>,
    /// SHA-256 (hex) of the key bound on first claim.
    pub key_hash: Option<String>,
    pub source_address: Option<String>,
    pub pending_source_address: Option<String>,
    pub lock_source: bool,
    pub attlog_stamp: Option<String>,
    pub operlog_stamp: Option<String>,
    pub registry_code: Option<String>,
    pub session_id: Option<String>,
    pub handshake_at: Option<Timestamp>,
    /// A command is queued or sent and not finished (read with the rest):
    /// only then does a poll look for due commands.
    pub commands_waiting: bool,
}

text_enum!(
    /// What a push device called, as its device-log row names it.
    PushCall {
        /// `GET cdata?options=all`: the device asked for its options.
        Handshake => "handshake",
        /// 3.x `POST registry`.
        Registry => "registry",
        /// Punches (`table=ATTLOG`, or 3.x `rtlog`).
        Punches => "punches",
        /// Users and operations (`table=OPERLOG`, 3.x `tabledata`).
        Users => "users",
        /// Photos, templates and other tables we acknowledge and drop.
        OtherData => "other_data",
        /// `POST devicecmd`: results of commands.
        CommandResults => "command_results",
        /// The source address changed, or was refused.
        Source => "source",
        /// A request refused (wrong key, malformed).
        Refused => "refused",
    }
);

/// What the handshake told us and what we answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushHello {
    pub push_version: Option<String>,
    pub language: Option<u16>,
    /// The `Delay` (or 3.x `RequestDelay`) we answered.
    pub delay_seconds: u32,
}

/// Everything one push request produced, recorded in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRecord {
    pub call: PushCall,
    pub received_at: Timestamp,
    pub duration: Duration,
    /// The source address of the request.
    pub source: String,
    pub outcome: Outcome,
    /// Line errors or a refusal, in plain words, with their code.
    pub reason: Option<PollReason>,
    /// What else the device reported (operations, command results).
    pub detail: Option<String>,
    pub hello: Option<PushHello>,
    pub users: Vec<DeviceUser>,
    pub punches: Vec<NewPunch>,
    /// Records read from the body (punches, users and others).
    pub records_read: u32,
    /// The resume stamp the upload carried: (`ATTLOG` or `OPERLOG`, value).
    pub stamp: Option<(StampTable, String)>,
}

impl PushRecord {
    /// A record of `call` with nothing in it yet.
    pub fn new(call: PushCall, received_at: Timestamp, source: String) -> PushRecord {
        PushRecord {
            call,
            received_at,
            duration: Duration::ZERO,
            source,
            outcome: Outcome::Ok,
            reason: None,
            detail: None,
            hello: None,
            users: Vec::new(),
            punches: Vec::new(),
            records_read: 0,
            stamp: None,
        }
    }
}

text_enum!(
    /// The tables whose upload stamps the handshake hands back.
    StampTable {
        AttLog => "attlog",
        OperLog => "operlog",
    }
);

id_type!(
    /// Id of a queued push command; also the id the device echoes.
    PushCommandId
);

text_enum!(
    /// Where a command is in its life.
    PushCommandState {
        Queued => "queued",
        /// Handed out; waiting for its devicecmd result.
        Sent => "sent",
        Done => "done",
        Failed => "failed",
    }
);

/// A user record as the device holds it, read back before a change so
/// the fields we do not change are sent as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceUserFields {
    pub privilege: u8,
    /// Cleared once the command is finished: never kept longer.
    pub password: String,
    pub card: Option<u64>,
    pub group: u32,
}

/// A command for a push device, with its arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PushCommandArgs {
    /// Set the device clock to ours (in the device's zone).
    SetClock,
    /// Send again the punches between two device times (backfill).
    QueryAttLog {
        from: civil::DateTime,
        to: civil::DateTime,
    },
    /// Send users: one enroll id, or all.
    QueryUsers { enroll_id: Option<String> },
    /// Write an employee's name to the device. The user is read first
    /// (`current` is `None` until it arrives), so nothing else changes.
    UpdateUser {
        enroll_id: String,
        name: String,
        current: Option<DeviceUserFields>,
    },
}

impl PushCommandArgs {
    /// The stored `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            PushCommandArgs::SetClock => "set_clock",
            PushCommandArgs::QueryAttLog { .. } => "query_attlog",
            PushCommandArgs::QueryUsers { .. } => "query_users",
            PushCommandArgs::UpdateUser { .. } => "update_user",
        }
    }

    /// What it does, in plain words.
    pub fn describe(&self) -> String {
        match self {
            PushCommandArgs::SetClock => "set the clock".into(),
            PushCommandArgs::QueryAttLog { from, to } => {
                format!("send punches from {from} to {to} again")
            }
            PushCommandArgs::QueryUsers { enroll_id: None } => "send all users".into(),
            PushCommandArgs::QueryUsers {
                enroll_id: Some(id),
            } => format!("send user {id}"),
            PushCommandArgs::UpdateUser {
                enroll_id, name, ..
            } => {
                format!("set the name of user {enroll_id} to {name:?}")
            }
        }
    }

    /// The same command without secrets (stored once it is finished).
    pub fn redacted(&self) -> PushCommandArgs {
        match self {
            PushCommandArgs::UpdateUser {
                enroll_id,
                name,
                current,
            } => PushCommandArgs::UpdateUser {
                enroll_id: enroll_id.clone(),
                name: name.clone(),
                current: current.as_ref().map(|c| DeviceUserFields {
                    password: String::new(),
                    ..c.clone()
                }),
            },
            other => other.clone(),
        }
    }
}

/// A queued (or finished) command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushCommand {
    pub id: PushCommandId,
    pub device_id: DeviceId,
    pub args: PushCommandArgs,
    pub state: PushCommandState,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub return_code: Option<i32>,
    /// The device's answer in plain words.
    pub result: Option<String>,
}

/// A serial that called without any company having claimed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnclaimedDevice {
    pub serial_number: String,
    pub source_address: String,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    pub requests: u64,
    pub push_version: Option<String>,
    pub device_type: Option<String>,
}
