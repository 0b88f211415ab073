//! The add/edit device form: the fields as posted, and the form itself.

use maud::{html, Markup};
use serde::Deserialize;

use crate::domain::{Device, Port};
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
}

impl DeviceForm {
    /// A new device's form: the usual port, automatic transport, enabled.
    pub fn blank() -> Self {
        DeviceForm {
            port: Port::DEFAULT.to_string(),
            transport: "auto".into(),
            enabled: Some("on".into()),
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
        }
    }

    /// Every field is sent, so every field counts; a blank key keeps the
    /// saved one.
    pub fn input(&self) -> DeviceInput {
        DeviceInput {
            name: Some(self.name.clone()),
            host: Some(self.host.clone()),
            port: Some(self.port.clone()),
            comm_key: Some(self.comm_key.clone()),
            clear_comm_key: self.clear_comm_key.is_some(),
            transport: Some(self.transport.clone()),
            timezone: Some(self.timezone.clone()),
            poll_interval_minutes: Some(self.poll_interval_minutes.clone()),
            enabled: Some(self.enabled.is_some()),
            mode: None,
            serial_number: None,
            lock_source: None,
        }
    }
}

/// The add or edit page. `existing` is the device being edited.
pub fn form_page(
    ctx: &Ctx,
    f: &DeviceForm,
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

fn device_form(
    ctx: &Ctx,
    f: &DeviceForm,
    errors: &FieldErrors,
    existing: Option<&Device>,
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
                (form_actions(existing))
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
