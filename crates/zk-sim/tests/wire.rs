//! The simulator on the wire, checked with raw sockets and zk-protocol only.

mod common;

use common::*;
use std::time::{Duration, Instant};
use zk_protocol::buffer::Table;
use zk_protocol::command::*;
use zk_protocol::event::decode_attlog;
use zk_protocol::records::{decode_user, UserLayout};
use zk_protocol::{FreeSizes, Packet, Punch, PunchLayout, Transport};
use zk_sim::DeviceSpec;

const BOTH: [Transport; 2] = [Transport::Tcp, Transport::Udp];

#[tokio::test]
async fn connect_hands_out_random_sessions_and_echoes_reply_ids() {
    let sim = start(vec![spec(3, 3)]).await;
    for t in BOTH {
        let mut sessions = std::collections::HashSet::new();
        for _ in 0..4 {
            let mut r = Raw::open(t, sim.addr(0)).await.unwrap();
            r.reply = 0x4321;
            let p = r.handshake(None).await;
            assert_eq!(p.command, CMD_ACK_OK);
            assert_eq!(p.reply, 0x4322);
            sessions.insert(p.session);
            // Later replies carry the session and echo whatever id we use.
            r.reply = 65534;
            let p = r.request(CMD_GET_VERSION, &[]).await;
            assert_eq!(
                (p.command, p.session, p.reply),
                (CMD_ACK_OK, r.session, 65535)
            );
        }
        assert!(
            sessions.len() >= 3,
            "{t}: sessions should be random: {sessions:?}"
        );
    }
}

#[tokio::test]
async fn comm_key_right_wrong_and_missing() {
    let mut s = spec(2, 2);
    s.comm_key = Some(123_456);
    let sim = start(vec![s]).await;
    for t in BOTH {
        // Missing: CONNECT says UNAUTH, every command too.
        let mut r = Raw::open(t, sim.addr(0)).await.unwrap();
        let p = r.handshake(None).await;
        assert_eq!(p.command, CMD_ACK_UNAUTH, "{t}");
        assert_ne!(p.session, 0);
        assert_eq!(
            r.request(CMD_GET_FREE_SIZES, &[]).await.command,
            CMD_ACK_UNAUTH
        );
        // Wrong key.
        let mut r = Raw::open(t, sim.addr(0)).await.unwrap();
        assert_eq!(
            r.handshake(Some(123_457)).await.command,
            CMD_ACK_UNAUTH,
            "{t}"
        );
        assert_eq!(r.request(CMD_GET_TIME, &[]).await.command, CMD_ACK_UNAUTH);
        // Right key; ticks byte other than pyzk's 50 also accepted.
        let mut r = Raw::connect(t, sim.addr(0), Some(123_456)).await;
        assert_eq!(r.request(CMD_GET_TIME, &[]).await.command, CMD_ACK_OK);
        let mut r = Raw::open(t, sim.addr(0)).await.unwrap();
        r.handshake(None).await;
        let key = zk_protocol::commkey::make_commkey(123_456, r.session, 0xC3);
        assert_eq!(r.request(CMD_AUTH, &key).await.command, CMD_ACK_OK);
    }
}

