//! Tenant handles and sessions: the one place where the organisation is bound into queries.

use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use kindred_domain::ids::OrgId;
use sqlx::pool::PoolConnection;
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::{Encode, FromRow, PgConnection, Postgres, Sqlite, SqliteConnection, Transaction, Type};
use uuid::Uuid;

use crate::Result;
use crate::access::{Access, Grant, Scope};
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

/// A borrowed connection of either backend, bound to one organisation, for [`on_conn!`].
pub(crate) enum Conn<'c> {
    Sqlite(TenantConn<'c, Sqlite>),
    Postgres(TenantConn<'c, Postgres>),
}

/// A borrowed connection without a tenant, for [`on_raw_conn!`]: only the organisations
/// themselves (which no tenant owns) are queried through it.
pub(crate) enum RawConn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// A connection that knows its organisation. Its `query*` methods are the only way storage
/// builds a query on tenant tables: each binds the organisation as `$1` itself, so no query
/// can pick its own tenant (`tests/tenant_sql.rs` checks that every SQL text constrains each
/// tenant table it names by `org_id` and reaches it from `$1`).
pub(crate) struct TenantConn<'c, DB: sqlx::Database> {
    connection: &'c mut DB::Connection,
    org_id: OrgId,
}

impl<'c, DB> TenantConn<'c, DB>
where
    DB: sqlx::Database,
    for<'t> Uuid: Encode<'t, DB> + Type<DB>,
{
    /// The connection itself, for a query whose rows outlive this handle (a stream).
    pub(crate) fn into_connection(self) -> &'c mut DB::Connection {
        self.connection
    }

    /// A statement with `$1` bound to this organisation.
    pub(crate) fn query(&self, sql: &'static str) -> Query<'static, DB, DB::Arguments> {
        sqlx::query(sql).bind(self.org_id.0)
    }

    /// A query of rows with `$1` bound to this organisation.
    pub(crate) fn query_as<O>(&self, sql: &'static str) -> QueryAs<'static, DB, O, DB::Arguments>
    where
        O: for<'r> FromRow<'r, DB::Row>,
    {
        sqlx::query_as(sql).bind(self.org_id.0)
    }

    /// A query of one value per row with `$1` bound to this organisation.
    pub(crate) fn query_scalar<O>(
        &self,
        sql: &'static str,
    ) -> QueryScalar<'static, DB, O, DB::Arguments>
    where
        (O,): for<'r> FromRow<'r, DB::Row>,
    {
        sqlx::query_scalar(sql).bind(self.org_id.0)
    }
}

/// The builders for one participant's data (`$2` is the granted participant) and for a list
/// over a scope (`$2` is the scope's coach or supervisor, NULL for the organisation; the SQL
/// takes its filter from [`scoped_sql!`]). A grant or scope of another organisation is
/// `NotFound`, like the record itself would be.
impl<DB> TenantConn<'_, DB>
where
    DB: sqlx::Database,
    for<'t> Uuid: Encode<'t, DB> + Type<DB>,
    for<'t> Option<Uuid>: Encode<'t, DB> + Type<DB>,
{
    pub(crate) fn granted_query<A: Access>(
        &self,
        sql: &'static str,
        grant: &Grant<A>,
    ) -> Result<Query<'static, DB, DB::Arguments>> {
        Ok(self.query(sql).bind(grant.bound_to(self.org_id)?))
    }

    pub(crate) fn granted_query_as<O, A: Access>(
        &self,
        sql: &'static str,
        grant: &Grant<A>,
    ) -> Result<QueryAs<'static, DB, O, DB::Arguments>>
    where
        O: for<'r> FromRow<'r, DB::Row>,
    {
        Ok(self.query_as(sql).bind(grant.bound_to(self.org_id)?))
    }

    pub(crate) fn scoped_query_as<O, A: Access>(
        &self,
        sql: &'static str,
        scope: &Scope<A>,
    ) -> Result<QueryAs<'static, DB, O, DB::Arguments>>
    where
        O: for<'r> FromRow<'r, DB::Row>,
    {
        Ok(self.query_as(sql).bind(scope.bound_to(self.org_id)?))
    }

    pub(crate) fn scoped_query_scalar<O, A: Access>(
        &self,
        sql: &'static str,
        scope: &Scope<A>,
    ) -> Result<QueryScalar<'static, DB, O, DB::Arguments>>
    where
        (O,): for<'r> FromRow<'r, DB::Row>,
    {
        Ok(self.query_scalar(sql).bind(scope.bound_to(self.org_id)?))
    }
}

/// Expands the query macro `$sql!` with the [`Scope`]'s filter on participants `p`, the SQL
/// chosen by the scope's reach so each is planned on its own (a coach's list walks their
/// caseload; the organisation's needs no filter at all). `$2` is bound by the scoped builders.
macro_rules! scoped_sql {
    ($scope:expr, $sql:ident) => {
        match $scope.reach() {
            $crate::access::Reach::Organisation => $sql!("$2 IS NULL"),
            $crate::access::Reach::Coach(_) => $sql!("p.coach_id = $2"),
            $crate::access::Reach::Team(_) => $sql!(
                "(p.coach_id = $2 OR p.coach_id IN
                  (SELECT s.id FROM users s WHERE s.org_id = $1 AND s.supervisor_id = $2))"
            ),
        }
    };
}
pub(crate) use scoped_sql;

