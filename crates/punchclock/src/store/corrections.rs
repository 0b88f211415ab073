//! Corrections: punches added by hand, voided and unvoided. Each is stored
//! together with its audit entry (who, when, what, why) in one transaction.
//! Raw device columns are never updated.

use super::attendance_days::forget_punch_days;
use super::punch_ingest::advance_last_punches;
use super::{civil_text, secs, ts, Invalid, Result, Rule, Store, StoreError, Tx};
use crate::domain::{
    display_name, AccountId, AuditEventId, AuditKind, CompanyId, Correction, EmployeeId,
    NewManualPunch, PunchId, VoidChange,
};

/// What a correction did, for its audit entry.
struct Entry<'a> {
    account: AccountId,
    kind: AuditKind,
    punch_id: i64,
    employee_id: i64,
    reason: &'a str,
    now: i64,
}

async fn record(tx: &mut Tx, company_id: CompanyId, e: &Entry<'_>) -> Result<()> {
    on_tx!(tx, |conn| {
        let mut q = insert_into!("audit_events" {
            company_id: company_id.0,
            account_id: Some(e.account.0),
            kind: e.kind.as_str(),
            detail: e.reason,
            punch_id: e.punch_id,
            employee_id: e.employee_id,
            created_at: e.now,
        });
        q.build().execute(conn).await?;
    });
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CorrectionRow {
    id: i64,
    kind: String,
    account_id: Option<i64>,
    email: Option<String>,
    punch_id: i64,
    employee_id: i64,
    first_name: Option<String>,
    last_name: Option<String>,
    name_from_device: Option<String>,
    enroll_id: String,
    punched_at: i64,
    detail: Option<String>,
    created_at: i64,
}

impl TryFrom<CorrectionRow> for Correction {
    type Error = StoreError;
    fn try_from(r: CorrectionRow) -> Result<Correction> {
        Ok(Correction {
            id: AuditEventId(r.id),
            kind: r.kind.parse()?,
            account_id: r.account_id.map(AccountId),
            account_email: r.email,
            punch_id: PunchId(r.punch_id),
            employee_id: EmployeeId(r.employee_id),
            employee_name: display_name(
                r.first_name.as_deref(),
                r.last_name.as_deref(),
                r.name_from_device.as_deref(),
            ),
            enroll_id: r.enroll_id,
            punched_at: ts(r.punched_at)?,
            reason: r.detail.unwrap_or_default(),
            created_at: ts(r.created_at)?,
        })
    }
}

/// `kind IN ('punch_added', …)`: the corrections among the audit events.
fn kinds_sql() -> String {
    let kinds: Vec<String> = AuditKind::CORRECTIONS
        .iter()
        .map(|k| format!("'{}'", k.as_str()))
        .collect();
    format!("a.kind IN ({})", kinds.join(", "))
}

impl Store {
    /// Adds a missing punch by hand and its audit entry. `Conflict
    /// (PunchExists)` if the employee already has a punch by hand at that
    /// second; `Invalid(UnknownEmployee)` outside the company.
    pub async fn add_manual_punch(
        &self,
        company_id: CompanyId,
        account: AccountId,
        new: &NewManualPunch,
    ) -> Result<PunchId> {
        let now = self.now();
        self.transaction(async |tx| {
            let enroll_id = enroll_id_of(tx, company_id, new.employee_id).await?;
            let device_time = civil_text(new.device_time);
            let id: Option<i64> = on_tx!(tx, |conn| {
                let mut q = insert_into!("punches" {
                    company_id: company_id.0,
                    employee_id: new.employee_id.0,
                    enroll_id: enroll_id.as_str(),
                    device_id: None::<i64>,
                    device_serial: "",
                    device_time: device_time.as_str(),
                    punched_at: secs(new.at),
                    status: 0_i64,
                    punch_type: 255_i64,
                    uid: 0_i64,
                    device_log_id: None::<i64>,
                    created_at: now,
                    manual: true,
                    voided: false,
                });
                q.push(
                    " ON CONFLICT (company_id, device_serial, device_time, enroll_id) DO NOTHING",
                );
                q.push(" RETURNING id");
                q.build_query_scalar().fetch_optional(conn).await?
            });
            let Some(id) = id else {
                return Err(StoreError::Conflict(Rule::PunchExists {
                    time: device_time,
                }));
            };
            forget_punch_days(tx, company_id, &[(new.employee_id, new.at)]).await?;
            advance_last_punches(tx, company_id, &[(new.employee_id, new.at)]).await?;
            let entry = Entry {
                account,
                kind: AuditKind::PunchAdded,
                punch_id: id,
                employee_id: new.employee_id.0,
                reason: new.reason.as_str(),
                now,
            };
            record(tx, company_id, &entry).await?;
            Ok(PunchId(id))
        })
        .await
    }

    /// Voids or unvoids a punch and records why. `Conflict(VoidUnchanged)`
    /// if it already is in that state; `NotFound` outside the company.
    pub async fn set_punch_voided(
        &self,
        company_id: CompanyId,
        account: AccountId,
        punch: PunchId,
        change: VoidChange,
        reason: &str,
    ) -> Result<()> {
        let now = self.now();
        let voided = change == VoidChange::Void;
        self.transaction(async |tx| {
            let (employee_id, was, at): (i64, bool, i64) = on_tx!(tx, |conn| {
                sqlx::query_as(
                    "SELECT employee_id, voided, punched_at FROM punches \
                     WHERE id = $1 AND company_id = $2",
                )
                .bind(punch.0)
                .bind(company_id.0)
                .fetch_one(conn)
                .await?
            });
            if was == voided {
                let why = if voided {
                    "this punch is already voided"
                } else {
                    "this punch is not voided"
                };
                return Err(StoreError::Conflict(Rule::VoidUnchanged(why)));
            }
            on_tx!(tx, |conn| {
                sqlx::query("UPDATE punches SET voided = $3 WHERE id = $1 AND company_id = $2")
                    .bind(punch.0)
                    .bind(company_id.0)
                    .bind(voided)
                    .execute(conn)
                    .await?;
            });
            forget_punch_days(tx, company_id, &[(EmployeeId(employee_id), ts(at)?)]).await?;
            let entry = Entry {
                account,
                kind: change.kind(),
                punch_id: punch.0,
                employee_id,
                reason,
                now,
            };
            record(tx, company_id, &entry).await
        })
        .await
    }

    /// The corrections log, newest first, of one employee or everyone.
    pub async fn list_corrections(
        &self,
        company_id: CompanyId,
        employee: Option<EmployeeId>,
        limit: u32,
        offset: u64,
    ) -> Result<Vec<Correction>> {
        let rows: Vec<CorrectionRow> = with_pool!(self, |pool| {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT a.id, a.kind, a.account_id, ac.email, a.punch_id, a.employee_id, \
                 e.first_name, e.last_name, e.name_from_device, e.enroll_id, p.punched_at, \
                 a.detail, a.created_at FROM audit_events a \
                 JOIN punches p ON p.id = a.punch_id AND p.company_id = a.company_id \
                 JOIN employees e ON e.id = a.employee_id AND e.company_id = a.company_id \
                 LEFT JOIN accounts ac ON ac.id = a.account_id WHERE ",
            );
            q.push(kinds_sql());
            q.push(" AND a.company_id = ").push_bind(company_id.0);
            if let Some(e) = employee {
                q.push(" AND a.employee_id = ").push_bind(e.0);
            }
            q.push(" ORDER BY a.created_at DESC, a.id DESC LIMIT ")
                .push_bind(i64::from(limit));
            q.push(" OFFSET ")
                .push_bind(i64::try_from(offset).unwrap_or(i64::MAX));
            q.build_query_as().fetch_all(pool).await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    pub async fn count_corrections(
        &self,
        company_id: CompanyId,
        employee: Option<EmployeeId>,
    ) -> Result<u64> {
        let count: i64 = with_pool!(self, |pool| {
            let mut q = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM audit_events a WHERE ");
            q.push(kinds_sql());
            q.push(" AND a.company_id = ").push_bind(company_id.0);
            if let Some(e) = employee {
                q.push(" AND a.employee_id = ").push_bind(e.0);
            }
            q.build_query_scalar().fetch_one(pool).await?
        });
        super::int(count, "count")
    }
}

/// `Invalid(UnknownEmployee)` for someone outside the company.
async fn enroll_id_of(tx: &mut Tx, company_id: CompanyId, id: EmployeeId) -> Result<String> {
    let found: Option<String> = on_tx!(tx, |conn| {
        sqlx::query_scalar("SELECT enroll_id FROM employees WHERE id = $1 AND company_id = $2")
            .bind(id.0)
            .bind(company_id.0)
            .fetch_optional(conn)
            .await?
    });
    found.ok_or(StoreError::Invalid(Invalid::UnknownEmployee))
}
