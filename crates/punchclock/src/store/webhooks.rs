//! Webhook endpoints and their deliveries. An event is queued in the
//! transaction that causes it ([`queue_events`]): one delivery per
//! endpoint that wants it. A sender leases due deliveries; within one
//! endpoint and ordering key only the oldest pending one is ever due, so
//! a device's events arrive in order.

use std::time::Duration;

use jiff::Timestamp;

use super::punches::{PunchViewRow, PUNCH_VIEW_SELECT};
use super::sealed::{is_sealed, Purpose};
use super::{
    dur_secs, int, opt_int, opt_ts, placeholders, secs, ts, Result, Store, StoreError, Tx,
};
use crate::domain::{
    CompanyId, Delivery, DeliveryAttempt, DeliveryId, DeliveryJob, DeliveryState, NewEvent,
    PunchView, Webhook, WebhookEvent, WebhookId,
};

/// How long an event is retried.
pub const RETRY_FOR_SECONDS: i64 = 24 * 3600;

/// Stored as ` a b c `, so `LIKE '% a %'` finds one event.
fn events_text(events: &[WebhookEvent]) -> String {
    let names: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
    format!(" {} ", names.join(" "))
}

fn parse_events(text: &str) -> Result<Vec<WebhookEvent>> {
    text.split_whitespace()
        .map(|e| e.parse().map_err(StoreError::from))
        .collect()
}

#[derive(sqlx::FromRow)]
struct WebhookRow {
    id: i64,
    company_id: i64,
    url: String,
    events: String,
    created_at: i64,
}

impl TryFrom<WebhookRow> for Webhook {
    type Error = StoreError;
    fn try_from(r: WebhookRow) -> Result<Webhook> {
        Ok(Webhook {
            id: WebhookId(r.id),
            company_id: CompanyId(r.company_id),
            url: r.url,
            events: parse_events(&r.events)?,
            created_at: ts(r.created_at)?,
        })
    }
}

