//! Stored attendance days (migration 0010) against a fresh engine run.
//!
//! A varied company (a day shift with a break, a night shift, someone
//! without a shift, leave, holidays, double taps, a missing check-out,
//! days still provisional) is read through the service, which stores the
//! days; after every kind of write that can change a day (late punches
//! from a sync, a void, an unvoid, a manual punch, holidays, leave, an
//! employee's shift, a shift, the rules, the company zone, devices syncing
//! later, a new device) both what the service answers and what the table
//! holds must equal the engine computing everything from scratch. Runs on
//! SQLite and PostgreSQL (`store_harness`).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use jiff::civil::{date, Date, DateTime};
use jiff::{Timestamp, ToSpan};
use punchclock::app::build_state;
use punchclock::attendance::{
    by_employee, Day, EmployeeInput, Holidays, Hours, Leave, LeaveKind, Schedule, ShiftSpec,
    SyncState, Timetable,
};
use punchclock::clock::Clock;
use punchclock::config::Config;
use punchclock::domain::*;
use punchclock::service::attendance::{Page, Period};
use punchclock::service::Caller;
use punchclock::store::Store;
use punchclock::web::AppState;

#[macro_use]
mod store_harness;

use store_harness::{fixtures, run_postgres, run_sqlite, TestDb};

store_tests!(
    stored_days_equal_the_engine_after_every_kind_of_change,
    a_save_started_before_a_write_stores_nothing,
);

const FIRST: Date = date(2026, 6, 29); // a Monday
const LAST: Date = date(2026, 7, 12); // two weeks
const SERIAL: &str = "CMP0000001";

fn berlin() -> Zone {
    Zone::parse("Europe/Berlin").unwrap()
}

fn utc(text: &str) -> Timestamp {
    text.parse().unwrap()
}

struct World {
    state: AppState,
    clock: Clock,
    caller: Caller,
    device: DeviceId,
    period: Period,
}

impl World {
    async fn new(db: &TestDb) -> World {
        let clock = Clock::manual(utc("2026-07-10T12:00:00Z"));
        let config = Config {
            database_url: db.url.clone(),
            ..Config::default()
        };
        let state = build_state(config, clock.clone()).await.unwrap();
        let (company, owner) = state
            .store
            .create_company_with_owner(
                &NewCompany {
                    name: "Varied".into(),
                    timezone: berlin(),
                    poll_interval_minutes: None,
                    plan: "business".into(),
                    seats: 50,
                    trial_ends_at: None,
                },
                "owner@varied.example",
                "not-a-real-hash",
            )
            .await
            .unwrap();
        let device = new_device(&state.store, company.id, "Door").await;
        World {
            caller: Caller {
                company_id: company.id,
                account_id: owner.id,
            },
            state,
            clock,
            device,
            period: Period {
                from: FIRST,
                to: LAST,
            },
        }
    }

    fn store(&self) -> &Store {
        &self.state.store
    }

    fn company(&self) -> CompanyId {
        self.caller.company_id
    }

    /// One successful sync at `started` storing `punches`.
    async fn sync(&self, started: &str, punches: Vec<NewPunch>) {
        let record = PollRecord {
            kind: LogKind::Sync,
            started_at: utc(started),
            duration: Duration::from_secs(1),
            host: "127.0.0.1".into(),
            address: None,
            transport_used: Some(Transport::Tcp),
            outcome: Outcome::Ok,
            reason: None,
            info: Some(DeviceInfo {
                serial_number: Some(SERIAL.into()),
                ..DeviceInfo::default()
            }),
            users: Vec::new(),
            punches,
            history_pulled: true,
            next_poll_at: None,
            sync: Default::default(),
        };
        self.store()
            .record_poll(self.company(), self.device, &record)
            .await
            .unwrap();
    }

    async fn employee(&self, enroll_id: &str) -> Employee {
        self.store()
            .employee_by_enroll_id(self.company(), enroll_id)
            .await
            .unwrap()
            .unwrap()
    }

    async fn set_shift(&self, enroll_id: &str, shift: Option<ShiftId>) {
        let e = self.employee(enroll_id).await;
        let update = fixtures::with_shift(&e, shift);
        self.store()
            .update_employee(self.company(), e.id, &update)
            .await
            .unwrap();
    }

