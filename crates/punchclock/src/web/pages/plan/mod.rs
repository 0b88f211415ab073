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
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            let message = match &e {
                ServiceError::Invalid(fields) => fields.get("plan").unwrap_or_default().to_owned(),
                other => other.to_string(),
            };
            Ok(view::plan_page(&ctx, false, Some(&message)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
