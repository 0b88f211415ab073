//! One message over SMTP, and what the server's answer means.

use std::time::{Duration, SystemTime};

use jiff::Timestamp;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::MailSettings;
use crate::domain::OutboxMail;

/// Every SMTP step gets this long.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// How one send went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendResult {
    Sent,
    /// Worth trying again later (network, 4xx, our login refused).
    Temporary(String),
    /// The server refused this address for good (550/551/553).
    Bounced(String),
    /// Refused for good for another reason (the content, a policy).
    Refused(String),
}

/// An SMTP client with a small connection pool.
#[derive(Clone)]
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Smtp {
    pub fn new(settings: &MailSettings, connections: u32) -> Result<Smtp, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
            .map_err(|e| format!("smtp_url: {e}"))?
            .timeout(Some(STEP_TIMEOUT))
            .pool_config(PoolConfig::new().max_size(connections.max(1)))
            .build();
        Ok(Smtp {
            transport,
            from: settings.from.clone(),
        })
    }

    /// Sends `mail`, stamped with `date`.
    pub async fn send(&self, mail: &OutboxMail, date: Timestamp) -> SendResult {
        let message = match message(mail, &self.from, date) {
            Ok(m) => m,
            Err(e) => return SendResult::Refused(e),
        };
        match self.transport.send(message).await {
            Ok(_) => SendResult::Sent,
            Err(e) => classify(&e),
        }
    }
}

/// The message as it goes on the wire: plain text and HTML alternatives,
/// the outbox's Message-ID, and one-click unsubscribe (RFC 8058).
pub fn message(mail: &OutboxMail, from: &Mailbox, date: Timestamp) -> Result<Message, String> {
    let to: Mailbox = mail
        .to
        .parse()
        .map_err(|e| format!("the address {:?} cannot be used: {e}", mail.to))?;
    let mut b = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(mail.message_id.clone()))
        .date(SystemTime::from(date))
        .raw_header(raw("Auto-Submitted", "auto-generated".into()))
        .raw_header(raw("X-Punchclock-Kind", mail.kind.as_str().into()));
    if let Some(url) = &mail.unsubscribe_url {
        b = b
            .raw_header(raw("List-Unsubscribe", format!("<{url}>")))
            .raw_header(raw(
                "List-Unsubscribe-Post",
                "List-Unsubscribe=One-Click".into(),
            ));
    }
    b.multipart(MultiPart::alternative_plain_html(
        mail.text.clone(),
        mail.html.clone(),
    ))
    .map_err(|e| format!("the message cannot be built: {e}"))
}

fn raw(name: &'static str, value: String) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
}

/// Permanent refusals of the mailbox bounce; other permanent ones are
/// refused; everything else (network, 4xx, login) is tried again.
fn classify(e: &lettre::transport::smtp::Error) -> SendResult {
    let text = e.to_string();
    let code = e.status().map(|c| c.to_string());
    match code.as_deref() {
        Some("550" | "551" | "553") if e.is_permanent() => SendResult::Bounced(text),
        // 530/535: our login or TLS is refused, an operator's fix away.
        Some("530" | "534" | "535") => SendResult::Temporary(text),
        Some(_) if e.is_permanent() => SendResult::Refused(text),
        _ => SendResult::Temporary(text),
    }
}
