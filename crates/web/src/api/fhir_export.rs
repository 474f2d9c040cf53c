//! FHIR R4 export over the API: a participant's or a program's record as a `collection`
//! Bundle for a named recipient and purpose, under the participants' consents.

use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use kindred_app::fhir::{FhirBundle, FhirRequestInput};
use kindred_app::policy;
use kindred_domain::ids::{ParticipantId, ProgramId};
use serde::Deserialize;
use utoipa::IntoParams;

use super::instruments::fhir_json;
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiPath, ApiQuery};

/// How many of a program's participants a bundle left out for want of consent.
const LEFT_OUT: HeaderName = HeaderName::from_static("kindred-participants-left-out");

#[derive(Debug, Deserialize, IntoParams)]
pub struct FhirParams {
    /// The recipient, as the participant's consent names them (case does not matter).
    recipient: Option<String>,
    /// Why: a consent-purpose code (`referral`, `treatment`, `payment`, `evaluation`, `legal`,
    /// `family`).
    purpose: Option<String>,
}

impl From<FhirParams> for FhirRequestInput {
    fn from(params: FhirParams) -> Self {
        Self { recipient: params.recipient, purpose: params.purpose }
    }
}

/// One participant's record as a FHIR R4 Bundle: the `Patient` and the `Consent` relied on,
/// and as that consent allows, contact details, `Encounter`s (contacts),
/// `QuestionnaireResponse`s (completed assessments) and `ServiceRequest`s with `Task`s
/// (referrals). Refused (403, `no_consent`) unless a current consent names the recipient and
/// purpose; the message says what is missing. Free-text notes are never exported.
#[utoipa::path(
    get, path = "/api/v1/participants/{id}/fhir", tag = "fhir",
    params(("id" = ParticipantId, Path, description = "Participant id"), FhirParams),
    responses(
        (status = 200, body = Object, content_type = "application/fhir+json", description = "A FHIR R4 Bundle of type collection"),
        (status = 403, body = ErrorBody, description = "Not this actor's participant, or no consent covers the recipient and purpose (`no_consent`)"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn participant(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
    ApiQuery(params): ApiQuery<FhirParams>,
) -> Result<Response, ApiError> {
    let export = state.app.participant_fhir(&actor, id, &params.into()).await?;
    Ok(bundle_response(export))
}

/// Every consenting participant of a program as one FHIR R4 Bundle (managers only).
/// Participants without a current consent naming the recipient and purpose are left out: the
/// bundle says how many in an `OperationOutcome` entry, and so does the
/// `Kindred-Participants-Left-Out` header.
#[utoipa::path(
    get, path = "/api/v1/programs/{id}/fhir", tag = "fhir",
    params(("id" = ProgramId, Path, description = "Program id"), FhirParams),
    responses(
        (status = 200, body = Object, content_type = "application/fhir+json", description = "A FHIR R4 Bundle of type collection",
            headers(("Kindred-Participants-Left-Out" = u64, description = "Participants of the program left out for want of consent"))),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn program(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ProgramId>,
    ApiQuery(params): ApiQuery<FhirParams>,
) -> Result<Response, ApiError> {
    let exporter = policy::program_exporter(&actor)?;
    let export = state.app.program_fhir(&exporter, id, &params.into()).await?;
    Ok(bundle_response(export))
}

fn bundle_response(export: FhirBundle) -> Response {
    let left_out = HeaderValue::from(export.left_out);
    let mut response = fhir_json(StatusCode::OK, export.bundle);
    response.headers_mut().insert(LEFT_OUT, left_out);
    response
}
