//! Device care as owners use it: set a clock, rotate a full log, see what
//! was done. Every action is recorded on the device and in the audit log,
//! whether it worked or not; nothing is done silently.

use super::error::{ServiceError, ServiceResult};
use super::services::{Caller, Services};
use crate::domain::{
    AuditKind, DeviceEvent, DeviceEventKind, DeviceId, DeviceMode, Employee, NewAuditEvent,
    Outcome, PollReason,
};
use crate::store::NewDeviceEvent;
use crate::sync::care::{clock_words, drift_words, rotation_words, ClockSet, Rotation};
use crate::sync::names::NamePush;

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

    /// Writes `name` for the employee to every enabled device of the
    /// company we connect to that has a user with their enroll id, each
    /// under the device's lease; each write, done or failed, is a device
    /// event and an audit entry. Devices without the user are left alone.
    /// The caller checked the opt-in ([`DeviceCare::name_to_push`]).
    pub async fn push_name(
        &self,
        caller: &Caller,
        employee: &Employee,
        name: &str,
    ) -> ServiceResult<Vec<DeviceEvent>> {
        let devices = self.0.store.list_devices(caller.company_id).await?;
        let enroll = employee.enroll_id.as_str();
        let mut done = Vec::new();
        for d in devices
            .iter()
            .filter(|d| d.enabled && d.mode == DeviceMode::Poll)
        {
            let pushed = self
                .0
                .syncer
                .push_name(caller.company_id, d.id, enroll, name)
                .await?;
            let (outcome, message) = match pushed {
                NamePush::NotOnDevice => continue,
                NamePush::Written => (
                    Outcome::Ok,
                    format!("Name \"{name}\" written for enroll id {enroll}."),
                ),
                NamePush::Busy => (
                    Outcome::Failed,
                    format!(
                        "The name \"{name}\" for enroll id {enroll} was not written: \
                         the device was being polled. Save the name again to retry."
                    ),
                ),
                NamePush::Failed(e) => (
                    Outcome::Failed,
                    format!(
                        "Writing the name \"{name}\" for enroll id {enroll} failed: {}",
                        e.message
                    ),
                ),
            };
            let event = self
                .record(
                    caller,
                    d.id,
                    DeviceEventKind::NamePushed,
                    outcome,
                    message,
                    AuditKind::DeviceNamePushed,
                    (None, Some(name.to_owned())),
                )
                .await?;
            done.push(event);
        }
        Ok(done)
    }

    /// The name to write to the clocks when an owner names a "NO NAME"
    /// person (`first`, `last` as they will be saved) and opts in; checked
    /// before anything is saved, so a refusal changes nothing.
    pub async fn name_to_push(
        &self,
        caller: &Caller,
        current: &Employee,
        first: Option<&str>,
        last: Option<&str>,
    ) -> ServiceResult<String> {
        if !current.nameless_on_devices() {
            return Err(ServiceError::field(
                "push_name",
                "The clocks already show a name for this person; only a \"NO NAME\" person's name is written to them.",
            ));
        }
        let name = [first, last]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() {
            return Err(ServiceError::field(
                "push_name",
                "Give a first or last name to write to the clocks.",
            ));
        }
        self.0.require_good_standing(caller).await?;
        self.0.throttle.contact(caller.company_id)?;
        Ok(name)
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
