//! Attendance: daily rows and timesheets, computed on each request from
//! the punches, shifts, holidays, leave and rules stored now.

use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use super::attendance_views::{DailyRow, TimesheetJson};
use super::body::refuse_empty;
use super::caller::ApiUser;
use super::error::{ApiResult, Json, Query};
use super::responses::{self as r, Auth, Blocked, Missing};
use super::views::List;
use crate::domain::EmployeeId;
use crate::service::attendance::period::today;
use crate::service::attendance::{Page, Period, PersonDays};
use crate::service::{Caller, FieldErrors, Services};
use crate::web::export::payroll::{PayrollDay, PayrollTotals};
use crate::web::export::{both, period_name, ready, sources, Batch, Format, FormatQuery, Sheet};
use crate::web::AppState;
use axum::response::{IntoResponse, Response};

/// Which days and people. Paging is by employee.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct AttendanceQuery {
    /// First day, `YYYY-MM-DD` in the company's zone (default: today; for
    /// timesheets the first of this month).
    #[param(value_type = Option<String>, format = Date)]
    from: Option<String>,
    /// Last day, inclusive (default: `from`; for timesheets the end of this
    /// month). At most 366 days from `from`.
    #[param(value_type = Option<String>, format = Date)]
    to: Option<String>,
    /// One employee only.
    #[param(value_type = Option<i64>)]
    employee_id: Option<String>,
    /// Employees per page: at most 1000, and for daily rows at most
    /// 20000 ÷ days (20,000 rows an answer), for timesheets 40000 ÷ days;
    /// default that maximum.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
    /// Employees to skip (default 0).
    #[param(value_type = Option<i64>, minimum = 0)]
    offset: Option<String>,
}

/// What a query asks for, checked.
struct Asked {
    period: Period,
    employee: Option<EmployeeId>,
    page: Page,
}

impl AttendanceQuery {
    /// `max` is the page bound for a period: rows or totals.
    fn parse(&self, default: Period, max: fn(Period) -> usize) -> Result<Asked, FieldErrors> {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut e = FieldErrors::default();
        for (name, value) in [
            ("from", &self.from),
            ("to", &self.to),
            ("employee_id", &self.employee_id),
            ("limit", &self.limit),
            ("offset", &self.offset),
        ] {
            refuse_empty(&mut e, name, value.as_deref());
        }
        let period = kept(
            &mut e,
            Period::parse(&text(&self.from), &text(&self.to), default),
        );
        let employee = match self.employee_id.as_deref() {
            None => None,
            Some(v) => e
                .check(
                    "employee_id",
                    v.parse()
                        .map_err(|_| "Use an employee's id (a whole number)."),
                )
                .map(EmployeeId),
        };
        let max = period.map_or(1, max);
        let page = kept(
            &mut e,
            Page::parse(&text(&self.limit), &text(&self.offset), max),
        );
        e.finish(|| {
            Some(Asked {
                period: period?,
                employee,
                page: page?,
            })
        })
    }
}

/// The value, or `None` with its messages added to `e`.
fn kept<T>(e: &mut FieldErrors, r: Result<T, FieldErrors>) -> Option<T> {
    r.map_err(|more| e.merge(more)).ok()
}

/// One employee, or a page of everyone, with the total in scope.
async fn compute(
    state: &AppState,
    caller: &Caller,
    asked: &Asked,
) -> ApiResult<(Vec<PersonDays>, usize)> {
    let a = state.services.attendance();
    Ok(match asked.employee {
        Some(id) => (vec![a.employee(caller, id, asked.period).await?], 1),
        None => {
            let e = a.everyone(caller, asked.period, asked.page).await?;
            (e.people, e.total)
        }
    })
}

/// Today in the company zone, and the zone's name.
async fn today_in(state: &AppState, caller: &Caller) -> ApiResult<(jiff::civil::Date, String)> {
    let company = state.services.company().get(caller).await?;
    let today = today(state.services.now(), &company.timezone);
    Ok((today, company.timezone.to_string()))
}

