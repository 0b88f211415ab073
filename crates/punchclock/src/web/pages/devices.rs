//! Company › Manage Devices: the list with live status labels, add/edit/
//! delete forms, "Test connection" and "Sync now".

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use maud::{html, Markup};
use serde::{Deserialize, Serialize};

use super::layout::{self, form_summary, head, sentence, status_label, Input, Nav};
use super::{fmt, path_id, see_other, Ctx, PageError, PageResult};
use crate::domain::{
    CommKeyUpdate, Device, DeviceId, DeviceLog, DeviceStatus, LogKind, Outcome, PunchFilter,
    Transport,
};
use crate::web::auth::{PageRejection, PageUser};
use crate::web::validate::{self, DeviceForm, FieldErrors, DEFAULT_PORT};
use crate::web::AppState;

// ---- status words shared with the log page ----

/// The label shown for a device status.
pub fn status_text(status: DeviceStatus) -> &'static str {
    match status {
        DeviceStatus::Online => "Online",
        DeviceStatus::Offline => "Offline",
        DeviceStatus::Pending => "Never connected",
    }
}

/// The hover text of a status label: why it is offline, or when last seen.
pub fn status_detail(d: &Device, ctx_now: jiff::Timestamp) -> String {
    match d.status {
        DeviceStatus::Offline => d
            .last_error
            .as_deref()
            .map(sentence)
            .unwrap_or_else(|| "The last attempt failed.".into()),
        DeviceStatus::Online => format!("Last seen {}", fmt::last_seen(ctx_now, d.last_seen_at)),
        DeviceStatus::Pending => "We have not reached this device yet.".into(),
    }
}

pub fn transport_text(t: Transport) -> &'static str {
    match t {
        Transport::Auto => "Auto",
        Transport::Tcp => "TCP",
        Transport::Udp => "UDP",
    }
}

/// The live label for a device, linking to its log.
pub fn device_status_label(d: &Device, now: jiff::Timestamp) -> Markup {
    let href = format!("/devices/{}", d.id);
    status_label(
        d.id.0,
        d.status.as_str(),
        status_text(d.status),
        &status_detail(d, now),
        Some(&href),
    )
}

/// A "Test connection" or "Sync now" button; `back` is where to return.
pub fn action_button(ctx: &Ctx, d: &Device, action: &str, back: &str) -> Markup {
    let (text, busy, testid, class) = match action {
        "test" => (
            "Test connection",
            "Testing…",
            "test-connection",
            "btn-quiet",
        ),
        _ => ("Sync now", "Syncing…", "sync-now", "btn-quiet"),
    };
    html! {
        form method="post" action=(format!("/devices/{}/{action}", d.id)) data-busy=(busy) {
            (ctx.csrf())
            input type="hidden" name="back" value=(back);
            button class=(class) type="submit" data-testid=(testid) { (text) }
        }
    }
}

// ---- flash messages after an action ----

#[derive(Deserialize, Default)]
pub struct FlashQuery {
    /// `test` or `sync`.
    #[serde(default)]
    did: Option<String>,
    #[serde(default)]
    device: Option<String>,
    #[serde(default)]
    log: Option<String>,
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    added: Option<String>,
    #[serde(default)]
    deleted: Option<String>,
}

