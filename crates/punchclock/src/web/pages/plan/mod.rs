//! The account page: plan, seats and standing, and plan changes. It stays
//! reachable while the account is blocked: it is a way out.

mod view;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
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
pub async fn show(ctx: Ctx, Query(q): Query<PlanQuery>) -> Response {
    view::plan_page(&ctx, q.changed.is_some(), None).into_response()
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
        Err(e) => refused(&ctx, e),
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
        Err(e) => refused(&ctx, e),
    }
}

/// The plan page saying why a change was refused, or the error page.
fn refused(ctx: &Ctx, e: ServiceError) -> PageResult {
    match e {
        ServiceError::Invalid(fields) => {
            let message = fields.get("plan").unwrap_or_default().to_owned();
            Ok(view::plan_page(ctx, false, Some(&message)).into_response())
        }
        e @ ServiceError::Conflict(_) => {
            Ok(view::plan_page(ctx, false, Some(&e.to_string())).into_response())
        }
        e => Err(e.into()),
    }
}
