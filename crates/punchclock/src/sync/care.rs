//! Looking after a device over its protocol: set its clock, and rotate
//! its attendance log safely. Nothing here touches the store; what must be
//! checked against it comes in as a closure, called batch by batch.

use std::future::Future;

use jiff::Timestamp;
use zk_client::{Cleared, ZkClient};

use super::poller::{connect, device_instant, reason, to_new_punch};
use super::PollSettings;
use crate::domain::device_time::from_civil;
use crate::domain::{NewPunch, Outcome, PollFailure, PollReason, PollTarget, Zone};

/// The device clock before and after it was set, as drift from "now".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockSet {
    pub drift_before: Option<i64>,
    pub drift_after: Option<i64>,
}

/// How a rotation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// Every punch on the device was stored; the log is now empty.
    Cleared { punches: u32 },
    /// A punch arrived after the log was read: nothing was cleared.
    CountChanged { verified: u32, found: u32 },
    /// Some punches on the device are not stored (or differ): nothing was
    /// cleared.
    NotStored { missing: usize, of: usize },
    /// Some records could not be read: clearing would lose them.
    Unreadable { skipped: usize },
}

fn zone_of(target: &PollTarget) -> Result<&Zone, PollReason> {
    target.timezone.as_ref().map_err(|e| {
        PollReason::new(
            PollFailure::UnknownZone,
            format!("{e}: choose a time zone first"),
        )
    })
}

/// Ends the session whatever happened; its own failure is not news.
async fn finish<T>(
    client: ZkClient,
    r: Result<T, zk_client::ClientError>,
) -> Result<T, PollReason> {
    let _ = client.close().await;
    r.map_err(|e| reason(&e))
}

/// Sets the device clock to `now` in the device's zone and reads it back.
pub async fn set_clock(
    target: &PollTarget,
    settings: &PollSettings,
    now: Timestamp,
) -> Result<ClockSet, PollReason> {
    let zone = zone_of(target)?;
    let local = now.to_zoned(zone.tz().clone()).datetime();
    let wanted = from_civil(local).ok_or_else(|| {
        PollReason::new(
            PollFailure::Protocol,
            "the time cannot be written to this device",
        )
    })?;
    let drift = |t| device_instant(zone, t).map(|i: Timestamp| i.as_second() - now.as_second());
    let mut c = connect(target, settings).await?;
    let r = async {
        let before = c.get_time().await?;
        c.set_time(wanted).await?;
        let after = c.get_time().await?;
        Ok((before, after))
    }
    .await;
    let (before, after) = finish(c, r).await?;
    Ok(ClockSet {
        drift_before: drift(before),
        drift_after: drift(after),
    })
}

/// Reads the whole log batch by batch, asking `stored` of each batch how
/// many of its punches are not stored (serial, punches → missing), and
/// clears the log only if none is missing and the device still holds
/// exactly what was read. Holds one batch at a time, whatever the log size.
pub async fn rotate_log<F>(
    target: &PollTarget,
    settings: &PollSettings,
    mut stored: impl FnMut(String, Vec<NewPunch>) -> F,
) -> Result<Rotation, PollReason>
where
    F: Future<Output = Result<usize, PollReason>>,
{
    let zone = zone_of(target)?;
    let mut c = connect(target, settings).await?;
    let checked = check_log(&mut c, zone, &mut stored).await;
    let check = match checked {
        Ok(Ok(check)) => check,
        Ok(Err(store)) => {
            let _ = c.close().await;
            return Err(store);
        }
        Err(e) => return finish(c, Err(e)).await,
    };
    if check.skipped > 0 {
        let _ = c.close().await;
        return Ok(Rotation::Unreadable {
            skipped: check.skipped,
        });
    }
    if check.missing > 0 {
        let _ = c.close().await;
        return Ok(Rotation::NotStored {
            missing: check.missing,
            of: check.read,
        });
    }
    let verified = u32::try_from(check.read).unwrap_or(u32::MAX);
    let cleared = c.clear_attlog_if_count(verified).await;
    Ok(match finish(c, cleared).await? {
        Cleared::Cleared { punches } => Rotation::Cleared { punches },
        Cleared::CountChanged { verified, found } => Rotation::CountChanged { verified, found },
    })
}

