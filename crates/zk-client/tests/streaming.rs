//! Punches taken chunk by chunk, and the bytes a session costs, against the
//! simulator on loopback.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;
use zk_client::{ClientOptions, Traffic, TransportChoice, ZkClient};
use zk_sim::{DeviceSpec, Simulator};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

async fn bounded<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(90), f)
        .await
        .expect("the test hung")
}

fn tcp() -> ClientOptions {
    ClientOptions {
        transport: TransportChoice::Tcp,
        timeout: Duration::from_secs(5),
        ..ClientOptions::default()
    }
}

#[tokio::test]
async fn punches_arrive_one_chunk_at_a_time() {
    bounded(async {
        let s = Simulator::start(LOCALHOST, 0, vec![DeviceSpec::generated(0, 50, 100_000, 3)])
            .await
            .unwrap();
        let mut c = ZkClient::connect_addr(s.addr(0), &tcp()).await.unwrap();
        let meter = c.traffic_meter();
        let mut batches = c.punch_batches().await.unwrap();
        let first = batches.next_batch().await.unwrap().unwrap();
        // One 65,472-byte chunk of 40-byte records (the first holds the
        // 4-byte size prefix), and nothing more was asked for yet.
        assert_eq!(first.len(), (65_472 - 4) / 40);
        let received = meter.traffic().received;
        assert!(received < 80_000, "{received} bytes fetched ahead");
        let mut all = first;
        let mut count = 1;
        while let Some(batch) = batches.next_batch().await.unwrap() {
            assert!(batch.len() <= 65_472 / 40 + 1);
            all.extend(batch);
            count += 1;
        }
        assert_eq!(batches.progress(), (4_000_004, 4_000_004));
        assert_eq!(batches.skipped(), 0);
        assert!(
            batches.next_batch().await.unwrap().is_none(),
            "stays finished"
        );
        assert_eq!(count, 4_000_004_usize.div_ceil(65_472));
        assert!(all == s.device(0).punches());
        c.close().await.unwrap();
        s.shutdown().await;
    })
    .await
}

#[tokio::test]
async fn small_logs_come_inline_in_one_batch() {
    bounded(async {
        let s = Simulator::start(LOCALHOST, 0, vec![DeviceSpec::generated(0, 5, 3, 4)])
            .await
            .unwrap();
        let mut c = ZkClient::connect_addr(s.addr(0), &tcp()).await.unwrap();
        let mut batches = c.punch_batches().await.unwrap();
        let only = batches.next_batch().await.unwrap().unwrap();
        assert!(only == s.device(0).punches());
        assert!(batches.next_batch().await.unwrap().is_none());
        c.close().await.unwrap();
        s.shutdown().await;
    })
    .await
}

#[tokio::test]
async fn traffic_counts_each_frame_of_a_session() {
    bounded(async {
        let s = Simulator::start(LOCALHOST, 0, vec![DeviceSpec::generated(0, 5, 3, 4)])
            .await
            .unwrap();
        let mut c = ZkClient::connect_addr(s.addr(0), &tcp()).await.unwrap();
        let meter = c.traffic_meter();
        let connected = meter.traffic();
        // CONNECT is a bare 16-byte frame; the answer at least as long.
        assert_eq!(connected.sent, 16);
        assert!(connected.received >= 16);
        c.sizes().await.unwrap();
        // GET_FREE_SIZES: 16 bytes out, the 92-byte counters plus 16 back.
        let after = meter.traffic();
        assert_eq!(
            after,
            Traffic {
                sent: 32,
                received: connected.received + 16 + 92
            }
        );
        c.close().await.unwrap();
        // EXIT and its answer are counted too, after the client is gone.
        assert_eq!(meter.traffic().sent, 48);
        assert_eq!(meter.traffic().received, after.received + 16);
        s.shutdown().await;
    })
    .await
}
