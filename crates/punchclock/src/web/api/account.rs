//! The account: plan, seats and standing; the plan catalog; plan changes.
//! These stay reachable while the account is blocked or expired, since
//! they are the way out.

use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::caller::ApiCaller;
use super::error::{ApiError, ApiResult, Json, Query};
use super::views::{company_zone, instant, List};
use crate::service::plan::{Plan, Standing};
use crate::web::AppState;

/// `GET /account`
#[derive(Serialize)]
pub struct AccountJson {
    /// Plan id.
    pub plan: String,
    pub plan_name: String,
    /// `null` is unlimited.
    pub seats: Option<u32>,
    pub active_employees: u64,
    pub blocked: bool,
    pub trial_ends_at: Option<String>,
    /// `trial`, `active`, `blocked` or `expired`.
    pub status: &'static str,
    /// The plan a trial can move to, if any.
    pub next_plan: Option<String>,
}

impl AccountJson {
    fn new(state: &AppState, a: &Standing, tz: &jiff::tz::TimeZone) -> Self {
        AccountJson {
            plan: a.plan.id.clone(),
            plan_name: a.plan.name.clone(),
            seats: a.seats,
            active_employees: a.active_employees,
            blocked: a.blocked,
            trial_ends_at: a.trial_ends_at.map(|t| instant(t, tz)),
            status: a.status.as_str(),
            next_plan: state.services.plan().next_after(&a.plan.id).map(|p| p.id),
        }
    }
}

pub async fn get(State(state): State<AppState>, user: ApiCaller) -> ApiResult<Json<AccountJson>> {
    // Reading the account also records an expiry that happened since.
    let standing = state.services.plan().reconciled(&user.caller).await?;
    let company = state.services.company().get(&user.caller).await?;
    let tz = company_zone(&company);
    Ok(Json(AccountJson::new(&state, &standing, &tz)))
}

#[derive(Deserialize)]
pub struct PlanBody {
    #[serde(default)]
    plan: String,
}

/// `POST /account/plan {plan}`: upgrade or downgrade.
pub async fn change_plan(
    State(state): State<AppState>,
    user: ApiCaller,
    Json(body): Json<PlanBody>,
) -> ApiResult<Json<AccountJson>> {
    if body.plan.trim().is_empty() {
        return Err(ApiError::field(
            "plan",
            "Choose a plan; see GET /api/v1/plans.",
        ));
    }
    let standing = state
        .services
        .plan()
        .change(&user.caller, &body.plan)
        .await?;
    let company = state.services.company().get(&user.caller).await?;
    let tz = company_zone(&company);
    Ok(Json(AccountJson::new(&state, &standing, &tz)))
}

/// `GET /plans`
#[derive(Serialize)]
pub struct PlanJson {
    pub id: String,
    pub name: String,
    pub seats: Option<u32>,
    pub monthly_price_cents: u32,
}

impl From<&Plan> for PlanJson {
    fn from(p: &Plan) -> Self {
        PlanJson {
            id: p.id.clone(),
            name: p.name.clone(),
            seats: p.seats,
            monthly_price_cents: p.monthly_price_cents,
        }
    }
}

pub async fn plans(State(state): State<AppState>, _user: ApiCaller) -> Json<List<PlanJson>> {
    let catalog = state.services.plan().catalog();
    Json(List::all(
        catalog.plans().iter().map(PlanJson::from).collect(),
    ))
}

#[derive(Deserialize)]
pub struct AuditQuery {
    limit: Option<u32>,
}

/// `GET /account/audit`: plan changes, blocks and unblocks, newest first.
#[derive(Serialize)]
pub struct AuditJson {
    pub kind: String,
    pub account_id: Option<i64>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub detail: Option<String>,
    pub at: String,
}

pub async fn audit(
    State(state): State<AppState>,
    user: ApiCaller,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<List<AuditJson>>> {
    let s = &state.services;
    let tz = company_zone(&s.company().get(&user.caller).await?);
    let events = s.plan().audit(&user.caller, q.limit.unwrap_or(100)).await?;
    Ok(Json(List::all(
        events
            .into_iter()
            .map(|e| AuditJson {
                kind: e.kind.as_str().to_string(),
                account_id: e.account_id.map(|a| a.0),
                from: e.from_value,
                to: e.to_value,
                detail: e.detail,
                at: instant(e.created_at, &tz),
            })
            .collect(),
    )))
}
