//! `punchclock serve --demo`: a demo company whose devices are simulated in
//! this process, so a newcomer sees devices, employees and punches at once.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use anyhow::Context;
use zk_sim::{DeviceSpec, Simulator};

use crate::clock::Clock;
use crate::domain::device_time::from_civil;
use crate::domain::{
    CommKeyUpdate, CompanyId, Device, DeviceId, DeviceMode, DeviceUpdate, NewCompany, NewDevice,
    Transport, Zone,
};
use crate::store::Store;
use crate::web::AppState;

pub const DEMO_EMAIL: &str = "demo@punchclock.local";
pub const DEMO_PASSWORD: &str = "punchclock-demo";

struct DemoDevice {
    name: &'static str,
    users: u32,
    punches: u32,
    comm_key: Option<u32>,
    transport: Transport,
}

const DEVICES: [DemoDevice; 3] = [
    DemoDevice {
        name: "Front door",
        users: 14,
        punches: 1200,
        comm_key: None,
        transport: Transport::Auto,
    },
    DemoDevice {
        name: "Warehouse",
        users: 9,
        punches: 700,
        comm_key: Some(1234),
        transport: Transport::Tcp,
    },
    DemoDevice {
        name: "Back office",
        users: 6,
        punches: 300,
        comm_key: None,
        transport: Transport::Udp,
    },
];

/// The running demo; dropping it stops the simulated devices.
pub struct Demo {
    pub simulator: Simulator,
    ticker: tokio::task::JoinHandle<()>,
}

impl Drop for Demo {
    fn drop(&mut self) {
        self.ticker.abort();
    }
}

/// Start the simulated devices and make sure the demo company points at them
/// (ports change on every start), then have them polled right away.
pub async fn setup(state: &AppState) -> anyhow::Result<Demo> {
    let simulator = Simulator::start(IpAddr::V4(Ipv4Addr::LOCALHOST), 0, device_specs())
        .await
        .context("starting the simulated devices")?;
    let company_id = demo_company(state).await?;
    let existing = state.store.list_devices(company_id).await?;
    for (i, d) in DEVICES.iter().enumerate() {
        let port = simulator.addr(i).port();
        let found = existing.iter().find(|e| e.name == d.name);
        let id = point_at(state, company_id, d, found, port).await?;
        state
            .store
            .schedule_device_poll(company_id, id, state.clock.now())
            .await?;
    }
    println!(
        "punchclock demo: log in as {DEMO_EMAIL} with password {DEMO_PASSWORD} ({} simulated devices)",
        DEVICES.len()
    );
    let ticker = tokio::spawn(clock_ins(&simulator, state.clock.clone()));
    Ok(Demo { simulator, ticker })
}

fn device_specs() -> Vec<DeviceSpec> {
    let mut specs: Vec<DeviceSpec> = DEVICES
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut spec = DeviceSpec::generated(i as u32, d.users, d.punches, 2026);
            spec.comm_key = d.comm_key;
            spec
        })
        .collect();
    // The same people clock in at several sites: give every device the
    // names the first (largest) one has for the same enroll IDs, as a real
    // company that enrolls each person once would have.
    let people = specs[0].users.clone();
    for spec in &mut specs[1..] {
        for user in &mut spec.users {
            if let Some(p) = people.iter().find(|p| p.user_id == user.user_id) {
                user.name = p.name.clone();
            }
        }
    }
    specs
}

/// Creates the demo device, or points the existing one at its simulator.
async fn point_at(
    state: &AppState,
    company_id: CompanyId,
    d: &DemoDevice,
    existing: Option<&Device>,
    port: u16,
) -> anyhow::Result<DeviceId> {
    let comm_key = d.comm_key.map_or(CommKeyUpdate::Clear, CommKeyUpdate::Set);
    let Some(dev) = existing else {
        let new = NewDevice {
            name: d.name.into(),
            host: "127.0.0.1".into(),
            port,
            comm_key: d.comm_key,
            transport: d.transport,
            timezone: None,
            enabled: true,
            poll_interval_minutes: None,
            mode: DeviceMode::Poll,
            push_serial: None,
        };
        return Ok(state.store.create_device(company_id, &new).await?.id);
    };
    let update = DeviceUpdate {
        name: dev.name.clone(),
        host: "127.0.0.1".into(),
        port,
        transport: d.transport,
        timezone: dev.timezone.clone(),
        enabled: true,
        poll_interval_minutes: dev.poll_interval_minutes,
        comm_key,
        mode: DeviceMode::Poll,
        push_serial: dev.push.serial.clone(),
        lock_source: dev.push.lock_source,
    };
    state
        .store
        .update_device(company_id, dev.id, &update)
        .await?;
    Ok(dev.id)
}

/// Someone clocks in now and then, so "Sync now" shows new punches.
fn clock_ins(simulator: &Simulator, clock: Clock) -> impl std::future::Future<Output = ()> {
    let devices: Vec<_> = (0..simulator.len()).map(|i| simulator.device(i)).collect();
    async move {
        let mut n: u64 = 0;
        loop {
            tokio::time::sleep(Duration::from_secs(45)).await;
            let dev = &devices[(n as usize) % devices.len()];
            let users = dev.users();
            if let Some(u) = users.get((n as usize * 7) % users.len().max(1)) {
                if let Some(p) = punch_now(&clock, &u.user_id, u.uid, n) {
                    dev.add_punch(p);
                }
            }
            n += 1;
        }
    }
}

/// A punch at the current local time: the simulated clocks run on this
/// machine's zone.
fn punch_now(clock: &Clock, user_id: &str, uid: u16, n: u64) -> Option<zk_protocol::Punch> {
    let local = clock.now().to_zoned(jiff::tz::TimeZone::system());
    Some(zk_protocol::Punch {
        uid,
        user_id: user_id.to_string(),
        time: from_civil(local.datetime())?,
        status: 1,
        punch: (n % 2) as u8,
    })
}

async fn demo_company(state: &AppState) -> anyhow::Result<crate::domain::CompanyId> {
    let store: &Store = &state.store;
    if let Some(login) = store.account_login(DEMO_EMAIL).await? {
        return Ok(login.account.company_id);
    }
    let hash = crate::service::account::password::hash(DEMO_PASSWORD)?;
    // The simulated clocks run on this machine's local time. Without an
    // IANA name for it, say so and use UTC rather than guess silently.
    let timezone = Zone::system().unwrap_or_else(|e| {
        eprintln!("punchclock demo: {e}; the demo company uses UTC");
        Zone::utc()
    });
    let company = NewCompany {
        name: "Demo Bakery".into(),
        timezone,
        poll_interval_minutes: None,
        plan: "business".into(),
        seats: 50,
        trial_ends_at: None,
    };
    let (company, _) = store
        .create_company_with_owner(&company, DEMO_EMAIL, &hash)
        .await?;
    Ok(company.id)
}
