//! The tenant list itself: the only table not scoped by an organisation.

use kindred_domain::audit::GENESIS;
use kindred_domain::ids::OrgId;
use kindred_domain::org::{OrgSlug, Organisation};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::backend::Database;
use crate::session::on_raw_conn;
use crate::{Result, StorageError, Timestamp};

#[derive(sqlx::FromRow)]
struct OrganisationRow {
    id: Uuid,
    slug: String,
    name: String,
}

impl TryFrom<OrganisationRow> for Organisation {
    type Error = StorageError;
    fn try_from(row: OrganisationRow) -> Result<Self> {
        Ok(Organisation {
            id: OrgId(row.id),
            slug: OrgSlug::parse(&row.slug).map_err(StorageError::Corrupt)?,
            name: row.name,
        })
    }
}

impl Database {
    /// Creates an organisation and the start of its audit chain.
    pub async fn create_organisation(
        &self,
        slug: &OrgSlug,
        name: &str,
        now: OffsetDateTime,
    ) -> Result<Organisation> {
        let id = OrgId::generate();
        let mut held = self.begin_write().await?;
        on_raw_conn!(held.raw_conn(), c => {
            sqlx::query("INSERT INTO organisations (id, slug, name, created_at) VALUES ($1, $2, $3, $4)")
                .bind(id.0)
                .bind(slug.as_str())
                .bind(name)
                .bind(Timestamp(now))
                .execute(&mut *c)
                .await?;
            sqlx::query("INSERT INTO audit_heads (org_id, seq, hash) VALUES ($1, 0, $2)")
                .bind(id.0)
                .bind(&GENESIS[..])
                .execute(&mut *c)
                .await?;
        });
        held.commit().await?;
        Ok(Organisation { id, slug: slug.clone(), name: name.to_owned() })
    }

    pub async fn organisation_by_slug(&self, slug: &OrgSlug) -> Result<Option<Organisation>> {
        let mut held = self.acquire_read().await?;
        let row: Option<OrganisationRow> = on_raw_conn!(held.raw_conn(), c => {
            sqlx::query_as("SELECT id, slug, name FROM organisations WHERE slug = $1").bind(slug.as_str()).fetch_optional(&mut *c).await?
        });
        row.map(Organisation::try_from).transpose()
    }

    pub async fn organisation(&self, id: OrgId) -> Result<Option<Organisation>> {
        let mut held = self.acquire_read().await?;
        let row: Option<OrganisationRow> = on_raw_conn!(held.raw_conn(), c => {
            sqlx::query_as("SELECT id, slug, name FROM organisations WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?
        });
        row.map(Organisation::try_from).transpose()
    }

    pub async fn organisations(&self) -> Result<Vec<Organisation>> {
        let mut held = self.acquire_read().await?;
        let rows: Vec<OrganisationRow> = on_raw_conn!(held.raw_conn(), c => {
            sqlx::query_as("SELECT id, slug, name FROM organisations ORDER BY slug").fetch_all(&mut *c).await?
        });
        rows.into_iter().map(Organisation::try_from).collect()
    }
}
