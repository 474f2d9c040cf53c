//! Outcome events over the API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kindred_domain::ids::{OutcomeEventId, ParticipantId, UserId};
use kindred_domain::outcome_event::{OutcomeEvent, OutcomeEventInput};
use kindred_domain::vocabulary::{HospitalisationKind, OutcomeEventKind, PrimarySubstance};
use serde::Serialize;
use utoipa::ToSchema;

use super::schema::timestamp;
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiJson, ApiPath};

/// A dated outcome event.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeEventBody {
    pub id: OutcomeEventId,
    pub participant_id: ParticipantId,
    pub kind: OutcomeEventKind,
    /// ISO 8601 date.
    pub occurred_on: String,
    pub substance: Option<PrimarySubstance>,
    /// A hospitalisation's kind, when recorded (never on another event).
    pub hospitalisation_kind: Option<HospitalisationKind>,
    pub detail: Option<String>,
    pub recorded_by: UserId,
    pub recorded_by_name: String,
    /// RFC 3339.
    pub recorded_at: String,
}

impl From<&OutcomeEvent> for OutcomeEventBody {
    fn from(e: &OutcomeEvent) -> Self {
        Self {
            id: e.id,
            participant_id: e.participant_id,
            kind: e.event.kind,
            occurred_on: e.event.occurred_on.to_string(),
            substance: e.event.substance,
            hospitalisation_kind: e.event.hospitalisation_kind,
            detail: e.event.detail.clone(),
            recorded_by: e.recorded_by,
            recorded_by_name: e.recorded_by_name.clone(),
            recorded_at: timestamp(e.recorded_at),
        }
    }
}

/// The participant's outcome events, newest first (appointment outcomes included).
#[utoipa::path(
    get, path = "/api/v1/participants/{id}/outcome-events", tag = "outcome events",
    params(("id" = ParticipantId, Path, description = "Participant id")),
    responses((status = 200, body = Vec<OutcomeEventBody>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
) -> Result<Json<Vec<OutcomeEventBody>>, ApiError> {
    let events = state.app.outcome_events(&actor, id).await?;
    Ok(Json(events.iter().map(OutcomeEventBody::from).collect()))
}

/// Record an outcome event: a `kind` and the date it happened (`occurred_on`).
#[utoipa::path(
    post, path = "/api/v1/participants/{id}/outcome-events", tag = "outcome events",
    params(("id" = ParticipantId, Path, description = "Participant id")),
    request_body = OutcomeEventInput,
    responses(
        (status = 201, body = OutcomeEventBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
    ApiJson(input): ApiJson<OutcomeEventInput>,
) -> Result<Response, ApiError> {
    let event = state.app.record_outcome_event(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(OutcomeEventBody::from(&event))).into_response())
}
