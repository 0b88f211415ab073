//! Assembling and running the service: store, syncer, scheduler and web
//! server. `punchclock serve` and the integration tests both start here, so
//! tests run the real thing on 127.0.0.1:0.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::alerts::AlertWatch;
use crate::billing::{Billing, Catalog};
use crate::clock::Clock;
use crate::config::Config;
use crate::mail::sender::{MailSender, SenderLimits};
use crate::mail::{smtp::Smtp, Composer, MailSettings};
use crate::push::Receiver;
use crate::reports::ReportJob;
use crate::service::{self, Services};
use crate::store::sealed::Sealer;
use crate::store::{Store, StoreOptions};
use crate::sync::live::LiveCapture;
use crate::sync::log_retention::LogRetention;
use crate::sync::{scheduler, PollSettings, Syncer};
use crate::web::serve::{self, ConnectionLimits};
use crate::web::{self, AppState};
use crate::webhooks::sender::{WebhookLimits, WebhookSender};

/// Open the store (running migrations) and wire the shared state.
pub async fn build_state(config: Config, clock: Clock) -> anyhow::Result<AppState> {
    // Before anything records: what is recorded earlier is lost.
    crate::telemetry::handle();
    // The key file lives here too, so it is made for PostgreSQL as well.
    crate::data_dir::prepare(&config.data_dir, config.database_url.is_empty())?;
    let key = crate::data_dir::secrets_key(&config)?;
    let url = config.database_url();
    let options = StoreOptions {
        slow_statement: Duration::from_millis(config.slow_query_ms.max(1)),
        read_connections: config.sqlite_read_connections.max(1),
        ..StoreOptions::default()
    };
    let store = Store::connect_with(&url, clock.clone(), options)
        .await
        .with_context(|| format!("opening the database {}", redact(&url)))?
        .with_sealer(Sealer::new(&key));
    // A key other than the one the secrets were sealed with stops the start
    // here, with words saying so, rather than failing device by device.
    store.check_secrets_key().await?;
    let sealed = store.seal_plain_comm_keys().await?
        + store.seal_plain_webhook_secrets().await?
        + store.seal_plain_push_keys().await?;
    if sealed > 0 {
        tracing::info!("sealed {sealed} secrets stored in plain text by an older version");
    }
    let settings = PollSettings {
        step_timeout: Duration::from_secs(config.device_timeout_seconds.max(1)),
        attempt_timeout: Duration::from_secs(config.poll_attempt_timeout_seconds.max(1)),
        attempt_base: Duration::from_secs(config.poll_attempt_base_seconds.max(1)),
        allow_private_addresses: config.allow_private_device_addresses,
        batch_punches: config.poll_batch_punches.max(1),
        full_sync_every: Duration::from_secs(u64::from(config.full_sync_hours) * 3_600),
        ..PollSettings::default()
    };
    let catalog = Catalog::new(config.plans.clone()).context("the plan catalog")?;
    let billing = Billing::new(store.clone(), catalog, clock.clone(), config.trial_days);
    let syncer = Syncer::new(
        store.clone(),
        billing.clone(),
        settings,
        config.instance_name(),
        clock.clone(),
    );
    let mail = MailSettings::parse(&config.smtp_url, &config.mail_from, &config.public_url())
        .context("the mail settings")?;
    let sender = match &mail {
        Some(m) => {
            let smtp = Smtp::new(m, 4).map_err(anyhow::Error::msg)?;
            let limits = SenderLimits::default();
            Some(MailSender::new(
                store.clone(),
                smtp,
                clock.clone(),
                &config.instance_name(),
                limits,
            ))
        }
        None => None,
    };
    let composer = mail.clone().map(Composer::new);
    let webhooks = WebhookSender::new(
        store.clone(),
        clock.clone(),
        &config.instance_name(),
        WebhookLimits {
            allow_private: config.allow_private_webhook_addresses,
            ..WebhookLimits::default()
        },
    );
    let alert_watch = AlertWatch::new(
        store.clone(),
        clock.clone(),
        composer.clone(),
        config.push.delay_seconds,
    );
    let push = Receiver::new(
        store.clone(),
        billing.clone(),
        clock.clone(),
        config.push.clone(),
    );
    let services = Services::new(
        store.clone(),
        syncer.clone(),
        billing.clone(),
        clock.clone(),
        service::Settings {
            rate_limits: config.rate_limits,
            allow_private_webhook_addresses: config.allow_private_webhook_addresses,
            password_hashing_memory_mib: config.password_hashing_memory_mib,
            push: push_setup(&config),
            session_idle_minutes: config.session_idle_minutes.max(1),
            ..service::Settings::new(
                config.allow_private_device_addresses,
                config.poll_interval_minutes,
            )
        },
    )
    .with_mail(composer);
    Ok(AppState {
        mail_sender: sender,
        webhook_sender: webhooks,
        alert_watch,
        services,
        push,
        store,
        syncer,
        billing,
        config: Arc::new(config),
        clock,
    })
}

