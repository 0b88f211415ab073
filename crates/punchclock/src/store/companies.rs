//! Companies, their settings and plan.

use super::attendance_days::forget_company_days;
use super::audit::record_audit;
use super::{int, opt_ts, secs, ts, zone, Result, Store, Tx};
use crate::domain::{
    AccountId, AuditKind, Company, CompanyId, CompanySettings, NewAuditEvent, NewCompany,
    PlanChange,
};

/// Default poll interval when a company does not choose one.
const DEFAULT_POLL_MINUTES: u32 = 30;

macro_rules! company_cols {
    () => {
        "id, name, timezone, poll_interval_minutes, plan, seats, trial_ends_at, blocked, created_at"
    };
}

#[derive(sqlx::FromRow)]
pub(crate) struct CompanyRow {
    pub(super) id: i64,
    name: String,
    timezone: String,
    poll_interval_minutes: i64,
    plan: String,
    seats: i64,
    trial_ends_at: Option<i64>,
    blocked: bool,
    created_at: i64,
}

impl TryFrom<CompanyRow> for Company {
    type Error = super::StoreError;
    fn try_from(r: CompanyRow) -> Result<Company> {
        Ok(Company {
            id: CompanyId(r.id),
            name: r.name,
            timezone: zone(&r.timezone, "companies.timezone", r.id)?,
            poll_interval_minutes: int(r.poll_interval_minutes, "poll_interval_minutes")?,
            plan: r.plan,
            seats: int(r.seats, "seats")?,
            trial_ends_at: opt_ts(r.trial_ends_at)?,
            blocked: r.blocked,
            created_at: ts(r.created_at)?,
        })
    }
}

/// Inserts a company inside the caller's transaction (sign-up adds its
/// owner in the same one).
pub(crate) async fn insert_company(tx: &mut Tx, new: &NewCompany, now: i64) -> Result<CompanyRow> {
    let poll = new.poll_interval_minutes.unwrap_or(DEFAULT_POLL_MINUTES);
    validate_poll_minutes(poll)?;
    Ok(on_tx!(tx, |conn| {
        let mut q = insert_into!("companies" {
            name: new.name.trim(),
            timezone: new.timezone.name(),
            poll_interval_minutes: i64::from(poll),
            plan: new.plan.as_str(),
            seats: i64::from(new.seats),
            trial_ends_at: new.trial_ends_at.map(secs),
            blocked: false,
            created_at: now,
        });
        q.push(concat!(" RETURNING ", company_cols!()));
        q.build_query_as().fetch_one(conn).await?
    }))
}

pub(crate) fn validate_poll_minutes(minutes: u32) -> Result<()> {
    if minutes == 0 {
        return Err(super::Invalid::PollIntervalZero.into());
    }
    Ok(())
}

impl Store {
    pub async fn create_company(&self, new: &NewCompany) -> Result<Company> {
        let now = self.now();
        let row = self
            .transaction(async |tx| insert_company(tx, new, now).await)
            .await?;
        row.try_into()
    }

