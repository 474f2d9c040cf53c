//! The instrument library over the API: list, definitions, FHIR SDC `Questionnaire` export
//! and import (an organisation's own instrument).

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kindred_app::assessments::InstrumentListing;
use kindred_app::policy;
use kindred_domain::instruments::{InstrumentDefinition, Licence, ScaleSummary};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiJson, ApiPath};

/// One instrument as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstrumentBody {
    pub code: String,
    pub version: String,
    /// What staff call it (`PHQ-9`).
    pub name: String,
    pub title: String,
    pub description: String,
    pub item_count: usize,
    /// The total first, then subscales.
    pub scales: Vec<ScaleSummary>,
    /// The terms under which it may be used (show them).
    pub licence: Licence,
    pub citation: String,
    pub caveats: Vec<String>,
    /// `library` (shipped with Kindred) or `organisation` (imported).
    pub source: String,
}

impl From<&InstrumentListing> for InstrumentBody {
    fn from(listing: &InstrumentListing) -> Self {
        let s = &listing.summary;
        Self {
            code: s.code.clone(),
            version: s.version.clone(),
            name: s.short_name.clone(),
            title: s.title.clone(),
            description: s.description.clone(),
            item_count: s.item_count,
            scales: s.scales.clone(),
            licence: s.licence.clone(),
            citation: s.citation.clone(),
            caveats: s.caveats.clone(),
            source: listing.source.code().to_owned(),
        }
    }
}

/// Every instrument the organisation can administer, with licence and citation.
#[utoipa::path(
    get, path = "/api/v1/instruments", tag = "instruments",
    responses((status = 200, body = Vec<InstrumentBody>), (status = 401, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<InstrumentBody>>, ApiError> {
    let listings = state.app.instruments(&actor).await?;
    Ok(Json(listings.iter().map(InstrumentBody::from).collect()))
}

/// One instrument's full definition: items, options, skip rules, scoring, bands, flags.
#[utoipa::path(
    get, path = "/api/v1/instruments/{code}", tag = "instruments",
    params(("code" = String, Path, description = "Instrument code, e.g. phq-9")),
    responses((status = 200, body = InstrumentDefinition), (status = 404, body = ErrorBody))
)]
pub async fn read(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<InstrumentDefinition>, ApiError> {
    let (definition, _) = state.app.instrument(&actor, &code).await?;
    Ok(Json(definition))
}

/// One instrument as a FHIR R4 SDC `Questionnaire`.
#[utoipa::path(
    get, path = "/api/v1/instruments/{code}/fhir", tag = "instruments",
    params(("code" = String, Path, description = "Instrument code, e.g. phq-9")),
    responses((status = 200, body = Object, content_type = "application/fhir+json"), (status = 404, body = ErrorBody))
)]
pub async fn questionnaire(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(code): ApiPath<String>,
) -> Result<Response, ApiError> {
    let resource = state.app.instrument_questionnaire(&actor, &code).await?;
    Ok(fhir_json(StatusCode::OK, resource))
}

/// Import a FHIR `Questionnaire` (Kindred's SDC mapping, as exported) as the organisation's
/// own instrument; then it is listed and can be administered. Managers only.
#[utoipa::path(
    post, path = "/api/v1/instruments/import", tag = "instruments",
    request_body(content = Object, description = "A FHIR R4 Questionnaire"),
    responses(
        (status = 201, body = InstrumentDefinition), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn import(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(resource): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let definition = state.app.import_instrument(&policy::manager(&actor)?, &resource).await?;
    let location = format!("/api/v1/instruments/{}", definition.code);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(definition)).into_response())
}

/// A FHIR resource with its media type.
pub(super) fn fhir_json(status: StatusCode, resource: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/fhir+json")], Json(resource)).into_response()
}
