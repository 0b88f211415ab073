//! The sign-up and login forms: the fields as posted, and the forms.

use maud::{html, Markup};
use serde::Deserialize;

use crate::service::FieldErrors;
use crate::web::pages::layout::{self, form_summary, Input};
use crate::web::pages::zone_field::ZoneField;

/// Sign-up as posted.
#[derive(Deserialize, Default)]
pub struct SignupFields {
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub timezone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
}

/// Login as posted.
#[derive(Deserialize, Default)]
pub struct LoginFields {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub next: String,
}

pub fn signup_page(form: &SignupFields, errors: &FieldErrors) -> Markup {
    let body = html! {
        div.narrow {
            h1.auth-title { "Start your free trial" }
            p.muted.center {
                "Connect your ZKTeco time clocks and see who punched in, from anywhere."
            }
            div.card {
                (form_summary(errors))
                form.stack method="post" action="/signup" novalidate data-testid="signup-form" {
                    (Input::text("company", "Company name", &form.company)
                        .autocomplete("organization").required().render(errors))
                    (ZoneField { name: "timezone", label: "Time zone", value: &form.timezone, blank: None,
                        hint: "Punch times are shown in this zone.", guess: true }.render(errors))
                    (Input::text("email", "Email", &form.email).kind("email")
                        .autocomplete("email").required().render(errors))
                    (Input::text("password", "Password", "").kind("password")
                        .autocomplete("new-password").required()
                        .hint("At least 8 characters.").render(errors))
                    div.form-actions {
                        button type="submit" data-testid="signup-submit" { "Create account" }
                    }
                }
            }
            p.auth-switch { "Already have an account? " a href="/login" { "Log in" } }
        }
    };
    layout::page("Sign up", None, body)
}

pub fn login_page(form: &LoginFields, errors: &FieldErrors, notice: Option<&str>) -> Markup {
    let body = html! {
        div.narrow {
            h1.auth-title { "Log in" }
            div.card {
                @if let Some(n) = notice {
                    div.flash.flash-info data-testid="login-notice" { (n) }
                }
                @if let Some(m) = errors.get("login") {
                    div.flash.flash-bad role="alert" data-testid="login-error" { (m) }
                }
                form.stack method="post" action="/login" data-testid="login-form" {
                    input type="hidden" name="next" value=(form.next);
                    (Input::text("email", "Email", &form.email).kind("email")
                        .autocomplete("email").required().render(errors))
                    (Input::text("password", "Password", "").kind("password")
                        .autocomplete("current-password").required().render(errors))
                    div.form-actions {
                        button type="submit" data-testid="login-submit" { "Log in" }
                    }
                }
            }
            p.auth-switch {
                a href="/password/forgot" data-testid="forgot-password" { "Forgot your password?" }
            }
            p.auth-switch { "New here? " a href="/signup" { "Create an account" } }
        }
    };
    layout::page("Log in", None, body)
}
