//! Login accounts and sessions.

use std::time::Duration;

use jiff::Timestamp;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::companies::{insert_company, CompanyRow};
use super::{dur_secs, secs, ts, Invalid, Result, Rule, Store, StoreError, Tx};
use crate::domain::{
    Account, AccountId, AccountLogin, Company, CompanyId, NewCompany, Role, Session, SessionId,
    SessionKind,
};

macro_rules! account_cols {
    () => {
        "id, company_id, email, role, created_at, confirmed"
    };
}

macro_rules! session_cols {
    () => {
        "id, account_id, company_id, kind, csrf_token, created_at, expires_at, \
         COALESCE(last_seen_at, created_at) AS last_seen_at"
    };
}

pub(super) const ACCOUNT_COLS: &str = account_cols!();

pub(super) const INSERT_ACCOUNT: &str = concat!(
    "INSERT INTO accounts (company_id, email, password_hash, role, created_at) \
     VALUES ($1, $2, $3, $4, $5) RETURNING ",
    account_cols!()
);

#[derive(sqlx::FromRow)]
pub(super) struct AccountRow {
    id: i64,
    company_id: i64,
    email: String,
    role: String,
    created_at: i64,
    confirmed: bool,
}

impl TryFrom<AccountRow> for Account {
    type Error = StoreError;
    fn try_from(r: AccountRow) -> Result<Account> {
        Ok(Account {
            id: AccountId(r.id),
            company_id: CompanyId(r.company_id),
            email: r.email,
            role: r.role.parse()?,
            created_at: ts(r.created_at)?,
            confirmed: r.confirmed,
        })
    }
}

#[derive(sqlx::FromRow)]
struct LoginRow {
    #[sqlx(flatten)]
    account: AccountRow,
    password_hash: String,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    account_id: i64,
    company_id: i64,
    kind: String,
    csrf_token: String,
    created_at: i64,
    expires_at: i64,
    last_seen_at: i64,
}

impl TryFrom<SessionRow> for Session {
    type Error = StoreError;
    fn try_from(r: SessionRow) -> Result<Session> {
        Ok(Session {
            id: SessionId(r.id),
            account_id: AccountId(r.account_id),
            company_id: CompanyId(r.company_id),
            kind: r.kind.parse()?,
            csrf_token: r.csrf_token,
            created_at: ts(r.created_at)?,
            expires_at: ts(r.expires_at)?,
            last_seen_at: ts(r.last_seen_at)?,
        })
    }
}

/// Emails compare case-insensitively; storing them lowercased lets a plain
/// UNIQUE index enforce that on both backends.
pub(super) fn normalize_email(email: &str) -> Result<String> {
    let email = email.trim().to_lowercase();
    if email.is_empty() || !email.contains('@') {
        return Err(Invalid::EmailMalformed.into());
    }
    Ok(email)
}

pub(super) fn email_taken(err: StoreError) -> StoreError {
    match err {
        StoreError::Conflict(_) => StoreError::Conflict(Rule::EmailRegistered),
        other => other,
    }
}

/// 32 random bytes from the OS, hex encoded.
pub(super) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Only this hash is stored, so a database leak does not leak live sessions.
pub(super) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new company and its owner account, inside the caller's transaction
/// (sign-up, confirmed or not). `email` is already normalised.
pub(super) async fn insert_company_and_owner(
    tx: &mut Tx,
    company: &NewCompany,
    email: &str,
    password_hash: &str,
    now: i64,
) -> Result<(CompanyRow, AccountRow)> {
    let company_row = insert_company(tx, company, now).await?;
    let account_row = on_tx!(tx, |conn| {
        sqlx::query_as::<_, AccountRow>(INSERT_ACCOUNT)
            .bind(company_row.id)
            .bind(email)
            .bind(password_hash)
            .bind(Role::Owner.as_str())
            .bind(now)
            .fetch_one(&mut *conn)
            .await?
    });
    Ok((company_row, account_row))
}

impl Store {
    /// Sign-up: creates the company and its owner account atomically, so a
    /// taken email leaves no orphan company behind.
    pub async fn create_company_with_owner(
        &self,
        company: &NewCompany,
        email: &str,
        password_hash: &str,
    ) -> Result<(Company, Account)> {
        let email = normalize_email(email)?;
        let now = self.now();
        let (company_row, account_row) = self
            .transaction(async |tx| {
                insert_company_and_owner(tx, company, &email, password_hash, now).await
            })
            .await
            .map_err(email_taken)?;
        Ok((company_row.try_into()?, account_row.try_into()?))
    }

