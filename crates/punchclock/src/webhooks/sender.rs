//! The webhook job: turn new punches into events, lease due deliveries,
//! POST them signed, and record every attempt. Bounded: a batch per tick,
//! a few per company, a few requests in flight, 10 s per request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use super::sign::{self, DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use super::url::{resolver, WebhookUrl};
use crate::clock::Clock;
use crate::domain::{DeliveryAttempt, DeliveryJob};
use crate::store::{AttemptResult, Store};

/// How much the job takes on at once.
#[derive(Debug, Clone, Copy)]
pub struct WebhookLimits {
    pub batch: u32,
    pub per_company: u32,
    pub concurrency: usize,
    pub request_timeout: Duration,
    pub lease: Duration,
    pub tick: Duration,
    pub allow_private: bool,
}

impl Default for WebhookLimits {
    fn default() -> Self {
        WebhookLimits {
            batch: 64,
            per_company: 8,
            concurrency: 8,
            request_timeout: Duration::from_secs(10),
            lease: Duration::from_secs(120),
            tick: Duration::from_secs(1),
            allow_private: false,
        }
    }
}

/// Delivers webhooks.
#[derive(Clone)]
pub struct WebhookSender {
    store: Store,
    http: reqwest::Client,
    clock: Clock,
    instance: Arc<str>,
    limits: WebhookLimits,
    permits: Arc<Semaphore>,
}

impl WebhookSender {
    pub fn new(store: Store, clock: Clock, instance: &str, limits: WebhookLimits) -> Self {
        let http = reqwest::Client::builder()
            .timeout(limits.request_timeout)
            .connect_timeout(Duration::from_secs(5))
            // A redirect could lead anywhere, past the guard: not followed.
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(resolver(limits.allow_private))
            .user_agent("Punchclock-Webhooks/1")
            .build()
            .expect("a client with these settings builds");
        WebhookSender {
            store,
            http,
            clock,
            instance: instance.into(),
            permits: Arc::new(Semaphore::new(limits.concurrency.max(1))),
            limits,
        }
    }

    /// New punches into events, then one batch of deliveries; returns how
    /// many attempts were made.
    pub async fn tick(&self) -> usize {
        if let Err(e) = super::fanout::fan_out(&self.store, &self.clock).await {
            tracing::warn!("turning punches into webhook events failed: {e}");
        }
        let l = &self.limits;
        let now = self.clock.now();
        let jobs = match self
            .store
            .claim_deliveries(&self.instance, now, l.lease, l.batch, l.per_company)
            .await
        {
            Ok(j) => j,
            Err(e) => {
                tracing::warn!("leasing webhook deliveries failed: {e}");
                return 0;
            }
        };
        let mut tasks = JoinSet::new();
        for (job, manual) in jobs {
            let me = self.clone();
            let permits = self.permits.clone();
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                me.deliver(&job, manual).await
            });
        }
        let mut done = 0;
        while let Some(r) = tasks.join_next().await {
            done += usize::from(r.unwrap_or(false));
        }
        done
    }

    async fn deliver(&self, job: &DeliveryJob, manual: bool) -> bool {
        let attempted_at = self.clock.now();
        let timer = Instant::now();
        let (status, error) = self.post(job, attempted_at).await;
        let attempt = DeliveryAttempt {
            attempted_at,
            duration_ms: u64::try_from(timer.elapsed().as_millis()).unwrap_or(u64::MAX),
            status,
            error,
            manual,
        };
        let result = next_step(job, &attempt, self.clock.now());
        let d = job.delivery.id;
        match self
            .store
            .finish_delivery(d, &self.instance, &attempt, &result)
            .await
        {
            Ok(held) => held,
            Err(e) => {
                tracing::warn!(delivery = %d, "recording a webhook attempt failed: {e}");
                false
            }
        }
    }

    /// The HTTP status, or what went wrong before one came.
    async fn post(&self, job: &DeliveryJob, now: Timestamp) -> (Option<u16>, Option<String>) {
        let allow = self.limits.allow_private;
        if let Err(e) = WebhookUrl::parse(&job.url, allow) {
            return (None, Some(e.to_string()));
        }
        let d = &job.delivery;
        let ts = now.as_second();
        let sent = self
            .http
            .post(&job.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(TIMESTAMP_HEADER, ts.to_string())
            .header(
                SIGNATURE_HEADER,
                sign::signature(&job.secret, ts, &d.payload),
            )
            .header(EVENT_HEADER, d.event.as_str())
            .header(DELIVERY_HEADER, &d.event_id)
            .body(d.payload.clone())
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => (Some(r.status().as_u16()), None),
            Ok(r) => {
                let status = r.status();
                (
                    Some(status.as_u16()),
                    Some(format!("the endpoint answered {status}")),
                )
            }
            Err(e) => (None, Some(describe(&e))),
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

fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "no answer in time"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "the request failed"
    };
    // The source chain says why (refused, DNS, TLS) in the library's words.
    let mut detail = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        what.to_owned()
    } else {
        format!("{what}: {detail}")
    }
}

/// Delivered on 2xx; else again after 30 s doubling to 1 h, until the
/// delivery's 24 hours are over.
pub fn next_step(job: &DeliveryJob, attempt: &DeliveryAttempt, now: Timestamp) -> AttemptResult {
    if attempt.error.is_none() {
        return AttemptResult::Delivered;
    }
    let n = job.delivery.attempts.min(7);
    let wait = SignedDuration::from_secs((30_i64 << n).min(3600));
    let at = now + wait;
    if at > job.give_up_at {
        AttemptResult::GiveUp
    } else {
        AttemptResult::Retry { at }
    }
}
