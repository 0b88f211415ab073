//! Employees: the people the devices know, with names humans can fix.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{field_error, form_summary, head, Input, Nav};
use super::{fmt, path_id, see_other, Ctx, PageResult};
use crate::domain::{Employee, EmployeeFilter, EmployeeId, NO_NAME};
use crate::web::validate::{self, EmployeeForm, FieldErrors};
use crate::web::AppState;

const PAGE_SIZE: u32 = 50;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    show: String,
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    saved: Option<String>,
}

/// The display name, with "NO NAME" set apart so it stands out.
pub fn name_cell(e: &Employee) -> Markup {
    let name = e.display_name();
    html! {
        @if name == NO_NAME {
            span.no-name data-testid="no-name" title="Neither the device nor anyone here gave this person a name." { (NO_NAME) }
        } @else {
            span data-testid="employee-name" { (name) }
        }
    }
}

/// `GET /employees`
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> PageResult<Markup> {
    let (filter, show) = match q.show.as_str() {
        "inactive" => (EmployeeFilter::Inactive, "inactive"),
        "all" => (EmployeeFilter::All, "all"),
        _ => (EmployeeFilter::Active, "active"),
    };
    let page: u64 = q
        .page
        .as_deref()
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let total = state.store.count_employees(ctx.company.id, filter).await?;
    let offset = (page - 1) * u64::from(PAGE_SIZE);
    let employees = state
        .store
        .list_employees(ctx.company.id, filter, PAGE_SIZE, offset)
        .await?;
    let saved = match q.saved.as_deref().and_then(|s| s.parse().ok()) {
        Some(id) => state
            .store
            .get_employee(ctx.company.id, EmployeeId(id))
            .await
            .ok(),
        None => None,
    };
    let unnamed = employees
        .iter()
        .filter(|e| e.display_name() == NO_NAME)
        .count();
    let link = |p: u64| format!("/employees?show={show}&page={p}");
    let body = html! {
        (head(&[], "Employees", None))
        @if let Some(e) = saved {
            div.flash.flash-ok role="status" data-testid="action-result" { strong { "Saved " (e.display_name()) "." } }
        }
        div.actions.mb role="group" aria-label="Show" {
            @for (value, text) in [("active", "Active"), ("inactive", "Inactive"), ("all", "All")] {
                @if value == show {
                    a.btn href=(format!("/employees?show={value}")) aria-current="true" { (text) }
                } @else {
                    a.btn.btn-quiet href=(format!("/employees?show={value}")) { (text) }
                }
            }
            span.muted.small { (fmt::plural(total, "employee", "employees")) }
        }
        @if unnamed > 0 {
            p.small.muted {
                span.no-name { (NO_NAME) } " means the device has no name for that person; "
                "use Edit to add one. Names you enter here stay even when the device has none."
            }
        }
        @if employees.is_empty() {
            div.card.empty data-testid="no-employees" {
                @if total == 0 && show == "active" {
                    p { "No employees yet. They appear after the first sync of a device." }
                    p { a href="/devices" { "Go to your devices" } }
                } @else {
                    p { "Nobody here." }
                }
            }
        } @else {
            div.table-wrap {
                table.cards data-testid="employees" {
                    thead { tr {
                        th { "Enroll ID" } th { "Name" } th { "Designation" } th { "Email" }
                        th { "Active" } th { span.sr-only { "Actions" } }
                    } }
                    tbody {
                        @for e in &employees {
                            tr data-testid="employee-row" data-enroll-id=(e.enroll_id) {
                                td data-label="Enroll ID" { span.mono { (e.enroll_id) } }
                                td.card-title data-label="Name" {
                                    (name_cell(e))
                                    @if let Some(dn) = e.name_from_device.as_deref().filter(|n| !n.trim().is_empty()) {
                                        @if dn != e.display_name() { br; span.small.muted { "On device: " (dn) } }
                                    }
                                }
                                td data-label="Designation" { (e.designation.as_deref().unwrap_or("")) }
                                td data-label="Email" { (e.email.as_deref().unwrap_or("")) }
                                td data-label="Active" {
                                    @if e.active { "Yes" } @else { span.tag { "Inactive" } }
                                }
                                td.card-actions {
                                    a.btn.btn-quiet href=(format!("/employees/{}/edit", e.id)) data-testid="edit-employee" { "Edit" }
                                    " "
                                    a.btn.btn-quiet href=(format!("/punches?employee={}", e.id)) { "Punches" }
                                }
                            }
                        }
                    }
                }
            }
            (pager(page, total, u64::from(PAGE_SIZE), link, ("Previous", "Next")))
        }
    };
    Ok(ctx.page("Employees", Nav::Employees, body))
}

