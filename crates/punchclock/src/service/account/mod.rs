//! Accounts: signing up (a company on a trial, with its owner), logging in,
//! sessions, and the password hashing behind them.

pub mod confirm;
pub mod password;
pub mod recovery;

use super::error::{ServiceError, ServiceResult};
use super::fields::FieldErrors;
use super::services::Services;
use super::throttle::Client;
use super::zone;
use crate::domain::{Account, CompanyName, Email, NewCompany, Password, Zone};
use crate::store::{Rule, StoreError};

pub use self::confirm::SignedUp;

/// Sign-up as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignupInput {
    pub company: String,
    pub email: String,
    pub password: String,
    pub timezone: String,
}

/// Sign-up, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signup {
    pub company: CompanyName,
    pub email: Email,
    pub password: Password,
    pub timezone: Zone,
}

impl SignupInput {
    pub fn parse(&self) -> Result<Signup, FieldErrors> {
        let mut e = FieldErrors::default();
        let company = e.check("company", CompanyName::parse(&self.company));
        let email = e.check("email", Email::parse(&self.email));
        let password = e.check("password", Password::parse(&self.password));
        let timezone = e.check("timezone", zone::parse(&self.timezone));
        e.finish(|| {
            Some(Signup {
                company: company?,
                email: email?,
                password: password?,
                timezone: timezone?,
            })
        })
    }
}

impl Services {
    pub fn account(&self) -> Accounts<'_> {
        Accounts(self)
    }
}

/// Account operations; see [`Services::account`].
pub struct Accounts<'a>(&'a Services);

impl Accounts<'_> {
    /// Create a company on a trial of the smallest plan, with its owner.
    ///
    /// With mail on, the answer is [`SignedUp::CheckMail`] whether or not
    /// the email has an account (see `confirm.rs`): a new one is confirmed
    /// by a mailed link, the owner of a taken one gets a mail instead.
    /// Without mail nobody can be told, so an email already registered (in
    /// any case) is a conflict on `email`, and the account is signed up
    /// at once.
    pub async fn sign_up(&self, from: Client, signup: Signup) -> ServiceResult<SignedUp> {
        self.0.throttle.attempt(from, Some(signup.email.as_str()))?;
        let hashing = &self.0.hashing;
        let hash = hashing.hash(signup.password.expose().to_owned()).await?;
        let trial = self.0.billing.trial_start();
        let company = NewCompany {
            name: signup.company.into_string(),
            timezone: signup.timezone,
            poll_interval_minutes: Some(self.0.settings.poll_interval_minutes),
            plan: trial.plan,
            seats: trial.seats,
            trial_ends_at: trial.trial_ends_at,
        };
        if let Some(composer) = &self.0.mail {
            self.sign_up_by_mail(composer, &company, &signup.email, &hash)
                .await?;
            return Ok(SignedUp::CheckMail);
        }
        let created = self
            .0
            .store
            .create_company_with_owner(&company, signup.email.as_str(), &hash)
            .await;
        match created {
            Ok((_, account)) => Ok(SignedUp::Account(account)),
            Err(StoreError::Conflict(Rule::EmailRegistered)) => Err(ServiceError::conflict(
                "email",
                "An account with this email already exists. Log in instead.",
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Check an email and password; the account on success. An unknown
    /// email and a wrong password look and take the same. Attempts are
    /// limited per address and per email before anything is hashed, so
    /// guessing stops after a few tries (and the right password waits too).
    pub async fn authenticate(
        &self,
        from: Client,
        email: &str,
        password: &str,
    ) -> ServiceResult<Account> {
        self.0.throttle.attempt(from, Some(email))?;
        let login = self.0.store.account_login(email).await?;
        let (account, hash) = match login {
            Some(l) => (Some(l.account), l.password_hash),
            None => (None, password::dummy_hash().to_owned()),
        };
        let ok = self.0.hashing.verify(password.to_owned(), hash).await?;
        match account {
            Some(a) if ok && !a.confirmed => Err(ServiceError::conflict(
                "login",
                "Confirm your email first: open the link we mailed you when you signed up.",
            )),
            Some(a) if ok => Ok(a),
            _ => Err(ServiceError::InvalidCredentials),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signup_reports_every_field() {
        let bad = SignupInput {
            company: " ".into(),
            email: "nope".into(),
            password: "short".into(),
            timezone: "Mars/Base".into(),
        };
        let e = bad.parse().unwrap_err();
        for f in ["company", "email", "password", "timezone"] {
            assert!(e.get(f).is_some(), "{f}: {e}");
        }
        assert!(e.get("password").unwrap().contains("8 characters"));
        let ok = SignupInput {
            company: "Acme".into(),
            email: "Owner@Acme.example.com".into(),
            password: "correct horse".into(),
            timezone: "Europe/Berlin".into(),
        }
        .parse()
        .unwrap();
        assert_eq!(ok.email.as_str(), "Owner@Acme.example.com");
    }
}
