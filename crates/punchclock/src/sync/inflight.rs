//! The polls running on this instance, one per device at most: a second
//! "Sync now" joins the running poll instead of opening another connection
//! to a clock that serves one client at a time. Leases keep instances
//! apart; this keeps the scheduler and the buttons of one instance apart.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use crate::domain::{DeviceId, PollOutcome};

/// How a poll ended, for everyone waiting on it.
pub type Ended = Result<PollOutcome, Unfinished>;

/// Why a poll others joined has no outcome (as text: the store's error is
/// not `Clone`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfinished {
    /// It never ran: the device was leased elsewhere.
    pub busy: bool,
    pub message: String,
}

type Slot = watch::Receiver<Option<Ended>>;

/// Devices being polled here, each with the poll's result to come.
#[derive(Clone, Default)]
pub struct InFlight {
    polls: Arc<Mutex<HashMap<DeviceId, Slot>>>,
}

impl InFlight {
    fn polls(&self) -> std::sync::MutexGuard<'_, HashMap<DeviceId, Slot>> {
        // Plain data: a panic elsewhere cannot leave it half-written.
        self.polls.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks `device` as being polled; `None` if it already is.
    pub fn start(&self, device: DeviceId) -> Option<Running> {
        let mut polls = self.polls();
        if polls.contains_key(&device) {
            return None;
        }
        let (sender, slot) = watch::channel(None);
        polls.insert(device, slot);
        Some(Running {
            device,
            sender,
            registry: self.clone(),
        })
    }

    /// The result to come of the poll running for `device`, if one is.
    pub fn running(&self, device: DeviceId) -> Option<Slot> {
        self.polls().get(&device).cloned()
    }
}

/// Waits for the poll behind `slot` to end.
pub async fn join(mut slot: Slot) -> Ended {
    match slot.wait_for(Option::is_some).await {
        Ok(ended) => ended.clone().unwrap_or_else(|| Err(stopped())),
        Err(_) => Err(stopped()),
    }
}

fn stopped() -> Unfinished {
    Unfinished {
        busy: false,
        message: "the poll this request waited for stopped without a result".into(),
    }
}

/// One device's running poll; dropping it (however the poll ends) frees
/// the device.
pub struct Running {
    device: DeviceId,
    sender: watch::Sender<Option<Ended>>,
    registry: InFlight,
}

impl Running {
    /// Hands the result to everyone who joined.
    pub fn finish(self, ended: Ended) {
        self.sender.send_replace(Some(ended));
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.registry.polls().remove(&self.device);
    }
}
