//! The payroll timesheet: one row per employee and day, and the summary
//! variant, one row per employee with the period's totals.

use jiff::civil;

use super::{Cell, Column, Tabular};
use crate::attendance::{Day, Totals};
use crate::service::attendance::PersonDays;

/// One employee on one day, as payroll reads it.
pub struct PayrollDay<'a> {
    pub person: &'a PersonDays,
    pub day: &'a Day,
}

fn person_cells(p: &PersonDays) -> [Cell; 3] {
    let e = &p.employee;
    [
        Cell::text(e.enroll_id.clone()),
        Cell::text(e.display_name()),
        Cell::opt_text(e.designation.clone()),
    ]
}

/// Worked, regular and overtime minutes as decimal hours, then as H:MM.
fn hours_cells(worked: i64, regular: i64, overtime: i64) -> [Cell; 6] {
    [
        Cell::Hours(worked),
        Cell::Hours(regular),
        Cell::Hours(overtime),
        Cell::Clock(worked),
        Cell::Clock(regular),
        Cell::Clock(overtime),
    ]
}

const HOURS_COLUMNS: [Column; 6] = [
    Column::summed("Worked hours"),
    Column::summed("Regular hours"),
    Column::summed("Overtime hours"),
    Column::summed("Worked (H:MM)"),
    Column::summed("Regular (H:MM)"),
    Column::summed("Overtime (H:MM)"),
];

impl Tabular for PayrollDay<'_> {
    fn columns() -> Vec<Column> {
        let mut c = vec![
            Column::new("Enroll ID"),
            Column::new("Name"),
            Column::new("Designation"),
            Column::new("Date"),
            Column::new("Shift"),
            Column::time("First in"),
            Column::time("Last out"),
        ];
        c.extend(HOURS_COLUMNS);
        c.extend([
            Column::summed("Late minutes"),
            Column::summed("Early leave minutes"),
            Column::new("Status"),
            Column::new("Flags"),
        ]);
        c
    }

    fn cells(&self) -> Vec<Cell> {
        let d = self.day;
        let shift = d.shift_id.and(self.person.shift_name.clone());
        let mut c: Vec<Cell> = person_cells(self.person).into();
        c.extend([
            Cell::Date(d.date),
            Cell::opt_text(shift),
            Cell::opt_time(d.first_in.map(|t| t.civil())),
            Cell::opt_time(d.last_out.map(|t| t.civil())),
        ]);
        c.extend(hours_cells(
            d.worked_minutes(),
            d.regular_minutes(),
            d.overtime_minutes(),
        ));
        let flags: Vec<&str> = d.flags.iter().map(|f| f.code.as_str()).collect();
        c.extend([
            Cell::Int(d.late_minutes()),
            Cell::Int(d.early_leave_minutes()),
            Cell::text(d.status.as_str()),
            Cell::text(flags.join(" ")),
        ]);
        c
    }
}

/// One employee's totals over a period.
pub struct PayrollTotals<'a> {
    pub person: &'a PersonDays,
    pub totals: Totals,
    pub from: civil::Date,
    pub to: civil::Date,
}

impl Tabular for PayrollTotals<'_> {
    fn columns() -> Vec<Column> {
        let mut c = vec![
            Column::new("Enroll ID"),
            Column::new("Name"),
            Column::new("Designation"),
            Column::new("From"),
            Column::new("To"),
            Column::summed("Days present"),
            Column::summed("Absent days"),
            Column::summed("Half days"),
            Column::summed("Incomplete days"),
            Column::summed("Leave days"),
            Column::summed("Holidays"),
            Column::summed("Days off"),
            Column::summed("Late days"),
            Column::summed("Late minutes"),
            Column::summed("Early leave days"),
            Column::summed("Early leave minutes"),
        ];
        c.extend(HOURS_COLUMNS);
        c
    }

    fn cells(&self) -> Vec<Cell> {
        let t = &self.totals;
        let mut c: Vec<Cell> = person_cells(self.person).into();
        c.extend([
            Cell::Date(self.from),
            Cell::Date(self.to),
            Cell::Int(t.days_present().into()),
            Cell::Int(t.absent.into()),
            Cell::Int(t.half_day.into()),
            Cell::Int(t.incomplete.into()),
            Cell::Int(t.leave.into()),
            Cell::Int(t.holiday.into()),
            Cell::Int(t.day_off.into()),
            Cell::Int(t.late_days.into()),
            Cell::Int(t.late_minutes),
            Cell::Int(t.early_leave_days.into()),
            Cell::Int(t.early_leave_minutes),
        ]);
        c.extend(hours_cells(
            t.worked_minutes,
            t.regular_minutes,
            t.overtime_minutes,
        ));
        c
    }
}