#[tokio::test]
async fn options_version_pinwidth_and_unknowns() {
    let sim = start(vec![spec(1, 1)]).await;
    let serial = sim.device(0).serial();
    for t in BOTH {
        let mut r = Raw::connect(t, sim.addr(0), None).await;
        for (name, value) in [
            ("~SerialNumber", serial.as_str()),
            ("~DeviceName", "SIM-0000"),
            ("~Platform", "ZEM560_TFT"),
            ("~ZKFPVersion", "10"),
        ] {
            for req in [format!("{name}\0"), name.to_string()] {
                let p = r.request(CMD_OPTIONS_RRQ, req.as_bytes()).await;
                assert_eq!(p.command, CMD_ACK_OK);
                assert_eq!(p.data, format!("{name}={value}\0").into_bytes());
            }
        }
        let mac = r.request(CMD_OPTIONS_RRQ, b"MAC\0").await;
        assert!(zk_protocol::options::parse_reply(&mac.data)
            .unwrap()
            .starts_with("00:17:61:"));
        assert_eq!(
            r.request(CMD_OPTIONS_RRQ, b"~ExtendFmt\0").await.command,
            CMD_ACK_ERROR
        );
        // pyzk's _clear_error sends reply codes as commands.
        assert_eq!(r.request(CMD_ACK_ERROR, &[]).await.command, CMD_ACK_UNKNOWN);
        assert_eq!(
            r.request(CMD_ACK_UNKNOWN, &[]).await.command,
            CMD_ACK_UNKNOWN
        );
        let v = r.request(CMD_GET_VERSION, &[]).await;
        assert_eq!(v.data, b"Ver 6.60 Apr 28 2015\0");
        assert_eq!(r.request(CMD_GET_PINWIDTH, b" P").await.data, [9]);
        for cmd in [
            CMD_DISABLEDEVICE,
            CMD_ENABLEDEVICE,
            CMD_REFRESHDATA,
            CMD_REFRESHOPTION,
            CMD_CANCELCAPTURE,
            CMD_STARTVERIFY,
            CMD_FREE_DATA,
        ] {
            assert_eq!(r.request(cmd, &[]).await.command, CMD_ACK_OK, "{cmd}");
        }
        assert_eq!(
            r.request(CMD_DISABLEDEVICE, &[0, 0, 0, 0]).await.command,
            CMD_ACK_OK
        );
        assert_eq!(
            r.request(CMD_OPTIONS_WRQ, b"SDKBuild=1").await.command,
            CMD_ACK_OK
        );
        assert_eq!(
            r.request(CMD_OPTIONS_RRQ, b"SDKBuild\0").await.data,
            b"SDKBuild=1\0"
        );
    }
}

#[tokio::test]
async fn client_ack_ok_is_never_answered() {
    let sim = start(vec![spec(1, 1)]).await;
    for t in BOTH {
        let mut r = Raw::connect(t, sim.addr(0), None).await;
        r.send(CMD_ACK_OK, &[]).await;
        assert!(
            matches!(
                r.recv_within(Duration::from_millis(300)).await,
                Err(RecvError::Timeout)
            ),
            "{t}"
        );
        let id = r.send(CMD_GET_TIME, &[]).await;
        let p = r.recv().await;
        assert_eq!((p.command, p.reply), (CMD_ACK_OK, id));
    }
}

#[tokio::test]
async fn free_sizes_match_the_tables_in_every_length() {
    for len in [80, 92, 112] {
        let mut s = spec(17, 230);
        s.sizes_len = len;
        let sim = start(vec![s]).await;
        let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
        let p = r.request(CMD_GET_FREE_SIZES, &[]).await;
        assert_eq!(p.data.len(), len);
        let sizes = FreeSizes::decode(&p.data).unwrap();
        assert_eq!(sizes.users as usize, sim.device(0).users().len());
        assert_eq!(sizes.records as usize, sim.device(0).punch_count());
        assert_eq!((sizes.users, sizes.records), (17, 230));
        sim.device(0).add_punch(sim.device(0).punches()[0].clone());
        let sizes = FreeSizes::decode(&r.request(CMD_GET_FREE_SIZES, &[]).await.data).unwrap();
        assert_eq!(sizes.records, 231);
    }
}

fn expected_punches(sim: &zk_sim::Simulator, layout: PunchLayout) -> Vec<Punch> {
    let mut v = sim.device(0).punches();
    if layout == PunchLayout::B16 {
        // The 16-byte record has no uid.
        v.iter_mut().for_each(|p| p.uid = 0);
    }
    v
}