/// Previous/next links with "41–60 of 123".
pub fn pager(
    page: u64,
    total: u64,
    size: u64,
    link: impl Fn(u64) -> String,
    (prev, next): (&str, &str),
) -> Markup {
    let first = (page - 1) * size + 1;
    let last = (page * size).min(total);
    let pages = total.div_ceil(size).max(1);
    html! {
        @if pages > 1 || page > 1 {
            nav.pager aria-label="Pages" data-testid="pager" {
                @if page > 1 {
                    a.btn.btn-quiet href=(link(page - 1)) rel="prev" data-testid="prev-page" { "← " (prev) }
                } @else { span {} }
                span.muted.small {
                    @if total == 0 { "Nothing here" } @else {
                        (fmt::thousands(first.min(total))) "–" (fmt::thousands(last)) " of " (fmt::thousands(total))
                    }
                }
                @if page < pages {
                    a.btn.btn-quiet href=(link(page + 1)) rel="next" data-testid="next-page" { (next) " →" }
                } @else { span {} }
            }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct EmployeeFields {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    designation: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    active: Option<String>,
}

fn edit_page(ctx: &Ctx, e: &Employee, f: &EmployeeFields, errors: &FieldErrors) -> Markup {
    let title = format!("Edit {}", e.display_name());
    let device_name = e
        .name_from_device
        .as_deref()
        .filter(|n| !n.trim().is_empty())
        .map(|n| format!("The device calls this person \"{n}\"."))
        .unwrap_or_else(|| "The device has no name for this person.".into());
    let body = html! {
        (head(&[("/employees", "Employees")], &title, None))
        div.card.w-narrow {
            p.muted { "Enroll ID " span.mono { (e.enroll_id) } ". " (device_name)
                " Names entered here are shown instead and are never sent to the device." }
            (form_summary(errors))
            form.stack method="post" action=(format!("/employees/{}/edit", e.id)) novalidate data-testid="employee-form" {
                (ctx.csrf())
                div.row-2.even {
                    (Input::text("first_name", "First name", &f.first_name).autocomplete("off").render(errors))
                    (Input::text("last_name", "Last name", &f.last_name).autocomplete("off").render(errors))
                }
                (Input::text("designation", "Designation", &f.designation).placeholder("Cashier").render(errors))
                (Input::text("email", "Email", &f.email).kind("email").autocomplete("off").render(errors))
                div.field {
                    label.check {
                        input type="checkbox" name="active" value="on" checked[f.active.is_some()];
                        span { "Active — counts toward your plan's seats" }
                    }
                    (field_error("f-active-error", "active", errors.get("active")))
                }
                div.form-actions {
                    button type="submit" data-testid="save-employee" { "Save" }
                    a.btn.btn-quiet href="/employees" { "Cancel" }
                }
            }
        }
    };
    ctx.page(&title, Nav::Employees, body)
}

/// `GET /employees/{id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult<Markup> {
    let e = state
        .store
        .get_employee(ctx.company.id, EmployeeId(path_id(&id)?))
        .await?;
    let f = EmployeeFields {
        csrf: String::new(),
        first_name: e.first_name.clone().unwrap_or_default(),
        last_name: e.last_name.clone().unwrap_or_default(),
        designation: e.designation.clone().unwrap_or_default(),
        email: e.email.clone().unwrap_or_default(),
        active: e.active.then(|| "on".into()),
    };
    Ok(edit_page(&ctx, &e, &f, &FieldErrors::default()))
}

/// `POST /employees/{id}/edit`
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<EmployeeFields>,
) -> PageResult {
    let id = EmployeeId(path_id(&id)?);
    let e = state.store.get_employee(ctx.company.id, id).await?;
    ctx.check_csrf(&f.csrf)?;
    let update = match validate::employee(&EmployeeForm {
        first_name: f.first_name.clone(),
        last_name: f.last_name.clone(),
        designation: f.designation.clone(),
        email: f.email.clone(),
        active: f.active.is_some(),
    }) {
        Ok(u) => u,
        Err(errors) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                edit_page(&ctx, &e, &f, &errors),
            )
                .into_response())
        }
    };
    // A blocked or expired account may still (de)activate people, which is
    // the way out of a seat block, but nothing else.
    if ctx.restriction().is_some() {
        let details_changed = update.first_name != e.first_name
            || update.last_name != e.last_name
            || update.designation != e.designation
            || update.email != e.email;
        if details_changed {
            let mut errors = FieldErrors::default();
            errors.add(
                "active",
                "While the account is blocked you can only change Active. Untick it to free a seat.",
            );
            return Ok((
                StatusCode::PAYMENT_REQUIRED,
                edit_page(&ctx, &e, &f, &errors),
            )
                .into_response());
        }
    }
    let saved = state
        .store
        .update_employee(ctx.company.id, id, &update)
        .await?;
    if saved.active != e.active {
        // A reactivation can block the account; a deactivation can lift it.
        state
            .billing
            .reconcile(ctx.company.id, Some(ctx.user.account_id))
            .await?;
    }
    Ok(see_other(&format!("/employees?saved={id}")))
}
