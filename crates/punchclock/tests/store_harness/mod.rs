//! The store-test harness: each test body is written once and runs on a
//! fresh SQLite file and on a fresh PostgreSQL database (`store_tests!`).
//! The PostgreSQL copies need `PUNCHCLOCK_TEST_POSTGRES_URL` (see
//! `.ci/postgres.sh`); without it they are reported as ignored (build.rs).
//! Shared by the store test binaries: `#[macro_use] mod store_harness;`;
//! the rows they start from are in `fixtures`.
#![allow(dead_code)] // each test binary uses a different part of this

pub mod fixtures;

use std::future::Future;
use std::path::PathBuf;

use punchclock::clock::Clock;
use punchclock::store::Store;
use rand::RngCore;

/// What a test body gets: the store and the URL of its private database
/// (for tests that reach around the store, e.g. to inject a failure).
pub struct TestDb {
    pub store: Store,
    pub url: String,
}

impl TestDb {
    pub fn is_postgres(&self) -> bool {
        self.store.is_postgres()
    }

    /// The SQLite file behind the URL, for a second connection of the
    /// test's own (e.g. a reader holding a snapshot).
    pub fn sqlite_file(&self) -> PathBuf {
        let rest = self.url.strip_prefix("sqlite://").expect("a SQLite test");
        PathBuf::from(rest.split_once('?').map_or(rest, |(file, _)| file))
    }

    /// Runs raw SQL on a separate connection to the same database.
    pub async fn raw(&self, sql: &str) {
        if self.is_postgres() {
            let pool = sqlx::PgPool::connect(&self.url).await.unwrap();
            sqlx::raw_sql(sql).execute(&pool).await.unwrap();
            pool.close().await;
        } else {
            let pool = sqlx::SqlitePool::connect(&self.url).await.unwrap();
            sqlx::raw_sql(sql).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }

    pub async fn raw_strings(&self, sql: &str) -> Vec<String> {
        if self.is_postgres() {
            let pool = sqlx::PgPool::connect(&self.url).await.unwrap();
            let out = sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap();
            pool.close().await;
            out
        } else {
            let pool = sqlx::SqlitePool::connect(&self.url).await.unwrap();
            let out = sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap();
            pool.close().await;
            out
        }
    }
}

pub fn random_suffix() -> String {
    let mut bytes = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Runs the body on its own task so a panic still lets us clean up: the
/// store is closed whatever the body did, so its database can be removed.
async fn run_body<F, Fut>(db: TestDb, body: F) -> std::result::Result<(), tokio::task::JoinError>
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let store = db.store.clone();
    let result = tokio::spawn(body(db)).await;
    store.close().await;
    result
}

pub fn rethrow(result: std::result::Result<(), tokio::task::JoinError>) {
    if let Err(err) = result {
        match err.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(err) => panic!("test task failed: {err}"),
        }
    }
}

pub async fn run_sqlite<F, Fut>(body: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let path: PathBuf =
        std::env::temp_dir().join(format!("punchclock-store-{}.sqlite", random_suffix()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let store = Store::connect(&url, Clock::system())
        .await
        .expect("connect sqlite");
    let result = run_body(TestDb { store, url }, body).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    rethrow(result);
}

/// Only compiled in (not ignored) when the URL was set at build time; a
/// run without it then fails rather than passing without a database.
pub async fn run_postgres<F, Fut>(body: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let admin_url = std::env::var("PUNCHCLOCK_TEST_POSTGRES_URL")
        .expect("PUNCHCLOCK_TEST_POSTGRES_URL was set at build time but is not set now");
    let db_name = format!("punchclock_test_{}", random_suffix());
    let admin = sqlx::PgPool::connect(&admin_url)
        .await
        .expect("connect admin url");
    sqlx::raw_sql(&format!("CREATE DATABASE {db_name}"))
        .execute(&admin)
        .await
        .expect("create test database");
    let url = with_database(&admin_url, &db_name);
    let store = Store::connect(&url, Clock::system())
        .await
        .expect("connect postgres");
    let result = run_body(TestDb { store, url }, body).await;
    sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {db_name} WITH (FORCE)"))
        .execute(&admin)
        .await
        .expect("drop test database");
    admin.close().await;
    rethrow(result);
}

/// Same URL, other database name.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    format!("{host_part}/{db}{query}")
}

macro_rules! store_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::run_sqlite(crate::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(
                    not(postgres_tests),
                    ignore = "needs PUNCHCLOCK_TEST_POSTGRES_URL at build time (source .ci/postgres.sh)"
                )]
                async fn $name() {
                    crate::run_postgres(crate::$name).await;
                }
            )*
        }
    };
}
