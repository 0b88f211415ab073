//! Push devices' own routes: the commands queued for them (set the clock,
//! send punches or users again, write a name) and accepting a new source
//! address. Devices themselves talk to `/iclock/*`, not here.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::body::{combine, Fields};
use super::caller::ApiUser;
use super::error::{ApiResult, Json, Path, Query};
use super::files;
use super::responses::{self as r, Auth, Blocked, Conflict, Missing};
use super::schema::{self, S};
use super::views::{company_zone, DeviceJson, List, PushCommandJson};
use crate::domain::DeviceId;
use crate::service::devices::push::CommandText;
use crate::web::export::FormatQuery;
use crate::web::AppState;
use axum::response::Response;

/// A command for a push device.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PushCommandRequest)]
#[allow(dead_code)] // read field by field through `Fields`
pub struct CommandBody {
    #[schema(schema_with = kind)]
    kind: Option<String>,
    #[schema(schema_with = from)]
    from: Option<String>,
    #[schema(schema_with = to)]
    to: Option<String>,
    #[schema(schema_with = enroll_id)]
    enroll_id: Option<String>,
    #[schema(schema_with = name)]
    name: Option<String>,
}

fn kind() -> S {
    schema::text("set_clock (to our time in the device's zone), send_punches (again, from..to), send_users (enroll_id, or all) or write_name (enroll_id, name).")
}
fn from() -> S {
    schema::text("send_punches: the device's wall-clock time to start at, YYYY-MM-DDTHH:MM[:SS].")
}
fn to() -> S {
    schema::text("send_punches: the device's wall-clock time to end at (inclusive).")
}
fn enroll_id() -> S {
    schema::text("send_users: one user (omit for all); write_name: whose name.")
}
fn name() -> S {
    schema::text("write_name: the name to show on the device, 1-24 characters.")
}

/// Commands of a push device
///
/// The newest first, with the device's answers.
#[utoipa::path(get, path = "/devices/{id}/commands", operation_id = "listDeviceCommands",
    params(FormatQuery, ("id" = i64, Path)),
    responses((status = 200, description = "Its commands.", content((List<PushCommandJson> = "application/json"), (String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), r::Query, Auth, Blocked, Missing))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Query(fmt): Query<FormatQuery>,
) -> ApiResult<Response> {
    let format = fmt.format()?;
    let s = &state.services;
    let commands = s.devices().commands(&user.caller, DeviceId(id)).await?;
    let tz = company_zone(&s.company().get(&user.caller).await?);
    let items = commands.iter().map(|c| PushCommandJson::new(c, &tz));
    files::listed(
        &state,
        &user.caller,
        format,
        List::recent(items.collect()),
        "device_commands",
        None,
    )
    .await
}

/// Queue a command for a push device
///
/// It is handed out at the device's next poll (within its `Delay`), and
/// its result recorded when the device reports it.
#[utoipa::path(post, path = "/devices/{id}/commands", operation_id = "queueDeviceCommand",
    params(("id" = i64, Path)), request_body = CommandBody,
    responses((status = 201, description = "Queued.", body = PushCommandJson), r::Body, Auth, Blocked, Missing, Conflict))]
pub async fn queue(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<PushCommandJson>)> {
    let mut f = Fields::of::<CommandBody>(body);
    let text = CommandText {
        kind: f.string("kind"),
        from: f.string("from"),
        to: f.string("to"),
        enroll_id: f.text("enroll_id"),
        name: f.string("name"),
    };
    let input = combine(f.errors, text.parse())?;
    let s = &state.services;
    let command = s
        .devices()
        .queue_command(&user.caller, DeviceId(id), input)
        .await?;
    let tz = company_zone(&s.company().get(&user.caller).await?);
    Ok((
        StatusCode::CREATED,
        Json(PushCommandJson::new(&command, &tz)),
    ))
}

/// Accept a push device's new source address
///
/// For a device locked to its source: requests from the address it was
/// refused from are let in from now on.
#[utoipa::path(post, path = "/devices/{id}/source/accept", operation_id = "acceptDeviceSource",
    params(("id" = i64, Path)),
    responses((status = 200, description = "Accepted.", body = DeviceJson), Auth, Blocked, Missing, Conflict))]
pub async fn accept_source(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<DeviceJson>> {
    let s = &state.services;
    let device = s
        .devices()
        .accept_source(&user.caller, DeviceId(id))
        .await?;
    let company = s.company().get(&user.caller).await?;
    Ok(Json(DeviceJson::new(&device, &company)))
}
