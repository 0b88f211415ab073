//! Test harness: the real service on 127.0.0.1:0 over a fresh database, and
//! an HTTP client to talk to it the way customers do.
//!
//! Each test gets its own temp dir with SQLite; a test that opts in with
//! [`TestOptions::postgres`] gets a fresh PostgreSQL database instead when
//! `PUNCHCLOCK_TEST_POSTGRES_URL` is set (an admin URL; databases named
//! `pc_test_*` are created under it and dropped afterwards). Such a test
//! runs on SQLite otherwise: it is a test of the service, which passes
//! on either backend, not a PostgreSQL-only test.
#![allow(dead_code)] // each test binary uses a different part of this

pub mod receiver;
pub mod smtp;
pub mod week;

use std::net::SocketAddr;

use punchclock::app::{self, Running};
use punchclock::clock::Clock;
use punchclock::config::Config;
use punchclock::web::AppState;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::net::TcpListener;

/// How to start the service for a test.
#[derive(Clone)]
pub struct TestOptions {
    /// Devices on loopback are what tests use, so this defaults to true.
    pub allow_private_device_addresses: bool,
    /// Use PostgreSQL when `PUNCHCLOCK_TEST_POSTGRES_URL` is set.
    pub postgres: bool,
    /// Run the poll scheduler too.
    pub schedule: bool,
    /// Any further configuration changes.
    pub configure: fn(&mut Config),
    /// Run on a manual clock standing at this instant (moved only by the
    /// test) instead of the system clock.
    pub manual_clock: Option<jiff::Timestamp>,
    /// Send mail through this SMTP URL (e.g. an [`smtp::SmtpSink`]'s).
    pub smtp_url: Option<String>,
}

impl Default for TestOptions {
    fn default() -> Self {
        TestOptions {
            allow_private_device_addresses: true,
            postgres: false,
            schedule: false,
            configure: |_| {},
            manual_clock: None,
            smtp_url: None,
        }
    }
}

/// A running service plus what a test needs to reach it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub state: AppState,
    /// Shared by every clone of the state; `advance` it to move time.
    pub clock: Clock,
    running: Option<Running>,
    postgres_db: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// SQLite, private device addresses allowed, no scheduler.
    pub async fn start() -> TestApp {
        Self::start_with(TestOptions::default()).await
    }

    pub async fn start_with(opts: TestOptions) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config {
            data_dir: dir.path().join("data"),
            allow_private_device_addresses: opts.allow_private_device_addresses,
            device_timeout_seconds: 3,
            instance_id: "test".into(),
            ..Config::default()
        };
        let mut postgres_db = None;
        if opts.postgres {
            let admin = std::env::var("PUNCHCLOCK_TEST_POSTGRES_URL").ok();
            // Built for PostgreSQL (see build.rs): falling back to SQLite
            // would pass without testing what was asked.
            assert!(
                admin.is_some() || !cfg!(postgres_tests),
                "PUNCHCLOCK_TEST_POSTGRES_URL was set at build time but is not set now"
            );
            if let Some(admin) = admin {
                let (url, name) = create_postgres_db(&admin).await;
                config.database_url = url;
                postgres_db = Some((admin, name));
            }
        }
        if let Some(url) = &opts.smtp_url {
            config.smtp_url = url.clone();
            config.mail_from = "Punchclock <reports@punchclock.test>".into();
            config.public_url = "http://punchclock.test".into();
        }
        // Webhook receivers in tests listen on loopback, like devices.
        config.allow_private_webhook_addresses = true;
        (opts.configure)(&mut config);
        let clock = opts.manual_clock.map_or_else(Clock::system, Clock::manual);
        let state = app::build_state(config, clock.clone())
            .await
            .expect("build state");
        assert_eq!(state.store.is_postgres(), postgres_db.is_some());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let running = app::start(state.clone(), listener, opts.schedule)
            .await
            .expect("start");
        let addr = running.addr;
        TestApp {
            addr,
            base: format!("http://{addr}"),
            state,
            clock,
            running: Some(running),
            postgres_db,
            _dir: dir,
        }
    }

    /// Runs raw SQL on the service's database, around the store (e.g. to
    /// plant data that older versions could have written).
    pub async fn raw_sql(&self, sql: &str) {
        let url = self.state.config.database_url();
        if self.state.store.is_postgres() {
            let pool = sqlx::PgPool::connect(&url).await.expect("connect");
            sqlx::raw_sql(sql).execute(&pool).await.expect("raw sql");
            pool.close().await;
        } else {
            let pool = sqlx::SqlitePool::connect(&url).await.expect("connect");
            sqlx::raw_sql(sql).execute(&pool).await.expect("raw sql");
            pool.close().await;
        }
    }

    /// The company of an account, looked up by its email.
    pub async fn company_of(&self, email: &str) -> punchclock::domain::CompanyId {
        let login = self.state.store.account_login(email).await.expect("lookup");
        login.expect("account exists").account.company_id
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// An API client without a token.
    pub fn anonymous(&self) -> Api {
        Api {
            base: format!("{}/api/v1", self.base),
            http: reqwest::Client::new(),
            token: None,
        }
    }

    /// A browser-like client that keeps cookies and does not follow
    /// redirects (so tests can see them).
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Sign up a company (trial plan) and return a client holding its token.
    pub async fn signup(&self, company: &str) -> Api {
        let email = format!(
            "owner@{}.example.com",
            company
                .to_lowercase()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
        );
        self.signup_as(company, &email, "correct horse battery")
            .await
    }

    pub async fn signup_as(&self, company: &str, email: &str, password: &str) -> Api {
        if self.state.services.mail_enabled() {
            return self.signed_up_directly(company, email, password).await;
        }
        let r = self
            .anonymous()
            .post(
                "/signup",
                &json!({
                    "company": company,
                    "email": email,
                    "password": password,
                    "timezone": "Europe/Berlin",
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "signup: {}", r.text);
        let token = r.json()["token"].as_str().expect("token").to_owned();
        self.anonymous().with_token(&token)
    }

    /// With mail on, sign-up answers 202 and mails a link (`tests/auth.rs`
    /// checks that); other tests start from an account signed up by the
    /// same service as with mail off, and no sign-up mail.
    async fn signed_up_directly(&self, company: &str, email: &str, password: &str) -> Api {
        use punchclock::service::account::{SignedUp, SignupInput};
        let services = self.state.services.clone().with_mail(None);
        let input = SignupInput {
            company: company.into(),
            email: email.into(),
            password: password.into(),
            timezone: "Europe/Berlin".into(),
        };
        let client = punchclock::service::throttle::Client::unknown();
        let signed_up = services
            .account()
            .sign_up(client, input.parse().expect("valid sign-up"))
            .await
            .expect("sign-up");
        let SignedUp::Account(account) = signed_up else {
            panic!("mail is off for this sign-up");
        };
        let session = services
            .sessions()
            .start(&account, punchclock::domain::SessionKind::Api)
            .await
            .expect("session");
        self.anonymous().with_token(&session.token)
    }

    /// Stop the server (and scheduler); drop the PostgreSQL test database.
    pub async fn shutdown(mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await;
        }
        self.state.store.close().await;
        if let Some((admin, name)) = self.postgres_db.take() {
            drop_postgres_db(&admin, &name).await;
        }
    }
}

async fn create_postgres_db(admin: &str) -> (String, String) {
    use sqlx::Connection;
    let name = format!("pc_test_{}_{}", std::process::id(), rand::random::<u32>());
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .expect("connect to PUNCHCLOCK_TEST_POSTGRES_URL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let _ = conn.close().await;
    // Replace the database path of the admin URL, keeping its query.
    let (before_query, query) = admin
        .split_once('?')
        .map_or((admin, None), |(a, q)| (a, Some(q)));
    let root = before_query
        .rsplit_once('/')
        .filter(|(head, _)| head.contains("//") && !head.ends_with('/'))
        .map_or(before_query, |(head, _)| head);
    let url = match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    };
    (url, name)
}

async fn drop_postgres_db(admin: &str, name: &str) {
    use sqlx::Connection;
    if let Ok(mut conn) = sqlx::PgConnection::connect(admin).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await;
        let _ = conn.close().await;
    }
}

