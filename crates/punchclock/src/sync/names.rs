//! Writing an employee's name to a device (USER_WRQ). The device's user
//! table is read first and that user is rewritten whole with only the name
//! changed, so its slot, privilege, password, card and group stay. The
//! write runs under the device's lease, like a poll: never beside another
//! instance's poll or care of the same device.

use std::time::Duration;

use zk_client::{NameEncoding, UserRecord};

use super::poller::{connect, reason};
use super::{LeaseGuard, PollSettings, Syncer};
use crate::domain::{CompanyId, DeviceId, PollFailure, PollReason, PollTarget};
use crate::store::StoreError;

/// How writing a name ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamePush {
    /// The device now has the name.
    Written,
    /// The device has no user with this enroll id: nothing to write.
    NotOnDevice,
    /// Another contact held the device's lease the whole time we waited.
    Busy,
    /// The device could not be reached, or refused the write.
    Failed(PollReason),
}

/// Tries at taking the lease, a second apart, before giving up as busy.
const LEASE_TRIES: u32 = 5;

/// Writes `name` for the user `enroll_id` on the device.
pub async fn push_name(
    target: &PollTarget,
    settings: &PollSettings,
    enroll_id: &str,
    name: &str,
) -> NamePush {
    let mut c = match connect(target, settings).await {
        Ok(c) => c,
        Err(r) => return NamePush::Failed(r),
    };
    let r = async {
        let users = c.users().await.map_err(|e| reason(&e))?;
        let Some(mut user) = users.into_iter().find(|u| u.user_id == enroll_id) else {
            return Ok(NamePush::NotOnDevice);
        };
        user.name = name.to_owned();
        // The device's code page when the owner set one (an older clock
        // shows UTF-8 as garbage); else UTF-8, what current firmware
        // stores and what the poller reads back first.
        let names = target
            .name_encoding
            .encoding()
            .unwrap_or(NameEncoding::Utf8);
        let record = UserRecord::new(c.user_layout(), &user, names)
            .map_err(|e| PollReason::new(PollFailure::Protocol, e.reason))?;
        c.write_user(&record).await.map_err(|e| reason(&e))?;
        Ok(NamePush::Written)
    }
    .await;
    let _ = c.close().await;
    r.unwrap_or_else(NamePush::Failed)
}

impl Syncer {
    /// Writes a name to one device of `company` under its lease, waiting a
    /// few seconds for a poll that holds it; `Busy` if it stays held.
    pub async fn push_name(
        &self,
        company: CompanyId,
        device: DeviceId,
        enroll_id: &str,
        name: &str,
    ) -> Result<NamePush, StoreError> {
        let mut tries = 0;
        let target = loop {
            let now = self.clock.now();
            let leased = self
                .store
                .lease_device(company, device, &self.instance, now, self.lease())
                .await?;
            match leased {
                Some(target) => break target,
                None if tries + 1 < LEASE_TRIES => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                None => return Ok(NamePush::Busy),
            }
        };
        let mut lease = LeaseGuard::new(&self.store, device, &self.instance);
        let pushed = push_name(&target, &self.settings, enroll_id, name).await;
        if matches!(pushed, NamePush::Written) {
            // The user count did not change: only a full sync reads the
            // name back.
            if let Err(e) = self.store.forget_sync_mark(company, device).await {
                tracing::warn!(device = %device, "forgetting the last sync's mark failed: {e}");
            }
        }
        lease.release(None).await;
        Ok(pushed)
    }
}
