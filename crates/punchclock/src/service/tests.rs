//! The services on their own, over an in-memory store and a clock the test
//! moves: tenancy, standing, address checks and sessions, without HTTP.

use std::time::Duration;

use super::account::SignupInput;
use super::devices::DeviceInput;
use super::employees::EmployeeInput;
use super::throttle::Client;
use super::{Caller, ServiceError, Services, Settings};
use crate::billing::{Billing, Catalog};
use crate::clock::Clock;
use crate::domain::{DeviceId, DeviceMode, NewDevice, NewEmployee, SessionKind, Transport};
use crate::store::Store;
use crate::sync::{PollSettings, Syncer};

async fn services(allow_private: bool) -> Services {
    let clock = Clock::manual("2026-07-01T08:00:00Z".parse().unwrap());
    let store = Store::connect("sqlite::memory:", clock.clone())
        .await
        .expect("store");
    let billing = Billing::new(store.clone(), Catalog::default(), clock.clone(), 14);
    let poll = PollSettings {
        allow_private_addresses: allow_private,
        step_timeout: Duration::from_secs(1),
        attempt_timeout: Duration::from_secs(3),
        ..PollSettings::default()
    };
    let syncer = Syncer::new(
        store.clone(),
        billing.clone(),
        poll,
        "test".into(),
        clock.clone(),
    );
    let settings = Settings::new(allow_private, 30);
    Services::new(store, syncer, billing, clock, settings)
}

async fn sign_up(s: &Services, email: &str) -> Caller {
    let input = SignupInput {
        company: "Corner Bakery".into(),
        email: email.into(),
        password: "correct horse".into(),
        timezone: "Europe/Berlin".into(),
    };
    let signed_up = s
        .account()
        .sign_up(Client::unknown(), input.parse().unwrap())
        .await
        .unwrap();
    let crate::service::account::SignedUp::Account(account) = signed_up else {
        panic!("mail is off in these tests, so sign-up signs in at once");
    };
    Caller {
        company_id: account.company_id,
        account_id: account.id,
    }
}

fn device(name: &str, host: &str) -> DeviceInput {
    DeviceInput {
        name: Some(name.into()),
        host: Some(host.into()),
        ..DeviceInput::default()
    }
}

fn blocked<T>(r: &Result<T, ServiceError>) -> bool {
    matches!(r, Err(ServiceError::Blocked(_)))
}

fn field_error(e: ServiceError, field: &str) -> String {
    match e {
        ServiceError::Invalid(f) => f.get(field).unwrap_or_else(|| panic!("{f}")).into(),
        other => panic!("expected a {field} message, got {other:?}"),
    }
}

#[tokio::test]
async fn devices_are_checked_where_they_point_and_scoped_to_their_company() {
    let s = services(false).await;
    let (a, b) = (
        sign_up(&s, "a@a.example").await,
        sign_up(&s, "b@b.example").await,
    );
    let devices = s.devices();
    // A literal private address fails parsing; a name is resolved on save.
    let m = field_error(
        devices
            .parse_new(&device("Door", "10.0.0.7"))
            .unwrap_err()
            .into(),
        "host",
    );
    assert!(m.contains("private"), "{m}");
    let local = devices.parse_new(&device("Door", "localhost")).unwrap();
    let m = field_error(devices.create(&a, local).await.unwrap_err(), "host");
    assert!(m.contains("loopback"), "{m}");
    let ok = devices.parse_new(&device("Door", "8.8.8.8")).unwrap();
    let d = devices.create(&a, ok).await.unwrap();
    assert_eq!((d.port, d.transport), (4370, Transport::Auto));
    // Company B sees none of it.
    assert!(devices.list(&b).await.unwrap().is_empty());
    assert!(matches!(
        devices.get(&b, d.id).await,
        Err(ServiceError::NotFound)
    ));
    let rename = devices.parse_changes(&DeviceInput {
        name: Some("Mine".into()),
        ..DeviceInput::default()
    });
    let rename = rename.unwrap();
    let r = devices.update(&b, d.id, rename.clone()).await;
    assert!(matches!(r, Err(ServiceError::NotFound)), "{r:?}");
    let r = s.device_logs().recent(&b, d.id, 10).await;
    assert!(matches!(r, Err(ServiceError::NotFound)), "{r:?}");
    assert!(matches!(
        devices.delete(&b, d.id).await,
        Err(ServiceError::NotFound)
    ));
    assert_eq!(devices.update(&a, d.id, rename).await.unwrap().name, "Mine");
}

#[tokio::test]
async fn only_a_changed_host_or_port_is_resolved_again() {
    let s = services(false).await;
    let a = sign_up(&s, "a@a.example").await;
    // Saved when private addresses were allowed.
    let new = NewDevice {
        name: "Old".into(),
        host: "localhost".into(),
        port: 4370,
        comm_key: None,
        transport: Transport::Auto,
        timezone: None,
        enabled: true,
        poll_interval_minutes: None,
        mode: DeviceMode::Poll,
        push_serial: None,
    };
    let d = s.store.create_device(a.company_id, &new).await.unwrap();
    let devices = s.devices();
    let same_host = device("Renamed", "localhost");
    let changes = devices.parse_changes(&same_host).unwrap();
    assert_eq!(
        devices.update(&a, d.id, changes).await.unwrap().name,
        "Renamed"
    );
    let other_port = DeviceInput {
        port: Some("4371".into()),
        ..same_host
    };
    let changes = devices.parse_changes(&other_port).unwrap();
    let m = field_error(devices.update(&a, d.id, changes).await.unwrap_err(), "host");
    assert!(m.contains("loopback"), "{m}");
    assert_eq!(devices.get(&a, d.id).await.unwrap().port, 4370, "unchanged");
}

