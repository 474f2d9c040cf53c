//! Choosing and opening the database: SQLite for one machine, PostgreSQL to scale out.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::migrate::{Dialect, latest_version, migrator};
use crate::{Result, StorageError};

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    /// One SQLite file (WAL journal beside it).
    SqliteFile(PathBuf),
    /// A PostgreSQL database. To use one schema of it, name it in the URL:
    /// `postgres://…/db?options[search_path]=myschema` (tests use a schema each).
    Postgres(String),
}

impl DatabaseLocation {
    /// Parses `postgres://…`, `postgresql://…` or `sqlite://PATH`.
    pub fn parse(url: &str) -> Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_owned()))
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            Ok(Self::SqliteFile(PathBuf::from(path)))
        } else {
            Err(StorageError::Location(format!(
                "{url:?} is not a database URL: use postgres://USER@HOST/DB or sqlite://PATH"
            )))
        }
    }

    /// A description safe to print (no password).
    pub fn describe(&self) -> String {
        match self {
            Self::SqliteFile(path) => format!("SQLite file {}", path.display()),
            Self::Postgres(url) => PgConnectOptions::from_str(url)
                .map(|o| {
                    format!(
                        "PostgreSQL {}:{}/{}",
                        o.get_host(),
                        o.get_port(),
                        o.get_database().unwrap_or("")
                    )
                })
                .unwrap_or_else(|_| "PostgreSQL".into()),
        }
    }
}

/// Which engine a [`Database`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug)]
pub(crate) enum Pools {
    Sqlite { writer: SqlitePool, readers: SqlitePool },
    Postgres(PgPool),
}

/// An open database. Cheap to clone (the pools are shared).
#[derive(Debug, Clone)]
pub struct Database {
    pub(crate) pools: Arc<Pools>,
    /// Whether [`Database::policy_key`] has handed out the one key.
    pub(crate) policy_key_taken: Arc<AtomicBool>,
}

/// Read connections for SQLite: WAL lets readers run beside the writer.
const SQLITE_READERS: u32 = 8;
const POSTGRES_CONNECTIONS: u32 = 16;

impl Database {
    /// Connects and brings the schema up to date.
    pub async fn open(location: &DatabaseLocation) -> Result<Self> {
        let database = Self::connect(location).await?;
        database.migrate().await?;
        Ok(database)
    }

    /// Connects without migrating.
    pub async fn connect(location: &DatabaseLocation) -> Result<Self> {
        let pools = match location {
            DatabaseLocation::SqliteFile(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        StorageError::Location(format!("cannot create {}: {e}", parent.display()))
                    })?;
                }
                // synchronous=NORMAL in WAL mode: a commit survives the process being killed
                // (it is in the WAL file); only an OS crash or power cut can lose the last
                // commits, which is the trade every WAL deployment makes for throughput.
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10));
                // The one writer keeps 32 MiB of pages (the default is 2 MiB): with a million
                // contacts, the indexes every insert walks would otherwise be read back from the
                // OS on each write, and the writer is the queue every write waits in.
                let writer = SqlitePoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options.clone().pragma("cache_size", "-32768"))
                    .await?;
                let readers = SqlitePoolOptions::new()
                    .max_connections(SQLITE_READERS)
                    .connect_with(options.pragma("query_only", "ON"))
                    .await?;
                Pools::Sqlite { writer, readers }
            }
            DatabaseLocation::Postgres(url) => {
                let options = PgConnectOptions::from_str(url)?;
                let pool = PgPoolOptions::new()
                    .max_connections(POSTGRES_CONNECTIONS)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await?;
                Pools::Postgres(pool)
            }
        };
        Ok(Self { pools: Arc::new(pools), policy_key_taken: Arc::new(AtomicBool::new(false)) })
    }

    pub fn backend(&self) -> Backend {
        match *self.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies every migration not yet applied, then fills the search and sort keys of rows
    /// that have none (which SQL cannot compute: see `search_keys.rs`); returns the schema
    /// version reached.
    pub async fn migrate(&self) -> Result<i64> {
        match &*self.pools {
            Pools::Sqlite { writer, .. } => migrator(Dialect::Sqlite).run(writer).await?,
            Pools::Postgres(pool) => migrator(Dialect::Postgres).run(pool).await?,
        }
        let filled = self.fill_search_keys().await?;
        if filled > 0 {
            tracing::info!(rows = filled, "filled search and sort keys");
        }
        Ok(latest_version())
    }

    /// Waits for in-flight work and closes every connection (SQLite checkpoints its WAL).
    pub async fn close(&self) {
        match &*self.pools {
            Pools::Sqlite { writer, readers } => {
                readers.close().await;
                writer.close().await;
            }
            Pools::Postgres(pool) => pool.close().await,
        }
    }
}
