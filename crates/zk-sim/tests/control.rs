//! Run-time controls for fault campaigns and device care, observed on the
//! wire: a corrupt frame, a stall, a restart with more punches, a clock
//! jump, a new comm key, a cleared log, taps added at chosen moments, live
//! taps, and the commands that change what a device holds.

mod common;

use common::*;
use std::time::Duration;
use zk_protocol::buffer::{self, Table};
use zk_protocol::command::*;
use zk_protocol::records::encode_user;
use zk_protocol::{DeviceTime, FreeSizes, ProtocolError, Punch, Transport, User, UserLayout};
use zk_sim::Faults;

const BOTH: [Transport; 2] = [Transport::Tcp, Transport::Udp];

fn punch(id: &str, minute: u8) -> Punch {
    Punch {
        uid: 1,
        user_id: id.into(),
        time: DeviceTime::new(2026, 2, 1, 9, minute, 0).unwrap(),
        status: 1,
        punch: 0,
    }
}

async fn records(r: &mut Raw) -> u32 {
    let p = r.request(CMD_GET_FREE_SIZES, &[]).await;
    FreeSizes::decode(&p.data).unwrap().records
}

async fn device_secs(r: &mut Raw) -> i64 {
    let p = r.request(CMD_GET_TIME, &[]).await;
    let raw = u32::from_le_bytes(p.data[..4].try_into().unwrap());
    DeviceTime::decode(raw).unwrap().seconds_since_2000()
}

#[tokio::test]
async fn one_corrupt_frame_mid_answer() {
    let sim = start(vec![spec(2, 500)]).await;
    sim.device(0).set_faults(Faults {
        corrupt_frame_after_bytes: Some(3_000),
        ..Faults::default()
    });
    let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    r.request(CMD_PREPARE_BUFFER, &buffer::prepare_request(Table::Punches))
        .await;
    r.send(CMD_READ_BUFFER, &buffer::read_request(0, 20_004))
        .await;
    let mut good = 0;
    loop {
        match r.recv_within(WAIT).await {
            Ok(p) => {
                assert_ne!(p.command, CMD_ACK_OK, "the answer ended intact");
                good += 1;
            }
            Err(RecvError::Protocol(ProtocolError::Checksum { .. })) => break,
            Err(e) => panic!("{e:?}"),
        }
    }
    // 16 (connect) + 29 (prepare) + 24 (PREPARE_DATA) + DATA frames of 1024:
    // the one starting at byte 3,141 is the first past 3,000.
    assert_eq!(good, 4, "frames before the corrupt one are intact");
}

