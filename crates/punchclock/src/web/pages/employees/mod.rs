//! Employees: the people the devices know, with names humans can fix.

mod edit;
mod roster;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Form;
use maud::Markup;
use serde::Deserialize;

use self::edit::EmployeeForm;
use self::roster::{EmployeePage, Show};
use super::ctx::Ctx;
use super::error::{invalid, path_id, see_other, PageResult};
use super::pager::page_number;
use crate::domain::EmployeeId;
use crate::service::{FieldErrors, ServiceError, ServiceResult};
use crate::web::AppState;

const PAGE_SIZE: u32 = 50;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    show: String,
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    saved: Option<String>,
}

/// `GET /employees`
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> PageResult<Markup> {
    let employees = state.services.employees();
    let show = Show::parse(&q.show);
    let page = page_number(q.page.as_deref());
    let size = u64::from(PAGE_SIZE);
    let offset = (page - 1) * size;
    let (items, total) = employees
        .list(ctx.caller(), show.filter(), PAGE_SIZE, offset)
        .await?;
    let saved = match q.saved.as_deref().and_then(|s| s.parse().ok()) {
        Some(id) => employees.get(ctx.caller(), EmployeeId(id)).await.ok(),
        None => None,
    };
    let p = EmployeePage {
        show,
        page,
        size,
        employees: items,
        total,
        saved,
    };
    Ok(roster::list_page(&ctx, &p))
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
