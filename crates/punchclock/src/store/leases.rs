//! Leases: which instance polls a device. A device is polled only under a
//! live lease, taken by the scheduler for due devices or by a poll by
//! hand, and given back when the poll is recorded.

use std::time::Duration;

use jiff::Timestamp;

use super::devices::{poll_target_select, PollTargetRow};
use super::{dur_secs, placeholders, secs, Result, Store, Tx};
use crate::domain::{CompanyId, DeviceId, PollTarget};

impl Store {
    /// Leases up to `limit` due devices to `instance_id` until `now + lease`.
    ///
    /// Due means: enabled, `next_poll_at <= now` and no live lease. A
    /// blocked or expired company is still polled: punches are never lost
    /// over billing. Companies take turns: every company's most overdue
    /// device comes before any company's second.
    ///
    /// Instances sharing one PostgreSQL never receive the same device: the
    /// candidate rows are locked with `FOR UPDATE SKIP LOCKED`, so a
    /// concurrent claimer skips them instead of waiting. SQLite has a single
    /// writer, so the statement is atomic as is.
    pub async fn claim_due_devices(
        &self,
        instance_id: &str,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<PollTarget>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let lease = Lease {
            owner: instance_id,
            now: secs(now),
            until: secs(now).saturating_add(dur_secs(lease)),
            limit: i64::from(limit),
            postgres: self.is_postgres(),
        };
        let rows = self
            .transaction(async |tx| {
                let ids = lease_due(tx, &lease).await?;
                leased_targets(tx, instance_id, &ids).await
            })
            .await?;
        rows.into_iter().map(|r| self.poll_target(r)).collect()
    }

    /// Gives up the lease and schedules the next poll. Only the lease owner
    /// can release; returns whether it did.
    pub async fn release_device(
        &self,
        device_id: DeviceId,
        instance_id: &str,
        next_poll_at: Timestamp,
    ) -> Result<bool> {
        let released = with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE devices SET lease_owner = NULL, lease_until = NULL, next_poll_at = $3 \
                 WHERE id = $1 AND lease_owner = $2",
            )
            .bind(device_id.0)
            .bind(instance_id)
            .bind(secs(next_poll_at))
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(released > 0)
    }

    /// Leases one device to `owner` (for a poll by hand) unless another
    /// lease on it is live; returns what the poller needs, or `None` when
    /// it is leased. `NotFound` if it is not the company's.
    pub async fn lease_device(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
        owner: &str,
        now: Timestamp,
        lease: Duration,
    ) -> Result<Option<PollTarget>> {
        let until = secs(now).saturating_add(dur_secs(lease));
        let row = self
            .transaction(async |tx| {
                let taken: Option<i64> = on_tx!(tx, |conn| {
                    sqlx::query_scalar(
                        "UPDATE devices SET lease_owner = $3, lease_until = $4 \
                         WHERE id = $1 AND company_id = $2 \
                           AND (lease_until IS NULL OR lease_until <= $5) RETURNING id",
                    )
                    .bind(device_id.0)
                    .bind(company_id.0)
                    .bind(owner)
                    .bind(until)
                    .bind(secs(now))
                    .fetch_optional(conn)
                    .await?
                });
                match taken {
                    Some(id) => Ok(leased_targets(tx, owner, &[id]).await?.pop()),
                    None => Ok(None),
                }
            })
            .await?;
        if row.is_none() {
            // Leased, or not there at all: tell them apart.
            self.device_poll_target(company_id, device_id).await?;
        }
        row.map(|r| self.poll_target(r)).transpose()
    }

    /// Gives up `owner`'s lease on a device, keeping its schedule.
    pub async fn release_lease(&self, device_id: DeviceId, owner: &str) -> Result<bool> {
        let released = with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE devices SET lease_owner = NULL, lease_until = NULL \
                 WHERE id = $1 AND lease_owner = $2",
            )
            .bind(device_id.0)
            .bind(owner)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(released > 0)
    }

    /// Gives up every lease `owner` holds (a restarted instance's leftovers).
    pub async fn release_leases_of(&self, owner: &str) -> Result<u64> {
        Ok(with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE devices SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1",
            )
            .bind(owner)
            .execute(pool)
            .await?
            .rows_affected()
        }))
    }
}

/// A lease being taken: who, from when, until when, how many at most.
struct Lease<'a> {
    owner: &'a str,
    now: i64,
    until: i64,
    limit: i64,
    postgres: bool,
}

/// Leases due devices; returns their ids.
async fn lease_due(tx: &mut Tx, lease: &Lease<'_>) -> Result<Vec<i64>> {
    let lock = if lease.postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    // Fair across companies: each company's due devices are numbered in
    // the order they fell due, and the claim takes every company's first
    // before anyone's second. A company with 10,000 overdue devices so
    // cannot keep another company's new device waiting for a free slot.
    // (PostgreSQL allows no FOR UPDATE beside a window function, so the
    // ranked pick is a subquery and its rows are locked one level up.)
    let claim = format!(
        "UPDATE devices SET lease_owner = $1, lease_until = $2 \
         WHERE (lease_until IS NULL OR lease_until <= $3) AND id IN ( \
           SELECT id FROM devices WHERE id IN ( \
             SELECT id FROM ( \
               SELECT id, next_poll_at, ROW_NUMBER() OVER ( \
                 PARTITION BY company_id ORDER BY next_poll_at, id) AS turn \
               FROM devices \
               WHERE enabled AND mode = 'poll' AND next_poll_at <= $3 \
                 AND (lease_until IS NULL OR lease_until <= $3)) due \
             ORDER BY turn, next_poll_at, id LIMIT $4){lock}) \
         RETURNING id"
    );
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(&claim)
            .bind(lease.owner)
            .bind(lease.until)
            .bind(lease.now)
            .bind(lease.limit)
            .fetch_all(conn)
            .await?
    }))
}

/// What the poller needs for the devices just leased to `owner`.
async fn leased_targets(tx: &mut Tx, owner: &str, ids: &[i64]) -> Result<Vec<PollTargetRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let select = format!(
        "{} WHERE d.lease_owner = $1 AND d.id IN ({}) ORDER BY d.next_poll_at, d.id",
        poll_target_select!(),
        placeholders(2, ids.len())
    );
    Ok(on_tx!(tx, |conn| {
        let mut query = sqlx::query_as::<_, PollTargetRow>(&select).bind(owner);
        for id in ids {
            query = query.bind(*id);
        }
        query.fetch_all(conn).await?
    }))
}
