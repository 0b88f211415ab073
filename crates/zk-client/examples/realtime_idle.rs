//! Benchmark (see bench/realtime.sh): one process holding N realtime
//! connections, as the app's realtime capture does.
//!
//! The simulator runs in this process on its own runtime (threads "sim"),
//! the clients on another (threads "client"), so the clients' CPU is read
//! apart from the devices' (utime + stime of the "client" threads from
//! /proc/self/task). Phase 1: everything idle for --idle-secs, with the
//! heartbeat the app would use. Phase 2: --rounds times, every device is
//! tapped (spread over one second) and the time from the tap to the client
//! holding the decoded event is recorded.
//!
//! A harness, not a test: it prints figures and never fails on them.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zk_client::{ClientOptions, TransportChoice, ZkClient};
use zk_protocol::{DeviceTime, Punch};
use zk_sim::{DeviceSpec, SimDevice, Simulator};

struct Args {
    devices: usize,
    idle_secs: u64,
    heartbeat_secs: u64,
    rounds: usize,
}

fn args() -> Args {
    let mut a = Args {
        devices: 1000,
        idle_secs: 60,
        heartbeat_secs: 30,
        rounds: 3,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    for pair in argv.chunks(2) {
        let v = pair
            .get(1)
            .and_then(|v| v.parse::<u64>().ok())
            .expect("a number");
        match pair[0].as_str() {
            "--devices" => a.devices = v as usize,
            "--idle-secs" => a.idle_secs = v,
            "--heartbeat-secs" => a.heartbeat_secs = v,
            "--rounds" => a.rounds = v as usize,
            other => panic!("unknown option {other}"),
        }
    }
    a
}

/// CPU seconds of this process's threads named `name`.
fn thread_cpu(name: &str) -> f64 {
    let mut ticks = 0u64;
    for task in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if !comm.trim().starts_with(name) {
            continue;
        }
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 2..]) else {
            continue;
        };
        let f: Vec<&str> = rest.split(' ').collect();
        ticks += f[11].parse::<u64>().unwrap_or(0) + f[12].parse::<u64>().unwrap_or(0);
    }
    ticks as f64 / 100.0
}

type Arrivals = Arc<Mutex<HashMap<(usize, usize), Instant>>>;

/// One realtime connection: events in, arrival times out, until the end.
async fn hold(addr: SocketAddr, index: usize, heartbeat: Duration, arrivals: Arrivals) {
    let opts = ClientOptions {
        transport: TransportChoice::Tcp,
        timeout: Duration::from_secs(10),
        ..ClientOptions::default()
    };
    let mut c = ZkClient::connect_addr(addr, &opts).await.expect("connects");
    c.enable_events().await.expect("events");
    let mut round = 0;
    loop {
        match c.watch(Duration::from_secs(3600), heartbeat).await {
            Ok(Some(_)) => {
                arrivals
                    .lock()
                    .unwrap()
                    .insert((index, round), Instant::now());
                round += 1;
            }
            Ok(None) => {}
            Err(e) => panic!("device {index}: {e}"),
        }
    }
}

fn tap(index: usize) -> Punch {
    Punch {
        uid: 1,
        user_id: index.to_string(),
        time: DeviceTime::new(2026, 1, 1, 8, 0, 0).unwrap(),
        status: 1,
        punch: 0,
    }
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let a = args();
    let sim_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("sim")
        .enable_all()
        .build()
        .unwrap();
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("client")
        .enable_all()
        .build()
        .unwrap();
    let specs = (0..a.devices as u32)
        .map(|i| DeviceSpec {
            udp: false,
            ..DeviceSpec::generated(i, 3, 0, 1)
        })
        .collect();
    let sim = sim_rt
        .block_on(Simulator::start(IpAddr::V4(Ipv4Addr::LOCALHOST), 0, specs))
        .unwrap();
    let devices: Vec<SimDevice> = (0..sim.len()).map(|i| sim.device(i)).collect();
    let arrivals: Arrivals = Arc::default();
    let heartbeat = Duration::from_secs(a.heartbeat_secs);
    for i in 0..sim.len() {
        client_rt.spawn(hold(sim.addr(i), i, heartbeat, arrivals.clone()));
    }
    // Wait until every connection has registered for events.
    std::thread::sleep(Duration::from_secs(3));
    let sessions: u64 = devices.iter().map(|d| d.connections_served()).sum();
    println!(
        "# {} realtime connections over loopback TCP ({sessions} sessions), heartbeat {}s",
        a.devices, a.heartbeat_secs
    );

    let cpu0 = thread_cpu("client");
    std::thread::sleep(Duration::from_secs(a.idle_secs));
    let idle = thread_cpu("client") - cpu0;
    println!(
        "idle: {idle:.2} s CPU in {} s = {:.2}% of one core",
        a.idle_secs,
        idle / a.idle_secs as f64 * 100.0
    );

    let mut tapped = HashMap::new();
    let spread = Duration::from_secs(1) / a.devices.max(1) as u32;
    for round in 0..a.rounds {
        for (i, d) in devices.iter().enumerate() {
            tapped.insert((i, round), Instant::now());
            d.add_punch(tap(i));
            std::thread::sleep(spread);
        }
        std::thread::sleep(Duration::from_secs(2));
    }
    let got = arrivals.lock().unwrap().clone();
    let mut lat: Vec<Duration> = tapped
        .iter()
        .filter_map(|(k, t)| got.get(k).map(|r| r.saturating_duration_since(*t)))
        .collect();
    lat.sort();
    let missing = tapped.len() - lat.len();
    if lat.is_empty() {
        println!("no tap arrived");
        return;
    }
    println!(
        "tap to client: {} taps, p50 {:?}, p99 {:?}, max {:?}, missing {missing}",
        lat.len(),
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        lat[lat.len() - 1]
    );
    drop(client_rt);
    drop(sim);
}
