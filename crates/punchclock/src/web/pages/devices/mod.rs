//! Company › Manage Devices: the list with live status labels, add/edit/
//! delete forms, "Test connection" and "Sync now".

pub mod actions;
mod confirm;
pub mod flash;
pub mod form;
mod overview;
pub mod status;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use maud::Markup;

use self::actions::{back_to, Action, ActionFields};
use self::flash::FlashQuery;
use self::form::DeviceForm;
use self::status::StatusJson;
use super::ctx::Ctx;
use super::error::{invalid, path_id, see_other, PageError, PageResult};
use super::layout::WHOLE_FORM;
use super::pager::page_number;
use super::session::{PageRejection, PageUser};
use crate::domain::{DeviceId, DeviceMode};
use crate::service::devices::push::CloudServerSetting;
use crate::service::{FieldErrors, ServiceError, ServiceResult};
use crate::web::AppState;

/// Devices on one page of Manage Devices: a company may have thousands.
pub const PAGE_SIZE: u64 = 100;

/// `?page=` of the list (and of its status JSON); `?id=` asks the status
/// JSON for one device (the device page).
#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    id: Option<String>,
}

/// `GET /devices`
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FlashQuery>,
    Query(l): Query<ListQuery>,
) -> PageResult<Markup> {
    let page = page_number(l.page.as_deref());
    let (devices, total) = state
        .services
        .devices()
        .summaries_page(ctx.caller(), page, PAGE_SIZE)
        .await?;
    let flash = flash::load(&state, &ctx, &q).await;
    let public = &state.config.public_address;
    let shown = overview::Shown {
        page,
        total,
        size: PAGE_SIZE,
    };
    Ok(overview::list_page(
        &ctx,
        &devices,
        shown,
        flash.as_ref(),
        public,
    ))
}

/// `GET /devices/status.json[?page=N|?id=N]`: the labels for the live
/// update of that page of the list (the first by default) or of one
/// device. Cookie authenticated; 401 (not a redirect) when the session is
/// gone so the script can send the browser to the login page.
pub async fn status_json(
    State(state): State<AppState>,
    user: Result<PageUser, PageRejection>,
    Query(l): Query<ListQuery>,
) -> Response {
    let user = match user {
        Ok(u) => u,
        Err(PageRejection::Login(_)) => {
            let body = Json(serde_json::json!({"error": "unauthenticated"}));
            return (StatusCode::UNAUTHORIZED, body).into_response();
        }
        Err(e) => return e.into_response(),
    };
    let s = &state.services;
    let devices = match l.id.as_deref() {
        Some(raw) => match raw.parse() {
            Ok(id) => s
                .devices()
                .summary(&user.caller, DeviceId(id))
                .await
                .map(|one| vec![one]),
            Err(_) => return (StatusCode::BAD_REQUEST, "bad id").into_response(),
        },
        None => {
            let page = page_number(l.page.as_deref());
            s.devices()
                .summaries_page(&user.caller, page, PAGE_SIZE)
                .await
                .map(|(devices, _)| devices)
        }
    };
    match devices {
        Ok(devices) => {
            let body = Json(StatusJson::new(&devices, s.now()));
            ([(header::CACHE_CONTROL, "no-store")], body).into_response()
        }
        Err(e) => PageError::from(e).into_response(),
    }
}

/// `?mode=push` on the add form.
#[derive(serde::Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    mode: String,
}

/// What a push device's Cloud Server Setting needs: the configured server
/// address, else the host this page was reached by.
pub fn cloud_setting(state: &AppState, headers: &HeaderMap) -> CloudServerSetting {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    state.services.devices().cloud_server_setting(host)
}

/// `GET /devices/new`
pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<NewQuery>,
) -> Markup {
    let f = match q.mode == DeviceMode::Push.as_str() {
        true => DeviceForm::blank_push(),
        false => DeviceForm::blank(),
    };
    let cloud = cloud_setting(&state, &headers);
    form::form_page(&ctx, &f, &FieldErrors::default(), None, &cloud)
}

/// `POST /devices/new`: a push device opens its page, which shows what to
/// enter on the device and turns from Waiting to Connected by itself.
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(f): Form<DeviceForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    ctx.require_good_standing()?;
    let devices = state.services.devices();
    let created: ServiceResult<_> = async {
        let settings = devices.parse_new(&f.input())?;
        devices.create(ctx.caller(), settings).await
    }
    .await;
    match created {
        Ok(d) if d.mode == DeviceMode::Push => Ok(see_other(&format!("/devices/{}", d.id))),
        Ok(d) => Ok(see_other(&added(&state, &ctx, d.id).await)),
        Err(e) => form_failed(&ctx, &f, None, e, &cloud_setting(&state, &headers)),
    }
}

