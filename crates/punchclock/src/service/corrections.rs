//! Corrections: an admin adds a missing punch or voids a wrong one (and
//! can undo that), always with a reason. Raw device punches are never
//! edited or deleted; every correction is in the audit log.

use jiff::{civil, SignedDuration, Timestamp};

use super::error::ServiceResult;
use super::fields::FieldErrors;
use super::services::{Caller, Services};
use crate::domain::{
    Correction, EmployeeId, NewManualPunch, PunchId, PunchView, Reason, VoidChange, Zone,
};

/// A reason as typed: required, up to 500 characters.
pub fn parse_reason(value: &str) -> Result<Reason, FieldErrors> {
    Reason::parse(value).map_err(|e| FieldErrors::one("reason", e.to_string()))
}

/// Most log entries one request lists.
pub const MAX_LOG: u32 = 500;

/// A missing punch as typed. `time` is RFC 3339 (`2026-07-01T09:00:00+02:00`)
/// or a wall-clock time read in the company's zone (`2026-07-01T09:00`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManualPunchInput {
    pub employee_id: String,
    pub time: String,
    pub reason: String,
}

impl ManualPunchInput {
    /// Valid punches are not in the future (a minute of clock skew
    /// aside) and not before 2000, when devices' clocks start.
    pub fn parse(&self, zone: &Zone, now: Timestamp) -> Result<NewManualPunch, FieldErrors> {
        let mut e = FieldErrors::default();
        let employee = e.check(
            "employee_id",
            self.employee_id
                .trim()
                .parse::<i64>()
                .map(EmployeeId)
                .map_err(|_| "Choose the employee."),
        );
        let at = e.check("time", instant(&self.time, zone, now));
        let reason = e.check("reason", Reason::parse(&self.reason));
        e.finish(|| {
            let at = at?;
            Some(NewManualPunch {
                employee_id: employee?,
                at,
                device_time: zone.to_zoned(at).datetime(),
                reason: reason?,
            })
        })
    }
}

fn instant(value: &str, zone: &Zone, now: Timestamp) -> Result<Timestamp, String> {
    let v = value.trim();
    let at = match v.parse::<Timestamp>() {
        Ok(t) => t,
        Err(_) => v
            .replacen(' ', "T", 1)
            .parse::<civil::DateTime>()
            .ok()
            .and_then(|dt| zone.instant(dt))
            .ok_or_else(|| {
                format!(
                    "Enter the time like 2026-07-01T09:00 (read in {zone}) or \
                     2026-07-01T09:00:00+02:00; got \"{v}\"."
                )
            })?,
    };
    // Whole seconds, as devices record them.
    let at = Timestamp::from_second(at.as_second()).map_err(|e| e.to_string())?;
    if at > now + SignedDuration::from_secs(60) {
        return Err("A missing punch cannot be in the future.".into());
    }
    if at.as_second() < 946_684_800 {
        return Err("Enter a time from the year 2000 on.".into());
    }
    Ok(at)
}

impl Services {
    pub fn corrections(&self) -> Corrections<'_> {
        Corrections(self)
    }
}

/// Correction operations; see [`Services::corrections`].
pub struct Corrections<'a>(&'a Services);

impl Corrections<'_> {
    /// Adds a missing punch (read with [`ManualPunchInput::parse`]);
    /// returns it as the punch list shows it.
    pub async fn add_punch(
        &self,
        caller: &Caller,
        new: &NewManualPunch,
    ) -> ServiceResult<PunchView> {
        let s = self.0;
        s.require_good_standing(caller).await?;
        let id = s
            .store
            .add_manual_punch(caller.company_id, caller.account_id, new)
            .await?;
        Ok(s.store.get_punch(caller.company_id, id).await?)
    }

    /// Voids a punch: it stays listed but no longer counts.
    pub async fn void(
        &self,
        caller: &Caller,
        id: PunchId,
        reason: &Reason,
    ) -> ServiceResult<PunchView> {
        self.set(caller, id, VoidChange::Void, reason).await
    }

    /// Undoes a void.
    pub async fn unvoid(
        &self,
        caller: &Caller,
        id: PunchId,
        reason: &Reason,
    ) -> ServiceResult<PunchView> {
        self.set(caller, id, VoidChange::Unvoid, reason).await
    }

    async fn set(
        &self,
        caller: &Caller,
        id: PunchId,
        change: VoidChange,
        reason: &Reason,
    ) -> ServiceResult<PunchView> {
        let s = self.0;
        s.require_good_standing(caller).await?;
        s.store
            .set_punch_voided(
                caller.company_id,
                caller.account_id,
                id,
                change,
                reason.as_str(),
            )
            .await?;
        Ok(s.store.get_punch(caller.company_id, id).await?)
    }

    /// The corrections log, newest first, and how many entries there are.
    pub async fn log(
        &self,
        caller: &Caller,
        employee: Option<EmployeeId>,
        limit: u32,
        offset: u64,
    ) -> ServiceResult<(Vec<Correction>, u64)> {
        let store = &self.0.store;
        let items = store
            .list_corrections(caller.company_id, employee, limit.clamp(1, MAX_LOG), offset)
            .await?;
        let total = store.count_corrections(caller.company_id, employee).await?;
        Ok((items, total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(time: &str, reason: &str) -> ManualPunchInput {
        ManualPunchInput {
            employee_id: "3".into(),
            time: time.into(),
            reason: reason.into(),
        }
    }

    #[test]
    fn times_are_instants_or_company_wall_clock() {
        let zone = Zone::parse("Europe/Berlin").unwrap();
        let now: Timestamp = "2026-07-02T00:00:00Z".parse().unwrap();
        let wall = input("2026-07-01T09:00", "forgot")
            .parse(&zone, now)
            .unwrap();
        assert_eq!(wall.at.to_string(), "2026-07-01T07:00:00Z");
        assert_eq!(wall.device_time.to_string(), "2026-07-01T09:00:00");
        let spaced = input("2026-07-01 09:00:30", "forgot")
            .parse(&zone, now)
            .unwrap();
        assert_eq!(spaced.at.to_string(), "2026-07-01T07:00:30Z");
        let rfc = input("2026-07-01T09:00:00-04:00", "forgot")
            .parse(&zone, now)
            .unwrap();
        assert_eq!(rfc.at.to_string(), "2026-07-01T13:00:00Z");
        assert_eq!(
            rfc.device_time.to_string(),
            "2026-07-01T15:00:00",
            "company wall clock"
        );
    }

    #[test]
    fn every_field_is_checked() {
        let zone = Zone::utc();
        let now: Timestamp = "2026-07-02T00:00:00Z".parse().unwrap();
        let e = ManualPunchInput::default().parse(&zone, now).unwrap_err();
        for f in ["employee_id", "time", "reason"] {
            assert!(e.get(f).is_some(), "{f}: {e}");
        }
        let e = input("2026-07-03T09:00", "x")
            .parse(&zone, now)
            .unwrap_err();
        assert!(e.get("time").unwrap().contains("future"), "{e}");
        let e = input("1999-07-03T09:00", "x")
            .parse(&zone, now)
            .unwrap_err();
        assert!(e.get("time").unwrap().contains("2000"), "{e}");
        let e = input("nine o'clock", "x").parse(&zone, now).unwrap_err();
        assert!(e.get("time").unwrap().contains("2026-07-01T09:00"), "{e}");
        let e = input("2026-07-01T09:00", &"x".repeat(501))
            .parse(&zone, now)
            .unwrap_err();
        assert!(e.get("reason").unwrap().contains("500"), "{e}");
    }
}
