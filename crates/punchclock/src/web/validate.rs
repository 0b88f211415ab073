//! Field validation shared by the pages and the API, with messages a shop
//! owner can act on. Validators take text as typed (forms send text; the API
//! turns JSON scalars into text first) and return the clean value or a
//! message; the form-level functions collect messages per field.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use serde::Serialize;

use crate::domain::{CommKeyUpdate, DeviceUpdate, EmployeeUpdate, NewDevice, Transport, Zone};
use crate::sync::address::{first_public, non_public_reason};

/// The port ZKTeco devices listen on unless changed.
pub const DEFAULT_PORT: u16 = 4370;
pub const MIN_POLL_MINUTES: u32 = 5;
pub const MAX_POLL_MINUTES: u32 = 1440;
const MAX_COMM_KEY: u32 = 999_999;

/// Field name → message, for every field that needs fixing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }

    /// Adds `other`'s messages, keeping ours where both have one.
    pub fn merge(&mut self, other: FieldErrors) {
        for (k, v) in other.0 {
            self.0.entry(k).or_insert(v);
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The value, or `None` after recording the message under `field`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(m) => {
                self.add(field, m);
                None
            }
        }
    }

    /// `Ok(value)` when no message was recorded.
    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, FieldErrors> {
        if !self.is_empty() {
            return Err(self);
        }
        // Every `check` succeeded, so `value` has all its parts.
        value().ok_or(self)
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (field, message)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{field}: {message}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}

type Check<T> = Result<T, String>;

fn required<'a>(value: &'a str, message: &str) -> Check<&'a str> {
    let v = value.trim();
    if v.is_empty() {
        Err(message.to_owned())
    } else {
        Ok(v)
    }
}

fn max_len(value: &str, max: usize, what: &str) -> Check<()> {
    if value.chars().count() > max {
        Err(format!("Keep the {what} to {max} characters or fewer."))
    } else {
        Ok(())
    }
}

/// Blank means "not set".
fn optional(value: &str) -> Option<&str> {
    Some(value.trim()).filter(|v| !v.is_empty())
}

// ---- single fields ----

pub fn company_name(value: &str) -> Check<String> {
    let v = required(value, "Enter the name of your company.")?;
    max_len(v, 100, "company name")?;
    Ok(v.to_owned())
}

/// An IANA time zone, named as the database spells it.
pub fn timezone(value: &str) -> Check<Zone> {
    let v = required(
        value,
        "Choose a time zone, like Europe/Berlin or America/New_York.",
    )?;
    match Zone::parse(v) {
        Ok(zone) => Ok(zone),
        Err(_) => Err(format!(
            "\"{v}\" is not a time zone we know. Use a name like Europe/Berlin or America/New_York."
        )),
    }
}

pub fn email(value: &str) -> Check<String> {
    let v = required(value, "Enter an email address.")?;
    let bad = || Err("Enter an email address like name@example.com.".to_owned());
    if v.len() > 254 || v.chars().any(char::is_whitespace) {
        return bad();
    }
    match v.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.') =>
        {
            Ok(v.to_owned())
        }
        _ => bad(),
    }
}

pub fn optional_email(value: &str) -> Check<Option<String>> {
    optional(value).map(email).transpose()
}

pub fn password(value: &str) -> Check<String> {
    let n = value.chars().count();
    if n < 8 {
        Err("Use at least 8 characters for the password.".into())
    } else if n > 1000 {
        Err("Keep the password to 1000 characters or fewer.".into())
    } else {
        Ok(value.to_owned())
    }
}

pub fn device_name(value: &str) -> Check<String> {
    let v = required(
        value,
        "Give the device a name, like \"Front door\" or \"Warehouse\".",
    )?;
    max_len(v, 80, "device name")?;
    Ok(v.to_owned())
}

const HOST_HINT: &str =
    "Enter only the address, like 203.0.113.7 or clock.example.com, without http:// or a port.";

/// An IPv4/IPv6 literal or a DNS name: no scheme, port or path.
pub fn host(value: &str) -> Check<String> {
    let v = required(
        value,
        "Enter the device's address, like 203.0.113.7 or clock.example.com.",
    )?;
    if v.contains("://") || v.contains('/') || v.contains('?') || v.contains('@') {
        return Err(HOST_HINT.into());
    }
    let bare = v
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(v);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(ip.to_string());
    }
    if v.contains(':') {
        return Err(format!(
            "{HOST_HINT} Put the port number in the Port field."
        ));
    }
    let name = v.strip_suffix('.').unwrap_or(v).to_ascii_lowercase();
    let labels: Vec<&str> = name.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if name.len() > 253 || !labels.iter().all(label_ok) {
        return Err(format!("\"{v}\" is not a valid address. {HOST_HINT}"));
    }
    // Top-level domains are never numeric, so this is a mistyped IP address.
    if labels
        .last()
        .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(format!(
            "\"{v}\" is not a valid IP address: an IPv4 address is four numbers from 0 to 255, like 203.0.113.7."
        ));
    }
    Ok(name)
}

