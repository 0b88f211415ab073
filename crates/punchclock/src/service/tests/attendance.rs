//! Service tests over an in-memory store and a manual clock: attendance is
//! computed from what is stored now, so late punches, corrections and
//! setting changes show on the next read.

use std::time::Duration;

use jiff::civil::{date, Date};
use jiff::{SignedDuration, Timestamp};

use crate::attendance::{FlagCode, Status};
use crate::domain::*;
use crate::service::attendance::{Page, Period, PersonDays};
use crate::service::company::CompanyInput;
use crate::service::company_rules::RulesInput;
use crate::service::corrections::ManualPunchInput;
use crate::service::holidays::HolidayInput;
use crate::service::leave::LeaveInput;
use crate::service::shifts::ShiftInput;
use crate::service::{Caller, ServiceError, Services};

/// Wednesday 2026-07-01; the clock starts the next Monday, 06:00 Berlin.
const DAY: Date = date(2026, 7, 1);

struct World {
    state: Services,
    caller: Caller,
    device: DeviceId,
}

fn berlin(d: Date, h: i8, m: i8) -> Timestamp {
    Zone::parse("Europe/Berlin")
        .unwrap()
        .instant(d.at(h, m, 0, 0))
        .unwrap()
}

async fn world(name: &str) -> World {
    let state = super::services(true).await;
    state.clock.set(berlin(date(2026, 7, 6), 6, 0));
    let (caller, device) = company(&state, name).await;
    World {
        state,
        caller,
        device,
    }
}

async fn company(state: &Services, name: &str) -> (Caller, DeviceId) {
    let (company, owner) = state
        .store
        .create_company_with_owner(
            &NewCompany {
                name: name.into(),
                timezone: Zone::parse("Europe/Berlin").unwrap(),
                poll_interval_minutes: None,
                plan: "business".into(),
                seats: 50,
                trial_ends_at: None,
            },
            &format!("owner@{}.example", name.to_lowercase()),
            "not-a-hash",
        )
        .await
        .unwrap();
    let device = state
        .store
        .create_device(company.id, &new_device("Door", true))
        .await
        .unwrap();
    let caller = Caller {
        company_id: company.id,
        account_id: owner.id,
    };
    (caller, device.id)
}

fn new_device(name: &str, enabled: bool) -> NewDevice {
    NewDevice {
        name: name.into(),
        host: "127.0.0.1".into(),
        port: 4370,
        comm_key: None,
        transport: Transport::Tcp,
        timezone: None,
        enabled,
        poll_interval_minutes: None,
        mode: DeviceMode::Poll,
        push_serial: None,
    }
}

impl World {
    /// A successful sync of `device` now, storing these punches of enroll
    /// id 1001 (Berlin wall clock).
    async fn sync(&self, device: DeviceId, punches: &[(Date, i8, i8)]) {
        let punches = punches
            .iter()
            .map(|&(d, h, m)| NewPunch {
                enroll_id: "1001".into(),
                device_time: d.at(h, m, 0, 0),
                punched_at: berlin(d, h, m),
                status: 1,
                punch_type: 255,
                uid: 1,
            })
            .collect();
        let record = PollRecord {
            kind: LogKind::Sync,
            started_at: self.state.clock.now(),
            duration: Duration::from_millis(10),
            host: "127.0.0.1".into(),
            address: None,
            transport_used: Some(Transport::Tcp),
            outcome: Outcome::Ok,
            reason: None,
            info: Some(DeviceInfo {
                serial_number: Some(format!("SER{}", device.0)),
                ..DeviceInfo::default()
            }),
            users: Vec::new(),
            punches,
            history_pulled: true,
            next_poll_at: None,
            sync: Default::default(),
        };
        let c = self.caller.company_id;
        self.state
            .store
            .record_poll(c, device, &record)
            .await
            .unwrap();
    }

    async fn shift(&self, start: &str, end: &str) -> ShiftId {
        let input = ShiftInput {
            name: Some(format!("{start}-{end}")),
            start: Some(start.into()),
            end: Some(end.into()),
            weekdays: Some(
                ["mon", "tue", "wed", "thu", "fri"]
                    .map(String::from)
                    .to_vec(),
            ),
            ..ShiftInput::default()
        };
        let shift = input.parse_new().unwrap();
        let s = &self.state;
        s.shifts().create(&self.caller, &shift).await.unwrap().id
    }

