//! Running the commands a `getrequest` answer hands out, as a clock would.

use super::spec::PushUser;
use super::state::{queue_user, upsert_user, PushStats, Shared};
use zk_protocol::push::{device, Command};
use zk_protocol::NameDecoding;

/// What running a batch asks of the device loop.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct After {
    /// CHECK or REBOOT: handshake again (which also sets the clock).
    pub(crate) handshake: bool,
}

/// Run every `C:<id>:<cmd>` line of a getrequest body; queue their results
/// (and any records they ask for).
pub(crate) fn run_batch(dev: &Shared, body: &[u8]) -> After {
    let text = NameDecoding::with_setting(dev.encoding).decode_text(body);
    let mut after = After::default();
    for line in text.lines() {
        let Some((id, cmd_text)) = device::split_command_line(line) else {
            continue;
        };
        let cmd = device::parse_command(cmd_text);
        let code = match &cmd {
            Some(cmd) => run(dev, cmd, &mut after),
            None => -1002, // "not supported", as real firmware answers USER ADD
        };
        let mut result = device::result_line(id, code, device::command_echo(cmd_text));
        if cmd == Some(Command::Info) {
            result.push_str(&info_lines(dev));
        }
        dev.lock().results_out.push(result);
        PushStats::add(&dev.stats.commands_run, 1);
        if cmd_text == "REBOOT" {
            break; // nothing after REBOOT runs (U320 §6)
        }
    }
    after
}

fn run(dev: &Shared, cmd: &Command, after: &mut After) -> i32 {
    let mut s = dev.lock();
    match cmd {
        Command::QueryAttLog { start, end } => {
            let hits: Vec<_> = s
                .log
                .iter()
                .filter(|p| p.time >= *start && p.time <= *end)
                .cloned()
                .collect();
            s.attlog_out.extend(hits);
            dev.wake.notify_one();
            0
        }
        Command::QueryUsers { pin } => {
            let users: Vec<PushUser> = s
                .users
                .iter()
                .filter(|u| pin.as_ref().is_none_or(|p| &u.pin == p))
                .cloned()
                .collect();
            if users.is_empty() && pin.is_some() {
                return -10; // PIN not on the device
            }
            users
                .iter()
                .for_each(|u| queue_user(&mut s, dev.encoding, u));
            dev.wake.notify_one();
            0
        }
        Command::UpdateUser(u) => {
            let user = PushUser {
                pin: u.pin.clone(),
                name: u.name.clone(),
                privilege: u.privilege,
                card: u.card,
                group: u.group,
            };
            // The device stores the user; it reports it back as ChgUser.
            upsert_user(&mut s, dev.encoding, user);
            0
        }
        Command::DeleteUser { pin } => {
            let before = s.users.len();
            s.users.retain(|u| &u.pin != pin);
            if s.users.len() == before {
                -10
            } else {
                0
            }
        }
        Command::SetDateTime(t) => {
            s.clock.set_local(*t);
            0
        }
        Command::Check | Command::Reboot => {
            after.handshake = true;
            0
        }
        Command::Info => 0,
    }
}

/// The `Key=Value` lines that follow an INFO result (adms-push.md §4.2).
fn info_lines(dev: &Shared) -> String {
    let s = dev.lock();
    format!(
        "\n~DeviceName=PushSim\nUserCount={}\nTransactionCount={}\nLanguage={}\nPushVersion={}",
        s.users.len(),
        s.log.len(),
        dev.language,
        dev.push_version.as_deref().unwrap_or("")
    )
}
