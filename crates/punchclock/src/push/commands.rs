//! Commands: `getrequest` hands out what the owner queued (at most 200
//! commands and 40 KB, in the device's text encoding), `devicecmd` records
//! the results. A device only ever sees and finishes its own commands.

use std::time::Instant;

use jiff::SignedDuration;
use zk_protocol::push::results::return_meaning;
use zk_protocol::push::{
    format_batch, parse_results, reply, text, Command, CommandId, CommandResult, PushRequest,
    UserUpdate,
};
use zk_protocol::DeviceLanguage;

use super::claim::Served;
use super::{Inner, Reply};
use crate::domain::device_time::from_civil;
use crate::domain::{
    DeviceInfo, PushCall, PushCommand, PushCommandArgs, PushCommandId, PushCommandState, PushRecord,
};
use crate::store::CommandFinish;

/// Handed out until the device has had our options: it then handshakes,
/// which gives it our `TimeZone`, `Delay` and the time. Its result is
/// ignored.
const LEARN_OPTIONS: &[u8] = b"C:hello:CHECK\n";

impl Inner {
    /// `GET getrequest`: queued commands, or `OK`.
    pub(super) async fn poll(
        &self,
        at: &Served<'_>,
        req: &PushRequest,
        info: Option<&zk_protocol::push::DeviceInfo>,
    ) -> Reply {
        let t = at.target;
        if let Some(info) = info {
            self.store_info(at, info).await;
        }
        if t.handshake_at.is_none() {
            return Reply::ok(LEARN_OPTIONS);
        }
        if !t.commands_waiting {
            // Nearly every poll: nothing queued, nothing more to read.
            return Reply::ok(reply::OK);
        }
        let resend_before = at.now
            - SignedDuration::try_from(self.settings.command_resend_after())
                .unwrap_or(SignedDuration::from_secs(600));
        let due = match self
            .store
            .push_commands_due(t.device_id, resend_before, 200)
            .await
        {
            Ok(due) => due,
            Err(e) => {
                tracing::warn!(device = %t.device_id, "push: reading commands: {e}");
                return Reply::ok(reply::OK);
            }
        };
        if due.is_empty() {
            return Reply::ok(reply::OK);
        }
        self.hand_out(at, req, due).await
    }

    async fn hand_out(&self, at: &Served<'_>, req: &PushRequest, due: Vec<PushCommand>) -> Reply {
        let t = at.target;
        let security = req.device.push_version.is_some_and(|v| v.is_security());
        let mut batch = Vec::new();
        for cmd in &due {
            match wire_command(&cmd.args, at, security) {
                Some(wire) => batch.push((CommandId::from(cmd.id.0 as u64), wire)),
                None => self.fail(at, cmd.id, "cannot be sent to this device").await,
            }
        }
        let enc = text::outgoing(t.language.map(DeviceLanguage), t.name_encoding.encoding());
        let ids: Vec<PushCommandId> = due.iter().map(|c| c.id).collect();
        match format_batch(&batch, enc) {
            Ok(out) => {
                let sent: Vec<PushCommandId> = batch[..out.sent]
                    .iter()
                    .filter_map(|(id, _)| id.as_str().parse().ok().map(PushCommandId))
                    .collect();
                if let Err(e) = self
                    .store
                    .mark_push_commands_sent(t.device_id, &sent, at.now)
                    .await
                {
                    tracing::warn!(device = %t.device_id, "push: marking commands sent: {e}");
                    return Reply::ok(reply::OK);
                }
                Reply::ok(out.body)
            }
            Err((i, e)) => {
                // That one can never be sent; the rest go at the next poll.
                let id = batch.get(i).and_then(|(id, _)| id.as_str().parse().ok());
                let id = id.map(PushCommandId).unwrap_or(ids[0]);
                self.fail(at, id, &e.to_string()).await;
                Reply::ok(reply::OK)
            }
        }
    }

    async fn fail(&self, at: &Served<'_>, id: PushCommandId, why: &str) {
        let finish = CommandFinish {
            id,
            state: PushCommandState::Failed,
            return_code: -1,
            result: why.to_string(),
            at: at.now,
        };
        if let Err(e) = self
            .store
            .finish_push_command(at.target.device_id, &finish)
            .await
        {
            tracing::warn!(device = %at.target.device_id, "push: failing a command: {e}");
        }
    }

