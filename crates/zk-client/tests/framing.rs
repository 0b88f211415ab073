//! Framing robustness against a scripted peer (see `fake`): the cases where
//! pyzk and node-zklib lose data or stall.

mod fake;

use fake::{Behaviour, Script, WriteMode};
use std::time::Duration;
use zk_client::{ClientError, TransportChoice, ZkClient};

/// A hang must fail the test, not stall the suite.
async fn bounded<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), f)
        .await
        .expect("the client hung")
}

#[tokio::test]
async fn frames_split_byte_by_byte() {
    bounded(async {
        let want = fake::punches(300); // 12,004 bytes: 12 DATA frames in one chunk
        let addr = fake::start(Script::device(want.clone(), WriteMode::ByteByByte)).await;
        let mut c = ZkClient::connect_addr(addr, &fake::quick(5000))
            .await
            .unwrap();
        assert_eq!(c.punches().await.unwrap(), want);
        c.close().await.unwrap();
    })
    .await
}

#[tokio::test]
async fn many_frames_per_write_with_stale_frames_and_events_interleaved() {
    bounded(async {
        let want = fake::punches(5000); // 4 chunks of back-to-back 1008-byte frames
        let mut script = Script::device(want.clone(), WriteMode::Merged);
        script.noise = true;
        let addr = fake::start(script).await;
        let mut c = ZkClient::connect_addr(addr, &fake::quick(2000))
            .await
            .unwrap();
        let mut progress = Vec::new();
        let mut got = Vec::new();
        let n = c
            .punches_with(&mut |p| got.push(p), &mut |d, t| progress.push((d, t)))
            .await
            .unwrap();
        assert_eq!(n, 5000);
        assert_eq!(got, want);
        assert_eq!(progress.last(), Some(&(200_004, 200_004)));
        assert!(progress.windows(2).all(|w| w[0].0 <= w[1].0));
        // The events that arrived ahead of answers were queued, not lost.
        let ev = c.next_event(Duration::from_millis(10)).await.unwrap();
        assert_eq!(ev, Some(fake::live_event()));
        assert_eq!(
            c.get_time().await.unwrap().to_string(),
            "2024-02-29T23:59:58"
        );
        c.close().await.unwrap();
    })
    .await
}

#[tokio::test]
async fn a_late_chunk_from_an_abandoned_attempt_is_ignored() {
    bounded(async {
        let want = fake::punches(5000);
        let mut script = Script::device(want.clone(), WriteMode::Merged);
        script.late_first_chunk = true;
        let addr = fake::start(script).await;
        let mut c = ZkClient::connect_addr(addr, &fake::quick(300))
            .await
            .unwrap();
        assert_eq!(c.punches().await.unwrap(), want);
        c.close().await.unwrap();
    })
    .await
}

#[tokio::test]
async fn live_event_after_enabling() {
    bounded(async {
        let addr = fake::start(Script::device(vec![], WriteMode::Merged)).await;
        let mut c = ZkClient::connect_addr(addr, &fake::quick(2000))
            .await
            .unwrap();
        c.enable_events().await.unwrap();
        let ev = c.next_event(Duration::from_secs(2)).await.unwrap();
        assert_eq!(ev, Some(fake::live_event()));
        assert_eq!(c.next_event(Duration::from_millis(50)).await.unwrap(), None);
        c.close().await.unwrap();
    })
    .await
}

#[tokio::test]
async fn garbage_is_not_a_zk_device() {
    bounded(async {
        let mut script = Script::device(vec![], WriteMode::Merged);
        script.behaviour = Behaviour::Garbage;
        let addr = fake::start(script).await;
        let mut opts = fake::quick(2000);
        // Garbage over TCP must not trigger the UDP fallback.
        opts.transport = TransportChoice::Auto;
        let e = ZkClient::connect_addr(addr, &opts).await.err().unwrap();
        assert_eq!(e.kind(), "not_zk", "{e}");
        assert!(e.to_string().starts_with("not a ZK device"), "{e}");
    })
    .await
}

