//! The add/edit device form: the fields as posted, and the form itself.

use maud::{html, Markup};
use serde::Deserialize;

use crate::domain::{Device, DeviceMode, NameSetting, Port};
use crate::service::devices::push::CloudServerSetting;
use crate::service::devices::DeviceInput;
use crate::service::FieldErrors;
use crate::web::pages::ctx::Ctx;
use crate::web::pages::layout::{self, form_summary, head, Input, Nav};
use crate::web::pages::zone_field::ZoneField;

/// The device form as posted (all text; checkboxes are present or not).
#[derive(Deserialize, Default)]
pub struct DeviceForm {
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
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
    #[serde(default)]
    mode: String,
    #[serde(default)]
    serial_number: String,
    #[serde(default)]
    lock_source: Option<String>,
    #[serde(default)]
    name_encoding: String,
    realtime: Option<String>,
}

impl DeviceForm {
    /// A new device's form: the usual port, automatic transport, enabled.
    pub fn blank() -> Self {
        DeviceForm {
            port: Port::DEFAULT.to_string(),
            transport: "auto".into(),
            enabled: Some("on".into()),
            mode: DeviceMode::Poll.as_str().into(),
            ..DeviceForm::default()
        }
    }

    /// The form of a saved device; the comm key is never shown.
    pub fn of(d: &Device) -> Self {
        DeviceForm {
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
            mode: d.mode.as_str().into(),
            serial_number: d.push.serial.clone().unwrap_or_default(),
            lock_source: d.push.lock_source.then(|| "on".into()),
            name_encoding: d.name_encoding.as_str().into(),
            realtime: d.realtime.then(|| "on".into()),
        }
    }

    /// A new push device's form (`/devices/new?mode=push`).
    pub fn blank_push() -> Self {
        DeviceForm {
            mode: DeviceMode::Push.as_str().into(),
            ..DeviceForm::blank()
        }
    }

    fn is_push(&self) -> bool {
        self.mode == DeviceMode::Push.as_str()
    }

    /// Every field is sent, so every field counts; a blank key keeps the
    /// saved one.
    pub fn input(&self) -> DeviceInput {
        // A push device needs no address; a polled one no serial number.
        let push = self.is_push();
        let given = |v: &String| Some(v.clone()).filter(|v| !(push && v.trim().is_empty()));
        DeviceInput {
            name: Some(self.name.clone()),
            host: given(&self.host),
            port: given(&self.port),
            comm_key: Some(self.comm_key.clone()),
            clear_comm_key: self.clear_comm_key.is_some(),
            transport: Some(self.transport.clone()),
            timezone: Some(self.timezone.clone()),
            poll_interval_minutes: Some(self.poll_interval_minutes.clone()),
            enabled: Some(self.enabled.is_some()),
            mode: Some(self.mode.clone()).filter(|m| !m.is_empty()),
            serial_number: Some(self.serial_number.clone())
                .filter(|v| push || !v.trim().is_empty()),
            lock_source: Some(self.lock_source.is_some()),
            name_encoding: Some(self.name_encoding.clone()).filter(|v| !v.is_empty()),
            realtime: Some(self.realtime.is_some()),
        }
    }
}

/// The add or edit page. `existing` is the device being edited; `cloud` is
/// what a push device's Cloud Server Setting needs.
pub fn form_page(
    ctx: &Ctx,
    f: &DeviceForm,
    errors: &FieldErrors,
    existing: Option<&Device>,
    cloud: &CloudServerSetting,
) -> Markup {
    let title = match existing {
        Some(d) => format!("Edit {}", d.name),
        None => "Add a device".into(),
    };
    let body = html! {
        (head(&[("/company", "Company"), ("/devices", "Manage Devices")], &title, None))
        div.w-form { (device_form(ctx, f, errors, existing, cloud)) }
    };
    ctx.page(&title, Nav::Devices, body)
}

fn device_form(
    ctx: &Ctx,
    f: &DeviceForm,
    errors: &FieldErrors,
    existing: Option<&Device>,
    cloud: &CloudServerSetting,
) -> Markup {
    let action = match existing {
        Some(d) => format!("/devices/{}/edit", d.id),
        None => "/devices/new".into(),
    };
    let company_zone = format!("Company time zone ({})", ctx.company.timezone);
    html! {
        div.card {
            (form_summary(errors))
            // Adding also tries the device once, which can take a few seconds.
            form.stack method="post" action=(action) novalidate data-testid="device-form"
                data-busy=[existing.is_none().then_some("Adding… trying the device")] {
                (ctx.csrf())
                (Input::text("name", "Name", &f.name).placeholder("Front door").required().render(errors))
                (mode_field(f, errors))
                fieldset.stack data-testid="push-fields" {
                    legend { "Push: the device calls us" }
                    (Input::text("serial_number", "Serial number", &f.serial_number)
                        .placeholder("CQZ7224460246")
                        .hint("Printed on the device and shown under System Info › Device Info.")
                        .render(errors))
                    label.check {
                        input type="checkbox" name="lock_source" value="on" checked[f.lock_source.is_some()] data-testid="lock-source";
                        span { "Accept calls only from its first address until I accept a new one" }
                    }
                    (cloud_server_box(cloud))
                }
                fieldset.stack data-testid="poll-fields" {
                legend { "Polled: we call the device" }
                div.row-2 {
                    (Input::text("host", "Public IP address or DNS name", &f.host)
                        .placeholder("203.0.113.7 or clock.example.com").required()
                        .hint("The router's address on the internet, without http://.")
                        .render(errors))
                    (Input::text("port", "Port", &f.port).placeholder("4370").numeric()
                        .hint("Usually 4370.").render(errors))
                }
                (comm_key_field(f, errors, existing))
                div.row-2.even {
                    (transport_field(f, errors))
                    (poll_field(ctx, f, errors))
                }
                (ZoneField { name: "timezone", label: "Time zone", value: &f.timezone, blank: Some(&company_zone),
                    hint: "The zone the device clock is set to, if not the company's.", guess: false }.render(errors))
                label.check {
                    input type="checkbox" name="enabled" value="on" checked[f.enabled.is_some()] data-testid="enabled";
                    span { "Enabled — poll this device on schedule" }
                }
                label.check {
                    input type="checkbox" name="realtime" value="on" checked[f.realtime.is_some()] data-testid="realtime";
                    span { "Real-time — keep a live connection so punches arrive within seconds (polls go on as the safety net)" }
                }
                }
                (name_encoding_field(f, errors))
                (form_actions(existing))
            }
        }
    }
}

