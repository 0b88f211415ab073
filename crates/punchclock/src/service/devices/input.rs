//! Device settings as typed (a form or a JSON body, as text) and as parsed.
//! The one place device fields are validated, for the pages and the API.

use super::address;
use crate::domain::{
    CommKey, CommKeyUpdate, DeviceMode, DeviceName, Host, NameSetting, NewDevice, PollInterval,
    Port, SerialNumber, Transport, Zone,
};
use crate::service::fields::{optional, parse_optional, FieldErrors};
use crate::service::zone;

/// Device settings as typed. `None` is a field that was not sent: a default
/// when adding, the current value when changing. Blank text is "not set"
/// for the optional fields (port: 4370, transport: auto, time zone and poll
/// interval: the company's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceInput {
    pub name: Option<String>,
    pub host: Option<String>,
    pub port: Option<String>,
    /// Blank keeps the saved key (the forms never show it).
    pub comm_key: Option<String>,
    /// Remove the saved key.
    pub clear_comm_key: bool,
    pub transport: Option<String>,
    pub timezone: Option<String>,
    pub poll_interval_minutes: Option<String>,
    pub enabled: Option<bool>,
    /// `poll` (the default) or `push`.
    pub mode: Option<String>,
    /// What a push device calls with; required in push mode.
    pub serial_number: Option<String>,
    /// Refuse a push device's requests from any other address.
    pub lock_source: Option<bool>,
    /// The code page of its names: one of `NameSetting`'s values.
    pub name_encoding: Option<String>,
    /// Keep a live connection for punches within seconds.
    pub realtime: Option<bool>,
}

/// A new device, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSettings {
    pub name: DeviceName,
    pub mode: DeviceMode,
    /// Always there for a polled device; a pushing one may have none.
    pub host: Option<Host>,
    /// Always there for a pushing device.
    pub serial: Option<SerialNumber>,
    pub port: Port,
    pub comm_key: Option<CommKey>,
    pub transport: Transport,
    /// `None` follows the company.
    pub timezone: Option<Zone>,
    /// `None` follows the company.
    pub poll_interval: Option<PollInterval>,
    pub enabled: bool,
    /// The code page of its names (`auto` unless chosen).
    pub name_encoding: NameSetting,
    pub realtime: bool,
}

/// Changes to a device, valid; `None` keeps the current value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceChanges {
    pub name: Option<DeviceName>,
    pub host: Option<Host>,
    pub port: Option<Port>,
    pub comm_key: CommKeyUpdate,
    pub transport: Option<Transport>,
    pub timezone: Option<Option<Zone>>,
    pub poll_interval: Option<Option<PollInterval>>,
    pub enabled: Option<bool>,
    pub mode: Option<DeviceMode>,
    pub serial: Option<SerialNumber>,
    pub lock_source: Option<bool>,
    pub name_encoding: Option<NameSetting>,
    pub realtime: Option<bool>,
}

/// Blank means the ZKTeco default, 4370.
fn port(value: &str) -> Result<Port, crate::domain::PortError> {
    optional(value).map_or(Ok(Port::DEFAULT), Port::parse)
}

/// Blank means automatic (TCP first, then UDP).
fn transport(value: &str) -> Result<Transport, &'static str> {
    let Some(v) = optional(value) else {
        return Ok(Transport::Auto);
    };
    v.to_ascii_lowercase()
        .parse()
        .map_err(|_| "Choose auto, tcp or udp (auto tries TCP first, then UDP).")
}

/// Exactly one of the listed values (the API documents them as an enum).
fn name_encoding(value: &str) -> Result<NameSetting, String> {
    value.parse().map_err(|_| {
        let all: Vec<&str> = NameSetting::ALL.iter().map(|s| s.as_str()).collect();
        format!("Choose one of: {}.", all.join(", "))
    })
}

/// Blank means polling, the classic way.
fn mode(value: &str) -> Result<DeviceMode, &'static str> {
    let Some(v) = optional(value) else {
        return Ok(DeviceMode::Poll);
    };
    v.to_ascii_lowercase().parse().map_err(|_| {
        "Choose poll (we connect to the device) or push (the device calls us over HTTP)."
    })
}

/// Fields that each parse on their own, shared by adding and changing.
struct Parsed {
    name: Option<DeviceName>,
    host: Option<Host>,
    port: Option<Port>,
    comm_key: Option<CommKey>,
    transport: Option<Transport>,
    timezone: Option<Option<Zone>>,
    poll_interval: Option<Option<PollInterval>>,
    mode: Option<DeviceMode>,
    serial: Option<SerialNumber>,
    name_encoding: Option<NameSetting>,
}

