//! Realtime capture end to end over loopback sockets: live taps arrive,
//! a restart is reported at once, a silent link within the heartbeat, and a
//! device without live events says so.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};
use zk_client::{Backoff, ClientOptions, TransportChoice, ZkClient};
use zk_sim::{DeviceSpec, Faults, Simulator};

async fn bounded<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), f)
        .await
        .expect("the test hung")
}

fn opts(transport: TransportChoice) -> ClientOptions {
    ClientOptions {
        transport,
        timeout: Duration::from_millis(500),
        ..ClientOptions::default()
    }
}

async fn sim() -> Simulator {
    let spec = DeviceSpec::generated(0, 4, 0, 9);
    Simulator::start(IpAddr::V4(Ipv4Addr::LOCALHOST), 0, vec![spec])
        .await
        .unwrap()
}

const HEARTBEAT: Duration = Duration::from_millis(200);

#[tokio::test]
async fn live_taps_arrive_on_both_transports_and_match_the_log() {
    bounded(async {
        let s = sim().await;
        let dev = s.device(0);
        for t in [TransportChoice::Tcp, TransportChoice::Udp] {
            let mut c = ZkClient::connect_addr(s.addr(0), &opts(t)).await.unwrap();
            c.enable_events().await.unwrap();
            let before = dev.punch_count();
            dev.set_live_every(Some(Duration::from_millis(30)));
            let mut got = vec![];
            while got.len() < 4 {
                let ev = c.watch(Duration::from_secs(5), HEARTBEAT).await.unwrap();
                got.push(ev.expect("a tap within 5 s"));
            }
            dev.set_live_every(None);
            for (i, ev) in got.iter().enumerate() {
                let p = dev.punch(before + i).unwrap();
                assert_eq!(
                    (&ev.user_id, ev.time),
                    (&p.user_id, p.time),
                    "{t:?} tap {i}"
                );
            }
            // Quiet: heartbeats keep the session, no event, no error.
            tokio::time::sleep(Duration::from_millis(100)).await;
            while c
                .watch(Duration::from_millis(10), HEARTBEAT)
                .await
                .unwrap()
                .is_some()
            {}
            assert_eq!(c.watch(3 * HEARTBEAT, HEARTBEAT).await.unwrap(), None);
            c.close().await.unwrap();
        }
    })
    .await
}

#[tokio::test]
async fn a_restart_is_reported_at_once_and_reconnecting_works() {
    bounded(async {
        let s = sim().await;
        let dev = s.device(0);
        let mut c = ZkClient::connect_addr(s.addr(0), &opts(TransportChoice::Tcp))
            .await
            .unwrap();
        c.enable_events().await.unwrap();
        let t0 = Instant::now();
        let watcher = tokio::spawn(async move {
            c.watch(Duration::from_secs(30), Duration::from_secs(10))
                .await
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        dev.restart(vec![]);
        let e = watcher.await.unwrap().unwrap_err();
        assert_eq!(e.kind(), "closed", "{e}");
        assert!(
            t0.elapsed() < Duration::from_secs(2),
            "reported after {:?}",
            t0.elapsed()
        );
        // Reconnect with backoff; the first try works.
        let mut backoff = Backoff::new(Duration::from_millis(20), Duration::from_secs(1));
        let mut c = loop {
            match ZkClient::connect_addr(s.addr(0), &opts(TransportChoice::Tcp)).await {
                Ok(c) => break c,
                Err(_) => tokio::time::sleep(backoff.next_wait()).await,
            }
        };
        backoff.reset();
        c.enable_events().await.unwrap();
        dev.add_punch(dev.punch(0).unwrap_or_else(|| zk_protocol::Punch {
            uid: 1,
            user_id: "1001".into(),
            time: zk_protocol::DeviceTime::new(2026, 1, 1, 8, 0, 0).unwrap(),
            status: 1,
            punch: 0,
        }));
        assert!(c
            .watch(Duration::from_secs(5), HEARTBEAT)
            .await
            .unwrap()
            .is_some());
    })
    .await
}

#[tokio::test]
async fn a_silent_link_fails_the_heartbeat() {
    bounded(async {
        let s = sim().await;
        let mut c = ZkClient::connect_addr(s.addr(0), &opts(TransportChoice::Tcp))
            .await
            .unwrap();
        c.enable_events().await.unwrap();
        // From now on the device swallows everything but keeps the socket open.
        s.device(0).set_faults(Faults {
            stall_after_bytes: Some(0),
            ..Faults::default()
        });
        let t0 = Instant::now();
        let e = c
            .watch(Duration::from_secs(30), HEARTBEAT)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), "timeout", "{e}");
        let took = t0.elapsed();
        assert!(
            took >= HEARTBEAT && took < Duration::from_secs(3),
            "{took:?}"
        );
    })
    .await
}

#[tokio::test]
async fn a_device_without_live_events_gives_its_own_error() {
    bounded(async {
        let s = sim().await;
        s.device(0).set_faults(Faults {
            refuse_events: true,
            ..Faults::default()
        });
        let mut c = ZkClient::connect_addr(s.addr(0), &opts(TransportChoice::Tcp))
            .await
            .unwrap();
        let e = c.enable_events().await.unwrap_err();
        assert_eq!(e.kind(), "events_refused");
        assert!(e.is_events_refused());
        assert!(e.to_string().contains("may not support them"), "{e}");
        // The session is still good for polling.
        assert_eq!(c.punches().await.unwrap().len(), 0);
    })
    .await
}
