//! The mail outbox. Mail is queued inside the transaction of the event
//! that causes it ([`queue_mails`]), and a sender leases due rows, sends
//! them and marks each sent, bounced or due again.
//!
//! Leases make a crash safe: a row leased by an instance that died becomes
//! due again when its lease ends, and is sent with the same Message-ID.

use std::time::Duration;

use jiff::Timestamp;
use sha2::{Digest, Sha256};

use super::{dur_secs, int, opt_ts, secs, ts, Result, Store, StoreError, Tx};
use crate::domain::{
    AccountId, CompanyId, EmployeeId, MailId, MailList, MailRecord, MailState, NewMail, OutboxMail,
    Recipient,
};

/// Hash of an unsubscribe token, as stored.
pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn recipient_ids(r: Recipient) -> (Option<i64>, Option<i64>) {
    match r {
        Recipient::Employee(id) => (Some(id.0), None),
        Recipient::Account(id) => (None, Some(id.0)),
    }
}

/// Queues `mails` in the caller's transaction. A mail whose dedupe key is
/// already queued is skipped. Returns how many were queued.
pub(crate) async fn queue_mails(
    tx: &mut Tx,
    company_id: CompanyId,
    mails: &[NewMail],
    now: i64,
) -> Result<u64> {
    let mut queued = 0;
    for mail in mails {
        let (employee_id, account_id) = recipient_ids(mail.recipient);
        let added = on_tx!(tx, |conn| {
            let mut q = insert_into!("mail_outbox" {
                company_id: company_id.0,
                kind: mail.kind.as_str(),
                dedupe_key: mail.dedupe_key.as_deref(),
                recipient: mail.to.as_str(),
                employee_id: employee_id,
                account_id: account_id,
                message_id: mail.message_id.as_str(),
                subject: mail.subject.as_str(),
                body_text: mail.text.as_str(),
                body_html: mail.html.as_str(),
                unsubscribe_url: mail.unsubscribe.as_ref().map(|u| u.url.as_str()),
                next_attempt_at: now,
                created_at: now,
            });
            q.push(" ON CONFLICT DO NOTHING");
            q.build().execute(conn).await?.rows_affected()
        });
        if added == 0 {
            continue;
        }
        queued += added;
        if let Some(u) = &mail.unsubscribe {
            on_tx!(tx, |conn| {
                insert_into!("mail_unsubscribes" {
                    token_hash: token_hash(&u.token),
                    company_id: company_id.0,
                    employee_id: employee_id,
                    account_id: account_id,
                    list: u.list.as_str(),
                    created_at: now,
                })
                .build()
                .execute(conn)
                .await?;
            });
        }
    }
    Ok(queued)
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    company_id: i64,
    kind: String,
    recipient: String,
    employee_id: Option<i64>,
    account_id: Option<i64>,
    message_id: String,
    subject: String,
    body_text: String,
    body_html: String,
    unsubscribe_url: Option<String>,
    attempts: i64,
    created_at: i64,
}

