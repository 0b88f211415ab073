//! The corrections log: who corrected what, when and why.

use maud::{html, Markup};

use crate::domain::{AuditKind, Correction};
use crate::web::pages::ctx::Ctx;
use crate::web::pages::fmt;
use crate::web::pages::layout::{head, Nav};
use crate::web::pages::pager::pager;

pub const PAGE_SIZE: u32 = 50;

fn what(kind: AuditKind) -> &'static str {
    match kind {
        AuditKind::PunchAdded => "Added a punch",
        AuditKind::PunchVoided => "Voided a punch",
        AuditKind::PunchUnvoided => "Unvoided a punch",
        _ => "Changed",
    }
}

pub fn log_page(ctx: &Ctx, items: &[Correction], total: u64, page: u64) -> Markup {
    let body = html! {
        (head(&[("/attendance", "Attendance")], "Corrections log", None))
        p.muted { "Every punch added by hand, voided or unvoided, newest first. "
            "Device punches are never changed or deleted." }
        @if items.is_empty() {
            div.card.empty data-testid="no-corrections" { "No corrections yet." }
        } @else {
            div.table-wrap {
                table.cards data-testid="corrections" {
                    thead { tr { th { "When" } th { "Who" } th { "What" } th { "Why" } } }
                    tbody { @for c in items { (row(ctx, c)) } }
                }
            }
            (pager(page, total, u64::from(PAGE_SIZE), |n| format!("/corrections?page={n}"), ("Newer", "Older")))
        }
    };
    ctx.page("Corrections log", Nav::Attendance, body)
}

fn row(ctx: &Ctx, c: &Correction) -> Markup {
    let date = ctx.company.timezone.to_zoned(c.punched_at).date();
    html! {
        tr data-testid="correction" data-kind=(c.kind.as_str()) {
            td.card-title data-label="When" { span.nowrap { (fmt::minute(c.created_at, &ctx.tz)) } }
            td data-label="Who" { (c.account_email.as_deref().unwrap_or("a deleted account")) }
            td data-label="What" {
                (what(c.kind)) " of "
                a href=(super::forms::person_day(c.employee_id.0, date)) { (c.employee_name) }
                " at " span.nowrap { (fmt::second(c.punched_at, &ctx.tz)) }
            }
            td data-label="Why" data-field="reason" { (c.reason) }
        }
    }
}
