//! Audit log of plan and blocking changes. Attendance corrections are
//! recorded in the same table by `corrections.rs`.

use super::{ts, Result, Store, StoreError, Tx};
use crate::domain::{AccountId, AuditEvent, AuditEventId, CompanyId, NewAuditEvent};

macro_rules! audit_cols {
    () => {
        "id, company_id, account_id, kind, from_value, to_value, detail, created_at"
    };
}

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

/// Records `event` inside the caller's transaction, so a change and its
/// audit entry are stored together or not at all.
pub(crate) async fn record_audit(
    tx: &mut Tx,
    company_id: CompanyId,
    event: &NewAuditEvent,
    now: i64,
) -> Result<AuditEvent> {
    let row: AuditRow = on_tx!(tx, |conn| {
        let mut q = insert_into!("audit_events" {
            company_id: company_id.0,
            account_id: event.account_id.map(|a| a.0),
            kind: event.kind.as_str(),
            from_value: event.from_value.as_deref(),
            to_value: event.to_value.as_deref(),
            detail: event.detail.as_deref(),
            created_at: now,
        });
        q.push(concat!(" RETURNING ", audit_cols!()));
        q.build_query_as().fetch_one(conn).await?
    });
    row.try_into()
}

impl Store {
    pub async fn insert_audit_event(
        &self,
        company_id: CompanyId,
        event: &NewAuditEvent,
    ) -> Result<AuditEvent> {
        let now = self.now();
        self.transaction(async |tx| record_audit(tx, company_id, event, now).await)
            .await
    }

    /// The account's history (plan, blocking), newest first; attendance
    /// corrections have their own log (`list_corrections`).
    pub async fn list_audit_events(
        &self,
        company_id: CompanyId,
        limit: u32,
    ) -> Result<Vec<AuditEvent>> {
        let rows: Vec<AuditRow> = with_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                audit_cols!(),
                " FROM audit_events WHERE company_id = $1 \
                 AND kind NOT IN ('punch_added', 'punch_voided', 'punch_unvoided') \
                 ORDER BY created_at DESC, id DESC LIMIT $2"
            ))
            .bind(company_id.0)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