impl DeviceInput {
    /// Each field present is parsed; messages are collected per field. A
    /// literal private address is refused here unless allowed (names are
    /// resolved by the service when saving).
    fn parse_fields(&self, allow_private: bool, errors: &mut FieldErrors) -> Parsed {
        let text = |v: &Option<String>| v.clone();
        let name = text(&self.name).and_then(|v| errors.check("name", DeviceName::parse(&v)));
        let host = text(&self.host).and_then(|v| errors.check("host", Host::parse(&v)));
        if let Some(m) = host
            .as_ref()
            .and_then(|h| address::literal_refused(h, allow_private))
        {
            errors.add("host", m);
        }
        let port = text(&self.port).and_then(|v| errors.check("port", port(&v)));
        let comm_key = self
            .comm_key
            .as_deref()
            .and_then(|v| errors.check("comm_key", parse_optional(v, CommKey::parse)))
            .flatten();
        let transport =
            text(&self.transport).and_then(|v| errors.check("transport", transport(&v)));
        let timezone = text(&self.timezone)
            .and_then(|v| errors.check("timezone", parse_optional(&v, zone::parse)));
        let poll_interval = text(&self.poll_interval_minutes).and_then(|v| {
            errors.check(
                "poll_interval_minutes",
                parse_optional(&v, PollInterval::parse),
            )
        });
        let mode = text(&self.mode).and_then(|v| errors.check("mode", mode(&v)));
        let serial = text(&self.serial_number)
            .and_then(|v| errors.check("serial_number", SerialNumber::parse(&v)));
        let name_encoding = text(&self.name_encoding)
            .and_then(|v| errors.check("name_encoding", name_encoding(&v)));
        Parsed {
            name,
            host,
            port,
            comm_key,
            transport,
            timezone,
            poll_interval,
            mode,
            serial,
            name_encoding,
        }
    }

    /// A new device: the name, and the host (polled) or the serial number
    /// (pushing) are required; the rest have defaults.
    pub fn parse_new(&self, allow_private: bool) -> Result<DeviceSettings, FieldErrors> {
        let mut errors = FieldErrors::default();
        let push = self
            .mode
            .as_deref()
            .is_some_and(|m| mode(m) == Ok(DeviceMode::Push));
        // An absent required field is a blank one; a pushing device's host
        // may be left out.
        let required = DeviceInput {
            name: Some(self.name.clone().unwrap_or_default()),
            host: match push {
                true => self.host.clone().filter(|h| !h.trim().is_empty()),
                false => Some(self.host.clone().unwrap_or_default()),
            },
            serial_number: match push {
                true => Some(self.serial_number.clone().unwrap_or_default()),
                false => self.serial_number.clone(),
            },
            ..self.clone()
        };
        let p = required.parse_fields(allow_private, &mut errors);
        errors.finish(|| {
            Some(DeviceSettings {
                name: p.name?,
                mode: p.mode.unwrap_or(DeviceMode::Poll),
                host: p.host,
                serial: p.serial,
                port: p.port.unwrap_or(Port::DEFAULT),
                comm_key: p.comm_key,
                transport: p.transport.unwrap_or(Transport::Auto),
                timezone: p.timezone.flatten(),
                poll_interval: p.poll_interval.flatten(),
                enabled: self.enabled.unwrap_or(true),
                name_encoding: p.name_encoding.unwrap_or(NameSetting::Auto),
                realtime: self.realtime.unwrap_or(false),
            })
        })
    }

    /// Changes to a device. A new key and "clear the key" together are
    /// refused: it is not clear which was meant.
    pub fn parse_changes(&self, allow_private: bool) -> Result<DeviceChanges, FieldErrors> {
        let mut errors = FieldErrors::default();
        let p = self.parse_fields(allow_private, &mut errors);
        let typed_key = self.comm_key.as_deref().and_then(optional).is_some();
        if self.clear_comm_key && typed_key {
            errors.add(
                "comm_key",
                "Either type a new comm key or tick \"Clear the comm key\", not both.",
            );
        }
        let comm_key = match (p.comm_key, self.clear_comm_key) {
            (Some(k), _) => CommKeyUpdate::Set(k.get()),
            (None, true) => CommKeyUpdate::Clear,
            (None, false) => CommKeyUpdate::Keep,
        };
        errors.finish(|| {
            Some(DeviceChanges {
                name: p.name,
                host: p.host,
                port: p.port,
                comm_key,
                transport: p.transport,
                timezone: p.timezone,
                poll_interval: p.poll_interval,
                enabled: self.enabled,
                mode: p.mode,
                serial: p.serial,
                lock_source: self.lock_source,
                name_encoding: p.name_encoding,
                realtime: self.realtime,
            })
        })
    }
}

