//! The account page: plan, seats and standing, and plan changes. It stays
//! reachable while the account is blocked: it is a way out.

mod view;

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::Form;
use serde::Deserialize;

use super::ctx::Ctx;
use super::error::{see_other, PageResult};
use crate::service::ServiceError;
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct PlanQuery {
    #[serde(default)]
    changed: Option<String>,
}

/// `GET /account`
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PlanQuery>,
) -> PageResult {
    page(&state, &ctx, q.changed.is_some(), None).await
}

/// The plan page, with the devices counted against the plan's cap.
async fn page(state: &AppState, ctx: &Ctx, changed: bool, error: Option<&str>) -> PageResult {
    let devices = state.services.plan().devices_in_use(ctx.caller()).await?;
    Ok(view::plan_page(ctx, devices, changed, error).into_response())
}

#[derive(Deserialize, Default)]
pub struct ConfirmQuery {
    #[serde(default)]
    plan: String,
}

/// `GET /account/plan?plan=…`: what the change would do, to confirm.
/// Nothing changes here.
pub async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ConfirmQuery>,
) -> PageResult {
    match state.services.plan().preview(ctx.caller(), &q.plan).await {
        Ok(preview) => Ok(view::confirm_page(&ctx, &preview).into_response()),
        Err(e) => refused(&state, &ctx, e).await,
    }
}

#[derive(Deserialize, Default)]
pub struct PlanForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    plan: String,
}

/// `POST /account/plan`
pub async fn change(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PlanForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    match state.services.plan().change(ctx.caller(), &f.plan).await {
        Ok(_) => Ok(see_other("/account?changed=1")),
        Err(e) => refused(&state, &ctx, e).await,
    }
}

/// The plan page saying why a change was refused, or the error page.
async fn refused(state: &AppState, ctx: &Ctx, e: ServiceError) -> PageResult {
    let message = match e {
        ServiceError::Invalid(fields) => fields.get("plan").unwrap_or_default().to_owned(),
        e @ ServiceError::Conflict(_) => e.to_string(),
        e => return Err(e.into()),
    };
    page(state, ctx, false, Some(&message)).await
}
