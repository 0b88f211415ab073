//! The poll scheduler running for real: it picks up due devices by itself,
//! schedules the next poll about 30 minutes out, and a dead device does not
//! hold up a live one. On a manual clock, a whole day of scheduled polls
//! runs step by step in a fraction of a second.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use common::{Api, TestApp, TestOptions};
use jiff::{SignedDuration, Timestamp};
use punchclock::domain::{DeviceId, LogKind, Outcome, PollFailure, PunchFilter};
use punchclock::sync::Scheduler;
use serde_json::Value;
use zk_sim::{DeviceSpec, Faults, Simulator};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

async fn scheduled_app() -> TestApp {
    TestApp::start_with(TestOptions {
        postgres: true,
        schedule: true,
        ..TestOptions::default()
    })
    .await
}

/// Wait (bounded) until `pred` holds for the device's JSON.
async fn wait_for(api: &Api, id: i64, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let d = api.device(id).await;
        if pred(&d) {
            return d;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}: {d}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn ts(v: &Value) -> Timestamp {
    v.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn new_devices_are_polled_by_the_scheduler_and_rescheduled_half_an_hour_out() {
    let app = scheduled_app().await;
    let sim = Simulator::start(LOCALHOST, 0, vec![DeviceSpec::generated(0, 5, 60, 3)])
        .await
        .unwrap();
    let api = app.signup("Scheduled").await;
    let id = api.add_device("Door", sim.addr(0)).await["id"]
        .as_i64()
        .unwrap();
    let d = wait_for(&api, id, "the first poll", |d| d["status"] == "online").await;
    assert_eq!(d["punch_count"], 60);
    let logs = api.logs(id).await;
    assert_eq!(logs.len(), 1, "exactly one poll");
    assert_eq!(logs[0]["kind"], "sync");
    assert_eq!(logs[0]["punches_new"], 60);
    // Next poll: the 30-minute default with at most 10% jitter.
    let minutes = (ts(&d["next_poll_at"]) - Timestamp::now()).get_seconds() as f64 / 60.0;
    assert!(
        (26.5..=33.1).contains(&minutes),
        "next poll in {minutes} min"
    );
    assert_eq!(d["poll_interval_minutes"], 30);
    app.shutdown().await;
}

#[tokio::test]
async fn a_dead_device_does_not_delay_a_live_one() {
    let app = scheduled_app().await;
    let sim = Simulator::start(
        LOCALHOST,
        0,
        vec![
            DeviceSpec::generated(0, 3, 20, 4),
            DeviceSpec::generated(1, 3, 20, 4),
        ],
    )
    .await
    .unwrap();
    // The first device accepts the connection and then never answers.
    sim.device(0).set_faults(Faults {
        delay: Some(Duration::from_secs(120)),
        ..Faults::default()
    });
    let api = app.signup("Two Sites").await;
    let dead = api.add_device("Dead", sim.addr(0)).await["id"]
        .as_i64()
        .unwrap();
    let live = api.add_device("Live", sim.addr(1)).await["id"]
        .as_i64()
        .unwrap();
    wait_for(&api, live, "the live device", |d| d["status"] == "online").await;
    let dead_d = wait_for(&api, dead, "the dead device to time out", |d| {
        d["status"] == "offline"
    })
    .await;
    let dead_log = &api.logs(dead).await[0];
    assert!(
        ["timeout", "attempt_timeout"].contains(&dead_log["reason_code"].as_str().unwrap()),
        "{dead_log}"
    );
    assert!(
        dead_d["last_error"].as_str().unwrap().contains("no answer")
            || dead_d["last_error"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("time"),
        "{dead_d}"
    );
    // The two polls overlapped: the live one finished before the dead one gave up.
    let end =
        |l: &Value| ts(&l["started_at"]).as_millisecond() + l["duration_ms"].as_i64().unwrap();
    let live_log = &api.logs(live).await[0];
    let dead_log = &api.logs(dead).await[0];
    assert!(
        end(live_log) < end(dead_log),
        "live {live_log} should end before dead {dead_log}"
    );
    app.shutdown().await;
}

/// Drives the real scheduler (`tick` leases due devices and polls them,
/// `idle` waits for the polls) through 24 hours of a manual clock in
/// two-minute steps. Only the clock is simulated: the polls go over real
/// sockets to a simulated device that keeps getting new punches.
#[tokio::test]
async fn a_day_of_scheduled_polls_runs_in_milliseconds_on_a_manual_clock() {
    let start: Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
    let app = TestApp::start_with(TestOptions {
        postgres: true,
        manual_clock: Some(start),
        ..TestOptions::default()
    })
    .await;
    let sim = Simulator::start(LOCALHOST, 0, vec![DeviceSpec::generated(0, 3, 10, 5)])
        .await
        .unwrap();
    let api = app.signup("Day").await;
    let company = app.company_of("owner@day.example.com").await;
    let id = api.add_device("Door", sim.addr(0)).await["id"]
        .as_i64()
        .unwrap();
    let scheduler = Scheduler::new(app.state.syncer.clone(), 4);
    let real = std::time::Instant::now();
    let (step, steps) = (SignedDuration::from_mins(2), 24 * 30);
    let mut started = 0;
    for n in 0..steps {
        started += scheduler.tick().await;
        assert!(
            scheduler.idle(Duration::from_secs(30)).await,
            "polls finish"
        );
        if n % 45 == 0 && n > 0 && n < steps - 45 {
            // Someone clocks in every hour and a half (a distinct record
            // each time), and the next poll must pick it up.
            let mut p = sim.device(0).punches()[0].clone();
            p.time.year = 2024;
            p.time.day = (n / 45) as u8;
            sim.device(0).add_punch(p);
        }
        app.clock.advance(step);
    }
    eprintln!(
        "{started} scheduled polls over a simulated day took {:?}",
        real.elapsed()
    );

    let logs = app
        .state
        .store
        .list_device_logs(company, DeviceId(id), 500)
        .await
        .unwrap();
    assert_eq!(logs.len(), started, "one log per poll started");
    assert!(
        (44..=54).contains(&started),
        "30 minutes ± 10% over 24 hours: {started} polls"
    );
    let mut times: Vec<Timestamp> = logs.iter().map(|l| l.started_at).collect();
    times.sort();
    assert_eq!(times[0], start, "a new device is polled at once");
    for pair in times.windows(2) {
        let gap = (pair[1] - pair[0]).get_seconds();
        // The jittered interval, rounded up to the next two-minute step.
        assert!((27 * 60..=35 * 60).contains(&gap), "gap {gap} s");
    }
    assert!(logs
        .iter()
        .all(|l| l.kind == LogKind::Sync && l.outcome == Outcome::Ok));
    // Every punch is stored once, none lost, none twice.
    let stored = app
        .state
        .store
        .count_punches(company, &PunchFilter::default())
        .await
        .unwrap();
    assert_eq!(stored, sim.device(0).punches().len() as u64);
    assert_eq!(stored, 10 + 14, "the ten it had and one per 90 minutes");
    app.shutdown().await;
}

/// A zone name stored before zones were validated is never read as UTC:
/// the poll fails before contacting the device, and the log says why.
#[tokio::test]
async fn an_unknown_stored_zone_fails_the_poll_with_a_reason() {
    let app = TestApp::start_with(TestOptions {
        postgres: true,
        ..TestOptions::default()
    })
    .await;
    let sim = Simulator::start(LOCALHOST, 0, vec![DeviceSpec::generated(0, 3, 10, 5)])
        .await
        .unwrap();
    let api = app.signup("Old Zone").await;
    let company = app.company_of("owner@old-zone.example.com").await;
    let id = api.add_device("Door", sim.addr(0)).await["id"]
        .as_i64()
        .unwrap();
    app.raw_sql(&format!(
        "UPDATE devices SET timezone = 'Mars/Olympus' WHERE id = {id}"
    ))
    .await;
    let outcome = app
        .state
        .syncer
        .sync_now(company, DeviceId(id))
        .await
        .unwrap();
    assert_eq!(outcome.log.outcome, Outcome::Failed);
    assert_eq!(outcome.log.reason_code, Some(PollFailure::UnknownZone));
    let reason = outcome.log.reason.unwrap();
    assert!(reason.contains("Mars/Olympus"), "{reason}");
    assert_eq!(outcome.punches_new, 0, "nothing stored at a guessed offset");
    app.shutdown().await;
}

/// When what a poll read cannot be saved, nothing of it is kept, but the
/// attempt is still logged with code `store`, so the device says why.
#[tokio::test]
async fn a_poll_that_cannot_be_saved_is_logged_with_code_store() {
    let app = TestApp::start_with(TestOptions {
        postgres: true,
        ..TestOptions::default()
    })
    .await;
    let sim = Simulator::start(LOCALHOST, 0, vec![DeviceSpec::generated(0, 3, 10, 5)])
        .await
        .unwrap();
    let api = app.signup("Full Disk").await;
    let company = app.company_of("owner@full-disk.example.com").await;
    let id = api.add_device("Door", sim.addr(0)).await["id"]
        .as_i64()
        .unwrap();
    if app.state.store.is_postgres() {
        app.raw_sql(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN RAISE EXCEPTION 'disk full'; END $$; \
             CREATE TRIGGER refuse BEFORE INSERT ON punches \
             FOR EACH ROW EXECUTE FUNCTION refuse();",
        )
        .await;
    } else {
        app.raw_sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON punches \
             BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
        )
        .await;
    }
    let err = app
        .state
        .syncer
        .sync_now(company, DeviceId(id))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("disk full"), "{err}");
    let logs = api.logs(id).await;
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert_eq!(logs[0]["outcome"], "failed");
    assert_eq!(logs[0]["reason_code"], "store");
    assert_eq!(logs[0]["punches_new"], 0);
    let d = api.device(id).await;
    assert_eq!(d["status"], "offline");
    assert!(
        d["last_error"].as_str().unwrap().contains("read again"),
        "{d}"
    );
    assert_eq!(
        api.punches("").await.1,
        0,
        "nothing of the failed read kept"
    );
    // Not stuck behind its lease, and read again in a minute, not in half
    // an hour.
    let device = app
        .state
        .store
        .get_device(company, DeviceId(id))
        .await
        .unwrap();
    assert_eq!(device.lease_owner, None);
    let wait = (device.next_poll_at - Timestamp::now()).get_seconds();
    assert!((30..=61).contains(&wait), "retried in {wait} s");
    app.shutdown().await;
}

/// "Sync now" never opens a second connection to a clock the scheduler is
/// polling (a clock serves one client at a time): it waits for that poll
/// and answers with it. A device another instance holds is refused.
#[tokio::test]
async fn sync_now_and_the_scheduler_never_poll_one_device_at_once() {
    let app = TestApp::start_with(TestOptions {
        postgres: true,
        ..TestOptions::default()
    })
    .await;
    let sim = Simulator::start(LOCALHOST, 0, vec![DeviceSpec::generated(0, 3, 10, 5)])
        .await
        .unwrap();
    // Every reply takes a while, so the polls surely overlap in time.
    sim.device(0).set_faults(Faults {
        delay: Some(Duration::from_millis(150)),
        ..Faults::default()
    });
    let api = app.signup("Busy Door").await;
    let company = app.company_of("owner@busy-door.example.com").await;
    let id = DeviceId(
        api.add_device("Door", sim.addr(0)).await["id"]
            .as_i64()
            .unwrap(),
    );
    let scheduler = Scheduler::new(app.state.syncer.clone(), 4);
    assert_eq!(scheduler.tick().await, 1, "the new device is due");
    let syncer = &app.state.syncer;
    let (a, b) = tokio::join!(syncer.sync_now(company, id), syncer.sync_now(company, id));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(scheduler.idle(Duration::from_secs(30)).await);
    let logs = app
        .state
        .store
        .list_device_logs(company, id, 10)
        .await
        .unwrap();
    assert_eq!(logs.len(), 1, "one poll, joined twice: {logs:?}");
    assert_eq!((a.log.id, b.log.id), (logs[0].id, logs[0].id));
    let device = app.state.store.get_device(company, id).await.unwrap();
    assert_eq!(device.lease_owner, None, "the lease was given back");

    // Leased by another instance (which is polling it): refused, untouched.
    let other = app
        .state
        .store
        .lease_device(
            company,
            id,
            "other-instance",
            Timestamp::now(),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    assert!(other.is_some());
    let err = syncer.sync_now(company, id).await.unwrap_err();
    assert!(err.to_string().contains("being polled right now"), "{err}");
    let err = syncer.test_connection(company, id).await.unwrap_err();
    assert!(err.to_string().contains("being polled right now"), "{err}");
    let logs = app
        .state
        .store
        .list_device_logs(company, id, 10)
        .await
        .unwrap();
    assert_eq!(logs.len(), 1, "nothing contacted the device");
    let device = app.state.store.get_device(company, id).await.unwrap();
    assert_eq!(
        device.lease_owner.as_deref(),
        Some("other-instance"),
        "not ours to give back"
    );
    app.shutdown().await;
}

/// A poll that ends without finishing (its request was dropped, its task
/// cancelled) still gives its lease back at once: the device is never stuck
/// behind its own lease until it lapses.
#[tokio::test]
async fn a_cancelled_poll_gives_its_lease_back() {
    let app = TestApp::start_with(TestOptions {
        postgres: true,
        ..TestOptions::default()
    })
    .await;
    let sim = Simulator::start(LOCALHOST, 0, vec![DeviceSpec::generated(0, 3, 10, 5)])
        .await
        .unwrap();
    sim.device(0).set_faults(Faults {
        delay: Some(Duration::from_secs(120)),
        ..Faults::default()
    });
    let api = app.signup("Dropped").await;
    let company = app.company_of("owner@dropped.example.com").await;
    let id = DeviceId(
        api.add_device("Door", sim.addr(0)).await["id"]
            .as_i64()
            .unwrap(),
    );
    let syncer = app.state.syncer.clone();
    let poll = tokio::spawn(async move { syncer.sync_now(company, id).await });
    let store = &app.state.store;
    let leased = async {
        while store
            .get_device(company, id)
            .await
            .unwrap()
            .lease_owner
            .is_none()
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), leased)
        .await
        .expect("the poll takes the lease");
    poll.abort();
    let released = async {
        while store
            .get_device(company, id)
            .await
            .unwrap()
            .lease_owner
            .is_some()
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), released)
        .await
        .expect("the lease is given back without waiting for it to lapse");
    app.shutdown().await;
}
