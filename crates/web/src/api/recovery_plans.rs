//! Recovery plans over the API: a participant's goals, their steps and status history.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kindred_domain::ids::{GoalId, GoalStepId, ParticipantId, UserId};
use kindred_domain::recovery_plan::{Goal, GoalInput, StepInput};
use kindred_domain::vocabulary::{GoalStatus, OutcomeDomain};
use serde::Serialize;
use utoipa::ToSchema;

use super::schema::timestamp;
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiJson, ApiPath};

/// A step towards a goal.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepBody {
    pub id: GoalStepId,
    pub description: String,
    /// ISO 8601 date.
    pub target_on: Option<String>,
    /// ISO 8601 date the step was done; `null` while it is still to do.
    pub done_on: Option<String>,
}

/// One change of a goal's status.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusChangeBody {
    pub status: GoalStatus,
    pub changed_by: UserId,
    pub changed_by_name: String,
    /// RFC 3339.
    pub changed_at: String,
    pub note: Option<String>,
}

/// A recovery goal with its steps (in order) and status history (oldest first).
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalBody {
    pub id: GoalId,
    pub participant_id: ParticipantId,
    pub domain: OutcomeDomain,
    /// In the participant's own words.
    pub title: String,
    pub target_on: Option<String>,
    pub status: GoalStatus,
    pub created_at: String,
    pub steps: Vec<StepBody>,
    pub history: Vec<StatusChangeBody>,
}

impl From<&Goal> for GoalBody {
    fn from(g: &Goal) -> Self {
        Self {
            id: g.id,
            participant_id: g.participant_id,
            domain: g.domain,
            title: g.title.clone(),
            target_on: g.target_on.map(|d| d.to_string()),
            status: g.status,
            created_at: timestamp(g.created_at),
            steps: g
                .steps
                .iter()
                .map(|s| StepBody {
                    id: s.id,
                    description: s.description.clone(),
                    target_on: s.target_on.map(|d| d.to_string()),
                    done_on: s.done_on.map(|d| d.to_string()),
                })
                .collect(),
            history: g
                .history
                .iter()
                .map(|h| StatusChangeBody {
                    status: h.status,
                    changed_by: h.changed_by,
                    changed_by_name: h.changed_by_name.clone(),
                    changed_at: timestamp(h.changed_at),
                    note: h.note.clone(),
                })
                .collect(),
        }
    }
}

/// The participant's recovery plan: their goals in order.
#[utoipa::path(
    get, path = "/api/v1/participants/{id}/goals", tag = "recovery plans",
    params(("id" = ParticipantId, Path, description = "Participant id")),
    responses((status = 200, body = Vec<GoalBody>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
) -> Result<Json<Vec<GoalBody>>, ApiError> {
    let goals = state.app.recovery_plan(&actor, id).await?;
    Ok(Json(goals.iter().map(GoalBody::from).collect()))
}

/// Add a goal: a life area (`domain`) and a `title` in the participant's words; optionally a
/// target date and a starting status (default `not_started`).
#[utoipa::path(
    post, path = "/api/v1/participants/{id}/goals", tag = "recovery plans",
    params(("id" = ParticipantId, Path, description = "Participant id")),
    request_body = GoalInput,
    responses(
        (status = 201, body = GoalBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
    ApiJson(input): ApiJson<GoalInput>,
) -> Result<Response, ApiError> {
    let goal = state.app.add_goal(&actor, id, &input).await?;
    let location = format!("/api/v1/participants/{id}/goals/{}", goal.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(GoalBody::from(&goal)))
        .into_response())
}

/// One goal with its steps and full status history.
#[utoipa::path(
    get, path = "/api/v1/participants/{id}/goals/{goal_id}", tag = "recovery plans",
    params(
        ("id" = ParticipantId, Path, description = "Participant id"),
        ("goal_id" = GoalId, Path, description = "Goal id"),
    ),
    responses((status = 200, body = GoalBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn read(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath((id, goal)): ApiPath<(ParticipantId, GoalId)>,
) -> Result<Json<GoalBody>, ApiError> {
    Ok(Json(GoalBody::from(&state.app.goal(&actor, id, goal).await?)))
}

/// Change a goal. Absent fields stay; a new `status` is added to the history with `note`
/// (a note without a status change is refused).
#[utoipa::path(
    patch, path = "/api/v1/participants/{id}/goals/{goal_id}", tag = "recovery plans",
    params(
        ("id" = ParticipantId, Path, description = "Participant id"),
        ("goal_id" = GoalId, Path, description = "Goal id"),
    ),
    request_body = GoalInput,
    responses(
        (status = 200, body = GoalBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn patch(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath((id, goal)): ApiPath<(ParticipantId, GoalId)>,
    ApiJson(input): ApiJson<GoalInput>,
) -> Result<Json<GoalBody>, ApiError> {
    Ok(Json(GoalBody::from(&state.app.update_goal(&actor, id, goal, &input).await?)))
}

/// Add a step to a goal. Answers with the whole goal.
#[utoipa::path(
    post, path = "/api/v1/participants/{id}/goals/{goal_id}/steps", tag = "recovery plans",
    params(
        ("id" = ParticipantId, Path, description = "Participant id"),
        ("goal_id" = GoalId, Path, description = "Goal id"),
    ),
    request_body = StepInput,
    responses(
        (status = 201, body = GoalBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn add_step(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath((id, goal)): ApiPath<(ParticipantId, GoalId)>,
    ApiJson(input): ApiJson<StepInput>,
) -> Result<Response, ApiError> {
    let updated = state.app.add_goal_step(&actor, id, goal, &input).await?;
    let location = format!("/api/v1/participants/{id}/goals/{goal}");
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(GoalBody::from(&updated)))
        .into_response())
}

/// Change a step: tick it with `done_on` (a date), untick it with `"done_on": ""`, or change
/// its words or target date. Answers with the whole goal.
#[utoipa::path(
    patch, path = "/api/v1/participants/{id}/goals/{goal_id}/steps/{step_id}", tag = "recovery plans",
    params(
        ("id" = ParticipantId, Path, description = "Participant id"),
        ("goal_id" = GoalId, Path, description = "Goal id"),
        ("step_id" = GoalStepId, Path, description = "Step id"),
    ),
    request_body = StepInput,
    responses(
        (status = 200, body = GoalBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn patch_step(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath((id, goal, step)): ApiPath<(ParticipantId, GoalId, GoalStepId)>,
    ApiJson(input): ApiJson<StepInput>,
) -> Result<Json<GoalBody>, ApiError> {
    Ok(Json(GoalBody::from(&state.app.update_goal_step(&actor, id, goal, step, &input).await?)))
}
