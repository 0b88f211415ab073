//! Live taps: while a device runs with `live_every` set, someone punches in
//! every so often. Each tap lands in its log and is pushed to the sessions
//! registered for events, so demos and tests see punches arrive in real
//! time. One timer per device, and none while taps are off.

use crate::clock;
use crate::shared::{shutdown_signal, Shared};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::sync::watch;
use zk_protocol::Punch;

pub(crate) async fn run(shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    let mut every = shared.live_every.subscribe();
    let mut taps = 0u64;
    loop {
        let period = *every.borrow_and_update();
        tokio::select! {
            _ = shutdown_signal(&mut shutdown) => return,
            changed = every.changed() => if changed.is_err() { return },
            _ = sleep_or_never(period) => {
                // A disabled device ("Working...") takes no punches.
                if !shared.state.disabled.load(Ordering::Relaxed) {
                    if let Some(p) = tap(&shared, taps) {
                        shared.add_punch(p);
                        taps += 1;
                    }
                }
            }
        }
    }
}

async fn sleep_or_never(period: Option<std::time::Duration>) {
    match period {
        Some(d) if !d.is_zero() => tokio::time::sleep(d).await,
        _ => std::future::pending().await,
    }
}

/// The `n`th tap: users take turns, at the device's clock, by fingerprint,
/// in then out.
pub(crate) fn tap(shared: &Shared, n: u64) -> Option<Punch> {
    let time = clock::device_now(shared.state.clock_offset.load(Ordering::Relaxed))?;
    let store = shared.state.read_store();
    let users = store.users();
    let (uid, user_id) = match users.get((n % users.len().max(1) as u64) as usize) {
        Some(u) => (u.uid, u.user_id.clone()),
        None => (1, "1".to_string()),
    };
    Some(Punch {
        uid,
        user_id,
        time,
        status: 1,
        punch: (n % 2) as u8,
    })
}
