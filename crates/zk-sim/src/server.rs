//! The public face: [`Simulator`] owns the sockets and tasks of many
//! devices; [`SimDevice`] is a cheap handle to inspect and poke one of them.

use crate::error::SimError;
use crate::faults::Faults;
use crate::shared::Shared;
use crate::spec::DeviceSpec;
use crate::wan::Wan;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use zk_protocol::{Punch, User};

/// Many simulated devices, each on its own port (TCP and UDP).
///
/// Dropping it stops everything: listeners close and sessions end.
pub struct Simulator {
    devices: Vec<SimDevice>,
    addrs: Vec<SocketAddr>,
    tasks: Vec<JoinHandle<()>>,
    shutdown: watch::Sender<bool>,
}

impl Simulator {
    /// Serve `specs` on `ip`, device i on port `first_port + i` (TCP and UDP
    /// on the same port). With `first_port == 0` each device gets a free
    /// ephemeral port (TCP and UDP on the same number).
    pub async fn start(
        ip: IpAddr,
        first_port: u16,
        specs: Vec<DeviceSpec>,
    ) -> std::io::Result<Simulator> {
        raise_nofile_limit();
        let (shutdown, _) = watch::channel(false);
        let mut sim = Simulator {
            devices: Vec::with_capacity(specs.len()),
            addrs: Vec::with_capacity(specs.len()),
            tasks: Vec::with_capacity(specs.len() * 2),
            shutdown,
        };
        // Specs are consumed one by one so their punch vectors are freed as
        // the compact stores are built. On error `sim` is dropped, which
        // stops the devices started so far.
        for (index, spec) in specs.into_iter().enumerate() {
            let udp = spec.udp;
            let (tcp, udp) = if first_port == 0 {
                bind_ephemeral(ip, udp).await?
            } else {
                let port = u16::try_from(usize::from(first_port) + index)
                    .map_err(|_| SimError::PortRange { first_port, index })?;
                bind_pair(SocketAddr::new(ip, port), udp).await?
            };
            sim.serve(tcp, udp, spec)?;
        }
        tracing::info!(devices = sim.devices.len(), "simulator listening");
        Ok(sim)
    }

    /// Start one device's tasks on its bound sockets.
    fn serve(
        &mut self,
        tcp: TcpListener,
        udp: Option<UdpSocket>,
        spec: DeviceSpec,
    ) -> std::io::Result<()> {
        let addr = tcp.local_addr()?;
        let shared = Arc::new(Shared::new(spec));
        let stop = || self.shutdown.subscribe();
        let tcp_task = crate::tcp::run(shared.clone(), addr, tcp, stop());
        let udp_task = udp.map(|u| crate::udp::run(shared.clone(), addr, u, stop()));
        self.tasks.push(tokio::spawn(tcp_task));
        self.tasks
            .push(tokio::spawn(crate::live::run(shared.clone(), stop())));
        self.tasks.extend(udp_task.map(tokio::spawn));
        self.devices.push(SimDevice { shared });
        self.addrs.push(addr);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.devices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.devices.is_empty()
    }

    /// The address of device `i` (panics if `i >= len()`, like indexing).
    pub fn addr(&self, i: usize) -> SocketAddr {
        self.addrs[i]
    }

    /// A handle to device `i` (panics if `i >= len()`, like indexing).
    pub fn device(&self, i: usize) -> SimDevice {
        self.devices[i].clone()
    }

    /// Stop listening and end all sessions; the ports refuse once this returns.
    pub async fn shutdown(mut self) {
        self.shutdown.send_replace(true);
        let tasks = std::mem::take(&mut self.tasks);
        for t in &tasks {
            t.abort();
        }
        for t in tasks {
            let _ = t.await;
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
        for t in &self.tasks {
            t.abort();
        }
    }
}

type Sockets = (TcpListener, Option<UdpSocket>);

async fn bind_pair(addr: SocketAddr, udp: bool) -> Result<Sockets, SimError> {
    let bind_err = |source| SimError::Bind { addr, source };
    let tcp = TcpListener::bind(addr).await.map_err(bind_err)?;
    if !udp {
        return Ok((tcp, None));
    }
    let udp = UdpSocket::bind(addr).await.map_err(bind_err)?;
    Ok((tcp, Some(udp)))
}

/// An ephemeral port that is free for both TCP and UDP (when UDP is served).
async fn bind_ephemeral(ip: IpAddr, udp: bool) -> Result<Sockets, SimError> {
    const ATTEMPTS: u32 = 64;
    for _ in 0..ATTEMPTS {
        let any = SocketAddr::new(ip, 0);
        let tcp = TcpListener::bind(any)
            .await
            .map_err(|source| SimError::Bind { addr: any, source })?;
        if !udp {
            return Ok((tcp, None));
        }
        let addr = tcp
            .local_addr()
            .map_err(|source| SimError::Bind { addr: any, source })?;
        if let Ok(udp) = UdpSocket::bind(addr).await {
            return Ok((tcp, Some(udp)));
        }
    }
    Err(SimError::NoFreePort { attempts: ATTEMPTS })
}

/// Thousands of devices need two descriptors each plus one per session:
/// 10,000 devices need more than the usual hard limit of 20,000, which a
/// privileged process may raise (up to this); others get their hard limit.
const WANTED_NOFILE: u64 = 262_144;

fn raise_nofile_limit() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        #[cfg(unix)]
        {
            use rlimit::Resource;
            let raised = rlimit::getrlimit(Resource::NOFILE)
                .ok()
                .filter(|&(_, hard)| hard < WANTED_NOFILE)
                .is_some_and(|_| {
                    rlimit::setrlimit(Resource::NOFILE, WANTED_NOFILE, WANTED_NOFILE).is_ok()
                });
            match rlimit::increase_nofile_limit(u64::MAX) {
                Ok(n) => tracing::debug!(limit = n, raised, "open-file limit"),
                Err(e) => tracing::warn!(error = %e, "cannot raise the open-file limit"),
            }
        }
    });
}