/// What reading the log and checking it against the store found.
struct LogCheck {
    read: usize,
    missing: usize,
    skipped: usize,
}

/// The device's error, or the store's reason, or what was found.
async fn check_log<F>(
    c: &mut ZkClient,
    zone: &Zone,
    stored: &mut impl FnMut(String, Vec<NewPunch>) -> F,
) -> Result<Result<LogCheck, PollReason>, zk_client::ClientError>
where
    F: Future<Output = Result<usize, PollReason>>,
{
    let serial = c.info().await?.serial_number.unwrap_or_default();
    let mut found = LogCheck {
        read: 0,
        missing: 0,
        skipped: 0,
    };
    let mut batches = c.punch_batches().await?;
    while let Some(batch) = batches.next_batch().await? {
        let mut punches = Vec::with_capacity(batch.len());
        for p in batch {
            match to_new_punch(zone, p) {
                Some(np) => punches.push(np),
                None => found.skipped += 1,
            }
        }
        found.read += punches.len();
        match stored(serial.clone(), punches).await {
            Ok(missing) => found.missing += missing,
            Err(reason) => return Ok(Err(reason)),
        }
    }
    Ok(Ok(found))
}

impl super::Syncer {
    /// Sets one device's clock to the service's "now" in its zone.
    pub async fn set_clock(
        &self,
        company: crate::domain::CompanyId,
        device: crate::domain::DeviceId,
    ) -> Result<Result<ClockSet, PollReason>, crate::store::StoreError> {
        let target = self.store.device_poll_target(company, device).await?;
        Ok(set_clock(&target, &self.settings, self.clock.now()).await)
    }

    /// Rotates one device's log, checking every punch against the store.
    pub async fn rotate_log(
        &self,
        company: crate::domain::CompanyId,
        device: crate::domain::DeviceId,
    ) -> Result<Result<Rotation, PollReason>, crate::store::StoreError> {
        let target = self.store.device_poll_target(company, device).await?;
        let store = &self.store;
        let check = |serial: String, punches: Vec<NewPunch>| async move {
            store
                .punches_missing(company, &serial, &punches)
                .await
                .map_err(|e| PollReason::new(PollFailure::Store, e.to_string()))
        };
        Ok(rotate_log(&target, &self.settings, check).await)
    }
}

/// A drift in plain words.
pub fn drift_words(d: Option<i64>) -> String {
    match d {
        None => "unknown".into(),
        Some(0) => "on time".into(),
        Some(s) if s > 0 => format!("{s} s ahead"),
        Some(s) => format!("{} s behind", -s),
    }
}

/// What setting the clock did, in plain words.
pub fn clock_words(r: &Result<ClockSet, PollReason>) -> (Outcome, String) {
    match r {
        Ok(c) => (
            Outcome::Ok,
            format!(
                "Clock set to the time in the device's zone: it was {}, now {}.",
                drift_words(c.drift_before),
                drift_words(c.drift_after)
            ),
        ),
        Err(r) => (
            Outcome::Failed,
            format!("Setting the clock failed: {}", r.message),
        ),
    }
}

/// What a rotation did, in plain words.
pub fn rotation_words(r: &Result<Rotation, PollReason>) -> (Outcome, String) {
    match r {
        Ok(Rotation::Cleared { punches }) => (
            Outcome::Ok,
            format!("Log cleared: all {punches} punches on the device were verified as stored first."),
        ),
        Ok(Rotation::CountChanged { verified, found }) => (
            Outcome::Failed,
            format!(
                "Nothing was cleared: {verified} punches were verified but the device now holds \
                 {found} (someone punched meanwhile). The next sync stores the new ones; try again."
            ),
        ),
        Ok(Rotation::NotStored { missing, of }) => (
            Outcome::Failed,
            format!("Nothing was cleared: {missing} of the {of} punches on the device are not stored as read."),
        ),
        Ok(Rotation::Unreadable { skipped }) => (
            Outcome::Failed,
            format!("Nothing was cleared: {skipped} records on the device could not be read, and clearing would lose them."),
        ),
        Err(reason) => (Outcome::Failed, format!("Nothing was cleared: {}", reason.message)),
    }
}
