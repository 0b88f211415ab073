//! Corrections from the attendance and punch views: `/punches/new` adds a
//! missing punch, `/punches/{id}/void` and `/unvoid` flag one, and
//! `/corrections` lists them all with who, when and why.

mod forms;
mod log;

use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::Form;
use maud::Markup;
use serde::Deserialize;

use self::forms::{back_to, AddForm, VoidForm};
use super::ctx::Ctx;
use super::error::{invalid, path_id, see_other, PageResult};
use super::pager::page_number;
use crate::domain::{Employee, EmployeeFilter, PunchId};
use crate::service::attendance::period::today;
use crate::service::corrections::{parse_reason, ManualPunchInput};
use crate::service::employees::MAX_LIST;
use crate::service::{FieldErrors, ServiceError};
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct AddQuery {
    #[serde(default)]
    employee: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    page: Option<String>,
}

async fn people(state: &AppState, ctx: &Ctx) -> PageResult<Vec<Employee>> {
    let employees = state.services.employees();
    let (list, _) = employees
        .list(ctx.caller(), EmployeeFilter::All, MAX_LIST, 0)
        .await?;
    Ok(list)
}

/// `GET /punches/new?employee=&date=`
pub async fn add_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AddQuery>,
) -> PageResult<Markup> {
    let date = match q.date.trim() {
        "" => today(ctx.now, &ctx.company.timezone).to_string(),
        d => d.to_owned(),
    };
    let f = AddForm {
        employee: q.employee,
        date,
        ..AddForm::default()
    };
    let people = people(&state, &ctx).await?;
    Ok(forms::add_page(&ctx, &people, &f, &FieldErrors::default()))
}

/// `POST /punches/new`
pub async fn add(State(state): State<AppState>, ctx: Ctx, Form(f): Form<AddForm>) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    let input = ManualPunchInput {
        employee_id: f.employee.clone(),
        time: f.time(),
        reason: f.reason.clone(),
    };
    let added = async {
        let new = input.parse(&ctx.company.timezone, ctx.now)?;
        state
            .services
            .corrections()
            .add_punch(ctx.caller(), &new)
            .await
    }
    .await;
    match added {
        Ok(p) => Ok(see_other(&format!("{}&done=added", back_to(&ctx, &p)))),
        Err(e) => {
            let errors = refusal(e)?;
            let people = people(&state, &ctx).await?;
            invalid(forms::add_page(&ctx, &people, &f, &errors))
        }
    }
}

/// What a form shows for a refused correction; anything else is an error
/// page.
fn refusal(e: ServiceError) -> PageResult<FieldErrors> {
    match e {
        ServiceError::Invalid(errors) => Ok(errors),
        ServiceError::Conflict(c) => {
            // The forms show every field but the punch's id.
            let field = c.field.filter(|f| *f != "id").unwrap_or("reason");
            Ok(FieldErrors::one(field, c.message))
        }
        other => Err(other.into()),
    }
}

/// `GET /punches/{id}/void` and `/unvoid`: the confirmation with a reason.
pub async fn void_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult<Markup> {
    let id = PunchId(path_id(&id)?);
    let p = state.services.punches().get(ctx.caller(), id).await?;
    Ok(forms::void_page(
        &ctx,
        &p,
        &VoidForm::default(),
        &FieldErrors::default(),
    ))
}

/// `POST /punches/{id}/void`
pub async fn void(
    state: State<AppState>,
    ctx: Ctx,
    id: Path<String>,
    form: Form<VoidForm>,
) -> PageResult {
    set_void(state, ctx, id, form, true).await
}

/// `POST /punches/{id}/unvoid`
pub async fn unvoid(
    state: State<AppState>,
    ctx: Ctx,
    id: Path<String>,
    form: Form<VoidForm>,
) -> PageResult {
    set_void(state, ctx, id, form, false).await
}

async fn set_void(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<VoidForm>,
    void: bool,
) -> PageResult {
    let id = PunchId(path_id(&id)?);
    ctx.check_csrf(&f.csrf)?;
    let c = state.services.corrections();
    let done = async {
        let reason = parse_reason(&f.reason)?;
        if void {
            c.void(ctx.caller(), id, &reason).await
        } else {
            c.unvoid(ctx.caller(), id, &reason).await
        }
    }
    .await;
    match done {
        Ok(p) => {
            let verb = if void { "voided" } else { "unvoided" };
            Ok(see_other(&format!("{}&done={verb}", back_to(&ctx, &p))))
        }
        Err(e) => {
            let errors = refusal(e)?;
            let p = state.services.punches().get(ctx.caller(), id).await?;
            invalid(forms::void_page(&ctx, &p, &f, &errors))
        }
    }
}

/// `GET /corrections?page=`
pub async fn log(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AddQuery>,
) -> PageResult<impl IntoResponse> {
    let page = page_number(q.page.as_deref());
    let size = log::PAGE_SIZE;
    let offset = (page - 1) * u64::from(size);
    let (items, total) = state
        .services
        .corrections()
        .log(ctx.caller(), None, size, offset)
        .await?;
    Ok(log::log_page(&ctx, &items, total, page))
}
