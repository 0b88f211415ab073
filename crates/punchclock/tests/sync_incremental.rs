//! Incremental polling (issue 10 §2), against the simulator over real
//! sockets: a device whose counts did not change is not downloaded; one
//! whose log grew has only its new punches handed to the store; a log
//! cleared and refilled to the same count is still caught; the daily full
//! sync runs when due; a sync cut mid-way loses nothing.
//! Runs on PostgreSQL too when `PUNCHCLOCK_TEST_POSTGRES_URL` is set.

mod common;

use std::net::{IpAddr, Ipv4Addr};

use std::time::Duration;

use common::{Api, TestApp, TestOptions};
use jiff::{SignedDuration, Timestamp};
use punchclock::domain::{
    CompanyId, DeviceEventKind, DeviceId, DeviceUser, LogKind, NewPunch, Outcome, PollMode,
    PollReason, PollRecord, PollSync, PunchFilter, Transport,
};
use punchclock::store::StoreError;
use punchclock::sync::{poll_into, PollSink};
use reqwest::StatusCode;
use serde_json::json;
use zk_sim::{DeviceSpec, Faults, Punch, Simulator};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

async fn app(manual_clock: Option<Timestamp>) -> TestApp {
    TestApp::start_with(TestOptions {
        postgres: true,
        manual_clock,
        configure: |c| c.poll_batch_punches = 500,
        ..TestOptions::default()
    })
    .await
}

/// A device with `punches` generated punches, added to a new company.
async fn device(app: &TestApp, name: &str, punches: u32) -> (Simulator, CompanyId, DeviceId) {
    let (sim, company, id, _) = device_api(app, name, punches).await;
    (sim, company, id)
}

async fn device_api(
    app: &TestApp,
    name: &str,
    punches: u32,
) -> (Simulator, CompanyId, DeviceId, Api) {
    let sim = Simulator::start(LOCALHOST, 0, vec![DeviceSpec::generated(0, 5, punches, 21)])
        .await
        .unwrap();
    let api = app.signup(name).await;
    let slug = name.to_lowercase().replace(' ', "-");
    let company = app.company_of(&format!("owner@{slug}.example.com")).await;
    let id = api.add_device("Gate", sim.addr(0)).await["id"]
        .as_i64()
        .unwrap();
    (sim, company, DeviceId(id), api)
}

/// `n` punches no generated log holds (in 2021), distinct from each other.
fn fresh(sim: &Simulator, n: u32, salt: u8) -> Vec<Punch> {
    let base = sim.device(0).punches()[0].clone();
    (0..n)
        .map(|k| {
            let mut p = base.clone();
            p.time.year = 2021;
            p.time.month = 1 + (k / 1_000 % 12) as u8;
            p.time.day = 1 + (k / 40 % 25) as u8;
            p.time.hour = (k % 40 / 2) as u8;
            p.time.minute = salt;
            p.time.second = (k % 2 * 30) as u8;
            p
        })
        .collect()
}

async fn stored(app: &TestApp, company: CompanyId) -> u64 {
    app.state
        .store
        .count_punches(company, &PunchFilter::default())
        .await
        .unwrap()
}

/// Counts what a poll hands to the store, without storing it.
#[derive(Default)]
struct Counting {
    began: bool,
    handed: usize,
}

impl PollSink for Counting {
    async fn begin(&mut self, _record: &PollRecord) -> Result<(), PollReason> {
        self.began = true;
        Ok(())
    }

    async fn punches(&mut self, batch: Vec<NewPunch>) -> Result<(), PollReason> {
        self.handed += batch.len();
        Ok(())
    }
}

