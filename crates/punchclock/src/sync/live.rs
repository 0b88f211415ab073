//! Real-time capture (pull mode): for each device set to `realtime`, keep
//! one connection open, register for live attendance events and store each
//! punch within seconds of the tap. Scheduled polls keep running as the
//! safety net; the punch key makes a punch seen both ways stored once.
//!
//! The job leases realtime devices (one instance per device, at most
//! `max_connections` per instance), runs one session task per held device,
//! and stops sessions whose device is no longer realtime or whose
//! connection details changed. A session reconnects with backoff; a device
//! that refuses live events is polled instead and says so in its events.

use std::collections::HashMap;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use zk_client::{Backoff, ZkClient};
use zk_protocol::event::LiveAttendance;
use zk_protocol::Punch;

use super::poller::{connect, reason, to_new_punch};
use super::Syncer;
use crate::domain::{
    DeviceEventKind, DeviceId, LiveState, NewPunch, Outcome, PollReason, PollTarget,
};
use crate::store::{NewDeviceEvent, StoreError};

/// Pause between lease renewals; the lease lasts three of them.
pub const TICK: Duration = Duration::from_secs(20);
const LEASE: Duration = Duration::from_secs(60);
const LEASE_SIGNED: SignedDuration = SignedDuration::from_secs(60);
const TICK_SIGNED: SignedDuration = SignedDuration::from_secs(20);
/// Longest wait for an event before looping (the heartbeat runs inside).
const WAIT: Duration = Duration::from_secs(60);
/// A GET_TIME round trip after this much silence proves the link alive.
const HEARTBEAT: Duration = Duration::from_secs(30);
/// A device that refused live events is asked again after this long.
const REFUSED_RETRY: Duration = Duration::from_secs(3600);
/// Tries at storing one live punch when the database fails for a passing
/// reason (busy, a dropped connection).
const STORE_ATTEMPTS: u32 = 4;

/// The live connections of this instance.
pub struct LiveCapture {
    syncer: Syncer,
    max_connections: u32,
    sessions: HashMap<DeviceId, Session>,
    /// When the leases were last renewed: past `LEASE` another instance may
    /// hold them, so sessions stop before that if renewing keeps failing.
    renewed_at: Option<Timestamp>,
}

struct Session {
    target: PollTarget,
    task: JoinHandle<()>,
}

/// Whether the session must restart to apply `new`.
fn changed(old: &PollTarget, new: &PollTarget) -> bool {
    (
        &old.host,
        old.port,
        old.comm_key,
        old.transport,
        old.timezone.as_ref().ok(),
    ) != (
        &new.host,
        new.port,
        new.comm_key,
        new.transport,
        new.timezone.as_ref().ok(),
    )
}

impl LiveCapture {
    pub fn new(syncer: Syncer, max_connections: usize) -> Self {
        LiveCapture {
            syncer,
            max_connections: u32::try_from(max_connections).unwrap_or(u32::MAX),
            sessions: HashMap::new(),
            renewed_at: None,
        }
    }

    /// Live sessions running now.
    pub fn sessions(&self) -> usize {
        self.sessions.len()
    }

    /// Renews the leases, starts sessions for new devices and stops the
    /// ones no longer held (or whose connection details changed).
    ///
    /// When renewing fails and the leases could run out before the next
    /// tick, every session stops: a device is never listened to by two
    /// instances. Its punches still come with the scheduled polls.
    pub async fn tick(&mut self) -> Result<usize, StoreError> {
        let s = &self.syncer;
        let now = s.clock.now();
        let claimed = s
            .store
            .claim_live_devices(&s.instance, now, LEASE, self.max_connections)
            .await;
        let held = match claimed {
            Ok(held) => {
                self.renewed_at = Some(now);
                held
            }
            Err(e) => {
                let left = self.renewed_at.map_or(SignedDuration::ZERO, |at| {
                    (at + LEASE_SIGNED).duration_since(now)
                });
                if left <= TICK_SIGNED {
                    for (_, session) in self.sessions.drain() {
                        session.task.abort();
                    }
                }
                return Err(e);
            }
        };
        let mut keep: HashMap<DeviceId, PollTarget> =
            held.into_iter().map(|t| (t.device_id, t)).collect();
        self.sessions.retain(|id, session| {
            let stay = keep
                .get(id)
                .is_some_and(|t| !changed(&session.target, t) && !session.task.is_finished());
            if !stay {
                session.task.abort();
            }
            stay
        });
        for id in self.sessions.keys() {
            keep.remove(id);
        }
        for (id, target) in keep {
            let task = tokio::spawn(run_session(self.syncer.clone(), target.clone()));
            self.sessions.insert(id, Session { target, task });
        }
        Ok(self.sessions.len())
    }

    /// Stops every session and gives up the leases.
    pub async fn stop(&mut self) {
        for (_, s) in self.sessions.drain() {
            s.task.abort();
        }
        let s = &self.syncer;
        if let Err(e) = s.store.release_live_devices(&s.instance).await {
            tracing::warn!("releasing live leases failed: {e}");
        }
    }

    /// Ticks until `shutdown` turns true.
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.tick().await {
                tracing::warn!("leasing realtime devices failed: {e}");
            }
            tokio::select! {
                _ = tokio::time::sleep(TICK) => {}
                _ = shutdown.changed() => break,
            }
        }
        self.stop().await;
    }
}

/// How a connection ended.
enum End {
    /// The device does not send live events.
    Refused(PollReason),
    /// Could not connect, or the link dropped.
    Lost(PollReason),
}