    async fn rules(&self, rules: RulesInput) -> Result<(), ServiceError> {
        let input = CompanyInput {
            rules,
            ..CompanyInput::default()
        };
        let changes = input.parse()?;
        let s = &self.state;
        s.company().update(&self.caller, changes).await.map(|_| ())
    }

    async fn default_shift(&self, shift: ShiftId) {
        let rules = RulesInput {
            default_shift_id: Some(shift.to_string()),
            ..RulesInput::default()
        };
        self.rules(rules).await.unwrap();
    }

    async fn ana(&self) -> EmployeeId {
        let s = &self.state.store;
        let e = s
            .employee_by_enroll_id(self.caller.company_id, "1001")
            .await;
        e.unwrap().expect("1001 synced").id
    }

    async fn days(&self, who: EmployeeId, from: Date, to: Date) -> PersonDays {
        let s = &self.state;
        let period = Period { from, to };
        s.attendance()
            .employee(&self.caller, who, period)
            .await
            .unwrap()
    }

    async fn day(&self, who: EmployeeId, d: Date) -> crate::attendance::Day {
        self.days(who, d, d).await.attendance.days[0].clone()
    }

    async fn add_punch(&self, who: EmployeeId, time: &str) -> Result<PunchView, ServiceError> {
        let input = ManualPunchInput {
            employee_id: who.to_string(),
            time: time.into(),
            reason: "Forgot to clock out".into(),
        };
        let s = &self.state;
        let zone = Zone::parse("Europe/Berlin").unwrap();
        let new = input.parse(&zone, self.state.clock.now())?;
        s.corrections().add_punch(&self.caller, &new).await
    }
}

#[tokio::test]
async fn late_punches_and_corrections_show_on_the_next_read() {
    let w = world("Alpha").await;
    let shift = w.shift("09:00", "17:00").await;
    w.default_shift(shift).await;
    w.sync(w.device, &[(DAY, 8, 58)]).await;
    let ana = w.ana().await;
    let day = w.day(ana, DAY).await;
    assert_eq!(day.status, Status::Incomplete);
    assert!(day.flags.contains(FlagCode::MissingOut));

    // The check-out arrives with a later sync.
    w.sync(w.device, &[(DAY, 17, 5)]).await;
    let day = w.day(ana, DAY).await;
    assert_eq!(
        (day.status, day.worked_minutes()),
        (Status::Present, 8 * 60 + 7)
    );
    assert_eq!(day.shift_id, Some(shift.0));

    // Void it: incomplete again; unvoid: back.
    let out = w.days(ana, DAY, DAY).await.attendance.punches[1].punch_id;
    let s = &w.state;
    let why = |text: &str| Reason::parse(text).unwrap();
    s.corrections()
        .void(&w.caller, PunchId(out), &why("Colleague's tap"))
        .await
        .unwrap();
    let day = w.day(ana, DAY).await;
    assert_eq!(day.status, Status::Incomplete);
    assert!(day.flags.contains(FlagCode::VoidedPunch));
    let again = s
        .corrections()
        .void(&w.caller, PunchId(out), &why("again"))
        .await;
    assert!(matches!(again, Err(ServiceError::Conflict(_))), "{again:?}");
    s.corrections()
        .unvoid(&w.caller, PunchId(out), &why("It was hers"))
        .await
        .unwrap();
    assert_eq!(w.day(ana, DAY).await.status, Status::Present);

    // A missing check-out added by hand the next day.
    let next = date(2026, 7, 2);
    w.sync(w.device, &[(next, 9, 0)]).await;
    let added = w.add_punch(ana, "2026-07-02T17:30").await.unwrap();
    assert!(added.punch.manual);
    let day = w.day(ana, next).await;
    assert_eq!(
        (day.status, day.worked_minutes()),
        (Status::Present, 8 * 60 + 30)
    );
    assert!(day.flags.contains(FlagCode::ManualPunch));
    let (log, total) = s.corrections().log(&w.caller, None, 10, 0).await.unwrap();
    assert_eq!(
        total, 3,
        "void, unvoid, add (the refused void is not logged)"
    );
    assert_eq!(log[0].reason, "Forgot to clock out");
}