    /// Adds an account to an existing company. `password_hash` is an
    /// argon2 PHC string; the store never hashes.
    pub async fn create_account(
        &self,
        company_id: CompanyId,
        email: &str,
        password_hash: &str,
        role: Role,
    ) -> Result<Account> {
        let email = normalize_email(email)?;
        let row: Result<AccountRow> = async {
            Ok(with_pool!(self, |pool| {
                sqlx::query_as(INSERT_ACCOUNT)
                    .bind(company_id.0)
                    .bind(&email)
                    .bind(password_hash)
                    .bind(role.as_str())
                    .bind(self.now())
                    .fetch_one(pool)
                    .await?
            }))
        }
        .await;
        row.map_err(email_taken)?.try_into()
    }

    pub async fn get_account(&self, account_id: AccountId) -> Result<Account> {
        let row: AccountRow = with_reader!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                account_cols!(),
                " FROM accounts WHERE id = $1"
            ))
            .bind(account_id.0)
            .fetch_one(pool)
            .await?
        });
        row.try_into()
    }

    /// For login: the account and its password hash, by email (any case).
    pub async fn account_login(&self, email: &str) -> Result<Option<AccountLogin>> {
        let Ok(email) = normalize_email(email) else {
            return Ok(None);
        };
        let row: Option<LoginRow> = with_reader!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                account_cols!(),
                ", password_hash FROM accounts WHERE email = $1"
            ))
            .bind(&email)
            .fetch_optional(pool)
            .await?
        });
        row.map(|r| {
            Ok(AccountLogin {
                account: r.account.try_into()?,
                password_hash: r.password_hash,
            })
        })
        .transpose()
    }

    pub async fn set_password_hash(
        &self,
        account_id: AccountId,
        password_hash: &str,
    ) -> Result<()> {
        let done = with_pool!(self, |pool| {
            sqlx::query("UPDATE accounts SET password_hash = $2 WHERE id = $1")
                .bind(account_id.0)
                .bind(password_hash)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Creates a session and returns its token (shown once, never stored)
    /// with the session. Fails with `NotFound` unless the account belongs
    /// to `company_id`.
    pub async fn create_session(
        &self,
        account_id: AccountId,
        company_id: CompanyId,
        kind: SessionKind,
        ttl: Duration,
    ) -> Result<(String, Session)> {
        let token = random_token();
        let now = self.now();
        let expires = now.saturating_add(dur_secs(ttl));
        // INSERT … SELECT inserts nothing when the account is not in the
        // company, which fetch_one reports as NotFound.
        let row: SessionRow = with_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "INSERT INTO sessions (token_hash, account_id, company_id, kind, csrf_token, created_at, expires_at, last_seen_at) \
                 SELECT $1, id, company_id, $4, $5, $6, $7, $6 FROM accounts WHERE id = $2 AND company_id = $3 \
                 RETURNING ",
                session_cols!()
            ))
            .bind(token_hash(&token))
            .bind(account_id.0)
            .bind(company_id.0)
            .bind(kind.as_str())
            .bind(random_token())
            .bind(now)
            .bind(expires)
            .fetch_one(pool)
            .await?
        });
        Ok((token, row.try_into()?))
    }

    /// The live session for a token; expired or unknown tokens give `None`.
    pub async fn session_by_token(&self, token: &str, now: Timestamp) -> Result<Option<Session>> {
        let row: Option<SessionRow> = with_reader!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                session_cols!(),
                " FROM sessions WHERE token_hash = $1 AND expires_at > $2"
            ))
            .bind(token_hash(token))
            .bind(secs(now))
            .fetch_optional(pool)
            .await?
        });
        row.map(TryInto::try_into).transpose()
    }

    /// Logs out. Deleting an unknown token is not an error.
    pub async fn delete_session(&self, token: &str) -> Result<()> {
        with_pool!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash(token))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Ends every session of an account (e.g. after a password change).
    pub async fn delete_account_sessions(&self, account_id: AccountId) -> Result<u64> {
        Ok(with_pool!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE account_id = $1")
                .bind(account_id.0)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }

    /// Notes that a session was used at `now`; written at most once a
    /// minute per session, so reads stay reads.
    pub async fn touch_session(&self, id: SessionId, now: Timestamp) -> Result<()> {
        let now = secs(now);
        with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE sessions SET last_seen_at = $2 \
                 WHERE id = $1 AND COALESCE(last_seen_at, created_at) < $3",
            )
            .bind(id.0)
            .bind(now)
            .bind(now - 60)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The account's live sessions and tokens, most recently used first.
    pub async fn account_sessions(
        &self,
        account_id: AccountId,
        now: Timestamp,
    ) -> Result<Vec<Session>> {
        let rows: Vec<SessionRow> = with_reader!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT ",
                session_cols!(),
                " FROM sessions WHERE account_id = $1 AND expires_at > $2 \
                 ORDER BY COALESCE(last_seen_at, created_at) DESC, id DESC LIMIT 1000"
            ))
            .bind(account_id.0)
            .bind(secs(now))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Ends one of the account's sessions; whether there was one.
    pub async fn delete_account_session(
        &self,
        account_id: AccountId,
        id: SessionId,
    ) -> Result<bool> {
        let done = with_pool!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE id = $1 AND account_id = $2")
                .bind(id.0)
                .bind(account_id.0)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done > 0)
    }

    /// Ends every session of an account but `keep` (after a password change
    /// the device that changed it stays signed in).
    pub async fn delete_other_sessions(
        &self,
        account_id: AccountId,
        keep: SessionId,
    ) -> Result<u64> {
        Ok(with_pool!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND id <> $2")
                .bind(account_id.0)
                .bind(keep.0)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }

    /// A password reset for the account at `email` (any case), if there is
    /// one: its token (handed out once, only its hash stored), valid for
    /// `ttl` and once. Earlier unused tokens of the account stop working.
    pub async fn create_password_reset(
        &self,
        email: &str,
        ttl: Duration,
    ) -> Result<Option<(Account, String)>> {
        let Some(login) = self.account_login(email).await? else {
            return Ok(None);
        };
        let account = login.account;
        let token = random_token();
        let now = self.now();
        let hash = token_hash(&token);
        self.transaction(async |tx| {
            on_tx!(tx, |conn| {
                sqlx::query(
                    "UPDATE password_resets SET used_at = $2 \
                     WHERE account_id = $1 AND used_at IS NULL",
                )
                .bind(account.id.0)
                .bind(now)
                .execute(&mut *conn)
                .await?;
                sqlx::query(
                    "INSERT INTO password_resets (account_id, token_hash, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(account.id.0)
                .bind(&hash)
                .bind(now)
                .bind(now.saturating_add(dur_secs(ttl)))
                .execute(&mut *conn)
                .await?;
            });
            Ok(())
        })
        .await?;
        Ok(Some((account, token)))
    }

    /// Uses a reset token: sets the new password hash and ends every
    /// session of the account, atomically. `None` for a token that is
    /// unknown, used or expired.
    pub async fn use_password_reset(
        &self,
        token: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> Result<Option<AccountId>> {
        let hash = token_hash(token);
        let now = secs(now);
        self.transaction(async |tx| {
            let account: Option<(i64,)> = on_tx!(tx, |conn| {
                sqlx::query_as(
                    "UPDATE password_resets SET used_at = $2 \
                     WHERE token_hash = $1 AND purpose = 'reset' AND used_at IS NULL \
                       AND expires_at > $2 \
                     RETURNING account_id",
                )
                .bind(&hash)
                .bind(now)
                .fetch_optional(&mut *conn)
                .await?
            });
            let Some((account,)) = account else {
                return Ok(None);
            };
            on_tx!(tx, |conn| {
                // Opening the mailed link proves the mailbox, as a
                // sign-up's confirmation does.
                sqlx::query(
                    "UPDATE accounts SET password_hash = $2, confirmed = TRUE WHERE id = $1",
                )
                .bind(account)
                .bind(password_hash)
                .execute(&mut *conn)
                .await?;
                sqlx::query("DELETE FROM sessions WHERE account_id = $1")
                    .bind(account)
                    .execute(&mut *conn)
                    .await?;
            });
            Ok(Some(AccountId(account)))
        })
        .await
    }

    /// Housekeeping: removes expired sessions, returns how many.
    pub async fn delete_expired_sessions(&self, now: Timestamp) -> Result<u64> {
        Ok(with_pool!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(secs(now))
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }
}
