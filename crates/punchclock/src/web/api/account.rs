//! The account: plan, seats and standing; the plan catalog; plan changes.
//! These stay reachable while the account is blocked or expired, since
//! they are the way out.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::limit;
use super::caller::ApiCaller;
use super::error::{ApiError, ApiResult, Json, Query};
use super::files;
use super::responses::{self as r, Auth, Conflict};
use super::views::{company_zone, instant, List};
use crate::service::plan::{Plan, Standing, MAX_AUDIT_EVENTS};
use crate::web::export::FormatQuery;
use crate::web::AppState;
use axum::response::Response;

/// The account's plan, seats and standing.
#[derive(Serialize, ToSchema)]
#[schema(as = Account)]
pub struct AccountJson {
    /// Plan id.
    pub plan: String,
    pub plan_name: String,
    /// `null` is unlimited.
    pub seats: Option<u32>,
    pub active_employees: u64,
    /// Devices (pull and push) the account has.
    pub devices: u64,
    /// Most devices the plan allows; `null` is no cap.
    pub device_cap: Option<u32>,
    pub blocked: bool,
    pub trial_ends_at: Option<String>,
    /// `trial`, `active`, `blocked` or `expired`.
    #[schema(value_type = String)]
    pub status: &'static str,
    /// The plan a trial can move to, if any.
    pub next_plan: Option<String>,
}

impl AccountJson {
    /// The caller's standing with its zone's times and its device count.
    async fn of(state: &AppState, user: &ApiCaller, a: &Standing) -> ApiResult<Json<Self>> {
        let company = state.services.company().get(&user.caller).await?;
        let devices = state.services.plan().devices_in_use(&user.caller).await?;
        Ok(Json(AccountJson::new(
            state,
            a,
            devices,
            &company_zone(&company),
        )))
    }

    fn new(state: &AppState, a: &Standing, devices: u64, tz: &jiff::tz::TimeZone) -> Self {
        AccountJson {
            plan: a.plan.id.clone(),
            plan_name: a.plan.name.clone(),
            seats: a.seats,
            active_employees: a.active_employees,
            devices,
            device_cap: a.plan.devices,
            blocked: a.blocked,
            trial_ends_at: a.trial_ends_at.map(|t| instant(t, tz)),
            status: a.status.as_str(),
            next_plan: state.services.plan().next_after(&a.plan.id).map(|p| p.id),
        }
    }
}

/// The account: plan, seats and standing
///
/// Reachable while the account is blocked or expired: it is the way out.
#[utoipa::path(get, path = "/account", operation_id = "getAccount",
    responses((status = 200, description = "The account.", body = AccountJson), Auth))]
pub async fn get(State(state): State<AppState>, user: ApiCaller) -> ApiResult<Json<AccountJson>> {
    // Reading the account also records an expiry that happened since.
    let standing = state.services.plan().reconciled(&user.caller).await?;
    AccountJson::of(&state, &user, &standing).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    /// A plan id from `GET /plans`.
    #[serde(default)]
    #[schema(required = true, min_length = 1, pattern = r"\S")]
    plan: String,
}

/// Upgrade or downgrade
///
/// Reachable while the account is blocked or expired: it is the way out.
#[utoipa::path(post, path = "/account/plan", operation_id = "changePlan",
    request_body = PlanBody,
    responses((status = 200, description = "The account on its new plan.", body = AccountJson),
        r::Body, Auth, Conflict))]
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
    AccountJson::of(&state, &user, &standing).await
}

/// A plan of the catalog.
#[derive(Serialize, ToSchema)]
#[schema(as = Plan)]
pub struct PlanJson {
    pub id: String,
    pub name: String,
    pub seats: Option<u32>,
    pub monthly_price_cents: u32,
    /// Devices allowed; `null` is no cap.
    pub devices: Option<u32>,
}

impl From<&Plan> for PlanJson {
    fn from(p: &Plan) -> Self {
        PlanJson {
            id: p.id.clone(),
            name: p.name.clone(),
            seats: p.seats,
            monthly_price_cents: p.monthly_price_cents,
            devices: p.devices,
        }
    }
}

/// The plan catalog
///
/// A list like the others, so it answers `format=csv|xlsx` too (prices
/// for a spreadsheet comparing plans).
#[utoipa::path(get, path = "/plans", operation_id = "listPlans", params(FormatQuery),
    responses((status = 200, description = "Every plan.", content((List<PlanJson> = "application/json"), (String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        r::Query, Auth))]
pub async fn plans(
    State(state): State<AppState>,
    user: ApiCaller,
    Query(fmt): Query<FormatQuery>,
) -> ApiResult<Response> {
    let format = fmt.format()?;
    let catalog = state.services.plan().catalog();
    let list = List::all(catalog.plans().iter().map(PlanJson::from).collect());
    files::listed(&state, &user.caller, format, list, "plans", None).await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// How many events, newest first (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// A plan change, block or unblock.
#[derive(Serialize, ToSchema)]
#[schema(as = AuditEvent)]
pub struct AuditJson {
    pub kind: String,
    pub account_id: Option<i64>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub detail: Option<String>,
    #[schema(format = DateTime)]
    pub at: String,
}

/// Plan changes, blocks and unblocks, newest first
#[utoipa::path(get, path = "/account/audit", operation_id = "listAudit", params(FormatQuery, AuditQuery),
    responses((status = 200, description = "Events, newest first.", content((List<AuditJson> = "application/json"), (String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        r::Query, Auth))]
pub async fn audit(
    State(state): State<AppState>,
    user: ApiCaller,
    Query(q): Query<AuditQuery>,
    Query(fmt): Query<FormatQuery>,
) -> ApiResult<Response> {
    let format = fmt.format()?;
    let s = &state.services;
    let tz = company_zone(&s.company().get(&user.caller).await?);
    let limit = limit(q.limit, 100, MAX_AUDIT_EVENTS)?;
    let events = s.plan().audit(&user.caller, limit).await?;
    files::listed(
        &state,
        &user.caller,
        format,
        List::all(
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
        ),
        "audit",
        None,
    )
    .await
}
