//! Devices of the caller's company: CRUD, "Test connection", "Sync now" and
//! the contact log. The comm key is accepted here and never returned.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::body::{combine, Fields};
use super::error::{ApiError, ApiResult, Json, Path, Query};
use super::views::{company_zone, DeviceJson, DeviceLogJson, List};
use crate::domain::{CommKeyUpdate, DeviceId};
use crate::web::auth::ApiUser;
use crate::web::validate::{self, DeviceFields, DeviceForm};
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

/// Validate the settings and, for a changed host, where it points.
async fn validated(
    state: &AppState,
    f: Fields,
    form: &DeviceForm,
    host_changed: bool,
) -> ApiResult<DeviceFields> {
    let allow = state.config.allow_private_device_addresses;
    let fields = combine(f.errors, validate::device(form, allow))?;
    if host_changed {
        if let Err(m) = validate::vet_host(&fields.host, fields.port, allow).await {
            return Err(ApiError::field("host", m));
        }
    }
    Ok(fields)
}

/// `GET /devices`
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
) -> ApiResult<Json<List<DeviceJson>>> {
    let company = state.store.get_company(user.company_id).await?;
    let devices = state.store.list_devices(user.company_id).await?;
    Ok(Json(List::all(
        devices
            .iter()
            .map(|d| DeviceJson::new(d, &company))
            .collect(),
    )))
}

/// `POST /devices`
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<DeviceJson>)> {
    let mut f = Fields::new(body, FIELDS);
    let form = DeviceForm {
        name: f.text("name").unwrap_or_default(),
        host: f.text("host").unwrap_or_default(),
        port: f.text("port").unwrap_or_default(),
        comm_key: f.text("comm_key").unwrap_or_default(),
        transport: f.text("transport").unwrap_or_default(),
        timezone: f.text("timezone").unwrap_or_default(),
        poll_interval_minutes: f.text("poll_interval_minutes").unwrap_or_default(),
        enabled: f.bool("enabled").unwrap_or(true),
    };
    let fields = validated(&state, f, &form, true).await?;
    let company = state.store.get_company(user.company_id).await?;
    let device = state
        .store
        .create_device(user.company_id, &fields.into_new_device())
        .await?;
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
    let device = state
        .store
        .get_device(user.company_id, DeviceId(id))
        .await?;
    let company = state.store.get_company(user.company_id).await?;
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
    let id = DeviceId(id);
    let current = state.store.get_device(user.company_id, id).await?;
    let mut f = Fields::new(body, FIELDS);
    let form = DeviceForm {
        name: f.text("name").unwrap_or(current.name.clone()),
        host: f.text("host").unwrap_or(current.host.clone()),
        port: f.text("port").unwrap_or(current.port.to_string()),
        comm_key: f.text("comm_key").unwrap_or_default(),
        transport: f.text("transport").unwrap_or(current.transport.to_string()),
        timezone: f.text("timezone").unwrap_or(
            current
                .timezone
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ),
        poll_interval_minutes: f.text("poll_interval_minutes").unwrap_or(
            current
                .poll_interval_minutes
                .map(|m| m.to_string())
                .unwrap_or_default(),
        ),
        enabled: f.bool("enabled").unwrap_or(current.enabled),
    };
    // A present but blank key means "remove it"; an absent one, "keep it".
    let blank_key = if f.has("comm_key") {
        CommKeyUpdate::Clear
    } else {
        CommKeyUpdate::Keep
    };
    let host_changed = f.has("host") || f.has("port");
    let fields = validated(&state, f, &form, host_changed).await?;
    let device = state
        .store
        .update_device(user.company_id, id, &fields.into_update(blank_key))
        .await?;
    let company = state.store.get_company(user.company_id).await?;
    Ok(Json(DeviceJson::new(&device, &company)))
}

/// `DELETE /devices/{id}`: its punches stay.
pub async fn delete(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state
        .store
        .delete_device(user.company_id, DeviceId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /devices/{id}/test`: handshake and identity only.
pub async fn test(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<DeviceLogJson>> {
    let log = state
        .syncer
        .test_connection(user.company_id, DeviceId(id))
        .await?;
    let company = state.store.get_company(user.company_id).await?;
    Ok(Json(DeviceLogJson::new(&log, &company_zone(&company))))
}

/// `POST /devices/{id}/sync`: a full read now.
pub async fn sync(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<DeviceLogJson>> {
    let outcome = state.syncer.sync_now(user.company_id, DeviceId(id)).await?;
    let company = state.store.get_company(user.company_id).await?;
    Ok(Json(DeviceLogJson::new(
        &outcome.log,
        &company_zone(&company),
    )))
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
    let id = DeviceId(id);
    // Another company's device must be a 404, not an empty list.
    state.store.get_device(user.company_id, id).await?;
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let company = state.store.get_company(user.company_id).await?;
    let tz = company_zone(&company);
    let logs = state
        .store
        .list_device_logs(user.company_id, id, limit)
        .await?;
    Ok(Json(List::recent(
        logs.iter().map(|l| DeviceLogJson::new(l, &tz)).collect(),
    )))
}
