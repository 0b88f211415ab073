//! The push parts of the store, on both backends: one company per serial,
//! presence that never goes back in time, commands only their device can
//! see and finish, and the capped unclaimed registry.

use punchclock::domain::*;
use punchclock::store::{CommandFinish, PushWrite, Rule, Store, StoreError};

#[macro_use]
mod store_harness;
use store_harness::fixtures::{at, new_company, punch_at, push_device};
use store_harness::{run_postgres, run_sqlite, TestDb};

store_tests!(
    a_serial_is_claimed_once_across_companies,
    presence_flush_never_goes_back,
    group_commit_keeps_each_request_apart,
    commands_belong_to_their_device,
    unclaimed_registry_is_capped_and_forgets,
);

async fn with_device(store: &Store, name: &str, serial: &str) -> (CompanyId, Device) {
    let c = store.create_company(&new_company(name)).await.unwrap();
    let d = store
        .create_device(c.id, &push_device("Clock", serial))
        .await
        .unwrap();
    (c.id, d)
}

async fn a_serial_is_claimed_once_across_companies(db: TestDb) {
    let store = &db.store;
    let (a, d) = with_device(store, "A", "abc123").await;
    assert_eq!(
        d.push.serial.as_deref(),
        Some("ABC123"),
        "stored upper case"
    );
    assert_eq!(d.serial_number(), Some("ABC123"));
    let b = store.create_company(&new_company("B")).await.unwrap();
    let taken = store
        .create_device(b.id, &push_device("Mine", "ABC123"))
        .await;
    assert!(
        matches!(taken, Err(StoreError::Conflict(Rule::SerialClaimed))),
        "{taken:?}"
    );
    assert_eq!(Rule::SerialClaimed.field(), Some("serial_number"));
    let target = store.push_target("ABC123").await.unwrap().unwrap();
    assert_eq!((target.company_id, target.device_id), (a, d.id));
    assert!(store.push_target("OTHER").await.unwrap().is_none());
    // A push device needs its serial; a polled one its host.
    let none = NewDevice {
        push_serial: None,
        ..push_device("X", "")
    };
    let e = store.create_device(b.id, &none).await.unwrap_err();
    assert!(matches!(
        e,
        StoreError::Invalid(punchclock::store::Invalid::DeviceSerialMissing)
    ));
    // Deleting frees the serial.
    store.delete_device(a, d.id).await.unwrap();
    store
        .create_device(b.id, &push_device("Mine", "ABC123"))
        .await
        .unwrap();
}

async fn presence_flush_never_goes_back(db: TestDb) {
    let store = &db.store;
    let (c, d) = with_device(store, "P", "PRES1").await;
    store
        .flush_push_presence(&[(d.id, at(2_000))])
        .await
        .unwrap();
    store
        .flush_push_presence(&[(d.id, at(1_000))])
        .await
        .unwrap();
    let got = store.get_device(c, d.id).await.unwrap();
    assert_eq!(got.push.last_seen, Some(at(2_000)));
    assert_eq!(got.status, DeviceStatus::Online);
    // Many devices in one flush: each moves forward only, none is mixed up.
    let mut devices = vec![(c, d.id)];
    for i in 0..600 {
        let e = store
            .create_device(c, &push_device(&format!("P{i}"), &format!("PRES-{i}")))
            .await
            .unwrap();
        devices.push((c, e.id));
    }
    let seen: Vec<_> = devices
        .iter()
        .enumerate()
        .map(|(i, (_, id))| (*id, at(1_500 + i as i64)))
        .collect();
    store.flush_push_presence(&seen).await.unwrap();
    let first = store.get_device(c, d.id).await.unwrap();
    assert_eq!(first.push.last_seen, Some(at(2_000)), "never back");
    for (i, (_, id)) in devices.iter().enumerate().skip(1).step_by(97) {
        let got = store.get_device(c, *id).await.unwrap();
        assert_eq!(got.push.last_seen, Some(at(1_500 + i as i64)), "device {i}");
        assert_eq!(got.status, DeviceStatus::Online);
    }
}

/// A pushed punch at `second` (UTC device clock): ADMS sends no user
/// slot, so its uid is 0.
fn pushed(enroll_id: &str, second: i64) -> NewPunch {
    NewPunch {
        uid: 0,
        ..punch_at(enroll_id, at(second))
    }
}

fn upload(punches: Vec<NewPunch>) -> PushRecord {
    let mut r = PushRecord::new(PushCall::Punches, at(10_000), "127.0.0.1".into());
    r.records_read = punches.len() as u32;
    r.punches = punches;
    r
}

async fn group_commit_keeps_each_request_apart(db: TestDb) {
    let store = &db.store;
    let (a, da) = with_device(store, "GA", "GROUP1").await;
    let (b, db_) = with_device(store, "GB", "GROUP2").await;
    let ra = upload(vec![pushed("1", 5_000), pushed("2", 5_001)]);
    let rb = upload(vec![pushed("1", 5_000)]);
    // A device that is not (or no longer) there, between the two.
    let gone = upload(vec![pushed("9", 5_002)]);
    let writes = [
        PushWrite {
            company_id: a,
            device_id: da.id,
            serial: "GROUP1".into(),
            record: ra,
        },
        PushWrite {
            company_id: b,
            device_id: da.id,
            serial: "GROUP1".into(),
            record: gone,
        },
        PushWrite {
            company_id: b,
            device_id: db_.id,
            serial: "GROUP2".into(),
            record: rb,
        },
    ];
    let out = store.record_pushes(&writes).await.unwrap();
    assert_eq!(out.len(), 3);
    assert_eq!(out[0].as_ref().unwrap().punches_new, 2);
    assert!(matches!(out[1], Err(StoreError::NotFound)), "{:?}", out[1]);
    assert_eq!(out[2].as_ref().unwrap().punches_new, 1);
    assert_eq!(out[2].as_ref().unwrap().employees_new, 1);
    let all = PunchFilter::default();
    assert_eq!(store.count_punches(a, &all).await.unwrap(), 2);
    assert_eq!(
        store.count_punches(b, &all).await.unwrap(),
        1,
        "nothing of the failed one"
    );
    // The batch sent again (its answers lost) stores nothing twice.
    let again = store.record_pushes(&writes).await.unwrap();
    assert_eq!(again[0].as_ref().unwrap().punches_new, 0);
    assert_eq!(again[2].as_ref().unwrap().punches_new, 0);
    assert_eq!(store.count_punches(a, &all).await.unwrap(), 2);
    assert_eq!(store.count_punches(b, &all).await.unwrap(), 1);
    let log = store.get_device(a, da.id).await.unwrap();
    assert_eq!(log.status, DeviceStatus::Online);
}

