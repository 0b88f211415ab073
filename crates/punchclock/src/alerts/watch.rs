//! The alert job: every tick, evaluate the rules for every company and
//! device, open alerts for conditions that are new and resolve open ones
//! whose condition is gone. Opening and resolving are transactions that
//! also queue the mails and webhook events, and the open-alert index makes
//! an alert unique per rule and subject, so several instances running the
//! job open each alert once.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use tokio::sync::watch;

use super::message::{self, Change};
use super::rules;
use crate::clock::Clock;
use crate::domain::{Alert, AlertCondition, AlertKind, CompanyId};
use crate::mail::Composer;
use crate::store::{CompanyHealth, DeviceHealth, Store, StoreError};

/// Pause between ticks.
pub const TICK: Duration = Duration::from_secs(15);

/// What one tick did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Changes {
    pub opened: usize,
    pub resolved: usize,
}

/// Watches device health.
#[derive(Clone)]
pub struct AlertWatch {
    store: Store,
    clock: Clock,
    composer: Option<Composer>,
    /// The `Delay` push devices get (operator's `push.delay_seconds`).
    push_delay_seconds: u32,
}

type Key = (CompanyId, AlertKind, String);

impl AlertWatch {
    pub fn new(
        store: Store,
        clock: Clock,
        composer: Option<Composer>,
        push_delay_seconds: u32,
    ) -> Self {
        AlertWatch {
            store,
            clock,
            composer,
            push_delay_seconds,
        }
    }

    /// One pass over everything.
    pub async fn tick(&self) -> Result<Changes, StoreError> {
        let devices = self.store.device_health().await?;
        let companies = self.store.company_health().await?;
        let open: HashMap<Key, Alert> = self
            .store
            .all_open_alerts()
            .await?
            .into_iter()
            .map(|a| ((a.company_id, a.kind, subject_key(&a)), a))
            .collect();
        let names: HashMap<i64, String> = devices
            .iter()
            .map(|d| (d.device_id.0, d.name.clone()))
            .collect();
        let now = rules::Now {
            at: self.clock.now(),
            push_delay_seconds: self.push_delay_seconds,
        };
        let wanted = conditions(&companies, &devices, &open, now);
        let mut changes = Changes::default();
        let mut keep = HashSet::new();
        for (company, c) in &wanted {
            let key = (*company, c.kind, c.subject.key());
            keep.insert(key.clone());
            if !open.contains_key(&key) && self.open(*company, c, &names).await? {
                changes.opened += 1;
            }
        }
        for (key, alert) in &open {
            if !keep.contains(key) && self.resolve(alert, &names).await? {
                changes.resolved += 1;
            }
        }
        Ok(changes)
    }

    async fn open(
        &self,
        company: CompanyId,
        c: &AlertCondition,
        names: &HashMap<i64, String>,
    ) -> Result<bool, StoreError> {
        let to = self.store.alert_recipients(company).await?;
        let now = self.clock.now();
        let composer = self.composer.as_ref();
        let opened = self
            .store
            .open_alert(company, c, |a| {
                let name = a
                    .device_id
                    .and_then(|d| names.get(&d.0))
                    .map(String::as_str);
                let about = name.unwrap_or("Your account");
                (
                    message::mails(composer, a, about, Change::Opened, &to),
                    message::events(a, name, Change::Opened, now),
                )
            })
            .await?;
        Ok(opened.is_some())
    }

    async fn resolve(
        &self,
        alert: &Alert,
        names: &HashMap<i64, String>,
    ) -> Result<bool, StoreError> {
        let to = self.store.alert_recipients(alert.company_id).await?;
        let now = self.clock.now();
        let composer = self.composer.as_ref();
        let resolved = self
            .store
            .resolve_alert(alert.company_id, alert.id, |a| {
                let name = a
                    .device_id
                    .and_then(|d| names.get(&d.0))
                    .map(String::as_str);
                let about = name.unwrap_or("Your account");
                (
                    message::mails(composer, a, about, Change::Resolved, &to),
                    message::events(a, name, Change::Resolved, now),
                )
            })
            .await?;
        Ok(resolved.is_some())
    }

    /// Ticks until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.tick().await {
                tracing::warn!("checking device health failed: {e}");
            }
            tokio::select! {
                _ = tokio::time::sleep(TICK) => {}
                _ = shutdown.changed() => break,
            }
        }
    }
}

fn subject_key(a: &Alert) -> String {
    match a.device_id {
        Some(d) => format!("device:{d}"),
        None => "company".into(),
    }
}

/// Every condition that holds now, by company.
fn conditions(
    companies: &[CompanyHealth],
    devices: &[DeviceHealth],
    open: &HashMap<Key, Alert>,
    now: rules::Now,
) -> Vec<(CompanyId, AlertCondition)> {
    let settings: HashMap<CompanyId, &CompanyHealth> =
        companies.iter().map(|c| (c.company_id, c)).collect();
    let mut out = Vec::new();
    for c in companies {
        if let Some(cond) = rules::seat_condition(c) {
            out.push((c.company_id, cond));
        }
    }
    for d in devices {
        let Some(c) = settings.get(&d.company_id) else {
            continue;
        };
        let subject = format!("device:{}", d.device_id);
        let is_open = |k| open.contains_key(&(d.company_id, k, subject.clone()));
        for cond in rules::device_conditions(d, &c.settings, now, is_open) {
            out.push((d.company_id, cond));
        }
    }
    out
}
