//! Punches: filter by employee (a search by name or enroll id, done by the
//! server, so it works for any number of people), device and dates; newest
//! first, in pages of a chosen size; a jump to a date.

pub mod query;
mod view;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

use self::query::PunchQuery;
use self::view::PunchPage;
use super::ctx::Ctx;
use super::error::{see_other, PageResult};
use crate::domain::{Employee, EmployeeFilter, EmployeeOrder, EmployeeSearch, PunchFilter};
use crate::service::punches::{day_bound, Bound};
use crate::service::{FieldErrors, Services};
use crate::web::AppState;

/// Most people one search filters by; more asks for a narrower search.
pub const MAX_MATCHES: usize = 50;
/// Longest employee search taken.
const MAX_SEARCH_CHARS: usize = 100;

/// `GET /punches`
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PunchQuery>,
) -> PageResult<Response> {
    let s = &state.services;
    let (mut filter, mut errors) = q.filter(&ctx.tz);
    let matches = search(s, &ctx, &q, &mut filter, &mut errors).await?;
    match q.jump() {
        Err(m) => errors.add("at", m),
        Ok(Some(date)) if errors.is_empty() => {
            if let Some(end) = day_bound(date, &ctx.tz, Bound::End) {
                let page = s.punches().page_before(ctx.caller(), &filter, end).await?;
                return Ok(see_other(&format!("{}#day-{date}", q.link(page))));
            }
        }
        Ok(_) => {}
    }
    let devices = s.devices().list(ctx.caller()).await?;
    let (punches, total) = if errors.is_empty() {
        s.punches().list(ctx.caller(), &filter).await?
    } else {
        (Vec::new(), 0)
    };
    let page = filter.offset / u64::from(filter.limit) + 1;
    let p = PunchPage {
        matches,
        devices,
        punches,
        total,
        page,
        size: filter.limit,
    };
    Ok(view::punch_page(&ctx, &q, &errors, &p).into_response())
}

/// The people an employee search names, set on the filter; a message
/// when it names no one or too many.
async fn search(
    s: &Services,
    ctx: &Ctx,
    q: &PunchQuery,
    filter: &mut PunchFilter,
    errors: &mut FieldErrors,
) -> PageResult<Vec<Employee>> {
    let text = q.who.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    if text.chars().count() > MAX_SEARCH_CHARS {
        errors.add(
            "who",
            format!("Type at most {MAX_SEARCH_CHARS} characters."),
        );
        return Ok(Vec::new());
    }
    let search = EmployeeSearch {
        filter: EmployeeFilter::All,
        text: Some(text.to_owned()),
        order: EmployeeOrder::EnrollId,
    };
    let limit = MAX_MATCHES as u32;
    let (found, total) = s
        .employees()
        .search(ctx.caller(), &search, limit, 0)
        .await?;
    match total {
        0 => errors.add(
            "who",
            format!("No one's name or enroll ID matches \"{text}\"."),
        ),
        n if n > MAX_MATCHES as u64 => errors.add(
            "who",
            format!("{n} people match \"{text}\": type more of the name (at most {MAX_MATCHES})."),
        ),
        _ => {
            filter.employee_ids = found.iter().map(|e| e.employee.id).collect();
            return Ok(found.into_iter().map(|e| e.employee).collect());
        }
    }
    Ok(Vec::new())
}
