//! Shifts: what the company's people are scheduled to work. Validated by
//! the attendance engine, so what is saved is what it computes with.

use super::error::{sentence, ServiceResult};
use super::fields::FieldErrors;
use super::services::{Caller, Services};
use crate::attendance::{self, ShiftSpec};
use crate::domain::{Shift, ShiftId};

/// A shift as typed. Every field is text (as a form sends it); `None`
/// keeps the current value on an update and takes the default on create.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShiftInput {
    pub name: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub weekdays: Option<Vec<String>>,
    pub late_grace_minutes: Option<String>,
    pub early_grace_minutes: Option<String>,
    pub window_before_minutes: Option<String>,
    pub window_after_minutes: Option<String>,
    pub break_minutes: Option<String>,
    pub break_after_minutes: Option<String>,
}

impl ShiftInput {
    /// A new shift: name, start, end and weekdays are required.
    pub fn parse_new(&self) -> Result<attendance::Shift, FieldErrors> {
        let mut e = FieldErrors::default();
        for (field, missing) in [
            ("name", self.name.is_none()),
            ("start", self.start.is_none()),
            ("end", self.end.is_none()),
            ("weekdays", self.weekdays.is_none()),
        ] {
            if missing {
                e.add(field, required(field));
            }
        }
        let base = ShiftSpec::new("", "", "");
        self.onto(base, e)
    }

    /// These changes over a saved shift.
    pub fn parse_over(&self, current: &ShiftSpec) -> Result<attendance::Shift, FieldErrors> {
        self.onto(current.clone(), FieldErrors::default())
    }

    fn onto(
        &self,
        mut spec: ShiftSpec,
        mut e: FieldErrors,
    ) -> Result<attendance::Shift, FieldErrors> {
        let text = |v: &Option<String>, into: &mut String| {
            if let Some(v) = v {
                *into = v.clone();
            }
        };
        text(&self.name, &mut spec.name);
        text(&self.start, &mut spec.start);
        text(&self.end, &mut spec.end);
        if let Some(w) = &self.weekdays {
            spec.weekdays = w.clone();
        }
        for (field, value, into) in [
            (
                "late_grace_minutes",
                &self.late_grace_minutes,
                &mut spec.late_grace_minutes,
            ),
            (
                "early_grace_minutes",
                &self.early_grace_minutes,
                &mut spec.early_grace_minutes,
            ),
            (
                "window_before_minutes",
                &self.window_before_minutes,
                &mut spec.window_before_minutes,
            ),
            (
                "window_after_minutes",
                &self.window_after_minutes,
                &mut spec.window_after_minutes,
            ),
            (
                "break_minutes",
                &self.break_minutes,
                &mut spec.break_minutes,
            ),
            (
                "break_after_minutes",
                &self.break_after_minutes,
                &mut spec.break_after_minutes,
            ),
        ] {
            if let Some(v) = value.as_deref().map(str::trim) {
                match v.parse::<i64>() {
                    Ok(n) => *into = n,
                    Err(_) => e.add(
                        field,
                        format!("Use a whole number of minutes, not \"{v}\"."),
                    ),
                }
            }
        }
        match attendance::Shift::parse_all(&spec) {
            Ok(shift) if e.is_empty() => Ok(shift),
            Ok(_) => Err(e),
            Err(all) => {
                for invalid in all {
                    e.add(invalid.field, sentence(&invalid.message));
                }
                Err(e)
            }
        }
    }
}

fn required(field: &str) -> String {
    match field {
        "name" => "Give the shift a name, like \"Day\" or \"Night\".".into(),
        "weekdays" => "Choose the weekdays the shift is worked.".into(),
        _ => "Enter a time like 09:00.".into(),
    }
}

impl Services {
    pub fn shifts(&self) -> Shifts<'_> {
        Shifts(self)
    }
}

/// Shift operations; see [`Services::shifts`].
pub struct Shifts<'a>(&'a Services);

impl Shifts<'_> {
    pub async fn list(&self, caller: &Caller) -> ServiceResult<Vec<Shift>> {
        Ok(self.0.store.list_shifts(caller.company_id).await?)
    }

    pub async fn get(&self, caller: &Caller, id: ShiftId) -> ServiceResult<Shift> {
        Ok(self.0.store.get_shift(caller.company_id, id).await?)
    }

    pub async fn create(&self, caller: &Caller, shift: &attendance::Shift) -> ServiceResult<Shift> {
        self.0.require_good_standing(caller).await?;
        Ok(self.0.store.create_shift(caller.company_id, shift).await?)
    }

    /// Applies `input` over the saved shift; every day it applies to is
    /// computed with the new times from now on.
    pub async fn update(
        &self,
        caller: &Caller,
        id: ShiftId,
        input: &ShiftInput,
    ) -> ServiceResult<Shift> {
        self.0.require_good_standing(caller).await?;
        let current = self.get(caller, id).await?;
        let shift = input.parse_over(&current.spec)?;
        Ok(self
            .0
            .store
            .update_shift(caller.company_id, id, &shift)
            .await?)
    }

    /// Refused while the company or an employee still has it.
    pub async fn delete(&self, caller: &Caller, id: ShiftId) -> ServiceResult<()> {
        self.0.require_good_standing(caller).await?;
        Ok(self.0.store.delete_shift(caller.company_id, id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, start: &str, end: &str) -> ShiftInput {
        ShiftInput {
            name: Some(name.into()),
            start: Some(start.into()),
            end: Some(end.into()),
            weekdays: Some(vec!["mon".into(), "tue".into()]),
            ..ShiftInput::default()
        }
    }

    #[test]
    fn a_new_shift_needs_its_times_and_reads_every_field() {
        let e = ShiftInput::default().parse_new().unwrap_err();
        for f in ["name", "start", "end", "weekdays"] {
            assert!(e.get(f).is_some(), "{f}: {e}");
        }
        let mut bad = input("Day", "9:00", "25:00");
        bad.late_grace_minutes = Some("five".into());
        bad.break_minutes = Some("-3".into());
        let e = bad.parse_new().unwrap_err();
        assert!(e
            .get("late_grace_minutes")
            .unwrap()
            .contains("whole number"));
        assert!(e.get("end").unwrap().starts_with("\"25:00\" is not a time"));
        assert!(e
            .get("break_minutes")
            .unwrap()
            .contains("between 0 and 720"));
        let ok = input("Night", "22:00", "6:00").parse_new().unwrap();
        assert!(ok.crosses_midnight());
        assert_eq!(ok.to_spec().late_grace_minutes, 5, "default");
    }

    #[test]
    fn an_update_keeps_what_is_not_sent() {
        let saved = input("Day", "09:00", "17:00")
            .parse_new()
            .unwrap()
            .to_spec();
        let change = ShiftInput {
            end: Some("18:00".into()),
            late_grace_minutes: Some("10".into()),
            ..ShiftInput::default()
        };
        let spec = change.parse_over(&saved).unwrap().to_spec();
        assert_eq!((spec.start.as_str(), spec.end.as_str()), ("09:00", "18:00"));
        assert_eq!((spec.name.as_str(), spec.late_grace_minutes), ("Day", 10));
        let too_long = ShiftInput {
            end: Some("06:00".into()),
            ..ShiftInput::default()
        };
        let e = too_long.parse_over(&saved).unwrap_err();
        assert!(e.get("end").unwrap().contains("at most 20 h"), "{e}");
    }
}
