//! The employee list: filter by active, paged, "NO NAME" set apart.

use maud::{html, Markup};

use crate::domain::{Employee, EmployeeFilter, NO_NAME};
use crate::web::pages::ctx::Ctx;
use crate::web::pages::fmt;
use crate::web::pages::layout::{head, Nav};
use crate::web::pages::pager::pager;

/// Which employees the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    Active,
    Inactive,
    All,
}

impl Show {
    pub fn parse(v: &str) -> Show {
        match v {
            "inactive" => Show::Inactive,
            "all" => Show::All,
            _ => Show::Active,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Show::Active => "active",
            Show::Inactive => "inactive",
            Show::All => "all",
        }
    }

    pub fn filter(self) -> EmployeeFilter {
        match self {
            Show::Active => EmployeeFilter::Active,
            Show::Inactive => EmployeeFilter::Inactive,
            Show::All => EmployeeFilter::All,
        }
    }
}

/// One page of the list, loaded.
pub struct EmployeePage {
    pub show: Show,
    pub page: u64,
    pub size: u64,
    pub employees: Vec<Employee>,
    pub total: u64,
    /// Just saved, for the message.
    pub saved: Option<Employee>,
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

pub fn list_page(ctx: &Ctx, p: &EmployeePage) -> Markup {
    let show = p.show.as_str();
    let unnamed = p
        .employees
        .iter()
        .filter(|e| e.display_name() == NO_NAME)
        .count();
    let link = |n: u64| format!("/employees?show={show}&page={n}");
    let body = html! {
        (head(&[], "Employees", None))
        @if let Some(e) = &p.saved {
            div.flash.flash-ok role="status" data-testid="action-result" { strong { "Saved " (e.display_name()) "." } }
        }
        (show_switch(show, p.total))
        @if unnamed > 0 {
            p.small.muted {
                span.no-name { (NO_NAME) } " means the device has no name for that person; "
                "use Edit to add one. Names you enter here stay even when the device has none."
            }
        }
        @if p.employees.is_empty() {
            div.card.empty data-testid="no-employees" {
                @if p.total == 0 && p.show == Show::Active {
                    p { "No employees yet. They appear after the first sync of a device." }
                    p { a href="/devices" { "Go to your devices" } }
                } @else {
                    p { "Nobody here." }
                }
            }
        } @else {
            (table(&p.employees))
            (pager(p.page, p.total, p.size, link, ("Previous", "Next")))
        }
    };
    ctx.page("Employees", Nav::Employees, body)
}

fn show_switch(show: &str, total: u64) -> Markup {
    html! {
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
    }
}

fn table(employees: &[Employee]) -> Markup {
    html! {
        div.table-wrap {
            table.cards data-testid="employees" {
                thead { tr {
                    th { "Enroll ID" } th { "Name" } th { "Designation" } th { "Email" }
                    th { "Active" } th { span.sr-only { "Actions" } }
                } }
                tbody {
                    @for e in employees { (row(e)) }
                }
            }
        }
    }
}

fn row(e: &Employee) -> Markup {
    html! {
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
