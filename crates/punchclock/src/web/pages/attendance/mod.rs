//! Attendance pages: `/attendance` (everyone on one day) and
//! `/attendance/employees/{id}` (one person over a range, with every punch
//! and the corrections). Days are computed by the service on each read.

mod day;
pub mod person;
pub mod words;

use axum::extract::{Path, Query, State};
use jiff::civil::Date;
use jiff::ToSpan;
use maud::Markup;
use serde::Deserialize;

use super::ctx::Ctx;
use super::error::{path_id, PageResult};
use super::pager::page_number;
use crate::domain::EmployeeId;
use crate::service::attendance::period::{date_or, today};
use crate::service::attendance::{Page, Period};
use crate::service::dashboard::Figure;
use crate::service::FieldErrors;
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct DayQuery {
    #[serde(default)]
    date: String,
    #[serde(default)]
    page: Option<String>,
    /// Only the people behind one dashboard figure (`late`, `not_yet_in`…).
    #[serde(default)]
    show: String,
}

/// A period as the range forms send it.
#[derive(Deserialize, Default)]
pub struct RangeQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    pub page: Option<String>,
    /// A correction just made (`added`, `voided`, `unvoided`).
    #[serde(default)]
    pub done: Option<String>,
}

impl RangeQuery {
    /// The period asked for, or `default` with the messages saying why.
    pub fn period(&self, default: Period) -> (Period, FieldErrors) {
        match Period::parse(&self.from, &self.to, default) {
            Ok(p) => (p, FieldErrors::default()),
            Err(e) => (default, e),
        }
    }
}

/// `GET /attendance?date=&show=&page=`: everyone on one day (default
/// today), or only the people behind one dashboard figure.
pub async fn day(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DayQuery>,
) -> PageResult<Markup> {
    let today = today(ctx.now, &ctx.company.timezone);
    let (date, mut errors) = match date_or(&q.date, today) {
        Ok(d) => (d, FieldErrors::default()),
        Err(m) => (today, FieldErrors::one("date", m)),
    };
    let figure = match q.show.trim() {
        "" => None,
        s => Figure::parse(s).or_else(|| {
            errors.add("show", "Choose one of the figures listed, or everyone.");
            None
        }),
    };
    let page = page_number(q.page.as_deref());
    let offset = (page as usize - 1) * day::PAGE_SIZE;
    let page_of = Page {
        limit: day::PAGE_SIZE,
        offset,
    };
    let s = &state.services;
    let everyone = match figure {
        Some(f) => s.dashboard().behind(ctx.caller(), date, f, page_of).await?,
        None => {
            let period = Period::day(date);
            s.attendance()
                .everyone(ctx.caller(), period, page_of)
                .await?
        }
    };
    let shown = day::Shown { date, figure, page };
    Ok(day::day_page(&ctx, &shown, &everyone, &errors))
}

/// `GET /attendance/employees/{id}?from=&to=` (default: the last 7 days).
pub async fn person(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<RangeQuery>,
) -> PageResult<Markup> {
    let id = EmployeeId(path_id(&id)?);
    let (period, errors) = q.period(last_week(today(ctx.now, &ctx.company.timezone)));
    let p = state
        .services
        .attendance()
        .employee(ctx.caller(), id, period)
        .await?;
    Ok(person::person_page(
        &ctx,
        &p,
        period,
        &errors,
        q.done.as_deref(),
    ))
}

fn last_week(today: Date) -> Period {
    Period {
        from: today.checked_sub(6.days()).unwrap_or(today),
        to: today,
    }
}
