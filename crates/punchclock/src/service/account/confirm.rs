//! Sign-up with mail on (issue 11 item 8): the answer never tells whether
//! an email is registered. Both a free and a taken email hash the password,
//! write and queue one mail, and answer "check your mail"; a free one gets
//! the link that confirms the new account, the owner of a taken one a note
//! to log in or reset the password instead.

use std::time::Duration;

use super::Accounts;
use crate::domain::{Account, Email, NewCompany, Recipient};
use crate::mail::Composer;
use crate::service::error::{ServiceError, ServiceResult};
use crate::service::throttle::Client;
use crate::store::{Rule, StoreError};

/// How long a sign-up's confirmation link works (once).
pub const CONFIRM_TTL: Duration = Duration::from_secs(24 * 3600);

const BAD_TOKEN: &str =
    "This confirmation link is not valid, was used or has expired. Sign up again for a new one.";

/// What a sign-up gives.
#[derive(Debug)]
pub enum SignedUp {
    /// Mail is off: the account, to sign in at once.
    Account(Account),
    /// Mail is on: the same answer for every email; the link is mailed.
    CheckMail,
}

impl Accounts<'_> {
    /// The sign-up of [`Accounts::sign_up`] when mail is on; `hash` is the
    /// new password's, already hashed (for taken emails too, so both take
    /// as long).
    pub(super) async fn sign_up_by_mail(
        &self,
        composer: &Composer,
        company: &NewCompany,
        email: &Email,
        hash: &str,
    ) -> ServiceResult<()> {
        let store = &self.0.store;
        let confirm = |account: &Account, token: &str| {
            let link = composer.link(&format!("/signup/confirm/{token}"));
            let draft = crate::mail::signup::confirm(&account.email, &company.name, &link);
            composer.address(
                &draft,
                &account.email,
                Recipient::Account(account.id),
                None,
                None,
            )
        };
        let mail = match store.account_login(email.as_str()).await? {
            Some(login) if login.account.confirmed => {
                let a = login.account;
                let login = composer.link("/login");
                let forgot = composer.link("/password/forgot");
                let draft = crate::mail::signup::taken(&a.email, &login, &forgot);
                Some((
                    a.company_id,
                    composer.address(&draft, &a.email, Recipient::Account(a.id), None, None),
                ))
            }
            Some(login) => {
                let a = login.account;
                let renewed = store
                    .renew_unconfirmed_signup(a.id, company, hash, CONFIRM_TTL)
                    .await?;
                renewed.map(|token| (a.company_id, confirm(&a, &token)))
            }
            None => {
                let made = store
                    .create_unconfirmed_signup(company, email.as_str(), hash, CONFIRM_TTL)
                    .await;
                match made {
                    Ok((a, token)) => Some((a.company_id, confirm(&a, &token))),
                    // Another sign-up for it won the race: its mail tells.
                    Err(StoreError::Conflict(Rule::EmailRegistered)) => None,
                    Err(e) => return Err(e.into()),
                }
            }
        };
        if let Some((company_id, mail)) = mail {
            store.queue_mail(company_id, &[mail]).await?;
        }
        Ok(())
    }

    /// Confirms a sign-up with the token from its mail; the account, to
    /// sign in. The token works once, within [`CONFIRM_TTL`].
    pub async fn confirm_sign_up(&self, from: Client, token: &str) -> ServiceResult<Account> {
        let s = self.0;
        s.throttle.attempt(from, None)?;
        let shaped = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
        if !shaped {
            return Err(ServiceError::field("token", BAD_TOKEN));
        }
        match s.store.confirm_signup(token, s.clock.now()).await? {
            Some(account) => Ok(account),
            None => Err(ServiceError::field("token", BAD_TOKEN)),
        }
    }
}
