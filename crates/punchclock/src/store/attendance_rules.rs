//! A company's attendance rules: columns of `companies` that only
//! attendance reads.

use super::attendance_days::forget_company_days;
use super::shifts::shift_exists;
use super::{int, opt_int, Invalid, Result, Store};
use crate::attendance::Hours;
use crate::domain::{AttendanceRules, CompanyId, ShiftId};

#[derive(sqlx::FromRow)]
struct RulesRow {
    default_shift_id: Option<i64>,
    double_tap_seconds: i64,
    punch_status_reliable: bool,
    min_rest_seconds: i64,
    weekly_overtime_seconds: Option<i64>,
    absent_below_seconds: Option<i64>,
    half_day_below_seconds: Option<i64>,
}

impl TryFrom<RulesRow> for AttendanceRules {
    type Error = super::StoreError;
    fn try_from(r: RulesRow) -> Result<AttendanceRules> {
        let hours =
            |v: Option<i64>, what| opt_int::<u32>(v, what).map(|h| h.map(Hours::from_seconds));
        Ok(AttendanceRules {
            default_shift_id: r.default_shift_id.map(ShiftId),
            double_tap_seconds: int(r.double_tap_seconds, "companies.double_tap_seconds")?,
            punch_status_reliable: r.punch_status_reliable,
            min_rest: Hours::from_seconds(int(r.min_rest_seconds, "companies.min_rest_seconds")?),
            weekly_overtime: hours(
                r.weekly_overtime_seconds,
                "companies.weekly_overtime_seconds",
            )?,
            absent_below: hours(r.absent_below_seconds, "companies.absent_below_seconds")?,
            half_day_below: hours(r.half_day_below_seconds, "companies.half_day_below_seconds")?,
        })
    }
}

fn seconds(h: Option<Hours>) -> Option<i64> {
    h.map(Hours::seconds)
}

impl Store {
    pub async fn attendance_rules(&self, company_id: CompanyId) -> Result<AttendanceRules> {
        let row: RulesRow = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT default_shift_id, double_tap_seconds, punch_status_reliable, \
                 min_rest_seconds, weekly_overtime_seconds, absent_below_seconds, \
                 half_day_below_seconds FROM companies WHERE id = $1",
            )
            .bind(company_id.0)
            .fetch_one(pool)
            .await?
        });
        row.try_into()
    }

    /// Saves every rule; `Invalid(UnknownDefaultShift)` unless the default
    /// shift is one of the company's.
    pub async fn update_attendance_rules(
        &self,
        company_id: CompanyId,
        rules: &AttendanceRules,
    ) -> Result<AttendanceRules> {
        let row: RulesRow = self
            .transaction(async |tx| {
                if let Some(shift) = rules.default_shift_id {
                    if !shift_exists(tx, company_id, shift).await? {
                        return Err(Invalid::UnknownDefaultShift.into());
                    }
                }
                let row: RulesRow = on_tx!(tx, |conn| {
                    let mut q = sqlx::QueryBuilder::new("UPDATE companies SET default_shift_id = ");
                    q.push_bind(rules.default_shift_id.map(|s| s.0));
                    q.push(", double_tap_seconds = ")
                        .push_bind(i64::from(rules.double_tap_seconds));
                    q.push(", punch_status_reliable = ")
                        .push_bind(rules.punch_status_reliable);
                    q.push(", min_rest_seconds = ")
                        .push_bind(rules.min_rest.seconds());
                    q.push(", weekly_overtime_seconds = ")
                        .push_bind(seconds(rules.weekly_overtime));
                    q.push(", absent_below_seconds = ")
                        .push_bind(seconds(rules.absent_below));
                    q.push(", half_day_below_seconds = ")
                        .push_bind(seconds(rules.half_day_below));
                    q.push(" WHERE id = ").push_bind(company_id.0);
                    q.push(
                        " RETURNING default_shift_id, double_tap_seconds, punch_status_reliable, \
                         min_rest_seconds, weekly_overtime_seconds, absent_below_seconds, \
                         half_day_below_seconds",
                    );
                    q.build_query_as().fetch_one(conn).await?
                });
                // Every stored day was computed under the old rules.
                forget_company_days(tx, company_id).await?;
                Ok(row)
            })
            .await?;
        row.try_into()
    }
}
