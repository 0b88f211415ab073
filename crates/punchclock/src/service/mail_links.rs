//! Unsubscribe links from mail: they work without login, by token.

use super::error::ServiceResult;
use super::services::Services;
use crate::store::UnsubscribeTarget;

impl Services {
    pub fn mail_links(&self) -> MailLinks<'_> {
        MailLinks(self)
    }
}

/// See [`Services::mail_links`].
pub struct MailLinks<'a>(&'a Services);

impl MailLinks<'_> {
    /// Whom and what a token is for; `None` for an unknown token.
    pub async fn target(&self, token: &str) -> ServiceResult<Option<UnsubscribeTarget>> {
        if !plausible(token) {
            return Ok(None);
        }
        Ok(self.0.store.unsubscribe_target(token).await?)
    }

    /// Turns that mail off for the person. Idempotent.
    pub async fn unsubscribe(&self, token: &str) -> ServiceResult<Option<UnsubscribeTarget>> {
        if !plausible(token) {
            return Ok(None);
        }
        Ok(self.0.store.unsubscribe(token).await?)
    }
}

/// Tokens are 48 hex digits; anything else is not looked up.
fn plausible(token: &str) -> bool {
    token.len() == 48 && token.bytes().all(|b| b.is_ascii_hexdigit())
}
