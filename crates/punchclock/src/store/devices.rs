//! Devices: configuration and status (leasing is in `leases.rs`).

use jiff::Timestamp;

use super::{int, opt_int, opt_ts, opt_zone, secs, ts, Invalid, Result, Rule, Store, StoreError};
use crate::domain::{
    CommKeyUpdate, CompanyId, Device, DeviceId, DeviceInfo, DeviceMode, DeviceUpdate, NewDevice,
    PollTarget, PushLink, SyncMark, Zone,
};

macro_rules! device_cols {
    () => {
        "id, company_id, name, host, port, \
         (comm_key_sealed IS NOT NULL OR comm_key IS NOT NULL) AS has_comm_key, transport, \
         timezone, enabled, poll_interval_minutes, serial_number, device_name, platform, \
         firmware, mac, user_count, punch_count, user_capacity, punch_capacity, \
         clock_drift_seconds, status, last_attempt_at, last_seen_at, last_error, last_error_code, \
         next_poll_at, \
         history_pulled, lease_owner, lease_until, created_at, mode, push_serial, \
         source_address, pending_source_address, lock_source, push_last_seen, \
         push_handshake_at, push_delay_seconds, push_version, \
         push_key_hash IS NOT NULL AS has_push_key, name_encoding, realtime, live_state"
    };
}

/// Device joined with its company, with zone and interval resolved.
macro_rules! poll_target_select {
    () => {
        "SELECT d.id, d.company_id, d.name, d.host, d.port, d.comm_key, d.comm_key_sealed, \
         d.transport, \
         COALESCE(d.timezone, c.timezone) AS timezone, d.history_pulled, d.serial_number, \
         COALESCE(d.poll_interval_minutes, c.poll_interval_minutes) AS poll_interval_minutes, \
         d.name_encoding, d.synced_users, d.synced_punches, d.synced_oplog, \
         d.synced_user_capacity, d.synced_punch_capacity, d.synced_position, d.synced_tail, \
         d.full_synced_at, \
         EXISTS (SELECT 1 FROM notify_settings n WHERE n.company_id = d.company_id \
                 AND (n.auto_set_clock OR n.auto_rotate_log)) AS care_opted_in \
         FROM devices d JOIN companies c ON c.id = d.company_id"
    };
}
pub(crate) use poll_target_select;

#[derive(sqlx::FromRow)]
struct DeviceRow {
    id: i64,
    company_id: i64,
    name: String,
    host: String,
    port: i64,
    has_comm_key: bool,
    transport: String,
    timezone: Option<String>,
    enabled: bool,
    poll_interval_minutes: Option<i64>,
    serial_number: Option<String>,
    device_name: Option<String>,
    platform: Option<String>,
    firmware: Option<String>,
    mac: Option<String>,
    user_count: Option<i64>,
    punch_count: Option<i64>,
    user_capacity: Option<i64>,
    punch_capacity: Option<i64>,
    clock_drift_seconds: Option<i64>,
    status: String,
    last_attempt_at: Option<i64>,
    last_seen_at: Option<i64>,
    last_error: Option<String>,
    last_error_code: Option<String>,
    next_poll_at: i64,
    history_pulled: bool,
    lease_owner: Option<String>,
    lease_until: Option<i64>,
    created_at: i64,
    mode: String,
    push_serial: Option<String>,
    source_address: Option<String>,
    pending_source_address: Option<String>,
    lock_source: bool,
    push_last_seen: Option<i64>,
    push_handshake_at: Option<i64>,
    push_delay_seconds: Option<i64>,
    push_version: Option<String>,
    has_push_key: bool,
    name_encoding: String,
    realtime: bool,
    live_state: Option<String>,
}

impl DeviceRow {
    fn push_link(&self) -> Result<PushLink> {
        Ok(PushLink {
            serial: self.push_serial.clone(),
            source_address: self.source_address.clone(),
            pending_source_address: self.pending_source_address.clone(),
            lock_source: self.lock_source,
            last_seen: opt_ts(self.push_last_seen)?,
            handshake_at: opt_ts(self.push_handshake_at)?,
            delay_seconds: opt_int(self.push_delay_seconds, "push_delay_seconds")?,
            push_version: self.push_version.clone(),
            has_key: self.has_push_key,
        })
    }
}