/// Connects, listens and reconnects until aborted.
async fn run_session(syncer: Syncer, target: PollTarget) {
    let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(300));
    let mut was = None;
    loop {
        let end = listen(&syncer, &target, &mut was, &mut backoff).await;
        let wait = match end {
            End::Refused(r) => {
                if was != Some(LiveState::Refused) {
                    let m = format!(
                        "This device does not send live events ({}); it is polled on schedule instead.",
                        r.message
                    );
                    note(
                        &syncer,
                        &target,
                        DeviceEventKind::LiveRefused,
                        Outcome::Failed,
                        m,
                    )
                    .await;
                    state(&syncer, &target, LiveState::Refused).await;
                    was = Some(LiveState::Refused);
                }
                REFUSED_RETRY
            }
            End::Lost(r) => {
                if was == Some(LiveState::Connected) {
                    let m = format!(
                        "Live connection lost ({}); reconnecting, and polls go on meanwhile.",
                        r.message
                    );
                    note(
                        &syncer,
                        &target,
                        DeviceEventKind::LiveLost,
                        Outcome::Failed,
                        m,
                    )
                    .await;
                }
                if was != Some(LiveState::Retrying) && was != Some(LiveState::Refused) {
                    state(&syncer, &target, LiveState::Retrying).await;
                    was = Some(LiveState::Retrying);
                }
                backoff.next_wait()
            }
        };
        tokio::time::sleep(wait).await;
    }
}

/// One connection: register for events and store each punch as it comes.
async fn listen(
    syncer: &Syncer,
    target: &PollTarget,
    was: &mut Option<LiveState>,
    backoff: &mut Backoff,
) -> End {
    let Ok(zone) = target.timezone.clone() else {
        return End::Lost(PollReason::new(
            crate::domain::PollFailure::UnknownZone,
            "choose a time zone first",
        ));
    };
    let mut c = match connect(target, &syncer.settings).await {
        Ok(c) => c,
        Err(r) => return End::Lost(r),
    };
    if let Err(e) = c.enable_events().await {
        let r = reason(&e);
        let _ = c.close().await;
        return if e.is_events_refused() {
            End::Refused(r)
        } else {
            End::Lost(r)
        };
    }
    if *was != Some(LiveState::Connected) {
        let m = "Live connection open: punches arrive as they are made.".to_owned();
        note(
            syncer,
            target,
            DeviceEventKind::LiveConnected,
            Outcome::Ok,
            m,
        )
        .await;
        state(syncer, target, LiveState::Connected).await;
        *was = Some(LiveState::Connected);
    }
    backoff.reset();
    let end = watch_events(syncer, target, &zone, &mut c).await;
    let _ = c.close().await;
    end
}

async fn watch_events(
    syncer: &Syncer,
    target: &PollTarget,
    zone: &crate::domain::Zone,
    c: &mut ZkClient,
) -> End {
    loop {
        match c.watch(WAIT, HEARTBEAT).await {
            Ok(None) => {}
            Ok(Some(ev)) => store(syncer, target, live_punch(zone, ev)).await,
            Err(e) => return End::Lost(reason(&e)),
        }
    }
}

fn live_punch(zone: &crate::domain::Zone, ev: LiveAttendance) -> Option<NewPunch> {
    to_new_punch(
        zone,
        Punch {
            uid: 0,
            user_id: ev.user_id,
            time: ev.time,
            status: ev.status,
            punch: ev.punch,
        },
    )
}

/// Stores one live punch; one that cannot be stored now is read by the
/// next scheduled poll, so nothing is lost.
async fn store(syncer: &Syncer, target: &PollTarget, punch: Option<NewPunch>) {
    let Some(p) = punch.filter(|p| !p.enroll_id.is_empty()) else {
        return;
    };
    let (company, device) = (target.company_id, target.device_id);
    match record_retrying(syncer, target, &p).await {
        Ok(stored) if stored.employees_new > 0 => {
            if let Err(e) = syncer.billing.reconcile(company, None).await {
                tracing::warn!(device = %device, "seat check after a live punch failed: {e}");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(device = %device, "storing a live punch failed: {e}"),
    }
}

/// `record_live_punches` (one transaction through the single writer),
/// tried again with backoff while it fails for a passing reason.
async fn record_retrying(
    syncer: &Syncer,
    t: &PollTarget,
    p: &NewPunch,
) -> Result<crate::store::LiveStored, StoreError> {
    let mut attempt = 1;
    loop {
        let stored = syncer
            .store
            .record_live_punches(t.company_id, t.device_id, std::slice::from_ref(p))
            .await;
        match stored {
            Err(e) if e.is_passing() && attempt < STORE_ATTEMPTS => {
                tokio::time::sleep(Duration::from_millis(100 << (2 * attempt))).await;
                attempt += 1;
            }
            result => return result,
        }
    }
}

async fn note(
    syncer: &Syncer,
    t: &PollTarget,
    kind: DeviceEventKind,
    outcome: Outcome,
    message: String,
) {
    let event = NewDeviceEvent {
        kind,
        outcome,
        message,
        account_id: None,
        audit: None,
    };
    if let Err(e) = syncer
        .store
        .record_device_event(t.company_id, t.device_id, &event)
        .await
    {
        tracing::warn!(device = %t.device_id, "recording a live event failed: {e}");
    }
}

async fn state(syncer: &Syncer, t: &PollTarget, s: LiveState) {
    if let Err(e) = syncer
        .store
        .set_live_state(t.company_id, t.device_id, s)
        .await
    {
        tracing::warn!(device = %t.device_id, "recording the live state failed: {e}");
    }
}