/// A response read in full: status, raw text, and JSON on demand.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub content_type: String,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.text))
    }

    /// Assert the status, then the JSON.
    #[track_caller]
    pub fn expect(&self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "body: {}", self.text);
        if self.text.is_empty() {
            Value::Null
        } else {
            self.json()
        }
    }
}

/// A JSON API client, optionally with a bearer token.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
    pub token: Option<String>,
}

impl Api {
    pub fn with_token(mut self, token: &str) -> Api {
        self.token = Some(token.to_owned());
        self
    }

    pub fn token(&self) -> &str {
        self.token.as_deref().expect("signed in")
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Resp {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        read(req.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Resp {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Resp {
        self.send(reqwest::Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send(reqwest::Method::DELETE, path, None).await
    }

    /// Send a raw body with a content type (for malformed-request tests).
    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: &str,
    ) -> Resp {
        let mut req = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body.to_owned());
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        read(req.send().await.expect("request")).await
    }

    /// Add a device at `addr` (e.g. a simulator's), returning its JSON.
    pub async fn add_device(&self, name: &str, addr: SocketAddr) -> Value {
        self.add_device_with(json!({
            "name": name,
            "host": addr.ip().to_string(),
            "port": addr.port(),
        }))
        .await
    }

    /// Add a device from a full body; asserts 201.
    pub async fn add_device_with(&self, body: Value) -> Value {
        self.post("/devices", &body)
            .await
            .expect(StatusCode::CREATED)
    }

    /// "Test connection"; returns the log entry.
    pub async fn test_device(&self, id: i64) -> Value {
        self.post(&format!("/devices/{id}/test"), &json!({}))
            .await
            .expect(StatusCode::OK)
    }

    /// "Sync now"; returns the log entry.
    pub async fn sync_device(&self, id: i64) -> Value {
        self.post(&format!("/devices/{id}/sync"), &json!({}))
            .await
            .expect(StatusCode::OK)
    }

    pub async fn device(&self, id: i64) -> Value {
        self.get(&format!("/devices/{id}"))
            .await
            .expect(StatusCode::OK)
    }

    pub async fn logs(&self, id: i64) -> Vec<Value> {
        items(
            self.get(&format!("/devices/{id}/logs"))
                .await
                .expect(StatusCode::OK),
        )
    }

    pub async fn employees(&self) -> Vec<Value> {
        items(self.get("/employees").await.expect(StatusCode::OK))
    }

    /// Punches matching `query` (e.g. `"?limit=10"`): (items, total).
    pub async fn punches(&self, query: &str) -> (Vec<Value>, u64) {
        let v = self
            .get(&format!("/punches{query}"))
            .await
            .expect(StatusCode::OK);
        let total = v["total"].as_u64().expect("total");
        (items(v), total)
    }
}

/// The `items` array of a list response.
pub fn items(v: Value) -> Vec<Value> {
    v["items"].as_array().expect("items").clone()
}

async fn read(r: reqwest::Response) -> Resp {
    let status = r.status();
    let content_type = r
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = r.text().await.expect("body");
    Resp {
        status,
        content_type,
        text,
    }
}