    pub async fn get_company(&self, company_id: CompanyId) -> Result<Company> {
        let row: CompanyRow = with_reader!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                company_cols!(),
                " FROM companies WHERE id = $1"
            ))
            .bind(company_id.0)
            .fetch_one(pool)
            .await?
        });
        row.try_into()
    }

    /// All companies, oldest first (operator views, background checks).
    pub async fn list_companies(&self) -> Result<Vec<Company>> {
        let rows: Vec<CompanyRow> = with_reader!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                company_cols!(),
                " FROM companies ORDER BY id"
            ))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    pub async fn update_company_settings(
        &self,
        company_id: CompanyId,
        settings: &CompanySettings,
    ) -> Result<Company> {
        validate_poll_minutes(settings.poll_interval_minutes)?;
        let row: CompanyRow = self
            .transaction(async |tx| {
                let before: String = on_tx!(tx, |conn| {
                    sqlx::query_scalar("SELECT timezone FROM companies WHERE id = $1")
                        .bind(company_id.0)
                        .fetch_one(conn)
                        .await?
                });
                let row: CompanyRow = on_tx!(tx, |conn| {
                    sqlx::query_as(concat!(
                        "UPDATE companies SET name = $2, timezone = $3, \
                         poll_interval_minutes = $4 WHERE id = $1 RETURNING ",
                        company_cols!()
                    ))
                    .bind(company_id.0)
                    .bind(settings.name.trim())
                    .bind(settings.timezone.name())
                    .bind(i64::from(settings.poll_interval_minutes))
                    .fetch_one(conn)
                    .await?
                });
                // Days are dates in the company's zone.
                if before != row.timezone {
                    forget_company_days(tx, company_id).await?;
                }
                Ok(row)
            })
            .await?;
        row.try_into()
    }

    /// Changes plan, seats and trial end, and records `plan_changed` in the
    /// audit log in the same transaction.
    pub async fn set_company_plan(
        &self,
        company_id: CompanyId,
        change: &PlanChange,
        actor: Option<AccountId>,
        detail: Option<&str>,
    ) -> Result<Company> {
        let now = self.now();
        let row: CompanyRow = self
            .transaction(async |tx| {
                let old_plan: String = on_tx!(tx, |conn| {
                    sqlx::query_scalar("SELECT plan FROM companies WHERE id = $1")
                        .bind(company_id.0)
                        .fetch_one(conn)
                        .await?
                });
                let row: CompanyRow = on_tx!(tx, |conn| {
                    sqlx::query_as(concat!(
                        "UPDATE companies SET plan = $2, seats = $3, trial_ends_at = $4 \
                         WHERE id = $1 RETURNING ",
                        company_cols!()
                    ))
                    .bind(company_id.0)
                    .bind(&change.plan)
                    .bind(i64::from(change.seats))
                    .bind(change.trial_ends_at.map(secs))
                    .fetch_one(conn)
                    .await?
                });
                let event = NewAuditEvent {
                    account_id: actor,
                    kind: AuditKind::PlanChanged,
                    from_value: Some(old_plan),
                    to_value: Some(change.plan.clone()),
                    detail: detail.map(str::to_owned),
                };
                record_audit(tx, company_id, &event, now).await?;
                Ok(row)
            })
            .await?;
        row.try_into()
    }

    /// Blocks or unblocks a company and records `blocked`/`unblocked` in the
    /// audit log in the same transaction. Setting the current value again
    /// changes nothing and records nothing.
    pub async fn set_company_blocked(
        &self,
        company_id: CompanyId,
        blocked: bool,
        actor: Option<AccountId>,
        detail: Option<&str>,
    ) -> Result<Company> {
        let now = self.now();
        let kind = if blocked {
            AuditKind::Blocked
        } else {
            AuditKind::Unblocked
        };
        let event = NewAuditEvent {
            account_id: actor,
            kind,
            from_value: Some((!blocked).to_string()),
            to_value: Some(blocked.to_string()),
            detail: detail.map(str::to_owned),
        };
        let row: CompanyRow = self
            .transaction(async |tx| {
                let changed = on_tx!(tx, |conn| {
                    sqlx::query("UPDATE companies SET blocked = $2 WHERE id = $1 AND blocked <> $2")
                        .bind(company_id.0)
                        .bind(blocked)
                        .execute(conn)
                        .await?
                        .rows_affected()
                });
                if changed > 0 {
                    record_audit(tx, company_id, &event, now).await?;
                }
                Ok(on_tx!(tx, |conn| {
                    sqlx::query_as(concat!(
                        "SELECT ",
                        company_cols!(),
                        " FROM companies WHERE id = $1"
                    ))
                    .bind(company_id.0)
                    .fetch_one(conn)
                    .await?
                }))
            })
            .await?;
        row.try_into()
    }
}
