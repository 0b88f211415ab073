//! Device care against the simulator over loopback: the clock, the log
//! cleared only when its count still matches, and a name pushed to the device.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;
use zk_client::{Cleared, ClientOptions, NameEncoding, TransportChoice, UserRecord, ZkClient};
use zk_protocol::command::CMD_GET_FREE_SIZES;
use zk_protocol::{DeviceTime, Punch};
use zk_sim::{DeviceSpec, Simulator};

async fn bounded<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), f)
        .await
        .expect("the test hung")
}

async fn sim(users: u32, punches: u32) -> Simulator {
    let spec = DeviceSpec::generated(0, users, punches, 5);
    Simulator::start(IpAddr::V4(Ipv4Addr::LOCALHOST), 0, vec![spec])
        .await
        .unwrap()
}

fn opts(transport: TransportChoice) -> ClientOptions {
    ClientOptions {
        transport,
        timeout: Duration::from_secs(5),
        ..ClientOptions::default()
    }
}

fn tap() -> Punch {
    Punch {
        uid: 1,
        user_id: "1001".into(),
        time: DeviceTime::new(2026, 3, 3, 8, 0, 0).unwrap(),
        status: 1,
        punch: 0,
    }
}

#[tokio::test]
async fn the_clock_is_set_and_read_back() {
    bounded(async {
        let s = sim(2, 5).await;
        let mut c = ZkClient::connect_addr(s.addr(0), &opts(TransportChoice::Tcp))
            .await
            .unwrap();
        let want = DeviceTime::new(2030, 12, 31, 23, 59, 0).unwrap();
        c.set_time(want).await.unwrap();
        let got = c.get_time().await.unwrap();
        let off = got.seconds_since_2000() - want.seconds_since_2000();
        assert!(
            (0..5).contains(&off),
            "read back {got} after setting {want}"
        );
        assert!(
            s.device(0).clock_offset_secs() > 3600,
            "the device's own clock moved"
        );
        c.close().await.unwrap();
    })
    .await
}

#[tokio::test]
async fn the_log_is_cleared_only_while_its_count_still_matches() {
    bounded(async {
        let s = sim(5, 300).await;
        let dev = s.device(0);
        let mut c = ZkClient::connect_addr(s.addr(0), &opts(TransportChoice::Tcp))
            .await
            .unwrap();
        let read = c.punches().await.unwrap();
        assert_eq!(read.len(), 300);
        // A tap lands after the read, as the count is checked: nothing cleared.
        dev.add_punch_on(CMD_GET_FREE_SIZES, tap());
        let r = c.clear_attlog_if_count(read.len() as u32).await.unwrap();
        assert_eq!(
            r,
            Cleared::CountChanged {
                verified: 300,
                found: 301
            }
        );
        assert_eq!(dev.punch_count(), 301, "no punch lost");
        assert!(!dev.is_disabled(), "enabled again");
        // Read again (301), verified, cleared.
        let read = c.punches().await.unwrap();
        let r = c.clear_attlog_if_count(read.len() as u32).await.unwrap();
        assert_eq!(r, Cleared::Cleared { punches: 301 });
        assert_eq!(dev.punch_count(), 0);
        assert!(!dev.is_disabled());
        // Taps while the device is disabled wait: live taps skip a disabled device.
        c.disable().await.unwrap();
        assert!(dev.is_disabled());
        c.enable().await.unwrap();
        c.close().await.unwrap();
    })
    .await
}

#[tokio::test]
async fn a_name_is_pushed_to_the_device_on_both_transports() {
    bounded(async {
        let s = sim(6, 0).await;
        let dev = s.device(0);
        for (t, name) in [
            (TransportChoice::Tcp, "María José"),
            (TransportChoice::Udp, "Ana B"),
        ] {
            let mut c = ZkClient::connect_addr(s.addr(0), &opts(t)).await.unwrap();
            let mut u = c.users().await.unwrap()[2].clone();
            assert_ne!(u.name, name);
            u.name = name.into();
            let rec = UserRecord::new(c.user_layout(), &u, NameEncoding::Utf8).unwrap();
            c.write_user(&rec).await.unwrap();
            assert_eq!(dev.users()[2].name, name, "{t:?}");
            let back = c.users().await.unwrap();
            assert_eq!(back[2].name, name);
            assert_eq!(back.len(), 6, "replaced, not added");
            c.close().await.unwrap();
        }
        // A non-numeric enroll id cannot go into a 28-byte (UDP) record.
        let mut c = ZkClient::connect_addr(s.addr(0), &opts(TransportChoice::Udp))
            .await
            .unwrap();
        let mut u = dev.users()[1].clone();
        u.user_id = "A-7".into();
        assert!(UserRecord::new(c.user_layout(), &u, NameEncoding::Utf8).is_err());
        // A device that does not take uploads says so.
        dev.set_faults(zk_sim::Faults {
            ack_error: true,
            ..Default::default()
        });
        let rec = UserRecord::new(c.user_layout(), &dev.users()[1], NameEncoding::Utf8).unwrap();
        let e = c.write_user(&rec).await.unwrap_err();
        assert_eq!(e.kind(), "device", "{e}");
    })
    .await
}