/// What a test or sync found, in plain words, from its device-log entry.
pub fn outcome_flash(device: &Device, log: &DeviceLog) -> Markup {
    let ok = log.outcome == Outcome::Ok;
    let title = match (log.kind, ok) {
        (LogKind::Test, true) => format!("Connection test: {} answered.", device.name),
        (LogKind::Test, false) => format!("Connection test: could not reach {}.", device.name),
        (LogKind::Sync, true) => format!("Synced {}.", device.name),
        (LogKind::Sync, false) => format!("Sync of {} failed.", device.name),
    };
    let class = if ok {
        "flash flash-ok"
    } else {
        "flash flash-bad"
    };
    html! {
        div class=(class) role="status" data-testid="action-result" data-outcome=(log.outcome.as_str()) {
            strong { (title) }
            @if ok {
                @match log.kind {
                    LogKind::Test => {
                        p {
                            "Connected to " (log.address.as_deref().unwrap_or(&log.host))
                            @if let Some(t) = log.transport_used { " over " (transport_text(t)) }
                            " in " (fmt::duration_ms(log.duration_ms)) "."
                            @if let Some(s) = &device.info.serial_number { " Serial number " (s) "." }
                        }
                    }
                    LogKind::Sync => {
                        p {
                            "Read " (fmt::plural(log.users_read.into(), "user", "users"))
                            " and " (fmt::plural(log.punches_read.into(), "punch", "punches"))
                            " in " (fmt::duration_ms(log.duration_ms)) ": "
                            (fmt::plural(log.punches_new.into(), "new punch", "new punches"))
                            @if log.employees_new > 0 {
                                ", " (fmt::plural(log.employees_new.into(), "new employee", "new employees"))
                            }
                            "."
                        }
                    }
                }
                @if let Some(r) = &log.reason { p { (sentence(r)) } }
            } @else {
                p data-testid="action-reason" {
                    (sentence(log.reason.as_deref().unwrap_or("the device did not answer")))
                }
                p.small { a href=(format!("/devices/{}", device.id)) { "See the device log" } }
            }
        }
    }
}

/// The message for `?added=`, `?saved=`, `?deleted=` or `?did=…&device=…&log=…`.
pub async fn flash(state: &AppState, ctx: &Ctx, q: &FlashQuery) -> Option<Markup> {
    if q.deleted.is_some() {
        return Some(html! {
            div.flash.flash-ok role="status" data-testid="action-result" {
                strong { "Device deleted." }
                "Its punches and employees are kept."
            }
        });
    }
    for (value, verb) in [(&q.added, "Added"), (&q.saved, "Saved")] {
        if let Some(id) = value.as_deref().and_then(|v| v.parse().ok()) {
            let d = state
                .store
                .get_device(ctx.company.id, DeviceId(id))
                .await
                .ok()?;
            return Some(html! {
                div.flash.flash-ok role="status" data-testid="action-result" {
                    strong { (verb) " " (d.name) "." }
                    @if verb == "Added" {
                        "Use Test connection to check that we can reach it."
                    }
                }
            });
        }
    }
    q.did.as_ref()?;
    let device_id = DeviceId(q.device.as_deref()?.parse().ok()?);
    let log_id: i64 = q.log.as_deref()?.parse().ok()?;
    let device = state
        .store
        .get_device(ctx.company.id, device_id)
        .await
        .ok()?;
    let logs = state
        .store
        .list_device_logs(ctx.company.id, device_id, 20)
        .await
        .ok()?;
    let log = logs.iter().find(|l| l.id.0 == log_id)?;
    Some(outcome_flash(&device, log))
}

// ---- the list ----

fn public_address_box(state: &AppState) -> Markup {
    let addr = state.config.public_address.trim();
    html! {
        div.grid-2.mt-lg {
            div.card data-testid="public-address" {
                h3 { "Where we connect from" }
                @if addr.is_empty() {
                    p {
                        "Our poller connects to your devices over the internet. If your router only "
                        "lets in known addresses, ask us for the address to allow."
                    }
                } @else {
                    p {
                        "Our poller connects from " strong.mono { (addr) }
                        "; if your router filters by source address, allow it."
                    }
                }
            }
            div.help {
                h3 { "Reaching a device behind a router" }
                ol {
                    li { "Give the time clock a fixed address on your network (e.g. 192.168.1.201)." }
                    li { "On the router, forward a port (usually " span.mono { (DEFAULT_PORT) } ", TCP and UDP) to that address, port " span.mono { (DEFAULT_PORT) } "." }
                    li { "Enter the router's public IP address or DNS name here, with the forwarded port." }
                    li { "Press " strong { "Test connection" } "." }
                }
            }
        }
    }
}

