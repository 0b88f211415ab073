//! The bytes a session costs, against the simulator on loopback.

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
