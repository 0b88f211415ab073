//! `punchclock serve`: the web app, the API and the poll scheduler.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::clock::Clock;
use crate::config::Config;

/// Flags override the config file and the environment.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// TOML config file (default: ./punchclock.toml if present).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Address to listen on, e.g. 0.0.0.0:8080.
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// A second address answering only push devices (`/iclock/*`),
    /// e.g. 0.0.0.0:8081.
    #[arg(long)]
    pub push_listen: Option<SocketAddr>,
    /// Directory for the embedded SQLite database.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// `postgres://…` to use PostgreSQL instead of SQLite.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Default minutes between polls.
    #[arg(long)]
    pub poll_interval_minutes: Option<u32>,
    /// The address our poller connects from, shown to customers.
    #[arg(long)]
    pub public_address: Option<String>,
    /// Allow device hosts on private, loopback or link-local addresses.
    #[arg(long)]
    pub allow_private_device_addresses: bool,
    /// Add a demo company with simulated devices, so there is data at once.
    #[arg(long)]
    pub demo: bool,
}

impl ServeArgs {
    fn apply(self, c: &mut Config) {
        if let Some(v) = self.listen {
            c.listen = v;
        }
        if let Some(v) = self.push_listen {
            c.push_listen = Some(v);
        }
        if let Some(v) = self.data_dir {
            c.data_dir = v;
        }
        if let Some(v) = self.database_url {
            c.database_url = v;
        }
        if let Some(v) = self.poll_interval_minutes {
            c.poll_interval_minutes = v;
        }
        if let Some(v) = self.public_address {
            c.public_address = v;
        }
        if self.allow_private_device_addresses || self.demo {
            // The demo's simulated devices live on 127.0.0.1.
            c.allow_private_device_addresses = true;
        }
    }
}

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    super::logging::init_tracing();
    let mut config = Config::load(args.config.as_deref()).context("reading the configuration")?;
    let demo = args.demo;
    args.apply(&mut config);
    let listen = config.listen;
    let push_listen = config.push_listen;
    let state = crate::app::build_state(config, Clock::system()).await?;
    // Keep the demo's simulator alive as long as the service runs.
    let _demo = if demo {
        Some(
            crate::demo::setup(&state)
                .await
                .context("setting up the demo")?,
        )
    } else {
        None
    };
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let push_listener = match push_listen {
        Some(addr) => Some(
            TcpListener::bind(addr)
                .await
                .with_context(|| format!("listening for push devices on {addr}"))?,
        ),
        None => None,
    };
    let running = crate::app::start_with(state, listener, push_listener, true).await?;
    println!("punchclock: serving on http://{}", running.addr);
    if let Some(addr) = running.push_addr {
        println!("punchclock: push devices (iclock) on http://{addr}");
    }
    shutdown_signal().await;
    eprintln!("punchclock: shutting down (letting polls in flight finish)");
    running.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing a SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
