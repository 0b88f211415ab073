//! Looking after a device (issue 12 §6): its attendance log and the users
//! on it. The clock is set with [`ZkClient::set_time`] (see `info`).

use crate::client::ZkClient;
use crate::error::ClientError;
use zk_protocol::command::*;
use zk_protocol::records::encode_user_in;
use zk_protocol::{NameEncoding, Transport, User, UserLayout};

/// What [`ZkClient::clear_attlog_if_count`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cleared {
    /// The log held exactly the verified punches and is now empty.
    Cleared { punches: u32 },
    /// The count moved since it was verified: nothing was cleared.
    CountChanged { verified: u32, found: u32 },
}

impl ZkClient {
    /// Stop the device taking punches ("Working..." on its screen) until
    /// [`ZkClient::enable`]; some firmwares re-enable on their own later.
    pub async fn disable(&mut self) -> Result<(), ClientError> {
        self.call_ok("disabling the device", CMD_DISABLEDEVICE, &[])
            .await
            .map(drop)
    }

    pub async fn enable(&mut self) -> Result<(), ClientError> {
        self.call_ok("enabling the device", CMD_ENABLEDEVICE, &[])
            .await
            .map(drop)
    }

    /// Empty the attendance log at once. Prefer
    /// [`ZkClient::clear_attlog_if_count`], which cannot lose a punch.
    pub async fn clear_attlog(&mut self) -> Result<(), ClientError> {
        self.call_ok("clearing the attendance log", CMD_CLEAR_ATTLOG, &[])
            .await
            .map(drop)
    }

    /// Clear the log only if it still holds exactly `verified` punches (the
    /// count the caller read, stored and checked). The device is disabled
    /// while it is counted and cleared, so no tap can land in between, and
    /// enabled again whatever happened.
    pub async fn clear_attlog_if_count(&mut self, verified: u32) -> Result<Cleared, ClientError> {
        self.disable().await?;
        let outcome = self.count_then_clear(verified).await;
        let enabled = self.enable().await;
        let outcome = outcome?;
        enabled?;
        Ok(outcome)
    }

    async fn count_then_clear(&mut self, verified: u32) -> Result<Cleared, ClientError> {
        let found = self.sizes().await?.records;
        if found != verified {
            return Ok(Cleared::CountChanged { verified, found });
        }
        self.clear_attlog().await?;
        Ok(Cleared::Cleared { punches: found })
    }

    /// Write one user (USER_WRQ): the device replaces the user with the
    /// same uid, or adds it; used to push an employee's name to the device.
    /// Then REFRESHDATA, so the device shows it.
    pub async fn write_user(&mut self, record: &UserRecord) -> Result<(), ClientError> {
        let step = "writing a user";
        self.call_ok(step, CMD_USER_WRQ, &record.0).await?;
        self.call_ok(step, CMD_REFRESHDATA, &[]).await.map(drop)
    }

    /// The user record size this device uses: the one the last
    /// [`ZkClient::users`] read found, else the transport's usual one.
    pub fn user_layout(&self) -> UserLayout {
        self.user_layout.unwrap_or(match self.transport() {
            Transport::Tcp => UserLayout::Zk8,
            Transport::Udp => UserLayout::Zk6,
        })
    }
}

/// A user encoded for a device: it exists only if the record can hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord(Vec<u8>);

/// Why a user cannot be written to a device as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot write user {user_id:?} to the device: {reason}")]
pub struct InvalidUser {
    pub user_id: String,
    pub reason: String,
}

impl UserRecord {
    /// Encode `user` in `layout` (see [`ZkClient::user_layout`]), its name in
    /// `names`, the device's code page. What the layout cannot hold is
    /// refused, never written as something else.
    pub fn new(
        layout: UserLayout,
        user: &User,
        names: NameEncoding,
    ) -> Result<UserRecord, InvalidUser> {
        let invalid = |reason: String| InvalidUser {
            user_id: user.user_id.clone(),
            reason,
        };
        if layout == UserLayout::Zk6 && user.user_id.parse::<u32>().is_err() {
            return Err(invalid(
                "the enroll id is not a number, which this device's 28-byte records require".into(),
            ));
        }
        let mut out = Vec::with_capacity(layout.size());
        encode_user_in(layout, user, names, &mut out).map_err(|e| invalid(e.to_string()))?;
        Ok(UserRecord(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, name: &str) -> User {
        User {
            uid: 7,
            privilege: 0,
            password: String::new(),
            name: name.into(),
            name_bytes: vec![],
            card: 0,
            group: 1,
            user_id: id.into(),
        }
    }

    #[test]
    fn records_refuse_what_the_layout_cannot_hold() {
        let r = UserRecord::new(UserLayout::Zk8, &user("A-17", "Zoë"), NameEncoding::Utf8);
        assert_eq!(r.unwrap().0.len(), 72);
        let r = UserRecord::new(UserLayout::Zk6, &user("17", "Ana"), NameEncoding::Cp1252);
        assert_eq!(r.unwrap().0.len(), 28);
        let e = UserRecord::new(UserLayout::Zk6, &user("A-17", "Ana"), NameEncoding::Utf8);
        let e = e.unwrap_err();
        assert!(e.to_string().contains("not a number"), "{e}");
        assert_eq!(e.user_id, "A-17");
        let chinese = UserRecord::new(UserLayout::Zk8, &user("1", "王"), NameEncoding::Cp1252);
        assert!(chinese.is_err());
    }
}