#[tokio::test]
async fn a_stall_keeps_the_connection_open_and_silent() {
    let sim = start(vec![spec(2, 500)]).await;
    for t in BOTH {
        sim.device(0).set_faults(Faults::default());
        let mut r = Raw::connect(t, sim.addr(0), None).await;
        // Exactly what the handshake's answer took: the next one stalls.
        let handshake = match t {
            Transport::Tcp => 16,
            Transport::Udp => 8,
        };
        sim.device(0).set_faults(Faults {
            stall_after_bytes: Some(handshake),
            ..Faults::default()
        });
        r.send(CMD_GET_TIME, &[]).await;
        match r.recv_within(Duration::from_millis(400)).await {
            Err(RecvError::Timeout) => {}
            other => panic!("{t}: expected silence, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_restart_ends_sessions_and_brings_new_punches() {
    let sim = start(vec![spec(2, 10)]).await;
    let dev = sim.device(0);
    let mut tcp = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    let mut udp = Raw::connect(Transport::Udp, sim.addr(0), None).await;
    dev.restart(vec![punch("1001", 1), punch("1002", 2)]);
    assert_eq!(dev.punch_count(), 12);
    assert!(matches!(
        tcp.recv_within(WAIT).await,
        Err(RecvError::Closed | RecvError::Io(_))
    ));
    // UDP keeps no session across a restart: the old id is unknown.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(udp.request(CMD_GET_TIME, &[]).await.command, CMD_ACK_UNAUTH);
    let mut again = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    assert_eq!(records(&mut again).await, 12);
}

#[tokio::test]
async fn clock_jumps_and_comm_key_changes() {
    let sim = start(vec![spec(2, 10)]).await;
    let dev = sim.device(0);
    let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    let before = device_secs(&mut r).await;
    dev.jump_clock(3 * 3600);
    let jumped = device_secs(&mut r).await - before;
    assert!((3 * 3600..3 * 3600 + 5).contains(&jumped), "{jumped}");
    dev.set_comm_key(Some(4242));
    let mut r = Raw::open(Transport::Tcp, sim.addr(0)).await.unwrap();
    assert_eq!(r.handshake(None).await.command, CMD_ACK_UNAUTH);
    let mut r = Raw::open(Transport::Tcp, sim.addr(0)).await.unwrap();
    assert_eq!(r.handshake(Some(4242)).await.command, CMD_ACK_OK);
}

#[tokio::test]
async fn a_cleared_log_under_a_prepared_read_serves_zeros() {
    let sim = start(vec![spec(2, 500)]).await;
    let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    let p = r
        .request(CMD_PREPARE_BUFFER, &buffer::prepare_request(Table::Punches))
        .await;
    assert_eq!(buffer::parse_data_stat(&p.data).unwrap(), 20_004);
    sim.device(0).clear_punches();
    assert_eq!(sim.device(0).punch_count(), 0);
    r.send(CMD_READ_BUFFER, &buffer::read_request(0, 1_000))
        .await;
    let mut data = vec![];
    loop {
        let p = r.recv().await;
        match p.command {
            CMD_DATA => data.extend_from_slice(&p.data),
            CMD_ACK_OK => break,
            _ => {}
        }
    }
    assert_eq!(data.len(), 1_000);
    assert!(data[4..].iter().all(|&b| b == 0));
    assert_eq!(records(&mut r).await, 0);
}

#[tokio::test]
async fn clear_attlog_user_wrq_and_set_time_change_the_device() {
    let sim = start(vec![spec(3, 40)]).await;
    let dev = sim.device(0);
    for t in BOTH {
        let mut r = Raw::connect(t, sim.addr(0), None).await;
        let layout = match t {
            Transport::Tcp => UserLayout::Zk8,
            Transport::Udp => UserLayout::Zk6,
        };
        let count = dev.users().len();
        let mut renamed = dev.users()[1].clone();
        renamed.name = format!("Nina {t}");
        let mut rec = vec![];
        encode_user(layout, &renamed, &mut rec);
        assert_eq!(r.request(CMD_USER_WRQ, &rec).await.command, CMD_ACK_OK);
        assert_eq!(dev.users()[1].name, renamed.name, "{t}: replaced by uid");
        assert_eq!(dev.users().len(), count);
        let new = User {
            uid: 90 + t as u16,
            user_id: (9000 + t as u32).to_string(),
            name: "New".into(),
            ..renamed.clone()
        };
        let mut rec = vec![];
        encode_user(layout, &new, &mut rec);
        r.request(CMD_USER_WRQ, &rec).await;
        assert_eq!(dev.users().last().unwrap().user_id, new.user_id);
        assert_eq!(
            r.request(CMD_USER_WRQ, &[1, 2, 3]).await.command,
            CMD_ACK_ERROR
        );
        // SET_TIME then GET_TIME, as the owner's "set clock" does.
        let t0 = DeviceTime::new(2031, 7, 4, 12, 0, 0).unwrap();
        let raw = t0.encode().unwrap().to_le_bytes();
        assert_eq!(r.request(CMD_SET_TIME, &raw).await.command, CMD_ACK_OK);
        let now = device_secs(&mut r).await - t0.seconds_since_2000();
        assert!((0..5).contains(&now), "{t}: clock off by {now}");
        assert!(dev.clock_offset_secs() > 0);
    }
    let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    assert_eq!(records(&mut r).await, 40);
    assert_eq!(r.request(CMD_CLEAR_ATTLOG, &[]).await.command, CMD_ACK_OK);
    assert_eq!(records(&mut r).await, 0);
    assert_eq!(dev.users().len(), 5, "clearing the log keeps the users");
}

#[tokio::test]
async fn a_tap_lands_between_a_read_and_the_clear() {
    let sim = start(vec![spec(3, 40)]).await;
    let dev = sim.device(0);
    let late = punch("1002", 33);
    dev.add_punch_on(CMD_CLEAR_ATTLOG, late.clone());
    let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    let (data, _) = r.read_dataset(Table::Punches, buffer::TCP_MAX_CHUNK).await;
    assert_eq!(data.len(), 4 + 40 * 40);
    assert_eq!(dev.punch_count(), 40, "not before the clear is asked for");
    r.request(CMD_CLEAR_ATTLOG, &[]).await;
    // The tap came just before the clear, so the clear took it too: the
    // reason a careful client re-checks the count with the device disabled.
    assert_eq!(dev.punch_count(), 0);
    dev.add_punch_on(CMD_GET_FREE_SIZES, late.clone());
    assert_eq!(records(&mut r).await, 1, "the tap is counted at once");
    assert_eq!(dev.punch(0), Some(late));
}

#[tokio::test]
async fn live_taps_reach_registered_sessions_unless_disabled() {
    let sim = start(vec![spec(4, 0)]).await;
    let dev = sim.device(0);
    let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    r.request(CMD_REG_EVENT, &1u32.to_le_bytes()).await;
    dev.set_live_every(Some(Duration::from_millis(40)));
    let mut seen = vec![];
    while seen.len() < 3 {
        let p = r.recv().await;
        assert_eq!((p.command, p.session, p.reply), (CMD_REG_EVENT, 1, 0));
        seen.push(zk_protocol::event::decode_attlog(&p.data).unwrap());
    }
    assert!(dev.punch_count() >= 3, "each tap is in the log");
    assert_eq!(seen[0].user_id, dev.punch(0).unwrap().user_id);
    // DISABLEDEVICE: no taps while the device shows "Working...".
    r.send(CMD_DISABLEDEVICE, &[]).await;
    while r.recv().await.command == CMD_REG_EVENT {}
    assert!(dev.is_disabled());
    let n = dev.punch_count();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(dev.punch_count(), n);
    dev.set_live_every(None);
}
