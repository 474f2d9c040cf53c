//! The resource directory over the API, and its HSDS import.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kindred_app::hsds::{HsdsPackage, ImportReport};
use kindred_app::policy;
use kindred_app::resources::ResourceFilter;
use kindred_domain::ids::ResourceId;
use kindred_domain::resource::{Resource, ResourceInput, ResourceSource};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiJson, ApiPath, ApiQuery};

/// A service in the directory.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceBody {
    pub id: ResourceId,
    pub organisation_name: String,
    pub service_name: String,
    pub description: Option<String>,
    pub category: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub hours: Option<String>,
    /// Inactive resources are not offered for new referrals.
    pub active: bool,
    /// `manual`, or `hsds:<package>` for imported ones.
    pub source: String,
    /// The service's id in the imported package.
    pub source_id: Option<String>,
}

impl From<&Resource> for ResourceBody {
    fn from(r: &Resource) -> Self {
        let d = &r.details;
        Self {
            id: r.id,
            organisation_name: d.organisation_name.clone(),
            service_name: d.service_name.clone(),
            description: d.description.clone(),
            category: d.category.clone(),
            address: d.address.clone(),
            city: d.city.clone(),
            postal_code: d.postal_code.clone(),
            phone: d.phone.clone(),
            email: d.email.as_ref().map(|e| e.to_string()),
            website: d.website.clone(),
            hours: d.hours.clone(),
            active: r.active,
            source: r.source.code(),
            source_id: match &r.source {
                ResourceSource::Manual => None,
                ResourceSource::Hsds { service_id, .. } => Some(service_id.clone()),
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceList {
    pub items: Vec<ResourceBody>,
    pub total: i64,
    pub page: i64,
    pub page_count: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ResourceParams {
    /// Organisation, service, category or city contains this (case-insensitive).
    q: Option<String>,
    /// Exactly this category.
    category: Option<String>,
    /// Exactly this city.
    city: Option<String>,
    /// Include deactivated resources.
    include_inactive: Option<bool>,
    /// 1-based page of 50.
    page: Option<i64>,
}

/// The directory, by organisation and service name.
#[utoipa::path(
    get, path = "/api/v1/resources", tag = "resources", params(ResourceParams),
    responses((status = 200, body = ResourceList), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiQuery(params): ApiQuery<ResourceParams>,
) -> Result<Json<ResourceList>, ApiError> {
    let filter = ResourceFilter {
        search: params.q,
        category: params.category,
        city: params.city,
        include_inactive: params.include_inactive.unwrap_or(false),
        page: params.page.unwrap_or(1),
    };
    let page = state.app.resources(&policy::directory_reader(&actor)?, &filter).await?;
    Ok(Json(ResourceList {
        items: page.resources.iter().map(ResourceBody::from).collect(),
        total: page.total,
        page: page.page,
        page_count: page.page_count,
    }))
}

/// Add a resource by hand (supervisors and managers). `organisation_name` and `service_name`
/// are required; consents to share name the organisation.
#[utoipa::path(
    post, path = "/api/v1/resources", tag = "resources", request_body = ResourceInput,
    responses(
        (status = 201, body = ResourceBody), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(input): ApiJson<ResourceInput>,
) -> Result<Response, ApiError> {
    let resource = state.app.create_resource(&policy::curator(&actor)?, &input).await?;
    let location = format!("/api/v1/resources/{}", resource.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(ResourceBody::from(&resource)))
        .into_response())
}

#[utoipa::path(
    get, path = "/api/v1/resources/{resource_id}", tag = "resources",
    params(("resource_id" = ResourceId, Path, description = "Resource id")),
    responses((status = 200, body = ResourceBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn read(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ResourceId>,
) -> Result<Json<ResourceBody>, ApiError> {
    Ok(Json(ResourceBody::from(&state.app.resource(&policy::directory_reader(&actor)?, id).await?)))
}

/// Change some fields (supervisors and managers). Absent fields stay; an empty string clears
/// an optional one.
#[utoipa::path(
    patch, path = "/api/v1/resources/{resource_id}", tag = "resources",
    params(("resource_id" = ResourceId, Path, description = "Resource id")),
    request_body = ResourceInput,
    responses(
        (status = 200, body = ResourceBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn patch(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ResourceId>,
    ApiJson(input): ApiJson<ResourceInput>,
) -> Result<Json<ResourceBody>, ApiError> {
    Ok(Json(ResourceBody::from(
        &state.app.update_resource(&policy::curator(&actor)?, id, &input).await?,
    )))
}

/// Stop offering a resource for new referrals (referrals already made keep it).
#[utoipa::path(
    post, path = "/api/v1/resources/{resource_id}/deactivate", tag = "resources",
    params(("resource_id" = ResourceId, Path, description = "Resource id")),
    responses((status = 200, body = ResourceBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn deactivate(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ResourceId>,
) -> Result<Json<ResourceBody>, ApiError> {
    Ok(Json(ResourceBody::from(
        &state.app.set_resource_active(&policy::curator(&actor)?, id, false).await?,
    )))
}

/// Offer a deactivated resource again.
#[utoipa::path(
    post, path = "/api/v1/resources/{resource_id}/activate", tag = "resources",
    params(("resource_id" = ResourceId, Path, description = "Resource id")),
    responses((status = 200, body = ResourceBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn activate(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ResourceId>,
) -> Result<Json<ResourceBody>, ApiError> {
    Ok(Json(ResourceBody::from(
        &state.app.set_resource_active(&policy::curator(&actor)?, id, true).await?,
    )))
}

/// An HSDS tabular data package, its files by name with their text.
#[derive(Debug, Deserialize, ToSchema)]
pub struct HsdsImportRequest {
    /// `{"datapackage.json": "...", "organizations.csv": "...", "services.csv": "..."}`.
    pub files: BTreeMap<String, String>,
    /// Report only; change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// One problem with the package.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowErrorBody {
    pub file: String,
    /// The row in the file (the header is row 1); absent for the file as a whole.
    pub row: Option<u64>,
    pub field: Option<String>,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedBody {
    pub service_id: String,
    pub label: String,
}

/// What an import did, or would do.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReportBody {
    pub package: String,
    pub dry_run: bool,
    /// Whether the directory changed.
    pub applied: bool,
    pub created: Vec<ImportedBody>,
    pub updated: Vec<ImportedBody>,
    /// Every problem; when any, nothing was imported.
    pub errors: Vec<RowErrorBody>,
}

impl From<&ImportReport> for ImportReportBody {
    fn from(r: &ImportReport) -> Self {
        let items = |list: &[kindred_app::hsds::ImportedResource]| {
            list.iter()
                .map(|i| ImportedBody { service_id: i.service_id.clone(), label: i.label.clone() })
                .collect()
        };
        Self {
            package: r.package.clone(),
            dry_run: r.dry_run,
            applied: r.applied(),
            created: items(&r.created),
            updated: items(&r.updated),
            errors: r
                .errors
                .iter()
                .map(|e| RowErrorBody {
                    file: e.file.clone(),
                    row: e.row,
                    field: e.field.clone(),
                    message: e.message.clone(),
                })
                .collect(),
        }
    }
}

/// Import the directory from an Open Referral HSDS tabular package (managers). All or nothing:
/// any row error imports nothing and answers 422 with every error; re-importing the same
/// package updates its resources.
#[utoipa::path(
    post, path = "/api/v1/resources/hsds-import", tag = "resources", request_body = HsdsImportRequest,
    responses(
        (status = 200, body = ImportReportBody), (status = 403, body = ErrorBody),
        (status = 422, description = "Row errors; nothing imported", body = ImportReportBody),
    )
)]
pub async fn import_hsds(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(request): ApiJson<HsdsImportRequest>,
) -> Result<Response, ApiError> {
    let mut package = HsdsPackage::new();
    for (name, text) in request.files {
        package.add(name, text.into_bytes());
    }
    let report =
        state.app.import_hsds(&policy::manager(&actor)?, &package, request.dry_run).await?;
    let status =
        if report.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, Json(ImportReportBody::from(&report))).into_response())
}