#[tokio::test]
async fn bulk_read_chunked_over_tcp_and_udp_matches_the_device() {
    let sim = start(vec![spec(60, 3000)]).await;
    let dev = sim.device(0);
    for (t, ul, pl, chunk) in [
        (
            Transport::Tcp,
            UserLayout::Zk8,
            PunchLayout::B40,
            buffer_chunk(Transport::Tcp),
        ),
        (
            Transport::Udp,
            UserLayout::Zk6,
            PunchLayout::B16,
            buffer_chunk(Transport::Udp),
        ),
    ] {
        let mut r = Raw::connect(t, sim.addr(0), None).await;
        let (users, _) = r.read_dataset(Table::Users, chunk).await;
        assert_eq!(users.len(), 4 + 60 * ul.size());
        assert_eq!(decode(&users, ul), dev.users(), "{t}");
        let (punches, packets) = r.read_dataset(Table::Punches, chunk).await;
        assert_eq!(punches.len(), 4 + 3000 * pl.size());
        assert_eq!(decode(&punches, pl), expected_punches(&sim, pl), "{t}");
        // Full-size DATA packets like real firmware: 1008 over TCP, 1024 over UDP.
        let full = if t == Transport::Tcp { 1008 } else { 1024 };
        let sizes: Vec<usize> = packets.iter().map(|p| p.data.len()).collect();
        assert!(
            sizes.iter().filter(|&&n| n == full).count() >= sizes.len() - 3,
            "{t}: {sizes:?}"
        );
    }
}

fn buffer_chunk(t: Transport) -> u32 {
    match t {
        Transport::Tcp => zk_protocol::buffer::TCP_MAX_CHUNK,
        Transport::Udp => zk_protocol::buffer::UDP_MAX_CHUNK,
    }
}

#[tokio::test]
async fn small_tables_come_inline_and_layouts_can_be_forced() {
    let mut s = spec(5, 10);
    s.user_layout = Some(UserLayout::Zk6);
    s.punch_layout = Some(PunchLayout::B8);
    let sim = start(vec![s, spec(5, 10)]).await;
    // Forced layouts on device 0, over TCP.
    let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    let id = r
        .send(
            CMD_PREPARE_BUFFER,
            &zk_protocol::buffer::prepare_request(Table::Users),
        )
        .await;
    let p = r.recv().await;
    assert_eq!(
        (p.command, p.reply, p.data.len()),
        (CMD_DATA, id, 4 + 5 * 28)
    );
    assert_eq!(decode(&p.data, UserLayout::Zk6), sim.device(0).users());
    let (punches, packets) = r.read_dataset(Table::Punches, 1 << 16).await;
    assert!(packets.is_empty(), "inline");
    let got = decode(&punches, PunchLayout::B8);
    let want: Vec<(u16, _)> = sim
        .device(0)
        .punches()
        .iter()
        .map(|p| (p.uid, p.time))
        .collect();
    assert_eq!(
        got.iter().map(|p| (p.uid, p.time)).collect::<Vec<_>>(),
        want
    );
    // Defaults per transport on device 1, inline.
    for (t, ul, pl) in [
        (Transport::Tcp, UserLayout::Zk8, PunchLayout::B40),
        (Transport::Udp, UserLayout::Zk6, PunchLayout::B16),
    ] {
        let mut r = Raw::connect(t, sim.addr(1), None).await;
        let (users, packets) = r.read_dataset(Table::Users, 1 << 16).await;
        assert!(packets.is_empty());
        assert_eq!(decode(&users, ul), sim.device(1).users());
        let (punches, _) = r.read_dataset(Table::Punches, 1 << 16).await;
        let mut want = sim.device(1).punches();
        if pl == PunchLayout::B16 {
            want.iter_mut().for_each(|p| p.uid = 0);
        }
        assert_eq!(decode(&punches, pl), want);
    }
}

#[tokio::test]
async fn inline_limit_zero_always_chunks_and_empty_tables_work() {
    let mut s = spec(0, 0);
    s.inline_limit = 0;
    let sim = start(vec![s]).await;
    let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    let (data, packets) = r.read_dataset(Table::Users, 1 << 16).await;
    assert_eq!(data, [0, 0, 0, 0]);
    assert_eq!(packets.len(), 1);
}

