//! What the operator can tune about push mode, with defaults that suit a
//! cloud service facing the open internet.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A steady rate with a burst allowance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub per_second: u32,
    pub burst: u32,
}

/// Push mode's knobs (`[push]` in the config file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PushSettings {
    /// Seconds between a device's `getrequest` polls (`Delay`): how soon a
    /// queued command reaches it. "Online" means it called within 3×.
    pub delay_seconds: u32,
    /// Seconds a device waits after a failed request (`ErrorDelay`).
    pub error_delay_seconds: u32,
    /// Minutes between uploads when a device is not in real time.
    pub trans_interval_minutes: u32,
    /// The largest request body accepted; bigger ones get 413.
    pub max_body_bytes: usize,
    /// The most records (lines) one upload may carry.
    pub max_lines: usize,
    /// Requests per claimed serial number.
    pub per_device: Rate,
    /// Requests per source address (many clocks can share one NAT address).
    pub per_source: Rate,
    /// Requests per unclaimed serial number.
    pub per_unclaimed: Rate,
    /// Requests of all unclaimed serials together, so strangers cannot
    /// crowd out the customers' devices.
    pub all_unclaimed: Rate,
    /// Unclaimed serials remembered for the operator; more are counted
    /// and dropped.
    pub unclaimed_max: u32,
    /// Days after which an unclaimed serial that stopped calling is forgotten.
    pub unclaimed_forget_days: u32,
    /// Uploads of one company committed at once (the rest queue), so one
    /// company's backlog cannot hold up the others.
    pub uploads_per_company: u32,
    /// Minutes after which a command handed out without a result is
    /// handed out again.
    pub command_resend_minutes: u32,
    /// Milliseconds between writes of who called (batched).
    pub flush_ms: u64,
}

impl Default for PushSettings {
    fn default() -> Self {
        PushSettings {
            delay_seconds: 10,
            error_delay_seconds: 30,
            trans_interval_minutes: 1,
            max_body_bytes: 2 * 1024 * 1024,
            max_lines: 20_000,
            per_device: Rate {
                per_second: 20,
                burst: 60,
            },
            per_source: Rate {
                per_second: 200,
                burst: 400,
            },
            per_unclaimed: Rate {
                per_second: 1,
                burst: 5,
            },
            all_unclaimed: Rate {
                per_second: 50,
                burst: 100,
            },
            unclaimed_max: 10_000,
            unclaimed_forget_days: 30,
            uploads_per_company: 2,
            command_resend_minutes: 10,
            flush_ms: 2_000,
        }
    }
}

impl PushSettings {
    pub fn flush_every(&self) -> Duration {
        Duration::from_millis(self.flush_ms.max(10))
    }

    pub fn command_resend_after(&self) -> Duration {
        Duration::from_secs(u64::from(self.command_resend_minutes.max(1)) * 60)
    }

    pub fn unclaimed_forget_after(&self) -> Duration {
        Duration::from_secs(u64::from(self.unclaimed_forget_days.max(1)) * 86_400)
    }
}
