//! The device's side of the push protocol: what a clock writes and how it
//! reads the server's commands. Used by the simulator, and by tests that
//! check the server side against it.

use super::attlog::AttLog;
use super::command::{Command, UserUpdate};
use super::time::{format_time, parse_time};
use crate::DeviceTime;

/// One ATTLOG line (no line end): PIN, time, status, verify, work code and
/// the two reserved columns, as real devices send them (adms-push.md §3.1).
pub fn attlog_line(p: &AttLog) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\t0\t0",
        p.pin,
        format_time(p.time),
        p.status,
        p.verify.code(),
        p.work_code
    )
}

/// One OPERLOG `USER` line as bytes: the name is already in the device's
/// encoding (adms-push.md §3.3).
pub fn user_line(pin: &str, name: &[u8], privilege: u8, card: Option<u64>, group: u32) -> Vec<u8> {
    let card = card.map(|c| c.to_string()).unwrap_or_default();
    let mut line = format!("USER PIN={pin}\tName=").into_bytes();
    line.extend_from_slice(name);
    line.extend_from_slice(
        format!(
            "\tPri={privilege}\tPasswd=\tCard={card}\tGrp={group}\tTZ=0000000000000000\tVerify=0"
        )
        .as_bytes(),
    );
    line
}

/// A `C:<id>:<command>` line split into id and command text.
pub fn split_command_line(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim_end_matches('\r').strip_prefix("C:")?;
    let (id, text) = rest.split_once(':')?;
    (!id.is_empty()).then_some((id, text))
}

/// Read a command text back (the inverse of [`Command::text`]); `None`
/// for commands this reader does not know.
pub fn parse_command(text: &str) -> Option<Command> {
    let (head, args) = split_head(text);
    let field = |key: &str| -> Option<String> {
        args.split('\t')
            .filter_map(|f| f.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(key))
            .map(|(_, v)| v.to_string())
    };
    Some(match head {
        "DATA QUERY ATTLOG" => Command::QueryAttLog {
            start: parse_time(&field("StartTime")?)?,
            end: parse_time(&field("EndTime")?)?,
        },
        "DATA QUERY USERINFO" => Command::QueryUsers {
            pin: field("PIN").filter(|p| !p.is_empty()),
        },
        "DATA UPDATE USERINFO" => Command::UpdateUser(UserUpdate {
            pin: field("PIN")?,
            name: field("Name").unwrap_or_default(),
            privilege: field("Pri").and_then(|p| p.parse().ok()).unwrap_or(0),
            password: field("Passwd").unwrap_or_default(),
            card: field("Card").and_then(|c| c.parse().ok()),
            group: field("Grp").and_then(|g| g.parse().ok()).unwrap_or(1),
        }),
        "DATA DELETE USERINFO" => Command::DeleteUser { pin: field("PIN")? },
        "SET OPTIONS" => {
            let n: u32 = field("DateTime")?.trim().parse().ok()?;
            Command::SetDateTime(DeviceTime::decode(n).ok()?)
        }
        "CHECK" => Command::Check,
        "INFO" => Command::Info,
        "REBOOT" => Command::Reboot,
        _ => return None,
    })
}

/// `DATA QUERY ATTLOG StartTime=…` → ("DATA QUERY ATTLOG", "StartTime=…"):
/// the head is the words before the first `KEY=`.
fn split_head(text: &str) -> (&str, &str) {
    let mut end = text.len();
    for (i, _) in text.match_indices(' ') {
        let next = &text[i + 1..];
        let word = next.split([' ', '\t']).next().unwrap_or("");
        if word.contains('=') {
            end = i;
            break;
        }
    }
    (&text[..end], text[end..].trim_start())
}

/// The echo a device puts in `CMD=` for a command (adms-push.md §4.2).
pub fn command_echo(text: &str) -> &str {
    let head = text.split([' ', '\t']).next().unwrap_or(text);
    match head {
        "DATA" => "DATA",
        "SET" => "SET OPTION",
        _ => head,
    }
}

/// One devicecmd result line.
pub fn result_line(id: &str, code: i32, cmd: &str) -> String {
    format!("ID={id}&Return={code}&CMD={cmd}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::push::command::CommandId;

    #[test]
    fn commands_read_back_as_written() {
        let t = |h| DeviceTime::new(2025, 3, 1, h, 0, 0).unwrap();
        let cmds = [
            Command::QueryAttLog {
                start: t(0),
                end: t(23),
            },
            Command::QueryUsers { pin: None },
            Command::QueryUsers {
                pin: Some("7".into()),
            },
            Command::UpdateUser(UserUpdate {
                pin: "7".into(),
                name: "Ana María".into(),
                privilege: 14,
                password: "12".into(),
                card: Some(99),
                group: 2,
            }),
            Command::DeleteUser { pin: "7".into() },
            Command::SetDateTime(t(8)),
            Command::Check,
            Command::Info,
            Command::Reboot,
        ];
        for c in cmds {
            let line = format!("C:{}:{}", CommandId::from(5), c.text().unwrap());
            let (id, text) = split_command_line(&line).unwrap();
            assert_eq!(id, "5");
            assert_eq!(parse_command(text), Some(c), "{text}");
        }
        assert_eq!(parse_command("USER ADD PIN=1"), None);
        assert_eq!(command_echo("DATA UPDATE USERINFO PIN=1"), "DATA");
        assert_eq!(command_echo("SET OPTIONS DateTime=1"), "SET OPTION");
        assert_eq!(command_echo("CHECK"), "CHECK");
        assert_eq!(split_command_line("OK"), None);
    }
}