impl TryFrom<DeviceRow> for Device {
    type Error = StoreError;
    fn try_from(r: DeviceRow) -> Result<Device> {
        let push = r.push_link()?;
        Ok(Device {
            id: DeviceId(r.id),
            company_id: CompanyId(r.company_id),
            name: r.name,
            host: r.host,
            port: int(r.port, "port")?,
            has_comm_key: r.has_comm_key,
            transport: r.transport.parse()?,
            timezone: opt_zone(r.timezone.as_deref(), "devices.timezone", r.id)?,
            enabled: r.enabled,
            poll_interval_minutes: opt_int(r.poll_interval_minutes, "poll_interval_minutes")?,
            info: DeviceInfo {
                serial_number: r.serial_number,
                device_name: r.device_name,
                platform: r.platform,
                firmware: r.firmware,
                mac: r.mac,
                user_count: opt_int(r.user_count, "user_count")?,
                punch_count: opt_int(r.punch_count, "punch_count")?,
                user_capacity: opt_int(r.user_capacity, "user_capacity")?,
                punch_capacity: opt_int(r.punch_capacity, "punch_capacity")?,
                clock_drift_seconds: r.clock_drift_seconds,
            },
            status: r.status.parse()?,
            last_attempt_at: opt_ts(r.last_attempt_at)?,
            last_seen_at: opt_ts(r.last_seen_at)?,
            last_error: r.last_error,
            last_error_code: r.last_error_code.map(|c| c.parse()).transpose()?,
            next_poll_at: ts(r.next_poll_at)?,
            history_pulled: r.history_pulled,
            lease_owner: r.lease_owner,
            lease_until: opt_ts(r.lease_until)?,
            created_at: ts(r.created_at)?,
            mode: r.mode.parse()?,
            push,
            name_encoding: r.name_encoding.parse()?,
            realtime: r.realtime,
            live_state: r.live_state.map(|s| s.parse()).transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PollTargetRow {
    id: i64,
    company_id: i64,
    name: String,
    host: String,
    port: i64,
    /// Plain, only until the service seals it on start (older rows).
    comm_key: Option<i64>,
    comm_key_sealed: Option<String>,
    transport: String,
    timezone: String,
    history_pulled: bool,
    serial_number: Option<String>,
    poll_interval_minutes: i64,
    name_encoding: String,
    synced_users: Option<i64>,
    synced_punches: Option<i64>,
    synced_oplog: Option<i64>,
    synced_user_capacity: Option<i64>,
    synced_punch_capacity: Option<i64>,
    synced_position: Option<i64>,
    synced_tail: Option<String>,
    full_synced_at: Option<i64>,
    care_opted_in: bool,
}

impl PollTargetRow {
    /// The mark of the last successful sync, when one was stored whole.
    fn mark(&self) -> Result<Option<SyncMark>> {
        let (
            Some(users),
            Some(punches),
            Some(oplog),
            Some(user_capacity),
            Some(punch_capacity),
            Some(position),
            Some(tail),
            Some(full_at),
        ) = (
            self.synced_users,
            self.synced_punches,
            self.synced_oplog,
            self.synced_user_capacity,
            self.synced_punch_capacity,
            self.synced_position,
            &self.synced_tail,
            self.full_synced_at,
        )
        else {
            return Ok(None);
        };
        Ok(Some(SyncMark {
            users: int(users, "devices.synced_users")?,
            punches: int(punches, "devices.synced_punches")?,
            oplog: int(oplog, "devices.synced_oplog")?,
            user_capacity: int(user_capacity, "devices.synced_user_capacity")?,
            punch_capacity: int(punch_capacity, "devices.synced_punch_capacity")?,
            position: int(position, "devices.synced_position")?,
            tail: tail.clone(),
            full_at: ts(full_at)?,
        }))
    }
}

impl TryFrom<PollTargetRow> for PollTarget {
    type Error = StoreError;
    fn try_from(r: PollTargetRow) -> Result<PollTarget> {
        let mark = r.mark()?;
        Ok(PollTarget {
            device_id: DeviceId(r.id),
            company_id: CompanyId(r.company_id),
            name: r.name,
            host: r.host,
            port: int(r.port, "port")?,
            comm_key: opt_int(r.comm_key, "comm_key")?,
            transport: r.transport.parse()?,
            timezone: Zone::parse(&r.timezone),
            history_pulled: r.history_pulled,
            serial_number: r.serial_number,
            poll_interval_minutes: int(r.poll_interval_minutes, "poll_interval_minutes")?,
            name_encoding: r.name_encoding.parse()?,
            mark,
            care_opted_in: r.care_opted_in,
        })
    }
}

/// What create and update both check.
struct Checked {
    name: String,
    host: String,
    push_serial: Option<String>,
}

/// Shared checks for create and update: a polled device needs a host, a
/// pushing one its serial (stored upper case, as the claim is matched).
fn validate(
    name: &str,
    host: &str,
    port: u16,
    poll: Option<u32>,
    mode: DeviceMode,
    push_serial: Option<&str>,
) -> Result<Checked> {
    let name = name.trim();
    let host = host.trim();
    let push_serial = push_serial
        .map(|s| s.trim().to_ascii_uppercase())
        .filter(|s| !s.is_empty());
    if name.is_empty() {
        return Err(Invalid::DeviceNameMissing.into());
    }
    if host.is_empty() && mode == DeviceMode::Poll {
        return Err(Invalid::DeviceHostMissing.into());
    }
    if push_serial.is_none() && mode == DeviceMode::Push {
        return Err(Invalid::DeviceSerialMissing.into());
    }
    if port == 0 {
        return Err(Invalid::DevicePortZero.into());
    }
    if poll == Some(0) {
        return Err(Invalid::PollIntervalZero.into());
    }
    Ok(Checked {
        name: name.to_owned(),
        host: host.to_owned(),
        push_serial,
    })
}

impl Store {
    /// Adds a device; it is due for polling immediately.
    pub async fn create_device(&self, company_id: CompanyId, new: &NewDevice) -> Result<Device> {
        self.add_device(company_id, new, None).await
    }

    /// Adds a device unless the company has `cap` devices already
    /// ([`Rule::DeviceCap`]). The count and the insert are one transaction
    /// with the company row locked (PostgreSQL; SQLite has one writer), so
    /// adds racing each other cannot pass the cap together.
    pub async fn create_device_within(
        &self,
        company_id: CompanyId,
        new: &NewDevice,
        cap: u32,
    ) -> Result<Device> {
        self.add_device(company_id, new, Some(cap)).await
    }

    async fn add_device(
        &self,
        company_id: CompanyId,
        new: &NewDevice,
        cap: Option<u32>,
    ) -> Result<Device> {
        let c = validate(
            &new.name,
            &new.host,
            new.port,
            new.poll_interval_minutes,
            new.mode,
            new.push_serial.as_deref(),
        )?;
        let now = self.now();
        let comm_key = new
            .comm_key
            .map(|k| self.sealer.seal_comm_key(company_id, k));
        // NO KEY UPDATE: adds wait for each other, but not for (nor hold
        // up) syncs, whose inserts only key-share the company row.
        let lock = if self.is_postgres() {
            " FOR NO KEY UPDATE"
        } else {
            "" // SQLite: transactions take the one write lock up front.
        };
        let lock_company = format!("SELECT id FROM companies WHERE id = $1{lock}");
        let row: DeviceRow = self
            .transaction(async |tx| {
                if let Some(cap) = cap {
                    let held: i64 = on_tx!(tx, |conn| {
                        sqlx::query(&lock_company)
                            .bind(company_id.0)
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query_scalar("SELECT COUNT(*) FROM devices WHERE company_id = $1")
                            .bind(company_id.0)
                            .fetch_one(&mut *conn)
                            .await?
                    });
                    if held >= i64::from(cap) {
                        return Err(StoreError::Conflict(Rule::DeviceCap { cap }));
                    }
                }
                Ok(on_tx!(tx, |conn| {
                    sqlx::query_as::<_, DeviceRow>(concat!(
                        "INSERT INTO devices (company_id, name, host, port, comm_key_sealed, \
                         transport, timezone, enabled, poll_interval_minutes, status, \
                         next_poll_at, history_pulled, created_at, mode, push_serial) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, FALSE, $10, \
                         $11, $12) RETURNING ",
                        device_cols!()
                    ))
                    .bind(company_id.0)
                    .bind(&c.name)
                    .bind(&c.host)
                    .bind(i64::from(new.port))
                    .bind(comm_key.clone())
                    .bind(new.transport.as_str())
                    .bind(new.timezone.as_ref().map(Zone::name))
                    .bind(new.enabled)
                    .bind(new.poll_interval_minutes.map(i64::from))
                    .bind(now)
                    .bind(new.mode.as_str())
                    .bind(&c.push_serial)
                    .fetch_one(&mut *conn)
                    .await?
                }))
            })
            .await?;
        row.try_into()
    }

    pub async fn update_device(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
        update: &DeviceUpdate,
    ) -> Result<Device> {
        let c = validate(
            &update.name,
            &update.host,
            update.port,
            update.poll_interval_minutes,
            update.mode,
            update.push_serial.as_deref(),
        )?;
        let (replace_key, key) = match update.comm_key {
            CommKeyUpdate::Keep => (false, None),
            CommKeyUpdate::Set(key) => (true, Some(self.sealer.seal_comm_key(company_id, key))),
            CommKeyUpdate::Clear => (true, None),
        };
        let row: DeviceRow = with_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "UPDATE devices SET name = $3, host = $4, port = $5, transport = $6, timezone = $7, \
                 enabled = $8, poll_interval_minutes = $9, \
                 comm_key = CASE WHEN $10 THEN NULL ELSE comm_key END, \
                 comm_key_sealed = CASE WHEN $10 THEN $11 ELSE comm_key_sealed END, \
                 mode = $12, lock_source = $13, \
                 push_key_hash = CASE WHEN push_serial = $14 THEN push_key_hash END, \
                 push_serial = $14 \
                 WHERE id = $1 AND company_id = $2 RETURNING ",
                device_cols!()
            ))
            .bind(device_id.0)
            .bind(company_id.0)
            .bind(&c.name)
            .bind(&c.host)
            .bind(i64::from(update.port))
            .bind(update.transport.as_str())
            .bind(update.timezone.as_ref().map(Zone::name))
            .bind(update.enabled)
            .bind(update.poll_interval_minutes.map(i64::from))
            .bind(replace_key)
            .bind(key)
            .bind(update.mode.as_str())
            .bind(update.lock_source)
            .bind(&c.push_serial)
            .fetch_one(pool)
            .await?
        });
        row.try_into()
    }

