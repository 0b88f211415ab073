//! What the attendance engine reads: the punches of a span, as compact
//! rows, and when each enabled device last synced.

use jiff::{civil, Timestamp};

use super::{parse_civil, secs, ts, Result, Store, StoreError};
use crate::attendance::Punch;
use crate::domain::{CompanyId, EmployeeId};

/// (id, employee_id, punched_at, device_time, punch_type, status, manual,
/// voided, device_id)
type PunchTuple = (i64, i64, i64, String, i64, i64, bool, bool, Option<i64>);

const PUNCH_COLS: &str = "SELECT id, employee_id, punched_at, device_time, punch_type, status, \
     manual, voided, device_id FROM punches WHERE company_id = $1 \
     AND punched_at >= $2 AND punched_at < $3";

fn punch(t: PunchTuple) -> Result<Punch> {
    let (id, employee_id, at, device_time, state, verify, manual, voided, device_id) = t;
    Ok(Punch {
        id,
        employee_id,
        at: ts(at)?,
        device_time: wall_clock(&device_time)?,
        // Device keys and methods are bytes on the wire; anything else
        // stored is unknown, which the engine treats as no hint.
        state: u8::try_from(state).unwrap_or(u8::MAX),
        verify: u8::try_from(verify).unwrap_or(u8::MAX),
        manual,
        voided,
        device_id,
    })
}

/// The canonical `YYYY-MM-DDTHH:MM:SS` read by position (this runs for
/// every punch of a month's timesheet); anything else goes to jiff.
fn wall_clock(text: &str) -> Result<civil::DateTime> {
    let b = text.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i16> {
        b.get(r)?.iter().try_fold(0i16, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + i16::from(c - b'0'))
        })
    };
    let fast = (b.len() == 19 && b[4] == b'-' && b[10] == b'T')
        .then(|| {
            let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
            let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
            civil::DateTime::new(y, mo as i8, d as i8, h as i8, mi as i8, s as i8, 0).ok()
        })
        .flatten();
    match fast {
        Some(dt) => Ok(dt),
        None => parse_civil(text),
    }
}

impl Store {
    /// Every punch of the company (voided ones too) with `from <= at <
    /// to`, of one employee or everyone, grouped by employee and in time
    /// order within each: what `attendance::by_employee` splits.
    pub async fn attendance_punches(
        &self,
        company_id: CompanyId,
        from: Timestamp,
        to: Timestamp,
        employee: Option<EmployeeId>,
    ) -> Result<Vec<Punch>> {
        let rows: Vec<PunchTuple> = with_pool!(self, |pool| {
            match employee {
                Some(e) => {
                    let sql = format!("{PUNCH_COLS} AND employee_id = $4 ORDER BY punched_at, id");
                    sqlx::query_as(&sql)
                        .bind(company_id.0)
                        .bind(secs(from))
                        .bind(secs(to))
                        .bind(e.0)
                        .fetch_all(pool)
                        .await?
                }
                None => {
                    let sql = format!("{PUNCH_COLS} ORDER BY punched_at, id");
                    sqlx::query_as(&sql)
                        .bind(company_id.0)
                        .bind(secs(from))
                        .bind(secs(to))
                        .fetch_all(pool)
                        .await?
                }
            }
        });
        let mut punches = rows.into_iter().map(punch).collect::<Result<Vec<_>>>()?;
        // Stable: each employee's punches stay in time order.
        punches.sort_by_key(|p| p.employee_id);
        Ok(punches)
    }

    /// Inactive employees with a punch (voided ones too) in `from..to`:
    /// attendance lists them beside the active ones.
    pub async fn inactive_with_punches(
        &self,
        company_id: CompanyId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<EmployeeId>> {
        let ids: Vec<i64> = with_reader!(self, |pool| {
            sqlx::query_scalar(
                "SELECT e.id FROM employees e WHERE e.company_id = $1 AND NOT e.active \
                 AND e.last_punch_at >= $2 AND EXISTS (SELECT 1 FROM punches p WHERE p.employee_id = e.id \
                 AND p.company_id = $1 AND p.punched_at >= $2 AND p.punched_at < $3)",
            )
            .bind(company_id.0)
            .bind(secs(from))
            .bind(secs(to))
            .fetch_all(pool)
            .await?
        });
        Ok(ids.into_iter().map(EmployeeId).collect())
    }

    /// The last successful sync of every enabled device of the company
    /// (`None`: never synced). A day is final only once all of them have
    /// synced after it closed.
    pub async fn last_syncs(&self, company_id: CompanyId) -> Result<Vec<Option<Timestamp>>> {
        let rows: Vec<Option<i64>> = with_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT (SELECT MAX(l.started_at) FROM device_logs l \
                   WHERE l.device_id = d.id AND l.kind = 'sync' AND l.outcome = 'ok') \
                 FROM devices d WHERE d.company_id = $1 AND d.enabled ORDER BY d.id",
            )
            .bind(company_id.0)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|s| s.map(ts).transpose())
            .collect::<Result<_>>()
            .map_err(|e: StoreError| e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_times_read_fast_and_exactly_like_jiff() {
        for text in [
            "2026-07-01T09:05:07",
            "1999-12-31T23:59:59",
            "2024-02-29T00:00:00",
        ] {
            assert_eq!(wall_clock(text).unwrap(), text.parse().unwrap(), "{text}");
        }
        // Not canonical: jiff decides (and refuses nonsense).
        assert_eq!(
            wall_clock("2026-07-01T09:05").unwrap().to_string(),
            "2026-07-01T09:05:00"
        );
        assert!(wall_clock("2026-13-01T09:05:07").is_err());
        assert!(wall_clock("2026-07-01T9a:05:07").is_err());
    }
}
