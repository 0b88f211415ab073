//! The account: plan, seats and standing; the plan catalog; plan changes.
//! These stay reachable while the account is blocked or expired, since
//! they are the way out.

use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult, Json, Query};
use super::views::{company_zone, instant, List};
use crate::billing::{Plan, PlanError, Standing};
use crate::domain::AuditEvent;
use crate::web::auth::ApiCaller;
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
            next_plan: state
                .billing
                .catalog()
                .next_after(&a.plan.id)
                .map(|p| p.id.clone()),
        }
    }
}

pub async fn get(State(state): State<AppState>, user: ApiCaller) -> ApiResult<Json<AccountJson>> {
    // Reading the account also records an expiry that happened since.
    let account = state
        .billing
        .reconcile(user.company_id, Some(user.account_id))
        .await?;
    let company = state.store.get_company(user.company_id).await?;
    Ok(Json(AccountJson::new(
        &state,
        &account,
        &company_zone(&company),
    )))
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
    let account = state
        .billing
        .change_plan(user.company_id, user.account_id, body.plan.trim())
        .await
        .map_err(|e| match e {
            PlanError::Store(s) => s.into(),
            PlanError::UnknownPlan(_) => ApiError::field("plan", e.to_string()),
            other => ApiError::Conflict(other.to_string()),
        })?;
    let company = state.store.get_company(user.company_id).await?;
    Ok(Json(AccountJson::new(
        &state,
        &account,
        &company_zone(&company),
    )))
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
    Json(List::all(
        state
            .billing
            .catalog()
            .plans()
            .iter()
            .map(PlanJson::from)
            .collect(),
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
    let company = state.store.get_company(user.company_id).await?;
    let tz = company_zone(&company);
    let events: Vec<AuditEvent> = state
        .store
        .list_audit_events(user.company_id, q.limit.unwrap_or(100).clamp(1, 1000))
        .await?;
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