/// Blank means the ZKTeco default, 4370.
pub fn port(value: &str) -> Check<u16> {
    let Some(v) = optional(value) else {
        return Ok(DEFAULT_PORT);
    };
    match v.parse::<u32>() {
        Ok(p) if (1..=65535).contains(&p) => Ok(p as u16),
        _ => Err(format!(
            "The port is a number from 1 to 65535; ZKTeco devices use {DEFAULT_PORT} unless it was changed."
        )),
    }
}

/// Blank means no comm key.
pub fn comm_key(value: &str) -> Check<Option<u32>> {
    let Some(v) = optional(value) else {
        return Ok(None);
    };
    match v.parse::<u32>() {
        Ok(k) if k <= MAX_COMM_KEY && v.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(k)),
        _ => Err(
            "The comm key is the numeric password set on the device under Comm. > Connection: digits only, from 0 to 999999."
                .into(),
        ),
    }
}

/// Blank means automatic.
pub fn transport(value: &str) -> Check<Transport> {
    let Some(v) = optional(value) else {
        return Ok(Transport::Auto);
    };
    v.to_ascii_lowercase()
        .parse()
        .map_err(|_| "Choose auto, tcp or udp (auto tries TCP first, then UDP).".to_owned())
}

/// Minutes between polls, 5 to 1440.
pub fn poll_interval(value: &str) -> Check<u32> {
    let v = required(
        value,
        "Enter how many minutes to wait between polls (5 to 1440).",
    )?;
    match v.parse::<u32>() {
        Ok(m) if (MIN_POLL_MINUTES..=MAX_POLL_MINUTES).contains(&m) => Ok(m),
        _ => Err(format!(
            "Poll every {MIN_POLL_MINUTES} to {MAX_POLL_MINUTES} minutes (1440 is once a day)."
        )),
    }
}

/// Blank means "use the company setting".
pub fn optional_poll_interval(value: &str) -> Check<Option<u32>> {
    optional(value).map(poll_interval).transpose()
}

/// Blank means "use the company time zone".
pub fn optional_timezone(value: &str) -> Check<Option<Zone>> {
    optional(value).map(timezone).transpose()
}

pub fn person_name(value: &str, what: &str) -> Check<Option<String>> {
    let v = optional(value);
    if let Some(v) = v {
        max_len(v, 60, what)?;
    }
    Ok(v.map(str::to_owned))
}

pub fn designation(value: &str) -> Check<Option<String>> {
    let v = optional(value);
    if let Some(v) = v {
        max_len(v, 80, "designation")?;
    }
    Ok(v.map(str::to_owned))
}

/// A literal IP address that the service is not allowed to contact. Names
/// are checked by [`vet_host`], which resolves them.
pub fn literal_host_refused(host: &str, allow_private: bool) -> Option<String> {
    if allow_private {
        return None;
    }
    let ip: IpAddr = host.parse().ok()?;
    non_public_reason(ip).map(|reason| refused_message(host, &ip, reason))
}

fn refused_message(host: &str, ip: &IpAddr, reason: &str) -> String {
    let target = if host == ip.to_string() {
        format!("{ip} is {reason}")
    } else {
        format!("{host} resolves to {ip}, {reason}")
    };
    format!(
        "{target}, which this service cannot reach. Enter the public IP address or DNS name of the router in front of the device, and forward the port to it."
    )
}

/// Refuse a host whose every address is private, loopback or similar (unless
/// allowed). A name that does not resolve now is accepted: dynamic-DNS names
/// may not be set up yet, and every poll resolves again and reports.
pub async fn vet_host(host: &str, port: u16, allow_private: bool) -> Check<()> {
    if allow_private {
        return Ok(());
    }
    if let Some(m) = literal_host_refused(host, false) {
        return Err(m);
    }
    let Ok(addrs) = zk_client::resolve(host, port, Duration::from_secs(3)).await else {
        return Ok(());
    };
    match first_public(&addrs) {
        Ok(_) | Err(None) => Ok(()),
        Err(Some((ip, reason))) => Err(refused_message(host, &ip, reason)),
    }
}

// ---- whole forms ----

/// Sign-up as typed.
#[derive(Debug, Clone, Default)]
pub struct SignupForm {
    pub company: String,
    pub email: String,
    pub password: String,
    pub timezone: String,
}

