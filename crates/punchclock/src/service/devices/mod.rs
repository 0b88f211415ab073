//! Company › Manage Devices: the devices of the caller's company, adding,
//! changing and deleting them, "Test connection" and "Sync now".

pub mod address;
mod input;

pub use input::{DeviceChanges, DeviceInput, DeviceSettings};

use super::error::{ServiceError, ServiceResult};
use super::fields::FieldErrors;
use super::services::{Caller, Services};
use crate::domain::{
    Device, DeviceId, DeviceLog, DeviceUpdate, Host, PollInterval, Port, PunchFilter,
};

/// A device with the number of its punches stored here.
#[derive(Debug, Clone)]
pub struct DeviceSummary {
    pub device: Device,
    pub punches: u64,
}

impl Services {
    pub fn devices(&self) -> Devices<'_> {
        Devices(self)
    }
}

/// Device operations; see [`Services::devices`].
pub struct Devices<'a>(&'a Services);

impl Devices<'_> {
    /// Parse a new device's settings (the operator's address policy applies).
    pub fn parse_new(&self, input: &DeviceInput) -> Result<DeviceSettings, FieldErrors> {
        input.parse_new(self.allow_private())
    }

    /// Parse changes to a device.
    pub fn parse_changes(&self, input: &DeviceInput) -> Result<DeviceChanges, FieldErrors> {
        input.parse_changes(self.allow_private())
    }

    fn allow_private(&self) -> bool {
        self.0.settings.allow_private_device_addresses
    }

    pub async fn list(&self, caller: &Caller) -> ServiceResult<Vec<Device>> {
        Ok(self.0.store.list_devices(caller.company_id).await?)
    }

    /// Every device with its punch count, for the Manage Devices list.
    pub async fn summaries(&self, caller: &Caller) -> ServiceResult<Vec<DeviceSummary>> {
        let devices = self.list(caller).await?;
        let mut out = Vec::with_capacity(devices.len());
        for device in devices {
            let punches = self.punch_count(caller, device.id).await?;
            out.push(DeviceSummary { device, punches });
        }
        Ok(out)
    }

    pub async fn get(&self, caller: &Caller, id: DeviceId) -> ServiceResult<Device> {
        Ok(self.0.store.get_device(caller.company_id, id).await?)
    }

    /// Punches stored from this device.
    pub async fn punch_count(&self, caller: &Caller, id: DeviceId) -> ServiceResult<u64> {
        let filter = PunchFilter {
            device_id: Some(id),
            ..PunchFilter::default()
        };
        Ok(self
            .0
            .store
            .count_punches(caller.company_id, &filter)
            .await?)
    }

    /// Add a device; a name that resolves only to addresses we may not
    /// contact is refused on the host field.
    pub async fn create(&self, caller: &Caller, new: DeviceSettings) -> ServiceResult<Device> {
        self.0.require_good_standing(caller).await?;
        self.vet_host(&new.host, new.port).await?;
        let device = self
            .0
            .store
            .create_device(caller.company_id, &new.into_new_device())
            .await?;
        Ok(device)
    }

    /// Change a device. Where a changed host or port points is checked
    /// again; an unchanged one is not resolved on every save.
    pub async fn update(
        &self,
        caller: &Caller,
        id: DeviceId,
        changes: DeviceChanges,
    ) -> ServiceResult<Device> {
        let current = self.get(caller, id).await?;
        self.0.require_good_standing(caller).await?;
        let host_changed = changes.host.as_ref().is_some_and(|h| *h != *current.host)
            || changes.port.is_some_and(|p| p.get() != current.port);
        if host_changed {
            // The stored half of the pair was valid when it was saved.
            let host = match &changes.host {
                Some(h) => h.clone(),
                None => Host::parse(&current.host).map_err(|e| ServiceError::field("host", e))?,
            };
            let port = match changes.port {
                Some(p) => p,
                None => Port::new(current.port).map_err(|e| ServiceError::field("port", e))?,
            };
            self.vet_host(&host, port).await?;
        }
        let update = DeviceUpdate {
            name: changes.name.map_or(current.name, |n| n.into_string()),
            host: changes.host.map_or(current.host, |h| h.into_string()),
            port: changes.port.map_or(current.port, |p| p.get()),
            transport: changes.transport.unwrap_or(current.transport),
            timezone: changes.timezone.unwrap_or(current.timezone),
            enabled: changes.enabled.unwrap_or(current.enabled),
            poll_interval_minutes: changes
                .poll_interval
                .map_or(current.poll_interval_minutes, |p| {
                    p.map(PollInterval::minutes)
                }),
            comm_key: changes.comm_key,
        };
        Ok(self
            .0
            .store
            .update_device(caller.company_id, id, &update)
            .await?)
    }

    /// Delete a device and its log; its punches and employees stay.
    pub async fn delete(&self, caller: &Caller, id: DeviceId) -> ServiceResult<()> {
        self.0.require_good_standing(caller).await?;
        Ok(self.0.store.delete_device(caller.company_id, id).await?)
    }

    /// "Test connection": handshake and identity only, logged as a test.
    pub async fn test_connection(&self, caller: &Caller, id: DeviceId) -> ServiceResult<DeviceLog> {
        self.0.require_good_standing(caller).await?;
        self.0.throttle.contact(caller.company_id)?;
        Ok(self.0.syncer.test_connection(caller.company_id, id).await?)
    }

    /// "Sync now": a full read at once; the log entry says what happened.
    pub async fn sync_now(&self, caller: &Caller, id: DeviceId) -> ServiceResult<DeviceLog> {
        self.0.require_good_standing(caller).await?;
        self.0.throttle.contact(caller.company_id)?;
        Ok(self.0.syncer.sync_now(caller.company_id, id).await?.log)
    }

    async fn vet_host(&self, host: &Host, port: Port) -> ServiceResult<()> {
        address::vet(host, port, self.allow_private())
            .await
            .map_err(|m| ServiceError::field("host", m))
    }
}
