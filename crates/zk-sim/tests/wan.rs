//! The simulated WAN, measured over loopback with generous bounds: every
//! round trip costs at least the RTT, a capped link carries no more than its
//! rate, and 10,000 devices at 100 ms cost one process little.

mod common;

use common::*;
use std::time::{Duration, Instant};
use zk_protocol::buffer::Table;
use zk_protocol::command::*;
use zk_protocol::Transport;
use zk_sim::{DeviceSpec, Simulator, Wan};

const RTT: Duration = Duration::from_millis(60);

#[tokio::test]
async fn every_round_trip_costs_the_rtt_on_both_transports() {
    let mut s = spec(3, 10);
    s.wan = Wan {
        rtt: RTT,
        bandwidth_kbps: 0,
    };
    let sim = start(vec![s]).await;
    for t in [Transport::Tcp, Transport::Udp] {
        let t0 = Instant::now();
        let mut r = Raw::connect(t, sim.addr(0), None).await;
        for _ in 0..4 {
            assert_eq!(r.request(CMD_GET_TIME, &[]).await.command, CMD_ACK_OK);
        }
        let took = t0.elapsed();
        assert!(took >= 5 * RTT, "{t}: 5 round trips in {took:?}");
        assert!(took < 5 * RTT + Duration::from_secs(3), "{t}: {took:?}");
    }
    // Changed at run time: gone from the next answer on.
    sim.device(0).set_wan(Wan::default());
    let t0 = Instant::now();
    let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    for _ in 0..4 {
        r.request(CMD_GET_TIME, &[]).await;
    }
    assert!(t0.elapsed() < 5 * RTT, "{:?}", t0.elapsed());
}

#[tokio::test]
async fn a_capped_link_carries_no_more_than_its_rate() {
    // 2,000 punches = 80,004 bytes in 40-byte records over TCP.
    let mut s = spec(5, 2_000);
    s.wan = Wan {
        rtt: Duration::ZERO,
        bandwidth_kbps: 1_000, // 125,000 bytes per second
    };
    let sim = start(vec![s]).await;
    let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    let t0 = Instant::now();
    let (data, _) = r
        .read_dataset(Table::Punches, zk_protocol::buffer::TCP_MAX_CHUNK)
        .await;
    let took = t0.elapsed();
    assert_eq!(data.len(), 80_004);
    // At least the payload's own transfer time (headers only add to it).
    assert!(took >= Duration::from_millis(640), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    // Lifting the cap: the same read is far quicker.
    sim.device(0).set_wan(Wan::default());
    let t0 = Instant::now();
    r.read_dataset(Table::Punches, zk_protocol::buffer::TCP_MAX_CHUNK)
        .await;
    assert!(
        t0.elapsed() < Duration::from_millis(300),
        "{:?}",
        t0.elapsed()
    );
}

/// CPU seconds this process has used (utime + stime from /proc/self/stat).
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = after.split(' ').collect();
    // Fields 14 and 15 of the whole line are 12 and 13 after "(comm) ".
    let ticks: f64 = f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap();
    ticks / 100.0
}

/// 10,000 devices at 100 ms in one process: a sample of 500 sessions run
/// concurrently, each paying its round trips (not one after another), and
/// the idle simulator spends almost no CPU (no thread per device, no timer
/// that fires while a link is idle).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_devices_at_100_ms_stay_cheap() {
    const N: u32 = 10_000;
    let wan = Wan {
        rtt: Duration::from_millis(100),
        bandwidth_kbps: 0,
    };
    let specs: Vec<DeviceSpec> = (0..N)
        .map(|i| DeviceSpec {
            wan,
            // One descriptor per device: 10,000 fit a 20,000 limit.
            udp: false,
            ..DeviceSpec::generated(i, 5, 20, 3)
        })
        .collect();
    // 10,000 TCP ports in a row; try another block if taken.
    let mut sim = None;
    for attempt in 0..12u32 {
        let base = 10_000 + (std::process::id() * 7 + attempt * 4_111) % 45_000;
        match Simulator::start(localhost(), base as u16, specs.clone()).await {
            Ok(s) => {
                sim = Some(s);
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(e) => panic!("{e}: {:?}", std::error::Error::source(&e)),
        }
    }
    let sim = sim.expect("no free block of 10,000 ports");
    assert_eq!(sim.len(), N as usize);
    let threads_before = std::fs::read_dir("/proc/self/task").unwrap().count();
    let t0 = Instant::now();
    let sessions = (0..500).map(|k| {
        let addr = sim.addr(k * 20);
        tokio::spawn(async move {
            let mut r = Raw::connect(Transport::Tcp, addr, None).await;
            r.request(CMD_GET_FREE_SIZES, &[]).await.command
        })
    });
    for s in sessions.collect::<Vec<_>>() {
        assert_eq!(s.await.unwrap(), CMD_ACK_OK);
    }
    let took = t0.elapsed();
    assert!(took >= Duration::from_millis(200), "{took:?}");
    assert!(
        took < Duration::from_secs(20),
        "500 sessions x 2 RTT took {took:?}"
    );
    let threads = std::fs::read_dir("/proc/self/task").unwrap().count();
    assert!(
        threads <= threads_before + 4,
        "{threads_before} -> {threads} threads"
    );
    let cpu0 = cpu_secs();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = cpu_secs() - cpu0;
    assert!(idle < 0.3, "idle simulator used {idle} s of CPU in 2 s");
    eprintln!("10,000 devices: 500 sessions in {took:?}, idle CPU {idle:.2} s per 2 s");
}
