//! The client against the simulator on real loopback sockets. Every test is
//! bounded by a tokio timeout far above the client's own, so a hang fails.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};
use zk_client::{ClientError, ClientOptions, Punch, TransportChoice, User, ZkClient};
use zk_protocol::{DeviceTime, PunchLayout};
use zk_sim::{DeviceSpec, Faults, Simulator};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

async fn bounded<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(90), f)
        .await
        .expect("the test hung")
}

async fn sim(specs: Vec<DeviceSpec>) -> Simulator {
    Simulator::start(LOCALHOST, 0, specs)
        .await
        .expect("simulator starts")
}

fn opts(transport: TransportChoice) -> ClientOptions {
    ClientOptions {
        transport,
        timeout: Duration::from_secs(5),
        ..ClientOptions::default()
    }
}

fn quick(transport: TransportChoice, ms: u64) -> ClientOptions {
    ClientOptions {
        transport,
        timeout: Duration::from_millis(ms),
        retries: 1,
        ..ClientOptions::default()
    }
}

async fn connect(addr: SocketAddr, o: &ClientOptions) -> ZkClient {
    ZkClient::connect_addr(addr, o).await.expect("connects")
}

/// What survives the 16-byte UDP record: no uid.
fn without_uid(p: &[Punch]) -> Vec<Punch> {
    p.iter().cloned().map(|p| Punch { uid: 0, ..p }).collect()
}

#[tokio::test]
async fn tcp_pulls_0_1_and_100000_punches_exactly() {
    bounded(async {
        let s = sim(vec![
            DeviceSpec::generated(0, 20, 0, 7),
            DeviceSpec::generated(1, 20, 1, 7),
            DeviceSpec::generated(2, 500, 100_000, 7),
        ])
        .await;
        for i in 0..3 {
            let mut c = connect(s.addr(i), &opts(TransportChoice::Tcp)).await;
            assert_eq!(c.transport(), zk_protocol::Transport::Tcp);
            let got = c.punches().await.unwrap();
            assert_eq!(got.len(), s.device(i).punch_count());
            assert!(got == s.device(i).punches(), "device {i}: punches differ");
            assert_eq!(c.last_skipped(), 0);
            c.close().await.unwrap();
        }
        s.shutdown().await;
    })
    .await
}

#[tokio::test]
async fn udp_pulls_users_and_100000_punches() {
    bounded(async {
        let s = sim(vec![DeviceSpec::generated(0, 300, 100_000, 8)]).await;
        let mut c = connect(s.addr(0), &opts(TransportChoice::Udp)).await;
        assert_eq!(c.transport(), zk_protocol::Transport::Udp);
        let users = c.users().await.unwrap();
        assert_eq!(users, s.device(0).users());
        let mut progress = (0, 0);
        let mut got = Vec::new();
        let n = c
            .punches_with(&mut |p| got.push(p), &mut |d, t| progress = (d, t))
            .await
            .unwrap();
        assert_eq!(n, 100_000);
        assert_eq!(progress, (1_600_004, 1_600_004));
        assert!(got == without_uid(&s.device(0).punches()));
        c.close().await.unwrap();
        s.shutdown().await;
    })
    .await
}

#[tokio::test]
async fn users_over_tcp_keep_a_24_character_enroll_id() {
    bounded(async {
        let s = sim(vec![DeviceSpec::generated(0, 40, 10, 9)]).await;
        let long = User {
            uid: 41,
            privilege: 14,
            password: "1234".into(),
            name: "Maximiliana Ortega-Ruiz".into(), // 23 bytes: the most a record holds
            name_bytes: b"Maximiliana Ortega-Ruiz".to_vec(),
            card: 4_000_000_001,
            group: 3,
            user_id: "ABCDEFGHIJKL123456789012".into(),
        };
        assert_eq!(long.user_id.len(), 24);
        s.device(0).add_user(long.clone());
        let mut c = connect(s.addr(0), &opts(TransportChoice::Auto)).await;
        let users = c.users().await.unwrap();
        assert_eq!(users.len(), 41);
        assert_eq!(users, s.device(0).users());
        assert_eq!(users.last(), Some(&long));
        c.close().await.unwrap();
        s.shutdown().await;
    })
    .await
}

#[tokio::test]
async fn record_layouts_49_and_8_bytes() {
    bounded(async {
        let mut b49 = DeviceSpec::generated(0, 30, 3000, 10);
        b49.punch_layout = Some(PunchLayout::B49);
        let mut b8 = DeviceSpec::generated(1, 30, 3000, 10);
        b8.punch_layout = Some(PunchLayout::B8);
        let s = sim(vec![b49, b8]).await;
        let mut c = connect(s.addr(0), &opts(TransportChoice::Tcp)).await;
        assert!(c.punches().await.unwrap() == s.device(0).punches());
        c.close().await.unwrap();
        // 8-byte records carry only the uid: the client maps it via the users.
        let mut c = connect(s.addr(1), &opts(TransportChoice::Tcp)).await;
        let got = c.punches().await.unwrap();
        assert!(got == s.device(1).punches(), "{:?}", &got[..2]);
        c.close().await.unwrap();
        s.shutdown().await;
    })
    .await
}