    /// The service's days (which reads and fills the table), the table's
    /// rows, and the engine from scratch must all agree; `what` names the
    /// step for the failure message.
    async fn check(&self, what: &str) {
        let fresh = engine_days(self.store(), self.company(), self.period, self.clock.now()).await;
        let page = Page {
            limit: 1_000,
            offset: 0,
        };
        let everyone = self
            .state
            .services
            .attendance()
            .everyone(&self.caller, self.period, page)
            .await
            .unwrap();
        let served: BTreeMap<i64, Vec<Day>> = everyone
            .people
            .iter()
            .map(|p| (p.employee.id.0, p.attendance.days.clone()))
            .collect();
        assert_eq!(served.len(), fresh.len(), "{what}: employees");
        for (id, days) in &fresh {
            assert_eq!(
                days.len(),
                self.period.days(),
                "{what}: engine days of {id}"
            );
            assert_eq!(served.get(id), Some(days), "{what}: service days of {id}");
        }
        // The table itself now holds every day, equal to the engine's.
        let zone = self
            .store()
            .get_company(self.company())
            .await
            .unwrap()
            .timezone;
        let rows = self
            .store()
            .stored_attendance_days(self.company(), self.period.range(), None, zone.tz())
            .await
            .unwrap();
        let mut table: BTreeMap<i64, Vec<Day>> = BTreeMap::new();
        for r in rows {
            table.entry(r.employee_id.0).or_default().push(r.day);
        }
        assert_eq!(table, fresh, "{what}: stored rows");
        // One person through the other read path.
        let (id, days) = fresh.iter().next().unwrap();
        let one = self
            .state
            .services
            .attendance()
            .employee(&self.caller, EmployeeId(*id), self.period)
            .await
            .unwrap();
        assert_eq!(&one.attendance.days, days, "{what}: one employee");
    }
}

async fn new_device(store: &Store, company: CompanyId, name: &str) -> DeviceId {
    store
        .create_device(
            company,
            &NewDevice {
                transport: Transport::Tcp,
                ..fixtures::new_device(name, "127.0.0.1")
            },
        )
        .await
        .unwrap()
        .id
}

/// Every active employee's days over `period`, computed by the engine from
/// what is stored now, without the service.
async fn engine_days(
    store: &Store,
    company_id: CompanyId,
    period: Period,
    now: Timestamp,
) -> BTreeMap<i64, Vec<Day>> {
    let company = store.get_company(company_id).await.unwrap();
    let saved = store.attendance_rules(company_id).await.unwrap();
    let rules = saved.to_engine(&company.timezone);
    let (from, to) = (
        period.from.checked_sub(14.days()).unwrap(),
        period.to.checked_add(14.days()).unwrap(),
    );
    let holidays = Holidays::new(
        store
            .list_holidays(company_id, from, to)
            .await
            .unwrap()
            .iter()
            .map(|h| h.to_engine())
            .collect(),
    );
    let mut leave: HashMap<EmployeeId, Vec<Leave>> = HashMap::new();
    for l in store.list_leave(company_id, None, from, to).await.unwrap() {
        leave.entry(l.employee_id).or_default().push(l.to_engine());
    }
    let schedules: HashMap<ShiftId, Schedule> = store
        .list_shifts(company_id)
        .await
        .unwrap()
        .iter()
        .map(|s| (s.id, Schedule::single(s.to_engine().unwrap())))
        .collect();
    let sync = SyncState::new(now, store.last_syncs(company_id).await.unwrap());
    let range = period.range();
    let (load_from, load_to) = Timetable::new(&rules, &holidays, None, range).punch_span();
    let punches = store
        .attendance_punches(company_id, load_from, load_to, None)
        .await
        .unwrap();
    let by_person: HashMap<i64, &[punchclock::attendance::Punch]> = by_employee(&punches).collect();
    let people = store
        .list_employees(company_id, EmployeeFilter::All, u32::MAX, 0)
        .await
        .unwrap();
    people
        .iter()
        .map(|e| {
            let shift = e.shift_id.or(saved.default_shift_id);
            let schedule = shift.map(|s| &schedules[&s]);
            let tt = Timetable::new(&rules, &holidays, schedule, range);
            let input = EmployeeInput {
                employee_id: e.id.0,
                leave: leave.get(&e.id).map_or(&[], Vec::as_slice),
                punches: by_person.get(&e.id.0).copied().unwrap_or(&[]),
            };
            (e.id.0, tt.compute(&input, sync).days)
        })
        .collect()
}

