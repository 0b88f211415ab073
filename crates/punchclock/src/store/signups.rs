//! Sign-ups confirmed by mail (issue 11 item 8: sign-up must not tell
//! whether an email is registered). The company and its owner are made at
//! once, unconfirmed: the owner cannot log in until the link mailed to the
//! address is opened. Another sign-up for an address still unconfirmed
//! takes its place (company name, zone, password, a new link), so nobody
//! can hold an address whose mail they do not read.

use std::time::Duration;

use jiff::Timestamp;

use super::accounts::{
    email_taken, insert_company_and_owner, normalize_email, random_token, token_hash, AccountRow,
    ACCOUNT_COLS,
};
use super::{dur_secs, secs, Result, Store, Tx};
use crate::domain::{Account, AccountId, NewCompany};

/// Issues a confirmation token for the account (only its hash is kept);
/// earlier unused ones stop working.
async fn issue_token(tx: &mut Tx, account: i64, now: i64, ttl: Duration) -> Result<String> {
    let token = random_token();
    on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE password_resets SET used_at = $2 \
             WHERE account_id = $1 AND purpose = 'confirm' AND used_at IS NULL",
        )
        .bind(account)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO password_resets (account_id, token_hash, created_at, expires_at, purpose) \
             VALUES ($1, $2, $3, $4, 'confirm')",
        )
        .bind(account)
        .bind(token_hash(&token))
        .bind(now)
        .bind(now.saturating_add(dur_secs(ttl)))
        .execute(&mut *conn)
        .await?;
    });
    Ok(token)
}

impl Store {
    /// A new company and its owner, unconfirmed, and the token of the link
    /// that confirms it (valid for `ttl`, once). `Conflict(EmailRegistered)`
    /// when the email has an account.
    pub async fn create_unconfirmed_signup(
        &self,
        company: &NewCompany,
        email: &str,
        password_hash: &str,
        ttl: Duration,
    ) -> Result<(Account, String)> {
        let email = normalize_email(email)?;
        let now = self.now();
        let (row, token) = self
            .transaction(async |tx| {
                let (_, row) =
                    insert_company_and_owner(tx, company, &email, password_hash, now).await?;
                let account: Account = row.try_into()?;
                on_tx!(tx, |conn| {
                    sqlx::query("UPDATE accounts SET confirmed = FALSE WHERE id = $1")
                        .bind(account.id.0)
                        .execute(&mut *conn)
                        .await?;
                });
                let token = issue_token(tx, account.id.0, now, ttl).await?;
                Ok((account, token))
            })
            .await
            .map_err(email_taken)?;
        Ok((
            Account {
                confirmed: false,
                ..row
            },
            token,
        ))
    }

    /// Gives an unconfirmed sign-up the company name, zone and password of
    /// a new one for the same address, and a new link (the older ones stop
    /// working). `Ok(None)` if the account was confirmed meanwhile.
    pub async fn renew_unconfirmed_signup(
        &self,
        account: AccountId,
        company: &NewCompany,
        password_hash: &str,
        ttl: Duration,
    ) -> Result<Option<String>> {
        let now = self.now();
        self.transaction(async |tx| {
            let renewed = on_tx!(tx, |conn| {
                sqlx::query(
                    "UPDATE accounts SET password_hash = $2 WHERE id = $1 AND NOT confirmed",
                )
                .bind(account.0)
                .bind(password_hash)
                .execute(&mut *conn)
                .await?
                .rows_affected()
            });
            if renewed == 0 {
                return Ok(None);
            }
            on_tx!(tx, |conn| {
                sqlx::query(
                    "UPDATE companies SET name = $2, timezone = $3 \
                     WHERE id = (SELECT company_id FROM accounts WHERE id = $1)",
                )
                .bind(account.0)
                .bind(company.name.trim())
                .bind(company.timezone.name())
                .execute(&mut *conn)
                .await?;
            });
            Ok(Some(issue_token(tx, account.0, now, ttl).await?))
        })
        .await
    }

    /// Uses a sign-up's confirmation token: the account is confirmed and
    /// returned. `None` for a token that is unknown, used or expired.
    pub async fn confirm_signup(&self, token: &str, now: Timestamp) -> Result<Option<Account>> {
        let hash = token_hash(token);
        let now = secs(now);
        self.transaction(async |tx| {
            let account: Option<i64> = on_tx!(tx, |conn| {
                sqlx::query_scalar(
                    "UPDATE password_resets SET used_at = $2 \
                     WHERE token_hash = $1 AND purpose = 'confirm' AND used_at IS NULL \
                       AND expires_at > $2 \
                     RETURNING account_id",
                )
                .bind(&hash)
                .bind(now)
                .fetch_optional(&mut *conn)
                .await?
            });
            let Some(account) = account else {
                return Ok(None);
            };
            let confirm = format!(
                "UPDATE accounts SET confirmed = TRUE WHERE id = $1 RETURNING {ACCOUNT_COLS}"
            );
            let row: AccountRow = on_tx!(tx, |conn| {
                sqlx::query_as(&confirm)
                    .bind(account)
                    .fetch_one(&mut *conn)
                    .await?
            });
            Ok(Some(row.try_into()?))
        })
        .await
    }
}
