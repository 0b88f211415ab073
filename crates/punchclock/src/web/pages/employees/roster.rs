//! The employee list: filter by active, search, sort by enroll id or last
//! punch, paged, "NO NAME" set apart; tick people to (de)activate them
//! together.

use maud::{html, Markup};

use crate::domain::{Employee, EmployeeFilter, EmployeeOrder, ListedEmployee, NO_NAME};
use crate::service::FieldErrors;
use crate::web::pages::ctx::Ctx;
use crate::web::pages::fmt;
use crate::web::pages::layout::{field_error, head, Nav};
use crate::web::pages::pager::pager;
use crate::web::pages::when;

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

/// The list's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    EnrollId,
    LastPunch,
}

impl Sort {
    pub fn parse(v: &str) -> Sort {
        match v {
            "last-punch" => Sort::LastPunch,
            _ => Sort::EnrollId,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::EnrollId => "enroll-id",
            Sort::LastPunch => "last-punch",
        }
    }

    pub fn order(self) -> EmployeeOrder {
        match self {
            Sort::EnrollId => EmployeeOrder::EnrollId,
            Sort::LastPunch => EmployeeOrder::LastPunch,
        }
    }
}

/// Who the list shows and how: kept across pages, searches and bulk changes.
pub struct Listing {
    pub show: Show,
    pub q: String,
    pub sort: Sort,
}

impl Listing {
    pub fn new(show: &str, q: &str, sort: &str) -> Listing {
        Listing {
            show: Show::parse(show),
            q: q.to_owned(),
            sort: Sort::parse(sort),
        }
    }

    /// The list at page `n`.
    pub fn link(&self, n: u64) -> String {
        self.link_with(self.show, self.sort, n)
    }

    fn link_with(&self, show: Show, sort: Sort, n: u64) -> String {
        let mut link = format!("/employees?show={}", show.as_str());
        if !self.q.is_empty() {
            link.push_str(&format!("&q={}", fmt::percent_encode(&self.q)));
        }
        if sort != Sort::EnrollId {
            link.push_str(&format!("&sort={}", sort.as_str()));
        }
        if n > 1 {
            link.push_str(&format!("&page={n}"));
        }
        link
    }
}

/// What a bulk change did, or why it did nothing.
pub enum Bulk {
    Done { activated: bool, count: u64 },
    Failed(String),
}

impl Bulk {
    pub fn done(did: Option<&str>, count: Option<&str>) -> Option<Bulk> {
        let activated = match did? {
            "activated" => true,
            "deactivated" => false,
            _ => return None,
        };
        let count = count?.parse().ok()?;
        Some(Bulk::Done { activated, count })
    }
}

/// One page of the list, loaded.
pub struct EmployeePage {
    pub listing: Listing,
    pub page: u64,
    pub size: u64,
    pub employees: Vec<ListedEmployee>,
    pub total: u64,
    /// Just saved, for the message.
    pub saved: Option<Employee>,
    pub bulk: Option<Bulk>,
    /// A search that could not be run.
    pub errors: FieldErrors,
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
    let unnamed = p
        .employees
        .iter()
        .filter(|e| e.employee.display_name() == NO_NAME)
        .count();
    let body = html! {
        (head(&[], "Employees", None))
        @if let Some(e) = &p.saved {
            div.flash.flash-ok role="status" data-testid="action-result" { strong { "Saved " (e.display_name()) "." } }
        }
        @if let Some(b) = &p.bulk { (bulk_flash(b)) }
        (search_form(&p.listing, &p.errors))
        (switches(&p.listing, p.total))
        @if unnamed > 0 {
            p.small.muted {
                span.no-name { (NO_NAME) } " means the device has no name for that person; "
                "use Edit to add one. Names you enter here stay even when the device has none."
            }
        }
        @if p.employees.is_empty() {
            div.card.empty data-testid="no-employees" {
                @if !p.listing.q.is_empty() {
                    p { "Nobody matches “" (p.listing.q) "”." }
                    p { a href=(Listing::new(p.listing.show.as_str(), "", p.listing.sort.as_str()).link(1)) { "Clear the search" } }
                } @else if p.total == 0 && p.listing.show == Show::Active {
                    p { "No employees yet. They appear after the first sync of a device." }
                    p { a href="/devices" { "Go to your devices" } }
                } @else {
                    p { "Nobody here." }
                }
            }
        } @else {
            (bulk_form(ctx, p))
            (pager(p.page, p.total, p.size, |n| p.listing.link(n), ("Previous", "Next")))
        }
    };
    ctx.page("Employees", Nav::Employees, body)
}