impl TryFrom<OutboxRow> for OutboxMail {
    type Error = StoreError;
    fn try_from(r: OutboxRow) -> Result<OutboxMail> {
        let recipient = match (r.employee_id, r.account_id) {
            (Some(e), _) => Some(Recipient::Employee(EmployeeId(e))),
            (None, Some(a)) => Some(Recipient::Account(AccountId(a))),
            (None, None) => None,
        };
        Ok(OutboxMail {
            id: MailId(r.id),
            company_id: CompanyId(r.company_id),
            kind: r.kind.parse()?,
            to: r.recipient,
            recipient,
            message_id: r.message_id,
            subject: r.subject,
            text: r.body_text,
            html: r.body_html,
            unsubscribe_url: r.unsubscribe_url,
            attempts: int(r.attempts, "mail_outbox.attempts")?,
            created_at: ts(r.created_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: i64,
    kind: String,
    recipient: String,
    subject: String,
    state: String,
    attempts: i64,
    last_error: Option<String>,
    created_at: i64,
    sent_at: Option<i64>,
}

impl TryFrom<RecordRow> for MailRecord {
    type Error = StoreError;
    fn try_from(r: RecordRow) -> Result<MailRecord> {
        Ok(MailRecord {
            id: MailId(r.id),
            kind: r.kind.parse()?,
            to: r.recipient,
            subject: r.subject,
            state: r.state.parse()?,
            attempts: int(r.attempts, "mail_outbox.attempts")?,
            last_error: r.last_error,
            created_at: ts(r.created_at)?,
            sent_at: opt_ts(r.sent_at)?,
        })
    }
}

/// How a send attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailResult {
    Sent,
    /// A temporary failure: try again at this time.
    Retry {
        at: Timestamp,
        error: String,
    },
    /// The server refused the address for good; marked on the person.
    Bounced {
        reason: String,
    },
    /// Gave up (retries used up, or the message cannot be built).
    Failed {
        error: String,
    },
}

impl Store {
    /// Queues mails in their own transaction; see [`queue_mails`].
    pub async fn queue_mail(&self, company_id: CompanyId, mails: &[NewMail]) -> Result<u64> {
        let now = self.now();
        self.transaction(async |tx| queue_mails(tx, company_id, mails, now).await)
            .await
    }

    /// Leases up to `limit` due mails to `instance` until `now + lease`,
    /// at most `per_company` of any one company, oldest first, so one
    /// company's burst cannot hold up another's mail.
    pub async fn claim_mails(
        &self,
        instance: &str,
        now: Timestamp,
        lease: Duration,
        limit: u32,
        per_company: u32,
    ) -> Result<Vec<OutboxMail>> {
        let now = secs(now);
        let until = now.saturating_add(dur_secs(lease));
        // The lease test is repeated outside the subquery: on PostgreSQL a
        // concurrent claimer re-checks it on the locked row and skips it.
        let rows: Vec<OutboxRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "UPDATE mail_outbox SET lease_owner = $1, lease_until = $2 \
                 WHERE (lease_until IS NULL OR lease_until <= $3) AND state = 'pending' \
                 AND id IN (SELECT id FROM ( \
                     SELECT id, ROW_NUMBER() OVER (PARTITION BY company_id ORDER BY id) AS rn \
                     FROM mail_outbox WHERE state = 'pending' AND next_attempt_at <= $3 \
                     AND (lease_until IS NULL OR lease_until <= $3)) due \
                   WHERE rn <= $4 ORDER BY id LIMIT $5) \
                 RETURNING id, company_id, kind, recipient, employee_id, account_id, message_id, \
                 subject, body_text, body_html, unsubscribe_url, attempts, created_at",
            )
            .bind(instance)
            .bind(until)
            .bind(now)
            .bind(i64::from(per_company))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        let mut mails: Vec<OutboxMail> = rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<Result<_>>()?;
        mails.sort_by_key(|m| m.id);
        Ok(mails)
    }

    /// Records how sending `mail` went. Only the lease holder may; returns
    /// whether it still held the lease. A bounce marks the address on the
    /// employee or account in the same transaction.
    pub async fn finish_mail(
        &self,
        mail: &OutboxMail,
        instance: &str,
        result: &MailResult,
    ) -> Result<bool> {
        let now = self.now();
        self.transaction(async |tx| {
            let updated = mark_mail(tx, mail.id, instance, result, now).await?;
            if updated == 0 {
                return Ok(false);
            }
            if let (MailResult::Bounced { reason }, Some(r)) = (result, mail.recipient) {
                mark_bounce(tx, mail.company_id, r, &mail.to, reason, now).await?;
            }
            Ok(true)
        })
        .await
    }

    /// The company's most recent mails, newest first.
    pub async fn list_mails(&self, company_id: CompanyId, limit: u32) -> Result<Vec<MailRecord>> {
        let rows: Vec<RecordRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, kind, recipient, subject, state, attempts, last_error, created_at, \
                 sent_at FROM mail_outbox WHERE company_id = $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(company_id.0)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Whether a mail with this dedupe key was queued.
    pub async fn mail_queued(&self, dedupe_key: &str) -> Result<bool> {
        let n: i64 = with_reader!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE dedupe_key = $1")
                .bind(dedupe_key)
                .fetch_one(pool)
                .await?
        });
        Ok(n > 0)
    }

    /// Mails of `kind` queued with a dedupe key starting with `prefix`.
    pub async fn count_mails_like(&self, company_id: CompanyId, prefix: &str) -> Result<u64> {
        let n: i64 = with_reader!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM mail_outbox WHERE company_id = $1 AND dedupe_key LIKE $2",
            )
            .bind(company_id.0)
            .bind(format!("{prefix}%"))
            .fetch_one(pool)
            .await?
        });
        int(n, "count")
    }
}

