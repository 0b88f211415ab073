//! The rows the store tests start from: a company, a device (polled or
//! push), a device's users and punches, and a poll that read them. One
//! definition each, so a new field in the domain is filled in once; a test
//! that needs another value says so with `..new_device(..)` and the like.

use std::time::Duration;

use jiff::{tz::TimeZone, SignedDuration, Timestamp};
use punchclock::domain::*;
use punchclock::store::Store;

/// The fixtures' epoch (2023-11-14T22:13:20Z): punches are offsets from it.
pub const T0: i64 = 1_700_000_000;

pub fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap()
}

/// A company on a trial that still runs for 14 days, so nothing the test
/// does is refused for its standing.
pub fn new_company(name: &str) -> NewCompany {
    NewCompany {
        name: name.into(),
        timezone: Zone::parse("Europe/Madrid").unwrap(),
        poll_interval_minutes: None,
        plan: "trial".into(),
        seats: 10,
        trial_ends_at: Some(Timestamp::now() + SignedDuration::from_hours(24 * 14)),
    }
}

/// A polled clock at `host:4370`, enabled, with the company's defaults.
pub fn new_device(name: &str, host: &str) -> NewDevice {
    NewDevice {
        name: name.into(),
        host: host.into(),
        port: 4370,
        comm_key: None,
        transport: Transport::Auto,
        timezone: None,
        enabled: true,
        poll_interval_minutes: None,
        mode: DeviceMode::Poll,
        push_serial: None,
    }
}

/// A clock that calls us (ADMS): no host to poll, known by its serial.
pub fn push_device(name: &str, serial: &str) -> NewDevice {
    NewDevice {
        host: String::new(),
        mode: DeviceMode::Push,
        push_serial: Some(serial.into()),
        ..new_device(name, "")
    }
}

pub fn user(enroll_id: &str, name: &str) -> DeviceUser {
    DeviceUser {
        enroll_id: enroll_id.into(),
        name: name.into(),
        name_bytes: name.as_bytes().to_vec(),
        uid: 1,
        privilege: 0,
        card: 0,
    }
}

/// A punch at `T0 + offset` seconds (UTC device clock, for simplicity).
pub fn punch(enroll_id: &str, offset: i64) -> NewPunch {
    punch_at(enroll_id, at(T0 + offset))
}

/// A punch at `punched_at`, read off a device whose clock runs in UTC.
pub fn punch_at(enroll_id: &str, punched_at: Timestamp) -> NewPunch {
    NewPunch {
        enroll_id: enroll_id.into(),
        device_time: punched_at.to_zoned(TimeZone::UTC).datetime(),
        punched_at,
        status: 1,
        punch_type: 0,
        uid: 1,
    }
}

/// A successful first sync, a day after `T0`, of a K40 with this serial
/// that read these users and punches (its whole history).
pub fn record(serial: &str, users: Vec<DeviceUser>, punches: Vec<NewPunch>) -> PollRecord {
    PollRecord {
        kind: LogKind::Sync,
        started_at: at(T0 + 86_400),
        duration: Duration::from_millis(1_234),
        host: "10.0.0.5".into(),
        address: Some("10.0.0.5:4370".into()),
        transport_used: Some(Transport::Tcp),
        outcome: Outcome::Ok,
        reason: None,
        info: Some(DeviceInfo {
            serial_number: Some(serial.into()),
            device_name: Some("K40".into()),
            firmware: Some("Ver 6.60".into()),
            user_count: Some(u32::try_from(users.len()).unwrap()),
            ..DeviceInfo::default()
        }),
        users,
        punches,
        history_pulled: true,
        next_poll_at: Some(at(T0 + 86_400 + 1_800)),
        sync: Default::default(),
    }
}

/// The employee as they are, but for their shift.
pub fn with_shift(e: &Employee, shift: Option<ShiftId>) -> EmployeeUpdate {
    EmployeeUpdate {
        first_name: e.first_name.clone(),
        last_name: e.last_name.clone(),
        designation: e.designation.clone(),
        email: e.email.clone(),
        active: e.active,
        daily_report: e.daily_report,
        shift_id: shift,
    }
}

/// A company of its own with one polled clock, "Front door".
pub async fn company_with_device(store: &Store, name: &str) -> (Company, Device) {
    let company = store.create_company(&new_company(name)).await.unwrap();
    let device = store
        .create_device(company.id, &new_device("Front door", "10.0.0.5"))
        .await
        .unwrap();
    (company, device)
}
