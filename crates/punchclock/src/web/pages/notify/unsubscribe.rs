//! The unsubscribe link in every mail: works without login. GET shows a
//! button (link scanners fetch GETs; they must not unsubscribe anyone);
//! POST unsubscribes, which is also what mail clients' one-click
//! unsubscribe (RFC 8058) sends.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;

use crate::domain::MailList;
use crate::web::pages::layout;
use crate::web::AppState;

fn list_words(list: MailList) -> &'static str {
    match list {
        MailList::DailyReport => "the end-of-day report",
        MailList::DailySummary => "the daily company summary",
        MailList::Alerts => "device alerts",
    }
}

fn unknown() -> Response {
    let body = html! { div.card.w-narrow data-testid="unsubscribe-unknown" { h1 { "Link not recognised" } p { "This unsubscribe link is not valid. Nothing was changed." } } };
    (
        StatusCode::NOT_FOUND,
        layout::page("Unsubscribe", None, body),
    )
        .into_response()
}

/// `GET /unsubscribe/{token}`
pub async fn unsubscribe_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Response {
    let target = state.services.mail_links().target(&token).await;
    let Ok(Some(t)) = target else {
        return unknown();
    };
    let body = html! {
        div.card.w-narrow {
            h1 { "Unsubscribe" }
            p { "Stop sending " (list_words(t.list)) " to this address?" }
            form method="post" action=(format!("/unsubscribe/{token}")) {
                button type="submit" data-testid="unsubscribe" { "Unsubscribe" }
            }
        }
    };
    layout::page("Unsubscribe", None, body).into_response()
}

/// `POST /unsubscribe/{token}`
pub async fn unsubscribe_post(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Response {
    let done = state.services.mail_links().unsubscribe(&token).await;
    let Ok(Some(t)) = done else { return unknown() };
    let body = html! {
        div.card.w-narrow data-testid="unsubscribed" {
            h1 { "Unsubscribed" }
            p { "You will no longer get " (list_words(t.list)) ". An owner can turn it on again in Punchclock." }
        }
    };
    layout::page("Unsubscribed", None, body).into_response()
}
