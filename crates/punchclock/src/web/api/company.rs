//! The caller's company settings.

use axum::extract::State;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::body::{combine, Fields};
use super::caller::ApiUser;
use super::error::{ApiResult, Json};
use super::notify_views::NotifyJson;
use super::responses::{Auth, Blocked, Body};
use super::schema;
use super::views::CompanyJson;
use crate::service::company::CompanyInput;
use crate::service::company_rules::RulesInput;
use crate::service::notify::NotifyInput;
use crate::service::Caller;
use crate::web::AppState;

/// The caller's company
#[utoipa::path(get, path = "/company", operation_id = "getCompany",
    responses((status = 200, description = "The company.", body = CompanyJson), Auth, Blocked))]
pub async fn get(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<CompanyJson>> {
    let s = &state.services;
    let c = s.company().overview(&user.caller).await?;
    let rules = s.company().rules(&user.caller).await?;
    let n = notifications(&state, &user.caller).await?;
    Ok(Json(CompanyJson::new(
        &c.company,
        c.standing.status,
        &rules,
        n,
    )))
}

async fn notifications(state: &AppState, caller: &Caller) -> ApiResult<NotifyJson> {
    let s = &state.services;
    let settings = s.notify().get(caller).await?;
    Ok(NotifyJson::new(&settings, s.mail_enabled()))
}

/// Company settings to change; omitted fields keep their value.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CompanyChanges)]
#[allow(dead_code)] // read field by field through `Fields`
pub struct CompanyBody {
    #[schema(schema_with = company_name)]
    name: Option<String>,
    #[schema(schema_with = company_zone)]
    timezone: Option<String>,
    #[schema(schema_with = company_interval)]
    poll_interval_minutes: Option<String>,
    #[schema(schema_with = report_time)]
    report_time: Option<String>,
    #[schema(schema_with = rule_on)]
    offline_alert: Option<bool>,
    #[schema(schema_with = offline_after)]
    offline_after_polls: Option<String>,
    #[schema(schema_with = rule_on)]
    drift_alert: Option<bool>,
    #[schema(schema_with = drift_threshold)]
    drift_threshold_seconds: Option<String>,
    #[schema(schema_with = rule_on)]
    log_full_alert: Option<bool>,
    #[schema(schema_with = log_full)]
    log_full_percent: Option<String>,
    #[schema(schema_with = rule_on)]
    seat_alert: Option<bool>,
    #[schema(schema_with = auto_clock)]
    auto_set_clock: Option<bool>,
    #[schema(schema_with = auto_rotate)]
    auto_rotate_log: Option<bool>,
    #[schema(schema_with = rotate_percent)]
    auto_rotate_percent: Option<String>,
    #[schema(schema_with = default_shift)]
    default_shift_id: Option<i64>,
    #[schema(schema_with = double_tap)]
    double_tap_seconds: Option<u32>,
    #[schema(schema_with = reliable)]
    punch_status_reliable: Option<bool>,
    #[schema(schema_with = min_rest)]
    min_rest_hours: Option<f64>,
    #[schema(schema_with = weekly_overtime)]
    weekly_overtime_hours: Option<f64>,
    #[schema(schema_with = absent_below)]
    absent_below_hours: Option<f64>,
    #[schema(schema_with = half_day_below)]
    half_day_below_hours: Option<f64>,
}

fn report_time() -> schema::S {
    schema::text(
        "\"HH:MM\" (24 h) in the company's zone: when end-of-day reports are sent; default 19:00.",
    )
}
fn rule_on() -> schema::S {
    schema::boolean("Whether this alert rule is on (default true).")
}
fn offline_after() -> schema::S {
    schema::number("Offline alert after this many failed polls in a row, 1-100; default 3.")
}
fn drift_threshold() -> schema::S {
    schema::number("Clock drift alert over this many seconds, 10-86400; default 120.")
}
fn log_full() -> schema::S {
    schema::number("Log nearly full alert at this percentage of capacity, 1-100; default 80.")
}
fn auto_clock() -> schema::S {
    schema::boolean("Set a device's clock by itself when drift passes the threshold (audit-logged); default false.")
}
fn auto_rotate() -> schema::S {
    schema::boolean("Clear a device's log by itself, after verifying every punch is stored, at the fill level below; default false.")
}
fn rotate_percent() -> schema::S {
    schema::number("Fill level (percent, 50-100) for the automatic rotation; default 90.")
}

fn default_shift() -> schema::S {
    schema::number("A shift of the company for everyone without their own; `null`: none.")
}
fn double_tap() -> schema::S {
    schema::number(
        "Punches this many seconds after a counted one count once: 0-3600 (default 120).",
    )
}
fn reliable() -> schema::S {
    schema::boolean("Trust the clocks' in/out keys (default false: pair punches in time order).")
}
fn min_rest() -> schema::S {
    schema::number("Without a shift, a gap of this many hours starts a new work period: more than 0, at most 24 (default 4).")
}
fn weekly_overtime() -> schema::S {
    schema::number("Hours a week beyond which time is overtime; `null`: off (the default).")
}
fn absent_below() -> schema::S {
    schema::number("A working day with fewer hours is absent; at most 24, not above half_day_below_hours; `null`: off.")
}
fn half_day_below() -> schema::S {
    schema::number("A working day with fewer hours is a half day; at most 24; `null`: off.")
}

fn company_name() -> schema::S {
    schema::text("The company's name, 1-100 characters.")
}
fn company_zone() -> schema::S {
    schema::text("IANA zone, e.g. Europe/Berlin.")
}
fn company_interval() -> schema::S {
    schema::number("Default minutes between polls, 5-1440.")
}

/// Change company settings
#[utoipa::path(patch, path = "/company", operation_id = "updateCompany",
    request_body = CompanyBody,
    responses((status = 200, description = "Updated.", body = CompanyJson), Body, Auth, Blocked))]
