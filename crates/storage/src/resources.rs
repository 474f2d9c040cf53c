//! The community resource directory (`resources`). Searched and ordered by the folded keys
//! storage writes with each resource (`search_keys.rs`).

use kindred_domain::ids::ResourceId;
use kindred_domain::resource::{Resource, ResourceDetails, ResourceSource};
use kindred_domain::text::fold;
use kindred_domain::user::EmailAddress;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::search_keys::{contains_pattern, resource_keys};
use crate::session::{Session, Write, on_conn};
use crate::{Result, StorageError, Timestamp};

/// A page of the directory.
#[derive(Debug, Clone, Default)]
pub struct ResourceQuery {
    /// Matches organisation, service, category or city anywhere, folded as
    /// `kindred_domain::text::fold` folds (case and accents do not matter).
    pub search: Option<String>,
    /// Exactly this category (case-insensitive).
    pub category: Option<String>,
    /// Exactly this city (case-insensitive).
    pub city: Option<String>,
    pub include_inactive: bool,
    pub limit: i64,
    pub offset: i64,
}

#[derive(sqlx::FromRow)]
struct ResourceRow {
    id: Uuid,
    source: String,
    source_id: Option<String>,
    organisation_name: String,
    service_name: String,
    description: Option<String>,
    category: Option<String>,
    address: Option<String>,
    city: Option<String>,
    postal_code: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    website: Option<String>,
    hours: Option<String>,
    active: bool,
}

impl TryFrom<ResourceRow> for Resource {
    type Error = StorageError;
    fn try_from(r: ResourceRow) -> Result<Self> {
        Ok(Resource {
            id: ResourceId(r.id),
            source: ResourceSource::from_stored(&r.source, r.source_id),
            details: ResourceDetails {
                organisation_name: r.organisation_name,
                service_name: r.service_name,
                description: r.description,
                category: r.category,
                address: r.address,
                city: r.city,
                postal_code: r.postal_code,
                phone: r.phone,
                email: r
                    .email
                    .as_deref()
                    .map(EmailAddress::parse)
                    .transpose()
                    .map_err(StorageError::Corrupt)?,
                website: r.website,
                hours: r.hours,
            },
            active: r.active,
        })
    }
}

macro_rules! select_resource {
    ($rest:expr) => {
        concat!(
            "SELECT id, source, source_id, organisation_name, service_name, description, category,
                    address, city, postal_code, phone, email, website, hours, active
             FROM resources WHERE org_id = $1 ",
            $rest
        )
    };
}

/// `$2` search pattern, `$3` category, `$4` city, `$5` whether inactive ones count. The
/// category and city filters take a value picked from the directory's own list
/// ([`Session::resource_categories`]), so `lower()` (ASCII only on SQLite) is enough there;
/// what people type goes through `search_key`.
macro_rules! resource_filter {
    () => {
        "AND ($2 IS NULL OR search_key LIKE $2 ESCAPE '\\')
           AND ($3 IS NULL OR lower(category) = lower($3))
           AND ($4 IS NULL OR lower(city) = lower($4))
           AND (active OR $5)"
    };
}

/// Binds details as `$3` … `$13` and their search and sort keys as `$14`, `$15` (after org
/// and id), the order insert and update share.
macro_rules! bind_details {
    ($query:expr, $d:expr) => {{
        let (search_key, sort_key) = resource_keys($d);
        $query
            .bind(&$d.organisation_name)
            .bind(&$d.service_name)
            .bind($d.description.as_deref())
            .bind($d.category.as_deref())
            .bind($d.address.as_deref())
            .bind($d.city.as_deref())
            .bind($d.postal_code.as_deref())
            .bind($d.phone.as_deref())
            .bind($d.email.as_ref().map(EmailAddress::as_str))
            .bind($d.website.as_deref())
            .bind($d.hours.as_deref())
            .bind(search_key)
            .bind(sort_key)
    }};
}

