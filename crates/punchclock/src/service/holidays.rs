//! Company holidays: a date list with names. Nobody is expected to work,
//! so a holiday is never an absence.

use jiff::civil::Date;

use super::attendance::period::date_or;
use super::error::ServiceResult;
use super::fields::FieldErrors;
use super::services::{Caller, Services};
use crate::domain::{Holiday, HolidayId, HolidayName};

/// A holiday as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HolidayInput {
    pub date: String,
    pub name: String,
}

/// A valid holiday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHoliday {
    pub date: Date,
    pub name: HolidayName,
}

impl HolidayInput {
    pub fn parse(&self) -> Result<NewHoliday, FieldErrors> {
        let mut e = FieldErrors::default();
        let date = if self.date.trim().is_empty() {
            e.add("date", "Enter the date, like 2026-12-25.");
            None
        } else {
            e.check("date", date_or(&self.date, Date::MIN))
        };
        let name = e.check("name", HolidayName::parse(&self.name));
        e.finish(|| {
            Some(NewHoliday {
                date: date?,
                name: name?,
            })
        })
    }
}

impl Services {
    pub fn holidays(&self) -> Holidays<'_> {
        Holidays(self)
    }
}

/// Holiday operations; see [`Services::holidays`].
pub struct Holidays<'a>(&'a Services);

impl Holidays<'_> {
    /// Holidays in `from..=to`, by date.
    pub async fn list(&self, caller: &Caller, from: Date, to: Date) -> ServiceResult<Vec<Holiday>> {
        Ok(self
            .0
            .store
            .list_holidays(caller.company_id, from, to)
            .await?)
    }

    pub async fn create(&self, caller: &Caller, new: &NewHoliday) -> ServiceResult<Holiday> {
        self.0.require_good_standing(caller).await?;
        Ok(self
            .0
            .store
            .create_holiday(caller.company_id, new.date, &new.name)
            .await?)
    }

    pub async fn delete(&self, caller: &Caller, id: HolidayId) -> ServiceResult<Holiday> {
        self.0.require_good_standing(caller).await?;
        Ok(self.0.store.delete_holiday(caller.company_id, id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holiday_needs_a_date_and_a_name() {
        let e = HolidayInput::default().parse().unwrap_err();
        assert!(e.get("date").is_some() && e.get("name").is_some(), "{e}");
        let e = HolidayInput {
            date: "Christmas".into(),
            name: "x".repeat(101),
        }
        .parse()
        .unwrap_err();
        assert!(e.get("date").unwrap().contains("2026-07-01"), "{e}");
        assert!(e.get("name").unwrap().contains("100 characters"), "{e}");
        let ok = HolidayInput {
            date: " 2026-12-25 ".into(),
            name: " Christmas ".into(),
        }
        .parse()
        .unwrap();
        assert_eq!(ok.date, jiff::civil::date(2026, 12, 25));
        assert_eq!(ok.name.as_str(), "Christmas");
    }
}
