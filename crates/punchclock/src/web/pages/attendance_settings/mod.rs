//! Attendance settings: `/attendance/settings` (rules and the default
//! shift, the shift list, holidays, leave), `/shifts/new`,
//! `/shifts/{id}/edit` and the posts that add or delete holidays and
//! leave. Each employee's own shift is on their employee page.

mod forms;
mod shift_form;
mod shifts;
mod view;

use axum::extract::{Path, Query, State};
use axum::Form;
use jiff::ToSpan;
use maud::Markup;
use serde::Deserialize;

use self::forms::{CsrfForm, HolidayForm, LeaveForm, Loaded, RulesForm, Shown};
pub use self::shifts::{create_shift, delete_shift, edit_shift, new_shift, update_shift};
use super::ctx::Ctx;
use super::error::{invalid, path_id, see_other, PageResult};
use crate::domain::{EmployeeFilter, HolidayId, LeaveId};
use crate::service::attendance::period::today;
use crate::service::company::CompanyInput;
use crate::service::employees::MAX_LIST;
use crate::service::holidays::HolidayInput;
use crate::service::leave::LeaveInput;
use crate::service::{FieldErrors, ServiceError, ServiceResult};
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// Everything the page lists.
async fn load(state: &AppState, ctx: &Ctx) -> ServiceResult<Loaded> {
    let s = &state.services;
    let c = ctx.caller();
    let today = today(ctx.now, &ctx.company.timezone);
    let year = today.first_of_year();
    let next_year_end = year
        .checked_add(2.years())
        .unwrap_or(year)
        .yesterday()
        .unwrap_or(year);
    let month_ago = today.checked_sub(1.month()).unwrap_or(today);
    let ahead = today.checked_add(1.year()).unwrap_or(today);
    let (employees, _) = s
        .employees()
        .list(c, EmployeeFilter::All, MAX_LIST, 0)
        .await?;
    let shifts = s.shifts().list(c).await?;
    let assigned = shifts
        .iter()
        .map(|sh| {
            (
                sh.id,
                employees
                    .iter()
                    .filter(|e| e.shift_id == Some(sh.id))
                    .count(),
            )
        })
        .collect();
    Ok(Loaded {
        holidays: s.holidays().list(c, year, next_year_end).await?,
        leave: s.leave().list(c, None, month_ago, ahead).await?,
        shifts,
        employees,
        assigned,
    })
}

/// The page with the current rules in their form.
async fn page(state: &AppState, ctx: &Ctx, mut shown: Shown) -> PageResult<Markup> {
    let loaded = load(state, ctx).await?;
    if shown.section != "rules" {
        shown.rules = RulesForm::of(&state.services.company().rules(ctx.caller()).await?);
    }
    Ok(view::settings_page(ctx, &loaded, &shown))
}

/// `GET /attendance/settings`
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> PageResult<Markup> {
    let saved = q.saved.as_deref().map(|what| match what {
        "rules" => "The rules were saved; every day is computed with them from now on.",
        "holiday" => "The holiday list was saved.",
        "leave" => "The leave was saved.",
        _ => "Saved.",
    });
    let shown = Shown {
        saved: saved.map(str::to_owned),
        ..Shown::default()
    };
    page(&state, &ctx, shown).await
}

/// A refused form: its messages on the page again (422).
async fn refused(state: &AppState, ctx: &Ctx, e: ServiceError, shown: Shown) -> PageResult {
    let errors = match e {
        ServiceError::Invalid(errors) => errors,
        ServiceError::Conflict(c) => FieldErrors::one(c.field.unwrap_or("name"), c.message),
        other => return Err(other.into()),
    };
    invalid(page(state, ctx, Shown { errors, ..shown }).await?)
}

/// `POST /attendance/settings`: the rules and the default shift.
pub async fn save_rules(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<RulesForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    let input = CompanyInput {
        rules: f.input(),
        ..CompanyInput::default()
    };
    let saved = async {
        let changes = input.parse()?;
        state.services.company().update(ctx.caller(), changes).await
    }
    .await;
    match saved {
        Ok(_) => Ok(see_other("/attendance/settings?saved=rules")),
        Err(e) => {
            let shown = Shown {
                rules: f,
                section: "rules",
                ..Shown::default()
            };
            refused(&state, &ctx, e, shown).await
        }
    }
}

/// `POST /holidays`
pub async fn add_holiday(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<HolidayForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    let input = HolidayInput {
        date: f.date.clone(),
        name: f.name.clone(),
    };
    let saved = async {
        let new = input.parse()?;
        state.services.holidays().create(ctx.caller(), &new).await
    }
    .await;
    match saved {
        Ok(_) => Ok(see_other("/attendance/settings?saved=holiday")),
        Err(e) => {
            let shown = Shown {
                holiday: f,
                section: "holiday",
                ..Shown::default()
            };
            refused(&state, &ctx, e, shown).await
        }
    }
}

/// `POST /holidays/{id}/delete`
pub async fn delete_holiday(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    let id = HolidayId(path_id(&id)?);
    ctx.check_csrf(&f.csrf)?;
    state.services.holidays().delete(ctx.caller(), id).await?;
    Ok(see_other("/attendance/settings?saved=holiday"))
}

/// `POST /leave`
pub async fn add_leave(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<LeaveForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    let input = LeaveInput {
        employee_id: f.employee.clone(),
        from: f.from.clone(),
        to: f.to.clone(),
        kind: f.kind.clone(),
    };
    let saved = async {
        let new = input.parse()?;
        state.services.leave().create(ctx.caller(), &new).await
    }
    .await;
    match saved {
        Ok(_) => Ok(see_other("/attendance/settings?saved=leave")),
        Err(e) => {
            let shown = Shown {
                leave: f,
                section: "leave",
                ..Shown::default()
            };
            refused(&state, &ctx, e, shown).await
        }
    }
}

/// `POST /leave/{id}/delete`
pub async fn delete_leave(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    let id = LeaveId(path_id(&id)?);
    ctx.check_csrf(&f.csrf)?;
    state.services.leave().delete(ctx.caller(), id).await?;
    Ok(see_other("/attendance/settings?saved=leave"))
}