/// [`scoped_sql!`] with a filter on the participant's program, chosen as the scope is: the
/// query macro `$sql!` gets the scope's filter and then ` AND p.program_id = $3` when
/// `$program` (an `Option`) is some — an equality the planner reads from an index, which
/// `($3 IS NULL OR p.program_id = $3)` would hide from it — or ` AND $3 IS NULL` for every
/// program.
macro_rules! program_scoped_sql {
    ($scope:expr, $program:expr, $sql:ident) => {
        match ($scope.reach(), $program.is_some()) {
            ($crate::access::Reach::Organisation, true) => {
                $sql!("$2 IS NULL", " AND p.program_id = $3")
            }
            ($crate::access::Reach::Organisation, false) => $sql!("$2 IS NULL", " AND $3 IS NULL"),
            ($crate::access::Reach::Coach(_), true) => {
                $sql!("p.coach_id = $2", " AND p.program_id = $3")
            }
            ($crate::access::Reach::Coach(_), false) => {
                $sql!("p.coach_id = $2", " AND $3 IS NULL")
            }
            ($crate::access::Reach::Team(_), true) => {
                $sql!(
                    "(p.coach_id = $2 OR p.coach_id IN
                      (SELECT s.id FROM users s WHERE s.org_id = $1 AND s.supervisor_id = $2))",
                    " AND p.program_id = $3"
                )
            }
            ($crate::access::Reach::Team(_), false) => {
                $sql!(
                    "(p.coach_id = $2 OR p.coach_id IN
                      (SELECT s.id FROM users s WHERE s.org_id = $1 AND s.supervisor_id = $2))",
                    " AND $3 IS NULL"
                )
            }
        }
    };
}
pub(crate) use program_scoped_sql;

/// [`scoped_sql!`] for a rollup `r` keyed by the participant's current coach
/// (`r.participant_coach_id`) instead of joined to the participant: the same three reaches.
macro_rules! rollup_scoped_sql {
    ($scope:expr, $sql:ident) => {
        match $scope.reach() {
            $crate::access::Reach::Organisation => $sql!("$2 IS NULL"),
            $crate::access::Reach::Coach(_) => $sql!("r.participant_coach_id = $2"),
            $crate::access::Reach::Team(_) => $sql!(
                "(r.participant_coach_id = $2 OR r.participant_coach_id IN
                  (SELECT s.id FROM users s WHERE s.org_id = $1 AND s.supervisor_id = $2))"
            ),
        }
    };
}
pub(crate) use rollup_scoped_sql;

/// [`scoped_sql!`] for an [`Among`](crate::access::Among): one participant (`p.id = $2`) or a
/// scope. Bind `$2` with `among.bound_to(org)`.
macro_rules! among_sql {
    ($among:expr, $sql:ident) => {
        match $among.reach() {
            None => $sql!("p.id = $2"),
            Some($crate::access::Reach::Organisation) => $sql!("$2 IS NULL"),
            Some($crate::access::Reach::Coach(_)) => $sql!("p.coach_id = $2"),
            Some($crate::access::Reach::Team(_)) => $sql!(
                "(p.coach_id = $2 OR p.coach_id IN
                  (SELECT s.id FROM users s WHERE s.org_id = $1 AND s.supervisor_id = $2))"
            ),
        }
    };
}
pub(crate) use among_sql;

// The connection itself is the executor (`.fetch_all(&mut *c)`); only the builders above
// make queries.
impl<DB: sqlx::Database> Deref for TenantConn<'_, DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        self.connection
    }
}

impl<DB: sqlx::Database> DerefMut for TenantConn<'_, DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        self.connection
    }
}

impl Held {
    pub(crate) fn raw_conn(&mut self) -> RawConn<'_> {
        match self {
            Held::Sqlite(c) => RawConn::Sqlite(c),
            Held::SqliteTx(t) => RawConn::Sqlite(t),
            Held::Postgres(c) => RawConn::Postgres(c),
            Held::PostgresTx(t) => RawConn::Postgres(t),
        }
    }

    fn tenant_conn(&mut self, org_id: OrgId) -> Conn<'_> {
        match self.raw_conn() {
            RawConn::Sqlite(connection) => Conn::Sqlite(TenantConn { connection, org_id }),
            RawConn::Postgres(connection) => Conn::Postgres(TenantConn { connection, org_id }),
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
        self.held.tenant_conn(self.org_id)
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
            $crate::session::Conn::Sqlite(mut $c) => $body,
            $crate::session::Conn::Postgres(mut $c) => $body,
        }
    };
}
pub(crate) use on_conn;

/// [`on_conn!`] for a connection without a tenant (`c` is the bare connection).
macro_rules! on_raw_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::session::RawConn::Sqlite($c) => $body,
            $crate::session::RawConn::Postgres($c) => $body,
        }
    };
}
pub(crate) use on_raw_conn;
