//! Device care: set a device's clock, rotate its log, and what was done.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::body::Fields;
use super::caller::ApiUser;
use super::error::{ApiResult, Json, Path};
use super::responses::{self as r, Auth, Blocked, Conflict, Missing};
use super::schema::{self, S};
use super::views::{company_zone, instant};
use crate::domain::{DeviceEvent, DeviceId};
use crate::web::AppState;

/// What a care action did (also listed with the device's log).
#[derive(Serialize, ToSchema)]
#[schema(as = DeviceEvent)]
pub struct DeviceEventJson {
    /// `clock_set`, `log_rotated`, `name_pushed`, `live_connected`, `live_refused`, `live_lost`.
    pub kind: String,
    /// `ok` or `failed`.
    pub outcome: String,
    /// In plain words: what was done, or why nothing was.
    pub message: String,
    #[schema(format = DateTime)]
    pub at: String,
}

impl DeviceEventJson {
    pub fn new(e: &DeviceEvent, tz: &jiff::tz::TimeZone) -> Self {
        DeviceEventJson {
            kind: e.kind.as_str().into(),
            outcome: e.outcome.as_str().into(),
            message: e.message.clone(),
            at: instant(e.at, tz),
        }
    }
}

/// The owner's confirmation.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RotateLog)]
#[allow(dead_code)] // read field by field through `Fields`
pub struct RotateBody {
    #[schema(schema_with = confirm)]
    confirm: Option<bool>,
}

fn confirm() -> S {
    schema::boolean(
        "Must be true: the device's log is cleared once every punch on it is verified as stored.",
    )
}

/// Set the device clock
///
/// To the time in the device's zone (its own, else the company's). Always
/// written to the audit log. `outcome` says whether it worked.
#[utoipa::path(post, path = "/devices/{id}/set-clock", operation_id = "setDeviceClock",
    params(("id" = i64, Path)),
    responses((status = 200, description = "What happened.", body = DeviceEventJson), Auth, Blocked, Missing, Conflict, r::Throttled))]
pub async fn set_clock(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<DeviceEventJson>> {
    let s = &state.services;
    let e = s
        .device_care()
        .set_clock(&user.caller, DeviceId(id))
        .await?;
    let tz = company_zone(&s.company().get(&user.caller).await?);
    Ok(Json(DeviceEventJson::new(&e, &tz)))
}

/// Rotate the device log
///
/// Syncs, reads the whole log, checks every punch against what is stored
/// (count and content), then clears the log only if the device still holds
/// exactly what was verified; otherwise nothing is cleared and `message`
/// says why. Recorded with the device and in the audit log.
#[utoipa::path(post, path = "/devices/{id}/rotate-log", operation_id = "rotateDeviceLog",
    params(("id" = i64, Path)), request_body = RotateBody,
    responses((status = 200, description = "What happened.", body = DeviceEventJson), r::Body, Auth, Blocked, Missing, Conflict, r::Throttled))]
pub async fn rotate_log(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<Json<DeviceEventJson>> {
    let mut f = Fields::of::<RotateBody>(body);
    let confirm = f.bool("confirm").unwrap_or(false);
    if !f.errors.is_empty() {
        return Err(f.errors.into());
    }
    let s = &state.services;
    let e = s
        .device_care()
        .rotate_log(&user.caller, DeviceId(id), confirm)
        .await?;
    let tz = company_zone(&s.company().get(&user.caller).await?);
    Ok(Json(DeviceEventJson::new(&e, &tz)))
}
