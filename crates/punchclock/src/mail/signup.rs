//! Sign-up mails: the link that confirms a new account, and, to the owner
//! of an address that already has one, a note that someone tried (sign-up
//! answers alike either way, so this mail is where the difference shows).

use maud::html;

use super::compose::Draft;
use crate::domain::MailKind;

/// The confirmation mail for a new sign-up, with the absolute `link`.
pub fn confirm(email: &str, company: &str, link: &str) -> Draft {
    Draft {
        kind: MailKind::SignupConfirm,
        subject: "Confirm your Punchclock account".into(),
        text: format!(
            "Someone signed up for Punchclock as {email} for the company \"{company}\".\n\n\
             To confirm it and sign in, open this link within a day:\n{link}\n\n\
             If it was not you, ignore this mail: no account is opened without it."
        ),
        html: html! {
            p { "Someone signed up for Punchclock as " (email) " for the company “" (company) "”." }
            p { a href=(link) { "Confirm and sign in" } " (the link works once, within a day)." }
            p { "If it was not you, ignore this mail: no account is opened without it." }
        },
    }
}

/// To the owner of `email`, which already has an account: log in, or
/// reset the password, instead.
pub fn taken(email: &str, login: &str, forgot: &str) -> Draft {
    Draft {
        kind: MailKind::SignupTaken,
        subject: "You already have a Punchclock account".into(),
        text: format!(
            "Someone tried to sign up for Punchclock as {email}, which already has an account.\n\n\
             If it was you, log in instead:\n{login}\n\n\
             Forgot your password? Choose a new one here:\n{forgot}\n\n\
             If it was not you, ignore this mail: nothing was changed."
        ),
        html: html! {
            p { "Someone tried to sign up for Punchclock as " (email) ", which already has an account." }
            p { "If it was you, " a href=(login) { "log in" } " instead, or " a href=(forgot) { "choose a new password" } "." }
            p { "If it was not you, ignore this mail: nothing was changed." }
        },
    }
}
