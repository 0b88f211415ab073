//! The mail job: lease due mail from the outbox, send it, mark it. Bounded:
//! a batch per tick, a few per company, a few SMTP sessions at once.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use super::smtp::{SendResult, Smtp};
use crate::clock::Clock;
use crate::domain::OutboxMail;
use crate::store::{MailResult, Store};

/// How much the job takes on at once, and how it retries.
#[derive(Debug, Clone, Copy)]
pub struct SenderLimits {
    /// Mails leased per tick.
    pub batch: u32,
    /// At most this many of one company per tick (fairness).
    pub per_company: u32,
    /// SMTP sends in flight.
    pub concurrency: usize,
    /// Outlives a send (every SMTP step times out well before).
    pub lease: Duration,
    /// Retries stop this long after the mail was queued.
    pub give_up_after: SignedDuration,
    /// Pause between ticks.
    pub tick: Duration,
}

impl Default for SenderLimits {
    fn default() -> Self {
        SenderLimits {
            batch: 32,
            per_company: 8,
            concurrency: 4,
            lease: Duration::from_secs(300),
            give_up_after: SignedDuration::from_hours(24),
            tick: Duration::from_secs(2),
        }
    }
}

/// Sends the outbox.
#[derive(Clone)]
pub struct MailSender {
    store: Store,
    smtp: Smtp,
    clock: Clock,
    instance: Arc<str>,
    limits: SenderLimits,
    permits: Arc<Semaphore>,
}

impl MailSender {
    pub fn new(
        store: Store,
        smtp: Smtp,
        clock: Clock,
        instance: &str,
        limits: SenderLimits,
    ) -> Self {
        MailSender {
            store,
            smtp,
            clock,
            instance: instance.into(),
            permits: Arc::new(Semaphore::new(limits.concurrency.max(1))),
            limits,
        }
    }

    /// Leases a batch of due mail and sends it; returns how many were
    /// sent, bounced, failed or put back for later.
    pub async fn tick(&self) -> usize {
        let now = self.clock.now();
        let l = &self.limits;
        let claimed = self
            .store
            .claim_mails(&self.instance, now, l.lease, l.batch, l.per_company)
            .await;
        let mails = match claimed {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!("leasing mail failed: {e}");
                return 0;
            }
        };
        let mut tasks = JoinSet::new();
        for mail in mails {
            let me = self.clone();
            let permits = self.permits.clone();
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                me.deliver(&mail).await
            });
        }
        let mut done = 0;
        while let Some(r) = tasks.join_next().await {
            done += usize::from(r.unwrap_or(false));
        }
        done
    }

    /// Sends one mail and records the result; whether it was recorded.
    async fn deliver(&self, mail: &OutboxMail) -> bool {
        let sent = self.smtp.send(mail, self.clock.now()).await;
        let result = outcome(mail, sent, self.clock.now(), self.limits.give_up_after);
        if !matches!(result, MailResult::Sent) {
            tracing::info!(mail = %mail.id, to = %mail.to, "mail not sent: {result:?}");
        }
        match self.store.finish_mail(mail, &self.instance, &result).await {
            Ok(held) => held,
            Err(e) => {
                // The lease runs out and the mail is sent again, same id.
                tracing::warn!(mail = %mail.id, "recording a sent mail failed: {e}");
                false
            }
        }
    }

    /// Ticks until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            let busy = self.tick().await >= self.limits.batch as usize;
            if busy {
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep(self.limits.tick) => {}
                _ = shutdown.changed() => break,
            }
        }
    }
}

/// What to record: sent, bounced, refused, or again later with backoff
/// (1 min doubling to 1 h) until `give_up_after` since it was queued.
pub fn outcome(
    mail: &OutboxMail,
    sent: SendResult,
    now: Timestamp,
    give_up_after: SignedDuration,
) -> MailResult {
    match sent {
        SendResult::Sent => MailResult::Sent,
        SendResult::Bounced(reason) => MailResult::Bounced { reason },
        SendResult::Refused(error) => MailResult::Failed { error },
        SendResult::Temporary(error) => {
            if now.duration_since(mail.created_at) >= give_up_after {
                let tries = mail.attempts + 1;
                return MailResult::Failed {
                    error: format!("gave up after {tries} attempts: {error}"),
                };
            }
            let wait = 60_i64.saturating_mul(1 << mail.attempts.min(6)).min(3600);
            MailResult::Retry {
                at: now + SignedDuration::from_secs(wait),
                error,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CompanyId, MailId, MailKind};

    fn mail(attempts: u32, created_at: Timestamp) -> OutboxMail {
        OutboxMail {
            id: MailId(1),
            company_id: CompanyId(1),
            kind: MailKind::Alert,
            to: "a@b.example".into(),
            recipient: None,
            message_id: "<x@b.example>".into(),
            subject: "s".into(),
            text: "t".into(),
            html: "h".into(),
            unsubscribe_url: None,
            attempts,
            created_at,
        }
    }

    #[test]
    fn temporary_failures_back_off_then_give_up() {
        let t0 = Timestamp::from_second(1_800_000_000).unwrap();
        let day = SignedDuration::from_hours(24);
        let temp = || SendResult::Temporary("421 busy".into());
        let waits: Vec<i64> = (0..9)
            .map(|n| match outcome(&mail(n, t0), temp(), t0, day) {
                MailResult::Retry { at, .. } => (at - t0).get_seconds(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(waits, [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
        let late = t0 + day;
        let MailResult::Failed { error } = outcome(&mail(30, t0), temp(), late, day) else {
            panic!("gives up after a day")
        };
        assert!(
            error.starts_with("gave up after 31 attempts: 421"),
            "{error}"
        );
        let bounced = outcome(
            &mail(0, t0),
            SendResult::Bounced("550 no such user".into()),
            t0,
            day,
        );
        assert_eq!(
            bounced,
            MailResult::Bounced {
                reason: "550 no such user".into()
            }
        );
    }
}
