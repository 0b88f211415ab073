//! Webhook endpoints, their deliveries and resending.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::body::{combine, limit, Fields};
use super::caller::{ApiCaller, ApiUser};
use super::error::{ApiResult, Json, Path, Query};
use super::files;
use super::notify_views::{DeliveryJson, WebhookJson};
use super::responses::{self as r, Auth, Blocked, Conflict, Missing};
use super::schema::{self, S};
use super::views::{company_zone, List};
use crate::domain::{DeliveryId, WebhookId};
use crate::service::webhooks::WebhookInput;
use crate::service::Caller;
use crate::web::export::FormatQuery;
use crate::web::AppState;
use axum::response::Response;

/// A new endpoint.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewWebhook)]
#[allow(dead_code)] // read field by field through `Fields`
pub struct WebhookBody {
    #[schema(schema_with = url)]
    url: Option<String>,
    /// Events to send: punch.created, device.offline, device.online,
    /// alert.opened, alert.resolved. Omitted or empty: all.
    events: Option<Vec<String>>,
}

fn url() -> S {
    schema::text("https:// URL that receives POSTs. Must resolve to a public address unless the service allows private ones.")
}

async fn tz(state: &AppState, caller: &Caller) -> ApiResult<jiff::tz::TimeZone> {
    Ok(company_zone(&state.services.company().get(caller).await?))
}

/// List webhooks
#[utoipa::path(get, path = "/webhooks", operation_id = "listWebhooks", params(FormatQuery),
    responses((status = 200, description = "The company's endpoints.", content((List<WebhookJson> = "application/json"), (String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), r::Query, Auth))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiCaller,
    Query(fmt): Query<FormatQuery>,
) -> ApiResult<Response> {
    let format = fmt.format()?;
    let items = state.services.webhooks().list(&user.caller).await?;
    let tz = tz(&state, &user.caller).await?;
    let items: Vec<WebhookJson> = items
        .iter()
        .map(|w| WebhookJson::new(w, &tz, None))
        .collect();
    let total = items.len() as u64;
    files::listed(
        &state,
        &user.caller,
        format,
        List::page(items, total),
        "webhooks",
        None,
    )
    .await
}

/// Add a webhook
///
/// Answers with the signing secret, shown this once. Each delivery is a
/// POST of the event's JSON with `X-Punchclock-Timestamp` (unix seconds)
/// and `X-Punchclock-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
#[utoipa::path(post, path = "/webhooks", operation_id = "createWebhook", request_body = WebhookBody,
    responses((status = 201, description = "Added; `secret` is shown only now.", body = WebhookJson),
        r::Body, Auth, Blocked, Conflict))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    Json(body): Json<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<WebhookJson>)> {
    let mut f = Fields::of::<WebhookBody>(body);
    let input = WebhookInput {
        url: f.string("url"),
        events: events(&mut f),
    };
    let allow = state.services.settings().allow_private_webhook_addresses;
    let new = combine(f.errors, input.parse(allow))?;
    let created = state.services.webhooks().create(&user.caller, new).await?;
    let tz = tz(&state, &user.caller).await?;
    let json = WebhookJson::new(&created.webhook, &tz, Some(created.secret));
    Ok((StatusCode::CREATED, Json(json)))
}

/// `events` as a list of strings; anything else is a type error.
fn events(f: &mut Fields) -> Option<Vec<String>> {
    let v = f.raw("events")?;
    let list = v.as_array().and_then(|a| {
        a.iter()
            .map(|e| e.as_str().map(str::to_owned))
            .collect::<Option<Vec<String>>>()
    });
    if list.is_none() && !v.is_null() {
        f.errors.add("events", "Send a list of event names.");
    }
    list
}

/// Delete a webhook
///
/// With its deliveries; nothing more is sent to it.
#[utoipa::path(delete, path = "/webhooks/{id}", operation_id = "deleteWebhook",
    params(("id" = i64, Path)),
    responses((status = 204, description = "Deleted."), Auth, Missing))]
pub async fn delete(
    State(state): State<AppState>,
    user: ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state
        .services
        .webhooks()
        .delete(&user.caller, WebhookId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// A webhook's deliveries
///
/// Newest first, each with every attempt (status or error, time taken).
#[utoipa::path(get, path = "/webhooks/{id}/deliveries", operation_id = "listWebhookDeliveries",
    params(FormatQuery, ("id" = i64, Path), DeliveryQuery),
    responses((status = 200, description = "Deliveries, newest first.", content((List<DeliveryJson> = "application/json"), (String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        r::Query, Auth, Missing))]
pub async fn deliveries(
    State(state): State<AppState>,
    user: ApiCaller,
    Path(id): Path<i64>,
    Query(q): Query<DeliveryQuery>,
    Query(fmt): Query<FormatQuery>,
) -> ApiResult<Response> {
    let format = fmt.format()?;
    let limit = limit(q.limit, 50, 200)?;
    let hooks = state.services.webhooks();
    let (_, items) = hooks.deliveries(&user.caller, WebhookId(id), limit).await?;
    let tz = tz(&state, &user.caller).await?;
    let mut out = Vec::with_capacity(items.len());
    for d in &items {
        let attempts = hooks.attempts(&user.caller, d.id).await?;
        out.push(DeliveryJson::new(d, &attempts, &tz));
    }
    let total = out.len() as u64;
    files::listed(
        &state,
        &user.caller,
        format,
        List::page(out, total),
        "deliveries",
        None,
    )
    .await
}

/// Resend a delivery
///
/// Sends it again at once (and retries it for another 24 hours).
#[utoipa::path(post, path = "/webhooks/{id}/deliveries/{delivery_id}/resend",
    operation_id = "resendWebhookDelivery",
    params(("id" = i64, Path), ("delivery_id" = i64, Path)),
    responses((status = 202, description = "Queued to be sent now.", body = DeliveryJson), Auth, Missing))]
pub async fn resend(
    State(state): State<AppState>,
    user: ApiCaller,
    Path((id, delivery)): Path<(i64, i64)>,
) -> ApiResult<(StatusCode, Json<DeliveryJson>)> {
    let hooks = state.services.webhooks();
    let d = hooks
        .resend(&user.caller, WebhookId(id), DeliveryId(delivery))
        .await?;
    let attempts = hooks.attempts(&user.caller, d.id).await?;
    let tz = tz(&state, &user.caller).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(DeliveryJson::new(&d, &attempts, &tz)),
    ))
}
