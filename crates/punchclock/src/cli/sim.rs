//! `punchclock sim …`: run simulated time clocks for demos, tests and
//! benchmarks (the simulator itself lives in the `zk-sim` crate).

use anyhow::{bail, Context};
use serde_json::{json, Value};
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;
use zk_protocol::{DeviceTime, NameEncoding, User};
use zk_sim::push::{punch_steadily, PushFleet, PushOptions, PushSpec};
use zk_sim::{DeviceSpec, Simulator};

#[derive(Debug, clap::Args)]
pub struct SimArgs {
    /// Address of the first device; the others follow on consecutive ports
    /// (TCP and UDP each). Port 0 picks a free port (one device only).
    #[arg(long, default_value = "127.0.0.1:4370")]
    pub listen: SocketAddr,
    /// Number of devices.
    #[arg(long, default_value_t = 1)]
    pub devices: u32,
    /// Users per device.
    #[arg(long, default_value_t = 20)]
    pub users: u32,
    /// Punches per device.
    #[arg(long, default_value_t = 1000)]
    pub punches: u32,
    /// Seed of the generated data (same seed, same devices).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Comm key (communication password) every device demands.
    #[arg(long)]
    pub comm_key: Option<u32>,
    /// Pause between frames of multi-frame answers, in milliseconds
    /// (0 = back-to-back like real firmware; pyzk needs a few ms over TCP).
    #[arg(long, default_value_t = 0)]
    pub frame_gap_ms: u64,
    /// Simulated WAN: delay added to every request/answer round trip, in ms.
    #[arg(long, default_value_t = 0)]
    pub rtt_ms: u64,
    /// Simulated WAN: device-to-client throughput cap in kbit/s (0 = none).
    #[arg(long, default_value_t = 0)]
    pub bandwidth_kbps: u32,
    /// Serve TCP only: one descriptor per device instead of two, so 10,000
    /// devices fit a 20,000 open-file limit.
    #[arg(long)]
    pub tcp_only: bool,
    /// Generate a live tap (a punch pushed to sessions registered for
    /// events) on every device this often, in seconds (0 = never).
    #[arg(long, default_value_t = 0)]
    pub live_every_seconds: u64,
    /// Device clock minus the host's local time, in seconds (a clock set
    /// wrong: 3600 is a clock on the next zone east).
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    pub clock_offset_seconds: i64,
    /// The code page user names are stored and served in, as older clocks
    /// do (cp1252, gbk, cp1256, …).
    #[arg(long, default_value = "utf-8", value_parser = parse_encoding)]
    pub name_encoding: NameEncoding,
    /// Give the user with this enroll id this name, adding the user if
    /// there is none: `--name 7=Núñez` (repeatable).
    #[arg(long = "name", value_name = "ID=NAME", value_parser = parse_name)]
    pub names: Vec<(String, String)>,
    /// Print one device's generated data as JSON and exit (tests compare
    /// clients against it).
    #[arg(long, hide = true, value_parser = ["users", "punches", "info", "serials"])]
    pub dump: Option<String>,
    /// Which device `--dump` prints.
    #[arg(long, hide = true, default_value_t = 0)]
    pub dump_device: u32,
    /// Generate punches on the days before this date (YYYY-MM-DD) instead of
    /// today, so separate runs agree on the data.
    #[arg(long, hide = true)]
    pub anchor_date: Option<String>,
    /// Run push devices (ADMS / iclock) that call this Punchclock, e.g.
    /// http://127.0.0.1:8080, instead of devices that wait to be polled.
    /// Only loopback servers. Their serial numbers are printed: add them
    /// under Manage Devices as push devices.
    #[arg(long, value_name = "URL")]
    pub push: Option<String>,
    /// With --push: punches per second over all devices, sent in real time
    /// (0 = none; the devices still hand-shake and poll).
    #[arg(long, default_value_t = 1.0)]
    pub punches_per_second: f64,
    /// With --push (benchmarks): let every device hand-shake, punch for
    /// this many seconds, wait until every punch is acknowledged, print the
    /// upload times as JSON and exit.
    #[arg(long, hide = true)]
    pub measure_seconds: Option<u64>,
    /// (Benchmarks) Once SIGUSR1 arrives, tap the devices in turn at this
    /// many taps per second over all of them, printing each tap as a JSON
    /// line (serial, user_id, time, at_ms: when it was made, Unix ms).
    #[arg(long, hide = true, default_value_t = 0.0)]
    pub tap_rate: f64,
    /// With --tap-rate: how many taps in all.
    #[arg(long, hide = true, default_value_t = 0)]
    pub taps: u64,
    /// With --measure-seconds: seconds to stay online without punching
    /// first (the benchmark's idle baseline).
    #[arg(long, hide = true, default_value_t = 0)]
    pub idle_seconds: u64,
    /// (Benchmarks) On each SIGUSR2, every this-many-th device (0, N, 2N,
    /// …) gets `--grow-punches` new punches in its log, timed just before
    /// now; prints "punchclock sim: grew D devices by P punches" (0 = off).
    #[arg(long, hide = true, default_value_t = 0)]
    pub grow_every: u32,
    /// With --grow-every: new punches per grown device.
    #[arg(long, hide = true, default_value_t = 20)]
    pub grow_punches: u32,
}