#[tokio::test]
async fn tcp_frames_arrive_whole_one_write_each_and_paced_by_the_gap() {
    let mut s = spec(2, 200); // 8004 bytes = 8 DATA packets
    s.frame_gap = Duration::from_millis(15);
    let sim = start(vec![s]).await;
    let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    let p = r
        .request(
            CMD_PREPARE_BUFFER,
            &zk_protocol::buffer::prepare_request(Table::Punches),
        )
        .await;
    assert_eq!(p.command, CMD_ACK_OK);
    r.send(CMD_READ_BUFFER, &zk_protocol::buffer::read_request(0, 8004))
        .await;
    let t0 = Instant::now();
    let mut frames = 0;
    while frames < 10 {
        let bytes = r.recv_bytes(WAIT).await.unwrap();
        // Paced frames written with one write each come out of one read each.
        let mut d = zk_protocol::TcpDeframer::new();
        d.push(&bytes);
        let mut n = 0;
        while d.next_packet().unwrap().is_some() {
            n += 1;
        }
        assert!(
            n >= 1 && d.buffered() == 0,
            "read of {} bytes was not whole frames",
            bytes.len()
        );
        frames += n;
    }
    assert_eq!(frames, 10);
    assert!(
        t0.elapsed() >= Duration::from_millis(9 * 15),
        "{:?}",
        t0.elapsed()
    );
}

#[tokio::test]
async fn back_to_back_1008_byte_packets_without_gap() {
    let sim = start(vec![spec(2, 2000)]).await; // 80004 bytes
    let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    let p = r
        .request(
            CMD_PREPARE_BUFFER,
            &zk_protocol::buffer::prepare_request(Table::Punches),
        )
        .await;
    assert_eq!(
        zk_protocol::buffer::parse_data_stat(&p.data).unwrap(),
        80004
    );
    // One chunk larger than pyzk's: the device just keeps streaming.
    let id = r
        .send(
            CMD_READ_BUFFER,
            &zk_protocol::buffer::read_request(0, 80004),
        )
        .await;
    let head = r.recv().await;
    assert_eq!((head.command, head.reply), (CMD_PREPARE_DATA, id));
    let mut sizes = vec![];
    loop {
        let p = r.recv().await;
        if p.command == CMD_ACK_OK {
            break;
        }
        sizes.push(p.data.len());
    }
    assert_eq!(sizes.len(), 80004usize.div_ceil(1008));
    assert!(sizes[..sizes.len() - 1].iter().all(|&n| n == 1008));
    assert_eq!(sizes.iter().sum::<usize>(), 80004);
}

#[tokio::test]
async fn legacy_direct_reads_stream_the_table() {
    let sim = start(vec![spec(30, 100)]).await;
    let mut r = Raw::connect(Transport::Udp, sim.addr(0), None).await;
    let id = r.send(CMD_ATTLOG_RRQ, &[]).await;
    let head = r.recv().await;
    assert_eq!((head.command, head.reply), (CMD_PREPARE_DATA, id));
    let mut data = vec![];
    loop {
        let p = r.recv().await;
        if p.command == CMD_ACK_OK {
            break;
        }
        data.extend(p.data);
    }
    let mut want = sim.device(0).punches();
    want.iter_mut().for_each(|p| p.uid = 0);
    assert_eq!(decode(&data, PunchLayout::B16), want);
}

fn new_punch(user_id: &str, sec: u8) -> Punch {
    Punch {
        uid: 1,
        user_id: user_id.into(),
        time: zk_protocol::DeviceTime::new(2026, 2, 3, 8, 30, sec).unwrap(),
        status: 15,
        punch: 0,
    }
}

