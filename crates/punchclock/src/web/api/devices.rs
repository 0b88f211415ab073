//! Devices of the caller's company: CRUD, "Test connection", "Sync now" and
//! the contact log. The comm key is accepted here and never returned.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::body::{combine, Fields};
use super::caller::ApiUser;
use super::error::{ApiResult, Json, Path, Query};
use super::views::{company_zone, DeviceJson, DeviceLogJson, List};
use crate::domain::DeviceId;
use crate::service::devices::DeviceInput;
use crate::web::AppState;

const FIELDS: &[&str] = &[
    "name",
    "host",
    "port",
    "comm_key",
    "transport",
    "timezone",
    "poll_interval_minutes",
    "enabled",
];

/// The settings sent, as text; wrong JSON types are noted in `f.errors`.
/// A present but blank (or `null`) key means "remove it".
fn input(f: &mut Fields) -> DeviceInput {
    let key = f.text("comm_key");
    let clear_comm_key = key.as_deref().is_some_and(|k| k.trim().is_empty());
    DeviceInput {
        name: f.text("name"),
        host: f.text("host"),
        port: f.text("port"),
        comm_key: key.filter(|_| !clear_comm_key),
        clear_comm_key,
        transport: f.text("transport"),
        timezone: f.text("timezone"),
        poll_interval_minutes: f.text("poll_interval_minutes"),
        enabled: f.bool("enabled"),
    }
}

/// `GET /devices`
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
) -> ApiResult<Json<List<DeviceJson>>> {
    let s = &state.services;
    let company = s.company().get(&user.caller).await?;
    let devices = s.devices().list(&user.caller).await?;
    let items = devices.iter().map(|d| DeviceJson::new(d, &company));
    Ok(Json(List::all(items.collect())))
}

/// `POST /devices`
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<DeviceJson>)> {
    let devices = state.services.devices();
    let mut f = Fields::new(body, FIELDS);
    let input = input(&mut f);
    let settings = combine(f.errors, devices.parse_new(&input))?;
    let device = devices.create(&user.caller, settings).await?;
    let company = state.services.company().get(&user.caller).await?;
    Ok((
        StatusCode::CREATED,
        Json(DeviceJson::new(&device, &company)),
    ))
}

/// `GET /devices/{id}`
pub async fn get(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<DeviceJson>> {
    let s = &state.services;
    let device = s.devices().get(&user.caller, DeviceId(id)).await?;
    let company = s.company().get(&user.caller).await?;
    Ok(Json(DeviceJson::new(&device, &company)))
}

/// `PATCH /devices/{id}`: absent fields keep their value; `null` clears the
/// optional ones (comm key, time zone, poll interval).
pub async fn patch(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<Json<DeviceJson>> {
    let devices = state.services.devices();
    let mut f = Fields::new(body, FIELDS);
    let input = input(&mut f);
    let changes = combine(f.errors, devices.parse_changes(&input))?;
    let device = devices.update(&user.caller, DeviceId(id), changes).await?;
    let company = state.services.company().get(&user.caller).await?;
    Ok(Json(DeviceJson::new(&device, &company)))
}

/// `DELETE /devices/{id}`: its punches stay.
pub async fn delete(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    let devices = state.services.devices();
    devices.delete(&user.caller, DeviceId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /devices/{id}/test`: handshake and identity only.
pub async fn test(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<DeviceLogJson>> {
    let s = &state.services;
    let log = s
        .devices()
        .test_connection(&user.caller, DeviceId(id))
        .await?;
    let company = s.company().get(&user.caller).await?;
    Ok(Json(DeviceLogJson::new(&log, &company_zone(&company))))
}

/// `POST /devices/{id}/sync`: a full read now.
pub async fn sync(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<DeviceLogJson>> {
    let s = &state.services;
    let log = s.devices().sync_now(&user.caller, DeviceId(id)).await?;
    let company = s.company().get(&user.caller).await?;
    Ok(Json(DeviceLogJson::new(&log, &company_zone(&company))))
}

#[derive(Deserialize)]
pub struct LogsQuery {
    limit: Option<u32>,
}

/// `GET /devices/{id}/logs?limit=`: newest first.
pub async fn logs(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<LogsQuery>,
) -> ApiResult<Json<List<DeviceLogJson>>> {
    let s = &state.services;
    let limit = q.limit.unwrap_or(50);
    let logs = s
        .device_logs()
        .recent(&user.caller, DeviceId(id), limit)
        .await?;
    let tz = company_zone(&s.company().get(&user.caller).await?);
    let items = logs.iter().map(|l| DeviceLogJson::new(l, &tz));
    Ok(Json(List::recent(items.collect())))
}
