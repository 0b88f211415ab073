//! Many devices in one process, and one device with a million punches.

mod common;

use common::*;
use std::time::{Duration, Instant};
use zk_protocol::buffer::Table;
use zk_protocol::command::*;
use zk_protocol::{PunchLayout, Transport};
use zk_sim::{DeviceSpec, Simulator};

/// 2,000 devices on consecutive ports: start quickly, answer on a sample.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_devices_on_consecutive_ports() {
    const N: u32 = 2000;
    let t0 = Instant::now();
    let specs: Vec<DeviceSpec> = (0..N)
        .map(|i| DeviceSpec::generated(i, 50, 500, 1))
        .collect();
    // Consecutive ports below the ephemeral range; try another base if taken.
    let mut sim = None;
    for attempt in 0..10u16 {
        let base = 20_000 + (std::process::id() as u16 % 500) * 10 + attempt * 997 % 8000;
        match Simulator::start(localhost(), base, specs.clone()).await {
            Ok(s) => {
                sim = Some(s);
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(e) => panic!("{e}"),
        }
    }
    let sim = sim.expect("no free block of 2000 ports");
    let started = t0.elapsed();
    assert_eq!(sim.len(), N as usize);
    assert!(started < Duration::from_secs(60), "start took {started:?}");
    let first = sim.addr(0).port();
    for i in (0..N as usize).step_by(97).chain([N as usize - 1]) {
        assert_eq!(sim.addr(i).port(), first + i as u16);
        let t = if i % 2 == 0 {
            Transport::Tcp
        } else {
            Transport::Udp
        };
        let mut r = Raw::connect(t, sim.addr(i), None).await;
        let p = r.request(CMD_OPTIONS_RRQ, b"~SerialNumber\0").await;
        let serial = zk_protocol::options::parse_reply(&p.data).unwrap();
        assert_eq!(serial, sim.device(i).serial());
        assert_eq!(sim.device(i).punch_count(), 500);
    }
    let last = sim.addr(N as usize - 1);
    sim.shutdown().await;
    let refused = tokio::net::TcpStream::connect(last).await.unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_million_punches_over_tcp() {
    let sim = start(vec![spec(20, 1_000_000)]).await;
    let dev = sim.device(0);
    let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    let t0 = Instant::now();
    let (data, packets) = r
        .read_dataset(Table::Punches, zk_protocol::buffer::TCP_MAX_CHUNK)
        .await;
    assert_eq!(data.len(), 4 + 40 * 1_000_000);
    // Each chunk is cut into 1008-byte packets, the last one shorter.
    let mut plan =
        zk_protocol::buffer::ChunkPlan::new(40_000_004, zk_protocol::buffer::TCP_MAX_CHUNK);
    let want: usize = std::iter::from_fn(|| plan.next_chunk())
        .map(|(_, n)| (n as usize).div_ceil(1008))
        .sum();
    assert_eq!(packets.len(), want);
    let got = decode(&data, PunchLayout::B40);
    assert_eq!(got.len(), 1_000_000);
    for i in [0, 1, 499_999, 999_999] {
        assert_eq!(got[i], dev.punch(i).unwrap());
    }
    eprintln!("1M punches pulled and decoded in {:?}", t0.elapsed());
}

#[tokio::test]
async fn dropping_the_simulator_stops_it() {
    let sim = start(vec![spec(1, 1)]).await;
    let addr = sim.addr(0);
    let mut r = Raw::connect(Transport::Tcp, addr, None).await;
    drop(sim);
    // The session ends and the port refuses.
    assert!(matches!(
        r.recv_within(WAIT).await,
        Err(RecvError::Closed | RecvError::Io(_))
    ));
    let deadline = Instant::now() + WAIT;
    loop {
        match tokio::net::TcpStream::connect(addr).await {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => break,
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(10)).await,
            other => panic!("still listening: {other:?}"),
        }
    }
}
