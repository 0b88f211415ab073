//! Shift pages: new, edit and delete.

use axum::extract::{Path, State};
use axum::Form;
use maud::Markup;

use super::forms::CsrfForm;
use super::shift_form::{shift_page, ShiftForm};
use crate::domain::ShiftId;
use crate::service::{FieldErrors, ServiceError};
use crate::web::pages::ctx::Ctx;
use crate::web::pages::error::{invalid, path_id, see_other, PageResult};
use crate::web::AppState;

/// `GET /shifts/new`
pub async fn new_shift(ctx: Ctx) -> PageResult<Markup> {
    Ok(shift_page(
        &ctx,
        None,
        &ShiftForm::blank(),
        &FieldErrors::default(),
    ))
}

/// Messages of a refused shift, or the error page for anything else.
fn messages(e: ServiceError) -> PageResult<FieldErrors> {
    match e {
        ServiceError::Invalid(errors) => Ok(errors),
        ServiceError::Conflict(c) => Ok(FieldErrors::one(c.field.unwrap_or("name"), c.message)),
        other => Err(other.into()),
    }
}

/// `POST /shifts/new`
pub async fn create_shift(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<ShiftForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    let saved = async {
        let shift = f.input().parse_new()?;
        state.services.shifts().create(ctx.caller(), &shift).await
    }
    .await;
    match saved {
        Ok(_) => Ok(see_other("/attendance/settings")),
        Err(e) => invalid(shift_page(&ctx, None, &f, &messages(e)?)),
    }
}

/// `GET /shifts/{id}/edit`
pub async fn edit_shift(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult<Markup> {
    let id = ShiftId(path_id(&id)?);
    let shift = state.services.shifts().get(ctx.caller(), id).await?;
    let f = ShiftForm::of(&shift.spec);
    Ok(shift_page(&ctx, Some(&shift), &f, &FieldErrors::default()))
}

/// `POST /shifts/{id}/edit`
pub async fn update_shift(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ShiftForm>,
) -> PageResult {
    let id = ShiftId(path_id(&id)?);
    let shifts = state.services.shifts();
    let current = shifts.get(ctx.caller(), id).await?;
    ctx.check_csrf(&f.csrf)?;
    match shifts.update(ctx.caller(), id, &f.input()).await {
        Ok(_) => Ok(see_other("/attendance/settings")),
        Err(e) => invalid(shift_page(&ctx, Some(&current), &f, &messages(e)?)),
    }
}

/// `POST /shifts/{id}/delete`: refused, with who uses it, while in use.
pub async fn delete_shift(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    let id = ShiftId(path_id(&id)?);
    let shifts = state.services.shifts();
    let current = shifts.get(ctx.caller(), id).await?;
    ctx.check_csrf(&f.csrf)?;
    match shifts.delete(ctx.caller(), id).await {
        Ok(()) => Ok(see_other("/attendance/settings")),
        Err(e) => {
            let errors = messages(e)?;
            let form = ShiftForm::of(&current.spec);
            invalid(shift_page(&ctx, Some(&current), &form, &errors))
        }
    }
}
