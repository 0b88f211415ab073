//! The password reset mail: a link that works once, within an hour.

use maud::html;

use super::compose::Draft;
use crate::domain::MailKind;

/// The reset mail to the owner of `email`, with the absolute `link`.
pub fn draft(email: &str, link: &str) -> Draft {
    Draft {
        kind: MailKind::PasswordReset,
        subject: "Reset your Punchclock password".into(),
        text: format!(
            "Someone asked to reset the password of {email} on Punchclock.\n\n\
             To choose a new password, open this link within an hour:\n{link}\n\n\
             If it was not you, ignore this mail: your password stays as it is."
        ),
        html: html! {
            p { "Someone asked to reset the password of " (email) " on Punchclock." }
            p { a href=(link) { "Choose a new password" } " (the link works once, within an hour)." }
            p { "If it was not you, ignore this mail: your password stays as it is." }
        },
    }
}
