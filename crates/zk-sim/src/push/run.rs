//! One simulated push device's life: handshake, then upload, poll and run
//! commands until stopped; wait `ErrorDelay` after any failed request and
//! send again whatever was not acknowledged.

use super::commands::run_batch;
use super::http::{Answer, Http};
use super::state::{PushStats, ServerOptions, Shared};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::{sleep_until, Instant};
use zk_protocol::push::{device, handshake, timezone, TimeZoneOption};

pub(crate) struct Device {
    pub(crate) dev: Arc<Shared>,
    pub(crate) http: Http,
    pub(crate) second: Duration,
    pub(crate) batch: usize,
    pub(crate) start_after: Duration,
}

/// Why the online loop ended.
enum Exit {
    Stop,
    Failed,
    Handshake,
}

impl Device {
    pub(crate) async fn run(self, mut stop: watch::Receiver<bool>) {
        if stopped_within(&mut stop, self.start_after).await {
            return;
        }
        loop {
            let exit = if self.handshake().await {
                self.online(&mut stop).await
            } else {
                Exit::Failed
            };
            let wait = match exit {
                Exit::Stop => return,
                Exit::Handshake => Duration::ZERO,
                Exit::Failed => {
                    PushStats::add(&self.dev.stats.failures, 1);
                    self.seconds(self.dev.lock().options.error_delay)
                }
            };
            if stopped_within(&mut stop, wait).await {
                return;
            }
        }
    }

    fn seconds(&self, n: u64) -> Duration {
        self.second
            .saturating_mul(n.min(u64::from(u32::MAX)) as u32)
    }

    async fn handshake(&self) -> bool {
        let lang = self.dev.language.to_string();
        let mut q = vec![("SN", self.dev.serial.as_str()), ("options", "all")];
        if let Some(v) = &self.dev.push_version {
            q.push(("pushver", v));
        }
        q.push(("language", &lang));
        let Some(a) = self.http.get("cdata", &q).await else {
            return false;
        };
        if a.status != 200 {
            return false;
        }
        self.apply_options(&a);
        PushStats::add(&self.dev.stats.handshakes, 1);
        true
    }

