//! Employees: the people the devices know, with names humans can fix,
//! found by a search box and (de)activated several at a time.

mod edit;
mod roster;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Form;
use maud::Markup;
use serde::Deserialize;

use self::edit::EmployeeForm;
use self::roster::{Bulk, EmployeePage, Listing};
use super::ctx::Ctx;
use super::error::{invalid, path_id, see_other, PageResult};
use super::pager::page_number;
use crate::domain::{EmployeeId, EmployeeSearch};
use crate::service::employees::parse_search_text;
use crate::service::{FieldErrors, ServiceError, ServiceResult};
use crate::web::AppState;

const PAGE_SIZE: u32 = 50;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    show: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    saved: Option<String>,
    /// After a bulk change: "activated" or "deactivated", and how many.
    #[serde(default)]
    did: Option<String>,
    #[serde(default)]
    count: Option<String>,
}

/// `GET /employees`
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> PageResult<Markup> {
    let listing = Listing::new(&q.show, &q.q, &q.sort);
    let bulk = Bulk::done(q.did.as_deref(), q.count.as_deref());
    let saved = match q.saved.as_deref().and_then(|s| s.parse().ok()) {
        Some(id) => state
            .services
            .employees()
            .get(ctx.caller(), EmployeeId(id))
            .await
            .ok(),
        None => None,
    };
    let page = page_number(q.page.as_deref());
    load(&state, &ctx, listing, page, saved, bulk).await
}

/// The list page for `listing`, loaded.
async fn load(
    state: &AppState,
    ctx: &Ctx,
    listing: Listing,
    page: u64,
    saved: Option<crate::domain::Employee>,
    bulk: Option<Bulk>,
) -> PageResult<Markup> {
    let (text, errors) = match parse_search_text(&listing.q) {
        Ok(text) => (text, FieldErrors::default()),
        Err(e) => (None, e),
    };
    let search = EmployeeSearch {
        filter: listing.show.filter(),
        text,
        order: listing.sort.order(),
    };
    let size = u64::from(PAGE_SIZE);
    let (employees, total) = state
        .services
        .employees()
        .search(ctx.caller(), &search, PAGE_SIZE, (page - 1) * size)
        .await?;
    let p = EmployeePage {
        listing,
        page,
        size,
        employees,
        total,
        saved,
        bulk,
        errors,
    };
    Ok(roster::list_page(ctx, &p))
}

/// `POST /employees/active`: activate (`active=on`) or deactivate
/// (`active=off`) the people ticked (`ids`, repeated), then back to the
/// list as it was.
pub async fn set_active(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    };
    ctx.check_csrf(field("_csrf"))?;
    let listing = Listing::new(field("show"), field("q"), field("sort"));
    let active = match field("active") {
        "on" => true,
        "off" => false,
        _ => {
            let bulk = Some(Bulk::Failed("Choose Activate or Deactivate.".into()));
            return invalid(load(&state, &ctx, listing, 1, None, bulk).await?);
        }
    };
    let ids = fields
        .iter()
        .filter(|(n, _)| n == "ids")
        .map(|(_, v)| path_id(v).map(EmployeeId))
        .collect::<PageResult<Vec<_>>>()?;
    match state
        .services
        .employees()
        .set_active(ctx.caller(), &ids, active)
        .await
    {
        Ok(n) => {
            let did = if active { "activated" } else { "deactivated" };
            Ok(see_other(&format!(
                "{}&did={did}&count={n}",
                listing.link(1)
            )))
        }
        Err(ServiceError::Invalid(errors)) => {
            let message = errors
                .get("ids")
                .unwrap_or("Tick at least one person first.");
            let bulk = Some(Bulk::Failed(message.to_owned()));
            invalid(load(&state, &ctx, listing, 1, None, bulk).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /employees/{id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult<Markup> {
    let id = EmployeeId(path_id(&id)?);
    let e = state.services.employees().get(ctx.caller(), id).await?;
    let shifts = state.services.shifts().list(ctx.caller()).await?;
    let errors = FieldErrors::default();
    Ok(edit::edit_page(
        &ctx,
        &e,
        &shifts,
        &EmployeeForm::of(&e),
        &errors,
    ))
}

/// `POST /employees/{id}/edit`. A blocked or expired account may still
/// (de)activate people, which is the way out of a seat block, but nothing
/// else.
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<EmployeeForm>,
) -> PageResult {
    let id = EmployeeId(path_id(&id)?);
    let employees = state.services.employees();
    let e = employees.get(ctx.caller(), id).await?;
    let shifts = state.services.shifts().list(ctx.caller()).await?;
    ctx.check_csrf(&f.csrf)?;
    let saved: ServiceResult<_> = async {
        let changes = f.input().parse_changes()?;
        employees.update(ctx.caller(), id, changes).await
    }
    .await;
    match saved {
        Ok(_) => Ok(see_other(&format!("/employees?saved={id}"))),
        Err(ServiceError::Invalid(errors)) => {
            invalid(edit::edit_page(&ctx, &e, &shifts, &f, &errors))
        }
        Err(ServiceError::Blocked(_)) => {
            let errors = FieldErrors::one(
                "active",
                "While the account is blocked you can only change Active. Untick it to free a seat.",
            );
            let page = edit::edit_page(&ctx, &e, &shifts, &f, &errors);
            Ok((StatusCode::PAYMENT_REQUIRED, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
