//! Downloads from the pages: the punch list, a day's attendance and the
//! timesheets as CSV or XLSX, with the filters on screen (the links carry
//! them). The same files as the API's `?format=`, through
//! [`crate::web::export`]; signed in by the session instead of a token.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::attendance::RangeQuery;
use super::ctx::Ctx;
use super::error::{PageError, PageResult};
use super::punches::query::PunchQuery;
use crate::service::attendance::period::{date_or, today};
use crate::service::attendance::Period;
use crate::service::FieldErrors;
use crate::web::export::payroll::{PayrollDay, PayrollTotals};
use crate::web::export::{period_name, sources, Format, FormatQuery, Sheet};
use crate::web::AppState;

fn refused(e: FieldErrors) -> PageError {
    PageError::Unprocessable(e.to_string())
}

/// A file format: `csv` or `xlsx` (a page is not a download).
fn file_format(f: &FormatQuery) -> PageResult<Format> {
    match f.format().map_err(refused)? {
        Format::Json => Err(refused(FieldErrors::one("format", "Use csv or xlsx."))),
        format => Ok(format),
    }
}

/// `GET /punches/export?format=&employee=&device=&from=&to=`: every punch
/// the list shows with these filters, oldest first.
pub async fn punches(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PunchQuery>,
    Query(f): Query<FormatQuery>,
) -> PageResult<Response> {
    let format = file_format(&f)?;
    let (mut filter, errors) = q.filter(&ctx.tz);
    if !errors.is_empty() {
        return Err(refused(errors));
    }
    filter.oldest_first = true;
    let today = today(ctx.now, &ctx.company.timezone).to_string();
    let or = |v: &str, d: &str| {
        if v.is_empty() {
            d.to_string()
        } else {
            v.to_string()
        }
    };
    let period = format!("{}_{}", or(&q.from, "all"), or(&q.to, &today));
    let zone = ctx.company.timezone.to_string();
    let sheet = sources::punch_sheet(period, zone);
    let s = &state.services;
    Ok(sources::punches(
        s,
        *ctx.caller(),
        filter,
        ctx.tz.clone(),
        format,
        sheet,
    ))
}

#[derive(Deserialize, Default)]
pub struct DayQuery {
    #[serde(default)]
    date: String,
}

/// `GET /attendance/export?format=&date=`: the payroll rows of that day.
pub async fn attendance(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DayQuery>,
    Query(f): Query<FormatQuery>,
) -> PageResult<Response> {
    let format = file_format(&f)?;
    let today = today(ctx.now, &ctx.company.timezone);
    let date = date_or(&q.date, today).map_err(|m| refused(FieldErrors::one("date", m)))?;
    let period = Period::day(date);
    let zone = ctx.company.timezone.to_string();
    let sheet = Sheet::of::<PayrollDay>("attendance", period_name(date, date), zone);
    let s = &state.services;
    Ok(sources::attendance_days(
        s,
        *ctx.caller(),
        period,
        format,
        sheet,
    ))
}

#[derive(Deserialize, Default)]
pub struct SheetQuery {
    /// `days` (one row per employee and day) or `totals` (the default).
    #[serde(default)]
    rows: String,
}

/// `GET /timesheets/export?format=&from=&to=&rows=days|totals`: the
/// payroll timesheet of the period, by day or as totals.
pub async fn timesheets(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RangeQuery>,
    Query(f): Query<FormatQuery>,
    Query(r): Query<SheetQuery>,
) -> PageResult<Response> {
    let format = file_format(&f)?;
    let month = Period::month_of(today(ctx.now, &ctx.company.timezone));
    let (period, errors) = q.period(month);
    if !errors.is_empty() {
        return Err(refused(errors));
    }
    let name = period_name(period.from, period.to);
    let zone = ctx.company.timezone.to_string();
    let s = &state.services;
    let caller = *ctx.caller();
    Ok(match r.rows.as_str() {
        "days" => {
            let sheet = Sheet::of::<PayrollDay>("timesheet_days", name, zone);
            sources::attendance_days(s, caller, period, format, sheet)
        }
        "" | "totals" => {
            let sheet = Sheet::of::<PayrollTotals>("timesheet", name, zone);
            sources::timesheet_totals(s, caller, period, format, sheet)
        }
        _ => return Err(refused(FieldErrors::one("rows", "Use days or totals."))),
    })
}

/// "Download CSV · XLSX" for `href` (a download route with the filters
/// on screen, ending in `?` or `&`); `what` names the file, `id` tells
/// the links apart in tests.
pub fn links(what: &str, href: &str, id: &str) -> maud::Markup {
    maud::html! {
        p.small.downloads data-testid=(format!("{id}-downloads")) {
            (what) ": "
            a href=(format!("{href}format=csv")) download data-testid=(format!("{id}-csv")) { "CSV" }
            " · "
            a href=(format!("{href}format=xlsx")) download data-testid=(format!("{id}-xlsx")) { "XLSX" }
        }
    }
}
