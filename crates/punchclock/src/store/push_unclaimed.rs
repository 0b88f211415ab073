//! Serials that called without being claimed: kept for the operator
//! (`punchclock push unclaimed`), never for any company. Written in
//! batches from memory, and capped.

use jiff::Timestamp;

use super::{int, secs, ts, Result, Store, StoreError};
use crate::domain::UnclaimedDevice;

#[derive(sqlx::FromRow)]
struct UnclaimedRow {
    serial_number: String,
    source_address: String,
    first_seen: i64,
    last_seen: i64,
    requests: i64,
    push_version: Option<String>,
    device_type: Option<String>,
}

impl TryFrom<UnclaimedRow> for UnclaimedDevice {
    type Error = StoreError;
    fn try_from(r: UnclaimedRow) -> Result<UnclaimedDevice> {
        Ok(UnclaimedDevice {
            serial_number: r.serial_number,
            source_address: r.source_address,
            first_seen: ts(r.first_seen)?,
            last_seen: ts(r.last_seen)?,
            requests: int(r.requests, "push_unclaimed.requests")?,
            push_version: r.push_version,
            device_type: r.device_type,
        })
    }
}

impl Store {
    /// Adds what was seen since the last flush: new serials are inserted,
    /// known ones get their last sighting and more requests; claimed ones
    /// are dropped. Then only
    /// the `keep` most recently seen serials, seen since `forget_before`,
    /// stay.
    pub async fn flush_unclaimed(
        &self,
        seen: &[UnclaimedDevice],
        keep: u32,
        forget_before: Timestamp,
    ) -> Result<()> {
        self.transaction(async |tx| {
            for d in seen {
                on_tx!(tx, |conn| {
                    let mut q = insert_into!("push_unclaimed" {
                        serial_number: d.serial_number.as_str(),
                        source_address: d.source_address.as_str(),
                        first_seen: secs(d.first_seen),
                        last_seen: secs(d.last_seen),
                        requests: i64::try_from(d.requests).unwrap_or(i64::MAX),
                        push_version: d.push_version.as_deref(),
                        device_type: d.device_type.as_deref(),
                    });
                    q.push(
                        " ON CONFLICT (serial_number) DO UPDATE SET \
                         source_address = excluded.source_address, \
                         last_seen = excluded.last_seen, \
                         requests = push_unclaimed.requests + excluded.requests, \
                         push_version = COALESCE(excluded.push_version, push_unclaimed.push_version), \
                         device_type = COALESCE(excluded.device_type, push_unclaimed.device_type)",
                    );
                    q.build().execute(conn).await?;
                });
            }
            if !seen.is_empty() {
                // A sighting buffered while its serial was being claimed
                // must not outlive the claim.
                on_tx!(tx, |conn| {
                    sqlx::query(
                        "DELETE FROM push_unclaimed WHERE serial_number IN \
                         (SELECT push_serial FROM devices WHERE push_serial IS NOT NULL)",
                    )
                    .execute(conn)
                    .await?;
                });
            }
            on_tx!(tx, |conn| {
                sqlx::query(
                    "DELETE FROM push_unclaimed WHERE last_seen < $1 OR serial_number NOT IN \
                     (SELECT serial_number FROM push_unclaimed ORDER BY last_seen DESC, \
                      serial_number LIMIT $2)",
                )
                .bind(secs(forget_before))
                .bind(i64::from(keep))
                .execute(conn)
                .await?;
            });
            Ok(())
        })
        .await
    }

    /// The unclaimed serials, most recently seen first.
    pub async fn list_unclaimed(&self, limit: u32) -> Result<Vec<UnclaimedDevice>> {
        let rows: Vec<UnclaimedRow> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT serial_number, source_address, first_seen, last_seen, requests, \
                 push_version, device_type FROM push_unclaimed \
                 ORDER BY last_seen DESC, serial_number LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// How many unclaimed serials are on record.
    pub async fn count_unclaimed(&self) -> Result<u64> {
        let n: i64 = with_reader!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM push_unclaimed")
                .fetch_one(pool)
                .await?
        });
        int(n, "unclaimed count")
    }

    /// A serial was claimed: it is no longer the operator's to see.
    pub async fn forget_unclaimed(&self, serial: &str) -> Result<()> {
        with_pool!(self, |pool| {
            sqlx::query("DELETE FROM push_unclaimed WHERE serial_number = $1")
                .bind(serial)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
