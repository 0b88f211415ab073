//! "Test connection" and "Sync now": their buttons, and where to go after.

use maud::{html, Markup};
use serde::Deserialize;

use crate::domain::{Device, DeviceId, DeviceLog};
use crate::web::pages::ctx::Ctx;

/// Which device action a button starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Test,
    Sync,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Test => "test",
            Action::Sync => "sync",
        }
    }
}

/// Which page a button is on, so the action returns to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Back {
    List,
    Detail,
}

/// A "Test connection" or "Sync now" button.
pub fn action_button(ctx: &Ctx, d: &Device, action: Action, back: Back) -> Markup {
    let (text, busy, testid) = match action {
        Action::Test => ("Test connection", "Testing…", "test-connection"),
        Action::Sync => ("Sync now", "Syncing…", "sync-now"),
    };
    let back = match back {
        Back::List => "list",
        Back::Detail => "detail",
    };
    html! {
        form method="post" action=(format!("/devices/{}/{}", d.id, action.as_str())) data-busy=(busy) {
            (ctx.csrf())
            input type="hidden" name="back" value=(back);
            button class="btn-quiet" type="submit" data-testid=(testid) { (text) }
        }
    }
}

/// A posted action (delete, test, sync): its CSRF token and the page to
/// return to.
#[derive(Deserialize)]
pub struct ActionFields {
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
    #[serde(default)]
    pub back: String,
}

/// The page to show after an action, with what to say about it.
pub fn back_to(back: &str, id: DeviceId, action: Action, log: &DeviceLog) -> String {
    let base = if back == "detail" {
        format!("/devices/{id}")
    } else {
        "/devices".into()
    };
    format!("{base}?did={}&device={id}&log={}", action.as_str(), log.id)
}
