//! What the owner does with a push device: read what to enter in its Cloud
//! Server Setting, queue commands (set the clock, send punches or users
//! again, write a name), see their results, accept a new source address.

use jiff::civil;

use super::Devices;
use crate::domain::{Device, DeviceId, DeviceMode, EnrollId, PushCommand, PushCommandArgs};
use crate::service::error::{ServiceError, ServiceResult};
use crate::service::fields::FieldErrors;
use crate::service::services::Caller;

/// What to enter in the device's "Cloud Server Setting" (ADMS) menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudServerSetting {
    pub server_address: String,
    pub port: u16,
    pub https: bool,
}

/// A command as the owner asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandInput {
    SetClock,
    /// Punches between two wall-clock times (the device's own), inclusive.
    SendPunches {
        from: civil::DateTime,
        to: civil::DateTime,
    },
    /// One user (by enroll id), or all.
    SendUsers {
        enroll_id: Option<EnrollId>,
    },
    /// Write the employee's name to the device.
    WriteName {
        enroll_id: EnrollId,
        name: String,
    },
}

/// A command as typed (a form or a JSON body): `kind` is `set_clock`,
/// `send_punches` (`from`, `to`: the device's wall-clock times),
/// `send_users` (`enroll_id` or all) or `write_name` (`enroll_id`, `name`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandText {
    pub kind: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub enroll_id: Option<String>,
    pub name: Option<String>,
}

impl CommandText {
    pub fn parse(&self) -> Result<CommandInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let blank = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let enroll_id =
            blank(&self.enroll_id).and_then(|v| errors.check("enroll_id", EnrollId::parse(&v)));
        let input = match blank(&self.kind).as_deref() {
            Some("set_clock") => Some(CommandInput::SetClock),
            Some("send_punches") => {
                let from = wall_clock(&mut errors, "from", blank(&self.from));
                let to = wall_clock(&mut errors, "to", blank(&self.to));
                from.zip(to)
                    .map(|(from, to)| CommandInput::SendPunches { from, to })
            }
            Some("send_users") => Some(CommandInput::SendUsers { enroll_id }),
            Some("write_name") => {
                if enroll_id.is_none() && errors.get("enroll_id").is_none() {
                    errors.add("enroll_id", "Say whose name to write (the enroll ID).");
                }
                enroll_id.map(|enroll_id| CommandInput::WriteName {
                    enroll_id,
                    name: self.name.clone().unwrap_or_default(),
                })
            }
            _ => {
                errors.add(
                    "kind",
                    "Choose set_clock, send_punches, send_users or write_name.",
                );
                None
            }
        };
        errors.finish(|| input)
    }
}

/// A device wall-clock time, `YYYY-MM-DDTHH:MM` or with seconds.
fn wall_clock(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<String>,
) -> Option<civil::DateTime> {
    let Some(v) = value else {
        errors.add(field, "Enter a date and time, like 2025-03-02T08:00.");
        return None;
    };
    let parsed = v.replace(' ', "T").parse::<civil::DateTime>();
    match parsed {
        Ok(t) => Some(t),
        Err(_) => {
            errors.add(
                field,
                format!("\"{v}\" is not a date and time like 2025-03-02T08:00."),
            );
            None
        }
    }
}

/// Commands listed on a device page.
pub const COMMANDS_SHOWN: u32 = 20;

impl Devices<'_> {
    /// `request_host` is the host the page was reached by: the default
    /// server address.
    pub fn cloud_server_setting(&self, request_host: Option<&str>) -> CloudServerSetting {
        let setup = &self.0.settings.push;
        let host = request_host.map(strip_port).unwrap_or_default();
        let server_address = match setup.server_address.trim() {
            "" => host.to_string(),
            configured => configured.to_string(),
        };
        CloudServerSetting {
            server_address,
            port: setup.server_port,
            https: setup.https,
        }
    }

    /// Queues a command for a push device of the caller's.
    pub async fn queue_command(
        &self,
        caller: &Caller,
        id: DeviceId,
        input: CommandInput,
    ) -> ServiceResult<PushCommand> {
        self.0.require_good_standing(caller).await?;
        self.require_push(caller, id).await?;
        let args = args(input)?;
        Ok(self
            .0
            .store
            .queue_push_command(caller.company_id, id, &args)
            .await?)
    }

    /// The newest commands of a device, with their results.
    pub async fn commands(&self, caller: &Caller, id: DeviceId) -> ServiceResult<Vec<PushCommand>> {
        self.get(caller, id).await?;
        Ok(self
            .0
            .store
            .list_push_commands(caller.company_id, id, COMMANDS_SHOWN)
            .await?)
    }

    /// The owner lets in the address a locked device now calls from.
    pub async fn accept_source(&self, caller: &Caller, id: DeviceId) -> ServiceResult<Device> {
        self.0.require_good_standing(caller).await?;
        self.require_push(caller, id).await?;
        self.0
            .store
            .accept_pending_source(caller.company_id, id)
            .await?;
        self.get(caller, id).await
    }

    async fn require_push(&self, caller: &Caller, id: DeviceId) -> ServiceResult<Device> {
        let device = self.get(caller, id).await?;
        if device.mode != DeviceMode::Push {
            return Err(ServiceError::conflict(
                "mode",
                "Commands go to devices that call us (push mode); this one is polled.",
            ));
        }
        Ok(device)
    }
}

fn args(input: CommandInput) -> ServiceResult<PushCommandArgs> {
    Ok(match input {
        CommandInput::SetClock => PushCommandArgs::SetClock,
        CommandInput::SendPunches { from, to } => {
            if from > to {
                return Err(ServiceError::field(
                    "from",
                    "The start must not be after the end.",
                ));
            }
            PushCommandArgs::QueryAttLog { from, to }
        }
        CommandInput::SendUsers { enroll_id } => PushCommandArgs::QueryUsers {
            enroll_id: enroll_id.map(|e| e.as_str().to_string()),
        },
        CommandInput::WriteName { enroll_id, name } => {
            let name = name.trim().to_string();
            if name.is_empty() || name.chars().any(char::is_control) || name.chars().count() > 24 {
                return Err(ServiceError::field(
                    "name",
                    "A name on the device is 1 to 24 characters, without tabs or line breaks.",
                ));
            }
            PushCommandArgs::UpdateUser {
                enroll_id: enroll_id.as_str().to_string(),
                name,
                current: None,
            }
        }
    })
}

/// `clock.example.com:8080` → `clock.example.com`; `[::1]:80` → `::1`.
fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_without_ports() {
        assert_eq!(strip_port("clock.example.com:8080"), "clock.example.com");
        assert_eq!(strip_port("clock.example.com"), "clock.example.com");
        assert_eq!(strip_port("[::1]:80"), "::1");
        assert_eq!(strip_port("203.0.113.7:443"), "203.0.113.7");
    }

    #[test]
    fn command_input_is_checked() {
        let t = |h| civil::datetime(2025, 3, 2, h, 0, 0, 0);
        assert!(args(CommandInput::SendPunches {
            from: t(9),
            to: t(8)
        })
        .is_err());
        let id = EnrollId::parse("7").unwrap();
        let tab = CommandInput::WriteName {
            enroll_id: id.clone(),
            name: "A\tB".into(),
        };
        assert!(args(tab).is_err());
        let ok = args(CommandInput::WriteName {
            enroll_id: id,
            name: " Ana ".into(),
        })
        .unwrap();
        assert_eq!(ok.describe(), "set the name of user 7 to \"Ana\"");
    }
}
