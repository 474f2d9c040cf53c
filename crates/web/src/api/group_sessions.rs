//! Group sessions over the API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kindred_domain::group_session::GroupSessionInput;
use kindred_domain::ids::{ContactId, GroupSessionId};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiJson};

/// A recorded group session and the contact made for each attendee.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupSessionBody {
    pub id: GroupSessionId,
    /// In the order the attendees were given.
    pub contacts: Vec<ContactId>,
}

/// Record a group session: one contact per attendee, all or nothing (an attendee the caller
/// may not log contacts for refuses the whole session).
#[utoipa::path(
    post, path = "/api/v1/group-sessions", tag = "contacts", request_body = GroupSessionInput,
    responses(
        (status = 201, body = GroupSessionBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(input): ApiJson<GroupSessionInput>,
) -> Result<Response, ApiError> {
    let recorded = state.app.record_group_session(&actor, &input).await?;
    let body = GroupSessionBody { id: recorded.id, contacts: recorded.contacts };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}
