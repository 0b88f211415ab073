//! Live attendance events (reference §8).

use crate::client::{Phase, ZkClient};
use crate::error::{ClientError, STEP_ENABLE_EVENTS};
use std::time::Duration;
use tokio::time::{timeout_at, Instant};
use zk_protocol::command::*;
use zk_protocol::event::{decode_attlog, LiveAttendance};
use zk_protocol::Packet;

const STEP_EVENTS: &str = "waiting for live events";

impl ZkClient {
    /// Ask the device to push attendance events (REG_EVENT with EF_ATTLOG).
    /// A device without live events answers with an error code: that error
    /// has [`ClientError::is_events_refused`] (kind "events_refused"), so the
    /// caller can fall back to polling and say why.
    pub async fn enable_events(&mut self) -> Result<(), ClientError> {
        let mask = u32::from(EF_ATTLOG).to_le_bytes();
        self.call_ok(STEP_ENABLE_EVENTS, CMD_REG_EVENT, &mask)
            .await
            .map(drop)
    }

    /// Wait up to `wait` for the next live punch on a connection kept open
    /// for hours. Whenever `heartbeat` passes without an event, a GET_TIME
    /// round trip proves the device still there, so a link that died
    /// silently is reported within `heartbeat` plus the step timeout, and a
    /// closed one at once; the caller then reconnects (see [`crate::Backoff`]).
    pub async fn watch(
        &mut self,
        wait: Duration,
        heartbeat: Duration,
    ) -> Result<Option<LiveAttendance>, ClientError> {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            if let Some(ev) = self.next_event(left.min(heartbeat)).await? {
                return Ok(Some(ev));
            }
            if left > heartbeat {
                self.get_time().await?;
            }
        }
    }

    /// The next punch announced live, or `None` if none came within `wait`.
    /// Events that arrived while a request was running are returned first.
    pub async fn next_event(
        &mut self,
        wait: Duration,
    ) -> Result<Option<LiveAttendance>, ClientError> {
        while let Some(p) = self.events.pop_front() {
            if let Some(ev) = attendance(&p) {
                return Ok(Some(ev));
            }
        }
        self.ensure_open(STEP_EVENTS)?;
        let deadline = Instant::now() + wait;
        loop {
            let p = match timeout_at(deadline, self.conn.recv()).await {
                Err(_) => return Ok(None),
                Ok(Err(e)) => return Err(self.recv_error(e, STEP_EVENTS, Phase::Session)),
                Ok(Ok(p)) => self.count_received(p),
            };
            if p.command != CMD_REG_EVENT {
                tracing::debug!(
                    command = p.command,
                    reply = p.reply,
                    "ignoring a stale packet"
                );
                continue;
            }
            self.ack_event(STEP_EVENTS).await?;
            if let Some(ev) = attendance(&p) {
                return Ok(Some(ev));
            }
        }
    }
}

/// The punch in an event packet; other event kinds and undecodable payloads are skipped.
fn attendance(p: &Packet) -> Option<LiveAttendance> {
    if p.session != EF_ATTLOG {
        tracing::debug!(code = p.session, "ignoring a non-attendance event");
        return None;
    }
    match decode_attlog(&p.data) {
        Ok(ev) => Some(ev),
        Err(e) => {
            tracing::warn!(error = %e, "skipping an undecodable live event");
            None
        }
    }
}
