//! The test harness: the real router, served on port 0, over a fresh SQLite file or a fresh
//! PostgreSQL schema per test. Tests act over HTTP as a person or an API client would.

pub mod fhir;
mod http;
mod trials;
mod world;

use std::sync::OnceLock;

use kindred_app::export::ExportKey;
use kindred_app::{App, Clock, DatabaseLocation};
use kindred_web::ClientAddresses;
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use http::{Api, Browser, Reply};
pub use trials::{Trial, open_trial};
pub use world::{PASSWORD, World, enrol, minimal_participant, referral_consent};

/// Runs each named story once on SQLite and once on PostgreSQL:
/// `on_both_backends!(story_one, story_two);` where `async fn story_one(app: TestApp)`.
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(crate::support::TestApp::sqlite().await).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = crate::support::TestApp::postgres().await {
                        super::$name(app).await;
                    }
                }
            )+
        }
    };
}
pub(crate) use on_both_backends;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running Kindred with its own database.
pub struct TestApp {
    pub base_url: String,
    pub app: App,
    pub backend: Backend,
    /// The database URL the `kindred` binary can be pointed at.
    pub database_args: Vec<String>,
    http: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    _storage: Storage,
    /// Holds the export key, outside the database as in a deployment.
    _key_dir: tempfile::TempDir,
}

/// Held only for its `Drop`: the directory or schema goes when the test ends.
#[allow(dead_code, reason = "held for Drop")]
enum Storage {
    Sqlite(tempfile::TempDir),
    Postgres(PgSchema),
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let location = DatabaseLocation::SqliteFile(dir.path().join("kindred.sqlite3"));
        let args = vec!["--data-dir".to_owned(), dir.path().display().to_string()];
        Self::start(location, Backend::Sqlite, args, Storage::Sqlite(dir)).await
    }

    /// `None` (after saying so) when no PostgreSQL server answers, unless `CI=true`.
    pub async fn postgres() -> Option<TestApp> {
        let schema = PgSchema::create().await?;
        let url = schema.url();
        let location = DatabaseLocation::parse(&url).expect("a PostgreSQL URL");
        let args = vec!["--database-url".to_owned(), url];
        Some(Self::start(location, Backend::Postgres, args, Storage::Postgres(schema)).await)
    }

    async fn start(
        location: DatabaseLocation,
        backend: Backend,
        mut database_args: Vec<String>,
        storage: Storage,
    ) -> TestApp {
        let key_dir = tempfile::tempdir().expect("a temporary directory");
        let key_file = key_dir.path().join("export.key");
        let key = ExportKey::load_or_create(&key_file).expect("an export key");
        database_args.extend(["--export-key-file".to_owned(), key_file.display().to_string()]);
        let app = App::open(&location, Clock::system())
            .await
            .expect("the database opens and migrates")
            .with_export_key(key);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let base_url = format!("http://{}", listener.local_addr().expect("an address"));
        let (shutdown, stop) = oneshot::channel::<()>();
        tokio::spawn(kindred_web::serve(
            listener,
            app.clone(),
            ClientAddresses::Peer,
            async move {
                let _ = stop.await;
            },
        ));
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        TestApp {
            base_url,
            app,
            backend,
            database_args,
            http,
            shutdown: Some(shutdown),
            _storage: storage,
            _key_dir: key_dir,
        }
    }

    /// A browser with no cookies yet.
    pub fn browser(&self) -> Browser {
        Browser::new(self.http.clone(), self.base_url.clone())
    }

    /// An API client without a token.
    pub fn anonymous_api(&self) -> Api {
        Api::new(self.http.clone(), self.base_url.clone(), None)
    }

    /// An API client without a token that connects from another loopback address
    /// (`127.0.0.2`…): another client, as far as the per-address sign-in limit can tell.
    pub fn anonymous_api_from(&self, address: std::net::IpAddr) -> Api {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .local_address(address)
            .build()
            .expect("an HTTP client");
        Api::new(http, self.base_url.clone(), None)
    }

    /// An API client with a fresh token for this person.
    pub async fn api(&self, org: &str, email: &str) -> Api {
        let reply = self
            .anonymous_api()
            .post(
                "/api/v1/auth/token",
                serde_json::json!({"org": org, "email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(reply.status, 201, "token for {email}: {}", reply.body);
        let token = reply.json()["token"].as_str().expect("a token").to_owned();
        Api::new(self.http.clone(), self.base_url.clone(), Some(token))
    }

    /// Runs the `kindred` binary against this test's database.
    pub fn kindred(&self, args: &[&str]) -> std::process::Output {
        self.kindred_with_input(args, "")
    }

    /// Runs the `kindred` binary with `input` on its standard input.
    pub fn kindred_with_input(&self, args: &[&str], input: &str) -> std::process::Output {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_kindred"))
            .args(&self.database_args)
            .args(args)
            .env("KINDRED_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the kindred binary runs");
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(input.as_bytes()).expect("stdin accepts the input");
        }
        child.wait_with_output().expect("the kindred binary finishes")
    }

    /// A direct connection to this test's database, to do what only an attacker with the
    /// database file could do.
    pub async fn raw_sql(&self, statements: &str) -> Result<(), sqlx::Error> {
        let sql = AssertSqlSafe(statements.to_owned());
        match self.backend {
            Backend::Sqlite => {
                let path = &self.database_args[1];
                let mut conn =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{path}/kindred.sqlite3"))
                        .await?;
                sqlx::raw_sql(sql).execute(&mut conn).await?;
            }
            Backend::Postgres => {
                let mut conn = PgConnection::connect(&self.database_args[1]).await?;
                sqlx::raw_sql(sql).execute(&mut conn).await?;
            }
        }
        Ok(())
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// The PostgreSQL server tests use; `KINDRED_TEST_POSTGRES_URL` overrides.
fn postgres_url() -> String {
    std::env::var("KINDRED_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A schema created for one test and dropped after it.
struct PgSchema {
    name: String,
}

impl PgSchema {
    async fn create() -> Option<PgSchema> {
        static WARNED: OnceLock<()> = OnceLock::new();
        let server = postgres_url();
        let connect =
            tokio::time::timeout(std::time::Duration::from_secs(5), PgConnection::connect(&server))
                .await;
        let mut conn = match connect {
            Ok(Ok(conn)) => conn,
            failure => {
                let reason = match failure {
                    Ok(Err(error)) => error.to_string(),
                    _ => "timed out".to_owned(),
                };
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("CI=true requires PostgreSQL at {server}: {reason}");
                }
                WARNED.get_or_init(|| {
                    eprintln!("SKIPPING PostgreSQL tests: no server at {server} ({reason}); set CI=true to require them");
                });
                return None;
            }
        };
        let name = format!("kindred_test_{}", uuid::Uuid::new_v4().simple());
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE SCHEMA {name}")))
            .execute(&mut conn)
            .await
            .expect("a schema");
        Some(PgSchema { name })
    }

    fn url(&self) -> String {
        let separator = if postgres_url().contains('?') { '&' } else { '?' };
        format!("{}{separator}options[search_path]={}", postgres_url(), self.name)
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        let (server, name) = (postgres_url(), self.name.clone());
        // Drop runs outside async; a small runtime of its own does the cleanup.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                if let Ok(mut conn) = PgConnection::connect(&server).await {
                    let _ = sqlx::raw_sql(AssertSqlSafe(format!(
                        "DROP SCHEMA IF EXISTS {name} CASCADE"
                    )))
                    .execute(&mut conn)
                    .await;
                }
            });
        })
        .join();
    }
}
