//! Importing the resource directory from an Open Referral HSDS tabular data package.
//!
//! Supported: HSDS 3.0 and 2.x tabular packages (`datapackage.json` plus CSV). Tables are found
//! by their `datapackage.json` resource name or by file name, under either version's names
//! (`addresses.csv` or `physical_addresses.csv`, `schedules.csv` or `regular_schedules.csv`,
//! `service_at_location.csv` or `services_at_location.csv`…), and columns under either
//! version's names (`website` or `url`, `byday` or `weekday`). Read: organizations, services,
//! locations, service at location, addresses, phones and schedules; other tables are ignored.
//! One resource per service: its organisation's name, the first address of its first location
//! (the physical one if there are several), the closest phone (the service's own, at its
//! location, its location's, then its organisation's) and its hours (schedule descriptions, or
//! days and times, or a `hours` column). Categories are not imported (HSDS taxonomies vary too
//! much to map); they can be set by hand and a re-import keeps them.
//!
//! **All or nothing.** Every row is checked first; if any row has a problem the import writes
//! nothing and reports every problem with its file and row. A half-imported directory would
//! hold services without their phones or with another service's hours, and a coach would
//! refer people with it; a clean retry after fixing the file is the safer path. A real run
//! writes every resource in one transaction.
//!
//! **Re-importing updates.** A resource remembers its package (`datapackage.json` `name`) and
//! service id; importing the same package again updates those resources (including whether
//! the service is active) instead of adding copies.

mod build;
mod package;

use std::fmt;

use kindred_domain::audit::{AuditAction, AuditEntry};
use kindred_domain::ids::ResourceId;
use kindred_domain::resource::{Resource, ResourceSource};
use kindred_storage::{Session, Tenant};

pub use package::HsdsPackage;

use crate::audit::entry;
use crate::policy::Manager;
use crate::{App, Result};

/// One problem with the package: a file, the row in it (the header is row 1; `None` for the
/// file as a whole), the column and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub file: String,
    pub row: Option<u64>,
    pub field: Option<String>,
    pub message: String,
}

impl RowError {
    fn file(file: &str, message: impl Into<String>) -> Self {
        Self { file: file.to_owned(), row: None, field: None, message: message.into() }
    }

    fn row(file: &str, row: u64, field: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            row: Some(row),
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(row) = self.row {
            write!(f, " row {row}")?;
        }
        match &self.field {
            Some(field) => write!(f, ": {field} {}", self.message),
            None => write!(f, ": {}", self.message),
        }
    }
}

/// A resource the import creates or updates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedResource {
    /// The service's id in the package.
    pub service_id: String,
    /// "Service — Organisation".
    pub label: String,
}

/// What an import did (or, in a dry run or when there are errors, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// The package's name, which identifies its resources on re-import.
    pub package: String,
    pub dry_run: bool,
    pub created: Vec<ImportedResource>,
    pub updated: Vec<ImportedResource>,
    /// Every problem found; when not empty, nothing was written.
    pub errors: Vec<RowError>,
}

impl ImportReport {
    /// Whether the directory was changed.
    pub fn applied(&self) -> bool {
        !self.dry_run && self.errors.is_empty()
    }
}

impl App {
    /// Imports an HSDS package into the actor's directory (managers only). With `dry_run`,
    /// reports what would be created and updated, and every row error, changing nothing.
    pub async fn import_hsds(
        &self,
        manager: &Manager<'_>,
        package: &HsdsPackage,
        dry_run: bool,
    ) -> Result<ImportReport> {
        let actor = manager.actor();
        let audit = |detail: String| entry(actor, AuditAction::Create, "resource", None, detail);
        self.import_into(actor.tenant(), package, dry_run, audit).await
    }

    /// The same, run by the operator (`kindred import hsds DIR --org SLUG`).
    pub async fn import_hsds_as_operator(
        &self,
        organisation: &str,
        package: &HsdsPackage,
        dry_run: bool,
    ) -> Result<ImportReport> {
        let tenant = self.tenant_by_slug(organisation).await?;
        let audit = |detail: String| AuditEntry {
            actor_id: None,
            actor_label: "operator (command line)".into(),
            action: AuditAction::Create,
            record_type: "resource".into(),
            record_id: None,
            detail,
        };
        self.import_into(&tenant, package, dry_run, audit).await
    }

    async fn import_into(
        &self,
        tenant: &Tenant,
        package: &HsdsPackage,
        dry_run: bool,
        audit: impl Fn(String) -> AuditEntry,
    ) -> Result<ImportReport> {
        let mut errors = Vec::new();
        let tables = package::read(package, &mut errors);
        let (services, mut row_errors) = match &tables {
            Some(tables) => build::build(tables),
            None => (Vec::new(), Vec::new()),
        };
        errors.append(&mut row_errors);
        let mut report = ImportReport {
            package: tables.map(|t| t.name).unwrap_or_default(),
            dry_run,
            created: Vec::new(),
            updated: Vec::new(),
            errors,
        };
        if !report.errors.is_empty() {
            return Ok(report);
        }
        // A dry run only reads; a real run looks up and writes in one transaction.
        if dry_run {
            let mut session = tenant.read().await?;
            plan(&mut session, &mut report, services).await?;
            return Ok(report);
        }
        let now = self.clock().now();
        let mut tx = tenant.write().await?;
        for (resource, existed) in plan(&mut tx, &mut report, services).await? {
            if existed {
                tx.update_resource(&resource, now).await?;
            } else {
                tx.insert_resource(&resource, now).await?;
            }
        }
        let detail = format!(
            "HSDS import of {}: {} created, {} updated",
            report.package,
            report.created.len(),
            report.updated.len()
        );
        tx.append_audit(now, audit(detail)).await?;
        tx.commit().await?;
        Ok(report)
    }
}

