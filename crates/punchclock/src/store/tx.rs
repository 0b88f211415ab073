//! Transactions whose commit cannot be skipped.
//!
//! The work of a transaction is an async closure returning `Result`: the
//! commit happens if and only if it returns `Ok`. A `return` or `?` inside
//! it only ends the closure, so no early exit can leave the transaction
//! uncommitted by accident; an error drops the transaction, which rolls it
//! back.

use super::{Backend, Result, Store};

/// An open transaction on whichever backend is active. Statements reach
/// its connection through `on_tx!`.
pub(crate) enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Store {
    /// Runs `work` in one transaction, committed when it returns `Ok`.
    pub(crate) async fn transaction<T>(
        &self,
        work: impl AsyncFnOnce(&mut Tx) -> Result<T>,
    ) -> Result<T> {
        let mut tx = match &self.backend {
            // IMMEDIATE takes the write lock up front: a deferred
            // transaction that reads first can fail with SQLITE_BUSY when it
            // later tries to write under WAL.
            Backend::Sqlite(pools) => Tx::Sqlite(pools.writer.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        };
        let out = work(&mut tx).await?;
        match tx {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(out)
    }
}
