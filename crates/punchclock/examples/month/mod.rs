#![allow(dead_code)] // each benchmark uses a different part of the month

//! The benchmark month shared by `attendance_store.rs` and
//! `exports_file.rs`: 1,000 employees in Berlin with 4 punches on each of
//! 30 days from Monday 2026-03-02, stored through the sync's write path
//! (`record_poll`), 3 days per sync, as a device would deliver them.

use std::time::Duration;

use jiff::civil::{date, Date, DateTime};
use jiff::{Timestamp, ToSpan};
use punchclock::domain::*;
use punchclock::service::Caller;
use punchclock::web::AppState;

pub const EMPLOYEES: usize = 1_000;
pub const DAYS: i32 = 30;
pub const FIRST: Date = date(2026, 3, 2);

/// The company (Europe/Berlin, seats for everyone) and its one device.
pub async fn company(state: &AppState) -> anyhow::Result<(Caller, DeviceId)> {
    let store = &state.store;
    let (company, owner) = store
        .create_company_with_owner(
            &NewCompany {
                name: "Bench".into(),
                timezone: Zone::parse("Europe/Berlin")?,
                poll_interval_minutes: None,
                plan: "business".into(),
                seats: 5_000,
                trial_ends_at: None,
            },
            "bench@example.com",
            "not-a-hash",
        )
        .await?;
    let caller = Caller {
        company_id: company.id,
        account_id: owner.id,
    };
    let device = store
        .create_device(
            company.id,
            &NewDevice {
                name: "Door".into(),
                host: "127.0.0.1".into(),
                port: 4370,
                comm_key: None,
                transport: Transport::Tcp,
                timezone: None,
                enabled: true,
                poll_interval_minutes: None,
                mode: DeviceMode::Poll,
                push_serial: None,
            },
        )
        .await?;
    Ok((caller, device.id))
}

/// The whole month, 3 days per sync.
pub async fn store_month(
    state: &AppState,
    caller: &Caller,
    device: DeviceId,
    now: Timestamp,
) -> anyhow::Result<()> {
    for day in (0..DAYS).step_by(3) {
        sync(state, caller, device, day, 3.min(DAYS - day), now).await?;
    }
    Ok(())
}

/// One sync storing `days` days of everyone's punches from day `first` on;
/// past the month, its last day only up to noon (a sync at midday).
pub async fn sync(
    state: &AppState,
    caller: &Caller,
    device: DeviceId,
    first: i32,
    days: i32,
    now: Timestamp,
) -> anyhow::Result<()> {
    let mut punches = Vec::with_capacity(EMPLOYEES * 4 * days as usize);
    for d in first..first + days {
        let day = FIRST.checked_add(d.days())?;
        let half = first >= DAYS && d == first + days - 1;
        for e in 0..EMPLOYEES {
            punches.extend(workday(e, d, day, half));
        }
    }
    let record = PollRecord {
        kind: LogKind::Sync,
        started_at: now,
        duration: Duration::from_secs(1),
        host: "127.0.0.1".into(),
        address: None,
        transport_used: Some(Transport::Tcp),
        outcome: Outcome::Ok,
        reason: None,
        info: Some(DeviceInfo {
            serial_number: Some("BENCH0001".into()),
            ..DeviceInfo::default()
        }),
        users: Vec::new(),
        punches,
        history_pulled: true,
        next_poll_at: None,
        sync: Default::default(),
    };
    state
        .store
        .record_poll(caller.company_id, device, &record)
        .await?;
    Ok(())
}

/// In around 09:00, lunch 13:00-13:30, out around 17:30, with jitter;
/// `half`: the morning only.
fn workday(employee: usize, d: i32, day: Date, half: bool) -> Vec<NewPunch> {
    let jitter = |k: u64| {
        let x = (employee as u64 * 7919 + d as u64 * 104_729 + k * 1_299_709) % 1_200;
        x as i64 - 600
    };
    let minutes = [9 * 60, 13 * 60, 13 * 60 + 30, 17 * 60 + 30];
    let count = if half { 2 } else { 4 };
    minutes[..count]
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let second = m * 60 + jitter(i as u64);
            let t = day.to_datetime(jiff::civil::Time::midnight()) + second.seconds();
            punch(employee, t, i)
        })
        .collect()
}

fn punch(employee: usize, device_time: DateTime, i: usize) -> NewPunch {
    NewPunch {
        enroll_id: (1001 + employee).to_string(),
        device_time,
        punched_at: Zone::parse("Europe/Berlin")
            .ok()
            .and_then(|z| z.instant(device_time))
            .expect("a Berlin wall-clock time"),
        status: 1,
        punch_type: (i % 2) as u8,
        uid: 1,
    }
}

/// `day` at `h:m:s` in Berlin.
pub fn zoned(day: Date, h: i8, m: i8, s: i8) -> Timestamp {
    let z = Zone::parse("Europe/Berlin").expect("zone");
    z.instant(day.at(h, m, s, 0)).expect("a real time")
}