/// Where a new device lands: the list, with its first contact (a
/// connection test, in the same words) when one could be made. The
/// device stays saved whatever the test finds.
async fn added(state: &AppState, ctx: &Ctx, id: DeviceId) -> String {
    let devices = state.services.devices();
    match devices.test_connection(ctx.caller(), id).await {
        Ok(log) => format!("/devices?added={id}&log={}", log.id),
        Err(e) => {
            tracing::warn!(device = %id, "first contact after adding failed to run: {e}");
            format!("/devices?added={id}")
        }
    }
}

/// The form again with what to fix, or the error page.
fn form_failed(
    ctx: &Ctx,
    f: &DeviceForm,
    existing: Option<&crate::domain::Device>,
    e: ServiceError,
    cloud: &CloudServerSetting,
) -> PageResult {
    let errors = match e {
        ServiceError::Invalid(errors) => errors,
        // The plan's device cap: nothing in the form to fix.
        ServiceError::Conflict(c) if c.field.is_none() => FieldErrors::one(WHOLE_FORM, c.message),
        e => return Err(e.into()),
    };
    invalid(form::form_page(ctx, f, &errors, existing, cloud))
}

/// `GET /devices/{id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult<Markup> {
    let id = DeviceId(path_id(&id)?);
    let d = state.services.devices().get(ctx.caller(), id).await?;
    let errors = FieldErrors::default();
    let cloud = cloud_setting(&state, &headers);
    Ok(form::form_page(
        &ctx,
        &DeviceForm::of(&d),
        &errors,
        Some(&d),
        &cloud,
    ))
}

/// `POST /devices/{id}/edit`
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<DeviceForm>,
) -> PageResult {
    let id = DeviceId(path_id(&id)?);
    let devices = state.services.devices();
    let current = devices.get(ctx.caller(), id).await?;
    ctx.check_csrf(&f.csrf)?;
    ctx.require_good_standing()?;
    let saved: ServiceResult<_> = async {
        let changes = devices.parse_changes(&f.input())?;
        devices.update(ctx.caller(), id, changes).await
    }
    .await;
    match saved {
        Ok(_) => Ok(see_other(&format!("/devices?saved={id}"))),
        Err(e) => form_failed(
            &ctx,
            &f,
            Some(&current),
            e,
            &cloud_setting(&state, &headers),
        ),
    }
}

/// `GET /devices/{id}/delete`: asks first, and says what stays.
pub async fn delete_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult<Markup> {
    let id = DeviceId(path_id(&id)?);
    let devices = state.services.devices();
    let d = devices.get(ctx.caller(), id).await?;
    let punches = devices.punch_count(ctx.caller(), id).await?;
    Ok(confirm::confirm_page(&ctx, &d, punches))
}

/// `POST /devices/{id}/delete`
pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ActionFields>,
) -> PageResult {
    let id = DeviceId(path_id(&id)?);
    ctx.check_csrf(&f.csrf)?;
    ctx.require_good_standing()?;
    state.services.devices().delete(ctx.caller(), id).await?;
    Ok(see_other("/devices?deleted=1"))
}

/// `POST /devices/{id}/test`: handshake only; the result shows as a message.
pub async fn test_connection(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ActionFields>,
) -> PageResult {
    act(&state, &ctx, &id, &f, Action::Test).await
}

/// `POST /devices/{id}/sync`: a full read now.
pub async fn sync_now(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ActionFields>,
) -> PageResult {
    act(&state, &ctx, &id, &f, Action::Sync).await
}

/// Run a test or sync, then show its outcome where the button was.
async fn act(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    f: &ActionFields,
    action: Action,
) -> PageResult {
    let id = DeviceId(path_id(id)?);
    ctx.check_csrf(&f.csrf)?;
    ctx.require_good_standing()?;
    let devices = state.services.devices();
    let log = match action {
        Action::Test => devices.test_connection(ctx.caller(), id).await?,
        Action::Sync => devices.sync_now(ctx.caller(), id).await?,
    };
    Ok(see_other(&back_to(&f.back, id, action, &log)))
}