fn blank_to_none(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

impl<M> Session<M> {
    /// A page of the directory by folded organisation and service name, and the total
    /// matching.
    pub async fn resources(&mut self, query: &ResourceQuery) -> Result<(Vec<Resource>, i64)> {
        let search = query.search.as_deref().and_then(contains_pattern);
        let category = blank_to_none(&query.category);
        let city = blank_to_none(&query.city);
        let (rows, total): (Vec<ResourceRow>, i64) = on_conn!(self.conn(), c => {
            let rows = c.query_as(select_resource!(concat!(
                resource_filter!(),
                " ORDER BY sort_key, id LIMIT $6 OFFSET $7"
            ))).bind(search.as_deref()).bind(category.as_deref()).bind(city.as_deref())
            .bind(query.include_inactive).bind(query.limit).bind(query.offset)
            .fetch_all(&mut *c)
            .await?;
            let total = c.query_scalar(concat!("SELECT COUNT(*) FROM resources WHERE org_id = $1 ", resource_filter!())).bind(search.as_deref()).bind(category.as_deref()).bind(city.as_deref())
                .bind(query.include_inactive)
                .fetch_one(&mut *c)
                .await?;
            (rows, total)
        });
        let resources = rows.into_iter().map(Resource::try_from).collect::<Result<_>>()?;
        Ok((resources, total))
    }

    pub async fn resource(&mut self, id: ResourceId) -> Result<Option<Resource>> {
        let row: Option<ResourceRow> = on_conn!(self.conn(), c => {
            c.query_as(select_resource!("AND id = $2"))
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?
        });
        row.map(Resource::try_from).transpose()
    }

    /// The resource imported from this source before, if any.
    pub async fn resource_by_source(
        &mut self,
        source: &ResourceSource,
    ) -> Result<Option<Resource>> {
        let code = source.code();
        let row: Option<ResourceRow> = on_conn!(self.conn(), c => {
            c.query_as(select_resource!("AND source = $2 AND source_id = $3"))
                .bind(&code)
                .bind(source.source_id())
                .fetch_optional(&mut *c)
                .await?
        });
        row.map(Resource::try_from).transpose()
    }

    /// The distinct categories in use, for the directory's filter, in folded order (sorted
    /// here: `ORDER BY category` would follow each database's collation).
    pub async fn resource_categories(&mut self) -> Result<Vec<String>> {
        let mut categories: Vec<String> = on_conn!(self.conn(), c => {
            c.query_scalar(
                "SELECT DISTINCT category FROM resources
                 WHERE org_id = $1 AND active AND category IS NOT NULL",
            )
            .fetch_all(&mut *c)
            .await?
        });
        categories.sort_by_cached_key(|category| (fold(category), category.clone()));
        Ok(categories)
    }
}

impl Session<Write> {
    pub async fn insert_resource(
        &mut self,
        resource: &Resource,
        now: OffsetDateTime,
    ) -> Result<()> {
        let d = &resource.details;
        let code = resource.source.code();
        on_conn!(self.conn(), c => {
            let insert = c.query(
                "INSERT INTO resources (org_id, id, organisation_name, service_name, description,
                    category, address, city, postal_code, phone, email, website, hours,
                    search_key, sort_key, source, source_id, active, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                    $17, $18, $19, $19)",
            )
            .bind(resource.id.0);
            bind_details!(insert, d)
                .bind(&code)
                .bind(resource.source.source_id())
                .bind(resource.active)
                .bind(Timestamp(now))
                .execute(&mut *c)
                .await?;
        });
        Ok(())
    }

    /// Saves a resource's details and whether it is active.
    pub async fn update_resource(
        &mut self,
        resource: &Resource,
        now: OffsetDateTime,
    ) -> Result<()> {
        let d = &resource.details;
        let updated = on_conn!(self.conn(), c => {
            let update = c.query(
                "UPDATE resources SET organisation_name = $3, service_name = $4, description = $5,
                    category = $6, address = $7, city = $8, postal_code = $9, phone = $10,
                    email = $11, website = $12, hours = $13, search_key = $14, sort_key = $15,
                    active = $16, updated_at = $17
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(resource.id.0);
            bind_details!(update, d)
                .bind(resource.active)
                .bind(Timestamp(now))
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
        if updated == 1 { Ok(()) } else { Err(StorageError::NotFound) }
    }
}