pub async fn patch(
    State(state): State<AppState>,
    user: ApiUser,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<Json<CompanyJson>> {
    let mut f = Fields::of::<CompanyBody>(body);
    let input = CompanyInput {
        name: f.string("name"),
        timezone: f.string("timezone"),
        poll_interval_minutes: f.text("poll_interval_minutes"),
        rules: rules(&mut f),
    };
    let notify = NotifyInput {
        report_time: f.string("report_time"),
        offline_alert: f.bool("offline_alert"),
        offline_after_polls: f.text("offline_after_polls"),
        drift_alert: f.bool("drift_alert"),
        drift_threshold_seconds: f.text("drift_threshold_seconds"),
        log_full_alert: f.bool("log_full_alert"),
        log_full_percent: f.text("log_full_percent"),
        seat_alert: f.bool("seat_alert"),
        auto_set_clock: f.bool("auto_set_clock"),
        auto_rotate_log: f.bool("auto_rotate_log"),
        auto_rotate_percent: f.text("auto_rotate_percent"),
    };
    let s = &state.services;
    let current = s.notify().get(&user.caller).await?;
    let checked = notify.apply(current).map(|_| ());
    let changes = combine(
        f.errors,
        combine(checked.err().unwrap_or_default(), input.parse()),
    )?;
    let c = s.company().update(&user.caller, changes).await?;
    let rules = s.company().rules(&user.caller).await?;
    s.notify().update(&user.caller, &notify).await?;
    let n = notifications(&state, &user.caller).await?;
    Ok(Json(CompanyJson::new(
        &c.company,
        c.standing.status,
        &rules,
        n,
    )))
}

/// The attendance rules sent; `null` turns a threshold off.
fn rules(f: &mut Fields) -> RulesInput {
    RulesInput {
        default_shift_id: f.text("default_shift_id"),
        double_tap_seconds: f.text("double_tap_seconds"),
        punch_status_reliable: f.bool("punch_status_reliable"),
        min_rest_hours: f.text("min_rest_hours"),
        weekly_overtime_hours: f.text("weekly_overtime_hours"),
        absent_below_hours: f.text("absent_below_hours"),
        half_day_below_hours: f.text("half_day_below_hours"),
    }
}
