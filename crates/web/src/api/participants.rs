//! Participants over the API.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kindred_app::participants::{CaseloadEntries, CaseloadFilter, ParticipantView};
use kindred_domain::ids::ParticipantId;
use kindred_domain::participant::ParticipantInput;
use kindred_domain::vocabulary::{ParticipantStatus, Vocabulary};
use serde::Deserialize;
use utoipa::IntoParams;

use super::schema::{ParticipantBody, ParticipantList, ParticipantListItem};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiJson, ApiPath, ApiQuery};

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListParams {
    /// Name or reference contains this (case-insensitive). Research listings match the reference only.
    q: Option<String>,
    /// Only this status code.
    status: Option<String>,
    /// 1-based page of 50.
    page: Option<i64>,
}

/// The participants the caller may see: a coach's own caseload, a supervisor's team, a
/// manager's whole organisation; evaluators get research records without identities.
#[utoipa::path(
    get, path = "/api/v1/participants", tag = "participants", params(ListParams),
    responses((status = 200, body = ParticipantList), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<ParticipantList>, ApiError> {
    let status = match params.status.as_deref().filter(|s| !s.is_empty()) {
        Some(code) => Some(
            ParticipantStatus::parse(code)
                .map_err(|m| ApiError::bad_request(format!("status {m}")))?,
        ),
        None => None,
    };
    let filter = CaseloadFilter {
        status,
        search: params.q,
        page: params.page.unwrap_or(1),
        at_a_glance: true,
    };
    let caseload = state.app.caseload(&actor, &filter).await?;
    let items = match caseload.entries {
        CaseloadEntries::Identified(rows) => rows
            .into_iter()
            .map(|p| ParticipantListItem {
                id: p.id,
                reference: p.reference,
                name: Some(p.display_name),
                status: p.status,
                enrolled_on: p.enrolled_on.to_string(),
                coach_id: p.coach_id,
                program_name: p.program_name,
                at_a_glance: p.glance.map(Into::into),
            })
            .collect(),
        CaseloadEntries::Research(rows) => rows
            .into_iter()
            .map(|r| ParticipantListItem {
                id: r.id,
                reference: r.reference,
                name: None,
                status: r.enrolment.status,
                enrolled_on: r.enrolment.enrolled_on.to_string(),
                coach_id: r.enrolment.coach_id,
                program_name: r.program_name,
                at_a_glance: None,
            })
            .collect(),
    };
    Ok(Json(ParticipantList {
        items,
        total: caseload.total,
        capped: caseload.capped,
        page: caseload.page,
        page_count: caseload.page_count,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CreateParams {
    /// Enrol even though someone with the same name and date of birth is already enrolled.
    allow_duplicate: Option<bool>,
}

/// Enrol a participant. `given_name`, `family_name` and `date_of_birth` are required; a coach
/// enrolling takes the participant onto their own caseload.
#[utoipa::path(
    post, path = "/api/v1/participants", tag = "participants", params(CreateParams),
    request_body = ParticipantInput,
    responses(
        (status = 201, description = "Enrolled", body = ParticipantBody),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "Someone with the same name and date of birth is enrolled", body = ErrorBody),
        (status = 422, description = "Invalid fields, listed in `fields`", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiQuery(params): ApiQuery<CreateParams>,
    ApiJson(input): ApiJson<ParticipantInput>,
) -> Result<Response, ApiError> {
    let stored = state.app.enrol(&actor, &input, params.allow_duplicate.unwrap_or(false)).await?;
    let body = ParticipantBody::from(&stored);
    let location = format!("/api/v1/participants/{}", stored.participant.id);
    Ok((StatusCode::CREATED, versioned(&[(header::LOCATION, location)], body.version), Json(body))
        .into_response())
}

/// One participant, as much as the caller may see. The `ETag` is the version to send back in
/// `If-Match` when patching.
#[utoipa::path(
    get, path = "/api/v1/participants/{id}", tag = "participants",
    params(("id" = ParticipantId, Path, description = "Participant id")),
    responses((status = 200, body = ParticipantBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn read(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
) -> Result<Response, ApiError> {
    let body = match state.app.participant(&actor, id).await? {
        ParticipantView::Identified(stored) => ParticipantBody::from(&*stored),
        ParticipantView::Research(record) => ParticipantBody::from(&record),
    };
    Ok((versioned(&[], body.version), Json(body)).into_response())
}

/// Change some fields. Absent fields stay as they are; an empty string clears an optional
/// field. With `If-Match: "<version>"`, a change made by someone else in between is refused
/// with 409 instead of being overwritten.
#[utoipa::path(
    patch, path = "/api/v1/participants/{id}", tag = "participants",
    params(
        ("id" = ParticipantId, Path, description = "Participant id"),
        ("If-Match" = Option<String>, Header, description = "The version (ETag) the change is based on"),
    ),
    request_body = ParticipantInput,
    responses(
        (status = 200, body = ParticipantBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn patch(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<ParticipantInput>,
) -> Result<Response, ApiError> {
    let expected_version = match headers.get(header::IF_MATCH) {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
                .and_then(|v| v.parse::<i64>().ok())
                .ok_or_else(|| {
                    ApiError::bad_request("If-Match must be the participant's version, like \"3\"")
                })?,
        ),
    };
    let stored = state.app.update_participant(&actor, id, &input, expected_version).await?;
    let body = ParticipantBody::from(&stored);
    Ok((versioned(&[], body.version), Json(body)).into_response())
}

/// Extra headers plus the `ETag` for `version`.
fn versioned(extra: &[(header::HeaderName, String)], version: Option<i64>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in extra {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name.clone(), value);
        }
    }
    if let Some(etag) = version.and_then(|v| HeaderValue::from_str(&format!("\"{v}\"")).ok()) {
        headers.insert(header::ETAG, etag);
    }
    headers
}
