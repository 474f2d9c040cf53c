//! Assessments over the API: administering an instrument to a participant (start, save
//! partially, complete) and reading the server's scores, band, flags and change since last.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kindred_app::assessments::AdministeredAssessment;
use kindred_domain::assessment::{AssessmentInput, AssessmentStatus};
use kindred_domain::ids::{AssessmentId, ParticipantId, ProgramId, UserId};
use kindred_domain::instruments::scoring::ScaleScore;
use kindred_domain::instruments::{Answers, Change, RaisedFlag, ScoreResult};
use serde::Serialize;
use utoipa::ToSchema;

use super::schema::timestamp;
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiJson, ApiPath};

/// One administration with what the server computed from it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentBody {
    pub id: AssessmentId,
    pub participant_id: ParticipantId,
    pub instrument_code: String,
    pub instrument_version: String,
    pub instrument_name: String,
    pub program_id: Option<ProgramId>,
    pub time_point_code: Option<String>,
    /// ISO 8601 date.
    pub administered_on: String,
    pub status: AssessmentStatus,
    /// Item id → answer value.
    pub answers: Answers,
    /// The headline score (the first scale); `null` while too few items are answered.
    pub score: Option<f64>,
    /// The headline score's interpretation band.
    pub band: Option<BandBody>,
    /// Raised flags, most severe first (PHQ-9 item 9 is `urgent`).
    pub flags: Vec<RaisedFlag>,
    /// Every scale, the total first.
    pub scales: Vec<ScaleScore>,
    /// The full scoring, including completeness.
    pub result: ScoreResult,
    /// Change since the previous completed administration of the same instrument.
    pub change: Option<Change>,
    pub previous_assessment_id: Option<AssessmentId>,
    pub administered_by: UserId,
    pub administered_by_name: String,
    /// Send it back as `version` when saving, to detect a concurrent save.
    pub version: i64,
    /// RFC 3339.
    pub created_at: String,
    pub updated_at: String,
}

/// A band: its code and label.
#[derive(Debug, Serialize, ToSchema)]
pub struct BandBody {
    pub code: String,
    pub label: String,
}

impl From<&AdministeredAssessment> for AssessmentBody {
    fn from(view: &AdministeredAssessment) -> Self {
        let a = &view.assessment;
        let total = view.result.total();
        Self {
            id: a.id,
            participant_id: a.participant_id,
            instrument_code: a.instrument_code.clone(),
            instrument_version: a.instrument_version.clone(),
            instrument_name: view.definition.short_name.clone(),
            program_id: a.program_id,
            time_point_code: a.time_point_code.clone(),
            administered_on: a.administered_on.to_string(),
            status: a.status,
            answers: a.answers.clone(),
            score: total.and_then(|t| t.value),
            band: total
                .and_then(|t| t.band.as_ref())
                .map(|b| BandBody { code: b.code.clone(), label: b.label.clone() }),
            flags: view.result.flags.clone(),
            scales: view.result.scales.clone(),
            result: view.result.clone(),
            change: view.change.clone(),
            previous_assessment_id: view.previous,
            administered_by: a.administered_by,
            administered_by_name: a.administered_by_name.clone(),
            version: a.version,
            created_at: timestamp(a.created_at),
            updated_at: timestamp(a.updated_at),
        }
    }
}

/// The participant's assessments, oldest first.
#[utoipa::path(
    get, path = "/api/v1/participants/{id}/assessments", tag = "assessments",
    params(("id" = ParticipantId, Path, description = "Participant id")),
    responses((status = 200, body = Vec<AssessmentBody>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
) -> Result<Json<Vec<AssessmentBody>>, ApiError> {
    let views = state.app.participant_assessments(&actor, id).await?;
    Ok(Json(views.iter().map(AssessmentBody::from).collect()))
}

/// Start an assessment: an `instrument` code and any answers so far; `complete: true` to
/// complete it at once. Every answer is checked against the instrument; a refused answer
/// saves nothing (422, with the item ids as fields).
#[utoipa::path(
    post, path = "/api/v1/participants/{id}/assessments", tag = "assessments",
    params(("id" = ParticipantId, Path, description = "Participant id")),
    request_body = AssessmentInput,
    responses(
        (status = 201, body = AssessmentBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
    ApiJson(input): ApiJson<AssessmentInput>,
) -> Result<Response, ApiError> {
    let view = state.app.start_assessment(&actor, id, &input).await?;
    Ok(created(&view))
}

/// A 201 with the new assessment and its location.
pub(super) fn created(view: &AdministeredAssessment) -> Response {
    let location = format!("/api/v1/assessments/{}", view.assessment.id);
    (StatusCode::CREATED, [(header::LOCATION, location)], Json(AssessmentBody::from(view)))
        .into_response()
}

/// One assessment with its scores and change since the previous one.
#[utoipa::path(
    get, path = "/api/v1/assessments/{id}", tag = "assessments",
    params(("id" = AssessmentId, Path, description = "Assessment id")),
    responses((status = 200, body = AssessmentBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn read(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<AssessmentId>,
) -> Result<Json<AssessmentBody>, ApiError> {
    let view = state.app.assessment(&actor, id).await?;
    Ok(Json(AssessmentBody::from(&view)))
}

/// Save answers to an assessment in progress (merged: an item sent as `null` is cleared, an
/// item not sent keeps its answer) and, with `complete: true`, complete it. A completed
/// assessment answers 409.
#[utoipa::path(
    patch, path = "/api/v1/assessments/{id}", tag = "assessments",
    params(("id" = AssessmentId, Path, description = "Assessment id")),
    request_body = AssessmentInput,
    responses(
        (status = 200, body = AssessmentBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn patch(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<AssessmentId>,
    ApiJson(input): ApiJson<AssessmentInput>,
) -> Result<Json<AssessmentBody>, ApiError> {
    let view = state.app.save_assessment(&actor, id, &input).await?;
    Ok(Json(AssessmentBody::from(&view)))
}

/// One assessment as a FHIR R4 `QuestionnaireResponse` (subject: the participant's
/// pseudonymous reference, never a name).
#[utoipa::path(
    get, path = "/api/v1/assessments/{id}/fhir", tag = "assessments",
    params(("id" = AssessmentId, Path, description = "Assessment id")),
    responses((status = 200, body = Object, content_type = "application/fhir+json"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn response(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<AssessmentId>,
) -> Result<Response, ApiError> {
    let resource = state.app.assessment_response(&actor, id).await?;
    Ok(super::instruments::fhir_json(StatusCode::OK, resource))
}

/// Import a FHIR `QuestionnaireResponse` as a new assessment: every answer is checked as a
/// form's would be; `completed` completes it, `in-progress` saves it in progress.
#[utoipa::path(
    post, path = "/api/v1/participants/{id}/assessments/fhir", tag = "assessments",
    params(("id" = ParticipantId, Path, description = "Participant id")),
    request_body(content = Object, description = "A FHIR R4 QuestionnaireResponse"),
    responses(
        (status = 201, body = AssessmentBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn import_response(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
    ApiJson(resource): ApiJson<serde_json::Value>,
) -> Result<Response, ApiError> {
    let view = state.app.import_assessment_response(&actor, id, &resource).await?;
    Ok(created(&view))
}
