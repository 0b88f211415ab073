//! Identity, counters and clock.

use crate::client::ZkClient;
use crate::error::ClientError;
use zk_protocol::command::*;
use zk_protocol::exchange::Answer;
use zk_protocol::options;
use zk_protocol::{DeviceTime, FreeSizes};

/// What `punchclock device info` shows. Identity fields are `None` when the
/// device does not know the option (it answers ACK_ERROR).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    pub serial_number: Option<String>,
    pub device_name: Option<String>,
    pub platform: Option<String>,
    /// The GET_VERSION string, e.g. "Ver 6.60 Apr 28 2015".
    pub firmware: Option<String>,
    pub mac: Option<String>,
    pub sizes: FreeSizes,
    pub time: DeviceTime,
}

impl ZkClient {
    /// Identity, counters and the device clock.
    pub async fn info(&mut self) -> Result<DeviceInfo, ClientError> {
        let mut info = self.check().await?;
        self.describe(&mut info).await?;
        Ok(info)
    }

    /// The serial number, counters and clock only: what a poll needs to
    /// tell whether anything changed since the last sync (3 round trips,
    /// against 7 for [`ZkClient::info`]). The name, platform, firmware and
    /// MAC are `None`; [`ZkClient::describe`] reads them.
    pub async fn check(&mut self) -> Result<DeviceInfo, ClientError> {
        let serial_number = self
            .option(options::SERIAL_NUMBER, "reading the serial number")
            .await?;
        let sizes = self.sizes().await?;
        let time = self.get_time().await?;
        Ok(DeviceInfo {
            serial_number,
            device_name: None,
            platform: None,
            firmware: None,
            mac: None,
            sizes,
            time,
        })
    }

    /// Fills in the rest of the identity (name, platform, firmware, MAC)
    /// after a [`ZkClient::check`].
    pub async fn describe(&mut self, info: &mut DeviceInfo) -> Result<(), ClientError> {
        info.device_name = self
            .option(options::DEVICE_NAME, "reading the device name")
            .await?;
        info.platform = self
            .option(options::PLATFORM, "reading the platform")
            .await?;
        info.firmware = match self
            .call("reading the firmware version", CMD_GET_VERSION, &[])
            .await?
        {
            Answer::Reply {
                code: CMD_ACK_OK,
                data,
                ..
            }
            | Answer::Inline(data) => Some(options::parse_version(&data)).filter(|s| !s.is_empty()),
            _ => None,
        };
        info.mac = self.option(options::MAC, "reading the MAC address").await?;
        Ok(())
    }

    /// One OPTIONS_RRQ value; `None` when the device does not have it.
    async fn option(
        &mut self,
        name: &str,
        step: &'static str,
    ) -> Result<Option<String>, ClientError> {
        match self
            .call(step, CMD_OPTIONS_RRQ, &options::request(name))
            .await?
        {
            Answer::Reply {
                code: CMD_ACK_OK,
                data,
                ..
            }
            | Answer::Inline(data) => match options::parse_reply(&data) {
                Ok(v) => Ok(Some(v)),
                Err(e) => {
                    // Identity text is informational: a garbled value is not worth failing for.
                    tracing::warn!(option = name, error = %e, "ignoring an unreadable option value");
                    Ok(None)
                }
            },
            _ => Ok(None),
        }
    }

    /// User and punch counts and capacities (GET_FREE_SIZES).
    pub async fn sizes(&mut self) -> Result<FreeSizes, ClientError> {
        let step = "reading the device counters";
        let data = self.call_ok(step, CMD_GET_FREE_SIZES, &[]).await?;
        FreeSizes::decode(&data).map_err(|source| ClientError::Protocol { step, source })
    }

    /// The device's wall-clock time (no time zone on the wire).
    pub async fn get_time(&mut self) -> Result<DeviceTime, ClientError> {
        let step = "reading the device clock";
        let data = self.call_ok(step, CMD_GET_TIME, &[]).await?;
        let raw: [u8; 4] =
            data.get(..4)
                .and_then(|b| b.try_into().ok())
                .ok_or(ClientError::Protocol {
                    step,
                    source: zk_protocol::ProtocolError::TooShort {
                        len: data.len(),
                        need: 4,
                    },
                })?;
        DeviceTime::decode(u32::from_le_bytes(raw))
            .map_err(|source| ClientError::Protocol { step, source })
    }

    /// Set the device clock (device-local wall-clock time).
    pub async fn set_time(&mut self, t: DeviceTime) -> Result<(), ClientError> {
        let step = "setting the device clock";
        let raw = t
            .encode()
            .map_err(|source| ClientError::Protocol { step, source })?;
        self.call_ok(step, CMD_SET_TIME, &raw.to_le_bytes()).await?;
        Ok(())
    }
}
