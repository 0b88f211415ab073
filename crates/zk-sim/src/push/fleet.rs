//! Starting simulated push devices and talking to them from a test.

use super::http::Http;
use super::run::Device;
use super::spec::{PushOptions, PushSpec, PushUser};
use super::state::{upsert_user, PushStats, Shared};
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinSet;
use zk_protocol::push::AttLog;
use zk_protocol::{DeviceTime, VerifyMethod};

/// Why push devices could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("push simulator: {0}")]
pub struct StartError(pub String);

/// Many push devices in one process, each a task calling the server.
pub struct PushFleet {
    devices: Vec<PushDevice>,
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl PushFleet {
    /// Start one task per spec against `server` (e.g. `http://127.0.0.1:8080`).
    /// Only loopback servers unless `opts.allow_non_loopback`.
    pub fn start(
        server: &str,
        specs: Vec<PushSpec>,
        opts: PushOptions,
    ) -> Result<PushFleet, StartError> {
        check_server(server, opts.allow_non_loopback)?;
        raise_nofile_limit();
        let http = Http::new(server, opts.request_timeout)
            .map_err(|e| StartError(format!("HTTP client: {e}")))?;
        let (stop, rx) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let mut devices = Vec::with_capacity(specs.len());
        let n = specs.len().max(1) as u32;
        for (i, spec) in specs.into_iter().enumerate() {
            let dev = Arc::new(Shared::new(spec));
            let device = Device {
                dev: dev.clone(),
                http: http.clone(),
                second: opts.second,
                batch: opts.batch.max(1),
                start_after: opts.start_spread * i as u32 / n,
            };
            tasks.spawn(device.run(rx.clone()));
            devices.push(PushDevice { dev });
        }
        Ok(PushFleet {
            devices,
            stop,
            tasks,
        })
    }

    pub fn device(&self, i: usize) -> &PushDevice {
        &self.devices[i]
    }

    pub fn devices(&self) -> &[PushDevice] {
        &self.devices
    }

    /// Stop every device and wait for its task to end.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
    }
}

/// Each device may hold a connection open; thousands need a higher limit.
fn raise_nofile_limit() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        #[cfg(unix)]
        if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
            tracing::warn!(error = %e, "cannot raise the open-file limit");
        }
    });
}

fn check_server(server: &str, allow_any: bool) -> Result<(), StartError> {
    let host = server
        .strip_prefix("http://")
        .ok_or_else(|| StartError(format!("{server:?}: only http:// URLs")))?
        .split(['/', '?'])
        .next()
        .unwrap_or("");
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if loopback || allow_any {
        Ok(())
    } else {
        Err(StartError(format!(
            "{server:?} is not a loopback address; the push simulator only calls 127.0.0.0/8 or [::1]"
        )))
    }
}

/// A handle on one simulated push device.
#[derive(Clone)]
pub struct PushDevice {
    dev: Arc<Shared>,
}

impl PushDevice {
    pub fn serial(&self) -> &str {
        &self.dev.serial
    }

    /// Someone punches now (device clock); uploaded at once in `Realtime`,
    /// else at the next `TransInterval`.
    pub fn punch(&self, pin: &str, status: u16, verify: VerifyMethod) -> AttLog {
        let mut s = self.dev.lock();
        let p = AttLog {
            pin: pin.into(),
            time: s.clock.now(),
            status,
            verify,
            work_code: String::new(),
            extra: Vec::new(),
        };
        s.log.push(p.clone());
        s.attlog_out.push_back(p.clone());
        drop(s);
        self.dev.wake.notify_one();
        p
    }

    /// Enrol or rename a user on the device; reported as a USER line.
    pub fn set_user(&self, u: PushUser) {
        upsert_user(&mut self.dev.lock(), self.dev.encoding, u);
        self.dev.wake.notify_one();
    }

    pub fn users(&self) -> Vec<PushUser> {
        self.dev.lock().users.clone()
    }

    /// The device's wall-clock time now.
    pub fn clock(&self) -> DeviceTime {
        self.dev.lock().clock.now()
    }

    /// Moves the device's clock by `secs` (one that drifted, or that
    /// someone set wrong); the server's clock command puts it right.
    pub fn jump_clock(&self, secs: i64) {
        self.dev.lock().clock.drift_secs += secs;
    }

    /// Records still waiting for an acknowledgement.
    pub fn unacknowledged(&self) -> usize {
        let s = self.dev.lock();
        s.attlog_out.len() + s.operlog_out.len()
    }

    pub fn stats(&self) -> &PushStats {
        &self.dev.stats
    }
}
