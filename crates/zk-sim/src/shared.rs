//! What every task of one device shares: its state, its faults, its
//! live-event listeners and counters. The socket tasks (`tcp`, `udp`) and
//! the public handles in `server` all build on this module, never on each other.

use crate::faults::Faults;
use crate::spec::DeviceSpec;
use crate::state::DeviceState;
use std::sync::atomic::AtomicU64;
use std::sync::Mutex;
use tokio::sync::{mpsc, watch};
use zk_protocol::Punch;

/// One device's state plus what its tasks need to coordinate.
pub(crate) struct Shared {
    pub(crate) state: DeviceState,
    pub(crate) faults: watch::Sender<Faults>,
    /// Live-event listeners: TCP sessions that did REG_EVENT, and the UDP task.
    subscribers: Mutex<Vec<mpsc::UnboundedSender<Punch>>>,
    pub(crate) served: AtomicU64,
}

impl Shared {
    pub(crate) fn new(spec: DeviceSpec) -> Shared {
        Shared {
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