/// Matches each service with the resource imported from it before, if any: the resource to
/// save and whether it already exists. Fills the report's created and updated lists.
async fn plan<M>(
    session: &mut Session<M>,
    report: &mut ImportReport,
    services: Vec<build::ImportedService>,
) -> Result<Vec<(Resource, bool)>> {
    let mut planned = Vec::new();
    for service in services {
        let source = ResourceSource::Hsds {
            package: report.package.clone(),
            service_id: service.service_id.clone(),
        };
        let mut details = service.details;
        let item = ImportedResource {
            service_id: service.service_id,
            label: format!("{} — {}", details.service_name, details.organisation_name),
        };
        match session.resource_by_source(&source).await? {
            Some(mut resource) => {
                // A category set by hand survives: packages do not carry one.
                details.category = resource.details.category.take();
                resource.details = details;
                resource.active = service.active;
                report.updated.push(item);
                planned.push((resource, true));
            }
            None => {
                report.created.push(item);
                let resource = Resource {
                    id: ResourceId::generate(),
                    source,
                    details,
                    active: service.active,
                };
                planned.push((resource, false));
            }
        }
    }
    Ok(planned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(files: &[(&str, &str)]) -> HsdsPackage {
        let mut package = HsdsPackage::new();
        for (name, text) in files {
            package.add(*name, text.as_bytes().to_vec());
        }
        package
    }

    /// An HSDS 2.x package: `url` for the website, `physical_addresses.csv` without an address
    /// type, `services_at_location.csv`, `regular_schedules.csv` with `weekday`, no resources
    /// listed in `datapackage.json`.
    #[test]
    fn an_hsds_2_package_is_read_by_its_own_names() {
        let files = package(&[
            ("datapackage.json", r#"{"name": "Old County 2019"}"#),
            (
                "organizations.csv",
                "id,name,url,email\no1,Old Town Shelter,http://oldtown.example,\n",
            ),
            (
                "services.csv",
                "id,organization_id,name,status\ns1,o1,Night shelter,active\ns2,o1,Day centre,inactive\n",
            ),
            ("locations.csv", "id,organization_id,name\nl1,o1,Main site\n"),
            ("services_at_location.csv", "id,service_id,location_id\nsl1,s1,l1\n"),
            (
                "physical_addresses.csv",
                "id,location_id,address_1,city,postal_code\na1,l1,1 Church Lane,Oldtown,12345\n",
            ),
            ("phones.csv", "id,organization_id,number,extension\np1,o1,555-0101,7\n"),
            (
                "regular_schedules.csv",
                "id,service_id,weekday,opens_at,closes_at\nr1,s1,Monday,19:00,07:00\nr2,s1,Tuesday,19:00,07:00\n",
            ),
        ]);
        let mut errors = Vec::new();
        let tables = package::read(&files, &mut errors).expect("tables");
        assert_eq!(tables.name, "oldcounty2019");
        let (services, row_errors) = build::build(&tables);
        assert!(errors.is_empty() && row_errors.is_empty(), "{errors:?} {row_errors:?}");
        let shelter = services.iter().find(|s| s.service_id == "s1").expect("s1");
        let d = &shelter.details;
        assert_eq!(d.organisation_name, "Old Town Shelter");
        assert_eq!(d.website.as_deref(), Some("http://oldtown.example"));
        assert_eq!(d.address.as_deref(), Some("1 Church Lane"));
        assert_eq!(d.city.as_deref(), Some("Oldtown"));
        assert_eq!(d.phone.as_deref(), Some("555-0101 ext. 7"));
        assert_eq!(d.hours.as_deref(), Some("Mon 19:00–07:00; Tue 19:00–07:00"));
        assert!(shelter.active);
        assert!(!services.iter().find(|s| s.service_id == "s2").expect("s2").active);
    }

    #[test]
    fn a_package_without_its_descriptor_or_services_is_refused_whole() {
        let mut errors = Vec::new();
        assert!(package::read(&package(&[("services.csv", "id\n")]), &mut errors).is_none());
        assert_eq!(
            errors[0].to_string(),
            "datapackage.json: is missing: an HSDS tabular package has a datapackage.json beside its CSV files"
        );
        let mut errors = Vec::new();
        package::read(
            &package(&[("datapackage.json", "{}"), ("organizations.csv", "id,name\n")]),
            &mut errors,
        );
        assert_eq!(errors.len(), 1);
        assert!(errors[0].to_string().starts_with("services.csv: is missing"), "{}", errors[0]);
    }
}
