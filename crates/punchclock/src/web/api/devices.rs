//! Devices of the caller's company: CRUD, "Test connection", "Sync now" and
//! the contact log. The comm key is accepted here and never returned.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::body::{combine, limit, offset, Fields};
use super::caller::ApiUser;
use super::error::{ApiResult, Json, Path, Query};
use super::files;
use super::responses::{self as r, Auth, Blocked, Missing};
use super::schema::{self, S};
use super::views::{company_zone, DeviceJson, DeviceLogJson, List};
use crate::domain::{DeviceId, NameSetting};
use crate::service::device_logs::MAX_ROWS;
use crate::service::devices::{DeviceInput, MAX_PAGE};
use crate::web::export::{both, Format, FormatQuery};
use crate::web::AppState;
use axum::response::Response;

/// A device's settings. In POST, `name` and either `host` (poll mode) or
/// `serial_number` (push mode) are required; in PATCH, omitted fields keep
/// their value and `null` clears the optional ones.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = DeviceSettings)]
#[allow(dead_code)] // read field by field through `Fields`
pub struct DeviceBody {
    #[schema(schema_with = name)]
    name: Option<String>,
    #[schema(schema_with = host)]
    host: Option<String>,
    #[schema(schema_with = port)]
    port: Option<String>,
    #[schema(schema_with = comm_key)]
    comm_key: Option<String>,
    #[schema(schema_with = transport)]
    transport: Option<String>,
    #[schema(schema_with = timezone)]
    timezone: Option<String>,
    #[schema(schema_with = interval)]
    poll_interval_minutes: Option<String>,
    #[schema(schema_with = enabled)]
    enabled: Option<bool>,
    #[schema(schema_with = mode)]
    mode: Option<String>,
    #[schema(schema_with = serial_number)]
    serial_number: Option<String>,
    #[schema(schema_with = lock_source)]
    lock_source: Option<bool>,
    #[schema(schema_with = name_encoding)]
    name_encoding: Option<String>,
    #[schema(schema_with = realtime)]
    realtime: Option<bool>,
}

fn realtime() -> S {
    schema::boolean("Real-time capture: keep a live connection so punches arrive within seconds; polls go on as the safety net. Devices that refuse live events are polled and say so. Default false.")
}

fn name() -> S {
    schema::text("What you call the device, 1-80 characters.")
}
fn host() -> S {
    schema::text("IPv4/IPv6 address or DNS name; no scheme, port or path. Must resolve to a public address unless the service allows private ones.")
}
fn port() -> S {
    schema::number("1-65535; default 4370.")
}
fn comm_key() -> S {
    schema::number("Numeric device password (0-999999). Write-only: never returned. In PATCH, null or \"\" removes it and omitting it keeps it.")
}
fn transport() -> S {
    schema::transport("auto (TCP first, then UDP), tcp or udp; default auto.")
}
fn timezone() -> S {
    schema::text("IANA zone of the device clock; null or omitted follows the company.")
}
fn interval() -> S {
    schema::number("5-1440 minutes; null or omitted follows the company.")
}
fn enabled() -> S {
    schema::boolean("Default true.")
}
fn mode() -> S {
    schema::mode("poll (we connect to the device's port; needs host) or push (the device calls us over HTTP, ADMS/iclock; needs serial_number, no host or port); default poll. PATCH can switch it: punches and employees stay.")
}
fn serial_number() -> S {
    schema::text("The device's serial number (1-32 letters, digits, - or _; stored upper case), as on its label. Required for push: requests carrying it are stored for this company. A serial belongs to one company only.")
}
fn lock_source() -> S {
    schema::boolean("Push only: refuse requests from any address but the accepted source_address until the owner accepts the new one. Default false.")
}

fn name_encoding() -> S {
    let values: Vec<&str> = NameSetting::ALL.iter().map(|s| s.as_str()).collect();
    schema::one_of("The code page the device stores user names in, for clocks whose names are not UTF-8 (valid UTF-8 is always read as UTF-8). auto (the default): the code page of the device's menu language where it reports one (push), else cp1252. gb2312 reads GBK. Changing it decodes again the names this device sent; names typed by a person are never changed.", &values)
}

/// The settings sent, as text; wrong JSON types are noted in `f.errors`.
/// A present but blank (or `null`) key means "remove it".
fn input(f: &mut Fields) -> DeviceInput {
    let key = f.text("comm_key");
    let clear_comm_key = key.as_deref().is_some_and(|k| k.trim().is_empty());
    DeviceInput {
        name: f.string("name"),
        host: f.string("host"),
        port: f.text("port"),
        comm_key: key.filter(|_| !clear_comm_key),
        clear_comm_key,
        transport: f.string("transport"),
        timezone: f.string("timezone"),
        poll_interval_minutes: f.text("poll_interval_minutes"),
        enabled: f.bool("enabled"),
        mode: f.string("mode"),
        serial_number: f.string("serial_number"),
        lock_source: f.bool("lock_source"),
        name_encoding: f.string("name_encoding"),
        realtime: f.bool("realtime"),
    }
}

/// `GET /devices` paging: a company may have 10,000 devices.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Page size (default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    /// Devices to skip (default 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// Devices on one page when `limit` is not given.
const DEFAULT_PAGE: u32 = 100;

