//! Service configuration: defaults, then a TOML file, then `PUNCHCLOCK_*`
//! environment variables, then command-line flags (each overriding the last).

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;

use crate::billing::{default_plans, Plan};
use crate::push::PushSettings;
use crate::service::throttle::Limits as RateLimits;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Everything `punchclock serve` can be told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address the web server listens on. It also answers push devices
    /// (`/iclock/*`).
    pub listen: SocketAddr,
    /// A second address that answers only push devices, e.g. plain HTTP
    /// on a port of its own for clocks that cannot do HTTPS.
    pub push_listen: Option<SocketAddr>,
    /// What a customer enters as the server address in the device's Cloud
    /// Server Setting; empty means the host name the web app is reached by.
    pub push_server_address: String,
    /// The port to enter there; empty means `push_listen`'s port, else the
    /// web app's.
    pub push_server_port: Option<u16>,
    /// Whether devices reach the push endpoint over HTTPS (behind a proxy).
    pub push_https: bool,
    /// Push mode's protocol options and limits (`[push]`).
    pub push: PushSettings,
    /// Where the embedded SQLite database lives.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; empty means SQLite in `data_dir`.
    pub database_url: String,
    /// Default minutes between polls of a device (a company setting overrides it).
    pub poll_interval_minutes: u32,
    /// The address our poller connects from, shown on Manage Devices for
    /// routers that filter by source address.
    pub public_address: String,
    /// Allow device hosts that resolve to private, loopback or link-local
    /// addresses. Off by default: a cloud service must not be pointed at its
    /// own network.
    pub allow_private_device_addresses: bool,
    /// How many devices are polled at once by this instance. A poll is
    /// mostly waiting on the network: about 8 round trips when nothing
    /// changed, more for a download. So the polls in flight a cycle needs
    /// follow the round trip, not the cores (devices × round trips × RTT ÷
    /// cycle time: 10,000 unchanged devices at 100 ms in 60 s need about
    /// 140). Each costs a socket and at most one batch of punches
    /// (`poll_batch_punches`) in memory.
    pub max_concurrent_polls: usize,
    /// Database statements slower than this (milliseconds) are counted and
    /// reported in a summary line a minute, never with their SQL values.
    pub slow_query_ms: u64,
    /// SQLite connections that only read (pages, the API), beside the one
    /// connection that writes.
    pub sqlite_read_connections: u32,
    /// How many realtime devices this instance keeps a live connection to;
    /// the rest are polled until an instance with room takes them.
    pub max_live_connections: usize,
    /// Seconds allowed for each protocol step of a poll.
    pub device_timeout_seconds: u64,
    /// Seconds a whole poll may take at most, whatever the device holds
    /// (within it, a sync gets `poll_attempt_base_seconds` plus 2 ms per
    /// record). A device's lease lasts this plus a minute, so an instance
    /// that dies mid-poll hands its devices to the others within that time.
    pub poll_attempt_timeout_seconds: u64,
    /// A sync may take this long plus 2 ms per record the device holds,
    /// up to `poll_attempt_timeout_seconds`.
    pub poll_attempt_base_seconds: u64,
    /// Most punches a sync stores per transaction. A sync is written batch
    /// by batch as it is read, so a big device never holds the database.
    pub poll_batch_punches: usize,
    /// A sync hands every punch to the store at least this often (hours),
    /// even when the device's counters say nothing changed; 0 makes every
    /// sync a full one (incremental polling off).
    pub full_sync_hours: u32,
    /// Device-log entries older than this many days are pruned.
    pub device_log_days: u32,
    /// Lets `/metrics` be read from other hosts with `Authorization:
    /// Bearer <token>`; without it only loopback clients may read it.
    pub metrics_token: String,
    /// Name of this instance when several share one PostgreSQL.
    pub instance_id: String,
    /// Mark session cookies `Secure` (turn on behind HTTPS).
    pub secure_cookies: bool,
    /// Length of the free trial a new company gets, on the smallest plan.
    pub trial_days: u32,
    /// The plan catalog (`[[plans]]` tables in the file).
    pub plans: Vec<Plan>,
    /// Outgoing mail: `smtp://user:pass@host:587` (STARTTLS required),
    /// `smtps://user:pass@host:465` (TLS), or `smtp://host:25?tls=none` for
    /// a relay on this machine. Empty: mail is off.
    pub smtp_url: String,
    /// The From of outgoing mail, e.g. `Punchclock <reports@example.com>`.
    pub mail_from: String,
    /// How people reach this service, for links in mail
    /// (`https://punchclock.example.com`); default `http://<listen>`.
    pub public_url: String,
    /// Allow webhook URLs on private, loopback or link-local addresses,
    /// and plain `http://` (tests, a receiver on the same network).
    pub allow_private_webhook_addresses: bool,
    /// HTTP connections served at once; more wait to be accepted.
    pub max_connections: usize,
    /// Seconds a client has to send a request's headers; also how long an
    /// idle keep-alive connection stays open.
    pub header_read_timeout_seconds: u64,
    /// Seconds a client has to send a whole request body.
    pub body_read_timeout_seconds: u64,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Seconds a request may take to answer (a manual sync included).
    pub request_timeout_seconds: u64,
    /// 64 hex digits sealing secrets at rest (device comm keys). Empty: a
    /// key file made on first start in the data directory. Instances that
    /// share one PostgreSQL must share this key.
    pub secrets_key: String,
    /// A browser session unused this many minutes ends (sign in again).
    pub session_idle_minutes: u32,
    /// Memory password hashing may hold at once, in MiB (19 MiB a hash).
    pub password_hashing_memory_mib: u32,
    /// Sign-in, sign-up and password-reset attempts, and manual device
    /// contacts, allowed
    /// (`[rate_limits]`: `per_ip_per_minute`, `per_account_per_hour`,
    /// `device_contacts_per_company_per_minute`).
    pub rate_limits: RateLimits,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".parse().expect("valid literal"),
            push_listen: None,
            push_server_address: String::new(),
            push_server_port: None,
            push_https: false,
            push: PushSettings::default(),
            data_dir: PathBuf::from("data"),
            database_url: String::new(),
            poll_interval_minutes: 30,
            public_address: String::new(),
            allow_private_device_addresses: false,
            max_concurrent_polls: 256,
            slow_query_ms: 1000,
            sqlite_read_connections: 4,
            max_live_connections: 2000,
            device_timeout_seconds: 10,
            poll_attempt_timeout_seconds: 600,
            poll_attempt_base_seconds: 60,
            poll_batch_punches: 2000,
            full_sync_hours: 24,
            device_log_days: 90,
            metrics_token: String::new(),
            instance_id: String::new(),
            secure_cookies: false,
            trial_days: 14,
            plans: default_plans(),
            smtp_url: String::new(),
            mail_from: String::new(),
            public_url: String::new(),
            allow_private_webhook_addresses: false,
            max_connections: 4096,
            header_read_timeout_seconds: 10,
            body_read_timeout_seconds: 15,
            max_body_bytes: 1024 * 1024,
            request_timeout_seconds: 300,
            secrets_key: String::new(),
            session_idle_minutes: 3 * 24 * 60,
            password_hashing_memory_mib: 256,
            rate_limits: RateLimits::default(),
        }
    }
}

