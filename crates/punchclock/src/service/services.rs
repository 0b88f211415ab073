//! The handle every operation hangs off: the store, the poller, billing,
//! the clock and the operator's settings. Each concept's file adds its own
//! accessor (`services.devices()`, …), so this file knows none of them.

use jiff::Timestamp;

use super::account::password::Hashing;
use super::error::{ServiceError, ServiceResult};
use super::throttle::{self, Throttle};
use crate::billing::Billing;
use crate::clock::Clock;
use crate::domain::{AccountId, CompanyId};
use crate::mail::Composer;
use crate::store::Store;
use crate::sync::Syncer;

/// Who is asking: every operation is scoped to this company, and changes
/// are recorded as made by this account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub company_id: CompanyId,
    pub account_id: AccountId,
}

impl Caller {
    /// A background job acting for `company` (the end-of-day reports): it
    /// only reads through the services, so no change is ever recorded as
    /// made by account 0.
    pub fn job(company_id: CompanyId) -> Caller {
        Caller {
            company_id,
            account_id: AccountId(0),
        }
    }
}

/// The operator's settings the services apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Allow device hosts on private, loopback or link-local addresses.
    pub allow_private_device_addresses: bool,
    /// Poll interval of a new company.
    pub poll_interval_minutes: u32,
    /// Sign-in, sign-up and reset attempts allowed.
    pub rate_limits: throttle::Limits,
    /// Memory password hashing may use at once, in MiB.
    pub password_hashing_memory_mib: u32,
    /// Allow webhook URLs on private or loopback addresses (and http://).
    pub allow_private_webhook_addresses: bool,
    /// A browser session unused this long ends.
    pub session_idle_minutes: u32,
    /// Where push devices reach us, and how often they call.
    pub push: PushSetup,
}

/// What push devices are told to call, and how often they do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushSetup {
    /// The server address to enter on the device; empty: the host the web
    /// app is reached by.
    pub server_address: String,
    /// The port to enter there.
    pub server_port: u16,
    pub https: bool,
    /// The `Delay` handed out; "online" means a call within 3× it.
    pub delay_seconds: u32,
}

impl Settings {
    /// The operator's defaults, with private device addresses as given.
    pub fn new(allow_private_device_addresses: bool, poll_interval_minutes: u32) -> Settings {
        Settings {
            allow_private_device_addresses,
            poll_interval_minutes,
            rate_limits: throttle::Limits::default(),
            password_hashing_memory_mib: 256,
            allow_private_webhook_addresses: false,
            push: PushSetup {
                server_port: 8080,
                delay_seconds: 10,
                ..PushSetup::default()
            },
            session_idle_minutes: 3 * 24 * 60,
        }
    }
}

/// Everything the services reach. Cheap to clone; clones share the pools.
#[derive(Clone)]
pub struct Services {
    pub(super) store: Store,
    pub(super) syncer: Syncer,
    pub(super) billing: Billing,
    pub(super) clock: Clock,
    pub(super) settings: Settings,
    /// Writes mail for the outbox; `None` while mail is off.
    pub(super) mail: Option<Composer>,
    pub(super) throttle: Throttle,
    pub(super) hashing: Hashing,
    /// Session uses noted but not yet written (see `sessions.rs`).
    pub(super) session_uses: super::sessions::PendingUses,
}

impl Services {
    pub fn new(
        store: Store,
        syncer: Syncer,
        billing: Billing,
        clock: Clock,
        settings: Settings,
    ) -> Self {
        Services {
            throttle: Throttle::new(settings.rate_limits, clock.clone()),
            hashing: Hashing::new(settings.password_hashing_memory_mib),
            session_uses: Default::default(),
            store,
            syncer,
            billing,
            clock,
            settings,
            mail: None,
        }
    }

    /// Turns mail on (with the composer that writes it).
    pub fn with_mail(mut self, mail: Option<Composer>) -> Self {
        self.mail = mail;
        self
    }

    /// Whether mail is configured (pages say so when it is not).
    pub fn mail_enabled(&self) -> bool {
        self.mail.is_some()
    }

    /// The service's "now" (moved by tests).
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Refuse a change while the account is blocked or its trial ended.
    pub(super) async fn require_good_standing(&self, caller: &Caller) -> ServiceResult<()> {
        let standing = self.billing.standing(caller.company_id).await?;
        if standing.blocked {
            return Err(ServiceError::Blocked(Box::new(standing)));
        }
        Ok(())
    }
}
