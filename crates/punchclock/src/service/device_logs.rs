//! The device log: one entry per contact attempt, in plain words.

use super::error::ServiceResult;
use super::services::{Caller, Services};
use crate::domain::{Device, DeviceId, DeviceLog, DeviceLogId};

/// Most entries one request may list.
pub const MAX_ROWS: u32 = 500;

/// A device, its punch count and its latest log entries: the device page.
#[derive(Debug, Clone)]
pub struct DeviceHistory {
    pub device: Device,
    pub punches: u64,
    pub logs: Vec<DeviceLog>,
}

impl Services {
    pub fn device_logs(&self) -> DeviceLogs<'_> {
        DeviceLogs(self)
    }
}

/// Device log operations; see [`Services::device_logs`].
pub struct DeviceLogs<'a>(&'a Services);

impl DeviceLogs<'_> {
    /// The newest `limit` entries (1 to [`MAX_ROWS`]) of a device of the
    /// caller's; another company's device is `NotFound`, not an empty list.
    pub async fn recent(
        &self,
        caller: &Caller,
        device: DeviceId,
        limit: u32,
    ) -> ServiceResult<Vec<DeviceLog>> {
        self.0.devices().get(caller, device).await?;
        let limit = limit.clamp(1, MAX_ROWS);
        Ok(self
            .0
            .store
            .list_device_logs(caller.company_id, device, limit)
            .await?)
    }

    /// A device with its punch count and newest `rows` log entries.
    pub async fn history(
        &self,
        caller: &Caller,
        device: DeviceId,
        rows: u32,
    ) -> ServiceResult<DeviceHistory> {
        let devices = self.0.devices();
        let device = devices.get(caller, device).await?;
        let punches = devices.punch_count(caller, device.id).await?;
        let logs = self
            .0
            .store
            .list_device_logs(caller.company_id, device.id, rows.clamp(1, MAX_ROWS))
            .await?;
        Ok(DeviceHistory {
            device,
            punches,
            logs,
        })
    }

    /// A recent entry (among the last 20) with its device: what a test or
    /// sync just did, for the message after it.
    pub async fn find_recent(
        &self,
        caller: &Caller,
        device: DeviceId,
        log: DeviceLogId,
    ) -> ServiceResult<Option<(Device, DeviceLog)>> {
        let device = self.0.devices().get(caller, device).await?;
        let logs = self
            .0
            .store
            .list_device_logs(caller.company_id, device.id, 20)
            .await?;
        Ok(logs.into_iter().find(|l| l.id == log).map(|l| (device, l)))
    }
}
