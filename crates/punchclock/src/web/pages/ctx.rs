//! A signed-in page request with its company and standing loaded: what
//! nearly every page needs, and the frame it is shown in.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use maud::{html, Markup};

use super::blocked::{self, PlanView};
use super::error::{PageError, BAD_CSRF};
use super::layout::{self, Chrome, Nav};
use super::session::{csrf_matches, PageRejection, PageUser};
use crate::domain::Company;
use crate::service::plan::{Catalog, Standing};
use crate::service::{Caller, ServiceError};
use crate::web::AppState;

/// A signed-in request with its company loaded.
pub struct Ctx {
    pub user: PageUser,
    pub company: Company,
    /// Plan, seats and standing.
    pub account: Standing,
    pub catalog: Arc<Catalog>,
    pub tz: TimeZone,
    pub now: Timestamp,
}

impl Ctx {
    pub fn caller(&self) -> &Caller {
        &self.user.caller
    }

    pub fn chrome(&self, nav: Nav) -> Chrome<'_> {
        Chrome {
            company_name: &self.company.name,
            email: &self.user.email,
            csrf: &self.user.csrf_token,
            nav,
            zone: self.company.timezone.name(),
        }
    }

    /// What the plan parts of a page need.
    pub fn plan_view(&self) -> PlanView<'_> {
        PlanView {
            standing: &self.account,
            catalog: &self.catalog,
            now: self.now,
            tz: &self.tz,
            zone: self.company.timezone.name(),
        }
    }

    /// What a blocked or expired account is told; `None` in good standing.
    pub fn restriction(&self) -> Option<String> {
        blocked::restriction(&self.account)
    }

    /// Refuse a change while the account is blocked or expired (viewing,
    /// and deactivating employees, stay allowed).
    pub fn require_good_standing(&self) -> Result<(), PageError> {
        match self.restriction() {
            Some(message) => Err(PageError::Restricted(message)),
            None => Ok(()),
        }
    }

    /// A full page in the signed-in frame. A blocked or expired account
    /// sees the blocked screen instead, except on the pages that are its
    /// way out (plan, employees), which carry the account notice.
    pub fn page(&self, title: &str, nav: Nav, body: Markup) -> Markup {
        let notice = self.restriction();
        let body = match notice {
            Some(_) if !matches!(nav, Nav::Account | Nav::Employees | Nav::Security) => {
                return layout::page(
                    "Account blocked",
                    Some(&self.chrome(nav)),
                    blocked::blocked_screen(&self.plan_view()),
                );
            }
            Some(n) if nav == Nav::Employees => html! {
                div.flash.flash-bad role="status" data-testid="account-notice" {
                    (n) " " a href="/account" { "See the ways out" }
                }
                (body)
            },
            _ => body,
        };
        layout::page(title, Some(&self.chrome(nav)), body)
    }

    pub fn csrf(&self) -> Markup {
        layout::csrf_field(&self.user.csrf_token)
    }

    /// Refuse a form whose `_csrf` is not this session's.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), PageError> {
        if csrf_matches(&self.user, submitted) {
            Ok(())
        } else {
            Err(PageError::Forbidden(BAD_CSRF.into()))
        }
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let user = PageUser::from_request_parts(parts, state)
            .await
            .map_err(|r| match r {
                PageRejection::Login(next) => PageError::Login(next),
                PageRejection::Failed(e) => PageError::Failed(e.to_string()),
            })?;
        let s = &state.services;
        let overview = match s.company().overview(&user.caller).await {
            Ok(o) => o,
            // The company is gone: the session is meaningless.
            Err(ServiceError::NotFound) => return Err(PageError::Login(None)),
            Err(e) => return Err(e.into()),
        };
        Ok(Ctx {
            tz: overview.company.timezone.tz().clone(),
            user,
            company: overview.company,
            account: overview.standing,
            catalog: s.plan().catalog(),
            now: s.now(),
        })
    }
}