/// What the Add Device form tells customers to enter on a push device.
fn push_setup(config: &Config) -> service::PushSetup {
    let listening = config.push_listen.unwrap_or(config.listen).port();
    service::PushSetup {
        server_address: config.push_server_address.clone(),
        server_port: config.push_server_port.unwrap_or(listening),
        https: config.push_https,
        delay_seconds: config.push.delay_seconds,
    }
}

/// A running service.
pub struct Running {
    pub addr: SocketAddr,
    /// The push-only listener, when there is one.
    pub push_addr: Option<SocketAddr>,
    pub state: AppState,
    stop: watch::Sender<bool>,
    server: JoinHandle<std::io::Result<()>>,
    push_server: Option<JoinHandle<std::io::Result<()>>>,
    scheduler: Option<JoinHandle<()>>,
    /// Mail, webhooks, alerts, reports: stopped with the same signal.
    jobs: Vec<JoinHandle<()>>,
}

impl Running {
    /// Stop accepting requests, let polls in flight finish, write what
    /// push devices left buffered, then return.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.server.await;
        if let Some(s) = self.push_server {
            let _ = s.await;
        }
        if let Some(s) = self.scheduler {
            let _ = s.await;
        }
        for job in self.jobs {
            let _ = job.await;
        }
    }
}

/// Serve `state` on `listener`; with `schedule`, also run the poll scheduler.
pub async fn start(
    state: AppState,
    listener: TcpListener,
    schedule: bool,
) -> anyhow::Result<Running> {
    start_with(state, listener, None, schedule).await
}

/// Like [`start`], with a second listener that answers push devices only.
pub async fn start_with(
    state: AppState,
    listener: TcpListener,
    push_listener: Option<TcpListener>,
    schedule: bool,
) -> anyhow::Result<Running> {
    let addr = listener.local_addr()?;
    let push_addr = push_listener.as_ref().map(|l| l.local_addr()).transpose()?;
    let (stop, stop_rx) = watch::channel(false);
    let scheduler = schedule.then(|| {
        tokio::spawn(scheduler::run(
            state.syncer.clone(),
            state.config.max_concurrent_polls,
            stop_rx.clone(),
        ))
    });
    let mut jobs = if schedule {
        background_jobs(&state, &stop_rx)
    } else {
        Vec::new()
    };
    // Who called and unclaimed sightings are buffered: always flushed.
    jobs.push(state.push.spawn_flusher(stop_rx.clone()));
    let app = web::router(state.clone());
    let limits = ConnectionLimits {
        max_connections: state.config.max_connections,
        header_read_timeout: Duration::from_secs(state.config.header_read_timeout_seconds.max(1)),
        shutdown_grace: Duration::from_secs(30),
    };
    let push_server = push_listener.map(|l| {
        let app = web::iclock_router(state.clone());
        tokio::spawn(serve::serve(l, app, limits, stop_rx.clone()))
    });
    let server = tokio::spawn(serve::serve(listener, app, limits, stop_rx));
    Ok(Running {
        addr,
        push_addr,
        state,
        stop,
        server,
        push_server,
        scheduler,
        jobs,
    })
}

/// The jobs besides polling, each a loop that ends on `stop`.
fn background_jobs(state: &AppState, stop: &watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    let mut jobs = Vec::new();
    if let Some(sender) = state.mail_sender.clone() {
        jobs.push(tokio::spawn(sender.run(stop.clone())));
    }
    jobs.push(tokio::spawn(state.webhook_sender.clone().run(stop.clone())));
    jobs.push(tokio::spawn(state.alert_watch.clone().run(stop.clone())));
    let reports = ReportJob::new(state.services.clone(), state.config.instance_name());
    jobs.push(tokio::spawn(reports.run(stop.clone())));
    let retention = LogRetention::new(
        state.store.clone(),
        state.clock.clone(),
        state.config.device_log_days,
    );
    jobs.push(tokio::spawn(retention.run(stop.clone())));
    let live = LiveCapture::new(state.syncer.clone(), state.config.max_live_connections);
    jobs.push(tokio::spawn(live.run(stop.clone())));
    jobs
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://pc:secret@db:5432/pc"),
            "postgres://pc:***@db:5432/pc"
        );
        assert_eq!(
            super::redact("sqlite://data/x.sqlite"),
            "sqlite://data/x.sqlite"
        );
    }
}
