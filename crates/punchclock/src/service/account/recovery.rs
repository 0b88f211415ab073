//! Changing a password, and resetting a forgotten one by a token sent by
//! mail. Both end the account's other sessions, so whoever held an old
//! one is out. Every attempt is throttled like a login.

use std::time::Duration;

use super::Accounts;
use crate::domain::{Email, Password, Recipient};
use crate::service::error::{ServiceError, ServiceResult};
use crate::service::sessions::SignedIn;
use crate::service::throttle::Client;

/// How long a reset link works (once).
pub const RESET_TTL: Duration = Duration::from_secs(3600);

const BAD_TOKEN: &str = "This reset link is not valid, was used or has expired. Ask for a new one.";

/// A password change as typed.
#[derive(Debug, Clone, Default)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

fn new_password(field: &str, typed: &str) -> ServiceResult<Password> {
    Password::parse(typed).map_err(|e| ServiceError::field(field, e))
}

/// A token is 64 hex digits; anything else is refused before any lookup.
fn token_shape(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Accounts<'_> {
    /// Changes the signed-in account's password after checking the current
    /// one; every other session and token of the account ends.
    pub async fn change_password(
        &self,
        from: Client,
        user: &SignedIn,
        change: &PasswordChange,
    ) -> ServiceResult<()> {
        let s = self.0;
        s.throttle.attempt(from, Some(&user.email))?;
        let password = new_password("new_password", &change.new_password)?;
        let login = s.store.account_login(&user.email).await?;
        let Some(login) = login.filter(|l| l.account.id == user.caller.account_id) else {
            return Err(ServiceError::NotFound);
        };
        let current = change.current_password.clone();
        if !s.hashing.verify(current, login.password_hash).await? {
            return Err(ServiceError::field(
                "current_password",
                "The current password is not right.",
            ));
        }
        let hash = s.hashing.hash(password.expose().to_owned()).await?;
        let id = user.caller.account_id;
        s.store.set_password_hash(id, &hash).await?;
        s.store.delete_other_sessions(id, user.session_id).await?;
        Ok(())
    }

    /// Mails a reset link to `email` if it has an account. The answer is
    /// the same whether or not it has one (and whether mail is on), so
    /// nobody learns which emails are registered.
    pub async fn request_password_reset(&self, from: Client, email: &str) -> ServiceResult<()> {
        let s = self.0;
        // A malformed address is refused whether or not it has an account,
        // so the answer still says nothing about which emails exist.
        let email = Email::parse(email).map_err(|e| ServiceError::field("email", e))?;
        let email = email.as_str();
        s.throttle.attempt(from, Some(email))?;
        let Some(composer) = &s.mail else {
            tracing::warn!("a password reset was asked for, but mail is off (smtp_url)");
            return Ok(());
        };
        let Some((account, token)) = s.store.create_password_reset(email, RESET_TTL).await? else {
            return Ok(());
        };
        let link = composer.link(&format!("/password/reset/{token}"));
        let draft = crate::mail::reset::draft(&account.email, &link);
        let mail = composer.address(
            &draft,
            &account.email,
            Recipient::Account(account.id),
            None,
            None,
        );
        s.store.queue_mail(account.company_id, &[mail]).await?;
        Ok(())
    }

    /// Sets a new password with a reset token; every session of the
    /// account ends. The token works once, within [`RESET_TTL`].
    pub async fn reset_password(
        &self,
        from: Client,
        token: &str,
        password: &str,
    ) -> ServiceResult<()> {
        let s = self.0;
        s.throttle.attempt(from, None)?;
        let password = new_password("password", password)?;
        if !token_shape(token) {
            return Err(ServiceError::field("token", BAD_TOKEN));
        }
        let hash = s.hashing.hash(password.expose().to_owned()).await?;
        let now = s.clock.now();
        match s.store.use_password_reset(token, &hash, now).await? {
            Some(_) => Ok(()),
            None => Err(ServiceError::field("token", BAD_TOKEN)),
        }
    }
}