impl Config {
    /// Layer defaults, the file (if any) and the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, Box<figment::Error>> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => fig = fig.merge(Toml::file_exact(path)),
            None => fig = fig.merge(Toml::file("punchclock.toml")),
        }
        // Only variables naming a setting: others share the prefix (test
        // and CI helpers) and must not make the service refuse to start.
        let keys = Config::keys();
        fig.merge(
            Env::prefixed("PUNCHCLOCK_").filter(move |k| keys.iter().any(|f| k == f.as_str())),
        )
        .extract()
        .map_err(Box::new)
    }

    /// The setting names, as they appear in the file (and, upper-cased with
    /// the `PUNCHCLOCK_` prefix, in the environment).
    fn keys() -> Vec<String> {
        match serde_json::to_value(Config::default()) {
            Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// The database URL, defaulting to SQLite in the data directory.
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("punchclock.sqlite").display()
            )
        } else {
            self.database_url.clone()
        }
    }

    /// The base of links in mail.
    pub fn public_url(&self) -> String {
        if self.public_url.is_empty() {
            format!("http://{}", self.listen)
        } else {
            self.public_url.trim_end_matches('/').to_owned()
        }
    }

    /// A stable-enough name for this instance when none is configured.
    pub fn instance_name(&self) -> String {
        if self.instance_id.is_empty() {
            format!("{}-{}", hostname(), std::process::id())
        } else {
            self.instance_id.clone()
        }
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "punchclock".into())
}

