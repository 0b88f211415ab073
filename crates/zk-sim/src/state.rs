//! What a device knows, shared by all its sessions: identity, wire
//! settings, clock, tables and written options.

use crate::spec::DeviceSpec;
use crate::store::Store;
use crate::wan::Wan;
use std::collections::HashMap;
use std::sync::atomic::AtomicI64;
use std::sync::{Mutex, RwLock};
use std::time::Duration;
use zk_protocol::{options, FreeSizes, PunchLayout, UserLayout};

/// Everything a device knows, shared by all its sessions.
#[derive(Debug)]
pub(crate) struct DeviceState {
    pub(crate) serial: String,
    pub(crate) device_name: String,
    pub(crate) platform: String,
    pub(crate) firmware: String,
    pub(crate) mac: String,
    comm_key: Mutex<Option<u32>>,
    /// Set by DISABLEDEVICE ("Working..."): live taps wait until ENABLEDEVICE.
    pub(crate) disabled: std::sync::atomic::AtomicBool,
    pub(crate) frame_gap: Duration,
    pub(crate) sizes_len: usize,
    pub(crate) user_layout: Option<UserLayout>,
    pub(crate) punch_layout: Option<PunchLayout>,
    pub(crate) inline_limit: usize,
    pub(crate) clock_offset: AtomicI64,
    wan: Mutex<Wan>,
    pub(crate) store: RwLock<Store>,
    /// Options written with OPTIONS_WRQ, read back by OPTIONS_RRQ.
    pub(crate) written_options: Mutex<HashMap<String, String>>,
}

impl DeviceState {
    pub(crate) fn new(spec: DeviceSpec) -> DeviceState {
        DeviceState {
            serial: spec.serial,
            device_name: spec.device_name,
            platform: spec.platform,
            firmware: spec.firmware,
            mac: spec.mac,
            comm_key: Mutex::new(spec.comm_key),
            disabled: std::sync::atomic::AtomicBool::new(false),
            frame_gap: spec.frame_gap,
            sizes_len: spec.sizes_len,
            user_layout: spec.user_layout,
            punch_layout: spec.punch_layout,
            inline_limit: spec.inline_limit,
            clock_offset: AtomicI64::new(spec.clock_offset_secs),
            wan: Mutex::new(spec.wan),
            store: RwLock::new(Store::new(spec.users, spec.punches, spec.name_encoding)),
            written_options: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn comm_key(&self) -> Option<u32> {
        *self.comm_key.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn set_comm_key(&self, key: Option<u32>) {
        *self.comm_key.lock().unwrap_or_else(|e| e.into_inner()) = key;
    }

    pub(crate) fn wan(&self) -> Wan {
        *self.wan.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn set_wan(&self, wan: Wan) {
        *self.wan.lock().unwrap_or_else(|e| e.into_inner()) = wan;
    }

    pub(crate) fn read_store(&self) -> std::sync::RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn write_store(&self) -> std::sync::RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn option(&self, name: &str) -> Option<String> {
        let written = self
            .written_options
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned();
        if written.is_some() {
            return written;
        }
        let v = match name {
            options::SERIAL_NUMBER => self.serial.as_str(),
            options::DEVICE_NAME => self.device_name.as_str(),
            options::PLATFORM => self.platform.as_str(),
            options::MAC => self.mac.as_str(),
            options::FP_VERSION => "10",
            options::OEM_VENDOR => "Punchclock Sim",
            "~OS" => "1",
            "~PIN2Width" => "9",
            "~ProductTime" => "2015-04-28 10:00:00",
            "WorkCode" => "0",
            "~SSR" => "1",
            // Anything else (e.g. ~ExtendFmt, FaceFunOn) is absent, as on
            // older firmware: ACK_ERROR, which makes pyzk send 2001/0xFFFF.
            _ => return None,
        };
        Some(v.to_string())
    }

    pub(crate) fn free_sizes(&self) -> FreeSizes {
        let store = self.read_store();
        let users = store.users().len() as u32;
        let records = store.punch_count() as u32;
        let users_cap = users.max(10_000);
        let records_cap = records.max(100_000);
        FreeSizes {
            users,
            fingers: 0,
            records,
            oplog: store.oplog(),
            admins: store
                .users()
                .iter()
                .filter(|u| u.privilege & 0x0E == 14)
                .count() as u32,
            passwords: store
                .users()
                .iter()
                .filter(|u| !u.password.is_empty())
                .count() as u32,
            fingers_cap: 3000,
            users_cap,
            records_cap,
            fingers_av: 3000,
            users_av: users_cap - users,
            records_av: records_cap - records,
            faces: Some(0),
            faces_cap: Some(0),
        }
    }
}
