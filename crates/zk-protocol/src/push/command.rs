//! Commands handed out on `getrequest` as `C:<id>:<command>` lines
//! (adms-push.md §4.1, §4.3).

use super::time::format_time;
use crate::names::{NameEncoding, Unrepresentable};
use crate::DeviceTime;

/// A command id: 1–16 letters or digits (A40), echoed back in `devicecmd`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommandId(String);

impl CommandId {
    pub fn parse(s: &str) -> Result<CommandId, CommandError> {
        let ok = !s.is_empty() && s.len() <= 16 && s.bytes().all(|b| b.is_ascii_alphanumeric());
        ok.then(|| CommandId(s.to_string()))
            .ok_or_else(|| CommandError::BadId(s.chars().take(20).collect()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<u64> for CommandId {
    fn from(n: u64) -> Self {
        CommandId(n.to_string())
    }
}

impl std::fmt::Display for CommandId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A user to add or change on the device (`DATA UPDATE USERINFO`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserUpdate {
    pub pin: String,
    pub name: String,
    /// 0 user, 14 super admin (A40).
    pub privilege: u8,
    pub password: String,
    /// Decimal card number; `None` = no card.
    pub card: Option<u64>,
    pub group: u32,
}

/// A command the server queues for a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Re-send the punches in a window (backfill); they arrive as normal
    /// ATTLOG uploads (A40 §12.4).
    QueryAttLog {
        start: DeviceTime,
        end: DeviceTime,
    },
    /// Send users (all when `pin` is `None`, U320); they arrive as OPERLOG
    /// `USER` lines.
    QueryUsers {
        pin: Option<String>,
    },
    /// Add or change a user. Real firmware rejects `USER ADD` (§4.3).
    UpdateUser(UserUpdate),
    DeleteUser {
        pin: String,
    },
    /// Re-read the server options: a new handshake, whose `Date` header and
    /// `TimeZone` set the clock of 2.x devices (A40 §6).
    Check,
    /// Set the clock of a 3.x device to a device-local time (SEC appendix 5).
    SetDateTime(DeviceTime),
    Info,
    Reboot,
}

/// A command that cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error("command id {0:?} is not 1-16 letters or digits")]
    BadId(String),
    /// TAB, LF or other control characters would inject fields or lines.
    #[error("{field} contains a TAB, line break or other control character")]
    ControlCharacter { field: &'static str },
    #[error("{field} is empty")]
    Empty { field: &'static str },
    #[error("{0}")]
    Unrepresentable(#[from] Unrepresentable),
    #[error("time {0} cannot be sent (only 2000-2099)")]
    TimeOutOfRange(String),
}

fn field(name: &'static str, value: &str) -> Result<(), CommandError> {
    if value.chars().any(char::is_control) {
        return Err(CommandError::ControlCharacter { field: name });
    }
    Ok(())
}

fn required(name: &'static str, value: &str) -> Result<(), CommandError> {
    field(name, value)?;
    if value.trim().is_empty() {
        return Err(CommandError::Empty { field: name });
    }
    Ok(())
}

impl Command {
    /// The command text after `C:<id>:`.
    pub fn text(&self) -> Result<String, CommandError> {
        Ok(match self {
            Command::QueryAttLog { start, end } => format!(
                "DATA QUERY ATTLOG StartTime={}\tEndTime={}",
                format_time(*start),
                format_time(*end)
            ),
            Command::QueryUsers { pin: None } => "DATA QUERY USERINFO".into(),
            Command::QueryUsers { pin: Some(pin) } => {
                required("PIN", pin)?;
                format!("DATA QUERY USERINFO PIN={pin}")
            }
            Command::UpdateUser(u) => update_user(u)?,
            Command::DeleteUser { pin } => {
                required("PIN", pin)?;
                format!("DATA DELETE USERINFO PIN={pin}")
            }
            Command::Check => "CHECK".into(),
            Command::SetDateTime(t) => {
                let n = t
                    .encode()
                    .map_err(|_| CommandError::TimeOutOfRange(t.to_string()))?;
                format!("SET OPTIONS DateTime={n}")
            }
            Command::Info => "INFO".into(),
            Command::Reboot => "REBOOT".into(),
        })
    }
}

fn update_user(u: &UserUpdate) -> Result<String, CommandError> {
    required("PIN", &u.pin)?;
    field("name", &u.name)?;
    field("password", &u.password)?;
    let card = u.card.map(|c| c.to_string()).unwrap_or_default();
    Ok(format!(
        "DATA UPDATE USERINFO PIN={}\tName={}\tPri={}\tPasswd={}\tCard={}\tGrp={}",
        u.pin, u.name, u.privilege, u.password, card, u.group
    ))
}

/// Limits on one `getrequest` answer (U320 §2.4.5; IC2010 used the same).
pub const MAX_COMMANDS: usize = 200;
pub const MAX_BYTES: usize = 40 * 1024;

/// A `getrequest` answer and how many of the queued commands it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandBatch {
    /// The response body, in the device's text encoding; `OK` when empty.
    pub body: Vec<u8>,
    /// How many commands from the front of the queue went out.
    pub sent: usize,
}

/// Format queued commands for `getrequest`: one `C:<id>:<cmd>` line each,
/// in `enc` (GB2312 on Chinese devices, else UTF-8; adms-push.md §1), at
/// most 200 commands and 40 KB, nothing after a `REBOOT` (U320 §6). A
/// command that cannot be formatted stops the batch with its error, so the
/// caller can mark it failed and never resend it.
pub fn format_batch(
    queue: &[(CommandId, Command)],
    enc: NameEncoding,
) -> Result<CommandBatch, (usize, CommandError)> {
    let mut body = Vec::new();
    let mut sent = 0;
    for (i, (id, cmd)) in queue.iter().enumerate().take(MAX_COMMANDS) {
        let line = format!("C:{id}:{}\n", cmd.text().map_err(|e| (i, e))?);
        let bytes = enc.encode(&line).map_err(|e| (i, e.into()))?;
        if body.len() + bytes.len() > MAX_BYTES && sent > 0 {
            break;
        }
        body.extend_from_slice(&bytes);
        sent += 1;
        if *cmd == Command::Reboot {
            break;
        }
    }
    if sent == 0 {
        body = b"OK".to_vec();
    }
    Ok(CommandBatch { body, sent })
}
