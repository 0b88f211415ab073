//! Company settings: name, time zone, poll interval; plan shown read-only.

mod form;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Form;
use maud::Markup;
use serde::Deserialize;

use self::form::CompanyFields;
use super::ctx::Ctx;
use super::error::{see_other, PageResult};
use crate::service::company::CompanyInput;
use crate::service::{FieldErrors, ServiceError, ServiceResult};
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

async fn facts(state: &AppState, ctx: &Ctx, saved: bool) -> PageResult<form::Facts> {
    let (devices, active_employees) = state.services.company().counts(ctx.caller()).await?;
    Ok(form::Facts {
        saved,
        devices,
        active_employees,
    })
}

/// `GET /company`
pub async fn form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> PageResult<Markup> {
    let f = CompanyFields {
        csrf: String::new(),
        name: ctx.company.name.clone(),
        timezone: ctx.company.timezone.to_string(),
        poll_interval_minutes: ctx.company.poll_interval_minutes.to_string(),
    };
    let facts = facts(&state, &ctx, q.saved.is_some()).await?;
    Ok(form::settings_page(
        &ctx,
        &f,
        &FieldErrors::default(),
        &facts,
    ))
}

/// `POST /company`
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<CompanyFields>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    ctx.require_good_standing()?;
    let input = CompanyInput {
        name: Some(f.name.clone()),
        timezone: Some(f.timezone.clone()),
        poll_interval_minutes: Some(f.poll_interval_minutes.clone()),
        ..CompanyInput::default()
    };
    let company = state.services.company();
    let saved: ServiceResult<_> =
        async { company.update(ctx.caller(), input.parse()?).await }.await;
    match saved {
        Ok(_) => Ok(see_other("/company?saved=1")),
        Err(ServiceError::Invalid(errors)) => {
            let facts = facts(&state, &ctx, false).await?;
            let page = form::settings_page(&ctx, &f, &errors, &facts);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
