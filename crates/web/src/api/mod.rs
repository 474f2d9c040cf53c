//! The JSON API under `/api/v1`. Each handler carries its `#[utoipa::path]`, so the OpenAPI
//! document (`/api/v1/openapi.json`) is generated from the code it describes.

mod appointments;
mod assessments;
mod audit;
mod auth;
mod blinded_follow_up;
mod consents;
mod contacts;
mod fhir_export;
mod fidelity;
mod follow_up;
mod group_sessions;
mod imports;
mod instruments;
mod outcome_events;
mod participants;
mod programs;
mod recovery_plans;
mod referrals;
mod research;
mod resources;
mod schema;
pub(crate) use schema::timestamp;
mod staff;
mod studies;
mod study_analysis;
mod study_export;

pub use study_export::{dictionary_bodies, dictionary_json};
mod tasks;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::ErrorBody;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kindred API",
        description = "Peer recovery support services: participants, consents and the audit log. \
            Authenticate with `POST /api/v1/auth/token`, then send `Authorization: Bearer <token>`. \
            Errors are `{\"error\": {\"code\", \"message\", \"fields\"}}`.",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The spreadsheet import, under the upload's own size limit rather than the 1 MiB of every
/// other body (the caller keeps it out of that layer).
pub fn upload_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(imports::import_csv))
        .layer(axum::extract::DefaultBodyLimit::max(crate::upload_limit::BODY_LIMIT_BYTES))
        .layer(axum::middleware::from_fn(crate::upload_limit::api))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::issue_token))
        .routes(routes!(auth::me))
        .routes(routes!(participants::list, participants::create))
        .routes(routes!(participants::read, participants::patch))
        .routes(routes!(consents::list, consents::create))
        .routes(routes!(consents::revoke))
        .routes(routes!(audit::events))
        .routes(routes!(audit::taxonomy))
        .routes(routes!(fidelity::fidelity))
        .routes(routes!(fidelity::record_supervision, fidelity::supervision_sessions))
        .routes(routes!(fidelity::raise_concern, fidelity::concerns))
        .routes(routes!(fidelity::resolve_concern))
        .routes(routes!(recovery_plans::list, recovery_plans::create))
        .routes(routes!(recovery_plans::read, recovery_plans::patch))
        .routes(routes!(recovery_plans::add_step))
        .routes(routes!(recovery_plans::patch_step))
        .routes(routes!(referrals::list, referrals::create))
        .routes(routes!(referrals::read))
        .routes(routes!(referrals::change_status))
        .routes(routes!(referrals::open))
        .routes(routes!(resources::list, resources::create))
        .routes(routes!(resources::read, resources::patch))
        .routes(routes!(resources::deactivate))
        .routes(routes!(resources::activate))
        .routes(routes!(resources::import_hsds))
        .routes(routes!(programs::templates))
        .routes(routes!(programs::list, programs::create))
        .routes(routes!(programs::read, programs::patch))
        .routes(routes!(staff::list))
        .routes(routes!(staff::read, staff::patch))
        .routes(routes!(staff::add_certification))
        .routes(routes!(staff::remove_certification))
        .routes(routes!(tasks::due))
        .routes(routes!(tasks::of_participant))
        .routes(routes!(tasks::cancel))
        .routes(routes!(appointments::list, appointments::create))
        .routes(routes!(appointments::read, appointments::patch))
        // Contacts (issue 5).
        .routes(routes!(contacts::list, contacts::create))
        .routes(routes!(contacts::read, contacts::patch))
        .routes(routes!(contacts::revisions))
        // Assessments (instruments).
        .routes(routes!(assessments::list, assessments::create))
        .routes(routes!(assessments::read, assessments::patch))
        .routes(routes!(follow_up::schedule, follow_up::put_schedule))
        .routes(routes!(follow_up::rates))
        .routes(routes!(follow_up::of_participant))
        .routes(routes!(follow_up::log_attempt))
        .routes(routes!(follow_up::add_locator))
        .routes(routes!(follow_up::record_exclusion))
        .routes(routes!(follow_up::open_windows))
        .routes(routes!(blinded_follow_up::open_windows))
        .routes(routes!(assessments::response))
        .routes(routes!(assessments::import_response))
        .routes(routes!(instruments::list))
        .routes(routes!(instruments::read))
        .routes(routes!(instruments::questionnaire))
        .routes(routes!(instruments::import))
        .routes(routes!(outcome_events::list, outcome_events::create))
        .routes(routes!(group_sessions::create))
        // Studies (issue 11).
        .routes(routes!(studies::list, studies::create))
        .routes(routes!(studies::replicate))
        .routes(routes!(studies::read, studies::patch))
        .routes(routes!(studies::open))
        .routes(routes!(studies::enrol))
        .routes(routes!(studies::allocations))
        .routes(routes!(studies::verify))
        .routes(routes!(studies::lock))
        .routes(routes!(studies::amend))
        .routes(routes!(study_analysis::results))
        .routes(routes!(study_analysis::table))
        .routes(routes!(study_analysis::flow))
        .routes(routes!(study_export::deidentified, study_export::identified))
        .routes(routes!(study_export::dictionary))
        .routes(routes!(study_export::redcap))
        .routes(routes!(research::participants))
        // FHIR R4 export under consent (issue 13).
        .routes(routes!(fhir_export::participant))
        .routes(routes!(fhir_export::program))
}