macro_rules! delivery_cols {
    () => {
        "d.id, d.webhook_id, d.event, d.event_id, d.ordering_key, d.payload, d.state, \
         d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.created_at, \
         d.delivered_at"
    };
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: i64,
    webhook_id: i64,
    event: String,
    event_id: String,
    ordering_key: String,
    payload: String,
    state: String,
    attempts: i64,
    next_attempt_at: i64,
    last_status: Option<i64>,
    last_error: Option<String>,
    created_at: i64,
    delivered_at: Option<i64>,
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = StoreError;
    fn try_from(r: DeliveryRow) -> Result<Delivery> {
        Ok(Delivery {
            id: DeliveryId(r.id),
            webhook_id: WebhookId(r.webhook_id),
            event: r.event.parse()?,
            event_id: r.event_id,
            ordering_key: r.ordering_key,
            payload: r.payload,
            state: r.state.parse()?,
            attempts: int(r.attempts, "webhook_deliveries.attempts")?,
            next_attempt_at: ts(r.next_attempt_at)?,
            last_status: opt_int(r.last_status, "webhook_deliveries.last_status")?,
            last_error: r.last_error,
            created_at: ts(r.created_at)?,
            delivered_at: opt_ts(r.delivered_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct JobRow {
    #[sqlx(flatten)]
    delivery: DeliveryRow,
    company_id: i64,
    url: String,
    secret: String,
    give_up_at: i64,
    manual: bool,
}

/// Queues one delivery of each event per endpoint of the company that
/// subscribed to it, in the caller's transaction.
pub(crate) async fn queue_events(
    tx: &mut Tx,
    company_id: CompanyId,
    events: &[NewEvent],
    now: i64,
) -> Result<u64> {
    let mut queued = 0;
    for e in events {
        queued += on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO webhook_deliveries (company_id, webhook_id, event, event_id, \
                 ordering_key, payload, next_attempt_at, give_up_at, created_at) \
                 SELECT company_id, id, $2, $3, $4, $5, $6, $7, $6 FROM webhooks \
                 WHERE company_id = $1 AND events LIKE $8 ORDER BY id",
            )
            .bind(company_id.0)
            .bind(e.event.as_str())
            .bind(&e.event_id)
            .bind(&e.ordering_key)
            .bind(&e.payload)
            .bind(now)
            .bind(now + RETRY_FOR_SECONDS)
            .bind(format!("% {} %", e.event.as_str()))
            .execute(conn)
            .await?
            .rows_affected()
        });
    }
    Ok(queued)
}

/// A stored attempt: when, how long, status, error, by hand.
type AttemptRow = (i64, i64, Option<i64>, Option<String>, bool);

/// How one attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptResult {
    Delivered,
    /// Try again at this time.
    Retry {
        at: Timestamp,
    },
    /// The 24 hours are over.
    GiveUp,
}

impl Store {
    /// Adds an endpoint. One wanting `punch.created` starts from the
    /// punches stored after now, never the company's history.
    pub async fn create_webhook(
        &self,
        company_id: CompanyId,
        url: &str,
        secret: &str,
        events: &[WebhookEvent],
    ) -> Result<Webhook> {
        let now = self.now();
        let events = events_text(events);
        let sealed = self
            .sealer
            .seal_text(Purpose::WebhookSecret, company_id, secret);
        self.transaction(async |tx| {
            let row: WebhookRow = on_tx!(tx, |conn| {
                let mut q = insert_into!("webhooks" {
                    company_id: company_id.0,
                    url: url,
                    secret: sealed.as_str(),
                    events: events.as_str(),
                    created_at: now,
                });
                q.push(" RETURNING id, company_id, url, events, created_at");
                q.build_query_as().fetch_one(conn).await?
            });
            start_punch_cursor(tx, company_id).await?;
            row.try_into()
        })
        .await
    }

    pub async fn list_webhooks(&self, company_id: CompanyId) -> Result<Vec<Webhook>> {
        let rows: Vec<WebhookRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, company_id, url, events, created_at FROM webhooks \
                 WHERE company_id = $1 ORDER BY id",
            )
            .bind(company_id.0)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    pub async fn get_webhook(&self, company_id: CompanyId, id: WebhookId) -> Result<Webhook> {
        let row: WebhookRow = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, company_id, url, events, created_at FROM webhooks \
                 WHERE company_id = $1 AND id = $2",
            )
            .bind(company_id.0)
            .bind(id.0)
            .fetch_one(pool)
            .await?
        });
        row.try_into()
    }

    /// Deletes an endpoint with its deliveries.
    pub async fn delete_webhook(&self, company_id: CompanyId, id: WebhookId) -> Result<()> {
        let n = with_pool!(self, |pool| {
            sqlx::query("DELETE FROM webhooks WHERE company_id = $1 AND id = $2")
                .bind(company_id.0)
                .bind(id.0)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Queues events in their own transaction; see [`queue_events`].
    pub async fn queue_webhook_events(
        &self,
        company_id: CompanyId,
        events: &[NewEvent],
    ) -> Result<u64> {
        let now = self.now();
        self.transaction(async |tx| queue_events(tx, company_id, events, now).await)
            .await
    }

    /// An endpoint's deliveries, newest first.
    pub async fn list_deliveries(
        &self,
        company_id: CompanyId,
        webhook: WebhookId,
        limit: u32,
    ) -> Result<Vec<Delivery>> {
        let rows: Vec<DeliveryRow> = with_reader!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                delivery_cols!(),
                " FROM webhook_deliveries d WHERE d.company_id = $1 AND d.webhook_id = $2 \
                 ORDER BY d.id DESC LIMIT $3"
            ))
            .bind(company_id.0)
            .bind(webhook.0)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Every attempt of one delivery, oldest first.
    pub async fn delivery_attempts(
        &self,
        company_id: CompanyId,
        delivery: DeliveryId,
    ) -> Result<Vec<DeliveryAttempt>> {
        let rows: Vec<AttemptRow> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT a.attempted_at, a.duration_ms, a.status, a.error, a.manual \
                 FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id \
                 WHERE d.company_id = $1 AND a.delivery_id = $2 ORDER BY a.id",
            )
            .bind(company_id.0)
            .bind(delivery.0)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(at, ms, status, error, manual)| {
                Ok(DeliveryAttempt {
                    attempted_at: ts(at)?,
                    duration_ms: int(ms, "duration_ms")?,
                    status: opt_int(status, "status")?,
                    error,
                    manual,
                })
            })
            .collect()
    }

    /// "Resend": due now, retried for another 24 h. `NotFound` unless the
    /// delivery belongs to the endpoint and the company.
    pub async fn resend_delivery(
        &self,
        company_id: CompanyId,
        webhook: WebhookId,
        delivery: DeliveryId,
    ) -> Result<Delivery> {
        let now = self.now();
        let n = with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $4, \
                 give_up_at = $5, manual = TRUE, lease_owner = NULL, lease_until = NULL \
                 WHERE company_id = $1 AND webhook_id = $2 AND id = $3",
            )
            .bind(company_id.0)
            .bind(webhook.0)
            .bind(delivery.0)
            .bind(now)
            .bind(now + RETRY_FOR_SECONDS)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        let row: DeliveryRow = with_reader!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                delivery_cols!(),
                " FROM webhook_deliveries d WHERE d.company_id = $1 AND d.id = $2"
            ))
            .bind(company_id.0)
            .bind(delivery.0)
            .fetch_one(pool)
            .await?
        });
        row.try_into()
    }

    /// Leases due deliveries: pending, due, the oldest pending of their
    /// endpoint and ordering key, at most `per_company` of one company.
    /// Returns each with whether its attempt was asked for by hand.
    pub async fn claim_deliveries(
        &self,
        instance: &str,
        now: Timestamp,
        lease: Duration,
        limit: u32,
        per_company: u32,
    ) -> Result<Vec<(DeliveryJob, bool)>> {
        let now = secs(now);
        let until = now.saturating_add(dur_secs(lease));
        let rows: Vec<JobRow> = self
            .transaction(async |tx| {
                let ids = lease_deliveries(tx, instance, (now, until), limit, per_company).await?;
                leased_jobs(tx, &ids).await
            })
            .await?;
        let mut jobs = Vec::with_capacity(rows.len());
        for r in rows {
            let company_id = CompanyId(r.company_id);
            let secret = match self
                .sealer
                .open_text(Purpose::WebhookSecret, company_id, &r.secret)
            {
                Ok(secret) => secret,
                // Only a damaged row gets here (the key is checked at
                // start): that delivery waits, the others go out.
                Err(e) => {
                    tracing::error!(delivery = r.delivery.id, "webhook secret: {e}");
                    continue;
                }
            };
            let job = DeliveryJob {
                company_id,
                url: r.url,
                secret,
                give_up_at: ts(r.give_up_at)?,
                delivery: r.delivery.try_into()?,
            };
            jobs.push((job, r.manual));
        }
        Ok(jobs)
    }

    /// Seals webhook signing secrets stored in plain text by older
    /// versions; returns how many. Run on start, once the key is checked.
    pub async fn seal_plain_webhook_secrets(&self) -> Result<u64> {
        let rows: Vec<(i64, i64, String)> = with_reader!(self, |pool| {
            sqlx::query_as("SELECT id, company_id, secret FROM webhooks ORDER BY id")
                .fetch_all(pool)
                .await?
        });
        let mut sealed = 0;
        for (id, company, secret) in rows.iter().filter(|(_, _, s)| !is_sealed(s)) {
            let value = self
                .sealer
                .seal_text(Purpose::WebhookSecret, CompanyId(*company), secret);
            with_pool!(self, |pool| {
                sqlx::query("UPDATE webhooks SET secret = $1 WHERE id = $2 AND secret = $3")
                    .bind(&value)
                    .bind(id)
                    .bind(secret)
                    .execute(pool)
                    .await?;
            });
            sealed += 1;
        }
        Ok(sealed)
    }

    /// Records one attempt and where the delivery stands after it. Only
    /// the lease holder may; returns whether it still held the lease.
    pub async fn finish_delivery(
        &self,
        id: DeliveryId,
        instance: &str,
        attempt: &DeliveryAttempt,
        result: &AttemptResult,
    ) -> Result<bool> {
        let (state, next, delivered) = match result {
            AttemptResult::Delivered => (DeliveryState::Delivered, None, Some(self.now())),
            AttemptResult::Retry { at } => (DeliveryState::Pending, Some(secs(*at)), None),
            AttemptResult::GiveUp => (DeliveryState::Failed, None, None),
        };
        self.transaction(async |tx| {
            let held = on_tx!(tx, |conn| {
                sqlx::query(
                    "UPDATE webhook_deliveries SET state = $3, attempts = attempts + 1, \
                     next_attempt_at = COALESCE($4, next_attempt_at), last_status = $5, \
                     last_error = $6, delivered_at = $7, manual = FALSE, \
                     lease_owner = NULL, lease_until = NULL \
                     WHERE id = $1 AND lease_owner = $2",
                )
                .bind(id.0)
                .bind(instance)
                .bind(state.as_str())
                .bind(next)
                .bind(attempt.status.map(i64::from))
                .bind(attempt.error.as_deref())
                .bind(delivered)
                .execute(conn)
                .await?
                .rows_affected()
            });
            if held == 0 {
                return Ok(false);
            }
            on_tx!(tx, |conn| {
                insert_into!("webhook_attempts" {
                    delivery_id: id.0,
                    attempted_at: secs(attempt.attempted_at),
                    duration_ms: i64::try_from(attempt.duration_ms).unwrap_or(i64::MAX),
                    status: attempt.status.map(i64::from),
                    error: attempt.error.as_deref(),
                    manual: attempt.manual,
                })
                .build()
                .execute(conn)
                .await?;
            });
            Ok(true)
        })
        .await
    }
}