async fn commands_belong_to_their_device(db: TestDb) {
    let store = &db.store;
    let (c, d) = with_device(store, "C", "CMD1").await;
    let (_, other) = with_device(store, "D", "CMD2").await;
    let args = PushCommandArgs::UpdateUser {
        enroll_id: "7".into(),
        name: "Ana".into(),
        current: None,
    };
    let waiting = async |serial: &str| {
        let t = store.push_target(serial).await.unwrap().unwrap();
        t.commands_waiting
    };
    assert!(!waiting("CMD1").await, "nothing queued yet");
    let q = store.queue_push_command(c, d.id, &args).await.unwrap();
    assert_eq!(q.state, PushCommandState::Queued);
    assert!(waiting("CMD1").await, "a queued command waits");
    assert!(!waiting("CMD2").await, "another device's does not");
    let far = at(i64::from(i32::MAX));
    assert!(store
        .push_commands_due(other.id, far, 10)
        .await
        .unwrap()
        .is_empty());
    let due = store.push_commands_due(d.id, far, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    store
        .mark_push_commands_sent(d.id, &[q.id], at(100))
        .await
        .unwrap();
    // Sent: due again only once it has waited long enough for its result.
    assert!(store
        .push_commands_due(d.id, at(100), 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .push_commands_due(d.id, at(101), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    // The user's record arrives: the name change is queued with its fields.
    let fields = DeviceUserFields {
        privilege: 14,
        password: "12".into(),
        card: Some(9),
        group: 2,
    };
    let n = store
        .fill_user_updates(d.id, &[("7".into(), fields.clone())])
        .await
        .unwrap();
    assert_eq!(n, 1);
    let cmd = store.push_command(d.id, q.id).await.unwrap().unwrap();
    assert_eq!(cmd.state, PushCommandState::Queued);
    let finish = CommandFinish {
        id: q.id,
        state: PushCommandState::Done,
        return_code: 0,
        result: "success".into(),
        at: at(200),
    };
    // Another device cannot finish it.
    assert!(store
        .finish_push_command(other.id, &finish)
        .await
        .unwrap()
        .is_none());
    let done = store
        .finish_push_command(d.id, &finish)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.state, PushCommandState::Done);
    assert!(!waiting("CMD1").await, "a finished command no longer waits");
    let PushCommandArgs::UpdateUser {
        current: Some(kept),
        ..
    } = done.args
    else {
        panic!("{:?}", done.args)
    };
    assert_eq!(kept.password, "", "the password is not kept once done");
    assert_eq!(kept.card, Some(9));
    assert_eq!(store.list_push_commands(c, d.id, 5).await.unwrap().len(), 1);
}

fn sighting(serial: &str, last: i64) -> UnclaimedDevice {
    UnclaimedDevice {
        serial_number: serial.into(),
        source_address: "203.0.113.9".into(),
        first_seen: at(last),
        last_seen: at(last),
        requests: 2,
        push_version: Some("2.4.1".into()),
        device_type: None,
    }
}

async fn unclaimed_registry_is_capped_and_forgets(db: TestDb) {
    let store = &db.store;
    let old = at(1_000);
    let seen: Vec<_> = (0..5)
        .map(|i| sighting(&format!("S{i}"), 10_000 + i))
        .collect();
    store.flush_unclaimed(&seen, 3, old).await.unwrap();
    let list = store.list_unclaimed(10).await.unwrap();
    let serials: Vec<&str> = list.iter().map(|d| d.serial_number.as_str()).collect();
    assert_eq!(
        serials,
        ["S4", "S3", "S2"],
        "the most recently seen are kept"
    );
    // Seen again: more requests, later last sighting, first sighting kept.
    store
        .flush_unclaimed(&[sighting("S2", 20_000)], 3, old)
        .await
        .unwrap();
    let s2 = store.list_unclaimed(1).await.unwrap().remove(0);
    assert_eq!((s2.serial_number.as_str(), s2.requests), ("S2", 4));
    assert_eq!((s2.first_seen, s2.last_seen), (at(10_002), at(20_000)));
    // Old sightings are forgotten; a claimed serial is removed.
    store.flush_unclaimed(&[], 3, at(15_000)).await.unwrap();
    assert_eq!(store.count_unclaimed().await.unwrap(), 1);
    store.forget_unclaimed("S2").await.unwrap();
    assert_eq!(store.count_unclaimed().await.unwrap(), 0);
    // A sighting still buffered when its serial was claimed is not kept.
    with_device(store, "Claimed", "S9").await;
    store
        .flush_unclaimed(&[sighting("S9", 30_000), sighting("S8", 30_000)], 3, old)
        .await
        .unwrap();
    let left: Vec<String> = store
        .list_unclaimed(10)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.serial_number)
        .collect();
    assert_eq!(left, ["S8"]);
}