/// Sign-up, validated.
#[derive(Debug, Clone)]
pub struct Signup {
    pub company: String,
    pub email: String,
    pub password: String,
    pub timezone: Zone,
}

pub fn signup(form: &SignupForm) -> Result<Signup, FieldErrors> {
    let mut e = FieldErrors::default();
    let company = e.check("company", company_name(&form.company));
    let email = e.check("email", email(&form.email));
    let password = e.check("password", password(&form.password));
    let timezone = e.check("timezone", timezone(&form.timezone));
    e.finish(|| {
        Some(Signup {
            company: company?,
            email: email?,
            password: password?,
            timezone: timezone?,
        })
    })
}

/// Device settings as typed. Blank optional fields take their defaults.
#[derive(Debug, Clone)]
pub struct DeviceForm {
    pub name: String,
    pub host: String,
    pub port: String,
    pub comm_key: String,
    pub transport: String,
    pub timezone: String,
    pub poll_interval_minutes: String,
    pub enabled: bool,
}

impl Default for DeviceForm {
    fn default() -> Self {
        DeviceForm {
            name: String::new(),
            host: String::new(),
            port: String::new(),
            comm_key: String::new(),
            transport: String::new(),
            timezone: String::new(),
            poll_interval_minutes: String::new(),
            enabled: true,
        }
    }
}

/// Device settings, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceFields {
    pub name: String,
    pub host: String,
    pub port: u16,
    /// `None` when the comm key field was blank.
    pub comm_key: Option<u32>,
    pub transport: Transport,
    pub timezone: Option<Zone>,
    pub poll_interval_minutes: Option<u32>,
    pub enabled: bool,
}

impl DeviceFields {
    pub fn into_new_device(self) -> NewDevice {
        NewDevice {
            name: self.name,
            host: self.host,
            port: self.port,
            comm_key: self.comm_key,
            transport: self.transport,
            timezone: self.timezone,
            enabled: self.enabled,
            poll_interval_minutes: self.poll_interval_minutes,
        }
    }

    /// The edit form never shows the stored key, so the caller says what a
    /// blank key field means (usually [`CommKeyUpdate::Keep`]).
    pub fn into_update(self, blank_key: CommKeyUpdate) -> DeviceUpdate {
        DeviceUpdate {
            name: self.name,
            host: self.host,
            port: self.port,
            transport: self.transport,
            timezone: self.timezone,
            enabled: self.enabled,
            poll_interval_minutes: self.poll_interval_minutes,
            comm_key: self.comm_key.map_or(blank_key, CommKeyUpdate::Set),
        }
    }
}

/// Validate device settings; literal private addresses are refused here
/// unless allowed (names need [`vet_host`]).
pub fn device(form: &DeviceForm, allow_private: bool) -> Result<DeviceFields, FieldErrors> {
    let mut e = FieldErrors::default();
    let name = e.check("name", device_name(&form.name));
    let host = e.check("host", host(&form.host));
    if let Some(m) = host
        .as_deref()
        .and_then(|h| literal_host_refused(h, allow_private))
    {
        e.add("host", m);
    }
    let port = e.check("port", port(&form.port));
    let comm_key = e.check("comm_key", comm_key(&form.comm_key));
    let transport = e.check("transport", transport(&form.transport));
    let timezone = e.check("timezone", optional_timezone(&form.timezone));
    let poll = e.check(
        "poll_interval_minutes",
        optional_poll_interval(&form.poll_interval_minutes),
    );
    e.finish(|| {
        Some(DeviceFields {
            name: name?,
            host: host?,
            port: port?,
            comm_key: comm_key?,
            transport: transport?,
            timezone: timezone?,
            poll_interval_minutes: poll?,
            enabled: form.enabled,
        })
    })
}

/// Company settings as typed.
#[derive(Debug, Clone, Default)]
pub struct CompanyForm {
    pub name: String,
    pub timezone: String,
    pub poll_interval_minutes: String,
}

pub fn company(form: &CompanyForm) -> Result<crate::domain::CompanySettings, FieldErrors> {
    let mut e = FieldErrors::default();
    let name = e.check("name", company_name(&form.name));
    let timezone = e.check("timezone", timezone(&form.timezone));
    let poll = e.check(
        "poll_interval_minutes",
        poll_interval(&form.poll_interval_minutes),
    );
    e.finish(|| {
        Some(crate::domain::CompanySettings {
            name: name?,
            timezone: timezone?,
            poll_interval_minutes: poll?,
        })
    })
}