/// A company's first punch endpoint starts the punch cursor at the newest
/// stored punch; a later one keeps the cursor where it is.
async fn start_punch_cursor(tx: &mut Tx, company_id: CompanyId) -> Result<()> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO webhook_cursors (company_id, last_punch_id) \
             SELECT $1, COALESCE(MAX(id), 0) FROM punches WHERE company_id = $1 \
             ON CONFLICT (company_id) DO NOTHING",
        )
        .bind(company_id.0)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// Leases the due deliveries; returns their ids. The lease test is
/// repeated outside the subquery: on PostgreSQL a concurrent claimer
/// re-checks it on the locked row and skips it.
async fn lease_deliveries(
    tx: &mut Tx,
    instance: &str,
    (now, until): (i64, i64),
    limit: u32,
    per_company: u32,
) -> Result<Vec<i64>> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "UPDATE webhook_deliveries SET lease_owner = $1, lease_until = $2 \
             WHERE (lease_until IS NULL OR lease_until <= $3) AND state = 'pending' \
             AND id IN (SELECT id FROM ( \
                 SELECT d.id, ROW_NUMBER() OVER (PARTITION BY d.company_id ORDER BY d.id) AS rn \
                 FROM webhook_deliveries d WHERE d.state = 'pending' AND d.next_attempt_at <= $3 \
                 AND (d.lease_until IS NULL OR d.lease_until <= $3) \
                 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e \
                     WHERE e.webhook_id = d.webhook_id AND e.ordering_key = d.ordering_key \
                     AND e.state = 'pending' AND e.id < d.id)) due \
               WHERE rn <= $4 ORDER BY id LIMIT $5) \
             RETURNING id",
        )
        .bind(instance)
        .bind(until)
        .bind(now)
        .bind(i64::from(per_company))
        .bind(i64::from(limit))
        .fetch_all(conn)
        .await?
    }))
}