/// A punch at `h:m:s` on `day` on the (Berlin) device clock.
fn punch(enroll_id: &str, day: Date, h: i8, m: i8, s: i8) -> NewPunch {
    let device_time: DateTime = day.at(h, m, s, 0);
    NewPunch {
        enroll_id: enroll_id.into(),
        device_time,
        punched_at: berlin().instant(device_time).unwrap(),
        status: 1,
        punch_type: 255,
        uid: 1,
    }
}

/// Days `first..last` (indexes from FIRST) of four people: 1001 on days
/// (a double tap now and then, a forgotten check-out), 1002 on nights,
/// 1003 odd hours, 1004 days; nobody on Sundays.
fn punches(first: i32, last: i32) -> Vec<NewPunch> {
    let mut out = Vec::new();
    for d in first..last {
        let day = FIRST.checked_add(d.days()).unwrap();
        if day.weekday() == jiff::civil::Weekday::Sunday {
            continue;
        }
        let j = (d * 7 % 11) as i8;
        out.push(punch("1001", day, 8, 50 + j % 10, 5));
        if d % 4 == 1 {
            out.push(punch("1001", day, 8, 50 + j % 10, 40)); // double tap
        }
        if d % 5 != 3 {
            out.push(punch("1001", day, 17, 30 + j, 0)); // else forgotten
        }
        let next = day.tomorrow().unwrap();
        out.push(punch("1002", day, 21, 50 + j % 10, 0));
        out.push(punch("1002", next, 6, j, 0));
        out.push(punch("1003", day, 10, j, 0));
        out.push(punch("1003", day, 12, 0, 0));
        out.push(punch("1003", day, 12, 45, 0));
        out.push(punch("1003", day, 15, 30 + j, 0));
        out.push(punch("1004", day, 9, j, 0));
        out.push(punch("1004", day, 18, j, 0));
    }
    out
}

async fn stored_days_equal_the_engine_after_every_kind_of_change(db: TestDb) {
    let w = World::new(&db).await;
    let s = &w.state.services;
    let store = w.store();
    let company = w.company();

    // Shifts: days with a 30-minute break, nights; 1003 has none.
    let mut day_spec = ShiftSpec::new("Day", "09:00", "17:30");
    day_spec.break_minutes = 30;
    let day = s
        .shifts()
        .create(
            &w.caller,
            &punchclock::attendance::Shift::parse(&day_spec).unwrap(),
        )
        .await
        .unwrap();
    let night_spec = ShiftSpec::new("Night", "22:00", "06:00");
    let night = s
        .shifts()
        .create(
            &w.caller,
            &punchclock::attendance::Shift::parse(&night_spec).unwrap(),
        )
        .await
        .unwrap();
    w.sync("2026-07-08T00:00:00Z", punches(0, 9)).await;
    w.set_shift("1001", Some(day.id)).await;
    w.set_shift("1002", Some(night.id)).await;
    w.set_shift("1004", Some(day.id)).await;
    w.check("first read").await;
    w.check("second read, from the table").await;

    // Late punches: the next days, and one a device kept for a week.
    let mut late = punches(9, 12);
    late.push(punch("1001", date(2026, 7, 2), 17, 45, 0));
    w.sync("2026-07-10T11:00:00Z", late).await;
    w.check("after a sync with late punches").await;

    // Corrections.
    let ana = w.employee("1001").await;
    let span = (utc("2026-06-29T00:00:00Z"), utc("2026-07-13T00:00:00Z"));
    let theirs = store
        .attendance_punches(company, span.0, span.1, Some(ana.id))
        .await
        .unwrap();
    let first = PunchId(theirs[0].id);
    let reason = Reason::parse("wrong person").unwrap();
    store
        .set_punch_voided(
            company,
            w.caller.account_id,
            first,
            VoidChange::Void,
            "wrong",
        )
        .await
        .unwrap();
    w.check("after a void").await;
    store
        .set_punch_voided(
            company,
            w.caller.account_id,
            first,
            VoidChange::Unvoid,
            "back",
        )
        .await
        .unwrap();
    w.check("after an unvoid").await;
    let forgot = date(2026, 7, 2).at(17, 35, 0, 0);
    let manual = NewManualPunch {
        employee_id: ana.id,
        at: berlin().instant(forgot).unwrap(),
        device_time: forgot,
        reason,
    };
    store
        .add_manual_punch(company, w.caller.account_id, &manual)
        .await
        .unwrap();
    w.check("after a manual punch").await;

    // Holidays and leave.
    let name = HolidayName::parse("Founders' day").unwrap();
    let holiday = store
        .create_holiday(company, date(2026, 7, 1), &name)
        .await
        .unwrap();
    w.check("after a holiday").await;
    store.delete_holiday(company, holiday.id).await.unwrap();
    w.check("after a holiday deleted").await;
    let dora = w.employee("1004").await;
    let leave = Leave::new(date(2026, 7, 6), date(2026, 7, 7), LeaveKind::Sick).unwrap();
    let leave = store
        .create_leave(
            company,
            &NewLeave {
                employee_id: dora.id,
                leave,
            },
        )
        .await
        .unwrap();
    w.check("after leave").await;
    store.delete_leave(company, leave.id).await.unwrap();
    w.check("after leave deleted").await;

    // Shifts and rules.
    w.set_shift("1003", Some(night.id)).await;
    w.check("after an employee's shift").await;
    w.set_shift("1003", None).await;
    let mut earlier = day_spec.clone();
    earlier.start = "08:30".into();
    store
        .update_shift(
            company,
            day.id,
            &punchclock::attendance::Shift::parse(&earlier).unwrap(),
        )
        .await
        .unwrap();
    w.check("after a shift changed").await;
    let rules = AttendanceRules {
        default_shift_id: Some(day.id),
        weekly_overtime: Some(Hours::from_seconds(20 * 3600)),
        absent_below: Some(Hours::from_seconds(2 * 3600)),
        ..AttendanceRules::default()
    };
    store
        .update_attendance_rules(company, &rules)
        .await
        .unwrap();
    w.check("after the rules (weekly overtime on)").await;
    w.sync(
        "2026-07-10T11:30:00Z",
        vec![punch("1003", date(2026, 7, 3), 19, 0, 0)],
    )
    .await;
    w.check("after a late punch with weekly overtime").await;
    let settings = CompanySettings {
        name: "Varied".into(),
        timezone: Zone::parse("Europe/Lisbon").unwrap(),
        poll_interval_minutes: 30,
    };
    store
        .update_company_settings(company, &settings)
        .await
        .unwrap();
    w.check("after the company zone changed").await;

    // Time: days become final once the device synced after they closed.
    w.clock.set(utc("2026-07-14T12:00:00Z"));
    w.check("later, before the device synced").await;
    w.sync("2026-07-14T11:00:00Z", Vec::new()).await;
    w.check("later, after the device synced").await;
    let finals = store
        .stored_attendance_days(company, w.period.range(), None, berlin().tz())
        .await
        .unwrap();
    assert!(finals.iter().all(|d| !d.day.provisional), "all final");
    // A new device that never synced makes every day provisional again.
    new_device(store, company, "Back door").await;
    w.check("after a new device").await;
}

