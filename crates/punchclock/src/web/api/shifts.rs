//! Shifts of the caller's company.

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::attendance_views::ShiftJson;
use super::body::{combine, Fields};
use super::caller::ApiUser;
use super::error::{ApiResult, Json, Path, Query};
use super::files;
use super::responses::{self as r, Auth, Blocked, Conflict, Missing};
use super::schema::{self, S};
use super::views::{company_zone, List};
use crate::domain::ShiftId;
use crate::service::shifts::ShiftInput;
use crate::web::export::FormatQuery;
use crate::web::AppState;
use axum::response::Response;

/// A shift's fields. On POST `name`, `start`, `end` and `weekdays` are
/// required and the rest take their defaults; on PATCH omitted fields keep
/// their value.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ShiftChanges)]
#[allow(dead_code)] // read field by field through `Fields`
pub struct ShiftBody {
    #[schema(schema_with = name)]
    name: Option<String>,
    #[schema(schema_with = start)]
    start: Option<String>,
    #[schema(schema_with = end)]
    end: Option<String>,
    #[schema(schema_with = weekdays)]
    weekdays: Option<Vec<String>>,
    #[schema(schema_with = late_grace)]
    late_grace_minutes: Option<i64>,
    #[schema(schema_with = early_grace)]
    early_grace_minutes: Option<i64>,
    #[schema(schema_with = before)]
    window_before_minutes: Option<i64>,
    #[schema(schema_with = after)]
    window_after_minutes: Option<i64>,
    #[schema(schema_with = break_len)]
    break_minutes: Option<i64>,
    #[schema(schema_with = break_after)]
    break_after_minutes: Option<i64>,
}

fn name() -> S {
    schema::text("1-100 characters, unique in the company.")
}
fn start() -> S {
    schema::text("`HH:MM` on the company's clock.")
}
fn end() -> S {
    schema::text("`HH:MM`; at or before `start`: the next day. At most 20 h after the start.")
}
fn weekdays() -> S {
    schema::weekdays("The days it is worked: `mon` … `sun`; at least one.")
}
fn late_grace() -> S {
    schema::number("0-240, default 5: 09:05 is not late, 09:06 is 6 minutes late.")
}
fn early_grace() -> S {
    schema::number("0-240, default 5.")
}
fn before() -> S {
    schema::number("Punches count from this many minutes before the start: 0-720, default 120.")
}
fn after() -> S {
    schema::number("… until this many minutes after the end: 0-720, default 240.")
}
fn break_len() -> S {
    schema::number("Unpaid break, 0-720 minutes, default 0 (none).")
}
fn break_after() -> S {
    schema::number("The break is deducted after this many minutes worked: 0-1440, default 360.")
}

fn input(f: &mut Fields) -> ShiftInput {
    ShiftInput {
        name: f.string("name"),
        start: f.string("start"),
        end: f.string("end"),
        weekdays: f.strings("weekdays"),
        late_grace_minutes: f.text("late_grace_minutes"),
        early_grace_minutes: f.text("early_grace_minutes"),
        window_before_minutes: f.text("window_before_minutes"),
        window_after_minutes: f.text("window_after_minutes"),
        break_minutes: f.text("break_minutes"),
        break_after_minutes: f.text("break_after_minutes"),
    }
}

async fn zone(state: &AppState, user: &ApiUser) -> ApiResult<jiff::tz::TimeZone> {
    Ok(company_zone(
        &state.services.company().get(&user.caller).await?,
    ))
}

/// List shifts
#[utoipa::path(get, path = "/shifts", operation_id = "listShifts", params(FormatQuery),
    responses((status = 200, description = "Every shift, by name.", content((List<ShiftJson> = "application/json"), (String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), r::Query, Auth, Blocked))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    Query(fmt): Query<FormatQuery>,
) -> ApiResult<Response> {
    let format = fmt.format()?;
    let tz = zone(&state, &user).await?;
    let shifts = state.services.shifts().list(&user.caller).await?;
    files::listed(
        &state,
        &user.caller,
        format,
        List::all(shifts.iter().map(|s| ShiftJson::new(s, &tz)).collect()),
        "shifts",
        None,
    )
    .await
}

/// Add a shift
#[utoipa::path(post, path = "/shifts", operation_id = "createShift", request_body = ShiftBody,
    responses((status = 201, description = "Created.", body = ShiftJson), r::Body, Auth, Blocked, Conflict))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<ShiftJson>)> {
    let mut f = Fields::of::<ShiftBody>(body);
    let input = input(&mut f);
    let shift = combine(f.errors, input.parse_new())?;
    let saved = state.services.shifts().create(&user.caller, &shift).await?;
    Ok((
        StatusCode::CREATED,
        Json(ShiftJson::new(&saved, &zone(&state, &user).await?)),
    ))
}

/// One shift
#[utoipa::path(get, path = "/shifts/{id}", operation_id = "getShift", params(("id" = i64, Path)),
    responses((status = 200, description = "The shift.", body = ShiftJson), Auth, Blocked, Missing))]
pub async fn get(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<ShiftJson>> {
    let shift = state
        .services
        .shifts()
        .get(&user.caller, ShiftId(id))
        .await?;
    Ok(Json(ShiftJson::new(&shift, &zone(&state, &user).await?)))
}

/// Change a shift
///
/// Every day it applies to is computed with the new fields from then on.
#[utoipa::path(patch, path = "/shifts/{id}", operation_id = "updateShift", params(("id" = i64, Path)),
    request_body = ShiftBody,
    responses((status = 200, description = "Updated.", body = ShiftJson), r::Body, Auth, Blocked, Missing, Conflict))]
pub async fn patch(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<Json<ShiftJson>> {
    let mut f = Fields::of::<ShiftBody>(body);
    let changes = input(&mut f);
    combine(f.errors, Ok(()))?;
    let saved = state
        .services
        .shifts()
        .update(&user.caller, ShiftId(id), &changes)
        .await?;
    Ok(Json(ShiftJson::new(&saved, &zone(&state, &user).await?)))
}

/// Delete a shift
///
/// Refused (409) while it is the company's default or someone's shift.
#[utoipa::path(delete, path = "/shifts/{id}", operation_id = "deleteShift", params(("id" = i64, Path)),
    responses((status = 204, description = "Deleted."), Auth, Blocked, Missing, Conflict))]
pub async fn delete(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state
        .services
        .shifts()
        .delete(&user.caller, ShiftId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