#[tokio::test]
async fn a_blocked_account_may_only_change_who_is_active() {
    let s = services(true).await;
    let a = sign_up(&s, "a@a.example").await;
    let seats = s.plan().standing(&a).await.unwrap().seats.unwrap();
    let mut ids = Vec::new();
    for n in 0..=seats {
        let new = NewEmployee {
            enroll_id: n.to_string(),
            first_name: None,
            last_name: None,
            designation: None,
            email: None,
        };
        ids.push(
            s.store
                .create_employee(a.company_id, &new)
                .await
                .unwrap()
                .id,
        );
    }
    assert!(s.plan().reconciled(&a).await.unwrap().blocked);
    let add = s.devices().parse_new(&device("Door", "8.8.8.8")).unwrap();
    assert!(blocked(&s.devices().create(&a, add).await));
    let employees = s.employees();
    let name = EmployeeInput {
        first_name: Some("Ana".into()),
        ..EmployeeInput::default()
    };
    let r = employees
        .update(&a, ids[0], name.parse_changes().unwrap())
        .await;
    assert!(blocked(&r), "{r:?}");
    // The same name again changes nothing, so it is not refused.
    let same = EmployeeInput {
        first_name: Some(String::new()),
        active: Some(false),
        ..EmployeeInput::default()
    };
    let e = employees
        .update(&a, ids[0], same.parse_changes().unwrap())
        .await
        .unwrap();
    assert!(!e.active);
    let standing = s.plan().standing(&a).await.unwrap();
    assert!(!standing.blocked, "back within the seats: {standing:?}");
    let r = employees
        .update(&a, ids[0], name.parse_changes().unwrap())
        .await;
    assert_eq!(r.unwrap().first_name.as_deref(), Some("Ana"));
}

#[tokio::test]
async fn sign_up_login_and_sessions() {
    let s = services(true).await;
    let a = sign_up(&s, "Owner@Bakery.example").await;
    let again = SignupInput {
        company: "Other".into(),
        email: "owner@bakery.EXAMPLE".into(),
        password: "another 12345678".into(),
        timezone: "UTC".into(),
    };
    match s
        .account()
        .sign_up(Client::unknown(), again.parse().unwrap())
        .await
    {
        Err(ServiceError::Conflict(c)) => {
            assert_eq!(c.field, Some("email"));
            assert!(c.message.contains("Log in instead"), "{}", c.message);
        }
        other => panic!("{other:?}"),
    }
    let accounts = s.account();
    let wrong = accounts
        .authenticate(Client::unknown(), "owner@bakery.example", "wrong horse")
        .await;
    assert!(matches!(wrong, Err(ServiceError::InvalidCredentials)));
    let unknown = accounts
        .authenticate(Client::unknown(), "nobody@bakery.example", "correct horse")
        .await;
    assert!(matches!(unknown, Err(ServiceError::InvalidCredentials)));
    let account = accounts
        .authenticate(Client::unknown(), "OWNER@bakery.example", "correct horse")
        .await
        .unwrap();
    let sessions = s.sessions();
    let web = sessions.start(&account, SessionKind::Web).await.unwrap();
    let user = sessions
        .find(&web.token, SessionKind::Web)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.caller, a);
    assert_eq!(user.csrf_token, web.csrf_token);
    // A browser session is no API token, and ends on logout.
    assert!(sessions
        .find(&web.token, SessionKind::Api)
        .await
        .unwrap()
        .is_none());
    sessions.end(&user).await.unwrap();
    assert!(sessions
        .find(&web.token, SessionKind::Web)
        .await
        .unwrap()
        .is_none());
    // Sessions end on the service clock.
    let api = sessions.start(&account, SessionKind::Api).await.unwrap();
    assert!(sessions
        .find(&api.token, SessionKind::Api)
        .await
        .unwrap()
        .is_some());
    s.clock.advance(jiff::SignedDuration::from_hours(24 * 91));
    assert!(sessions
        .find(&api.token, SessionKind::Api)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn plan_changes_say_what_is_wrong() {
    let s = services(true).await;
    let a = sign_up(&s, "a@a.example").await;
    let plan = s.plan();
    let m = field_error(plan.change(&a, "platinum").await.unwrap_err(), "plan");
    assert!(m.contains("platinum"), "{m}");
    match plan.change(&a, "starter").await {
        Err(ServiceError::Conflict(c)) => assert_eq!(c.field, Some("plan")),
        other => panic!("{other:?}"),
    }
    let next = plan.next_after("starter").unwrap();
    assert_eq!(plan.change(&a, &next.id).await.unwrap().plan.id, next.id);
    assert!(matches!(
        s.devices().get(&a, DeviceId(999)).await,
        Err(ServiceError::NotFound)
    ));
}

mod attendance;