/// A handle to one simulated device; clones share the device.
#[derive(Clone)]
pub struct SimDevice {
    shared: Arc<Shared>,
}

// By hand: a derived Debug would print every punch.
impl std::fmt::Debug for SimDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimDevice")
            .field("serial", &self.shared.state.serial)
            .field("punches", &self.punch_count())
            .field("faults", &self.faults())
            .finish()
    }
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("addrs", &self.addrs)
            .finish_non_exhaustive()
    }
}

impl SimDevice {
    pub fn serial(&self) -> String {
        self.shared.state.serial.clone()
    }

    pub fn users(&self) -> Vec<User> {
        self.shared.state.read_store().users().to_vec()
    }

    pub fn punch_count(&self) -> usize {
        self.shared.state.read_store().punch_count()
    }

    pub fn punches(&self) -> Vec<Punch> {
        self.shared.state.read_store().punches()
    }

    /// Punch number `i`, without copying the whole log.
    pub fn punch(&self, i: usize) -> Option<Punch> {
        self.shared.state.read_store().punch(i)
    }

    pub fn add_user(&self, u: User) {
        self.shared.state.write_store().push_user(u);
    }

    /// Append a punch (a tap) and push it as a live EF_ATTLOG event to
    /// every session that registered for events.
    pub fn add_punch(&self, p: Punch) {
        self.shared.add_punch(p);
    }

    /// The `n`th generated tap, now, as `live_every` makes them (users take
    /// turns, in then out), added and pushed like [`SimDevice::add_punch`];
    /// returns it. `None` if the device clock is out of range.
    pub fn tap(&self, n: u64) -> Option<Punch> {
        let p = crate::live::tap(&self.shared, n)?;
        self.shared.add_punch(p.clone());
        Some(p)
    }

    /// Append punches without announcing them (data loaded, not tapped).
    pub fn add_punches(&self, punches: Vec<Punch>) {
        let mut store = self.shared.state.write_store();
        for p in punches {
            store.push_punch(p);
        }
    }

    pub fn add_users(&self, users: Vec<User>) {
        let mut store = self.shared.state.write_store();
        for u in users {
            store.push_user(u);
        }
    }

    /// Add `p` as a tap just before the next request with `command`
    /// arrives, e.g. between a client's read of the log and its CLEAR_ATTLOG.
    pub fn add_punch_on(&self, command: u16, p: Punch) {
        self.shared.add_punch_on(command, p);
    }

    /// A power cycle: every session ends (TCP connections close, UDP
    /// sessions are forgotten, a prepared read is lost), the device is
    /// enabled again, and `punches` taken meanwhile are in its log.
    pub fn restart(&self, punches: Vec<Punch>) {
        self.add_punches(punches);
        self.shared.state.disabled.store(false, Ordering::Relaxed);
        self.shared.generation.send_modify(|g| *g += 1);
    }

    /// Move the device clock by `secs` (a drifting or mis-set clock).
    pub fn jump_clock(&self, secs: i64) {
        self.shared
            .state
            .clock_offset
            .fetch_add(secs, Ordering::Relaxed);
    }

    /// Change the comm key on the device; open sessions keep theirs.
    pub fn set_comm_key(&self, key: Option<u32>) {
        self.shared.state.set_comm_key(key);
    }

    /// Empty the attendance log, as an owner does from the device's menu.
    pub fn clear_punches(&self) {
        self.shared.state.write_store().clear_punches();
    }

    /// Live taps every `every` from now on; `None` stops them.
    pub fn set_live_every(&self, every: Option<std::time::Duration>) {
        self.shared.live_every.send_replace(every);
    }

    /// DISABLEDEVICE is in force (a client is working with the device).
    pub fn is_disabled(&self) -> bool {
        self.shared.state.disabled.load(Ordering::Relaxed)
    }

    /// Takes effect for the next request (and at once for `refuse`).
    pub fn set_faults(&self, f: Faults) {
        self.shared.faults.send_replace(f);
    }

    pub fn faults(&self) -> Faults {
        self.shared.faults()
    }

    /// TCP connections accepted plus UDP sessions opened by CONNECT.
    pub fn connections_served(&self) -> u64 {
        self.shared.served.load(Ordering::Relaxed)
    }

    /// The simulated WAN; a change applies from the next answer on.
    pub fn set_wan(&self, wan: Wan) {
        self.shared.state.set_wan(wan);
    }

    pub fn wan(&self) -> Wan {
        self.shared.state.wan()
    }

    /// Device clock minus host local time, in seconds (changed by SET_TIME).
    pub fn clock_offset_secs(&self) -> i64 {
        self.shared.state.clock_offset.load(Ordering::Relaxed)
    }
}
