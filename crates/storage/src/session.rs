//! Tenant handles and sessions: the one place where the organisation is bound into queries.

use std::marker::PhantomData;

use kindred_domain::ids::OrgId;
use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection, Transaction};

use crate::Result;
use crate::backend::{Database, Pools};

/// One organisation's data. Every query reached through it is scoped to that organisation.
#[derive(Debug, Clone)]
pub struct Tenant {
    database: Database,
    org_id: OrgId,
}

impl Database {
    /// A handle on one organisation's data. The application layer creates these only for an
    /// authenticated actor of that organisation.
    pub fn tenant(&self, org_id: OrgId) -> Tenant {
        Tenant { database: self.clone(), org_id }
    }
}

impl Tenant {
    pub fn org_id(&self) -> OrgId {
        self.org_id
    }

    /// A read session (no transaction; on SQLite, a read-only connection).
    pub async fn read(&self) -> Result<Session<Read>> {
        Ok(Session::new(self.org_id, self.database.acquire_read().await?))
    }

    /// A write transaction. Commit it with [`Session::commit`]; dropping it rolls back.
    pub async fn write(&self) -> Result<Session<Write>> {
        Ok(Session::new(self.org_id, self.database.begin_write().await?))
    }
}

/// Marker: a session that may only read.
#[derive(Debug)]
pub struct Read;
/// Marker: a transaction that may write.
#[derive(Debug)]
pub struct Write;

/// A connection (or transaction) bound to one organisation.
#[derive(Debug)]
pub struct Session<Mode> {
    pub(crate) org_id: OrgId,
    held: Held,
    mode: PhantomData<Mode>,
}

#[derive(Debug)]
pub(crate) enum Held {
    Sqlite(PoolConnection<Sqlite>),
    SqliteTx(Transaction<'static, Sqlite>),
    Postgres(PoolConnection<Postgres>),
    PostgresTx(Transaction<'static, Postgres>),
}

/// A borrowed connection of either backend, for [`on_conn!`].
pub(crate) enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl Held {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            Held::Sqlite(c) => Conn::Sqlite(c),
            Held::SqliteTx(t) => Conn::Sqlite(t),
            Held::Postgres(c) => Conn::Postgres(c),
            Held::PostgresTx(t) => Conn::Postgres(t),
        }
    }

    pub(crate) async fn commit(self) -> Result<()> {
        match self {
            Held::SqliteTx(t) => t.commit().await?,
            Held::PostgresTx(t) => t.commit().await?,
            Held::Sqlite(_) | Held::Postgres(_) => {}
        }
        Ok(())
    }
}

impl Database {
    pub(crate) async fn acquire_read(&self) -> Result<Held> {
        Ok(match &*self.pools {
            Pools::Sqlite { readers, .. } => Held::Sqlite(readers.acquire().await?),
            Pools::Postgres(pool) => Held::Postgres(pool.acquire().await?),
        })
    }

    pub(crate) async fn begin_write(&self) -> Result<Held> {
        Ok(match &*self.pools {
            // IMMEDIATE takes the write lock at BEGIN, so a transaction that reads and then
            // writes can never fail half-way on a lock upgrade.
            Pools::Sqlite { writer, .. } => {
                Held::SqliteTx(writer.begin_with("BEGIN IMMEDIATE").await?)
            }
            Pools::Postgres(pool) => Held::PostgresTx(pool.begin().await?),
        })
    }
}

impl<Mode> Session<Mode> {
    fn new(org_id: OrgId, held: Held) -> Self {
        Self { org_id, held, mode: PhantomData }
    }

    pub fn org_id(&self) -> OrgId {
        self.org_id
    }

    pub(crate) fn conn(&mut self) -> Conn<'_> {
        self.held.conn()
    }
}

impl Session<Write> {
    /// Makes every write of this session durable, atomically.
    pub async fn commit(self) -> Result<()> {
        self.held.commit().await
    }
}

/// Runs the same query code against whichever backend `conn` holds. The body is compiled once
/// per backend, so both see the same SQL and the same binds.
macro_rules! on_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::session::Conn::Sqlite($c) => $body,
            $crate::session::Conn::Postgres($c) => $body,
        }
    };
}
pub(crate) use on_conn;