#[tokio::test]
async fn an_unchanged_device_is_not_downloaded_and_its_bytes_are_logged() {
    let app = app(None).await;
    let (_sim, company, id, api) = device_api(&app, "Still Clock", 3_000).await;
    let syncer = &app.state.syncer;

    let first = syncer.sync_now(company, id).await.unwrap();
    assert_eq!(first.log.mode, Some(PollMode::Full));
    assert_eq!((first.log.punches_read, first.punches_new), (3_000, 3_000));
    assert!(
        first.log.bytes_received > 3_000 * 16,
        "the whole log came over the wire: {} B",
        first.log.bytes_received
    );

    let again = syncer.sync_now(company, id).await.unwrap();
    assert_eq!(again.log.outcome, Outcome::Ok);
    assert_eq!(again.log.mode, Some(PollMode::Unchanged));
    assert_eq!(
        (
            again.log.users_read,
            again.log.punches_read,
            again.punches_new
        ),
        (0, 0, 0)
    );
    let wire = again.log.bytes_received + again.log.bytes_sent;
    eprintln!(
        "full sync of 3,000 punches: {} B in, {} B out; unchanged poll: {} B in, {} B out",
        first.log.bytes_received,
        first.log.bytes_sent,
        again.log.bytes_received,
        again.log.bytes_sent
    );
    assert!(
        (1..=1_024).contains(&wire),
        "an unchanged poll costs at most 1 KB on the wire: {} B in, {} B out",
        again.log.bytes_received,
        again.log.bytes_sent
    );
    assert_eq!(stored(&app, company).await, 3_000);

    // The API's device log says the same.
    let logs = api.logs(id.0).await;
    assert_eq!(logs.len(), 2);
    assert_eq!(logs[0]["mode"], "unchanged");
    assert_eq!(logs[0]["punches_read"], 0);
    assert_eq!(logs[0]["bytes_received"], again.log.bytes_received);
    assert_eq!(logs[0]["bytes_sent"], again.log.bytes_sent);
    assert_eq!(logs[1]["mode"], "full");
    assert_eq!(logs[1]["punches_new"], 3_000);
    assert_eq!(logs[1]["punches_known"], 0);
    // A connection test has no mode but still its bytes.
    let test = syncer.test_connection(company, id).await.unwrap();
    assert_eq!((test.kind, test.mode), (LogKind::Test, None));
    assert!(test.bytes_received > 0 && test.bytes_sent > 0);
    app.shutdown().await;
}

/// An unchanged poll asks the device only for what it decides on (its
/// serial number, counters and clock): fewer requests than a connection
/// test, which reads the whole identity. What the store knew of the
/// device's name, platform, firmware and MAC stays, and the log row still
/// names the serial.
#[tokio::test]
async fn an_unchanged_poll_reads_only_what_it_decides_on() {
    let app = app(None).await;
    let (sim, company, id) = device(&app, "Brief Clock", 50).await;
    let syncer = &app.state.syncer;
    let store = &app.state.store;

    let test = syncer.test_connection(company, id).await.unwrap();
    let first = syncer.sync_now(company, id).await.unwrap();
    assert_eq!(first.log.mode, Some(PollMode::Full));
    let known = store.get_device(company, id).await.unwrap();
    let identity = |i: &punchclock::domain::DeviceInfo| {
        (
            i.serial_number.clone(),
            i.device_name.clone(),
            i.platform.clone(),
            i.firmware.clone(),
            i.mac.clone(),
        )
    };
    assert!(
        known.info.device_name.is_some() && known.info.firmware.is_some(),
        "{known:?}"
    );
    let again = syncer.sync_now(company, id).await.unwrap();
    assert_eq!(again.log.mode, Some(PollMode::Unchanged));
    assert!(
        again.log.bytes_sent < test.bytes_sent,
        "unchanged poll sent {} B, a connection test {} B",
        again.log.bytes_sent,
        test.bytes_sent
    );
    assert_eq!(
        again.log.serial_number.as_deref(),
        Some(sim.device(0).serial().as_str())
    );
    let after = store.get_device(company, id).await.unwrap();
    assert_eq!(
        identity(&after.info),
        identity(&known.info),
        "what the unchanged poll did not read is kept"
    );
    assert_eq!(after.status, known.status);
    app.shutdown().await;
}

#[tokio::test]
async fn ten_new_punches_on_a_big_log_cost_the_store_ten() {
    let app = app(None).await;
    let (sim, company, id) = device(&app, "Busy Clock", 20_000).await;
    let syncer = &app.state.syncer;
    syncer.sync_now(company, id).await.unwrap();
    sim.device(0).add_punches(fresh(&sim, 10, 1));

    // What the poll hands to the store: the 10 new ones, nothing else.
    let target = app
        .state
        .store
        .device_poll_target(company, id)
        .await
        .unwrap();
    assert!(target.mark.is_some(), "the full sync left its mark");
    let mut sink = Counting::default();
    let record = poll_into(
        &target,
        syncer.settings(),
        LogKind::Sync,
        &app.clock,
        &mut sink,
    )
    .await;
    assert_eq!(record.outcome, Outcome::Ok, "{:?}", record.reason);
    assert_eq!(record.sync.mode, Some(PollMode::Incremental));
    assert!(sink.began);
    assert_eq!(sink.handed, 10, "only the new punches reach the store");
    assert_eq!(record.sync.known, 20_000);

    // And recorded: read 20,010, 10 new, 20,000 already stored.
    let outcome = syncer.sync_now(company, id).await.unwrap();
    assert_eq!(outcome.log.mode, Some(PollMode::Incremental));
    assert_eq!(
        (
            outcome.log.punches_read,
            outcome.punches_new,
            outcome.log.punches_known
        ),
        (20_010, 10, 20_000)
    );
    assert_eq!(stored(&app, company).await, 20_010);
    let next = syncer.sync_now(company, id).await.unwrap();
    assert_eq!(next.log.mode, Some(PollMode::Unchanged));
    app.shutdown().await;
}