#[cfg(test)]
// figment::Jail's closures return its own (large) error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn layers_override_in_order() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "custom.toml",
                "poll_interval_minutes = 15\npublic_address = \"203.0.113.7\"\n",
            )?;
            jail.set_env("PUNCHCLOCK_POLL_INTERVAL_MINUTES", "5");
            let c = Config::load(Some(Path::new("custom.toml"))).map_err(|e| *e)?;
            assert_eq!(c.poll_interval_minutes, 5, "env beats file");
            assert_eq!(c.public_address, "203.0.113.7", "file beats default");
            assert!(!c.allow_private_device_addresses, "default stays");
            Ok(())
        });
    }

    #[test]
    fn plans_come_from_the_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "plans.toml",
                "[[plans]]\nid = \"solo\"\nname = \"Solo\"\nseats = 3\nmonthly_price_cents = 900\n\
                 [[plans]]\nid = \"duo\"\nname = \"Duo\"\nseats = 6\nmonthly_price_cents = 1500\ndevices = 2\n",
            )?;
            let c = Config::load(Some(Path::new("plans.toml"))).map_err(|e| *e)?;
            assert_eq!(c.plans.len(), 2);
            assert_eq!(c.plans[0].seats, Some(3));
            // A plan without `devices` caps none; with it, that many.
            assert_eq!(c.plans[0].devices, None);
            assert_eq!(c.plans[1].devices, Some(2));
            assert_eq!(Config::default().plans.len(), 5);
            assert_eq!(Config::default().trial_days, 14);
            Ok(())
        });
    }

    #[test]
    fn other_punchclock_variables_are_not_settings() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("PUNCHCLOCK_TEST_POSTGRES_URL", "postgres://x@y/z");
            jail.set_env("PUNCHCLOCK_PUBLIC_ADDRESS", "198.51.100.1");
            let c = Config::load(None).map_err(|e| *e)?;
            assert_eq!(c.public_address, "198.51.100.1");
            Ok(())
        });
    }

    #[test]
    fn push_settings_from_the_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "push.toml",
                "push_listen = \"127.0.0.1:8081\"\n[push]\ndelay_seconds = 5\n",
            )?;
            jail.set_env("PUNCHCLOCK_PUSH_HTTPS", "true");
            let c = Config::load(Some(Path::new("push.toml"))).map_err(|e| *e)?;
            assert_eq!(c.push_listen, Some("127.0.0.1:8081".parse().unwrap()));
            assert_eq!(c.push.delay_seconds, 5);
            assert_eq!(c.push.max_lines, PushSettings::default().max_lines);
            assert!(c.push_https);
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_are_rejected() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("bad.toml", "pol_interval = 3\n")?;
            assert!(Config::load(Some(Path::new("bad.toml"))).is_err());
            Ok(())
        });
    }

    #[test]
    fn sqlite_in_data_dir_by_default() {
        let c = Config {
            data_dir: "/var/lib/pc".into(),
            ..Config::default()
        };
        assert_eq!(
            c.database_url(),
            "sqlite:///var/lib/pc/punchclock.sqlite?mode=rwc"
        );
    }
}
