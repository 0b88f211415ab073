//! The operator's mail settings: where to send through, and as whom.

use lettre::message::Mailbox;

/// Mail settings, valid. `smtp_url` keeps its password: never log it.
#[derive(Clone)]
pub struct MailSettings {
    /// A lettre SMTP URL with the TLS mode spelled out.
    pub(crate) smtp_url: String,
    pub from: Mailbox,
    /// The base of links in mail (`https://punchclock.example.com`).
    pub public_url: String,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("smtp", &self.server())
            .field("from", &self.from.to_string())
            .field("public_url", &self.public_url)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailSettingsError {
    #[error("smtp_url must start with smtp:// (STARTTLS) or smtps:// (TLS)")]
    Scheme,
    #[error("smtp_url has no host")]
    Host,
    #[error("smtp_url: tls= must be required, opportunistic or none")]
    TlsMode,
    #[error("mail_from must be an address like Punchclock <reports@example.com>")]
    From,
}

impl MailSettings {
    /// `None` when `smtp_url` is empty: mail is off.
    ///
    /// `smtp://user:pass@host:587` requires STARTTLS; `?tls=opportunistic`
    /// or `?tls=none` relax that (a relay on the same host).
    /// `smtps://host:465` is TLS from the first byte.
    pub fn parse(
        smtp_url: &str,
        mail_from: &str,
        public_url: &str,
    ) -> Result<Option<MailSettings>, MailSettingsError> {
        let url = smtp_url.trim();
        if url.is_empty() {
            return Ok(None);
        }
        let (scheme, rest) = url.split_once("://").ok_or(MailSettingsError::Scheme)?;
        let (authority, query) = rest.split_once('?').unwrap_or((rest, ""));
        let host = authority.rsplit('@').next().unwrap_or_default();
        if host.split(':').next().unwrap_or_default().is_empty() {
            return Err(MailSettingsError::Host);
        }
        let smtp_url = match scheme {
            "smtps" => url.to_owned(),
            "smtp" => with_tls_mode(url, query)?,
            _ => return Err(MailSettingsError::Scheme),
        };
        let from: Mailbox = mail_from
            .trim()
            .parse()
            .map_err(|_| MailSettingsError::From)?;
        Ok(Some(MailSettings {
            smtp_url,
            from,
            public_url: public_url.trim_end_matches('/').to_owned(),
        }))
    }

    /// `host:port` without credentials, for messages.
    pub fn server(&self) -> String {
        let rest = self.smtp_url.split_once("://").map_or("", |(_, r)| r);
        let authority = rest.split(['?', '/']).next().unwrap_or_default();
        authority.rsplit('@').next().unwrap_or_default().to_owned()
    }

    /// The domain Message-IDs are made in: the sender's.
    pub fn domain(&self) -> &str {
        self.from.email.domain()
    }
}

/// `smtp://` defaults to STARTTLS required; an explicit mode is checked.
/// lettre spells "no TLS" as no `tls` parameter at all.
fn with_tls_mode(url: &str, query: &str) -> Result<String, MailSettingsError> {
    let base = url.split('?').next().unwrap_or(url);
    let mut params: Vec<&str> = Vec::new();
    let mut mode = "required";
    for kv in query.split('&').filter(|kv| !kv.is_empty()) {
        match kv.strip_prefix("tls=") {
            Some(m @ ("required" | "opportunistic" | "none")) => mode = m,
            Some(_) => return Err(MailSettingsError::TlsMode),
            None => params.push(kv),
        }
    }
    if mode != "none" {
        params.push(if mode == "required" {
            "tls=required"
        } else {
            "tls=opportunistic"
        });
    }
    Ok(match params.is_empty() {
        true => base.to_owned(),
        false => format!("{base}?{}", params.join("&")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FROM: &str = "Punchclock <reports@example.com>";

    #[test]
    fn off_without_a_url() {
        assert!(MailSettings::parse("", FROM, "").unwrap().is_none());
    }

    #[test]
    fn starttls_is_required_unless_relaxed() {
        let s = MailSettings::parse(
            "smtp://u:p@mail.example.com:587",
            FROM,
            "https://pc.example/",
        )
        .unwrap()
        .unwrap();
        assert_eq!(s.smtp_url, "smtp://u:p@mail.example.com:587?tls=required");
        assert_eq!(s.server(), "mail.example.com:587");
        assert_eq!(s.public_url, "https://pc.example");
        assert_eq!(s.domain(), "example.com");
        assert!(!format!("{s:?}").contains(":p@"), "password never shown");
        let relay = MailSettings::parse("smtp://127.0.0.1:2525?tls=none", FROM, "").unwrap();
        assert_eq!(relay.unwrap().smtp_url, "smtp://127.0.0.1:2525");
        let tls = MailSettings::parse("smtps://u:p@mail.example.com", FROM, "").unwrap();
        assert_eq!(tls.unwrap().smtp_url, "smtps://u:p@mail.example.com");
    }

    #[test]
    fn bad_settings_say_what_is_wrong() {
        let e = |u: &str, f: &str| MailSettings::parse(u, f, "").unwrap_err();
        assert_eq!(e("http://x", FROM), MailSettingsError::Scheme);
        assert_eq!(e("smtp://", FROM), MailSettingsError::Host);
        assert_eq!(e("smtp://h?tls=maybe", FROM), MailSettingsError::TlsMode);
        assert_eq!(e("smtp://h", "not an address"), MailSettingsError::From);
    }
}