pub async fn run(args: SimArgs) -> anyhow::Result<ExitCode> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    check_ports(&args)?;
    let until = match &args.anchor_date {
        Some(d) => Some(parse_date(d)?),
        None => None,
    };
    let spec = |i: u32| {
        let mut s = match until {
            Some(u) => DeviceSpec::generated_until(i, args.users, args.punches, args.seed, u),
            None => DeviceSpec::generated(i, args.users, args.punches, args.seed),
        };
        s.comm_key = args.comm_key;
        s.frame_gap = Duration::from_millis(args.frame_gap_ms);
        s.wan = zk_sim::Wan {
            rtt: Duration::from_millis(args.rtt_ms),
            bandwidth_kbps: args.bandwidth_kbps,
        };
        s.udp = !args.tcp_only;
        s.live_every = Some(Duration::from_secs(args.live_every_seconds)).filter(|d| !d.is_zero());
        s.clock_offset_secs = args.clock_offset_seconds;
        s.name_encoding = args.name_encoding;
        name_users(&mut s.users, &args.names);
        s
    };

    if args.dump.as_deref() == Some("serials") {
        let serials: Vec<String> = (0..args.devices).map(|i| spec(i).serial).collect();
        println!("{}", serde_json::to_string(&serials)?);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(what) = &args.dump {
        let json = dump(&spec(args.dump_device), what);
        println!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(ExitCode::SUCCESS);
    }

    if let Some(url) = &args.push {
        let specs = (0..args.devices)
            .map(|i| PushSpec::from_generated(&spec(i)))
            .collect();
        let measure = args.measure_seconds.map(|secs| Measure {
            idle: Duration::from_secs(args.idle_seconds),
            punching: Duration::from_secs(secs),
        });
        return run_push(url, specs, args.punches_per_second, measure).await;
    }

    let specs = (0..args.devices).map(spec).collect();
    let sim = Simulator::start(args.listen.ip(), args.listen.port(), specs)
        .await
        .context("cannot start the simulator")?;
    announce(&sim, args.tcp_only)?;
    if args.grow_every > 0 {
        tokio::select! {
            r = wait_for_signal() => r?,
            r = grow_on_signal(&sim, args.grow_every, args.grow_punches) => r?,
        }
    } else if args.tap_rate > 0.0 && args.taps > 0 {
        tokio::select! {
            r = wait_for_signal() => r?,
            r = tap_on_signal(&sim, args.tap_rate, args.taps) => {
                r?;
                wait_for_signal().await?;
            }
        }
    } else {
        wait_for_signal().await?;
    }
    sim.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

/// Push devices calling `url` until a signal; they punch steadily.
async fn run_push(
    url: &str,
    specs: Vec<PushSpec>,
    per_second: f64,
    measure: Option<Measure>,
) -> anyhow::Result<ExitCode> {
    if !per_second.is_finite() || per_second < 0.0 {
        bail!("--punches-per-second must be 0 or more");
    }
    let serials: Vec<String> = specs.iter().map(|s| s.serial.clone()).collect();
    let opts = PushOptions {
        start_spread: Duration::from_secs(10).min(Duration::from_millis(10) * specs.len() as u32),
        ..PushOptions::default()
    };
    let fleet = PushFleet::start(url, specs, opts).context("cannot start the push devices")?;
    let serials = match serials.as_slice() {
        few if few.len() <= 10 => few.join(", "),
        [first, .., last] => format!("{first} … {last}"),
        _ => String::new(),
    };
    println!(
        "punchclock sim: {} push devices calling {url} (serial numbers {serials})",
        fleet.devices().len()
    );
    std::io::stdout().flush()?;
    if let Some(m) = measure {
        let report = measure_push(&fleet, per_second, m).await;
        fleet.shutdown().await;
        println!("{}", serde_json::to_string(&report?)?);
        return Ok(ExitCode::SUCCESS);
    }
    // A day of punches at this pace; the signal ends it sooner.
    let punching = punch_steadily(&fleet, per_second, Duration::from_secs(86_400));
    tokio::select! {
        r = wait_for_signal() => r?,
        _ = punching => wait_for_signal().await?,
    }
    fleet.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

/// How long the benchmark's run stays idle, then punches.
struct Measure {
    idle: Duration,
    punching: Duration,
}

/// The benchmark's run: every device online first (handshaken and polling),
/// then punches at the pace, then every punch acknowledged (at most 5 min).
async fn measure_push(fleet: &PushFleet, per_second: f64, m: Measure) -> anyhow::Result<Value> {
    let devices = fleet.devices();
    let limit = tokio::time::Instant::now() + Duration::from_secs(300);
    let get = zk_sim::push::PushStats::get;
    while devices.iter().any(|d| get(&d.stats().polls) == 0) {
        if tokio::time::Instant::now() > limit {
            bail!("not every push device came online within 5 minutes");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!("punchclock sim: all online");
    std::io::stdout().flush()?;
    tokio::time::sleep(m.idle).await;
    println!("punchclock sim: punching");
    std::io::stdout().flush()?;
    let started = std::time::Instant::now();
    let punches = punch_steadily(fleet, per_second, m.punching).await;
    let punching = started.elapsed();
    let limit = tokio::time::Instant::now() + Duration::from_secs(300);
    while devices.iter().any(|d| d.unacknowledged() > 0) {
        if tokio::time::Instant::now() > limit {
            bail!("punches still unacknowledged after 5 minutes");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut times: Vec<Duration> = devices
        .iter()
        .flat_map(|d| d.stats().upload_times())
        .collect();
    times.sort_unstable();
    let ms = |q: f64| {
        let i = ((times.len() as f64 * q).ceil() as usize).clamp(1, times.len().max(1)) - 1;
        times.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Ok(json!({
        "devices": devices.len(),
        "punches": punches,
        "punching_seconds": punching.as_secs_f64(),
        "acknowledged": devices.iter().map(|d| get(&d.stats().records_acked)).sum::<u64>(),
        "uploads": times.len(),
        "failures": devices.iter().map(|d| get(&d.stats().failures)).sum::<u64>(),
        "p50_ms": ms(0.50),
        "p99_ms": ms(0.99),
        "max_ms": ms(1.0),
    }))
}

/// Every device gets its own port after the first.
fn check_ports(args: &SimArgs) -> anyhow::Result<()> {
    if args.devices == 0 {
        bail!("--devices must be at least 1");
    }
    let port = args.listen.port();
    if port == 0 && args.devices > 1 {
        bail!("--listen port 0 (any free port) works with one device only");
    }
    if usize::from(port) + args.devices as usize - 1 > usize::from(u16::MAX) {
        bail!(
            "{} devices from port {port} run past port 65535",
            args.devices
        );
    }
    Ok(())
}

/// The line scripts wait for: where the devices listen.
fn announce(sim: &Simulator, tcp_only: bool) -> anyhow::Result<()> {
    let first = sim.addr(0);
    let last = sim.addr(sim.len() - 1).port();
    let (noun, ports) = if sim.len() == 1 {
        ("device", first.to_string())
    } else {
        ("devices", format!("{first}-{last}"))
    };
    println!(
        "punchclock sim: {} {noun} listening on {ports} ({})",
        sim.len(),
        if tcp_only { "tcp" } else { "tcp+udp" }
    );
    std::io::stdout().flush()?;
    Ok(())
}

/// The benchmark's taps: after SIGUSR1, `taps` taps at `rate` per second,
/// the devices in turn, each printed with the instant it was made.
async fn tap_on_signal(sim: &Simulator, rate: f64, taps: u64) -> anyhow::Result<()> {
    if !rate.is_finite() {
        bail!("--tap-rate must be a number");
    }
    #[cfg(unix)]
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::user_defined1())?
        .recv()
        .await;
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    let n = sim.len() as u64;
    let mut out = std::io::stdout();
    writeln!(out, "punchclock sim: tapping")?;
    for k in 0..taps {
        tick.tick().await;
        let device = sim.device((k % n) as usize);
        let Some(p) = device.tap(k / n) else { continue };
        let at = jiff::Timestamp::now().as_microsecond() as f64 / 1000.0;
        let line = json!({"serial": device.serial(), "user_id": p.user_id,
            "time": p.time.to_string(), "at_ms": at});
        writeln!(out, "{line}")?;
        out.flush()?;
    }
    writeln!(out, "punchclock sim: taps done")?;
    out.flush()?;
    Ok(())
}

/// The benchmark's new punches: on every SIGUSR2, every `every`-th device
/// gets `count` punches (the users in turn, a second apart, ending a
/// second before now), as if its people had punched since the last poll.
async fn grow_on_signal(sim: &Simulator, every: u32, count: u32) -> anyhow::Result<()> {
    #[cfg(unix)]
    let mut usr2 = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::user_defined2())?;
    loop {
        #[cfg(unix)]
        usr2.recv().await;
        #[cfg(not(unix))]
        std::future::pending::<()>().await;
        let now = jiff::Zoned::now().datetime();
        let mut grown = 0;
        for i in (0..sim.len()).step_by(every as usize) {
            let device = sim.device(i);
            let users = device.users();
            let punches = (0..count)
                .filter_map(|k| {
                    let user = users.get(k as usize % users.len().max(1))?;
                    let at = now
                        .checked_sub(jiff::Span::new().seconds(i64::from(count - k)))
                        .ok()?;
                    Some(zk_protocol::Punch {
                        uid: user.uid,
                        user_id: user.user_id.clone(),
                        time: DeviceTime::new(
                            u16::try_from(at.year()).ok()?,
                            at.month() as u8,
                            at.day() as u8,
                            at.hour() as u8,
                            at.minute() as u8,
                            at.second() as u8,
                        )?,
                        status: 1,
                        punch: (k % 2) as u8,
                    })
                })
                .collect();
            device.add_punches(punches);
            grown += 1;
        }
        let mut out = std::io::stdout();
        writeln!(
            out,
            "punchclock sim: grew {grown} devices by {count} punches"
        )?;
        out.flush()?;
    }
}

async fn wait_for_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await?;
    Ok(())
}

fn parse_encoding(s: &str) -> Result<NameEncoding, String> {
    s.parse()
        .map_err(|e: zk_protocol::names::UnknownEncoding| e.to_string())
}

fn parse_name(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((id, name)) if !id.is_empty() => Ok((id.to_string(), name.to_string())),
        _ => Err(format!("expected ID=NAME, got {s:?}")),
    }
}

/// Rename users by enroll id, adding those the device does not have.
fn name_users(users: &mut Vec<User>, names: &[(String, String)]) {
    for (id, name) in names {
        match users.iter_mut().find(|u| &u.user_id == id) {
            Some(u) => u.name = name.clone(),
            None => {
                let uid = users.iter().map(|u| u.uid).max().unwrap_or(0) + 1;
                users.push(User {
                    uid,
                    privilege: 0,
                    password: String::new(),
                    name: name.clone(),
                    // The simulator stores the name in its code page.
                    name_bytes: Vec::new(),
                    card: 0,
                    group: 1,
                    user_id: id.clone(),
                });
            }
        }
    }
}

fn parse_date(s: &str) -> anyhow::Result<DeviceTime> {
    let d: jiff::civil::Date = s.parse().with_context(|| format!("bad date {s:?}"))?;
    u16::try_from(d.year())
        .ok()
        .and_then(|y| DeviceTime::new(y, d.month() as u8, d.day() as u8, 0, 0, 0))
        .with_context(|| format!("date out of range: {s}"))
}

/// The device's data with the field names of the client CLI's JSON output.
fn dump(spec: &DeviceSpec, what: &str) -> Value {
    match what {
        "users" => spec
            .users
            .iter()
            .map(|u| {
                json!({
                    "uid": u.uid,
                    "user_id": u.user_id,
                    "name": u.name,
                    "privilege": u.privilege,
                    "card": u.card,
                    "group": u.group,
                })
            })
            .collect(),
        "punches" => spec
            .punches
            .iter()
            .map(|p| {
                json!({
                    "user_id": p.user_id,
                    "time": p.time.to_string(),
                    "status": p.status,
                    "punch": p.punch,
                    "uid": p.uid,
                })
            })
            .collect(),
        _ => json!({
            "serial": spec.serial,
            "device_name": spec.device_name,
            "platform": spec.platform,
            "firmware": spec.firmware,
            "mac": spec.mac,
        }),
    }
}