#[tokio::test]
async fn inline_and_chunked_answers() {
    bounded(async {
        // Everything inline, even 2000 punches; and nothing inline, even 1.
        let mut inline = DeviceSpec::generated(0, 10, 2000, 11);
        inline.inline_limit = 1 << 20;
        let mut chunked = DeviceSpec::generated(1, 10, 1, 11);
        chunked.inline_limit = 0;
        let s = sim(vec![inline, chunked]).await;
        for t in [TransportChoice::Tcp, TransportChoice::Udp] {
            for i in 0..2 {
                let mut c = connect(s.addr(i), &opts(t)).await;
                let got = c.punches().await.unwrap();
                let want = s.device(i).punches();
                if t == TransportChoice::Tcp {
                    assert!(got == want, "{t} device {i}");
                } else {
                    assert!(got == without_uid(&want), "{t} device {i}");
                }
                assert_eq!(c.users().await.unwrap().len(), 10);
                c.close().await.unwrap();
            }
        }
        s.shutdown().await;
    })
    .await
}

#[tokio::test]
async fn comm_key_right_wrong_and_missing() {
    bounded(async {
        let mut spec = DeviceSpec::generated(0, 5, 5, 12);
        spec.comm_key = Some(123_457);
        let s = sim(vec![spec]).await;
        for t in [TransportChoice::Tcp, TransportChoice::Udp] {
            let mut o = opts(t);
            o.comm_key = Some(123_457);
            let mut c = connect(s.addr(0), &o).await;
            assert_eq!(c.punches().await.unwrap().len(), 5);
            c.close().await.unwrap();

            o.comm_key = Some(123_456);
            let e = ZkClient::connect_addr(s.addr(0), &o).await.err().unwrap();
            assert!(matches!(e, ClientError::KeyRejected), "{t}: {e}");

            o.comm_key = None;
            let e = ZkClient::connect_addr(s.addr(0), &o).await.err().unwrap();
            assert!(matches!(e, ClientError::KeyRequired), "{t}: {e}");
            assert_eq!(e.kind(), "comm_key");
        }
        s.shutdown().await;
    })
    .await
}

#[tokio::test]
async fn info_time_and_set_time() {
    bounded(async {
        let s = sim(vec![DeviceSpec::generated(3, 12, 34, 13)]).await;
        for t in [TransportChoice::Tcp, TransportChoice::Udp] {
            let mut c = connect(s.addr(0), &opts(t)).await;
            let info = c.info().await.unwrap();
            assert_eq!(
                info.serial_number.as_deref(),
                Some(s.device(0).serial().as_str())
            );
            assert_eq!(info.device_name.as_deref(), Some("SIM-0003"));
            assert!(info.firmware.as_deref().unwrap().starts_with("Ver "));
            assert!(info.platform.is_some() && info.mac.is_some());
            assert_eq!((info.sizes.users, info.sizes.records), (12, 34));
            let t0 = DeviceTime::new(2031, 7, 15, 10, 20, 30).unwrap();
            c.set_time(t0).await.unwrap();
            let back = c.get_time().await.unwrap();
            assert!(
                back.seconds_since_2000() - t0.seconds_since_2000() <= 2,
                "{back}"
            );
            c.close().await.unwrap();
        }
        s.shutdown().await;
    })
    .await
}

/// `check` reads what tells a poll whether anything changed (serial,
/// counters, clock) in 3 requests; `describe` adds the rest of `info`.
#[tokio::test]
async fn check_reads_serial_counters_and_clock_only() {
    bounded(async {
        let s = sim(vec![DeviceSpec::generated(3, 12, 34, 13)]).await;
        for t in [TransportChoice::Tcp, TransportChoice::Udp] {
            let mut c = connect(s.addr(0), &opts(t)).await;
            let meter = c.traffic_meter();
            let before = meter.traffic().sent;
            let mut checked = c.check().await.unwrap();
            let check_sent = meter.traffic().sent - before;
            assert_eq!(
                checked.serial_number.as_deref(),
                Some(s.device(0).serial().as_str())
            );
            assert_eq!((checked.sizes.users, checked.sizes.records), (12, 34));
            assert_eq!(
                (
                    &checked.device_name,
                    &checked.platform,
                    &checked.firmware,
                    &checked.mac
                ),
                (&None, &None, &None, &None),
                "{t:?}: only what a poll decides on is read"
            );
            let before = meter.traffic().sent;
            let full = c.info().await.unwrap();
            let info_sent = meter.traffic().sent - before;
            assert!(
                check_sent * 2 < info_sent,
                "{t:?}: check sent {check_sent} B, info {info_sent} B"
            );
            c.describe(&mut checked).await.unwrap();
            // The clock moved on between the two reads; the rest is equal.
            checked.time = full.time;
            assert_eq!(checked, full, "{t:?}");
            c.close().await.unwrap();
        }
        s.shutdown().await;
    })
    .await
}

