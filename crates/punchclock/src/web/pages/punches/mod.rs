//! Punches: filter by employee, device and dates; newest first, in pages.

pub mod query;
mod view;

use axum::extract::{Query, State};
use maud::Markup;

use self::query::{PunchQuery, PAGE_SIZE};
use self::view::PunchPage;
use super::ctx::Ctx;
use super::error::PageResult;
use crate::domain::EmployeeFilter;
use crate::service::employees::MAX_LIST;
use crate::web::AppState;

/// `GET /punches`
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PunchQuery>,
) -> PageResult<Markup> {
    let s = &state.services;
    let (filter, errors) = q.filter(&ctx.tz);
    // Everyone is offered in the filter, so the list is bounded by MAX_LIST.
    let (employees, _) = s
        .employees()
        .list(ctx.caller(), EmployeeFilter::All, MAX_LIST, 0)
        .await?;
    let devices = s.devices().list(ctx.caller()).await?;
    let (punches, total) = if errors.is_empty() {
        s.punches().list(ctx.caller(), &filter).await?
    } else {
        (Vec::new(), 0)
    };
    let page = filter.offset / u64::from(PAGE_SIZE) + 1;
    let p = PunchPage {
        employees,
        devices,
        punches,
        total,
        page,
    };
    Ok(view::punch_page(&ctx, &q, &errors, &p))
}