async fn a_save_started_before_a_write_stores_nothing(db: TestDb) {
    let w = World::new(&db).await;
    let store = w.store();
    w.sync("2026-07-08T00:00:00Z", punches(0, 3)).await;
    w.check("first read").await;
    let range = w.period.range();
    let tz = berlin();
    let before = store
        .stored_attendance_days(w.company(), range, None, tz.tz())
        .await
        .unwrap();
    assert_eq!(before.len(), 4 * w.period.days());

    // A reader took the epoch, then a sync stored a punch.
    let epoch = store.attendance_epoch(w.company()).await.unwrap();
    w.sync(
        "2026-07-08T01:00:00Z",
        vec![punch("1001", date(2026, 6, 30), 19, 0, 0)],
    )
    .await;
    assert!(store.attendance_epoch(w.company()).await.unwrap() > epoch);
    let after_sync = store
        .stored_attendance_days(w.company(), range, None, tz.tz())
        .await
        .unwrap();
    let ana = w.employee("1001").await.id;
    let forgotten: Vec<Date> = before
        .iter()
        .filter(|d| !after_sync.contains(d))
        .map(|d| {
            assert_eq!(d.employee_id, ana, "only Ana's days are forgotten");
            d.day.date
        })
        .collect();
    assert!(forgotten.contains(&date(2026, 6, 30)), "{forgotten:?}");
    assert!(
        forgotten.len() <= 3,
        "the day and its neighbours: {forgotten:?}"
    );

    // Its save, computed from the old punches, is refused whole.
    let stale: Vec<_> = before
        .iter()
        .filter(|d| d.employee_id == ana)
        .cloned()
        .collect();
    assert!(!store
        .save_attendance_days(w.company(), epoch, &stale)
        .await
        .unwrap());
    let now = store
        .stored_attendance_days(w.company(), range, None, tz.tz())
        .await
        .unwrap();
    assert_eq!(now, after_sync, "nothing saved");
    w.check("the next read computes them").await;
}
