//! Device health alerts as people see them: for the device page and the
//! dashboard, and acknowledging one.

use super::error::ServiceResult;
use super::services::{Caller, Services};
use crate::domain::{Alert, AlertId, AlertState, DeviceId};

/// Most alerts one request lists.
pub const MAX_LIST: u32 = 500;

impl Services {
    pub fn alerts(&self) -> Alerts<'_> {
        Alerts(self)
    }
}

/// Alert operations; see [`Services::alerts`].
pub struct Alerts<'a>(&'a Services);

impl Alerts<'_> {
    /// The company's alerts, newest first, by state if given.
    pub async fn list(
        &self,
        caller: &Caller,
        state: Option<AlertState>,
        limit: u32,
    ) -> ServiceResult<Vec<Alert>> {
        let limit = limit.clamp(1, MAX_LIST);
        Ok(self
            .0
            .store
            .list_alerts(caller.company_id, state, None, limit)
            .await?)
    }

    /// Open alerts, for the dashboard's alert area.
    pub async fn open(&self, caller: &Caller) -> ServiceResult<Vec<Alert>> {
        self.list(caller, Some(AlertState::Open), MAX_LIST).await
    }

    /// One device's alerts, for its page.
    pub async fn of_device(
        &self,
        caller: &Caller,
        device: DeviceId,
        limit: u32,
    ) -> ServiceResult<Vec<Alert>> {
        let limit = limit.clamp(1, MAX_LIST);
        Ok(self
            .0
            .store
            .list_alerts(caller.company_id, None, Some(device), limit)
            .await?)
    }

    /// "Seen": acknowledged by the caller (the first acknowledgement stays).
    pub async fn acknowledge(&self, caller: &Caller, id: AlertId) -> ServiceResult<Alert> {
        Ok(self
            .0
            .store
            .ack_alert(caller.company_id, id, caller.account_id)
            .await?)
    }
}
