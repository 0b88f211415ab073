//! `punchclock serve --demo`: a demo company whose devices are simulated in
//! this process, so a newcomer sees devices, employees, punches and
//! attendance at once (shifts, a holiday and workday-shaped punches: see
//! `attendance.rs`).

mod attendance;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use anyhow::Context;
use jiff::civil::Date;
use zk_sim::{DeviceSpec, Punch, Simulator};

use crate::clock::Clock;
use crate::domain::device_time::to_civil;
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
    comm_key: Option<u32>,
    transport: Transport,
}

const DEVICES: [DemoDevice; 3] = [
    DemoDevice {
        name: "Front door",
        users: 14,
        comm_key: None,
        transport: Transport::Auto,
    },
    DemoDevice {
        name: "Warehouse",
        users: 9,
        comm_key: Some(1234),
        transport: Transport::Tcp,
    },
    DemoDevice {
        name: "Back office",
        users: 6,
        comm_key: None,
        transport: Transport::Udp,
    },
];

/// How often someone taps the realtime front door.
const LIVE_TAP_EVERY: Duration = Duration::from_secs(60);

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
    let company_id = demo_company(state).await?;
    let zone = state.store.get_company(company_id).await?.timezone;
    let now = state.clock.now();
    let today = zone.to_zoned(now).date();
    let days_off = attendance::prepare(&state.store, company_id, today).await?;
    let (specs, later) = device_specs(&zone, today, &days_off, now);
    let simulator = Simulator::start(IpAddr::V4(Ipv4Addr::LOCALHOST), 0, specs)
        .await
        .context("starting the simulated devices")?;
    let existing = state.store.list_devices(company_id).await?;
    for (i, d) in DEVICES.iter().enumerate() {
        let port = simulator.addr(i).port();
        let found = existing.iter().find(|e| e.name == d.name);
        let id = point_at(state, company_id, d, found, port).await?;
        // The front door is realtime, so its taps show up within seconds.
        state.store.set_realtime(company_id, id, i == 0).await?;
        state
            .store
            .schedule_device_poll(company_id, id, now)
            .await?;
    }
    println!(
        "punchclock demo: log in as {DEMO_EMAIL} with password {DEMO_PASSWORD} ({} simulated devices)",
        DEVICES.len()
    );
    let ticker = tokio::spawn(release(&simulator, later, state.clock.clone(), zone));
    Ok(Demo { simulator, ticker })
}

/// The devices with their people and the punches until now; the punches
/// still to come, per device.
fn device_specs(
    zone: &Zone,
    today: Date,
    days_off: &[Date],
    now: jiff::Timestamp,
) -> (Vec<DeviceSpec>, Vec<Vec<Punch>>) {
    let wall = zone.to_zoned(now).datetime();
    let offset = attendance::clock_offset(zone, now);
    let mut specs: Vec<DeviceSpec> = DEVICES
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut spec = DeviceSpec::generated(i as u32, d.users, 0, 2026);
            spec.comm_key = d.comm_key;
            spec.clock_offset_secs = offset;
            // The front door (realtime) has someone tap now and then, so a
            // newcomer sees punches arrive within seconds of the tap.
            if i == 0 {
                spec.live_every = Some(LIVE_TAP_EVERY);
            }
            spec
        })
        .collect();
    share_names(&mut specs);
    let mut later = Vec::new();
    for (i, spec) in specs.iter_mut().enumerate() {
        let workers = attendance::workers_of(i, &spec.users);
        let (past, future) = attendance::punches(&workers, today, days_off, wall);
        spec.punches = past;
        later.push(future);
    }
    (specs, later)
}

/// The same people clock in at several sites: give every device the
/// names the first (largest) one has for the same enroll IDs, as a real
/// company that enrolls each person once would have.
fn share_names(specs: &mut [DeviceSpec]) {
    let people = specs[0].users.clone();
    for spec in &mut specs[1..] {
        for user in &mut spec.users {
            if let Some(p) = people.iter().find(|p| p.user_id == user.user_id) {
                user.name = p.name.clone();
            }
        }
    }
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

/// Today's punches reach the clocks as their time comes, so "Sync now"
/// shows people arriving and leaving.
fn release(
    simulator: &Simulator,
    mut later: Vec<Vec<Punch>>,
    clock: Clock,
    zone: Zone,
) -> impl std::future::Future<Output = ()> {
    let devices: Vec<_> = (0..simulator.len()).map(|i| simulator.device(i)).collect();
    async move {
        loop {
            tokio::time::sleep(Duration::from_secs(20)).await;
            let now = zone.to_zoned(clock.now()).datetime();
            for (dev, queue) in devices.iter().zip(&mut later) {
                // Each queue is in time order.
                let due = queue.partition_point(|p| to_civil(p.time).is_some_and(|t| t <= now));
                for p in queue.drain(..due) {
                    dev.add_punch(p);
                }
            }
        }
    }
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