#[tokio::test]
async fn live_event_over_tcp_and_udp() {
    bounded(async {
        let s = sim(vec![DeviceSpec::generated(0, 10, 0, 14)]).await;
        for t in [TransportChoice::Tcp, TransportChoice::Udp] {
            let mut c = connect(s.addr(0), &opts(t)).await;
            c.enable_events().await.unwrap();
            assert_eq!(
                c.next_event(Duration::from_millis(100)).await.unwrap(),
                None
            );
            let user = s.device(0).users()[3].clone();
            let p = Punch {
                uid: user.uid,
                user_id: user.user_id.clone(),
                time: DeviceTime::new(2024, 3, 4, 5, 6, 7).unwrap(),
                status: 1,
                punch: 0,
            };
            s.device(0).add_punch(p.clone());
            let ev = c
                .next_event(Duration::from_secs(5))
                .await
                .unwrap()
                .expect("an event");
            assert_eq!(
                (ev.user_id.as_str(), ev.time, ev.status, ev.punch),
                (p.user_id.as_str(), p.time, 1, 0)
            );
            // The log holds it too, and the event did not disturb the pull.
            assert!(c.punches().await.unwrap().contains(&Punch {
                uid: if t == TransportChoice::Udp { 0 } else { p.uid },
                ..p.clone()
            }));
            c.close().await.unwrap();
        }
        s.shutdown().await;
    })
    .await
}

/// A reply that arrives after its request timed out must not be taken as the
/// answer to the next request.
#[tokio::test]
async fn late_replies_do_not_shift_answers() {
    bounded(async {
        let s = sim(vec![DeviceSpec::generated(0, 20, 3000, 15)]).await;
        for t in [TransportChoice::Tcp, TransportChoice::Udp] {
            let mut c = connect(s.addr(0), &quick(t, 1000)).await;
            s.device(0).set_faults(Faults {
                delay: Some(Duration::from_millis(1500)),
                ..Faults::default()
            });
            let e = c.get_time().await.unwrap_err();
            assert_eq!(e.kind(), "timeout", "{t}: {e}");
            s.device(0).set_faults(Faults::default());
            // The late GET_TIME reply (4 bytes) arrives during these requests.
            let sizes = c.sizes().await.unwrap();
            assert_eq!((sizes.users, sizes.records), (20, 3000));
            let got = c.punches().await.unwrap();
            assert_eq!(got.len(), 3000);
            c.close().await.unwrap();
        }
        s.shutdown().await;
    })
    .await
}

/// Run `f` and check it failed with `kind` no later than `limit`.
async fn expect_kind<T: std::fmt::Debug>(
    what: &str,
    limit: Duration,
    kind: &str,
    f: impl std::future::Future<Output = Result<T, ClientError>>,
) -> ClientError {
    let started = Instant::now();
    let e = f.await.err().unwrap_or_else(|| panic!("{what}: succeeded"));
    assert_eq!(e.kind(), kind, "{what}: {e}");
    assert!(
        started.elapsed() <= limit,
        "{what}: took {:?}",
        started.elapsed()
    );
    e
}

