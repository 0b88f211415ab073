//! End-of-day reports: when each company wants them, and the claim that
//! makes a day's report go to a person once. A report is queued in the
//! outbox in the same transaction that claims its `report_deliveries` row
//! (company, day, recipient), so two instances racing queue it once, and a
//! crash between claiming and queueing leaves neither.

use jiff::civil::Date;

use super::mail_outbox::queue_mails;
use super::{ts, zone, Result, Store, StoreError};
use crate::domain::{CompanyId, NewMail, ReportTime, Zone};

/// Mails queued per transaction, so one large company holds the writer
/// for a bounded time.
pub const REPORTS_PER_TRANSACTION: usize = 100;

/// When a company wants its reports, and the last day fully reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSchedule {
    pub company_id: CompanyId,
    pub zone: Zone,
    pub report_time: ReportTime,
    pub created_at: jiff::Timestamp,
    /// The latest local day whose run finished (every report queued).
    pub last_day: Option<Date>,
}

#[derive(sqlx::FromRow)]
struct ScheduleRow {
    id: i64,
    timezone: String,
    report_time: String,
    created_at: i64,
    last_day: Option<String>,
}

/// One report to queue: its recipient key (`employee:<id>`,
/// `account:<id>`) and the mail.
#[derive(Debug, Clone)]
pub struct DailyReportMail {
    pub recipient: String,
    pub mail: NewMail,
}

impl TryFrom<ScheduleRow> for ReportSchedule {
    type Error = StoreError;
    fn try_from(r: ScheduleRow) -> Result<ReportSchedule> {
        let corrupt = |field, e: String| StoreError::corrupt(field, Some(r.id), e);
        Ok(ReportSchedule {
            company_id: CompanyId(r.id),
            zone: zone(&r.timezone, "companies.timezone", r.id)?,
            report_time: ReportTime::parse(&r.report_time)
                .map_err(|e| corrupt("notify_settings.report_time", e.to_string()))?,
            created_at: ts(r.created_at)?,
            last_day: r
                .last_day
                .map(|d| d.parse::<Date>())
                .transpose()
                .map_err(|e| corrupt("report_runs.day", e.to_string()))?,
        })
    }
}

impl Store {
    /// Every company's report time and zone, with its last finished day.
    pub async fn report_schedules(&self) -> Result<Vec<ReportSchedule>> {
        let rows: Vec<ScheduleRow> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT c.id, c.timezone, c.created_at, \
                 COALESCE(s.report_time, '19:00') AS report_time, \
                 (SELECT MAX(r.day) FROM report_runs r WHERE r.company_id = c.id) AS last_day \
                 FROM companies c LEFT JOIN notify_settings s ON s.company_id = c.id \
                 ORDER BY c.id",
            )
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Claims each report's (company, day, recipient) row and queues its
    /// mail in the same transaction. Without `resend` a report already
    /// claimed is skipped; with it, it is queued again and counted.
    /// Returns how many were queued.
    pub async fn queue_daily_reports(
        &self,
        company_id: CompanyId,
        day: Date,
        reports: &[DailyReportMail],
        resend: bool,
    ) -> Result<u64> {
        let day = day.to_string();
        let mut queued = 0;
        for chunk in reports.chunks(REPORTS_PER_TRANSACTION) {
            let now = self.now();
            queued += self
                .transaction(async |tx| {
                    let mut n = 0;
                    for r in chunk {
                        let claimed = on_tx!(tx, |conn| {
                            let mut q = insert_into!("report_deliveries" {
                                company_id: company_id.0,
                                day: day.as_str(),
                                recipient: r.recipient.as_str(),
                                first_at: now,
                                last_at: now,
                            });
                            q.push(" ON CONFLICT (company_id, day, recipient) DO ");
                            q.push(match resend {
                                true => {
                                    "UPDATE SET sends = report_deliveries.sends + 1, \
                                         last_at = excluded.last_at"
                                }
                                false => "NOTHING",
                            });
                            q.build().execute(conn).await?.rows_affected()
                        });
                        if claimed > 0 {
                            n += queue_mails(tx, company_id, std::slice::from_ref(&r.mail), now)
                                .await?;
                        }
                    }
                    Ok(n)
                })
                .await?;
        }
        Ok(queued)
    }

    /// Marks the company's run for `day` finished (by `instance`, with
    /// `mails` queued by it); the first instance to finish is kept.
    pub async fn finish_report_run(
        &self,
        company_id: CompanyId,
        day: Date,
        instance: &str,
        mails: u64,
    ) -> Result<()> {
        let now = self.now();
        with_pool!(self, |pool| {
            let mut q = insert_into!("report_runs" {
                company_id: company_id.0,
                day: day.to_string(),
                instance: instance,
                started_at: now,
                mails: i64::try_from(mails).unwrap_or(i64::MAX),
            });
            q.push(" ON CONFLICT (company_id, day) DO NOTHING");
            q.build().execute(pool).await?;
        });
        Ok(())
    }

    /// How many times each recipient was sent the company's report for
    /// `day` (for tests and the operator).
    pub async fn report_deliveries(
        &self,
        company_id: CompanyId,
        day: Date,
    ) -> Result<Vec<(String, i64)>> {
        let rows: Vec<(String, i64)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT recipient, sends FROM report_deliveries \
                 WHERE company_id = $1 AND day = $2 ORDER BY recipient",
            )
            .bind(company_id.0)
            .bind(day.to_string())
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }
}