#[tokio::test]
async fn silence_times_out_within_the_timeout() {
    bounded(async {
        let mut script = Script::device(vec![], WriteMode::Merged);
        script.behaviour = Behaviour::Silent;
        let addr = fake::start(script).await;
        let started = std::time::Instant::now();
        let e = ZkClient::connect_addr(addr, &fake::quick(400))
            .await
            .err()
            .unwrap();
        assert!(
            matches!(
                e,
                ClientError::Timeout {
                    step: "connecting",
                    ..
                }
            ),
            "{e}"
        );
        assert!(started.elapsed() < Duration::from_secs(2));
    })
    .await
}

#[tokio::test]
async fn hang_up_is_closed() {
    bounded(async {
        let mut script = Script::device(vec![], WriteMode::Merged);
        script.behaviour = Behaviour::HangUp;
        let addr = fake::start(script).await;
        let e = ZkClient::connect_addr(addr, &fake::quick(2000))
            .await
            .err()
            .unwrap();
        assert_eq!(e.kind(), "closed", "{e}");
    })
    .await
}

#[tokio::test]
async fn refused_port_over_tcp_udp_and_auto() {
    bounded(async {
        // A port nobody listens on (TCP) and nobody is bound to (UDP).
        let addr = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap()
        };
        for t in [
            TransportChoice::Tcp,
            TransportChoice::Udp,
            TransportChoice::Auto,
        ] {
            let mut opts = fake::quick(2000);
            opts.transport = t;
            let e = ZkClient::connect_addr(addr, &opts).await.err().unwrap();
            assert_eq!(e.kind(), "refused", "{t}: {e}");
        }
    })
    .await
}

#[tokio::test]
async fn unresolvable_name() {
    bounded(async {
        let e = ZkClient::connect("no-such-clock.invalid", 4370, &fake::quick(2000))
            .await
            .err()
            .unwrap();
        assert_eq!(e.kind(), "dns");
        assert!(e
            .to_string()
            .contains("no-such-clock.invalid did not resolve"));
    })
    .await
}

#[test]
fn client_futures_are_send() {
    fn is_send<T: Send>(_: T) {}
    #[allow(unreachable_code, clippy::diverging_sub_expression)]
    fn check(c: &mut ZkClient) {
        is_send(c.punches_with(&mut |_| {}, &mut |_, _| {}));
        is_send(c.users());
        is_send(c.info());
        is_send(c.next_event(Duration::ZERO));
        is_send(ZkClient::connect("x", 1, &Default::default()));
    }
    let _ = check;
}

/// An older terminal that only speaks UDP: `Auto` finds it after TCP is refused.
#[tokio::test]
async fn auto_falls_back_to_udp_when_tcp_is_refused() {
    use zk_protocol::command::{CMD_ACK_OK, CMD_GET_TIME};
    use zk_protocol::{DeviceTime, Packet};
    bounded(async {
        let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = sock.local_addr().unwrap();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 2048];
            while let Ok((n, from)) = sock.recv_from(&mut buf).await {
                let Ok(req) = Packet::decode(&buf[..n]) else {
                    continue;
                };
                let data = if req.command == CMD_GET_TIME {
                    let t = DeviceTime::new(2025, 6, 7, 8, 9, 10).unwrap();
                    t.encode().unwrap().to_le_bytes().to_vec()
                } else {
                    vec![]
                };
                let reply = Packet::new(CMD_ACK_OK, 77, req.reply, data).encode();
                let _ = sock.send_to(&reply, from).await;
            }
        });
        let mut opts = fake::quick(2000);
        opts.transport = TransportChoice::Auto;
        let mut c = ZkClient::connect_addr(addr, &opts).await.unwrap();
        assert_eq!(c.transport(), zk_protocol::Transport::Udp);
        assert_eq!(
            c.get_time().await.unwrap().to_string(),
            "2025-06-07T08:09:10"
        );
        c.close().await.unwrap();
    })
    .await
}