#[tokio::test]
async fn every_fault_gives_the_right_error_in_time() {
    bounded(async {
        let s = sim(vec![DeviceSpec::generated(0, 20, 20_000, 16)]).await;
        let d = s.device(0);
        let addr = s.addr(0);
        // 1 s per step, no resends: a few steps at most.
        let limit = Duration::from_secs(4);
        for t in [
            TransportChoice::Tcp,
            TransportChoice::Udp,
            TransportChoice::Auto,
        ] {
            let o = ClientOptions {
                retries: 0,
                ..quick(t, 1000)
            };
            // The simulator applies faults asynchronously (e.g. closing or
            // re-opening its listener): give it a moment.
            let set = |f: Faults| {
                d.set_faults(f);
                tokio::time::sleep(Duration::from_millis(150))
            };

            set(Faults {
                refuse: true,
                ..Faults::default()
            })
            .await;
            expect_kind(
                &format!("{t} refuse"),
                limit,
                "refused",
                ZkClient::connect_addr(addr, &o),
            )
            .await;

            set(Faults {
                delay: Some(Duration::from_millis(2000)),
                ..Faults::default()
            })
            .await;
            let e = expect_kind(
                &format!("{t} delay"),
                limit,
                "timeout",
                ZkClient::connect_addr(addr, &o),
            )
            .await;
            assert!(e.to_string().contains("connecting"), "{e}");
            // The simulator answers UDP datagrams one after another, like a
            // real device: let it work off the delayed CONNECTs first.
            tokio::time::sleep(Duration::from_millis(2200)).await;

            set(Faults {
                garbage: true,
                ..Faults::default()
            })
            .await;
            expect_kind(
                &format!("{t} garbage"),
                limit,
                "not_zk",
                ZkClient::connect_addr(addr, &o),
            )
            .await;

            set(Faults {
                corrupt_checksum: true,
                ..Faults::default()
            })
            .await;
            // A TCP frame with ZK's magic is a ZK device's garbled reply;
            // a UDP datagram has no magic to tell it by.
            let garbled = match t {
                TransportChoice::Udp => "not_zk",
                _ => "protocol", // Auto: TCP answers first
            };
            expect_kind(
                &format!("{t} checksum"),
                limit,
                garbled,
                ZkClient::connect_addr(addr, &o),
            )
            .await;

            set(Faults {
                ack_error: true,
                ..Faults::default()
            })
            .await;
            let mut c = connect(addr, &o).await;
            let e = expect_kind(&format!("{t} ack_error"), limit, "device", c.punches()).await;
            assert!(matches!(e, ClientError::Device { code: 2001, .. }), "{e}");
            let info = c.info().await;
            assert_eq!(info.err().map(|e| e.kind()), Some("device"));
            let _ = c.close().await;

            set(Faults {
                wrong_session: true,
                ..Faults::default()
            })
            .await;
            let mut c = connect(addr, &o).await;
            expect_kind(&format!("{t} wrong_session"), limit, "protocol", c.sizes()).await;
            let _ = c.close().await;

            // Dropped mid-pull: TCP sees the hang-up. UDP gets a truncated
            // datagram (bad checksum), retries the chunk, then only silence.
            set(Faults::default()).await;
            let mut c = connect(addr, &quick(t, 1000)).await;
            set(Faults {
                drop_after_bytes: Some(100_000),
                ..Faults::default()
            })
            .await;
            let want = if t == TransportChoice::Udp {
                "timeout"
            } else {
                "closed"
            };
            let e = expect_kind(
                &format!("{t} drop"),
                Duration::from_secs(8),
                want,
                c.punches(),
            )
            .await;
            assert!(e.to_string().contains("reading punches"), "{e}");
            let _ = c.close().await;
            set(Faults::default()).await;
        }
        s.shutdown().await;
    })
    .await
}

#[tokio::test]
async fn unresolvable_name_and_refused_port() {
    bounded(async {
        let e = ZkClient::connect("time-clock.invalid", 4370, &opts(TransportChoice::Auto))
            .await
            .err()
            .unwrap();
        assert_eq!(e.kind(), "dns");
        assert!(
            e.to_string()
                .starts_with("the name time-clock.invalid did not resolve"),
            "{e}"
        );
        let free = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let e = ZkClient::connect("127.0.0.1", free.port(), &opts(TransportChoice::Auto))
            .await
            .err()
            .unwrap();
        assert!(
            matches!(e, ClientError::Refused { addr } if addr == free),
            "{e}"
        );
    })
    .await
}

/// A link that trickles frames makes the client pause and read chunks in
/// bulk (see `pace`); every punch still arrives exactly, on both transports,
/// and a dropped connection mid-pause is still reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickling_frames_are_paced_and_pulled_exactly() {
    bounded(async {
        let mut spec = DeviceSpec::generated(0, 30, 6_000, 11);
        spec.frame_gap = Duration::from_millis(1);
        let s = sim(vec![spec]).await;
        for t in [TransportChoice::Tcp, TransportChoice::Udp] {
            let mut c = connect(s.addr(0), &opts(t)).await;
            let got = c.punches().await.unwrap();
            let want = s.device(0).punches();
            match t {
                TransportChoice::Udp => assert!(got == without_uid(&want)),
                _ => assert!(got == want),
            }
            c.close().await.unwrap();
        }
        s.device(0).set_faults(Faults {
            drop_after_bytes: Some(150_000),
            ..Faults::default()
        });
        let mut c = connect(s.addr(0), &opts(TransportChoice::Tcp)).await;
        let e = c.punches().await.unwrap_err();
        assert_eq!(e.kind(), "closed", "{e}");
        s.shutdown().await;
    })
    .await
}