impl DeviceSettings {
    pub fn into_new_device(self) -> NewDevice {
        NewDevice {
            name: self.name.into_string(),
            host: self.host.map(Host::into_string).unwrap_or_default(),
            port: self.port.get(),
            comm_key: self.comm_key.map(CommKey::get),
            transport: self.transport,
            timezone: self.timezone,
            enabled: self.enabled,
            poll_interval_minutes: self.poll_interval.map(PollInterval::minutes),
            mode: self.mode,
            push_serial: self.serial.map(SerialNumber::into_string),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(pairs: &[(&str, &str)]) -> DeviceInput {
        let mut i = DeviceInput::default();
        for (k, v) in pairs {
            let v = Some(v.to_string());
            match *k {
                "name" => i.name = v,
                "host" => i.host = v,
                "port" => i.port = v,
                "comm_key" => i.comm_key = v,
                "transport" => i.transport = v,
                "timezone" => i.timezone = v,
                "poll_interval_minutes" => i.poll_interval_minutes = v,
                other => panic!("{other}"),
            }
        }
        i
    }

    #[test]
    fn every_error_is_collected() {
        let i = input(&[
            ("name", ""),
            ("host", "http://x"),
            ("port", "99999"),
            ("comm_key", "abc"),
            ("transport", "ftp"),
            ("timezone", "Nowhere/Land"),
            ("poll_interval_minutes", "1"),
        ]);
        let e = i.parse_new(true).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                "comm_key",
                "host",
                "name",
                "poll_interval_minutes",
                "port",
                "timezone",
                "transport"
            ]
        );
        assert!(e.get("comm_key").unwrap().contains("Comm. > Connection"));
        assert!(e.get("transport").unwrap().contains("auto, tcp or udp"));
    }

    #[test]
    fn blank_optional_fields_take_their_defaults() {
        let ok = input(&[("name", "Door"), ("host", "8.8.8.8"), ("port", " ")])
            .parse_new(false)
            .unwrap();
        assert_eq!(ok.port, Port::DEFAULT);
        assert_eq!(ok.transport, Transport::Auto);
        assert_eq!(ok.comm_key, None);
        assert_eq!(ok.timezone, None);
        assert_eq!(ok.poll_interval, None);
        assert!(ok.enabled, "enabled unless said otherwise");
        let typed = input(&[
            ("name", "Door"),
            ("host", "8.8.8.8"),
            ("port", "80"),
            ("comm_key", "0"),
            ("transport", "UDP"),
            ("timezone", "Asia/Tokyo"),
            ("poll_interval_minutes", "1440"),
        ])
        .parse_new(false)
        .unwrap();
        assert_eq!(typed.port.get(), 80);
        assert_eq!(typed.comm_key.map(CommKey::get), Some(0));
        assert_eq!(typed.transport, Transport::Udp);
        assert_eq!(
            typed.timezone.map(|z| z.to_string()).as_deref(),
            Some("Asia/Tokyo")
        );
        assert_eq!(typed.poll_interval.map(PollInterval::minutes), Some(1440));
        // Absent name and host are blank ones.
        let e = DeviceInput::default().parse_new(true).unwrap_err();
        assert!(e.get("name").is_some() && e.get("host").is_some());
    }

    #[test]
    fn private_literals_refused_unless_allowed() {
        let i = input(&[("name", "Door"), ("host", "192.168.1.201")]);
        let e = i.parse_new(false).unwrap_err();
        assert!(e.get("host").unwrap().contains("private"), "{e}");
        assert_eq!(i.parse_new(true).unwrap().port.get(), 4370);
    }

    #[test]
    fn changes_keep_what_is_absent() {
        let c = input(&[("name", "Back door")])
            .parse_changes(false)
            .unwrap();
        assert_eq!(c.name.unwrap().as_str(), "Back door");
        assert_eq!(
            (c.host, c.port, c.transport, c.enabled),
            (None, None, None, None)
        );
        assert_eq!(c.comm_key, CommKeyUpdate::Keep);
        // Blank clears the overrides; blank key keeps the key.
        let c = input(&[
            ("timezone", ""),
            ("poll_interval_minutes", " "),
            ("comm_key", ""),
        ])
        .parse_changes(false)
        .unwrap();
        assert_eq!(c.timezone, Some(None));
        assert_eq!(c.poll_interval, Some(None));
        assert_eq!(c.comm_key, CommKeyUpdate::Keep);
        // A required field cannot be blanked.
        assert!(input(&[("name", " ")])
            .parse_changes(false)
            .unwrap_err()
            .get("name")
            .is_some());
    }

    #[test]
    fn the_comm_key_is_set_kept_or_cleared_never_both() {
        let set = input(&[("comm_key", "4242")]).parse_changes(false).unwrap();
        assert_eq!(set.comm_key, CommKeyUpdate::Set(4242));
        let clear = DeviceInput {
            clear_comm_key: true,
            ..DeviceInput::default()
        };
        assert_eq!(
            clear.parse_changes(false).unwrap().comm_key,
            CommKeyUpdate::Clear
        );
        let both = DeviceInput {
            comm_key: Some("1".into()),
            clear_comm_key: true,
            ..DeviceInput::default()
        };
        let e = both.parse_changes(false).unwrap_err();
        assert!(e.get("comm_key").unwrap().contains("not both"));
    }
}
