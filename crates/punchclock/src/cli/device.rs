//! `punchclock device info|users|punches|time`: talk to one clock directly,
//! for field technicians checking a device, its network path and its data.

use crate::domain::device_time::from_civil;
use crate::domain::{CommKey, Host, Port};
use anyhow::Context;
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use zk_client::{ClientError, ClientOptions, DeviceTime, Punch, TransportChoice, User, ZkClient};

#[derive(Debug, clap::Args)]
pub struct DeviceArgs {
    #[command(subcommand)]
    pub action: DeviceAction,
}

#[derive(Debug, clap::Subcommand)]
pub enum DeviceAction {
    /// Serial number, model, firmware, user and punch counts, clock.
    Info(ConnArgs),
    /// List the users enrolled on the device.
    Users(ConnArgs),
    /// Download the whole attendance log.
    Punches(ConnArgs),
    /// Show the device clock, or set it with --set.
    Time(TimeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ConnArgs {
    /// Device address: a host name or an IP address. Checked like the
    /// Devices form checks it, before anything is sent.
    #[arg(long, value_parser = Host::parse)]
    pub host: Host,
    #[arg(long, value_parser = Port::parse, default_value_t = Port::DEFAULT)]
    pub port: Port,
    /// Communication password configured on the device, if any.
    #[arg(long, value_parser = CommKey::parse)]
    pub comm_key: Option<CommKey>,
    /// auto tries TCP, then UDP.
    #[arg(long, default_value = "auto")]
    pub transport: TransportChoice,
    /// Seconds to wait for each step before giving up.
    #[arg(long, default_value_t = 10.0, value_parser = parse_seconds)]
    pub timeout: f64,
    /// Machine-readable JSON on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct TimeArgs {
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Set the clock: "now" (this computer's local time) or YYYY-MM-DDTHH:MM:SS.
    #[arg(long)]
    pub set: Option<String>,
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 3600.0 => Ok(v),
        _ => Err(format!(
            "{s:?} is not a number of seconds between 0 and 3600"
        )),
    }
}

pub async fn run(args: DeviceArgs) -> anyhow::Result<ExitCode> {
    let (conn, what) = match &args.action {
        DeviceAction::Info(c) => (c, "read the device information"),
        DeviceAction::Users(c) => (c, "read the users"),
        DeviceAction::Punches(c) => (c, "download the punches"),
        DeviceAction::Time(t) => (&t.conn, "read the clock"),
    };
    // Reject a bad --set before touching the network.
    let set_to = match &args.action {
        DeviceAction::Time(TimeArgs { set: Some(s), .. }) => Some(parse_time(s)?),
        _ => None,
    };
    let opts = ClientOptions {
        comm_key: conn.comm_key.map(CommKey::get),
        transport: conn.transport,
        timeout: Duration::from_secs_f64(conn.timeout),
        ..ClientOptions::default()
    };
    let target = format!("{}:{}", conn.host, conn.port);
    let mut client = match ZkClient::connect(conn.host.as_str(), conn.port.get(), &opts).await {
        Ok(c) => c,
        Err(e) => return Ok(fail(&format!("could not connect to {target}"), &e)),
    };
    let result = match &args.action {
        DeviceAction::Info(c) => info(&mut client, c.json).await,
        DeviceAction::Users(c) => users(&mut client, c.json).await,
        DeviceAction::Punches(c) => punches(&mut client, c.json).await,
        DeviceAction::Time(t) => time(&mut client, t.conn.json, set_to).await,
    };
    // End the session even after a failure so the device frees it.
    let closed = client.close().await;
    match result {
        Err(Failure::Client(e)) => Ok(fail(&format!("could not {what} from {target}"), &e)),
        // The reader went away (e.g. `| head`): stop quietly, as Unix tools do.
        Err(Failure::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            Ok(ExitCode::SUCCESS)
        }
        Err(Failure::Output(e)) => Err(anyhow::Error::new(e).context("could not write the output")),
        Ok(()) => {
            if let Err(e) = closed {
                eprintln!("warning: the session did not end cleanly: {e}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A device failure (reported in plain words) or a local output failure.
enum Failure {
    Client(ClientError),
    Output(std::io::Error),
}

impl From<ClientError> for Failure {
    fn from(e: ClientError) -> Self {
        Failure::Client(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Output(e)
    }
}

/// Print the failure; exit 2 when the device could not be reached or spoken to.
fn fail(context: &str, e: &ClientError) -> ExitCode {
    eprintln!("error: {context}: {e}");
    if let Some(hint) = hint(e) {
        eprintln!("hint: {hint}");
    }
    ExitCode::from(if e.is_connection() { 2 } else { 1 })
}

fn hint(e: &ClientError) -> Option<&'static str> {
    match e {
        ClientError::Resolve { .. } => Some("check the spelling of the host name, or use the device's IP address"),
        ClientError::Timeout { .. } => Some("check that the device is on and reachable; try --transport udp for older devices, or a longer --timeout"),
        ClientError::KeyRequired => Some("pass the device's communication password with --comm-key"),
        ClientError::KeyRejected => Some("the password is under Menu > Comm. > PC connection on most devices"),
        ClientError::NotZk { .. } => Some("check the port: ZK devices listen on 4370"),
        _ => None,
    }
}

fn parse_time(s: &str) -> anyhow::Result<DeviceTime> {
    if s == "now" {
        let now = crate::clock::Clock::system().now();
        return from_civil(now.to_zoned(jiff::tz::TimeZone::system()).datetime())
            .context("this computer's clock is outside the years 2000-2099 devices can hold");
    }
    let dt: jiff::civil::DateTime = s
        .parse()
        .with_context(|| format!("{s:?} is not a time like 2024-01-31T08:30:00"))?;
    from_civil(dt).with_context(|| format!("{s:?}: devices only hold times in the years 2000-2099"))
}

#[derive(Serialize)]
struct InfoJson<'a> {
    serial_number: Option<&'a str>,
    platform: Option<&'a str>,
    firmware: Option<&'a str>,
    device_name: Option<&'a str>,
    users: u32,
    punches: u32,
    user_capacity: u32,
    punch_capacity: u32,
    time: String,
}

async fn info(c: &mut ZkClient, json: bool) -> Result<(), Failure> {
    let i = c.info().await?;
    let mut out = std::io::stdout().lock();
    if json {
        let j = InfoJson {
            serial_number: i.serial_number.as_deref(),
            platform: i.platform.as_deref(),
            firmware: i.firmware.as_deref(),
            device_name: i.device_name.as_deref(),
            users: i.sizes.users,
            punches: i.sizes.records,
            user_capacity: i.sizes.users_cap,
            punch_capacity: i.sizes.records_cap,
            time: i.time.to_string(),
        };
        serde_json::to_writer_pretty(&mut out, &j).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(());
    }
    let unknown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not reported)".into());
    let rows = [
        ("serial number", unknown(&i.serial_number)),
        ("device name", unknown(&i.device_name)),
        ("platform", unknown(&i.platform)),
        ("firmware", unknown(&i.firmware)),
        ("MAC address", unknown(&i.mac)),
        (
            "users",
            format!("{} of {}", i.sizes.users, i.sizes.users_cap),
        ),
        (
            "punches",
            format!("{} of {}", i.sizes.records, i.sizes.records_cap),
        ),
        (
            "fingerprints",
            format!("{} of {}", i.sizes.fingers, i.sizes.fingers_cap),
        ),
        ("device clock", i.time.to_string().replace('T', " ")),
        (
            "connected via",
            format!("{} to {}", c.transport(), c.peer_addr()),
        ),
    ];
    for (k, v) in rows {
        writeln!(out, "{k:<15} {v}")?;
    }
    Ok(())
}

#[derive(Serialize)]
struct UserJson<'a> {
    uid: u16,
    user_id: &'a str,
    name: &'a str,
    privilege: u8,
    card: u32,
    group: u8,
}

fn role(privilege: u8) -> String {
    let level = match privilege & 0x0E {
        0 => "user",
        2 => "enroller",
        6 => "manager",
        14 => "admin",
        _ => "other",
    };
    if privilege & 1 == 1 {
        format!("{level} (disabled)")
    } else {
        level.to_string()
    }
}

async fn users(c: &mut ZkClient, json: bool) -> Result<(), Failure> {
    let users: Vec<User> = c.users().await?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        let list: Vec<UserJson> = users
            .iter()
            .map(|u| UserJson {
                uid: u.uid,
                user_id: &u.user_id,
                name: &u.name,
                privilege: u.privilege,
                card: u.card,
                group: u.group,
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &list).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        let header = ["UID", "USER ID", "NAME", "ROLE", "CARD", "GROUP"].map(String::from);
        let rows: Vec<[String; 6]> = users.iter().map(user_row).collect();
        write_table(&mut out, &header, &rows)?;
    }
    out.flush()?;
    eprintln!("{} users", users.len());
    Ok(())
}

fn user_row(u: &User) -> [String; 6] {
    let card = if u.card == 0 {
        String::new()
    } else {
        u.card.to_string()
    };
    [
        u.uid.to_string(),
        u.user_id.clone(),
        u.name.clone(),
        role(u.privilege),
        card,
        u.group.to_string(),
    ]
}

/// Columns padded to their widest cell, two spaces apart.
fn write_table<const N: usize>(
    out: &mut impl Write,
    header: &[String; N],
    rows: &[[String; N]],
) -> std::io::Result<()> {
    let mut widths = header.clone().map(|h| h.chars().count());
    for r in rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for r in std::iter::once(header).chain(rows) {
        let line: Vec<String> = r
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        writeln!(out, "{}", line.join("  ").trim_end())?;
    }
    Ok(())
}

#[derive(Serialize)]
struct PunchJson<'a> {
    user_id: &'a str,
    time: String,
    status: u8,
    punch: u8,
    uid: u16,
}

/// Progress on stderr: rewritten in place on a terminal, an occasional line otherwise.
struct Progress {
    tty: bool,
    shown: Option<u64>,
    started: Instant,
}

impl Progress {
    fn new() -> Self {
        Progress {
            tty: std::io::stderr().is_terminal(),
            shown: None,
            started: Instant::now(),
        }
    }

    fn update(&mut self, done: u64, total: u64) {
        let pct = (done * 100).checked_div(total).unwrap_or(100);
        // A terminal gets every percent; a log gets every 10 % on slow pulls only.
        let step = if self.tty { 1 } else { 10 };
        if self.shown.is_some_and(|s| pct < s + step) && pct != 100 {
            return;
        }
        if !self.tty && self.started.elapsed() < Duration::from_secs(1) && pct != 100 {
            return;
        }
        if self.shown == Some(pct) {
            return;
        }
        self.shown = Some(pct);
        let line = format!("pulling punches: {pct}% ({done}/{total} bytes)");
        if self.tty {
            eprint!("\r{line}\x1b[K");
            if pct == 100 {
                eprintln!();
            }
        } else {
            eprintln!("{line}");
        }
    }
}

impl Drop for Progress {
    /// A pull that failed half-way must not leave the error glued to the bar.
    fn drop(&mut self) {
        if self.tty && self.shown.is_some_and(|p| p < 100) {
            eprintln!();
        }
    }
}

/// Writes punches as they are decoded, so a million stay out of memory. The
/// first write error is kept and ends the output.
struct PunchRows<W: Write> {
    out: W,
    json: bool,
    count: u64,
    error: Option<std::io::Error>,
}

impl<W: Write> PunchRows<W> {
    fn push(&mut self, p: &Punch) {
        if self.error.is_none() {
            self.error = self.write(p).err();
            self.count += 1;
        }
    }

    fn write(&mut self, p: &Punch) -> std::io::Result<()> {
        let first = self.count == 0;
        if self.json {
            self.out.write_all(if first { b"[\n" } else { b",\n" })?;
            let row = PunchJson {
                user_id: &p.user_id,
                time: p.time.to_string(),
                status: p.status,
                punch: p.punch,
                uid: p.uid,
            };
            return serde_json::to_writer(&mut self.out, &row).map_err(std::io::Error::from);
        }
        if first {
            let h = ("USER ID", "TIME", "STATUS", "PUNCH", "UID");
            writeln!(
                self.out,
                "{:<12} {:<19}  {:>6}  {:>5}  {:>5}",
                h.0, h.1, h.2, h.3, h.4
            )?;
        }
        let time = p.time.to_string().replace('T', " ");
        writeln!(
            self.out,
            "{:<12} {:<19}  {:>6}  {:>5}  {:>5}",
            p.user_id, time, p.status, p.punch, p.uid
        )
    }

    /// Close the JSON array and flush.
    fn finish(mut self) -> std::io::Result<()> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.json {
            self.out
                .write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })?;
        }
        self.out.flush()
    }
}

async fn punches(c: &mut ZkClient, json: bool) -> Result<(), Failure> {
    let mut rows = PunchRows {
        out: std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout()),
        json,
        count: 0,
        error: None,
    };
    let mut progress = Progress::new();
    let count = c
        .punches_with(&mut |p: Punch| rows.push(&p), &mut |d, t| {
            progress.update(d, t)
        })
        .await?;
    rows.finish()?;
    let skipped = c.last_skipped();
    if skipped > 0 {
        eprintln!("{count} punches ({skipped} unreadable records skipped)");
    } else {
        eprintln!("{count} punches");
    }
    Ok(())
}

async fn time(c: &mut ZkClient, json: bool, set_to: Option<DeviceTime>) -> Result<(), Failure> {
    if let Some(t) = set_to {
        c.set_time(t).await?;
    }
    let t = c.get_time().await?;
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::json!({ "time": t.to_string() }))?;
    } else {
        writeln!(out, "{}", t.to_string().replace('T', " "))?;
    }
    Ok(())
}