fn bulk_flash(b: &Bulk) -> Markup {
    html! {
        @match b {
            Bulk::Done { activated, count } => div.flash.flash-ok role="status" data-testid="action-result" {
                strong {
                    @if *activated { "Activated " } @else { "Deactivated " }
                    (fmt::plural(*count, "person", "people")) "."
                }
                @if !activated { " Their punches are kept; inactive employees are free." }
            },
            Bulk::Failed(m) => div.flash.flash-bad role="alert" data-testid="action-result" { (m) },
        }
    }
}

fn search_form(l: &Listing, errors: &FieldErrors) -> Markup {
    let error = errors.get("q");
    html! {
        form.card.mb.search-form method="get" action="/employees" role="search" data-testid="employee-search" {
            input type="hidden" name="show" value=(l.show.as_str());
            @if l.sort != Sort::EnrollId { input type="hidden" name="sort" value=(l.sort.as_str()); }
            div.field.has-error[error.is_some()] {
                label for="f-q" { "Search" }
                div.row-inline {
                    input id="f-q" type="search" name="q" value=(l.q) maxlength="100" data-testid="employee-q"
                        placeholder="Name, enroll ID, designation or email"
                        aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "f-q-error")];
                    button.btn type="submit" { "Search" }
                }
                (field_error("f-q-error", "q", error))
            }
        }
    }
}

fn switches(l: &Listing, total: u64) -> Markup {
    html! {
        div.actions.mb role="group" aria-label="Show" {
            @for (show, text) in [(Show::Active, "Active"), (Show::Inactive, "Inactive"), (Show::All, "All")] {
                a.btn.btn-quiet[show != l.show] href=(l.link_with(show, l.sort, 1)) aria-current=[(show == l.show).then_some("true")] { (text) }
            }
            span.muted.small data-testid="employee-count" { (fmt::plural(total, "employee", "employees")) }
        }
        div.actions.mb role="group" aria-label="Sort" {
            span.muted.small { "Sort by" }
            @for (sort, text) in [(Sort::EnrollId, "Enroll ID"), (Sort::LastPunch, "Last punch, oldest first")] {
                a.btn.btn-quiet[sort != l.sort] href=(l.link_with(l.show, sort, 1)) aria-current=[(sort == l.sort).then_some("true")]
                    data-testid={ "sort-" (sort.as_str()) } { (text) }
            }
        }
    }
}

/// The table inside one form: tick people, then Activate or Deactivate.
fn bulk_form(ctx: &Ctx, p: &EmployeePage) -> Markup {
    let l = &p.listing;
    html! {
        form method="post" action="/employees/active" data-testid="bulk-form" {
            (ctx.csrf())
            input type="hidden" name="show" value=(l.show.as_str());
            input type="hidden" name="q" value=(l.q);
            input type="hidden" name="sort" value=(l.sort.as_str());
            div.actions.mb.bulk-bar {
                span.muted.small { "With the people ticked:" }
                button.btn.btn-quiet type="submit" name="active" value="on" data-testid="bulk-activate" { "Activate" }
                button.btn.btn-quiet type="submit" name="active" value="off" data-testid="bulk-deactivate" { "Deactivate" }
            }
            (table(ctx, &p.employees))
        }
    }
}

fn table(ctx: &Ctx, employees: &[ListedEmployee]) -> Markup {
    html! {
        div.table-wrap {
            table.cards data-testid="employees" {
                thead { tr {
                    th.pick { input type="checkbox" data-select-all aria-label="Tick everyone on this page" data-testid="select-all"; }
                    th { "Enroll ID" } th { "Name" } th { "Designation" } th { "Email" }
                    th { "Last punch" } th { "Active" } th { span.sr-only { "Actions" } }
                } }
                tbody {
                    @for e in employees { (row(ctx, e)) }
                }
            }
        }
    }
}

fn row(ctx: &Ctx, listed: &ListedEmployee) -> Markup {
    let e = &listed.employee;
    html! {
        tr data-testid="employee-row" data-enroll-id=(e.enroll_id) data-employee-id=(e.id) data-active=(e.active)
            data-last-punch=[listed.last_punch.map(|t| t.as_second())] {
            td.pick data-label="Select" {
                input type="checkbox" name="ids" value=(e.id) data-testid="select-employee"
                    aria-label={ "Tick " (e.display_name()) };
            }
            td data-label="Enroll ID" { span.mono { (e.enroll_id) } }
            td.card-title data-label="Name" {
                (name_cell(e))
                @if let Some(dn) = e.name_from_device.as_deref().filter(|n| !n.trim().is_empty()) {
                    @if dn != e.display_name() { br; span.small.muted { "On device: " (dn) } }
                }
            }
            td data-label="Designation" { (e.designation.as_deref().unwrap_or("")) }
            td data-label="Email" { (e.email.as_deref().unwrap_or("")) }
            td data-label="Last punch" data-field="last-punch" {
                @match listed.last_punch {
                    Some(t) => { (when::company(fmt::minute(t, &ctx.tz), ctx.company.timezone.name())) }
                    None => span.muted { "never" },
                }
            }
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