    /// Take the options, and set the clock from `Date` and `TimeZone`.
    fn apply_options(&self, a: &Answer) {
        let opts = handshake::parse_options(&String::from_utf8_lossy(&a.body));
        let get = |k: &str| opts.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim());
        let num = |k: &str, d: u64| get(k).and_then(|v| v.parse().ok()).unwrap_or(d);
        let mut s = self.dev.lock();
        let old = s.options;
        s.options = ServerOptions {
            delay: num("Delay", old.delay).max(1),
            error_delay: num("ErrorDelay", old.error_delay).max(1),
            trans_interval: num("TransInterval", old.trans_interval),
            realtime: get("Realtime").map_or(old.realtime, |v| v == "1"),
        };
        if let Some(stamp) = get("ATTLOGStamp").or(get("Stamp")) {
            s.stamp = stamp.to_string();
        }
        let tz = get("TimeZone").and_then(|v| v.parse::<i32>().ok());
        let date = a.date.as_deref().and_then(timezone::parse_http_date);
        if let (Some(tz), Some(date)) = (tz, date) {
            let offset = TimeZoneOption::offset_minutes(tz) * 60;
            s.clock.set_from_server(date, offset);
        }
    }

    async fn online(&self, stop: &mut watch::Receiver<bool>) -> Exit {
        let mut next_poll = Instant::now();
        let mut next_upload = Instant::now();
        let mut first_poll = true;
        loop {
            let opts = self.dev.lock().options;
            let now = Instant::now();
            if opts.realtime || now >= next_upload {
                if !self.upload_all().await {
                    return Exit::Failed;
                }
                next_upload = now + self.seconds(60 * opts.trans_interval.max(1));
            }
            if now >= next_poll {
                match self.poll(first_poll).await {
                    Some(true) => return Exit::Handshake,
                    Some(false) => first_poll = false,
                    None => return Exit::Failed,
                }
                if !self.send_results().await {
                    return Exit::Failed;
                }
                next_poll = Instant::now() + self.seconds(opts.delay);
            }
            let until = if opts.realtime {
                next_poll
            } else {
                next_poll.min(next_upload)
            };
            tokio::select! {
                _ = sleep_until(until) => {}
                _ = self.dev.wake.notified() => {}
                _ = stop.changed() => return Exit::Stop,
            }
        }
    }

    async fn upload_all(&self) -> bool {
        loop {
            match self.upload_attlog().await {
                Some(0) => break,
                Some(_) => {}
                None => return false,
            }
        }
        loop {
            match self.upload_operlog().await {
                Some(0) => return true,
                Some(_) => {}
                None => return false,
            }
        }
    }

    /// One ATTLOG batch; `Some(records sent)` when acknowledged (0 = none
    /// pending), `None` on failure (the batch stays queued).
    async fn upload_attlog(&self) -> Option<usize> {
        let (body, n) = {
            let s = self.dev.lock();
            let lines: Vec<String> = s
                .attlog_out
                .iter()
                .take(self.batch)
                .map(device::attlog_line)
                .collect();
            (lines.join("\n").into_bytes(), lines.len())
        };
        if n == 0 {
            return Some(0);
        }
        self.upload("ATTLOG", body, n, |s, n| {
            s.attlog_out.drain(..n);
        })
        .await
    }

    async fn upload_operlog(&self) -> Option<usize> {
        let (body, n) = {
            let s = self.dev.lock();
            let lines: Vec<&Vec<u8>> = s.operlog_out.iter().take(self.batch).collect();
            (
                lines.iter().fold(Vec::new(), |mut b, l| {
                    b.extend_from_slice(l);
                    b.push(b'\n');
                    b
                }),
                lines.len(),
            )
        };
        if n == 0 {
            return Some(0);
        }
        self.upload("OPERLOG", body, n, |s, n| {
            s.operlog_out.drain(..n);
        })
        .await
    }

    async fn upload(
        &self,
        table: &str,
        body: Vec<u8>,
        n: usize,
        ack: impl FnOnce(&mut super::state::DeviceState, usize),
    ) -> Option<usize> {
        let stamp = self.dev.lock().stamp.clone();
        let q = [
            ("SN", self.dev.serial.as_str()),
            ("table", table),
            ("Stamp", &stamp),
        ];
        let sent = Instant::now();
        let a = self.http.post("cdata", &q, body).await?;
        if !a.acknowledged() {
            return None;
        }
        if table == "ATTLOG" {
            self.dev.stats.add_upload_time(sent.elapsed());
        }
        // Only the front `n` were sent; anything queued meanwhile is behind them.
        ack(&mut self.dev.lock(), n);
        PushStats::add(&self.dev.stats.uploads_ok, 1);
        PushStats::add(&self.dev.stats.records_acked, n as u64);
        Some(n)
    }

    /// Poll for commands and run them: `Some(true)` when one asks for a new
    /// handshake, `None` on failure.
    async fn poll(&self, with_info: bool) -> Option<bool> {
        let info = self.info();
        let mut q = vec![("SN", self.dev.serial.as_str())];
        if with_info {
            q.push(("INFO", &info));
        }
        let a = self.http.get("getrequest", &q).await?;
        if a.status != 200 {
            return None;
        }
        PushStats::add(&self.dev.stats.polls, 1);
        Some(run_batch(&self.dev, &a.body).handshake)
    }

    fn info(&self) -> String {
        let s = self.dev.lock();
        format!(
            "Ver 2.4.1-sim,{},0,{},127.0.0.1,10,0,0,0,100",
            s.users.len(),
            s.log.len()
        )
    }

    async fn send_results(&self) -> bool {
        let results = self.dev.lock().results_out.clone();
        if results.is_empty() {
            return true;
        }
        let body = self.dev.encoding.encode_lossy(&(results.join("\n") + "\n"));
        let q = [("SN", self.dev.serial.as_str())];
        match self.http.post("devicecmd", &q, body).await {
            Some(a) if a.status == 200 => {
                self.dev.lock().results_out.drain(..results.len());
                true
            }
            _ => false,
        }
    }
}

/// Wait `d`; `true` if told to stop meanwhile.
async fn stopped_within(stop: &mut watch::Receiver<bool>, d: Duration) -> bool {
    if *stop.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep(d) => *stop.borrow(),
        _ = stop.changed() => true,
    }
}
