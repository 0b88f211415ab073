//! Status words and labels of a device, shared by the list, the device page
//! and the live status JSON that updates them.

use jiff::Timestamp;
use maud::Markup;
use serde::Serialize;

use crate::domain::{Device, DeviceMode, DeviceStatus, Transport};
use crate::service::devices::DeviceSummary;
use crate::web::pages::fmt;
use crate::web::pages::layout::{sentence, status_label};

/// The label shown for a device status.
pub fn status_text(status: DeviceStatus) -> &'static str {
    match status {
        DeviceStatus::Online => "Online",
        DeviceStatus::Offline => "Offline",
        DeviceStatus::Pending => "Never connected",
    }
}

/// The label of this device's status: a push device is "Waiting" for its
/// first call, then "Connected" while it keeps calling.
pub fn device_status_text(d: &Device) -> &'static str {
    match (d.mode, d.status) {
        (DeviceMode::Push, DeviceStatus::Pending) => "Waiting",
        (DeviceMode::Push, DeviceStatus::Online) => "Connected",
        (_, status) => status_text(status),
    }
}

/// The hover text of a status label: why it is offline, or when last seen.
pub fn status_detail(d: &Device, now: Timestamp) -> String {
    if d.mode == DeviceMode::Push && d.status == DeviceStatus::Pending {
        return "Waiting for the device's first call: enter the Cloud Server Setting on the device."
            .into();
    }
    match d.status {
        DeviceStatus::Offline => d
            .last_error
            .as_deref()
            .map(sentence)
            .unwrap_or_else(|| "The last attempt failed.".into()),
        DeviceStatus::Online => format!("Last seen {}", fmt::last_seen(now, d.last_seen_at)),
        DeviceStatus::Pending => "We have not reached this device yet.".into(),
    }
}

pub fn transport_text(t: Transport) -> &'static str {
    match t {
        Transport::Auto => "Auto",
        Transport::Tcp => "TCP",
        Transport::Udp => "UDP",
    }
}

/// The live label for a device, linking to its log.
pub fn device_status_label(d: &Device, now: Timestamp) -> Markup {
    let href = format!("/devices/{}", d.id);
    status_label(
        d.id.0,
        d.status.as_str(),
        device_status_text(d),
        &status_detail(d, now),
        Some(&href),
    )
}

/// `GET /devices/status.json`: what the live update script replaces.
#[derive(Serialize)]
pub struct StatusJson {
    devices: Vec<DeviceStatusJson>,
}

#[derive(Serialize)]
pub struct DeviceStatusJson {
    id: i64,
    status: &'static str,
    label: &'static str,
    detail: String,
    last_seen: String,
    serial: String,
    punches: String,
    last_error: Option<String>,
}

impl StatusJson {
    pub fn new(summaries: &[DeviceSummary], now: Timestamp) -> Self {
        let devices = summaries
            .iter()
            .map(|s| {
                let d = &s.device;
                DeviceStatusJson {
                    id: d.id.0,
                    status: d.status.as_str(),
                    label: device_status_text(d),
                    detail: status_detail(d, now),
                    last_seen: fmt::last_seen(now, d.last_seen_at),
                    serial: d.serial_number().unwrap_or("—").to_string(),
                    punches: fmt::thousands(s.punches),
                    last_error: d.last_error.as_deref().map(sentence),
                }
            })
            .collect();
        StatusJson { devices }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn statuses_have_plain_labels() {
        use crate::domain::DeviceStatus;
        assert_eq!(super::status_text(DeviceStatus::Pending), "Never connected");
        assert_eq!(super::status_text(DeviceStatus::Online), "Online");
        assert_eq!(super::status_text(DeviceStatus::Offline), "Offline");
    }
}
