//! Commands that change what a device holds (reference §2.1, §4.8, §5.1):
//! clearing the attendance log or other tables, and writing one user.

use crate::state::DeviceState;
use zk_protocol::command::*;
use zk_protocol::records::decode_user_with;
use zk_protocol::{NameDecoding, UserLayout};

/// CLEAR_ATTLOG: the attendance log is emptied. Answer code.
pub(crate) fn clear_attlog(dev: &DeviceState) -> u16 {
    dev.write_store().clear_punches();
    CMD_ACK_OK
}

/// CLEAR_DATA: one table by id (1 attendance, 5 users) or, without data,
/// both. Templates (2) and the operation log (4) are always empty here.
pub(crate) fn clear_data(dev: &DeviceState, data: &[u8]) -> u16 {
    let mut store = dev.write_store();
    match data.first() {
        None => {
            store.clear_punches();
            store.clear_users();
        }
        Some(1) => store.clear_punches(),
        Some(5) => store.clear_users(),
        Some(2 | 4) => {}
        Some(_) => return CMD_ACK_ERROR,
    }
    CMD_ACK_OK
}

/// USER_WRQ: one 28- or 72-byte user record; the user with the same uid
/// is replaced, or the user is added.
pub(crate) fn write_user(dev: &DeviceState, data: &[u8]) -> u16 {
    let Some(layout) = UserLayout::from_size(data.len()) else {
        tracing::debug!(len = data.len(), "USER_WRQ with an unknown record size");
        return CMD_ACK_ERROR;
    };
    let mut store = dev.write_store();
    let how = NameDecoding::with_setting(store.name_encoding());
    match decode_user_with(layout, data, &how) {
        Ok(u) => {
            store.upsert_user(u);
            CMD_ACK_OK
        }
        Err(e) => {
            tracing::debug!(error = %e, "bad USER_WRQ record");
            CMD_ACK_ERROR
        }
    }
}
