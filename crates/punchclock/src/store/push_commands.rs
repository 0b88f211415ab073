//! Commands queued for push devices: queued by the owner, handed out on
//! `getrequest`, finished by their `devicecmd` result. A device can only
//! ever see and finish its own commands.

use jiff::Timestamp;

use super::{opt_int, opt_ts, placeholders, secs, ts, Result, Store, StoreError};
use crate::domain::{
    CompanyId, DeviceId, DeviceUserFields, PushCommand, PushCommandArgs, PushCommandId,
    PushCommandState,
};

const COLS: &str =
    "id, device_id, args, state, created_at, sent_at, finished_at, return_code, result";

#[derive(sqlx::FromRow)]
struct CommandRow {
    id: i64,
    device_id: i64,
    args: String,
    state: String,
    created_at: i64,
    sent_at: Option<i64>,
    finished_at: Option<i64>,
    return_code: Option<i64>,
    result: Option<String>,
}

impl TryFrom<CommandRow> for PushCommand {
    type Error = StoreError;
    fn try_from(r: CommandRow) -> Result<PushCommand> {
        Ok(PushCommand {
            id: PushCommandId(r.id),
            device_id: DeviceId(r.device_id),
            args: parse_args(&r.args, r.id)?,
            state: r.state.parse()?,
            created_at: ts(r.created_at)?,
            sent_at: opt_ts(r.sent_at)?,
            finished_at: opt_ts(r.finished_at)?,
            return_code: opt_int(r.return_code, "push_commands.return_code")?,
            result: r.result,
        })
    }
}

fn parse_args(text: &str, row: i64) -> Result<PushCommandArgs> {
    serde_json::from_str(text).map_err(|e| StoreError::corrupt("push_commands.args", Some(row), e))
}

fn args_text(args: &PushCommandArgs) -> String {
    // Serialising plain data cannot fail.
    serde_json::to_string(args).unwrap_or_default()
}

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandFinish {
    pub id: PushCommandId,
    pub state: PushCommandState,
    pub return_code: i32,
    pub result: String,
    pub at: Timestamp,
}

impl Store {
    /// Queues a command for a device of this company.
    pub async fn queue_push_command(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
        args: &PushCommandArgs,
    ) -> Result<PushCommand> {
        let now = self.now();
        let row: CommandRow = with_pool!(self, |pool| {
            let mut q = insert_into!("push_commands" {
                company_id: company_id.0,
                device_id: device_id.0,
                kind: args.kind(),
                args: args_text(args),
                state: PushCommandState::Queued.as_str(),
                created_at: now,
            });
            q.push(format!(" RETURNING {COLS}"));
            q.build_query_as().fetch_one(pool).await?
        });
        row.try_into()
    }

    /// A device's commands, newest first (for its page).
    pub async fn list_push_commands(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
        limit: u32,
    ) -> Result<Vec<PushCommand>> {
        let rows: Vec<CommandRow> = with_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "SELECT {COLS} FROM push_commands WHERE company_id = $1 AND device_id = $2 \
                 ORDER BY id DESC LIMIT $3"
            ))
            .bind(company_id.0)
            .bind(device_id.0)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// What `getrequest` should hand out, oldest first: queued commands,
    /// and sent ones whose result never came back by `resend_before`.
    pub async fn push_commands_due(
        &self,
        device_id: DeviceId,
        resend_before: Timestamp,
        limit: u32,
    ) -> Result<Vec<PushCommand>> {
        let rows: Vec<CommandRow> = with_reader!(self, |pool| {
            sqlx::query_as(&format!(
                "SELECT {COLS} FROM push_commands WHERE device_id = $1 \
                 AND (state = 'queued' OR (state = 'sent' AND sent_at < $2)) \
                 ORDER BY id LIMIT $3"
            ))
            .bind(device_id.0)
            .bind(secs(resend_before))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Marks commands as handed out.
    pub async fn mark_push_commands_sent(
        &self,
        device_id: DeviceId,
        ids: &[PushCommandId],
        at: Timestamp,
    ) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "UPDATE push_commands SET state = 'sent', sent_at = $1 \
             WHERE device_id = $2 AND id IN ({})",
            placeholders(3, ids.len())
        );
        with_pool!(self, |pool| {
            let mut q = sqlx::query(&sql).bind(secs(at)).bind(device_id.0);
            for id in ids {
                q = q.bind(id.0);
            }
            q.execute(pool).await?;
        });
        Ok(())
    }

    /// Records how a command of this device ended; its secrets are dropped.
    /// Returns the command, or `None` when the id is not one of this
    /// device's commands (a stale or forged result).
    pub async fn finish_push_command(
        &self,
        device_id: DeviceId,
        finish: &CommandFinish,
    ) -> Result<Option<PushCommand>> {
        let Some(current) = self.push_command(device_id, finish.id).await? else {
            return Ok(None);
        };
        let row: CommandRow = with_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "UPDATE push_commands SET state = $3, finished_at = $4, return_code = $5, \
                 result = $6, args = $7 WHERE id = $1 AND device_id = $2 RETURNING {COLS}"
            ))
            .bind(finish.id.0)
            .bind(device_id.0)
            .bind(finish.state.as_str())
            .bind(secs(finish.at))
            .bind(i64::from(finish.return_code))
            .bind(&finish.result)
            .bind(args_text(&current.args.redacted()))
            .fetch_one(pool)
            .await?
        });
        Ok(Some(row.try_into()?))
    }

    /// One command of this device.
    pub async fn push_command(
        &self,
        device_id: DeviceId,
        id: PushCommandId,
    ) -> Result<Option<PushCommand>> {
        let row: Option<CommandRow> = with_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "SELECT {COLS} FROM push_commands WHERE id = $1 AND device_id = $2"
            ))
            .bind(id.0)
            .bind(device_id.0)
            .fetch_optional(pool)
            .await?
        });
        row.map(TryInto::try_into).transpose()
    }

    /// User records just arrived: name changes that were waiting to read
    /// them get their fields and are queued to be written. Returns how many.
    pub async fn fill_user_updates(
        &self,
        device_id: DeviceId,
        users: &[(String, DeviceUserFields)],
    ) -> Result<u32> {
        let waiting: Vec<CommandRow> = with_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "SELECT {COLS} FROM push_commands WHERE device_id = $1 \
                 AND kind = 'update_user' AND state = 'sent'"
            ))
            .bind(device_id.0)
            .fetch_all(pool)
            .await?
        });
        let mut filled = 0;
        for row in waiting {
            let Some(args) = with_fields(parse_args(&row.args, row.id)?, users) else {
                continue;
            };
            with_pool!(self, |pool| {
                sqlx::query("UPDATE push_commands SET args = $2, state = 'queued' WHERE id = $1")
                    .bind(row.id)
                    .bind(args_text(&args))
                    .execute(pool)
                    .await?;
            });
            filled += 1;
        }
        Ok(filled)
    }
}

/// A name change still reading its user, given that user's fields.
fn with_fields(
    args: PushCommandArgs,
    users: &[(String, DeviceUserFields)],
) -> Option<PushCommandArgs> {
    let PushCommandArgs::UpdateUser {
        enroll_id,
        name,
        current: None,
    } = args
    else {
        return None;
    };
    let (_, fields) = users.iter().rev().find(|(pin, _)| *pin == enroll_id)?;
    Some(PushCommandArgs::UpdateUser {
        enroll_id,
        name,
        current: Some(fields.clone()),
    })
}
