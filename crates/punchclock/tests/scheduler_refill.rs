//! The scheduler refills a slot when a poll ends, not only on its 2 s
//! tick: at 100 ms RTT an unchanged poll takes well under a second, and
//! slots idle until the next tick would cap a cycle at
//! `max_concurrent_polls` polls per tick.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use common::{TestApp, TestOptions};
use punchclock::sync::Scheduler;
use zk_sim::{DeviceSpec, Simulator};

#[tokio::test]
async fn a_finished_poll_wakes_the_scheduler_to_refill_its_slot() {
    let app = TestApp::start_with(TestOptions {
        postgres: true,
        ..TestOptions::default()
    })
    .await;
    let specs = (0..3).map(|i| DeviceSpec::generated(i, 2, 5, 9)).collect();
    let sim = Simulator::start(IpAddr::V4(Ipv4Addr::LOCALHOST), 0, specs)
        .await
        .unwrap();
    let api = app.signup("Refill").await;
    for i in 0..3 {
        api.add_device(&format!("Door {i}"), sim.addr(i)).await;
    }
    // One slot, three due devices: each poll's end is what lets the next in.
    let scheduler = Scheduler::new(app.state.syncer.clone(), 1);
    for n in 0..3 {
        assert_eq!(
            scheduler.tick().await,
            1,
            "poll {n} starts in the free slot"
        );
        assert_eq!(scheduler.tick().await, 0, "no second slot");
        // Bounded only so a broken wake-up fails instead of hanging.
        tokio::time::timeout(Duration::from_secs(30), scheduler.freed())
            .await
            .unwrap_or_else(|_| panic!("poll {n}'s end never woke the scheduler"));
    }
    assert_eq!(scheduler.tick().await, 0, "all three polled once");
    let logs: usize = {
        let company = app.company_of("owner@refill.example.com").await;
        let mut total = 0;
        for d in app.state.store.list_devices(company).await.unwrap() {
            total += app
                .state
                .store
                .list_device_logs(company, d.id, 10)
                .await
                .unwrap()
                .len();
        }
        total
    };
    assert_eq!(logs, 3, "one poll logged per device");
    app.shutdown().await;
}
