//! Audit log of plan and blocking changes.

use super::{ts, Result, Store, StoreError};
use crate::domain::{AccountId, AuditEvent, AuditEventId, CompanyId, NewAuditEvent};

macro_rules! audit_cols {
    () => {
        "id, company_id, account_id, kind, from_value, to_value, detail, created_at"
    };
}

/// Binds: company_id, account_id, kind, from_value, to_value, detail,
/// created_at. Shared with the company methods that audit their changes.
pub(crate) const INSERT_AUDIT: &str = concat!(
    "INSERT INTO audit_events (company_id, account_id, kind, from_value, to_value, detail, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ",
    audit_cols!()
);

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    company_id: i64,
    account_id: Option<i64>,
    kind: String,
    from_value: Option<String>,
    to_value: Option<String>,
    detail: Option<String>,
    created_at: i64,
}

impl TryFrom<AuditRow> for AuditEvent {
    type Error = StoreError;
    fn try_from(r: AuditRow) -> Result<AuditEvent> {
        Ok(AuditEvent {
            id: AuditEventId(r.id),
            company_id: CompanyId(r.company_id),
            account_id: r.account_id.map(AccountId),
            kind: r.kind.parse()?,
            from_value: r.from_value,
            to_value: r.to_value,
            detail: r.detail,
            created_at: ts(r.created_at)?,
        })
    }
}

impl Store {
    pub async fn insert_audit_event(
        &self,
        company_id: CompanyId,
        event: &NewAuditEvent,
    ) -> Result<AuditEvent> {
        let row: AuditRow = with_pool!(self, |pool| {
            sqlx::query_as(INSERT_AUDIT)
                .bind(company_id.0)
                .bind(event.account_id.map(|a| a.0))
                .bind(event.kind.as_str())
                .bind(event.from_value.as_deref())
                .bind(event.to_value.as_deref())
                .bind(event.detail.as_deref())
                .bind(self.now())
                .fetch_one(pool)
                .await?
        });
        row.try_into()
    }

    /// Newest first.
    pub async fn list_audit_events(
        &self,
        company_id: CompanyId,
        limit: u32,
    ) -> Result<Vec<AuditEvent>> {
        let rows: Vec<AuditRow> = with_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                audit_cols!(),
                " FROM audit_events WHERE company_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
            ))
            .bind(company_id.0)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