#[tokio::test]
async fn days_stay_provisional_until_every_enabled_device_synced() {
    let w = world("Alpha").await;
    let shift = w.shift("09:00", "17:00").await;
    w.default_shift(shift).await;
    let yard = w
        .state
        .store
        .create_device(w.caller.company_id, &new_device("Yard", true))
        .await
        .unwrap()
        .id;
    w.state
        .store
        .create_device(w.caller.company_id, &new_device("Old", false))
        .await
        .unwrap();
    w.sync(w.device, &[(DAY, 9, 0), (DAY, 17, 0)]).await;
    let ana = w.ana().await;
    // Friday has no punch; the yard has never synced: not absent yet.
    let friday = w.day(ana, date(2026, 7, 3)).await;
    assert!(friday.provisional);
    assert_eq!(friday.status, Status::Incomplete);
    assert!(friday.flags.contains(FlagCode::Provisional));
    w.sync(yard, &[]).await;
    let friday = w.day(ana, date(2026, 7, 3)).await;
    assert!(!friday.provisional, "the disabled device does not count");
    assert_eq!(friday.status, Status::Absent);
    // Today's window has not closed.
    let today = w.day(ana, date(2026, 7, 6)).await;
    assert!(today.provisional);
}

#[tokio::test]
async fn setting_changes_apply_to_the_days_they_touch() {
    let w = world("Alpha").await;
    let early = w.shift("08:00", "16:00").await;
    w.sync(w.device, &[(DAY, 8, 58), (DAY, 17, 0)]).await;
    let ana = w.ana().await;
    let without = w.day(ana, DAY).await;
    assert_eq!((without.shift_id, without.status), (None, Status::Present));
    w.default_shift(early).await;
    let late = w.day(ana, DAY).await;
    assert_eq!((late.status, late.late_minutes()), (Status::Late, 58));
    // The employee's own shift wins over the default.
    let nine = w.shift("09:00", "17:00").await;
    let s = &w.state;
    let mine = crate::service::employees::EmployeeInput {
        shift_id: Some(nine.to_string()),
        ..Default::default()
    };
    let changes = mine.parse_changes().unwrap();
    s.employees().update(&w.caller, ana, changes).await.unwrap();
    assert_eq!(w.day(ana, DAY).await.status, Status::Present);
    // Thresholds, a holiday and leave.
    let strict = RulesInput {
        half_day_below_hours: Some("9".into()),
        ..RulesInput::default()
    };
    w.rules(strict).await.unwrap();
    assert_eq!(w.day(ana, DAY).await.status, Status::HalfDay);
    let holiday = HolidayInput {
        date: "2026-07-01".into(),
        name: "Founders' Day".into(),
    };
    let h = s
        .holidays()
        .create(&w.caller, &holiday.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        w.day(ana, DAY).await.holiday.as_deref(),
        Some("Founders' Day")
    );
    s.holidays().delete(&w.caller, h.id).await.unwrap();
    let leave = LeaveInput {
        employee_id: ana.to_string(),
        from: "2026-07-02".into(),
        to: "2026-07-03".into(),
        kind: "sick".into(),
    };
    s.leave()
        .create(&w.caller, &leave.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(w.day(ana, date(2026, 7, 2)).await.status, Status::Leave);
    let bad = RulesInput {
        absent_below_hours: Some("10".into()),
        ..RulesInput::default()
    };
    let refused = w.rules(bad).await.unwrap_err();
    let ServiceError::Invalid(e) = refused else {
        panic!("{refused:?}")
    };
    assert!(e.get("absent_below_hours").is_some(), "{e}");
}

#[tokio::test]
async fn everyone_is_the_active_and_those_who_punched_in_pages() {
    let w = world("Alpha").await;
    let store = &w.state.store;
    for id in ["1002", "1003", "1004"] {
        let new = NewEmployee {
            enroll_id: id.into(),
            first_name: None,
            last_name: None,
            designation: None,
            email: None,
        };
        store
            .create_employee(w.caller.company_id, &new)
            .await
            .unwrap();
    }
    w.sync(w.device, &[(DAY, 9, 0)]).await;
    let ana = w.ana().await;
    for id in ["1001", "1004"] {
        let e = store.employee_by_enroll_id(w.caller.company_id, id).await;
        let e = e.unwrap().unwrap();
        let changes = crate::service::employees::EmployeeInput {
            active: Some(false),
            ..Default::default()
        };
        let s = &w.state;
        s.employees()
            .update(&w.caller, e.id, changes.parse_changes().unwrap())
            .await
            .unwrap();
    }
    let s = &w.state;
    let all = Page {
        limit: 10,
        offset: 0,
    };
    let everyone = s
        .attendance()
        .everyone(&w.caller, Period::day(DAY), all)
        .await
        .unwrap();
    let ids: Vec<_> = everyone
        .people
        .iter()
        .map(|p| p.employee.enroll_id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["1001", "1002", "1003"],
        "1004 is inactive without punches"
    );
    assert_eq!(everyone.total, 3);
    assert_eq!(everyone.people[0].employee.id, ana);
    let second = Page {
        limit: 2,
        offset: 2,
    };
    let page = s
        .attendance()
        .everyone(&w.caller, Period::day(DAY), second)
        .await
        .unwrap();
    assert_eq!(page.people.len(), 1);
    assert_eq!(page.total, 3);
}

#[tokio::test]
async fn another_companys_data_is_out_of_reach() {
    let w = world("Alpha").await;
    let (beta, _) = company(&w.state, "Beta").await;
    w.sync(w.device, &[(DAY, 9, 0)]).await;
    let ana = w.ana().await;
    let s = &w.state;
    let theirs = s.attendance().employee(&beta, ana, Period::day(DAY)).await;
    assert!(matches!(theirs, Err(ServiceError::NotFound)), "{theirs:?}");
    let punch = w.days(ana, DAY, DAY).await.attendance.punches[0].punch_id;
    let void = s
        .corrections()
        .void(&beta, PunchId(punch), &Reason::parse("not theirs").unwrap())
        .await;
    assert!(matches!(void, Err(ServiceError::NotFound)), "{void:?}");
    let input = ManualPunchInput {
        employee_id: ana.to_string(),
        time: "2026-07-01T17:00".into(),
        reason: "not theirs".into(),
    };
    let new = input.parse(&Zone::utc(), w.state.clock.now()).unwrap();
    let add = s.corrections().add_punch(&beta, &new).await;
    let Err(ServiceError::Invalid(e)) = add else {
        panic!("{add:?}")
    };
    assert!(e.get("employee_id").is_some());
    let shift = w.shift("09:00", "17:00").await;
    let rules = RulesInput {
        default_shift_id: Some(shift.to_string()),
        ..RulesInput::default()
    };
    let input = CompanyInput {
        rules,
        ..CompanyInput::default()
    };
    let refused = s.company().update(&beta, input.parse().unwrap()).await;
    let Err(ServiceError::Invalid(e)) = refused else {
        panic!("{refused:?}")
    };
    assert!(e.get("default_shift_id").is_some());
    assert!(matches!(
        s.shifts().delete(&beta, shift).await,
        Err(ServiceError::NotFound)
    ));
}

#[tokio::test]
async fn a_blocked_account_reads_but_cannot_correct() {
    let w = world("Alpha").await;
    w.sync(w.device, &[(DAY, 9, 0)]).await;
    let ana = w.ana().await;
    let c = w.caller.company_id;
    // The trial ended without a paid plan.
    let change = PlanChange {
        plan: "business".into(),
        seats: 50,
        trial_ends_at: Some(w.state.clock.now() - SignedDuration::from_hours(1)),
    };
    w.state
        .store
        .set_company_plan(c, &change, None, None)
        .await
        .unwrap();
    let add = w.add_punch(ana, "2026-07-01T17:00").await;
    assert!(matches!(add, Err(ServiceError::Blocked(_))), "{add:?}");
    // Reading is allowed (pages show the blocked screen themselves).
    assert_eq!(w.day(ana, DAY).await.status, Status::Incomplete);
}
