//! End-of-day reports: each employee with an email and the report on gets
//! their day; owners get the company's summary. Read through the
//! attendance service (whatever it computes or stores), worded by
//! `mail::report`, and queued with a per-recipient claim
//! (`Store::queue_daily_reports`) so a day's report goes to a person once,
//! however many instances run the job, unless resent by hand.
//!
//! [`due_day`] says which local day's reports are due now: the job
//! (`crate::reports`) runs it for every company.

use jiff::civil::{Date, DateTime};
use jiff::Timestamp;
use serde::Serialize;

use super::attendance::{Page, Period};
use super::error::{ServiceError, ServiceResult};
use super::services::{Caller, Services};
use crate::domain::{CompanyId, DeviceStatus, Employee, MailList, Recipient, ReportTime, Zone};
use crate::mail::report::{self as render, Summary};
use crate::mail::Composer;
use crate::store::DailyReportMail;

/// How far back a day may be reported by hand.
pub const MAX_DAYS_BACK: i64 = 366;

/// What one run queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReportRun {
    pub date: Date,
    /// Employee reports and summaries queued now.
    pub queued: u64,
    /// Everyone who would get a report (queued now or before).
    pub recipients: usize,
    /// The day is not final yet (the mails say so).
    pub provisional: bool,
}

impl Services {
    pub fn reports(&self) -> Reports<'_> {
        Reports(self)
    }
}

/// See [`Services::reports`].
pub struct Reports<'a>(&'a Services);

impl Reports<'_> {
    /// Sends `date`'s reports now (`POST /reports/daily`): to each person
    /// once, unless `resend`. The day must have started in the company's
    /// zone and be at most a year back; mail must be on.
    pub async fn send_day(
        &self,
        caller: &Caller,
        date: Date,
        resend: bool,
    ) -> ServiceResult<ReportRun> {
        let s = self.0;
        let Some(composer) = s.mail.as_ref() else {
            return Err(ServiceError::conflict(
                "date",
                "Email is off on this server (no smtp_url is set), so no report can be sent.",
            ));
        };
        let company = s.store.get_company(caller.company_id).await?;
        let today = company.timezone.to_zoned(s.now()).date();
        if date > today {
            return Err(ServiceError::field(
                "date",
                "That day has not started yet in the company's time zone.",
            ));
        }
        let oldest = today.saturating_sub(jiff::Span::new().days(MAX_DAYS_BACK));
        if date < oldest {
            return Err(ServiceError::field(
                "date",
                format!("Reports can be sent for the last {MAX_DAYS_BACK} days only."),
            ));
        }
        self.queue(caller, composer, date, resend).await
    }

    /// The job's run for a company's due day: every report not yet sent.
    /// `None` while mail is off.
    pub async fn send_due(
        &self,
        company: CompanyId,
        date: Date,
    ) -> ServiceResult<Option<ReportRun>> {
        let Some(composer) = self.0.mail.as_ref() else {
            return Ok(None);
        };
        let caller = Caller::job(company);
        Ok(Some(self.queue(&caller, composer, date, false).await?))
    }

    /// Every company whose reports are due now and whose run for that
    /// day has not finished, with the day.
    pub async fn due_now(&self) -> ServiceResult<Vec<(CompanyId, Date)>> {
        let now = self.0.now();
        let schedules = self.0.store.report_schedules().await?;
        Ok(schedules
            .into_iter()
            .filter_map(|c| {
                let day = due_day(now, &c.zone, c.report_time, c.created_at)?;
                let finished = c.last_day.is_some_and(|last| last >= day);
                (!finished).then_some((c.company_id, day))
            })
            .collect())
    }

    /// Marks the company's run for `date` finished, so later ticks skip it.
    pub async fn finish(
        &self,
        company: CompanyId,
        date: Date,
        instance: &str,
        queued: u64,
    ) -> ServiceResult<()> {
        Ok(self
            .0
            .store
            .finish_report_run(company, date, instance, queued)
            .await?)
    }

    async fn queue(
        &self,
        caller: &Caller,
        composer: &Composer,
        date: Date,
        resend: bool,
    ) -> ServiceResult<ReportRun> {
        let s = self.0;
        let company = s.store.get_company(caller.company_id).await?;
        let period = Period::day(date);
        let limit = Page::max_for(period);
        let mut summary = Summary::default();
        let mut recipients = 0;
        let mut queued = 0;
        let mut offset = 0;
        loop {
            let page = s
                .attendance()
                .everyone_classified(caller, period, Page { limit, offset })
                .await?;
            let mut mails = Vec::new();
            for p in page.people.iter().filter(|p| p.employee.active) {
                let Some(day) = p.attendance.day(date) else {
                    continue;
                };
                let name = p.employee.display_name();
                summary.add(&name, day);
                let Some(to) = report_address(&p.employee) else {
                    continue;
                };
                let punches: Vec<_> = p.attendance.punches_on(date).collect();
                let draft =
                    render::employee_report(&company.name, &name, day, &punches, &page.zone);
                let who = Recipient::Employee(p.employee.id);
                mails.push(DailyReportMail {
                    recipient: format!("employee:{}", p.employee.id.0),
                    mail: composer.address(&draft, to, who, Some(MailList::DailyReport), None),
                });
            }
            recipients += mails.len();
            queued += s
                .store
                .queue_daily_reports(caller.company_id, date, &mails, resend)
                .await?;
            offset += page.people.len();
            if page.people.is_empty() || offset >= page.total {
                break;
            }
        }
        summary.devices_offline = s
            .devices()
            .list(caller)
            .await?
            .into_iter()
            .filter(|d| d.enabled && d.status == DeviceStatus::Offline)
            .map(|d| d.name)
            .collect();
        let draft = render::company_summary(&company.name, date, &summary, &composer.link("/"));
        let owners = s.store.summary_recipients(caller.company_id).await?;
        let mails: Vec<_> = owners
            .iter()
            .map(|(id, to)| DailyReportMail {
                recipient: format!("account:{}", id.0),
                mail: composer.address(
                    &draft,
                    to,
                    Recipient::Account(*id),
                    Some(MailList::DailySummary),
                    None,
                ),
            })
            .collect();
        recipients += mails.len();
        queued += s
            .store
            .queue_daily_reports(caller.company_id, date, &mails, resend)
            .await?;
        Ok(ReportRun {
            date,
            queued,
            recipients,
            provisional: summary.provisional,
        })
    }
}

