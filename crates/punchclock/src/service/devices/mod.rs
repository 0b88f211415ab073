//! Company › Manage Devices: the devices of the caller's company, adding,
//! changing and deleting them, "Test connection" and "Sync now".

pub mod address;
mod input;
pub mod push;

pub use input::{DeviceChanges, DeviceInput, DeviceSettings};

use super::error::{Conflict, ServiceError, ServiceResult};
use super::fields::FieldErrors;
use super::services::{Caller, Services};
use crate::billing::Plan;
use crate::domain::{
    judge_presence, Device, DeviceId, DeviceLog, DeviceMode, DeviceUpdate, Host, HostError,
    PollInterval, Port, PunchFilter, SerialNumber, SerialNumberError,
};
use crate::store::{Rule, StoreError};

/// Most devices on one page (Manage Devices, `GET /api/v1/devices`).
pub const MAX_PAGE: u64 = 500;

/// A device with the number of its punches stored here.
#[derive(Debug, Clone)]
pub struct DeviceSummary {
    pub device: Device,
    pub punches: u64,
}

/// The device cap's refusal in the plan's words.
fn over_cap(e: StoreError, plan: &Plan) -> ServiceError {
    match e {
        StoreError::Conflict(Rule::DeviceCap { cap }) => {
            let devices = match cap {
                1 => "1 device".to_owned(),
                n => format!("{n} devices"),
            };
            ServiceError::Conflict(Conflict {
                field: None,
                message: format!(
                    "The {} plan allows up to {devices}, and this account has that many \
                     already. Delete a device it no longer uses, or move to a bigger plan \
                     under Account.",
                    plan.name
                ),
            })
        }
        e => e.into(),
    }
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

    /// The company's devices; a push device's status is judged now.
    pub async fn list(&self, caller: &Caller) -> ServiceResult<Vec<Device>> {
        let mut devices = self.0.store.list_devices(caller.company_id).await?;
        if devices.iter().any(|d| d.mode == DeviceMode::Push) {
            let tz = self.company_tz(caller).await?;
            for d in &mut devices {
                self.judge(d, &tz);
            }
        }
        Ok(devices)
    }

    /// `limit` devices from `offset` (by name, as the list), with how many
    /// the company has: what `GET /api/v1/devices` pages through. `limit`
    /// is held to 1..=[`MAX_PAGE`].
    pub async fn list_page(
        &self,
        caller: &Caller,
        limit: u64,
        offset: u64,
    ) -> ServiceResult<(Vec<Device>, u64)> {
        let limit = limit.clamp(1, MAX_PAGE);
        let store = &self.0.store;
        let (mut devices, total) = store
            .list_devices_page(caller.company_id, limit, offset)
            .await?;
        if devices.iter().any(|d| d.mode == DeviceMode::Push) {
            let tz = self.company_tz(caller).await?;
            for d in &mut devices {
                self.judge(d, &tz);
            }
        }
        Ok((devices, total))
    }

    /// One page (1-based) of Manage Devices, `size` devices with their
    /// punch counts, and how many devices there are: three queries whose
    /// cost follows the page, not the fleet (a company may have 10,000).
    pub async fn summaries_page(
        &self,
        caller: &Caller,
        page: u64,
        size: u64,
    ) -> ServiceResult<(Vec<DeviceSummary>, u64)> {
        let size = size.clamp(1, MAX_PAGE);
        let offset = page.max(1).saturating_sub(1).saturating_mul(size);
        let (devices, total) = self.list_page(caller, size, offset).await?;
        let store = &self.0.store;
        let ids: Vec<DeviceId> = devices.iter().map(|d| d.id).collect();
        let counts = store
            .punch_counts_of_devices(caller.company_id, &ids)
            .await?;
        let summaries = devices
            .into_iter()
            .map(|device| DeviceSummary {
                punches: counts.get(&device.id).copied().unwrap_or(0),
                device,
            })
            .collect();
        Ok((summaries, total))
    }

    /// One device with its punch count (the device page's live status).
    pub async fn summary(&self, caller: &Caller, id: DeviceId) -> ServiceResult<DeviceSummary> {
        let device = self.get(caller, id).await?;
        let punches = self.punch_count(caller, id).await?;
        Ok(DeviceSummary { device, punches })
    }

    pub async fn get(&self, caller: &Caller, id: DeviceId) -> ServiceResult<Device> {
        let mut device = self.0.store.get_device(caller.company_id, id).await?;
        if device.mode == DeviceMode::Push {
            self.judge(&mut device, &self.company_tz(caller).await?);
        }
        Ok(device)
    }

    /// Online means it called within 3× its `Delay` (push mode).
    fn judge(&self, device: &mut Device, tz: &jiff::tz::TimeZone) {
        let delay = self.0.settings.push.delay_seconds;
        judge_presence(device, self.0.now(), delay, tz);
    }

    async fn company_tz(&self, caller: &Caller) -> ServiceResult<jiff::tz::TimeZone> {
        let company = self.0.store.get_company(caller.company_id).await?;
        Ok(company.timezone.tz().clone())
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
    /// contact is refused on the host field, a serial number another
    /// device holds on the serial field, a device past the plan's cap as a
    /// conflict naming the plan.
    pub async fn create(&self, caller: &Caller, new: DeviceSettings) -> ServiceResult<Device> {
        self.0.require_good_standing(caller).await?;
        let company = self.0.store.get_company(caller.company_id).await?;
        let plan = self.0.billing.plan_of(&company);
        live_needs_poll(new.mode, Some(new.realtime))?;
        if let Some(host) = &new.host {
            self.vet_host(host, new.port).await?;
        }
        if let Some(serial) = &new.serial {
            self.vet_serial(caller, None, serial.as_str()).await?;
        }
        let names = new.name_encoding;
        let realtime = new.realtime;
        let store = &self.0.store;
        let new = new.into_new_device();
        let added = match plan.devices {
            Some(cap) => {
                store
                    .create_device_within(caller.company_id, &new, cap)
                    .await
            }
            None => store.create_device(caller.company_id, &new).await,
        };
        let mut device = added.map_err(|e| over_cap(e, &plan))?;
        if names != device.name_encoding {
            let store = &self.0.store;
            store
                .set_device_name_encoding(caller.company_id, device.id, names)
                .await?;
            device.name_encoding = names;
        }
        self.claimed(&device).await;
        if !realtime {
            return Ok(device);
        }
        store
            .set_realtime(caller.company_id, device.id, true)
            .await?;
        Ok(store.get_device(caller.company_id, device.id).await?)
    }

    /// Change a device, or switch its mode (its punches and employees stay:
    /// they are keyed by serial and enroll id, not by mode). Where a changed
    /// host or port points is checked again; an unchanged one is not
    /// resolved on every save.
    pub async fn update(
        &self,
        caller: &Caller,
        id: DeviceId,
        changes: DeviceChanges,
    ) -> ServiceResult<Device> {
        let current = self.get(caller, id).await?;
        self.0.require_good_standing(caller).await?;
        let mode = changes.mode.unwrap_or(current.mode);
        live_needs_poll(mode, changes.realtime)?;
        let serial = self.serial_after(caller, &current, &changes, mode).await?;
        self.vet_changed_host(&current, &changes, mode).await?;
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
            mode,
            push_serial: serial,
            lock_source: changes.lock_source.unwrap_or(current.push.lock_source),
        };
        let mut device = self
            .0
            .store
            .update_device(caller.company_id, id, &update)
            .await?;
        if let Some(names) = changes
            .name_encoding
            .filter(|n| *n != current.name_encoding)
        {
            // The names this device sent are decoded again by the new setting.
            let store = &self.0.store;
            store
                .set_device_name_encoding(caller.company_id, id, names)
                .await?;
            device.name_encoding = names;
        }
        let store = &self.0.store;
        self.claimed(&device).await;
        match changes.realtime {
            Some(on) if on != device.realtime => {
                store.set_realtime(caller.company_id, id, on).await?;
                Ok(store.get_device(caller.company_id, id).await?)
            }
            _ => Ok(device),
        }
    }

    /// The serial after a change: the one typed, else the one claimed, else
    /// (switching to push) the one the device reported when polled.
    async fn serial_after(
        &self,
        caller: &Caller,
        current: &Device,
        changes: &DeviceChanges,
        mode: DeviceMode,
    ) -> ServiceResult<Option<String>> {
        let reported = current
            .info
            .serial_number
            .as_deref()
            .and_then(|s| SerialNumber::parse(s).ok());
        let serial = changes
            .serial
            .clone()
            .or_else(|| {
                current
                    .push
                    .serial
                    .as_deref()
                    .and_then(|s| SerialNumber::parse(s).ok())
            })
            .or(reported.filter(|_| mode == DeviceMode::Push));
        match &serial {
            Some(s) if current.push.serial.as_deref() != Some(s.as_str()) => {
                self.vet_serial(caller, Some(current.id), s.as_str())
                    .await?
            }
            Some(_) => {}
            None if mode == DeviceMode::Push => {
                return Err(ServiceError::field(
                    "serial_number",
                    SerialNumberError::Missing,
                ))
            }
            None => {}
        }
        Ok(serial.map(SerialNumber::into_string))
    }

    /// A polled device needs a host; a changed one is checked again.
    async fn vet_changed_host(
        &self,
        current: &Device,
        changes: &DeviceChanges,
        mode: DeviceMode,
    ) -> ServiceResult<()> {
        let host_changed = changes.host.as_ref().is_some_and(|h| *h != *current.host)
            || changes.port.is_some_and(|p| p.get() != current.port);
        let no_host = changes.host.is_none() && current.host.is_empty();
        if no_host && mode == DeviceMode::Poll {
            return Err(ServiceError::field("host", HostError::Missing));
        }
        if !host_changed || no_host {
            return Ok(());
        }
        // The stored half of the pair was valid when it was saved.
        let host = match &changes.host {
            Some(h) => h.clone(),
            None => Host::parse(&current.host).map_err(|e| ServiceError::field("host", e))?,
        };
        let port = match changes.port {
            Some(p) => p,
            None => Port::new(current.port).map_err(|e| ServiceError::field("port", e))?,
        };
        self.vet_host(&host, port).await
    }

    /// A serial one of the caller's own devices holds is named; one held
    /// by another company is refused without saying whose it is.
    async fn vet_serial(
        &self,
        caller: &Caller,
        device: Option<DeviceId>,
        serial: &str,
    ) -> ServiceResult<()> {
        let Some(holder) = self.0.store.push_target(serial).await? else {
            return Ok(());
        };
        if Some(holder.device_id) == device {
            return Ok(());
        }
        if holder.company_id == caller.company_id {
            return Err(ServiceError::conflict(
                "serial_number",
                format!(
                    "Your device \"{}\" already has this serial number.",
                    holder.name
                ),
            ));
        }
        Err(StoreError::Conflict(Rule::SerialClaimed).into())
    }

    /// A claimed serial is no longer the operator's unclaimed business.
    async fn claimed(&self, device: &Device) {
        if let Some(serial) = &device.push.serial {
            if let Err(e) = self.0.store.forget_unclaimed(serial).await {
                tracing::warn!(device = %device.id, "forgetting the unclaimed serial: {e}");
            }
        }
    }

    /// Delete a device and its log; its punches and employees stay.
    pub async fn delete(&self, caller: &Caller, id: DeviceId) -> ServiceResult<()> {
        self.0.require_good_standing(caller).await?;
        Ok(self.0.store.delete_device(caller.company_id, id).await?)
    }

    /// "Test connection": handshake and identity only, logged as a test.
    pub async fn test_connection(&self, caller: &Caller, id: DeviceId) -> ServiceResult<DeviceLog> {
        self.0.require_good_standing(caller).await?;
        self.require_poll(caller, id).await?;
        self.0.throttle.contact(caller.company_id)?;
        Ok(self.0.syncer.test_connection(caller.company_id, id).await?)
    }

    /// "Sync now": a full read at once; the log entry says what happened.
    pub async fn sync_now(&self, caller: &Caller, id: DeviceId) -> ServiceResult<DeviceLog> {
        self.0.require_good_standing(caller).await?;
        self.require_poll(caller, id).await?;
        self.0.throttle.contact(caller.company_id)?;
        Ok(self.0.syncer.sync_now(caller.company_id, id).await?.log)
    }

    /// Testing and syncing are for devices we connect to.
    pub(crate) async fn require_poll(&self, caller: &Caller, id: DeviceId) -> ServiceResult<()> {
        if self.get(caller, id).await?.mode == DeviceMode::Poll {
            return Ok(());
        }
        Err(ServiceError::conflict(
            "mode",
            "This device calls us (push mode), so there is no connection to test or sync: \
             its log shows every call. To have it send punches again, use \"Send punches again\".",
        ))
    }

    async fn vet_host(&self, host: &Host, port: Port) -> ServiceResult<()> {
        address::vet(host, port, self.allow_private())
            .await
            .map_err(|m| ServiceError::field("host", m))
    }
}

/// Real-time capture is a connection we keep to the device: poll mode only.
fn live_needs_poll(mode: DeviceMode, realtime: Option<bool>) -> ServiceResult<()> {
    if mode == DeviceMode::Push && realtime == Some(true) {
        return Err(ServiceError::field(
            "realtime",
            "A push device calls us by itself; real-time capture is for devices we connect to.",
        ));
    }
    Ok(())
}
