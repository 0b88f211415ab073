//! Real-time capture: which realtime devices an instance holds a live
//! connection to (a lease, so instances sharing one database never both
//! connect), how each connection stands, and the punches it brings, stored
//! under the same key as polled ones so the safety-net poll adds nothing.

use std::time::Duration;

use jiff::Timestamp;

use super::devices::{poll_target_select, PollTargetRow};
use super::poll_record::{insert_punches, upsert_employees, DeviceKey, People, PunchStamp};
use super::{dur_secs, int, placeholders, secs, Invalid, Result, Store, StoreError};
use crate::domain::{CompanyId, DeviceId, LiveState, NewPunch, PollTarget};

/// What storing live punches did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveStored {
    pub punches_new: u32,
    pub employees_new: u32,
}

impl Store {
    /// Renews `owner`'s live leases and takes free ones, up to `limit` in
    /// all; returns every realtime device `owner` now holds. A device whose
    /// realtime setting was turned off (or that was disabled, or switched
    /// to push) is given up.
    ///
    /// The live lease is separate from the poll lease: the scheduled poll
    /// goes on beside the live connection. Instances sharing one
    /// PostgreSQL never both hold a device: the candidates are locked with
    /// `FOR UPDATE SKIP LOCKED` and the outer `WHERE` is checked again on
    /// the locked row; SQLite has one writer.
    pub async fn claim_live_devices(
        &self,
        owner: &str,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<PollTarget>> {
        let now = secs(now);
        let until = now.saturating_add(dur_secs(lease));
        let lock = if self.is_postgres() {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let live = "realtime AND enabled AND mode = 'poll'";
        let free =
            "(live_owner = $1 OR live_owner IS NULL OR live_until IS NULL OR live_until <= $3)";
        // Candidates first, then the update: a `LIMIT … SKIP LOCKED`
        // subquery inside the UPDATE may be run again by PostgreSQL and
        // take more than `limit`.
        let pick = format!(
            "SELECT id FROM devices WHERE {live} AND {free} \
             ORDER BY CASE WHEN live_owner = $1 THEN 0 ELSE 1 END, id LIMIT $2{lock}"
        );
        let held = concat!(
            poll_target_select!(),
            " WHERE d.live_owner = $1 AND d.live_until > $2 \
              AND d.realtime AND d.enabled AND d.mode = 'poll' ORDER BY d.id"
        );
        let rows: Vec<PollTargetRow> = self
            .transaction(async |tx| {
                on_tx!(tx, |conn| {
                    // Leases of devices no longer realtime are given up.
                    sqlx::query(
                        "UPDATE devices SET live_owner = NULL, live_until = NULL, \
                         live_state = NULL WHERE live_owner = $1 \
                         AND NOT (realtime AND enabled AND mode = 'poll')",
                    )
                    .bind(owner)
                    .execute(&mut *conn)
                    .await?;
                    let ids: Vec<i64> = sqlx::query_scalar(&pick)
                        .bind(owner)
                        .bind(i64::from(limit))
                        .bind(now)
                        .fetch_all(&mut *conn)
                        .await?;
                    if !ids.is_empty() {
                        let claim = format!(
                            "UPDATE devices SET live_owner = $1, live_until = $2 \
                             WHERE {live} AND {free} AND id IN ({})",
                            placeholders(4, ids.len())
                        );
                        let mut q = sqlx::query(&claim).bind(owner).bind(until).bind(now);
                        for id in &ids {
                            q = q.bind(*id);
                        }
                        q.execute(&mut *conn).await?;
                    }
                    Ok(sqlx::query_as(held)
                        .bind(owner)
                        .bind(now)
                        .fetch_all(&mut *conn)
                        .await?)
                })
            })
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Gives up every live lease `owner` holds (at shutdown).
    pub async fn release_live_devices(&self, owner: &str) -> Result<()> {
        with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE devices SET live_owner = NULL, live_until = NULL WHERE live_owner = $1",
            )
            .bind(owner)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Turns real-time capture on or off for one device.
    pub async fn set_realtime(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
        on: bool,
    ) -> Result<()> {
        let updated = with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE devices SET realtime = $3, \
                 live_state = CASE WHEN $3 THEN live_state ELSE NULL END \
                 WHERE id = $1 AND company_id = $2",
            )
            .bind(device_id.0)
            .bind(company_id.0)
            .bind(on)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if updated == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// How the live connection stands, and since when; only while the
    /// device is realtime.
    pub async fn set_live_state(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
        state: LiveState,
    ) -> Result<()> {
        let now = self.now();
        with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE devices SET live_state = $3, live_since = $4 \
                 WHERE id = $1 AND company_id = $2 AND realtime",
            )
            .bind(device_id.0)
            .bind(company_id.0)
            .bind(state.as_str())
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Stores punches that arrived live: employees by enroll id and punches
    /// by (company, serial, enroll id, device time) as a poll would, in one
    /// transaction; the device is marked online and seen now. `Invalid` if
    /// the device serial is not known yet (the first poll reads it).
    pub async fn record_live_punches(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
        punches: &[NewPunch],
    ) -> Result<LiveStored> {
        let people = People::of(&[], punches)?;
        let now = self.now();
        self.transaction(async |tx| {
            let serial: Option<String> = on_tx!(tx, |conn| {
                sqlx::query_scalar(
                    "UPDATE devices SET status = 'online', last_seen_at = $3 \
                     WHERE id = $1 AND company_id = $2 RETURNING serial_number",
                )
                .bind(device_id.0)
                .bind(company_id.0)
                .bind(now)
                .fetch_one(conn)
                .await?
            });
            let serial = serial
                .filter(|s| !s.is_empty())
                .ok_or(StoreError::from(Invalid::PunchesWithoutSerial))?;
            let key = DeviceKey {
                company_id,
                device_id,
            };
            let employees = upsert_employees(tx, key, &people, now).await?;
            let employees_new = employees.added;
            let stamp = PunchStamp {
                key,
                serial: &serial,
                log_id: None,
                now,
            };
            let punches_new = insert_punches(tx, &stamp, punches, &employees.ids).await?;
            Ok(LiveStored {
                punches_new: int(i64::try_from(punches_new).unwrap_or(i64::MAX), "punches")?,
                employees_new: int(
                    i64::try_from(employees_new).unwrap_or(i64::MAX),
                    "employees",
                )?,
            })
        })
        .await
    }
}