/// Where an employee's report goes: active, an address that has not
/// bounced, and the report on.
fn report_address(e: &Employee) -> Option<&str> {
    let to = e.email.as_deref().filter(|t| !t.trim().is_empty())?;
    (e.active && e.daily_report && e.email_bounce.is_none()).then_some(to)
}

/// The local day whose reports are due at `now`: today once its report
/// time has passed in `zone`, else yesterday. A report time that does not
/// exist that day (a DST gap) moves forward with the clocks; one that
/// happens twice (a DST overlap) counts at its first. Days whose report
/// time came before the company existed are never due.
pub fn due_day(now: Timestamp, zone: &Zone, at: ReportTime, since: Timestamp) -> Option<Date> {
    let today = zone.to_zoned(now).date();
    let yesterday = today.yesterday().ok()?;
    for day in [today, yesterday] {
        let moment = zone.instant(DateTime::from_parts(day, at.civil()))?;
        if moment <= now {
            return (moment >= since).then_some(day);
        }
    }
    None
}

/// When `day`'s reports are due in `zone` (for messages and tests).
pub fn report_moment(day: Date, zone: &Zone, at: ReportTime) -> Option<Timestamp> {
    zone.instant(DateTime::from_parts(day, at.civil()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(now: &str, zone: &str, at: &str) -> Option<String> {
        let zone = Zone::parse(zone).unwrap();
        let since: Timestamp = "2020-01-01T00:00:00Z".parse().unwrap();
        due_day(
            now.parse().unwrap(),
            &zone,
            ReportTime::parse(at).unwrap(),
            since,
        )
        .map(|d| d.to_string())
    }

    #[test]
    fn the_due_day_follows_the_local_report_time_across_dst() {
        let cases = [
            // Berlin springs forward on 29 March 2026: 19:00 is 17:00 UTC.
            (
                "2026-03-29T16:59:59Z",
                "Europe/Berlin",
                "19:00",
                "2026-03-28",
            ),
            (
                "2026-03-29T17:00:00Z",
                "Europe/Berlin",
                "19:00",
                "2026-03-29",
            ),
            // 02:30 does not exist that night: it moves forward with the
            // clocks, to 03:30 CEST.
            (
                "2026-03-29T01:29:59Z",
                "Europe/Berlin",
                "02:30",
                "2026-03-28",
            ),
            (
                "2026-03-29T01:30:00Z",
                "Europe/Berlin",
                "02:30",
                "2026-03-29",
            ),
            // Berlin falls back on 25 October: 02:30 happens twice, the first counts.
            (
                "2026-10-25T00:29:59Z",
                "Europe/Berlin",
                "02:30",
                "2026-10-24",
            ),
            (
                "2026-10-25T00:30:00Z",
                "Europe/Berlin",
                "02:30",
                "2026-10-25",
            ),
            (
                "2026-10-25T18:00:00Z",
                "Europe/Berlin",
                "19:00",
                "2026-10-25",
            ),
            (
                "2026-10-25T17:59:59Z",
                "Europe/Berlin",
                "19:00",
                "2026-10-24",
            ),
            // New York: 8 March (forward) and 1 November (back).
            (
                "2026-03-08T22:59:59Z",
                "America/New_York",
                "19:00",
                "2026-03-07",
            ),
            (
                "2026-03-08T23:00:00Z",
                "America/New_York",
                "19:00",
                "2026-03-08",
            ),
            (
                "2026-11-01T23:59:59Z",
                "America/New_York",
                "19:00",
                "2026-10-31",
            ),
            (
                "2026-11-02T00:00:00Z",
                "America/New_York",
                "19:00",
                "2026-11-01",
            ),
            (
                "2026-11-01T05:30:00Z",
                "America/New_York",
                "01:30",
                "2026-11-01",
            ),
            (
                "2026-11-01T05:29:59Z",
                "America/New_York",
                "01:30",
                "2026-10-31",
            ),
            // Midnight report time: the day just begun.
            (
                "2026-03-02T23:00:00Z",
                "Europe/Berlin",
                "00:00",
                "2026-03-03",
            ),
        ];
        for (now, zone, at, want) in cases {
            assert_eq!(
                due(now, zone, at).as_deref(),
                Some(want),
                "{now} {zone} {at}"
            );
        }
    }

    #[test]
    fn days_before_the_company_existed_are_never_due() {
        let zone = Zone::parse("Europe/Berlin").unwrap();
        let at = ReportTime::DEFAULT;
        let created: Timestamp = "2026-03-02T10:00:00Z".parse().unwrap();
        let before = "2026-03-02T17:59:00Z".parse().unwrap();
        assert_eq!(due_day(before, &zone, at, created), None);
        let after = "2026-03-02T18:00:00Z".parse().unwrap();
        assert_eq!(
            due_day(after, &zone, at, created).map(|d| d.to_string()),
            Some("2026-03-02".into())
        );
    }
}
