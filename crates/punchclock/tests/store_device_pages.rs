//! Manage Devices at 10,000 devices reads one page: the page's devices in
//! list order with the company's total, and the punch counts of just those
//! devices. On both backends (see `store_harness`).

use punchclock::domain::*;
use punchclock::store::Store;

#[macro_use]
mod store_harness;
use store_harness::fixtures::{new_company, new_device, punch, record, user};
use store_harness::{run_postgres, run_sqlite, TestDb};

store_tests!(a_page_of_devices_in_list_order, punch_counts_of_a_page_only);

/// A poll that stored `n` punches of one person, a minute apart.
fn poll_of(serial: &str, n: i64) -> PollRecord {
    let punches = (0..n).map(|i| punch("1", i * 60)).collect();
    record(serial, vec![user("1", "Ana")], punches)
}

async fn devices_named(store: &Store, company: CompanyId, names: &[&str]) -> Vec<Device> {
    let mut out = Vec::new();
    for name in names {
        out.push(
            store
                .create_device(company, &new_device(name, "10.0.0.5"))
                .await
                .unwrap(),
        );
    }
    out
}

fn names(devices: &[Device]) -> Vec<&str> {
    devices.iter().map(|d| d.name.as_str()).collect()
}

async fn a_page_of_devices_in_list_order(db: TestDb) {
    let store = &db.store;
    let ours = store.create_company(&new_company("Ours")).await.unwrap();
    let theirs = store.create_company(&new_company("Theirs")).await.unwrap();
    // Added out of order, one name twice: name, then id, as the full list.
    devices_named(
        store,
        ours.id,
        &["Delta", "Alpha", "Echo", "Bravo", "Alpha"],
    )
    .await;
    devices_named(store, theirs.id, &["Aardvark", "Zulu"]).await;
    let all = store.list_devices(ours.id).await.unwrap();
    assert_eq!(names(&all), ["Alpha", "Alpha", "Bravo", "Delta", "Echo"]);

    let (first, total) = store.list_devices_page(ours.id, 2, 0).await.unwrap();
    assert_eq!(total, 5, "the company's devices, not the other's");
    assert_eq!(
        first.iter().map(|d| d.id).collect::<Vec<_>>(),
        [all[0].id, all[1].id]
    );
    let (second, _) = store.list_devices_page(ours.id, 2, 2).await.unwrap();
    assert_eq!(names(&second), ["Bravo", "Delta"]);
    let (last, total) = store.list_devices_page(ours.id, 2, 4).await.unwrap();
    assert_eq!((names(&last), total), (vec!["Echo"], 5));
    let (past, total) = store.list_devices_page(ours.id, 2, 10).await.unwrap();
    assert_eq!(
        (past.len(), total),
        (0, 5),
        "past the end: nothing, still the total"
    );
    let (theirs_page, total) = store.list_devices_page(theirs.id, 100, 0).await.unwrap();
    assert_eq!((names(&theirs_page), total), (vec!["Aardvark", "Zulu"], 2));
}

async fn punch_counts_of_a_page_only(db: TestDb) {
    let store = &db.store;
    let ours = store.create_company(&new_company("Ours")).await.unwrap();
    let theirs = store.create_company(&new_company("Theirs")).await.unwrap();
    let d = devices_named(store, ours.id, &["Door", "Gate", "Idle"]).await;
    let other = devices_named(store, theirs.id, &["Their door"]).await;
    store
        .record_poll(ours.id, d[0].id, &poll_of("DOOR", 3))
        .await
        .unwrap();
    store
        .record_poll(ours.id, d[1].id, &poll_of("GATE", 2))
        .await
        .unwrap();
    store
        .record_poll(theirs.id, other[0].id, &poll_of("THEIRS", 4))
        .await
        .unwrap();

    let counts = store
        .punch_counts_of_devices(ours.id, &[d[0].id, d[2].id])
        .await
        .unwrap();
    assert_eq!(counts.get(&d[0].id), Some(&3));
    assert_eq!(counts.get(&d[2].id), None, "no punches: absent");
    assert_eq!(counts.len(), 1, "only the devices asked for: {counts:?}");
    let counts = store
        .punch_counts_of_devices(ours.id, &[d[1].id, other[0].id])
        .await
        .unwrap();
    assert_eq!(
        counts.len(),
        1,
        "another company's device is not counted: {counts:?}"
    );
    assert_eq!(counts.get(&d[1].id), Some(&2));
    assert!(store
        .punch_counts_of_devices(ours.id, &[])
        .await
        .unwrap()
        .is_empty());
}