async fn leased_jobs(tx: &mut Tx, ids: &[i64]) -> Result<Vec<JobRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        concat!(
            "SELECT ",
            delivery_cols!(),
            ", d.company_id, w.url, w.secret, d.give_up_at, d.manual \
             FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
             WHERE d.id IN ({}) ORDER BY d.id"
        ),
        placeholders(1, ids.len())
    );
    Ok(on_tx!(tx, |conn| {
        let mut q = sqlx::query_as::<_, JobRow>(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(conn).await?
    }))
}

impl Store {
    /// Companies with a punch cursor (an endpoint wanting `punch.created`),
    /// with the last punch id already turned into deliveries.
    pub async fn punch_cursors(&self) -> Result<Vec<(CompanyId, i64)>> {
        let rows: Vec<(i64, i64)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT company_id, last_punch_id FROM webhook_cursors ORDER BY company_id",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|(c, p)| (CompanyId(c), p)).collect())
    }

    /// The company's punches stored after punch id `after`, oldest first.
    pub async fn punches_after(
        &self,
        company_id: CompanyId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<PunchView>> {
        // The same columns as every punch listing, so none can be missed.
        let sql = format!(
            "{PUNCH_VIEW_SELECT} WHERE p.company_id = $1 AND p.id > $2 ORDER BY p.id LIMIT $3"
        );
        let rows: Vec<PunchViewRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(company_id.0)
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Queues the events of punches up to `to` and moves the cursor there,
    /// in one transaction, only if the cursor still stands at `from` (two
    /// instances never queue a punch twice). Returns whether it moved.
    pub async fn advance_punch_cursor(
        &self,
        company_id: CompanyId,
        from: i64,
        to: i64,
        events: &[NewEvent],
    ) -> Result<bool> {
        let now = self.now();
        self.transaction(async |tx| {
            let moved = on_tx!(tx, |conn| {
                sqlx::query(
                    "UPDATE webhook_cursors SET last_punch_id = $3 \
                     WHERE company_id = $1 AND last_punch_id = $2",
                )
                .bind(company_id.0)
                .bind(from)
                .bind(to)
                .execute(conn)
                .await?
                .rows_affected()
            });
            if moved == 0 {
                return Ok(false);
            }
            queue_events(tx, company_id, events, now).await?;
            Ok(true)
        })
        .await
    }
}