/// `GET /devices`
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FlashQuery>,
) -> PageResult<Markup> {
    let devices = state.store.list_devices(ctx.company.id).await?;
    let mut counts = Vec::with_capacity(devices.len());
    for d in &devices {
        counts.push(punch_count(&state, &ctx, d.id).await?);
    }
    let flash = flash(&state, &ctx, &q).await;
    let body = html! {
        (head(&[("/company", "Company"), ("", "Manage Devices")], "Manage Devices",
            Some(html! { a.btn href="/devices/new" data-testid="add-device" { "Add device" } })))
        @if let Some(f) = flash { (f) }
        @if devices.is_empty() {
            div.card.empty data-testid="no-devices" {
                h2.mt-0 { "No devices yet" }
                p { "Add your first time clock: its public address, port and comm key." }
                p { a.btn href="/devices/new" { "Add device" } }
            }
        } @else {
            div.table-wrap data-live-status="/devices/status.json" data-live-every="3000" {
                table.cards data-testid="devices" {
                    thead { tr {
                        th { "Device" } th { "Address" } th { "Status" } th { "Last seen" }
                        th { "Serial number" } th.num { "Punches" } th { span.sr-only { "Actions" } }
                    } }
                    tbody {
                        @for (d, count) in devices.iter().zip(&counts) {
                            tr data-testid="device-row" data-device-id=(d.id) {
                                td.card-title data-label="Device" {
                                    a href=(format!("/devices/{}", d.id)) data-testid="device-name" { (d.name) }
                                    " " span.tag { (transport_text(d.transport)) }
                                    @if !d.enabled { " " span.tag data-testid="device-disabled" { "Disabled" } }
                                }
                                td data-label="Address" { span.mono { (d.host) ":" (d.port) } }
                                td data-label="Status" { (device_status_label(d, ctx.now)) }
                                td.nowrap data-label="Last seen" {
                                    span data-field="last-seen" data-device-id=(d.id)
                                        title=[d.last_seen_at.map(|t| fmt::second(t, &ctx.tz))] {
                                        (fmt::last_seen(ctx.now, d.last_seen_at))
                                    }
                                }
                                td data-label="Serial number" {
                                    span.mono data-field="serial" data-device-id=(d.id) {
                                        (d.info.serial_number.as_deref().unwrap_or("—"))
                                    }
                                }
                                td.num data-label="Punches" {
                                    span data-field="punches" data-device-id=(d.id) { (fmt::thousands(*count)) }
                                }
                                td.card-actions {
                                    div.actions {
                                        (action_button(&ctx, d, "test", "list"))
                                        (action_button(&ctx, d, "sync", "list"))
                                        a.btn.btn-quiet href=(format!("/devices/{}/edit", d.id)) data-testid="edit-device" { "Edit" }
                                        a.btn.btn-quiet href=(format!("/devices/{}/delete", d.id)) data-testid="delete-device" { "Delete" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p.small.muted { "Status updates by itself. Devices are polled every "
                (ctx.company.poll_interval_minutes) " minutes unless set otherwise." }
        }
        (public_address_box(&state))
    };
    Ok(ctx.page("Manage Devices", Nav::Devices, body))
}

async fn punch_count(state: &AppState, ctx: &Ctx, id: DeviceId) -> PageResult<u64> {
    let filter = PunchFilter {
        device_id: Some(id),
        ..PunchFilter::default()
    };
    Ok(state.store.count_punches(ctx.company.id, &filter).await?)
}

// ---- live status ----

#[derive(Serialize)]
pub struct StatusJson {
    devices: Vec<DeviceStatusJson>,
}

#[derive(Serialize)]
pub struct DeviceStatusJson {
    id: i64,
    status: &'static str,
    label: &'static str,
    detail: String,
    last_seen: String,
    serial: String,
    punches: String,
    last_error: Option<String>,
}

/// `GET /devices/status.json`: the labels for the live update. Cookie
/// authenticated; 401 (not a redirect) when the session is gone so the
/// script can send the browser to the login page.
pub async fn status_json(
    State(state): State<AppState>,
    user: Result<PageUser, PageRejection>,
) -> Response {
    let user = match user {
        Ok(u) => u,
        Err(PageRejection::Login) => {
            return (
                StatusCode::UNAUTHORIZED,
                Json(serde_json::json!({"error": "unauthenticated"})),
            )
                .into_response()
        }
        Err(e) => return e.into_response(),
    };
    let now = state.clock.now();
    let devices = match state.store.list_devices(user.company_id).await {
        Ok(d) => d,
        Err(e) => return PageError::from(e).into_response(),
    };
    let mut out = Vec::with_capacity(devices.len());
    for d in &devices {
        let filter = PunchFilter {
            device_id: Some(d.id),
            ..PunchFilter::default()
        };
        let punches = state
            .store
            .count_punches(user.company_id, &filter)
            .await
            .unwrap_or_default();
        out.push(DeviceStatusJson {
            id: d.id.0,
            status: d.status.as_str(),
            label: status_text(d.status),
            detail: status_detail(d, now),
            last_seen: fmt::last_seen(now, d.last_seen_at),
            serial: d.info.serial_number.clone().unwrap_or_else(|| "—".into()),
            punches: fmt::thousands(punches),
            last_error: d.last_error.as_deref().map(sentence),
        });
    }
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(StatusJson { devices: out }),
    )
        .into_response()
}

// ---- add / edit ----

#[derive(Deserialize, Default)]
pub struct DeviceFields {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    host: String,
    #[serde(default)]
    port: String,
    #[serde(default)]
    comm_key: String,
    #[serde(default)]
    clear_comm_key: Option<String>,
    #[serde(default)]
    transport: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    poll_interval_minutes: String,
    #[serde(default)]
    enabled: Option<String>,
}

impl DeviceFields {
    fn from_device(d: &Device) -> Self {
        DeviceFields {
            csrf: String::new(),
            name: d.name.clone(),
            host: d.host.clone(),
            port: d.port.to_string(),
            comm_key: String::new(),
            clear_comm_key: None,
            transport: d.transport.as_str().into(),
            timezone: d
                .timezone
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            poll_interval_minutes: d
                .poll_interval_minutes
                .map(|m| m.to_string())
                .unwrap_or_default(),
            enabled: d.enabled.then(|| "on".into()),
        }
    }

    fn as_form(&self) -> DeviceForm {
        DeviceForm {
            name: self.name.clone(),
            host: self.host.clone(),
            port: self.port.clone(),
            comm_key: self.comm_key.clone(),
            transport: self.transport.clone(),
            timezone: self.timezone.clone(),
            poll_interval_minutes: self.poll_interval_minutes.clone(),
            enabled: self.enabled.is_some(),
        }
    }
}

/// The add/edit form. `existing` is the device being edited.
fn device_form(
    ctx: &Ctx,
    f: &DeviceFields,
    errors: &FieldErrors,
    existing: Option<&Device>,
) -> Markup {
    let action = match existing {
        Some(d) => format!("/devices/{}/edit", d.id),
        None => "/devices/new".into(),
    };
    let company_zone = format!("Company time zone ({})", ctx.company.timezone);
    let company_poll = format!(
        "Leave empty to use the company setting (every {} minutes).",
        ctx.company.poll_interval_minutes
    );
    let key_hint = match existing {
        Some(d) if d.has_comm_key => {
            "A comm key is saved. Leave empty to keep it; type a new one to replace it."
        }
        _ => "The device's communication password (Comm. › Connection), digits only. Leave empty if none is set.",
    };
    let transport = if f.transport.is_empty() {
        "auto"
    } else {
        f.transport.as_str()
    };
    let key_error = errors.get("comm_key");
    html! {
        div.card {
            (form_summary(errors))
            form.stack method="post" action=(action) novalidate data-testid="device-form" {
                (ctx.csrf())
                (Input::text("name", "Name", &f.name).placeholder("Front door").required().render(errors))
                div.row-2 {
                    (Input::text("host", "Public IP address or DNS name", &f.host)
                        .placeholder("203.0.113.7 or clock.example.com").required()
                        .hint("The router's address on the internet, without http://.")
                        .render(errors))
                    (Input::text("port", "Port", &f.port).placeholder("4370").numeric()
                        .hint("Usually 4370.").render(errors))
                }
                div.field.has-error[key_error.is_some()] {
                    label for="f-comm_key" { "Comm key" }
                    // Write-only: the saved key is never sent back to the browser.
                    input id="f-comm_key" type="password" name="comm_key" value=""
                        autocomplete="new-password" inputmode="numeric"
                        aria-invalid=[key_error.map(|_| "true")];
                    span.hint { (key_hint) }
                    (layout::field_error("f-comm_key-error", "comm_key", key_error))
                    @if existing.is_some_and(|d| d.has_comm_key) {
                        label.check {
                            input type="checkbox" name="clear_comm_key" value="on"
                                checked[f.clear_comm_key.is_some()] data-testid="clear-comm-key";
                            "Clear the comm key (the device has none any more)"
                        }
                    }
                }
                div.row-2.even {
                    div.field.has-error[errors.get("transport").is_some()] {
                        label for="f-transport" { "Transport" }
                        select id="f-transport" name="transport" {
                            @for (value, text) in [("auto", "Auto (TCP, then UDP)"), ("tcp", "TCP"), ("udp", "UDP")] {
                                option value=(value) selected[transport == value] { (text) }
                            }
                        }
                        (layout::field_error("f-transport-error", "transport", errors.get("transport")))
                    }
                    (Input::text("poll_interval_minutes", "Poll every (minutes)", &f.poll_interval_minutes)
                        .numeric().placeholder(&ctx.company.poll_interval_minutes.to_string())
                        .hint(&company_poll).render(errors))
                }
                (layout::timezone_select("timezone", "Time zone", &f.timezone, Some(&company_zone),
                    Some("The zone the device clock is set to, if not the company's."), false, errors))
                label.check {
                    input type="checkbox" name="enabled" value="on" checked[f.enabled.is_some()] data-testid="enabled";
                    span { "Enabled — poll this device on schedule" }
                }
                div.form-actions {
                    button type="submit" data-testid="save-device" {
                        @if existing.is_some() { "Save changes" } @else { "Add device" }
                    }
                    a.btn.btn-quiet href="/devices" { "Cancel" }
                    @if let Some(d) = existing {
                        a.btn.btn-quiet.ml-auto href=(format!("/devices/{}/delete", d.id)) { "Delete…" }
                    }
                }
            }
        }
    }
}

fn form_page(
    ctx: &Ctx,
    f: &DeviceFields,
    errors: &FieldErrors,
    existing: Option<&Device>,
) -> Markup {
    let title = match existing {
        Some(d) => format!("Edit {}", d.name),
        None => "Add a device".into(),
    };
    let body = html! {
        (head(&[("/company", "Company"), ("/devices", "Manage Devices")], &title, None))
        div.w-form { (device_form(ctx, f, errors, existing)) }
    };
    ctx.page(&title, Nav::Devices, body)
}

/// Validate, including where a new or changed host points.
async fn check(
    state: &AppState,
    f: &DeviceFields,
    host_changed: bool,
) -> Result<validate::DeviceFields, FieldErrors> {
    let allow = state.config.allow_private_device_addresses;
    let fields = validate::device(&f.as_form(), allow)?;
    if host_changed {
        if let Err(m) = validate::vet_host(&fields.host, fields.port, allow).await {
            let mut e = FieldErrors::default();
            e.add("host", m);
            return Err(e);
        }
    }
    Ok(fields)
}

fn invalid(page: Markup) -> PageResult {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `GET /devices/new`
pub async fn new_form(ctx: Ctx) -> Markup {
    let f = DeviceFields {
        port: DEFAULT_PORT.to_string(),
        transport: "auto".into(),
        enabled: Some("on".into()),
        ..DeviceFields::default()
    };
    form_page(&ctx, &f, &FieldErrors::default(), None)
}

/// `POST /devices/new`
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<DeviceFields>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    ctx.require_good_standing()?;
    let fields = match check(&state, &f, true).await {
        Ok(v) => v,
        Err(errors) => return invalid(form_page(&ctx, &f, &errors, None)),
    };
    let device = state
        .store
        .create_device(ctx.company.id, &fields.into_new_device())
        .await;
    match device {
        Ok(d) => Ok(see_other(&format!("/devices?added={}", d.id))),
        Err(crate::store::StoreError::Invalid(rule)) => {
            let mut errors = FieldErrors::default();
            errors.add(rule.field(), sentence(&rule.to_string()));
            invalid(form_page(&ctx, &f, &errors, None))
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /devices/{id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult<Markup> {
    let d = state
        .store
        .get_device(ctx.company.id, DeviceId(path_id(&id)?))
        .await?;
    Ok(form_page(
        &ctx,
        &DeviceFields::from_device(&d),
        &FieldErrors::default(),
        Some(&d),
    ))
}

/// `POST /devices/{id}/edit`
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DeviceFields>,
) -> PageResult {
    let id = DeviceId(path_id(&id)?);
    let current = state.store.get_device(ctx.company.id, id).await?;
    ctx.check_csrf(&f.csrf)?;
    ctx.require_good_standing()?;
    let host_changed = f.host.trim() != current.host || f.port.trim() != current.port.to_string();
    let mut result = check(&state, &f, host_changed).await;
    let clear = f.clear_comm_key.is_some();
    if clear && !f.comm_key.trim().is_empty() {
        let mut e = result.err().unwrap_or_default();
        e.add(
            "comm_key",
            "Either type a new comm key or tick \"Clear the comm key\", not both.",
        );
        result = Err(e);
    }
    let fields = match result {
        Ok(v) => v,
        Err(errors) => return invalid(form_page(&ctx, &f, &errors, Some(&current))),
    };
    let blank = if clear {
        CommKeyUpdate::Clear
    } else {
        CommKeyUpdate::Keep
    };
    state
        .store
        .update_device(ctx.company.id, id, &fields.into_update(blank))
        .await?;
    Ok(see_other(&format!("/devices?saved={id}")))
}

// ---- delete ----

/// `GET /devices/{id}/delete`: asks first, and says what stays.
pub async fn delete_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult<Markup> {
    let d = state
        .store
        .get_device(ctx.company.id, DeviceId(path_id(&id)?))
        .await?;
    let punches = punch_count(&state, &ctx, d.id).await?;
    let title = format!("Delete {}?", d.name);
    let body = html! {
        (head(&[("/company", "Company"), ("/devices", "Manage Devices")], &title, None))
        div.card.w-narrow {
            p { "We will stop polling " strong { (d.name) } " (" span.mono { (d.host) ":" (d.port) } ") and delete its device log." }
            p { strong { "Its " (fmt::plural(punches, "punch", "punches")) " and the employees it brought in are kept." }
                " If you add the device again later, punches already read are not duplicated." }
            form method="post" action=(format!("/devices/{}/delete", d.id)) data-testid="delete-form" {
                (ctx.csrf())
                div.form-actions {
                    button.btn-danger type="submit" data-testid="confirm-delete" { "Delete device" }
                    a.btn.btn-quiet href="/devices" { "Keep it" }
                }
            }
        }
    };
    Ok(ctx.page(&title, Nav::Devices, body))
}

#[derive(Deserialize)]
pub struct ActionFields {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    back: String,
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
    state.store.delete_device(ctx.company.id, id).await?;
    Ok(see_other("/devices?deleted=1"))
}

// ---- test connection / sync now ----

fn back_to(back: &str, id: DeviceId, action: &str, log: &DeviceLog) -> String {
    let base = if back == "detail" {
        format!("/devices/{id}")
    } else {
        "/devices".into()
    };
    format!("{base}?did={action}&device={id}&log={}", log.id)
}

/// `POST /devices/{id}/test`: handshake only; the result shows as a message.
pub async fn test_connection(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ActionFields>,
) -> PageResult {
    let id = DeviceId(path_id(&id)?);
    ctx.check_csrf(&f.csrf)?;
    ctx.require_good_standing()?;
    let log = state.syncer.test_connection(ctx.company.id, id).await?;
    Ok(see_other(&back_to(&f.back, id, "test", &log)))
}

/// `POST /devices/{id}/sync`: a full read now.
pub async fn sync_now(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ActionFields>,
) -> PageResult {
    let id = DeviceId(path_id(&id)?);
    ctx.check_csrf(&f.csrf)?;
    ctx.require_good_standing()?;
    let outcome = state.syncer.sync_now(ctx.company.id, id).await?;
    Ok(see_other(&back_to(&f.back, id, "sync", &outcome.log)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn statuses_have_plain_labels() {
        use crate::domain::DeviceStatus;
        assert_eq!(super::status_text(DeviceStatus::Pending), "Never connected");
        assert_eq!(super::status_text(DeviceStatus::Online), "Online");
        assert_eq!(super::status_text(DeviceStatus::Offline), "Offline");
    }
}
