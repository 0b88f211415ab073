//! The security page: the password form and the list of sessions.

use maud::{html, Markup};

use crate::domain::{Session, SessionKind};
use crate::service::FieldErrors;
use crate::web::pages::ctx::Ctx;
use crate::web::pages::fmt;
use crate::web::pages::layout::{form_summary, head, Input, Nav};
use crate::web::pages::when;

pub fn page(ctx: &Ctx, sessions: &[Session], errors: &FieldErrors, notice: Option<&str>) -> Markup {
    let body = html! {
        (head(&[], "Security", None))
        @if let Some(n) = notice {
            div.flash.flash-ok role="status" data-testid="action-result" { strong { (n) } }
        }
        div.grid-2 {
            (password_card(ctx, errors))
            (sessions_card(ctx, sessions))
        }
    };
    ctx.page("Security", Nav::Security, body)
}

fn password_card(ctx: &Ctx, errors: &FieldErrors) -> Markup {
    html! {
        div.card {
            h3 { "Change password" }
            (form_summary(errors))
            form.stack method="post" action="/account/password" novalidate data-testid="password-form" {
                (ctx.csrf())
                (Input::text("current_password", "Current password", "").kind("password")
                    .autocomplete("current-password").required().render(errors))
                (Input::text("new_password", "New password", "").kind("password")
                    .autocomplete("new-password").required()
                    .hint("At least 8 characters, not a common password. Other browsers and API tokens are signed out.")
                    .render(errors))
                div.form-actions { button type="submit" data-testid="change-password" { "Change password" } }
            }
        }
    }
}

fn sessions_card(ctx: &Ctx, sessions: &[Session]) -> Markup {
    let zone = ctx.company.timezone.name();
    html! {
        div.card {
            h3 { "Signed in" }
            table data-testid="sessions" {
                thead { tr { th { "Where" } th { "Signed in" } th { "Last used" } th { span.sr-only { "Action" } } } }
                tbody {
                    @for s in sessions {
                        tr data-testid="session" {
                            td {
                                (match s.kind { SessionKind::Web => "Browser", SessionKind::Api => "API token" })
                                @if s.id == ctx.user.session_id { strong data-testid="this-session" { " (this one)" } }
                            }
                            td { (when::company(fmt::minute(s.created_at, &ctx.tz), zone)) }
                            td { (fmt::ago(ctx.now, s.last_seen_at)) }
                            td {
                                form method="post" action=(format!("/account/sessions/{}/revoke", s.id.0)) {
                                    (ctx.csrf())
                                    button.btn-quiet type="submit" data-testid="revoke" { "Sign out" }
                                }
                            }
                        }
                    }
                }
            }
            form method="post" action="/logout/everywhere" {
                (ctx.csrf())
                div.form-actions {
                    button type="submit" data-testid="logout-everywhere" { "Log out everywhere" }
                }
            }
        }
    }
}