/// Employee details as typed.
#[derive(Debug, Clone)]
pub struct EmployeeForm {
    pub first_name: String,
    pub last_name: String,
    pub designation: String,
    pub email: String,
    pub active: bool,
}

pub fn employee(form: &EmployeeForm) -> Result<EmployeeUpdate, FieldErrors> {
    let mut e = FieldErrors::default();
    let first = e.check("first_name", person_name(&form.first_name, "first name"));
    let last = e.check("last_name", person_name(&form.last_name, "last name"));
    let designation = e.check("designation", designation(&form.designation));
    let email = e.check("email", optional_email(&form.email));
    e.finish(|| {
        Some(EmployeeUpdate {
            first_name: first?,
            last_name: last?,
            designation: designation?,
            email: email?,
            active: form.active,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(host(" 203.0.113.7 ").unwrap(), "203.0.113.7");
        assert_eq!(host("[2001:db8::1]").unwrap(), "2001:db8::1");
        assert_eq!(host("Clock.Example.com.").unwrap(), "clock.example.com");
        assert_eq!(host("localhost").unwrap(), "localhost");
        for bad in [
            "http://203.0.113.7",
            "203.0.113.7:4370",
            "clock.example.com:4370",
            "clock.example.com/zk",
            "203.0.113.999",
            "clock_1.example.com",
            "-clock.example.com",
            "a..b",
            "",
        ] {
            assert!(host(bad).is_err(), "{bad:?} must be refused");
        }
        assert!(host("http://x.com")
            .unwrap_err()
            .contains("without http://"));
        assert!(host("x.com:4370").unwrap_err().contains("Port field"));
    }

    #[test]
    fn ports_keys_transports_intervals() {
        assert_eq!(port(""), Ok(4370));
        assert_eq!(port("80"), Ok(80));
        assert!(port("0").is_err() && port("65536").is_err() && port("x").is_err());
        assert_eq!(comm_key(""), Ok(None));
        assert_eq!(comm_key("0"), Ok(Some(0)));
        assert_eq!(comm_key("999999"), Ok(Some(999_999)));
        assert!(comm_key("1000000").is_err());
        assert!(comm_key("+12").is_err() && comm_key("12a").is_err() && comm_key("-1").is_err());
        assert!(comm_key("x").unwrap_err().contains("Comm. > Connection"));
        assert_eq!(transport("UDP"), Ok(Transport::Udp));
        assert_eq!(transport(""), Ok(Transport::Auto));
        assert!(transport("http").is_err());
        assert_eq!(poll_interval("5"), Ok(5));
        assert_eq!(poll_interval("1440"), Ok(1440));
        assert!(poll_interval("4").is_err() && poll_interval("1441").is_err());
        assert_eq!(optional_poll_interval(""), Ok(None));
    }

    #[test]
    fn zones_emails_passwords() {
        assert_eq!(timezone("Europe/Berlin").unwrap().name(), "Europe/Berlin");
        assert!(timezone("Mars/Olympus").is_err());
        assert!(timezone("").is_err());
        assert!(email("ana@example.com").is_ok());
        for bad in ["ana", "ana@", "@x.com", "a b@x.com", "a@x", "a@@x.com"] {
            assert!(email(bad).is_err(), "{bad}");
        }
        assert_eq!(optional_email(" "), Ok(None));
        assert!(password("1234567").is_err());
        assert!(password("12345678").is_ok());
    }

    #[test]
    fn device_form_collects_every_error() {
        let form = DeviceForm {
            name: "".into(),
            host: "http://x".into(),
            port: "99999".into(),
            comm_key: "abc".into(),
            transport: "ftp".into(),
            timezone: "Nowhere/Land".into(),
            poll_interval_minutes: "1".into(),
            enabled: true,
        };
        let e = device(&form, true).unwrap_err();
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
    }

    #[test]
    fn private_literals_refused_unless_allowed() {
        let form = DeviceForm {
            name: "Door".into(),
            host: "192.168.1.201".into(),
            ..DeviceForm::default()
        };
        let e = device(&form, false).unwrap_err();
        assert!(e.get("host").unwrap().contains("private"), "{e}");
        let ok = device(&form, true).unwrap();
        assert_eq!(ok.port, 4370);
        assert_eq!(ok.transport, Transport::Auto);
    }

    #[tokio::test]
    async fn names_resolving_to_loopback_are_refused() {
        let m = vet_host("localhost", 4370, false).await.unwrap_err();
        assert!(m.contains("loopback"), "{m}");
        assert!(vet_host("localhost", 4370, true).await.is_ok());
        // Unresolvable now: accepted, the poll reports it later.
        assert!(vet_host("clock.invalid", 4370, false).await.is_ok());
    }
}
