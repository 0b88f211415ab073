//! Device care as owners use it: set a clock, rotate a full log, see what
//! was done. Every action is recorded on the device and in the audit log,
//! whether it worked or not; nothing is done silently.

use super::error::{ServiceError, ServiceResult};
use super::services::{Caller, Services};
use crate::domain::{
    AuditKind, DeviceEvent, DeviceEventKind, DeviceId, NewAuditEvent, Outcome, PollReason,
};
use crate::store::NewDeviceEvent;
use crate::sync::care::{clock_words, drift_words, rotation_words, ClockSet, Rotation};

impl Services {
    pub fn device_care(&self) -> DeviceCare<'_> {
        DeviceCare(self)
    }
}

/// See [`Services::device_care`].
pub struct DeviceCare<'a>(&'a Services);

impl DeviceCare<'_> {
    /// Sets the device clock to the time in its zone.
    pub async fn set_clock(&self, caller: &Caller, id: DeviceId) -> ServiceResult<DeviceEvent> {
        self.ready(caller, id).await?;
        let result = self.0.syncer.set_clock(caller.company_id, id).await?;
        let (outcome, message) = clock_words(&result);
        let (from, to) = match &result {
            Ok(ClockSet {
                drift_before,
                drift_after,
            }) => (
                Some(drift_words(*drift_before)),
                Some(drift_words(*drift_after)),
            ),
            Err(_) => (None, None),
        };
        self.record(
            caller,
            id,
            DeviceEventKind::ClockSet,
            outcome,
            message,
            AuditKind::DeviceClockSet,
            (from, to),
        )
        .await
    }

    /// Clears the device's log after storing and verifying every punch
    /// on it; `confirm` is the owner's explicit yes.
    pub async fn rotate_log(
        &self,
        caller: &Caller,
        id: DeviceId,
        confirm: bool,
    ) -> ServiceResult<DeviceEvent> {
        if !confirm {
            return Err(ServiceError::field(
                "confirm",
                "Confirm that the device's log may be cleared once every punch on it is stored.",
            ));
        }
        self.ready(caller, id).await?;
        // Store what is new first, so the check compares like with like.
        let synced = self.0.syncer.sync_now(caller.company_id, id).await?;
        let result = if synced.log.outcome == Outcome::Ok {
            self.0.syncer.rotate_log(caller.company_id, id).await?
        } else {
            let why = synced
                .log
                .reason
                .unwrap_or_else(|| "the device did not answer".into());
            Err(PollReason::new(crate::domain::PollFailure::Network, why))
        };
        let (outcome, message) = rotation_words(&result);
        let to = matches!(result, Ok(Rotation::Cleared { .. })).then(|| "cleared".to_owned());
        self.record(
            caller,
            id,
            DeviceEventKind::LogRotated,
            outcome,
            message,
            AuditKind::DeviceLogRotated,
            (None, to),
        )
        .await
    }

    /// Care is for devices we connect to, in good standing, within the
    /// company's limit of manual contacts.
    async fn ready(&self, caller: &Caller, id: DeviceId) -> ServiceResult<()> {
        self.0.require_good_standing(caller).await?;
        self.0.devices().require_poll(caller, id).await?;
        self.0.throttle.contact(caller.company_id)?;
        Ok(())
    }

    /// The device's care and live-capture events, newest first.
    pub async fn events(
        &self,
        caller: &Caller,
        id: DeviceId,
        limit: u32,
    ) -> ServiceResult<Vec<DeviceEvent>> {
        Ok(self
            .0
            .store
            .device_events(caller.company_id, id, limit.clamp(1, 200))
            .await?)
    }

    #[allow(clippy::too_many_arguments)]
    async fn record(
        &self,
        caller: &Caller,
        id: DeviceId,
        kind: DeviceEventKind,
        outcome: Outcome,
        message: String,
        audit: AuditKind,
        (from, to): (Option<String>, Option<String>),
    ) -> ServiceResult<DeviceEvent> {
        let event = NewDeviceEvent {
            kind,
            outcome,
            account_id: Some(caller.account_id),
            audit: Some(NewAuditEvent {
                account_id: Some(caller.account_id),
                kind: audit,
                from_value: from,
                to_value: to,
                detail: Some(format!("device {id}: {message}")),
            }),
            message,
        };
        Ok(self
            .0
            .store
            .record_device_event(caller.company_id, id, &event)
            .await?)
    }
}
