//! The harness: a fresh database per test, on SQLite (a temporary file) or PostgreSQL (a schema
//! of its own, dropped afterwards), the same way `crates/kindred/tests/app/support` makes them.
//!
//! Storage tests hold the database's [`PolicyKey`] themselves to make grants and scopes: they
//! test storage, not the policy (the application gives the key to its policy module only).

mod world;

use std::sync::OnceLock;

use kindred_storage::{Backend, Database, DatabaseLocation, PolicyKey};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

pub use world::{BORN, NOW, Person, World, fields};

/// Runs each named test once on SQLite and once on PostgreSQL:
/// `on_both_backends!(test_one, test_two);` where `async fn test_one(db: TestDb)`.
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(crate::support::TestDb::sqlite().await).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(db) = crate::support::TestDb::postgres().await {
                        super::$name(db).await;
                    }
                }
            )+
        }
    };
}
pub(crate) use on_both_backends;

/// A migrated database of its own, with its policy key.
pub struct TestDb {
    pub database: Database,
    pub key: PolicyKey,
    location: DatabaseLocation,
    _storage: Storage,
}

/// Held only for its `Drop`: the directory or schema goes when the test ends.
#[allow(dead_code, reason = "held for Drop")]
enum Storage {
    Sqlite(tempfile::TempDir),
    Postgres(PgSchema),
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let location = DatabaseLocation::SqliteFile(dir.path().join("kindred.sqlite3"));
        Self::open(location, Storage::Sqlite(dir)).await
    }

    /// `None` (after saying so) when no PostgreSQL server answers, unless `CI=true`.
    pub async fn postgres() -> Option<TestDb> {
        let schema = PgSchema::create().await?;
        let location = DatabaseLocation::parse(&schema.url()).expect("a PostgreSQL URL");
        Some(Self::open(location, Storage::Postgres(schema)).await)
    }

    async fn open(location: DatabaseLocation, storage: Storage) -> TestDb {
        let database = Database::open(&location).await.expect("the database opens and migrates");
        let key = database.policy_key().expect("the database's policy key");
        TestDb { database, key, location, _storage: storage }
    }

    pub fn backend(&self) -> Backend {
        self.database.backend()
    }

    /// Runs SQL on a connection of its own, past storage: to do what only someone with the
    /// database itself could (an old build's rows, a column emptied by a later migration).
    pub async fn raw_sql(&self, statements: &str) {
        let sql = AssertSqlSafe(statements.to_owned());
        match &self.location {
            DatabaseLocation::SqliteFile(path) => {
                let url = format!("sqlite://{}", path.display());
                let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("a connection");
                sqlx::raw_sql(sql).execute(&mut conn).await.expect("the statements run");
            }
            DatabaseLocation::Postgres(url) => {
                let mut conn = PgConnection::connect(url).await.expect("a connection");
                sqlx::raw_sql(sql).execute(&mut conn).await.expect("the statements run");
            }
        }
    }

    /// One text value from SQL run past storage (for the schema's own facts).
    pub async fn raw_text(&self, query: &str) -> String {
        let sql = AssertSqlSafe(query.to_owned());
        match &self.location {
            DatabaseLocation::SqliteFile(path) => {
                let url = format!("sqlite://{}", path.display());
                let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("a connection");
                sqlx::query_scalar(sql).fetch_one(&mut conn).await.expect("a value")
            }
            DatabaseLocation::Postgres(url) => {
                let mut conn = PgConnection::connect(url).await.expect("a connection");
                sqlx::query_scalar(sql).fetch_one(&mut conn).await.expect("a value")
            }
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
        let name = format!("kindred_storage_test_{}", uuid::Uuid::now_v7().simple());
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