#[tokio::test]
async fn a_log_cleared_and_refilled_to_the_same_count_is_caught() {
    let app = app(None).await;
    let (sim, company, id) = device(&app, "Wiped Clock", 2_000).await;
    let syncer = &app.state.syncer;
    syncer.sync_now(company, id).await.unwrap();
    let refill = fresh(&sim, 2_000, 2);
    sim.device(0).clear_punches();
    sim.device(0).add_punches(refill);
    assert_eq!(sim.device(0).punches().len(), 2_000, "the same count");

    let outcome = syncer.sync_now(company, id).await.unwrap();
    assert_eq!(outcome.log.outcome, Outcome::Ok, "{:?}", outcome.log.reason);
    assert_eq!(outcome.log.mode, Some(PollMode::Full));
    assert_eq!(outcome.punches_new, 2_000, "every refilled punch stored");
    let note = outcome.log.detail.clone().unwrap_or_default();
    assert!(note.contains("read a second time"), "{note}");
    assert_eq!(stored(&app, company).await, 4_000);

    // Refilled past the old count: the tail does not match either.
    let more = fresh(&sim, 2_100, 3);
    sim.device(0).clear_punches();
    sim.device(0).add_punches(more);
    let outcome = syncer.sync_now(company, id).await.unwrap();
    assert_eq!(outcome.log.mode, Some(PollMode::Full));
    assert_eq!(outcome.punches_new, 2_100);
    assert_eq!(stored(&app, company).await, 6_100);
    let quiet = syncer.sync_now(company, id).await.unwrap();
    assert_eq!(quiet.log.mode, Some(PollMode::Unchanged));
    app.shutdown().await;
}

#[tokio::test]
async fn the_daily_full_sync_runs_when_due() {
    let start: Timestamp = "2026-03-02T08:00:00Z".parse().unwrap();
    let app = app(Some(start)).await;
    let (_sim, company, id) = device(&app, "Daily Clock", 1_000).await;
    let syncer = &app.state.syncer;
    let first = syncer.sync_now(company, id).await.unwrap();
    assert_eq!(first.log.mode, Some(PollMode::Full));
    app.clock.advance(SignedDuration::from_hours(23));
    let unchanged = syncer.sync_now(company, id).await.unwrap();
    assert_eq!(unchanged.log.mode, Some(PollMode::Unchanged));
    app.clock.advance(SignedDuration::from_hours(1));
    let daily = syncer.sync_now(company, id).await.unwrap();
    assert_eq!(daily.log.mode, Some(PollMode::Full));
    assert_eq!(
        (
            daily.log.punches_read,
            daily.punches_new,
            daily.log.punches_known
        ),
        (1_000, 0, 1_000),
        "every punch handed to the store again, none new"
    );
    let note = daily.log.detail.clone().unwrap_or_default();
    assert!(note.contains("full_sync_hours"), "{note}");
    // The clock for the next full one starts again.
    app.clock.advance(SignedDuration::from_hours(1));
    let after = syncer.sync_now(company, id).await.unwrap();
    assert_eq!(after.log.mode, Some(PollMode::Unchanged));
    app.shutdown().await;
}

