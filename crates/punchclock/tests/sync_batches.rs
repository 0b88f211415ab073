//! A sync is written batch by batch as it is read (issue 11 §3): a big
//! device never holds the database, another company's writes go through
//! while it runs, its memory is one batch whatever the device holds, and a
//! sync cut midway keeps what it stored for the next one to complete.
//! Runs on PostgreSQL too when `PUNCHCLOCK_TEST_POSTGRES_URL` is set.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use common::{TestApp, TestOptions};
use punchclock::domain::{DeviceId, PunchFilter};
use serde_json::json;
use zk_sim::{DeviceSpec, Faults, Simulator};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const PUNCHES: u32 = 20_000;
const BATCH: usize = 500;

async fn app() -> TestApp {
    TestApp::start_with(TestOptions {
        postgres: true,
        configure: |c| c.poll_batch_punches = BATCH,
        ..TestOptions::default()
    })
    .await
}

#[tokio::test]
async fn a_big_sync_commits_in_batches_while_another_company_writes() {
    let app = app().await;
    let sim = Simulator::start(LOCALHOST, 0, vec![DeviceSpec::generated(0, 5, PUNCHES, 11)])
        .await
        .unwrap();
    // Every reply takes a while, so the sync lasts long enough to watch.
    sim.device(0).set_faults(Faults {
        delay: Some(Duration::from_millis(100)),
        ..Faults::default()
    });
    let big = app.signup("Big Clock").await;
    let company = app.company_of("owner@big-clock.example.com").await;
    let id = big.add_device("Gate", sim.addr(0)).await["id"]
        .as_i64()
        .unwrap();
    let other = app.signup("Neighbour").await;
    let person = other
        .post(
            "/employees",
            &json!({ "enroll_id": "7", "first_name": "Nia" }),
        )
        .await
        .expect(reqwest::StatusCode::CREATED)["id"]
        .as_i64()
        .unwrap();

    let syncer = app.state.syncer.clone();
    let sync = tokio::spawn(async move { syncer.sync_now(company, DeviceId(id)).await });
    let (mut partial, mut writes, mut slowest) = (Vec::new(), 0, Duration::ZERO);
    while !sync.is_finished() {
        let stored = app
            .state
            .store
            .count_punches(company, &PunchFilter::default())
            .await
            .unwrap();
        if stored > 0 && stored < u64::from(PUNCHES) {
            partial.push(stored);
        }
        // Another company saves while the sync runs: never refused, never
        // held up behind it.
        let started = Instant::now();
        let r = other
            .patch(
                &format!("/employees/{person}"),
                &json!({ "first_name": format!("Nia {writes}") }),
            )
            .await;
        assert!(r.status.is_success(), "another company's save: {}", r.text);
        slowest = slowest.max(started.elapsed());
        writes += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let outcome = sync.await.unwrap().expect("the sync");
    eprintln!(
        "{} partial counts seen, {writes} writes of another company, slowest {slowest:?}",
        partial.len()
    );
    assert!(
        partial.len() >= 2 && partial.windows(2).any(|w| w[1] > w[0]),
        "punches were committed batch by batch while the sync ran: {partial:?}"
    );
    // How long they waited is the benchmark's figure (bench/big_sync.sh).
    assert!(writes >= 5, "the other company wrote during the sync");
    assert_eq!(outcome.punches_new, PUNCHES);
    assert_eq!(outcome.log.punches_read, PUNCHES);
    assert_eq!(outcome.log.users_read, 5);
    assert_eq!(outcome.log.outcome, punchclock::domain::Outcome::Ok);
    assert_eq!(outcome.log.reason_code, None);
    // The poller held one batch at a time, though the device had 40.
    let held = app.state.syncer.held_punches().peak();
    assert!(
        (1..=BATCH).contains(&held),
        "punches held at once between device and store: {held}"
    );

    // Again: the device's counts did not change, so nothing is downloaded
    // (incremental polling), nothing is new, nothing doubled.
    sim.device(0).set_faults(Faults::default());
    let again = app
        .state
        .syncer
        .sync_now(company, DeviceId(id))
        .await
        .unwrap();
    assert_eq!(
        (again.log.punches_read, again.punches_new),
        (0, 0),
        "nothing read again, nothing new"
    );
    assert_eq!(
        again.log.mode,
        Some(punchclock::domain::PollMode::Unchanged)
    );
    let (_, total) = big.punches("").await;
    assert_eq!(total, u64::from(PUNCHES));
    let logs = big.logs(id).await;
    assert_eq!(logs.len(), 2, "one log row per sync: {logs:?}");
    app.shutdown().await;
}

#[tokio::test]
async fn a_sync_cut_midway_keeps_its_batches_and_the_next_completes_it() {
    let app = app().await;
    let sim = Simulator::start(LOCALHOST, 0, vec![DeviceSpec::generated(0, 5, PUNCHES, 12)])
        .await
        .unwrap();
    // The connection drops about halfway through the 800 kB log.
    sim.device(0).set_faults(Faults {
        drop_after_bytes: Some(400_000),
        ..Faults::default()
    });
    let api = app.signup("Cut Short").await;
    let company = app.company_of("owner@cut-short.example.com").await;
    let id = api.add_device("Gate", sim.addr(0)).await["id"]
        .as_i64()
        .unwrap();
    let cut = app
        .state
        .syncer
        .sync_now(company, DeviceId(id))
        .await
        .unwrap();
    assert_eq!(cut.log.outcome, punchclock::domain::Outcome::Failed);
    assert_ne!(
        cut.log.reason_code,
        Some(punchclock::domain::PollFailure::Interrupted),
        "the log says why it stopped: {:?}",
        cut.log.reason
    );
    let kept = api.punches("").await.1;
    assert!(
        kept > 0 && kept < u64::from(PUNCHES),
        "the batches before the cut are kept: {kept}"
    );
    assert_eq!(u64::from(cut.punches_new), kept, "the log counts them");
    assert_eq!(u64::from(cut.log.punches_read), kept);

    sim.device(0).set_faults(Faults::default());
    let next = app
        .state
        .syncer
        .sync_now(company, DeviceId(id))
        .await
        .unwrap();
    assert_eq!(next.log.outcome, punchclock::domain::Outcome::Ok);
    assert_eq!(next.log.punches_read, PUNCHES);
    assert_eq!(u64::from(next.punches_new), u64::from(PUNCHES) - kept);
    assert_eq!(api.punches("").await.1, u64::from(PUNCHES), "none lost");
    let d = api.device(id).await;
    assert_eq!(d["status"], "online");
    app.shutdown().await;
}
