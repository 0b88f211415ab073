//! What every task of one device shares: its state, its faults, its
//! live-event listeners and counters. The socket tasks (`tcp`, `udp`) and
//! the public handles in `server` all build on this module, never on each other.

use crate::faults::Faults;
use crate::spec::DeviceSpec;
use crate::state::DeviceState;
use std::sync::atomic::AtomicU64;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use zk_protocol::Punch;

/// One device's state plus what its tasks need to coordinate.
pub(crate) struct Shared {
    pub(crate) state: DeviceState,
    pub(crate) faults: watch::Sender<Faults>,
    /// Live-event listeners: TCP sessions that did REG_EVENT, and the UDP task.
    subscribers: Mutex<Vec<mpsc::UnboundedSender<Punch>>>,
    pub(crate) served: AtomicU64,
    /// Bumped by a restart: every session ends, as on a power cycle.
    pub(crate) generation: watch::Sender<u64>,
    /// Live taps every this often (see `live`); `None` = none.
    pub(crate) live_every: watch::Sender<Option<Duration>>,
    /// Punches to add just before the next request with this command.
    on_request: Mutex<Vec<(u16, Punch)>>,
}

impl Shared {
    pub(crate) fn new(spec: DeviceSpec) -> Shared {
        let live_every = spec.live_every;
        Shared {
            generation: watch::Sender::new(0),
            live_every: watch::Sender::new(live_every),
            on_request: Mutex::new(Vec::new()),
            state: DeviceState::new(spec),
            faults: watch::Sender::new(Faults::default()),
            subscribers: Mutex::new(Vec::new()),
            served: AtomicU64::new(0),
        }
    }

    pub(crate) fn faults(&self) -> Faults {
        self.faults.borrow().clone()
    }

    pub(crate) fn subscribe(&self) -> mpsc::UnboundedReceiver<Punch> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.subscribers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(tx);
        rx
    }

    /// Append a punch (a tap on the device) and push it to event listeners.
    pub(crate) fn add_punch(&self, p: Punch) {
        self.state.write_store().push_punch(p.clone());
        self.publish(&p);
    }

    pub(crate) fn add_punch_on(&self, command: u16, p: Punch) {
        self.lock_hooks().push((command, p));
    }

    /// Called as a request arrives, before it is answered.
    pub(crate) fn on_request(&self, command: u16) {
        let due: Vec<Punch> = {
            let mut hooks = self.lock_hooks();
            let (due, keep) = std::mem::take(&mut *hooks)
                .into_iter()
                .partition(|(c, _)| *c == command);
            *hooks = keep;
            due.into_iter().map(|(_, p)| p).collect()
        };
        for p in due {
            self.add_punch(p);
        }
    }

    fn lock_hooks(&self) -> std::sync::MutexGuard<'_, Vec<(u16, Punch)>> {
        self.on_request.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn publish(&self, p: &Punch) {
        self.subscribers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|tx| tx.send(p.clone()).is_ok());
    }
}

/// Resolves when the simulator shuts down or is dropped.
pub(crate) async fn shutdown_signal(rx: &mut watch::Receiver<bool>) {
    while !*rx.borrow_and_update() {
        if rx.changed().await.is_err() {
            return;
        }
    }
}