/// Daily attendance
///
/// One row per employee and day, each flag with its code and a message in
/// words. `total` counts rows over all pages (employees × days).
///
/// With `format=csv` or `xlsx`: the payroll timesheet, one row per
/// employee and day over every page (enroll ID, name, designation, date,
/// shift, first in, last out, worked/regular/overtime hours as decimals and
/// as H:MM, late and early-leave minutes, status, flags).
#[utoipa::path(get, path = "/attendance/daily", operation_id = "dailyAttendance", params(AttendanceQuery, FormatQuery),
    responses((status = 200, description = "Rows by employee, then date.",
        content((List<DailyRow> = "application/json"), (String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        r::Query, Auth, Blocked, Missing))]
pub async fn daily(
    State(state): State<AppState>,
    user: ApiUser,
    Query(q): Query<AttendanceQuery>,
    Query(f): Query<FormatQuery>,
) -> ApiResult<Response> {
    let (today, zone) = today_in(&state, &user.caller).await?;
    let (format, asked) = both(f.format(), q.parse(Period::day(today), Page::max_for))?;
    if format != Format::Json {
        let sheet = Sheet::of::<PayrollDay>(
            "attendance",
            period_name(asked.period.from, asked.period.to),
            zone,
        );
        return file(
            &state,
            &user.caller,
            &asked,
            format,
            sheet,
            sources::day_rows,
            sources::attendance_days,
        )
        .await;
    }
    let (people, total) = compute(&state, &user.caller, &asked).await?;
    let rows = people
        .iter()
        .flat_map(|p| {
            p.attendance
                .days
                .iter()
                .map(|d| DailyRow::new(&p.employee, d))
        })
        .collect();
    Ok(Json(List::page(rows, (total * asked.period.days()) as u64)).into_response())
}

type Rows = fn(&PersonDays, Period) -> Batch;
type Everyone = fn(&Services, Caller, Period, Format, Sheet) -> Response;

/// The file of one employee (computed here, so an unknown id is a 404),
/// or of everyone (streamed page by page).
async fn file(
    state: &AppState,
    caller: &Caller,
    asked: &Asked,
    format: Format,
    sheet: Sheet,
    rows: Rows,
    everyone: Everyone,
) -> ApiResult<Response> {
    let s = &state.services;
    Ok(match asked.employee {
        Some(id) => {
            let person = s.attendance().employee(caller, id, asked.period).await?;
            ready(format, sheet, rows(&person, asked.period))
        }
        None => everyone(s, *caller, asked.period, format, sheet),
    })
}

/// Timesheets
///
/// Totals per employee over the period (default: this month); with
/// `employee_id`, that employee's daily rows too.
///
/// With `format=csv` or `xlsx`: one row per employee with the period's
/// totals (days by status, late and early-leave days and minutes, worked,
/// regular and overtime hours as decimals and as H:MM), every page.
#[utoipa::path(get, path = "/timesheets", operation_id = "timesheets", params(AttendanceQuery, FormatQuery),
    responses((status = 200, description = "Totals by employee.",
        content((List<TimesheetJson> = "application/json"), (String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        r::Query, Auth, Blocked, Missing))]
pub async fn timesheets(
    State(state): State<AppState>,
    user: ApiUser,
    Query(q): Query<AttendanceQuery>,
    Query(f): Query<FormatQuery>,
) -> ApiResult<Response> {
    let (today, zone) = today_in(&state, &user.caller).await?;
    let (format, asked) = both(
        f.format(),
        q.parse(Period::month_of(today), Page::max_for_totals),
    )?;
    if format != Format::Json {
        let sheet = Sheet::of::<PayrollTotals>(
            "timesheet",
            period_name(asked.period.from, asked.period.to),
            zone,
        );
        return file(
            &state,
            &user.caller,
            &asked,
            format,
            sheet,
            sources::total_rows,
            sources::timesheet_totals,
        )
        .await;
    }
    let (people, total) = compute(&state, &user.caller, &asked).await?;
    let span = (asked.period.from.to_string(), asked.period.to.to_string());
    let sheets = people
        .iter()
        .map(|p| {
            let mut t = TimesheetJson::new(&p.employee, span.clone(), &p.totals());
            if asked.employee.is_some() {
                let rows = p
                    .attendance
                    .days
                    .iter()
                    .map(|d| DailyRow::new(&p.employee, d));
                t.days = Some(rows.collect());
            }
            t
        })
        .collect();
    Ok(Json(List::page(sheets, total as u64)).into_response())
}