    /// How many devices (pull and push) the company has: what its plan's
    /// device cap counts.
    pub async fn count_devices(&self, company_id: CompanyId) -> Result<u64> {
        let n: i64 = with_reader!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM devices WHERE company_id = $1")
                .bind(company_id.0)
                .fetch_one(pool)
                .await?
        });
        Ok(u64::try_from(n).unwrap_or_default())
    }

    /// Deletes a device and its logs. Its punches and employees stay
    /// (punches lose their `device_id` and `device_log_id`, keep their
    /// serial, so re-adding the device does not duplicate them).
    pub async fn delete_device(&self, company_id: CompanyId, device_id: DeviceId) -> Result<()> {
        let deleted = self
            .transaction(async |tx| {
                Ok(on_tx!(tx, |conn| {
                    // device_log_id has no FK (it would cost a lookup per
                    // inserted punch); a device's punches are exactly those
                    // of its logs.
                    sqlx::query(
                        "UPDATE punches SET device_log_id = NULL \
                         WHERE device_id = $1 AND company_id = $2",
                    )
                    .bind(device_id.0)
                    .bind(company_id.0)
                    .execute(&mut *conn)
                    .await?;
                    // The FK turns punches.device_id into NULL.
                    sqlx::query("DELETE FROM devices WHERE id = $1 AND company_id = $2")
                        .bind(device_id.0)
                        .bind(company_id.0)
                        .execute(&mut *conn)
                        .await?
                        .rows_affected()
                }))
            })
            .await?;
        if deleted == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn get_device(&self, company_id: CompanyId, device_id: DeviceId) -> Result<Device> {
        let row: DeviceRow = with_reader!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                device_cols!(),
                " FROM devices WHERE id = $1 AND company_id = $2"
            ))
            .bind(device_id.0)
            .bind(company_id.0)
            .fetch_one(pool)
            .await?
        });
        row.try_into()
    }

    /// A company's devices by name.
    pub async fn list_devices(&self, company_id: CompanyId) -> Result<Vec<Device>> {
        let rows: Vec<DeviceRow> = with_reader!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                device_cols!(),
                " FROM devices WHERE company_id = $1 ORDER BY name, id"
            ))
            .bind(company_id.0)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// One page of the company's devices in list order (name, then id),
    /// and how many it has in all: Manage Devices at 10,000 devices reads
    /// a page, never the whole fleet.
    pub async fn list_devices_page(
        &self,
        company_id: CompanyId,
        limit: u64,
        offset: u64,
    ) -> Result<(Vec<Device>, u64)> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        let (rows, total): (Vec<DeviceRow>, i64) = with_reader!(self, |pool| {
            let rows = sqlx::query_as(concat!(
                "SELECT ",
                device_cols!(),
                " FROM devices WHERE company_id = $1 ORDER BY name, id LIMIT $2 OFFSET $3"
            ))
            .bind(company_id.0)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_scalar("SELECT COUNT(*) FROM devices WHERE company_id = $1")
                .bind(company_id.0)
                .fetch_one(pool)
                .await?;
            (rows, total)
        });
        let devices = rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<Result<Vec<Device>>>()?;
        Ok((devices, int(total, "count")?))
    }

    /// Connection details including the comm key, e.g. for "test
    /// connection". Takes no lease.
    pub async fn device_poll_target(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
    ) -> Result<PollTarget> {
        let row: PollTargetRow = with_reader!(self, |pool| {
            sqlx::query_as(concat!(
                poll_target_select!(),
                " WHERE d.id = $1 AND d.company_id = $2"
            ))
            .bind(device_id.0)
            .bind(company_id.0)
            .fetch_one(pool)
            .await?
        });
        self.poll_target(row)
    }

    /// A poll target with its comm key opened. A key that does not open
    /// (the operator's `secrets_key` changed) is logged and left out, so
    /// that device's polls fail as "comm key missing or wrong" and its owner
    /// re-enters it, while every other device is still claimed and polled.
    pub(super) fn poll_target(&self, row: PollTargetRow) -> Result<PollTarget> {
        let sealed = row.comm_key_sealed.clone();
        let mut target: PollTarget = row.try_into()?;
        if let Some(sealed) = sealed {
            match self.sealer.open_comm_key(target.company_id, &sealed) {
                Ok(key) => target.comm_key = Some(key),
                Err(e) => tracing::error!(device = %target.device_id, "comm key: {e}"),
            }
        }
        Ok(target)
    }

    /// Seals comm keys stored in plain text by older versions; returns how
    /// many. Run on start, once the operator's key is set.
    pub async fn seal_plain_comm_keys(&self) -> Result<u64> {
        let plain: Vec<(i64, i64, i64)> = with_reader!(self, |pool| {
            sqlx::query_as(
                "SELECT id, company_id, comm_key FROM devices WHERE comm_key IS NOT NULL",
            )
            .fetch_all(pool)
            .await?
        });
        for (id, company, key) in &plain {
            let key: u32 = int(*key, "devices.comm_key")?;
            let sealed = self.sealer.seal_comm_key(CompanyId(*company), key);
            with_pool!(self, |pool| {
                sqlx::query(
                    "UPDATE devices SET comm_key_sealed = $1, comm_key = NULL \
                     WHERE id = $2 AND comm_key IS NOT NULL",
                )
                .bind(&sealed)
                .bind(id)
                .execute(pool)
                .await?;
            });
        }
        Ok(plain.len() as u64)
    }

    /// Sets when the device is next due; "sync now" passes the current time.
    pub async fn schedule_device_poll(
        &self,
        company_id: CompanyId,
        device_id: DeviceId,
        at: Timestamp,
    ) -> Result<()> {
        let updated = with_pool!(self, |pool| {
            sqlx::query("UPDATE devices SET next_poll_at = $3 WHERE id = $1 AND company_id = $2")
                .bind(device_id.0)
                .bind(company_id.0)
                .bind(secs(at))
                .execute(pool)
                .await?
                .rows_affected()
        });
        if updated == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Forgets what the last sync found (`SyncMark`), so the next sync is
    /// a full one: for when the service itself changed the device's data
    /// (a name written), which its counts may not show.
    pub async fn forget_sync_mark(&self, company_id: CompanyId, device_id: DeviceId) -> Result<()> {
        with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE devices SET synced_position = NULL WHERE id = $1 AND company_id = $2",
            )
            .bind(device_id.0)
            .bind(company_id.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
