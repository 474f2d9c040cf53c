//! The community resource directory. Not participant data, so reads are not audited; changes
//! are (record type `resource`), so a manager can see who changed the directory.

use kindred_domain::audit::AuditAction;
use kindred_domain::ids::ResourceId;
use kindred_domain::resource::{Resource, ResourceDetails, ResourceInput, ResourceSource};
use kindred_storage::ResourceQuery;

use crate::audit::entry;
use crate::policy::{Curator, DirectoryReader};
use crate::{App, AppError, Result};

/// Resources per page of the directory.
pub const RESOURCE_PAGE_SIZE: i64 = 50;

/// What to show of the directory.
#[derive(Debug, Clone, Default)]
pub struct ResourceFilter {
    /// Organisation, service, category or city contains this.
    pub search: Option<String>,
    pub category: Option<String>,
    pub city: Option<String>,
    /// Show deactivated resources too (for those who may manage the directory).
    pub include_inactive: bool,
    /// 1-based.
    pub page: i64,
}

/// A page of the directory.
#[derive(Debug, Clone)]
pub struct ResourcePage {
    pub resources: Vec<Resource>,
    pub total: i64,
    pub page: i64,
    pub page_count: i64,
}

impl App {
    /// A page of the directory, by organisation and service name.
    pub async fn resources(
        &self,
        reader: &DirectoryReader<'_>,
        filter: &ResourceFilter,
    ) -> Result<ResourcePage> {
        let actor = reader.actor();
        let page = filter.page.max(1);
        let query = ResourceQuery {
            search: filter.search.clone(),
            category: filter.category.clone(),
            city: filter.city.clone(),
            include_inactive: filter.include_inactive,
            limit: RESOURCE_PAGE_SIZE,
            offset: (page - 1).saturating_mul(RESOURCE_PAGE_SIZE),
        };
        let (resources, total) = actor.tenant().read().await?.resources(&query).await?;
        let page_count = (total + RESOURCE_PAGE_SIZE - 1) / RESOURCE_PAGE_SIZE;
        Ok(ResourcePage { resources, total, page, page_count })
    }

    /// The categories in use, for the directory's filter.
    pub async fn resource_categories(&self, reader: &DirectoryReader<'_>) -> Result<Vec<String>> {
        let actor = reader.actor();
        Ok(actor.tenant().read().await?.resource_categories().await?)
    }

    pub async fn resource(&self, reader: &DirectoryReader<'_>, id: ResourceId) -> Result<Resource> {
        let actor = reader.actor();
        actor.tenant().read().await?.resource(id).await?.ok_or(AppError::NotFound)
    }

    /// Adds a resource by hand.
    pub async fn create_resource(
        &self,
        curator: &Curator<'_>,
        input: &ResourceInput,
    ) -> Result<Resource> {
        let actor = curator.actor();
        let details = ResourceDetails::parse(input)?;
        let resource = Resource {
            id: ResourceId::generate(),
            source: ResourceSource::Manual,
            details,
            active: true,
        };
        let now = self.clock().now();
        let mut tx = actor.tenant().write().await?;
        tx.insert_resource(&resource, now).await?;
        tx.append_audit(
            now,
            entry(
                actor,
                AuditAction::Create,
                "resource",
                Some(resource.id.to_string()),
                resource.label(),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(resource)
    }

    /// Changes the fields present in `input` (an empty string clears an optional field).
    pub async fn update_resource(
        &self,
        curator: &Curator<'_>,
        id: ResourceId,
        input: &ResourceInput,
    ) -> Result<Resource> {
        let actor = curator.actor();
        let mut tx = actor.tenant().write().await?;
        let mut resource = tx.resource(id).await?.ok_or(AppError::NotFound)?;
        resource.details = ResourceDetails::parse(&input.over(resource.details.to_input()))?;
        let now = self.clock().now();
        tx.update_resource(&resource, now).await?;
        tx.append_audit(
            now,
            entry(actor, AuditAction::Update, "resource", Some(id.to_string()), resource.label()),
        )
        .await?;
        tx.commit().await?;
        Ok(resource)
    }

    /// Takes a resource out of (or back into) the list offered for new referrals. Referrals
    /// already made to it keep it.
    pub async fn set_resource_active(
        &self,
        curator: &Curator<'_>,
        id: ResourceId,
        active: bool,
    ) -> Result<Resource> {
        let actor = curator.actor();
        let mut tx = actor.tenant().write().await?;
        let mut resource = tx.resource(id).await?.ok_or(AppError::NotFound)?;
        if resource.active == active {
            return Ok(resource);
        }
        resource.active = active;
        let now = self.clock().now();
        tx.update_resource(&resource, now).await?;
        let detail =
            format!("{}: {}", resource.label(), if active { "reactivated" } else { "deactivated" });
        tx.append_audit(
            now,
            entry(actor, AuditAction::Update, "resource", Some(id.to_string()), detail),
        )
        .await?;
        tx.commit().await?;
        Ok(resource)
    }
}
