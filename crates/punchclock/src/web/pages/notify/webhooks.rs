//! Webhook pages: the endpoints with an add form, and one endpoint's
//! deliveries with every attempt and a Resend button.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;

use crate::domain::{Delivery, DeliveryAttempt, DeliveryId, Webhook, WebhookEvent, WebhookId};
use crate::service::webhooks::WebhookInput;
use crate::service::{FieldErrors, ServiceError};
use crate::web::pages::ctx::Ctx;
use crate::web::pages::error::{path_id, see_other, PageResult};
use crate::web::pages::fmt;
use crate::web::pages::layout::{form_summary, head, Input, Nav};
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct HookForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    url: String,
}

#[derive(Deserialize, Default)]
pub struct Csrf {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

#[derive(Deserialize, Default)]
pub struct SecretQuery {
    #[serde(default)]
    secret: Option<String>,
}

/// `GET /webhooks`
pub async fn webhooks_page(State(state): State<AppState>, ctx: Ctx) -> PageResult<Markup> {
    let hooks = state.services.webhooks().list(ctx.caller()).await?;
    Ok(list_page(
        &ctx,
        &hooks,
        &HookForm::default(),
        &FieldErrors::default(),
    ))
}

/// `POST /webhooks`
pub async fn webhook_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<HookForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    let s = &state.services;
    let input = WebhookInput {
        url: Some(f.url.clone()),
        events: None,
    };
    let allow = s.settings().allow_private_webhook_addresses;
    let created = match input.parse(allow) {
        Ok(new) => s.webhooks().create(ctx.caller(), new).await,
        Err(e) => Err(ServiceError::Invalid(e)),
    };
    match created {
        // The secret is shown once, on the endpoint's page.
        Ok(c) => Ok(see_other(&format!(
            "/webhooks/{}?secret={}",
            c.webhook.id, c.secret
        ))),
        Err(ServiceError::Invalid(errors)) => {
            let hooks = s.webhooks().list(ctx.caller()).await?;
            let page = list_page(&ctx, &hooks, &f, &errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn list_page(ctx: &Ctx, hooks: &[Webhook], f: &HookForm, errors: &FieldErrors) -> Markup {
    let all: Vec<&str> = WebhookEvent::ALL.iter().map(|e| e.as_str()).collect();
    let body = html! {
        (head(&[("/notifications", "Notifications")], "Webhooks", None))
        div.card {
            @if hooks.is_empty() { p.muted data-testid="no-webhooks" { "No webhooks yet." } }
            @for h in hooks {
                p data-testid="webhook" { a href=(format!("/webhooks/{}", h.id)) { (h.url) } " · " span.muted.small { (h.events.len()) " events" } }
            }
        }
        div.card.w-narrow {
            h3 { "Add a webhook" }
            p.muted { "Punchclock POSTs JSON for " (all.join(", ")) ", signed with HMAC-SHA256 (X-Punchclock-Signature over \"<timestamp>.<body>\", X-Punchclock-Timestamp), retrying for 24 hours." }
            (form_summary(errors))
            form.stack method="post" action="/webhooks" novalidate data-testid="webhook-form" {
                (ctx.csrf())
                (Input::text("url", "HTTPS URL", &f.url).placeholder("https://example.com/hooks/punchclock").required().render(errors))
                div.form-actions { button type="submit" data-testid="add-webhook" { "Add webhook" } }
            }
        }
    };
    ctx.page("Webhooks", Nav::Company, body)
}

/// `GET /webhooks/{id}`
pub async fn webhook_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<SecretQuery>,
) -> PageResult<Markup> {
    let id = WebhookId(path_id(&id)?);
    let hooks = state.services.webhooks();
    let (hook, deliveries) = hooks.deliveries(ctx.caller(), id, 100).await?;
    let mut rows = Vec::new();
    for d in deliveries {
        let attempts = hooks.attempts(ctx.caller(), d.id).await?;
        rows.push((d, attempts));
    }
    Ok(detail_page(&ctx, &hook, &rows, q.secret.as_deref()))
}

fn detail_page(
    ctx: &Ctx,
    h: &Webhook,
    rows: &[(Delivery, Vec<DeliveryAttempt>)],
    secret: Option<&str>,
) -> Markup {
    let body = html! {
        (head(&[("/webhooks", "Webhooks")], &h.url, None))
        @if let Some(s) = secret {
            div.flash.flash-ok data-testid="webhook-secret" { "Signing secret (shown once): " code { (s) } }
        }
        div.card {
            form method="post" action=(format!("/webhooks/{}/delete", h.id)) {
                (ctx.csrf())
                button.btn-quiet type="submit" data-testid="delete-webhook" { "Delete this webhook" }
            }
        }
        div.card {
            h3 { "Deliveries" }
            @if rows.is_empty() { p.muted { "Nothing sent yet." } }
            table.table {
                thead { tr { th { "Event" } th { "State" } th { "Attempts" } th {} } }
                tbody {
                    @for (d, attempts) in rows {
                        tr data-testid="delivery" data-state=(d.state.as_str()) {
                            td { (d.event.as_str()) br; span.muted.small.mono { (d.event_id) } }
                            td { (d.state.as_str()) }
                            td {
                                @for a in attempts {
                                    div.small { (fmt::second(a.attempted_at, &ctx.tz)) " · "
                                        @if let Some(s) = a.status { "HTTP " (s) } @else { "no answer" }
                                        @if let Some(e) = &a.error { " · " (e) }
                                        @if a.manual { " · by hand" } }
                                }
                            }
                            td {
                                form method="post" action=(format!("/webhooks/{}/deliveries/{}/resend", h.id, d.id)) {
                                    (ctx.csrf())
                                    button.btn-quiet type="submit" data-testid="resend" { "Resend" }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    ctx.page("Webhook", Nav::Company, body)
}

/// `POST /webhooks/{id}/delete`
pub async fn webhook_delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<Csrf>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    let id = WebhookId(path_id(&id)?);
    state.services.webhooks().delete(ctx.caller(), id).await?;
    Ok(see_other("/webhooks"))
}

/// `POST /webhooks/{id}/deliveries/{delivery}/resend`
pub async fn webhook_resend(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, delivery)): Path<(String, String)>,
    Form(f): Form<Csrf>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    let (id, delivery) = (WebhookId(path_id(&id)?), DeliveryId(path_id(&delivery)?));
    state
        .services
        .webhooks()
        .resend(ctx.caller(), id, delivery)
        .await?;
    Ok(see_other(&format!("/webhooks/{id}")))
}
