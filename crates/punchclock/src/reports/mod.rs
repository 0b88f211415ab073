//! The end-of-day report job: every tick, for each company whose report
//! time has passed in its own zone (`service::reports::due_day`, with the
//! injected clock), queue that local day's reports unless its run already
//! finished. Several instances may run it at once: each report is claimed
//! per company, day and recipient in the transaction that queues it, so a
//! person gets a day's report once; the run is then marked finished so
//! later ticks skip the company.

use std::time::Duration;

use tokio::sync::watch;

use crate::service::{ServiceError, Services};

/// Pause between ticks.
pub const TICK: Duration = Duration::from_secs(30);

/// What one tick did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Ticked {
    /// Companies whose due day was run now.
    pub companies: usize,
    /// Mails queued by this instance.
    pub queued: u64,
}

/// Sends the end-of-day reports when they are due.
#[derive(Clone)]
pub struct ReportJob {
    services: Services,
    instance: String,
}

impl ReportJob {
    pub fn new(services: Services, instance: impl Into<String>) -> ReportJob {
        ReportJob {
            services,
            instance: instance.into(),
        }
    }

    /// One pass over every company. A company that fails is logged and
    /// tried again next tick; the others go on.
    pub async fn tick(&self) -> Result<Ticked, ServiceError> {
        let mut done = Ticked::default();
        if !self.services.mail_enabled() {
            return Ok(done);
        }
        let reports = self.services.reports();
        for (company, day) in reports.due_now().await? {
            let run = match self.services.reports().send_due(company, day).await {
                Ok(Some(run)) => run,
                Ok(None) => continue,
                Err(e) => {
                    tracing::warn!(company = company.0, %day, "end-of-day reports failed: {e}");
                    continue;
                }
            };
            reports
                .finish(company, day, &self.instance, run.queued)
                .await?;
            done.companies += 1;
            done.queued += run.queued;
        }
        Ok(done)
    }

    /// Ticks until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.tick().await {
                tracing::warn!("end-of-day reports failed: {e}");
            }
            tokio::select! {
                _ = tokio::time::sleep(TICK) => {}
                _ = shutdown.changed() => break,
            }
        }
    }
}
