//! The page frame (head, top bar, navigation) and small form pieces shared by
//! every page.

use maud::{html, Markup, DOCTYPE};

use crate::service::FieldErrors;
use crate::web::assets;

/// Which navigation entry a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Dashboard,
    Devices,
    Employees,
    Punches,
    Attendance,
    Timesheets,
    Company,
    Account,
    Security,
    None,
}

/// What the frame shows for a signed-in user.
pub struct Chrome<'a> {
    pub company_name: &'a str,
    pub email: &'a str,
    pub csrf: &'a str,
    pub nav: Nav,
    /// The company time zone: page times are in it unless labelled.
    pub zone: &'a str,
}

/// A whole HTML page. `chrome` is `None` on the signed-out pages.
pub fn page(title: &str, chrome: Option<&Chrome<'_>>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light";
                title { (title) " · Punchclock" }
                link rel="icon" href=(assets::url("favicon.svg")) type="image/svg+xml";
                link rel="stylesheet" href=(assets::url("app.css"));
                script src=(assets::url("app.js")) defer {}
            }
            body {
                a.skip-link href="#main" data-testid="skip-link" { "Skip to content" }
                header.topbar {
                    div.topbar-inner {
                        a.brand href="/" {
                            span.brand-mark aria-hidden="true" {}
                            "Punchclock"
                        }
                        @if let Some(c) = chrome {
                            span.company-name data-testid="company-name" { (c.company_name) }
                            nav.nav aria-label="Main" {
                                (nav_link("/", "Dashboard", c.nav == Nav::Dashboard))
                                (nav_link("/devices", "Devices", c.nav == Nav::Devices))
                                (nav_link("/employees", "Employees", c.nav == Nav::Employees))
                                (nav_link("/punches", "Punches", c.nav == Nav::Punches))
                                (nav_link("/attendance", "Attendance", c.nav == Nav::Attendance))
                                (nav_link("/timesheets", "Timesheets", c.nav == Nav::Timesheets))
                                (nav_link("/company", "Company", c.nav == Nav::Company))
                                (nav_link("/account", "Plan", c.nav == Nav::Account))
                            }
                            a.btn-link.topbar-link href="/account/security" aria-current=[(c.nav == Nav::Security).then_some("page")] data-testid="security-link" { "Security" }
                            form.logout method="post" action="/logout" {
                                (csrf_field(c.csrf))
                                button.btn-link type="submit" title=(format!("Signed in as {}", c.email)) data-testid="logout" { "Log out" }
                            }
                        } @else {
                            nav.nav aria-label="Account" {
                                (nav_link("/login", "Log in", false))
                                (nav_link("/signup", "Sign up", false))
                            }
                        }
                    }
                }
                main id="main" tabindex="-1" { (body) }
                footer {
                    @if let Some(c) = chrome {
                        p.mt-0 data-testid="footer-zone" {
                            "Times are in " strong { (c.zone) } ", the company time zone, unless marked otherwise."
                        }
                    }
                    "Punchclock · attendance from your time clocks"
                }
            }
        }
    }
}

fn nav_link(href: &str, text: &str, current: bool) -> Markup {
    html! {
        @if current {
            a href=(href) aria-current="page" { (text) }
        } @else {
            a href=(href) { (text) }
        }
    }
}

/// The hidden CSRF field every signed-in form carries.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="_csrf" value=(token); }
}

/// A page heading with an optional breadcrumb and actions on the right.
pub fn head(crumbs: &[(&str, &str)], title: &str, actions: Option<Markup>) -> Markup {
    html! {
        div.page-head {
            div {
                @if !crumbs.is_empty() {
                    div.breadcrumb {
                        @for (i, (href, text)) in crumbs.iter().enumerate() {
                            @if i > 0 { " › " }
                            @if href.is_empty() { (text) } @else { a href=(href) { (text) } }
                        }
                    }
                }
                h1 { (title) }
            }
            @if let Some(a) = actions { div.actions { (a) } }
        }
    }
}

/// The key of a message about the whole form rather than one field (a
/// limit the form cannot fix, such as the plan's device cap).
pub const WHOLE_FORM: &str = "form";

/// A list of messages for the whole form, when some field failed, or the
/// message under [`WHOLE_FORM`].
pub fn form_summary(errors: &FieldErrors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.flash.flash-bad role="alert" data-testid="form-errors" {
                strong { (errors.get(WHOLE_FORM).unwrap_or("Please fix the highlighted fields.")) }
            }
        }
    }
}

/// Options for a plain input field.
pub struct Input<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub value: &'a str,
    pub kind: &'a str,
    pub hint: Option<&'a str>,
    pub placeholder: Option<&'a str>,
    pub required: bool,
    pub autocomplete: Option<&'a str>,
    pub inputmode: Option<&'a str>,
}

impl<'a> Input<'a> {
    pub fn text(name: &'a str, label: &'a str, value: &'a str) -> Self {
        Input {
            name,
            label,
            value,
            kind: "text",
            hint: None,
            placeholder: None,
            required: false,
            autocomplete: None,
            inputmode: None,
        }
    }
    pub fn kind(mut self, kind: &'a str) -> Self {
        self.kind = kind;
        self
    }
    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }
    pub fn placeholder(mut self, p: &'a str) -> Self {
        self.placeholder = Some(p);
        self
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn autocomplete(mut self, a: &'a str) -> Self {
        self.autocomplete = Some(a);
        self
    }
    pub fn numeric(mut self) -> Self {
        self.inputmode = Some("numeric");
        self
    }

    pub fn render(&self, errors: &FieldErrors) -> Markup {
        let error = errors.get(self.name);
        let id = format!("f-{}", self.name);
        let hint_id = format!("{id}-hint");
        let err_id = format!("{id}-error");
        let described = match (self.hint.is_some(), error.is_some()) {
            (true, true) => Some(format!("{hint_id} {err_id}")),
            (true, false) => Some(hint_id.clone()),
            (false, true) => Some(err_id.clone()),
            (false, false) => None,
        };
        html! {
            div.field.has-error[error.is_some()] {
                label for=(id) { (self.label) }
                input id=(id) name=(self.name) type=(self.kind) value=(self.value)
                    placeholder=[self.placeholder] required[self.required]
                    autocomplete=[self.autocomplete] inputmode=[self.inputmode]
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[described];
                @if let Some(h) = self.hint { span.hint id=(hint_id) { (h) } }
                (field_error(&err_id, self.name, error))
            }
        }
    }
}

/// The message shown under a field that needs fixing.
pub fn field_error(id: &str, name: &str, error: Option<&str>) -> Markup {
    html! {
        @if let Some(e) = error {
            span.error id=(id) data-testid=(format!("error-{name}")) { (e) }
        }
    }
}

/// A status label: Online / Offline / Never connected (or Disabled).
pub fn status_label(
    device_id: i64,
    status: &str,
    text: &str,
    detail: &str,
    href: Option<&str>,
) -> Markup {
    let class = format!("status status-{status}");
    html! {
        @if let Some(h) = href {
            a class=(class) href=(h) data-testid="device-status" data-device-id=(device_id)
                data-status=(status) title=(detail) { (text) }
        } @else {
            span class=(class) data-testid="device-status" data-device-id=(device_id)
                data-status=(status) title=(detail) { (text) }
        }
    }
}

/// Text with its first letter capitalised (device-log reasons start lowercase).
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => {
            let mut s: String = first.to_uppercase().collect();
            s.push_str(chars.as_str());
            if !s.ends_with('.') {
                s.push('.');
            }
            s
        }
        None => String::new(),
    }
}
