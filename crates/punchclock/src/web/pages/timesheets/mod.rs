//! Timesheets: `/timesheets` (everyone's totals over a period, default
//! this month) and `/timesheets/{id}` (one employee's days and totals).

mod view;

use axum::extract::{Path, Query, State};
use maud::Markup;

use super::attendance::RangeQuery;
use super::ctx::Ctx;
use super::error::{path_id, PageResult};
use super::pager::page_number;
use crate::domain::EmployeeId;
use crate::service::attendance::period::today;
use crate::service::attendance::{Page, Period};
use crate::web::AppState;

/// `GET /timesheets?from=&to=&page=`
pub async fn summary(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RangeQuery>,
) -> PageResult<Markup> {
    let month = Period::month_of(today(ctx.now, &ctx.company.timezone));
    let (period, errors) = q.period(month);
    let page = page_number(q.page.as_deref());
    // Long periods mean more work per person: fewer people per page.
    let size = view::PAGE_SIZE.min(Page::max_for_totals(period));
    let offset = (page as usize - 1) * size;
    let everyone = state
        .services
        .attendance()
        .everyone(
            ctx.caller(),
            period,
            Page {
                limit: size,
                offset,
            },
        )
        .await?;
    Ok(view::summary_page(&ctx, &everyone, (page, size), &errors))
}

/// `GET /timesheets/{id}?from=&to=`
pub async fn person(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<RangeQuery>,
) -> PageResult<Markup> {
    let id = EmployeeId(path_id(&id)?);
    let month = Period::month_of(today(ctx.now, &ctx.company.timezone));
    let (period, errors) = q.period(month);
    let person = state
        .services
        .attendance()
        .employee(ctx.caller(), id, period)
        .await?;
    Ok(view::person_page(&ctx, &person, period, &errors))
}
