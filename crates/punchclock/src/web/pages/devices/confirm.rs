//! Deleting a device: asks first, and says what stays.

use maud::{html, Markup};

use crate::domain::Device;
use crate::web::pages::ctx::Ctx;
use crate::web::pages::fmt;
use crate::web::pages::layout::{head, Nav};

pub fn confirm_page(ctx: &Ctx, d: &Device, punches: u64) -> Markup {
    let title = format!("Delete {}?", d.name);
    let body = html! {
        (head(&[("/company", "Company"), ("/devices", "Manage Devices")], &title, None))
        div.card.w-narrow {
            p { "We will stop polling " strong { (d.name) } " (" span.mono { (d.host) ":" (d.port) } ") and delete its device log." }
            p { strong { "Its " (fmt::plural(punches, "punch", "punches")) " and the employees it brought in are kept." }
                " If you add the device again later, punches already read are not duplicated." }
            form method="post" action=(format!("/devices/{}/delete", d.id)) data-testid="delete-form" {
                (ctx.csrf())
                div.form-actions {
                    button.btn-danger type="submit" data-testid="confirm-delete" { "Delete device" }
                    a.btn.btn-quiet href="/devices" { "Keep it" }
                }
            }
        }
    };
    ctx.page(&title, Nav::Devices, body)
}