#[tokio::test]
async fn live_events_after_reg_event_only() {
    let sim = start(vec![spec(3, 3)]).await;
    let dev = sim.device(0);
    for (t, size) in [(Transport::Tcp, 32), (Transport::Udp, 12)] {
        let mut r = Raw::connect(t, sim.addr(0), None).await;
        dev.add_punch(new_punch("1001", 1));
        assert!(matches!(
            r.recv_within(Duration::from_millis(200)).await,
            Err(RecvError::Timeout)
        ));
        assert_eq!(
            r.request(CMD_REG_EVENT, &1u32.to_le_bytes()).await.command,
            CMD_ACK_OK
        );
        let p = new_punch("1002", 2);
        dev.add_punch(p.clone());
        let ev = r.recv().await;
        assert_eq!(
            (ev.command, ev.session, ev.reply, ev.data.len()),
            (CMD_REG_EVENT, 1, 0, size),
            "{t}"
        );
        let live = decode_attlog(&ev.data).unwrap();
        assert_eq!(
            (live.user_id.as_str(), live.time, live.status, live.punch),
            ("1002", p.time, 15, 0)
        );
        // pyzk acknowledges events; the device stays quiet about that.
        let mut ack = Packet::new(CMD_ACK_OK, r.session, 0, vec![]);
        ack.reply = 0;
        r.send_bytes(&ack.encode_for(t)).await.unwrap();
        assert!(matches!(
            r.recv_within(Duration::from_millis(200)).await,
            Err(RecvError::Timeout)
        ));
        // Unregister: no more events.
        assert_eq!(
            r.request(CMD_REG_EVENT, &0u32.to_le_bytes()).await.command,
            CMD_ACK_OK
        );
        dev.add_punch(new_punch("1003", 3));
        assert!(matches!(
            r.recv_within(Duration::from_millis(200)).await,
            Err(RecvError::Timeout)
        ));
    }
    assert_eq!(dev.punch_count(), 3 + 6);
}

#[tokio::test]
async fn events_never_interleave_with_a_multi_frame_answer() {
    let mut s = spec(2, 300); // TCP 12 packets, UDP 5, ~10 ms apart
    s.frame_gap = Duration::from_millis(10);
    let sim = start(vec![s]).await;
    let dev = sim.device(0);
    for t in BOTH {
        let mut r = Raw::connect(t, sim.addr(0), None).await;
        r.request(CMD_REG_EVENT, &1u32.to_le_bytes()).await;
        let stat = r
            .request(
                CMD_PREPARE_BUFFER,
                &zk_protocol::buffer::prepare_request(Table::Punches),
            )
            .await;
        let size = zk_protocol::buffer::parse_data_stat(&stat.data).unwrap();
        let id = r
            .send(CMD_READ_BUFFER, &zk_protocol::buffer::read_request(0, size))
            .await;
        assert_eq!(r.recv().await.command, CMD_PREPARE_DATA);
        // The answer is now under way; a punch happens meanwhile.
        dev.add_punch(new_punch("1001", 9));
        let mut seen = vec![];
        loop {
            let p = r.recv().await;
            seen.push(p.command);
            if p.command == CMD_ACK_OK {
                assert_eq!(p.reply, id);
                break;
            }
            assert_eq!(
                p.command, CMD_DATA,
                "{t}: event inside the answer: {seen:?}"
            );
        }
        let ev = r.recv().await;
        assert_eq!(ev.command, CMD_REG_EVENT, "{t}: event after the answer");
    }
}

