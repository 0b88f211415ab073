//! Turning what is to be said into a mail for the outbox: the Message-ID
//! fixed now (so a retry carries the same), the unsubscribe link and its
//! token, links into the app, and a plain HTML frame around the body.

use maud::{html, Markup, PreEscaped, DOCTYPE};
use rand::RngCore;

use super::MailSettings;
use crate::domain::{MailKind, MailList, NewMail, Recipient, Unsubscribe};

/// Builds mails with the operator's settings.
#[derive(Debug, Clone)]
pub struct Composer {
    settings: MailSettings,
}

/// What a mail says, before it is addressed.
#[derive(Debug, Clone)]
pub struct Draft {
    pub kind: MailKind,
    pub subject: String,
    /// The plain-text body, without the footer.
    pub text: String,
    /// The HTML body (inside the frame), without the footer.
    pub html: Markup,
}

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

impl Composer {
    pub fn new(settings: MailSettings) -> Composer {
        Composer { settings }
    }

    pub fn settings(&self) -> &MailSettings {
        &self.settings
    }

    /// An absolute link into the app.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.settings.public_url)
    }

    /// Addresses `draft` to one person. With `list`, the mail carries a
    /// one-click unsubscribe link (a fresh token, stored hashed).
    pub fn address(
        &self,
        draft: &Draft,
        to: &str,
        recipient: Recipient,
        list: Option<MailList>,
        dedupe_key: Option<String>,
    ) -> NewMail {
        let unsubscribe = list.map(|list| {
            let token = random_hex(24);
            Unsubscribe {
                list,
                url: self.link(&format!("/unsubscribe/{token}")),
                token,
            }
        });
        let footer_text = footer_text(unsubscribe.as_ref());
        let footer_html = footer_html(unsubscribe.as_ref());
        NewMail {
            kind: draft.kind,
            dedupe_key,
            to: to.to_owned(),
            recipient,
            message_id: format!("<{}@{}>", random_hex(16), self.settings.domain()),
            subject: draft.subject.clone(),
            text: format!("{}\n\n-- \n{footer_text}\n", draft.text.trim_end()),
            html: frame(&draft.subject, &draft.html, footer_html),
            unsubscribe,
        }
    }
}

fn footer_text(u: Option<&Unsubscribe>) -> String {
    match u {
        Some(u) => format!("Sent by Punchclock. To stop these emails, open {}", u.url),
        None => "Sent by Punchclock.".into(),
    }
}

fn footer_html(u: Option<&Unsubscribe>) -> Markup {
    html! {
        p style="color:#667;font-size:12px;margin-top:24px" {
            "Sent by Punchclock."
            @if let Some(u) = u {
                " " a href=(u.url) { "Unsubscribe" } " from these emails."
            }
        }
    }
}

/// A whole HTML document: inline styles only (mail clients drop the rest).
fn frame(title: &str, body: &Markup, footer: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { (title) } }
            body style="font-family:Arial,Helvetica,sans-serif;color:#1b1f24;max-width:640px" {
                (PreEscaped(body.0.as_str()))
                (footer)
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::EmployeeId;

    fn composer() -> Composer {
        let s = MailSettings::parse(
            "smtp://127.0.0.1:25?tls=none",
            "Punchclock <reports@example.com>",
            "https://pc.example",
        )
        .unwrap()
        .unwrap();
        Composer::new(s)
    }

    #[test]
    fn addressed_mail_has_an_id_and_a_working_footer() {
        let draft = Draft {
            kind: MailKind::DailyReport,
            subject: "Your day".into(),
            text: "Worked 8 h".into(),
            html: html! { p { "Worked <8> h" } },
        };
        let who = Recipient::Employee(EmployeeId(4));
        let m = composer().address(
            &draft,
            "ana@x.example",
            who,
            Some(MailList::DailyReport),
            None,
        );
        assert!(m.message_id.starts_with('<') && m.message_id.ends_with("@example.com>"));
        let u = m.unsubscribe.clone().unwrap();
        assert_eq!(u.url, format!("https://pc.example/unsubscribe/{}", u.token));
        assert!(m.text.contains(&u.url) && m.text.starts_with("Worked 8 h"));
        assert!(m.html.contains(&u.url) && m.html.contains("Worked &lt;8&gt; h"));
        let other = composer().address(&draft, "ana@x.example", who, None, None);
        assert_ne!(other.message_id, m.message_id);
        assert!(other.unsubscribe.is_none() && !other.text.contains("unsubscribe"));
    }
}