/// List devices
///
/// By name, one page at a time (`total` is how many there are). With
/// `format=csv` or `xlsx`, every device.
#[utoipa::path(get, path = "/devices", operation_id = "listDevices", params(ListQuery, FormatQuery),
    responses((status = 200, description = "One page of devices, or all of them as a file.", content((List<DeviceJson> = "application/json"), (String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), r::Query, Auth, Blocked))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    Query(q): Query<ListQuery>,
    Query(fmt): Query<FormatQuery>,
) -> ApiResult<Response> {
    let max = u32::try_from(MAX_PAGE).unwrap_or(u32::MAX);
    let (format, (limit, offset)) = both(
        fmt.format(),
        both(limit(q.limit, DEFAULT_PAGE, max), offset(q.offset)),
    )?;
    let s = &state.services;
    let company = s.company().get(&user.caller).await?;
    let list = if format == Format::Json {
        let (devices, total) = s
            .devices()
            .list_page(&user.caller, limit.into(), offset)
            .await?;
        let items = devices.iter().map(|d| DeviceJson::new(d, &company));
        List::page(items.collect(), total)
    } else {
        let devices = s.devices().list(&user.caller).await?;
        List::all(
            devices
                .iter()
                .map(|d| DeviceJson::new(d, &company))
                .collect(),
        )
    };
    files::listed(&state, &user.caller, format, list, "devices", None).await
}

/// Add a device
///
/// Refused with 409 once the account has as many devices as its plan
/// allows (`devices` in `GET /plans`).
#[utoipa::path(post, path = "/devices", operation_id = "createDevice",
    request_body = DeviceBody,
    responses((status = 201, description = "Added.", body = DeviceJson), r::Body, Auth, Blocked, r::Conflict))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<DeviceJson>)> {
    let devices = state.services.devices();
    let mut f = Fields::of::<DeviceBody>(body);
    let input = input(&mut f);
    let settings = combine(f.errors, devices.parse_new(&input))?;
    let device = devices.create(&user.caller, settings).await?;
    let company = state.services.company().get(&user.caller).await?;
    Ok((
        StatusCode::CREATED,
        Json(DeviceJson::new(&device, &company)),
    ))
}

/// One device
#[utoipa::path(get, path = "/devices/{id}", operation_id = "getDevice", params(("id" = i64, Path)),
    responses((status = 200, description = "The device.", body = DeviceJson), Auth, Blocked, Missing))]
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

/// Change a device
///
/// Absent fields keep their value; `null` clears the optional ones (comm
/// key, time zone, poll interval).
#[utoipa::path(patch, path = "/devices/{id}", operation_id = "updateDevice", params(("id" = i64, Path)),
    request_body = DeviceBody,
    responses((status = 200, description = "Updated.", body = DeviceJson), r::Body, Auth, Blocked, Missing))]
pub async fn patch(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<Json<DeviceJson>> {
    let devices = state.services.devices();
    let mut f = Fields::of::<DeviceBody>(body);
    let input = input(&mut f);
    let changes = combine(f.errors, devices.parse_changes(&input))?;
    let device = devices.update(&user.caller, DeviceId(id), changes).await?;
    let company = state.services.company().get(&user.caller).await?;
    Ok(Json(DeviceJson::new(&device, &company)))
}

/// Remove a device (its punches stay)
#[utoipa::path(delete, path = "/devices/{id}", operation_id = "deleteDevice", params(("id" = i64, Path)),
    responses((status = 204, description = "Deleted."), Auth, Blocked, Missing))]
pub async fn delete(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    let devices = state.services.devices();
    devices.delete(&user.caller, DeviceId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Test the connection now (handshake and identity only)
#[utoipa::path(post, path = "/devices/{id}/test", operation_id = "testDevice", params(("id" = i64, Path)),
    responses((status = 200, description = "The log entry of the attempt; outcome tells whether it worked.", body = DeviceLogJson),
        Auth, Blocked, Missing, r::Conflict, r::Throttled))]
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

/// Read users and punches now
#[utoipa::path(post, path = "/devices/{id}/sync", operation_id = "syncDevice", params(("id" = i64, Path)),
    responses((status = 200, description = "The log entry of the attempt; outcome tells whether it worked.", body = DeviceLogJson),
        Auth, Blocked, Missing, r::Conflict, r::Throttled))]
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogsQuery {
    /// How many entries, newest first (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

/// Contact attempts, newest first
#[utoipa::path(get, path = "/devices/{id}/logs", operation_id = "listDeviceLogs",
    params(FormatQuery, ("id" = i64, Path), LogsQuery),
    responses((status = 200, description = "Recent entries.", content((List<DeviceLogJson> = "application/json"), (String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        r::Query, Auth, Blocked, Missing))]
pub async fn logs(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<LogsQuery>,
    Query(fmt): Query<FormatQuery>,
) -> ApiResult<Response> {
    let format = fmt.format()?;
    let s = &state.services;
    let limit = limit(q.limit, 50, MAX_ROWS)?;
    let logs = s
        .device_logs()
        .recent(&user.caller, DeviceId(id), limit)
        .await?;
    let tz = company_zone(&s.company().get(&user.caller).await?);
    let items = logs.iter().map(|l| DeviceLogJson::new(l, &tz));
    files::listed(
        &state,
        &user.caller,
        format,
        List::recent(items.collect()),
        "device_log",
        None,
    )
    .await
}