    /// What the device says about itself when it polls.
    async fn store_info(&self, at: &Served<'_>, info: &zk_protocol::push::DeviceInfo) {
        let info = DeviceInfo {
            firmware: info.firmware.clone(),
            user_count: info.users,
            punch_count: info.punches,
            ..DeviceInfo::default()
        };
        let t = at.target;
        if let Err(e) = self
            .store
            .set_device_info(t.company_id, t.device_id, &info)
            .await
        {
            tracing::warn!(device = %t.device_id, "push: storing device info: {e}");
        }
    }

    /// `POST devicecmd`: each result finishes its command; the log row
    /// says what was done.
    pub(super) async fn results(&self, at: &Served<'_>, body: &[u8]) -> Reply {
        let started = Instant::now();
        let how = text::decoding(
            at.target.language.map(DeviceLanguage),
            at.target.name_encoding.encoding(),
        );
        let parsed = parse_results(body, &how);
        let mut done = Vec::new();
        for r in &parsed.records {
            if let Some(line) = self.finish(at, r).await {
                done.push(line);
            }
        }
        let mut record = PushRecord::new(PushCall::CommandResults, at.now, at.source.clone());
        record.records_read = parsed.lines_handled() as u32;
        record.detail = (!done.is_empty()).then(|| done.join("; "));
        record.reason = (!parsed.errors.is_empty()).then(|| {
            let lines: Vec<String> = parsed
                .errors
                .iter()
                .take(5)
                .map(ToString::to_string)
                .collect();
            crate::domain::PollReason::new(
                crate::domain::PollFailure::Protocol,
                format!("command results not understood: {}", lines.join("; ")),
            )
        });
        match self.commit(at, record, started).await {
            Ok(_) => Reply::ok(reply::OK),
            Err(reply) => reply,
        }
    }

    /// Finishes one command; `None` for results that are not ours.
    async fn finish(&self, at: &Served<'_>, r: &CommandResult) -> Option<String> {
        let id = PushCommandId(r.id.parse().ok()?);
        let device = at.target.device_id;
        let cmd = self.store.push_command(device, id).await.ok()??;
        if cmd.state != PushCommandState::Sent {
            return None; // a result sent twice
        }
        let reading = matches!(cmd.args, PushCommandArgs::UpdateUser { current: None, .. });
        if reading && r.succeeded() {
            // The user's record comes as an OPERLOG upload; the name is
            // written once it is here.
            return Some(format!("{}: reading the user first", cmd.args.describe()));
        }
        let state = match r.succeeded() {
            true => PushCommandState::Done,
            false => PushCommandState::Failed,
        };
        let meaning = return_meaning(r.code);
        let finish = CommandFinish {
            id,
            state,
            return_code: r.code,
            result: format!("{meaning} (code {})", r.code),
            at: at.now,
        };
        match self.store.finish_push_command(device, &finish).await {
            Ok(_) => Some(format!("{}: {meaning}", cmd.args.describe())),
            Err(e) => {
                tracing::warn!(device = %device, "push: finishing a command: {e}");
                None
            }
        }
    }
}

/// The protocol command for a queued one. `None` if it cannot be sent
/// (a time outside what devices hold).
fn wire_command(args: &PushCommandArgs, at: &Served<'_>, security: bool) -> Option<Command> {
    Some(match args {
        // 2.x has no set-time command: CHECK makes it handshake again and
        // take the Date header and TimeZone (notes-proto.md).
        PushCommandArgs::SetClock if !security => Command::Check,
        PushCommandArgs::SetClock => Command::SetDateTime(local_now(at)?),
        PushCommandArgs::QueryAttLog { from, to } => Command::QueryAttLog {
            start: from_civil(*from)?,
            end: from_civil(*to)?,
        },
        PushCommandArgs::QueryUsers { enroll_id } => Command::QueryUsers {
            pin: enroll_id.clone(),
        },
        PushCommandArgs::UpdateUser {
            enroll_id,
            current: None,
            ..
        } => Command::QueryUsers {
            pin: Some(enroll_id.clone()),
        },
        PushCommandArgs::UpdateUser {
            enroll_id,
            name,
            current: Some(c),
        } => Command::UpdateUser(UserUpdate {
            pin: enroll_id.clone(),
            name: name.clone(),
            privilege: c.privilege,
            password: c.password.clone(),
            card: c.card,
            group: c.group,
        }),
    })
}

fn local_now(at: &Served<'_>) -> Option<zk_protocol::DeviceTime> {
    from_civil(at.now.to_zoned(at.zone.tz().clone()).datetime())
}