#[tokio::test]
async fn an_incremental_sync_cut_midway_loses_nothing() {
    let app = app(None).await;
    let (sim, company, id) = device(&app, "Cut Clock", 20_000).await;
    let syncer = &app.state.syncer;
    syncer.sync_now(company, id).await.unwrap();
    sim.device(0).add_punches(fresh(&sim, 3_000, 4));
    // 23,000 records of 40 bytes: the link drops past the old 20,000,
    // after some of the new ones were handed to the store.
    sim.device(0).set_faults(Faults {
        drop_after_bytes: Some(880_000),
        ..Faults::default()
    });
    let cut = syncer.sync_now(company, id).await;
    let log = app
        .state
        .store
        .list_device_logs(company, id, 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(log.outcome, Outcome::Failed, "{cut:?}");
    assert_eq!(log.mode, Some(PollMode::Incremental));
    let kept = stored(&app, company).await;
    eprintln!(
        "the cut sync kept {} of the 3,000 new punches",
        kept - 20_000
    );
    assert!(
        (20_000..23_000).contains(&kept),
        "kept what it stored, no more: {kept}"
    );

    sim.device(0).set_faults(Faults::default());
    let next = syncer.sync_now(company, id).await.unwrap();
    assert_eq!(next.log.mode, Some(PollMode::Incremental));
    assert_eq!(u64::from(next.punches_new), 23_000 - kept);
    assert_eq!(stored(&app, company).await, 23_000, "none lost, none twice");
    app.shutdown().await;
}

/// Makes every device due now, as the poll interval passing would.
async fn due_now(app: &TestApp) {
    app.raw_sql("UPDATE devices SET next_poll_at = 0").await;
}

/// The device row's lease: owner and end.
async fn lease_of(app: &TestApp, company: CompanyId, id: DeviceId) -> (Option<String>, bool) {
    let d = app.state.store.get_device(company, id).await.unwrap();
    (d.lease_owner, d.lease_until.is_some())
}

/// A scheduled poll of an unchanged device, for a company that opted into
/// no device care, gives its lease back with its recording (one statement
/// for the device row), schedules the next poll, and still reports the
/// company's active employees.
#[tokio::test]
async fn a_scheduled_unchanged_poll_gives_its_lease_back_with_its_recording() {
    let app = app(None).await;
    let (_sim, company, id) = device(&app, "Quiet Gate", 40).await;
    let syncer = &app.state.syncer;
    let store = &app.state.store;
    syncer.sync_now(company, id).await.unwrap();
    assert_eq!(lease_of(&app, company, id).await, (None, false));

    for round in 0..3 {
        due_now(&app).await;
        let claimed = syncer.claim_due(10).await.unwrap();
        assert_eq!(claimed.len(), 1, "round {round}");
        assert!(!claimed[0].care_opted_in, "nothing opted into");
        assert_eq!(
            lease_of(&app, company, id).await,
            (Some("test".to_owned()), true),
            "leased while it is polled"
        );
        let before = Timestamp::now();
        let outcome = syncer.poll_and_record(&claimed[0]).await.unwrap();
        assert_eq!(outcome.log.mode, Some(PollMode::Unchanged));
        assert_eq!(outcome.log.outcome, Outcome::Ok);
        assert_eq!(
            lease_of(&app, company, id).await,
            (None, false),
            "given back"
        );
        let d = store.get_device(company, id).await.unwrap();
        assert!(d.next_poll_at > before, "the next poll is scheduled");
        assert_eq!(
            u64::from(outcome.employees_new),
            0,
            "nobody new on an unchanged poll"
        );
        assert_eq!(
            outcome.active_employees,
            store.count_active_employees(company).await.unwrap()
        );
        assert_eq!(outcome.active_employees, 5, "the device's 5 users");
    }
    // Not due again: nothing to claim, and nobody holds the device.
    assert!(syncer.claim_due(10).await.unwrap().is_empty());
    app.shutdown().await;
}

/// A poll that fails at the device is recorded with the lease given back
/// in the same statement too: the device is not stuck behind it.
#[tokio::test]
async fn a_scheduled_poll_of_an_unreachable_device_gives_its_lease_back() {
    let app = app(None).await;
    let (sim, company, id) = device(&app, "Gone Gate", 10).await;
    let syncer = &app.state.syncer;
    syncer.sync_now(company, id).await.unwrap();
    sim.shutdown().await;
    due_now(&app).await;
    let claimed = syncer.claim_due(10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let outcome = syncer.poll_and_record(&claimed[0]).await.unwrap();
    assert_eq!(outcome.log.outcome, Outcome::Failed);
    assert_eq!(lease_of(&app, company, id).await, (None, false));
    let d = app.state.store.get_device(company, id).await.unwrap();
    assert!(d.next_poll_at > Timestamp::now(), "scheduled again");
    app.shutdown().await;
}

/// With device care opted into, the lease is kept past the recording:
/// the care runs under it (the device serves one client at a time), and
/// it is given back after.
#[tokio::test]
async fn with_care_opted_in_the_lease_outlives_the_recording_for_the_care() {
    let app = app(None).await;
    let (sim, company, id, api) = device_api(&app, "Careful Gate", 20).await;
    let syncer = &app.state.syncer;
    syncer.sync_now(company, id).await.unwrap();
    api.patch("/company", &json!({"auto_set_clock": true}))
        .await
        .expect(StatusCode::OK);
    sim.device(0).jump_clock(-600);
    due_now(&app).await;
    let claimed = syncer.claim_due(10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(claimed[0].care_opted_in, "read with the target");
    let outcome = syncer.poll_and_record(&claimed[0]).await.unwrap();
    assert_eq!(outcome.log.mode, Some(PollMode::Unchanged));
    let events = app
        .state
        .store
        .device_events(company, id, 10)
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.kind == DeviceEventKind::ClockSet && e.outcome == Outcome::Ok),
        "the care set the clock after the poll: {events:?}"
    );
    assert_eq!(
        lease_of(&app, company, id).await,
        (None, false),
        "then given back"
    );
    app.shutdown().await;
}

/// An unchanged poll's record: no users, no punches.
fn unchanged_record() -> PollRecord {
    PollRecord {
        kind: LogKind::Sync,
        started_at: Timestamp::now(),
        duration: Duration::from_millis(3),
        host: "127.0.0.1".into(),
        address: None,
        transport_used: Some(Transport::Tcp),
        outcome: Outcome::Ok,
        reason: None,
        info: None,
        users: vec![],
        punches: vec![],
        history_pulled: true,
        next_poll_at: Some(Timestamp::now() + SignedDuration::from_mins(30)),
        sync: PollSync {
            mode: Some(PollMode::Unchanged),
            ..PollSync::default()
        },
    }
}

/// `record_poll_and_release` gives back its owner's lease only, only when
/// the recording commits, and counts the active employees either way.
#[tokio::test]
async fn recording_gives_back_only_its_owners_lease() {
    let app = app(None).await;
    let (_sim, company, id) = device(&app, "Owned Gate", 10).await;
    let store = &app.state.store;
    app.state.syncer.sync_now(company, id).await.unwrap();
    let lease = Duration::from_secs(120);
    let take = |owner: &'static str| async move {
        store
            .lease_device(company, id, owner, Timestamp::now(), lease)
            .await
            .unwrap()
            .expect("free to lease")
    };
    take("instance-a").await;
    let record = unchanged_record();

    // Another instance's recording leaves the lease alone.
    let o = store
        .record_poll_and_release(company, id, &record, "instance-b")
        .await
        .unwrap();
    assert_eq!(o.active_employees, 5);
    assert_eq!(
        lease_of(&app, company, id).await,
        (Some("instance-a".to_owned()), true)
    );
    // Another company's: not found, nothing changed.
    let other = app.signup("Other Co").await;
    let other_company = app.company_of("owner@other-co.example.com").await;
    drop(other);
    let err = store
        .record_poll_and_release(other_company, id, &record, "instance-a")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert_eq!(
        lease_of(&app, company, id).await,
        (Some("instance-a".to_owned()), true)
    );
    // A recording that fails rolls the release back with it (punches and
    // no serial anywhere: refused; the device knows its serial, so clear
    // it first).
    app.raw_sql("UPDATE devices SET serial_number = NULL").await;
    let refused = PollRecord {
        punches: vec![NewPunch {
            enroll_id: "1".into(),
            device_time: jiff::civil::date(2021, 1, 4).at(8, 0, 0, 0),
            punched_at: "2021-01-04T08:00:00Z".parse().unwrap(),
            status: 0,
            punch_type: 0,
            uid: 1,
        }],
        ..record.clone()
    };
    assert!(store
        .record_poll_and_release(company, id, &refused, "instance-a")
        .await
        .is_err());
    assert_eq!(
        lease_of(&app, company, id).await,
        (Some("instance-a".to_owned()), true),
        "kept: nothing was recorded"
    );
    // The owner's recording gives it back, with the record's schedule.
    let o = store
        .record_poll_and_release(company, id, &record, "instance-a")
        .await
        .unwrap();
    assert_eq!(o.log.outcome, Outcome::Ok);
    let d = store.get_device(company, id).await.unwrap();
    assert_eq!((d.lease_owner, d.lease_until), (None, None));
    assert_eq!(
        d.next_poll_at.as_second(),
        record.next_poll_at.unwrap().as_second()
    );
    // Free for anyone now.
    take("instance-b").await;

    // A recording that reads someone new counts them.
    let grown = PollRecord {
        users: vec![DeviceUser {
            enroll_id: "900".into(),
            name: "New Person".into(),
            name_bytes: vec![],
            uid: 900,
            privilege: 0,
            card: 0,
        }],
        ..record.clone()
    };
    let o = store
        .record_poll_and_release(company, id, &grown, "instance-b")
        .await
        .unwrap();
    assert_eq!((o.employees_new, o.active_employees), (1, 6));
    assert_eq!(lease_of(&app, company, id).await, (None, false));
    app.shutdown().await;
}