#[tokio::test]
async fn malformed_input_gets_ack_error_or_is_dropped() {
    let sim = start(vec![spec(1, 1)]).await;
    // TCP: a bad checksum gets ACK_ERROR and the session goes on.
    let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    let mut bad = Packet::new(CMD_GET_TIME, r.session, 77, vec![]).encode_tcp();
    bad[10] ^= 0xFF;
    r.send_bytes(&bad).await.unwrap();
    let p = r.recv().await;
    assert_eq!((p.command, p.reply), (CMD_ACK_ERROR, 77));
    assert_eq!(r.request(CMD_GET_TIME, &[]).await.command, CMD_ACK_OK);
    let p = r.request(CMD_READ_BUFFER, &[1, 2, 3]).await;
    assert_eq!(p.command, CMD_ACK_ERROR);
    // TCP garbage: the device hangs up.
    r.send_bytes(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
    assert!(matches!(
        r.recv_within(WAIT).await,
        Err(RecvError::Closed | RecvError::Io(_))
    ));
    // UDP: short junk is dropped, the session still works.
    let mut r = Raw::connect(Transport::Udp, sim.addr(0), None).await;
    r.send_bytes(&[1, 2, 3]).await.unwrap();
    assert!(matches!(
        r.recv_within(Duration::from_millis(200)).await,
        Err(RecvError::Timeout)
    ));
    assert_eq!(r.request(CMD_GET_TIME, &[]).await.command, CMD_ACK_OK);
    // UDP without CONNECT: unauthenticated.
    let mut r = Raw::open(Transport::Udp, sim.addr(0)).await.unwrap();
    assert_eq!(r.request(CMD_GET_TIME, &[]).await.command, CMD_ACK_UNAUTH);
}

#[tokio::test]
async fn probes_exit_and_connection_counting() {
    let sim = start(vec![spec(1, 1)]).await;
    let dev = sim.device(0);
    // pyzk's probe: connect and close at once.
    for _ in 0..3 {
        drop(tokio::net::TcpStream::connect(sim.addr(0)).await.unwrap());
    }
    let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    assert_eq!(r.request(CMD_EXIT, &[]).await.command, CMD_ACK_OK);
    assert!(matches!(r.recv_within(WAIT).await, Err(RecvError::Closed)));
    let mut u = Raw::connect(Transport::Udp, sim.addr(0), None).await;
    assert_eq!(u.request(CMD_EXIT, &[]).await.command, CMD_ACK_OK);
    // The UDP session is gone after EXIT.
    assert_eq!(u.request(CMD_GET_TIME, &[]).await.command, CMD_ACK_UNAUTH);
    let deadline = Instant::now() + WAIT;
    while dev.connections_served() < 5 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(dev.connections_served(), 5);
}

#[tokio::test]
async fn set_time_and_clock_offset() {
    let mut s = spec(1, 1);
    s.clock_offset_secs = -7200;
    let sim = start(vec![s]).await;
    let mut r = Raw::connect(Transport::Tcp, sim.addr(0), None).await;
    let p = r.request(CMD_GET_TIME, &[]).await;
    let dev_time =
        zk_protocol::DeviceTime::decode(u32::from_le_bytes(p.data[..4].try_into().unwrap()))
            .unwrap();
    let host = jiff_now();
    let d = dev_time.seconds_since_2000() - host.seconds_since_2000();
    assert!((-7202..=-7198).contains(&d), "offset {d}");
    let t = zk_protocol::DeviceTime::new(2031, 7, 4, 10, 0, 0).unwrap();
    assert_eq!(
        r.request(CMD_SET_TIME, &t.encode().unwrap().to_le_bytes())
            .await
            .command,
        CMD_ACK_OK
    );
    let off = sim.device(0).clock_offset_secs();
    let want = t.seconds_since_2000() - jiff_now().seconds_since_2000();
    assert!((off - want).abs() <= 2, "{off} vs {want}");
}

/// Host local wall-clock time, which the device clock is relative to.
fn jiff_now() -> zk_protocol::DeviceTime {
    let n = jiff::Zoned::now();
    zk_protocol::DeviceTime::new(
        n.year() as u16,
        n.month() as u8,
        n.day() as u8,
        n.hour() as u8,
        n.minute() as u8,
        n.second() as u8,
    )
    .unwrap()
}

#[tokio::test]
async fn generated_devices_have_numeric_ids_and_unnamed_users() {
    let s = DeviceSpec::generated(7, 100, 50, 3);
    assert!(s.serial.starts_with("SIM"));
    assert!(s.users.iter().all(|u| u.user_id.parse::<u32>().is_ok()));
    assert!(s.users.iter().any(|u| u.name.is_empty()));
    // Names survive the 28-byte layout the UDP path serves.
    let sim = start(vec![s]).await;
    let mut r = Raw::connect(Transport::Udp, sim.addr(0), None).await;
    let (users, _) = r.read_dataset(Table::Users, 16 * 1024).await;
    let decoded: Vec<_> = users[4..]
        .chunks(28)
        .map(|c| decode_user(UserLayout::Zk6, c).unwrap())
        .collect();
    assert_eq!(decoded, sim.device(0).users());
}
