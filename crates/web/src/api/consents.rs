//! Consents over the API.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kindred_domain::consent::ConsentInput;
use kindred_domain::ids::{ConsentId, ParticipantId};

use super::schema::{ConsentBody, RevokeRequest};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiJson, ApiPath};

/// A participant's consents, newest first, each with its status today.
#[utoipa::path(
    get, path = "/api/v1/participants/{id}/consents", tag = "consents",
    params(("id" = ParticipantId, Path, description = "Participant id")),
    responses((status = 200, body = Vec<ConsentBody>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
) -> Result<Json<Vec<ConsentBody>>, ApiError> {
    let today = state.app.clock().today();
    let consents = state.app.consents(&actor, id).await?;
    Ok(Json(consents.iter().map(|c| ConsentBody::new(c, today)).collect()))
}

/// Record a consent the participant signed: what may be disclosed, to whom, for what purpose,
/// until when.
#[utoipa::path(
    post, path = "/api/v1/participants/{id}/consents", tag = "consents",
    params(("id" = ParticipantId, Path, description = "Participant id")),
    request_body = ConsentInput,
    responses(
        (status = 201, body = ConsentBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
    ApiJson(input): ApiJson<ConsentInput>,
) -> Result<Response, ApiError> {
    let consent = state.app.record_consent(&actor, id, &input).await?;
    let location = format!("/api/v1/participants/{id}/consents/{}", consent.id);
    let body = ConsentBody::new(&consent, state.app.clock().today());
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response())
}

/// Revoke a consent from now on. Revoking a revoked consent is a conflict.
#[utoipa::path(
    post, path = "/api/v1/participants/{id}/consents/{consent_id}/revoke", tag = "consents",
    params(
        ("id" = ParticipantId, Path, description = "Participant id"),
        ("consent_id" = ConsentId, Path, description = "Consent id"),
    ),
    request_body = RevokeRequest,
    responses(
        (status = 200, body = ConsentBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn revoke(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath((id, consent)): ApiPath<(ParticipantId, ConsentId)>,
    ApiJson(request): ApiJson<RevokeRequest>,
) -> Result<Json<ConsentBody>, ApiError> {
    let revoked = state.app.revoke_consent(&actor, id, consent, request.reason.as_deref()).await?;
    Ok(Json(ConsentBody::new(&revoked, state.app.clock().today())))
}