fn mode_field(f: &DeviceForm, errors: &FieldErrors) -> Markup {
    let push = f.is_push();
    html! {
        fieldset.field.has-error[errors.get("mode").is_some()] data-testid="mode" {
            legend { "How it connects" }
            label.check {
                input type="radio" name="mode" value="poll" checked[!push];
                span { "Polled — we connect to it (a port forward to its port 4370)" }
            }
            label.check {
                input type="radio" name="mode" value="push" checked[push] data-testid="mode-push";
                span { "Push — it calls us over HTTP (Cloud Server Setting / ADMS); no port forward" }
            }
            (layout::field_error("f-mode-error", "mode", errors.get("mode")))
        }
    }
}

/// What to enter in the device's Cloud Server Setting menu.
pub fn cloud_server_box(cloud: &CloudServerSetting) -> Markup {
    html! {
        div.card.note data-testid="cloud-server-setting" {
            p.mt-0 { "On the device, open " strong { "Comm. › Cloud Server Setting" } " (ADMS) and enter:" }
            dl.facts {
                dt { "Server address" } dd.mono data-testid="cloud-address" { (cloud.server_address) }
                dt { "Server port" } dd.mono data-testid="cloud-port" { (cloud.port) }
                dt { "HTTPS" } dd data-testid="cloud-https" { @if cloud.https { "On" } @else { "Off" } }
                dt { "Proxy server" } dd { "Off" }
            }
        }
    }
}

fn comm_key_field(f: &DeviceForm, errors: &FieldErrors, existing: Option<&Device>) -> Markup {
    let key_hint = match existing {
        Some(d) if d.has_comm_key => {
            "A comm key is saved. Leave empty to keep it; type a new one to replace it."
        }
        _ => "The device's communication password (Comm. › Connection), digits only. Leave empty if none is set.",
    };
    let key_error = errors.get("comm_key");
    html! {
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
    }
}

fn transport_field(f: &DeviceForm, errors: &FieldErrors) -> Markup {
    let transport = if f.transport.is_empty() {
        "auto"
    } else {
        f.transport.as_str()
    };
    html! {
        div.field.has-error[errors.get("transport").is_some()] {
            label for="f-transport" { "Transport" }
            select id="f-transport" name="transport" {
                @for (value, text) in [("auto", "Auto (TCP, then UDP)"), ("tcp", "TCP"), ("udp", "UDP")] {
                    option value=(value) selected[transport == value] { (text) }
                }
            }
            (layout::field_error("f-transport-error", "transport", errors.get("transport")))
        }
    }
}

/// The code page of the names the device stores (older clocks use their
/// menu language's, not UTF-8).
fn name_encoding_field(f: &DeviceForm, errors: &FieldErrors) -> Markup {
    let chosen = f.name_encoding.parse().unwrap_or(NameSetting::Auto);
    html! {
        div.field.has-error[errors.get("name_encoding").is_some()] {
            label for="f-name_encoding" { "Names on the device are in" }
            select id="f-name_encoding" name="name_encoding" data-testid="name-encoding" {
                @for s in NameSetting::ALL {
                    option value=(s.as_str()) selected[*s == chosen] { (s.label()) }
                }
            }
            span.hint { "For older clocks whose names look garbled (\"ÍõÐ¡Ã÷\" for 王小明). Names already read from this device are read again; names you typed stay." }
            (layout::field_error("f-name_encoding-error", "name_encoding", errors.get("name_encoding")))
        }
    }
}

fn poll_field(ctx: &Ctx, f: &DeviceForm, errors: &FieldErrors) -> Markup {
    let company_poll = format!(
        "Leave empty to use the company setting (every {} minutes).",
        ctx.company.poll_interval_minutes
    );
    Input::text(
        "poll_interval_minutes",
        "Poll every (minutes)",
        &f.poll_interval_minutes,
    )
    .numeric()
    .placeholder(&ctx.company.poll_interval_minutes.to_string())
    .hint(&company_poll)
    .render(errors)
}

fn form_actions(existing: Option<&Device>) -> Markup {
    html! {
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