async fn mark_mail(
    tx: &mut Tx,
    id: MailId,
    instance: &str,
    result: &MailResult,
    now: i64,
) -> Result<u64> {
    let (state, next, error, sent) = match result {
        MailResult::Sent => (MailState::Sent, None, None, Some(now)),
        MailResult::Retry { at, error } => (MailState::Pending, Some(secs(*at)), Some(error), None),
        MailResult::Bounced { reason } => (MailState::Bounced, None, Some(reason), None),
        MailResult::Failed { error } => (MailState::Failed, None, Some(error), None),
    };
    Ok(on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE mail_outbox SET state = $3, attempts = attempts + 1, \
             next_attempt_at = COALESCE($4, next_attempt_at), last_error = $5, sent_at = $6, \
             lease_owner = NULL, lease_until = NULL \
             WHERE id = $1 AND lease_owner = $2",
        )
        .bind(id.0)
        .bind(instance)
        .bind(state.as_str())
        .bind(next)
        .bind(error.map(String::as_str))
        .bind(sent)
        .execute(conn)
        .await?
        .rows_affected()
    }))
}

/// Marks a refused address on the person, while it is still their address.
async fn mark_bounce(
    tx: &mut Tx,
    company_id: CompanyId,
    recipient: Recipient,
    address: &str,
    reason: &str,
    now: i64,
) -> Result<()> {
    let sql = match recipient {
        Recipient::Employee(_) => {
            "UPDATE employees SET email_bounce = $3, email_bounced_at = $4 \
             WHERE id = $1 AND company_id = $2 AND email = $5"
        }
        Recipient::Account(_) => {
            "UPDATE accounts SET email_bounce = $3, email_bounced_at = $4 \
             WHERE id = $1 AND company_id = $2 AND email = lower($5)"
        }
    };
    let id = match recipient {
        Recipient::Employee(e) => e.0,
        Recipient::Account(a) => a.0,
    };
    on_tx!(tx, |conn| {
        sqlx::query(sql)
            .bind(id)
            .bind(company_id.0)
            .bind(reason)
            .bind(now)
            .bind(address)
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// Who an unsubscribe token is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeTarget {
    pub company_id: CompanyId,
    pub recipient: Recipient,
    pub list: MailList,
    pub used: bool,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    company_id: i64,
    employee_id: Option<i64>,
    account_id: Option<i64>,
    list: String,
    used_at: Option<i64>,
}

impl Store {
    /// What an unsubscribe token stands for; `None` for an unknown token.
    pub async fn unsubscribe_target(&self, token: &str) -> Result<Option<UnsubscribeTarget>> {
        let row: Option<TokenRow> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT company_id, employee_id, account_id, list, used_at \
                 FROM mail_unsubscribes WHERE token_hash = $1",
            )
            .bind(token_hash(token))
            .fetch_optional(pool)
            .await?
        });
        let Some(r) = row else { return Ok(None) };
        let recipient = match (r.employee_id, r.account_id) {
            (Some(e), _) => Recipient::Employee(EmployeeId(e)),
            (None, Some(a)) => Recipient::Account(AccountId(a)),
            (None, None) => return Ok(None),
        };
        Ok(Some(UnsubscribeTarget {
            company_id: CompanyId(r.company_id),
            recipient,
            list: r.list.parse()?,
            used: r.used_at.is_some(),
        }))
    }

    /// Turns the list off for the token's person. Idempotent.
    pub async fn unsubscribe(&self, token: &str) -> Result<Option<UnsubscribeTarget>> {
        let Some(target) = self.unsubscribe_target(token).await? else {
            return Ok(None);
        };
        let now = self.now();
        let (table, column, id) = match (target.recipient, target.list) {
            (Recipient::Employee(e), _) => ("employees", "daily_report", e.0),
            (Recipient::Account(a), MailList::Alerts) => ("accounts", "alert_mail", a.0),
            (Recipient::Account(a), _) => ("accounts", "daily_summary", a.0),
        };
        let sql = format!("UPDATE {table} SET {column} = FALSE WHERE id = $1 AND company_id = $2");
        self.transaction(async |tx| {
            on_tx!(tx, |conn| {
                sqlx::query(&sql)
                    .bind(id)
                    .bind(target.company_id.0)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("UPDATE mail_unsubscribes SET used_at = COALESCE(used_at, $2) WHERE token_hash = $1")
                    .bind(token_hash(token))
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
            });
            Ok(())
        })
        .await?;
        Ok(Some(UnsubscribeTarget {
            used: true,
            ..target
        }))
    }
}
