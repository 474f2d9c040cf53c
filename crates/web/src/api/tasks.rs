//! Due lists and participants' tasks over the API.

use axum::Json;
use axum::extract::State;
use kindred_app::policy::ListReach;
use kindred_app::tasks::{DuePart, DueTask};
use kindred_domain::ids::{ParticipantId, ProgramId, TaskId, UserId};
use kindred_domain::tasks::{Due, Task};
use kindred_domain::vocabulary::{TaskKind, TaskStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::schema::{RevokeRequest, timestamp};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiJson, ApiPath, ApiQuery};

/// A task. On a due list it also names the participant and their coach.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskBody {
    pub id: TaskId,
    pub participant_id: ParticipantId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant_reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coach_id: Option<UserId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coach_name: Option<String>,
    pub kind: TaskKind,
    pub program_id: Option<ProgramId>,
    pub step_code: Option<String>,
    pub assignee_id: Option<UserId>,
    pub title: String,
    /// ISO 8601 dates: the window in which doing it counts as on time, and the target.
    pub opens_on: String,
    pub due_on: String,
    pub closes_on: Option<String>,
    pub status: TaskStatus,
    pub completed_on: Option<String>,
    /// Where it stands today: `overdue`, `today`, `upcoming` or `later`.
    pub due: Due,
    /// Open, and its window has already closed (it will count as missed).
    pub window_closed: bool,
    pub cancelled_at: Option<String>,
    pub cancel_reason: Option<String>,
}

impl TaskBody {
    fn new(t: &Task, today: time::Date) -> Self {
        Self {
            id: t.id,
            participant_id: t.participant_id,
            participant_reference: None,
            participant_name: None,
            coach_id: None,
            coach_name: None,
            kind: t.kind,
            program_id: t.program_id,
            step_code: t.step_code.clone(),
            assignee_id: t.assignee_id,
            title: t.title.clone(),
            opens_on: t.opens_on.to_string(),
            due_on: t.due_on.to_string(),
            closes_on: t.closes_on.map(|d| d.to_string()),
            status: t.status,
            completed_on: t.completed_on.map(|d| d.to_string()),
            due: t.due(today),
            window_closed: t.status == TaskStatus::Open && t.window_closed(today),
            cancelled_at: t.cancellation.as_ref().map(|c| timestamp(c.at)),
            cancel_reason: t.cancellation.as_ref().map(|c| c.reason.clone()),
        }
    }

    fn due_item(d: &DueTask, today: time::Date) -> Self {
        Self {
            participant_reference: Some(d.participant_reference.clone()),
            participant_name: Some(d.participant_name.clone()),
            coach_id: d.coach_id,
            coach_name: d.coach_name.clone(),
            ..Self::new(&d.task, today)
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskList {
    /// ISO 8601: the day the list is for.
    pub today: String,
    /// `mine`, `team` or `organisation`.
    pub scope: String,
    /// One page: overdue first (most recent first), then today's, then the next 14 days' (by
    /// due date); ties by id.
    pub items: Vec<TaskBody>,
    /// How many there are, counted up to 500.
    pub total: i64,
    /// More than `total` (a count stopped at its cap).
    pub capped: bool,
    pub page: i64,
    pub page_count: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TaskListParams {
    /// `mine` (your caseload and tasks assigned to you), `team` (supervisors) or
    /// `organisation` (managers). Defaults to the widest you hold.
    scope: Option<String>,
    /// Only `overdue`, `today` or `upcoming` (next 14 days) tasks.
    when: Option<String>,
    /// 1-based; 20 a page.
    page: Option<i64>,
}

fn parse_scope(code: &str) -> Result<ListReach, ApiError> {
    ListReach::parse(code)
        .ok_or_else(|| ApiError::bad_request("scope must be one of: mine, team, organisation"))
}

/// What is due: open tasks overdue, due today and due in the next 14 days, for your caseload,
/// your team or the organisation.
#[utoipa::path(
    get, path = "/api/v1/tasks", tag = "tasks", params(TaskListParams),
    responses((status = 200, body = TaskList), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn due(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiQuery(params): ApiQuery<TaskListParams>,
) -> Result<Json<TaskList>, ApiError> {
    let scope = params.scope.as_deref().filter(|s| !s.is_empty()).map(parse_scope).transpose()?;
    let when = match params.when.as_deref().filter(|w| !w.is_empty()) {
        Some(code) => match Due::parse(code) {
            Ok(Due::Later) | Err(_) => {
                return Err(ApiError::bad_request("when must be one of: overdue, today, upcoming"));
            }
            Ok(due) => Some(due),
        },
        None => None,
    };
    let page = params.page.unwrap_or(1);
    let part = match when {
        Some(due) => DuePart::Section(due, page),
        None => DuePart::All(page),
    };
    let list = state.app.due_tasks(&actor, scope, part).await?;
    let today = list.today;
    // A section or the whole list is read as one page.
    let page = list.pages.first().ok_or(kindred_app::AppError::NotFound)?;
    Ok(Json(TaskList {
        today: today.to_string(),
        scope: list.reach.code().into(),
        items: page.tasks.iter().map(|t| TaskBody::due_item(t, today)).collect(),
        total: page.paged.total,
        capped: page.paged.capped,
        page: page.paged.page,
        page_count: page.paged.page_count,
    }))
}

/// A participant's tasks: open ones by due date, then done and cancelled ones.
#[utoipa::path(
    get, path = "/api/v1/participants/{id}/tasks", tag = "tasks",
    params(("id" = ParticipantId, Path, description = "Participant id")),
    responses((status = 200, body = Vec<TaskBody>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn of_participant(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
) -> Result<Json<Vec<TaskBody>>, ApiError> {
    let today = state.app.clock().today();
    let tasks = state.app.participant_tasks(&actor, id).await?;
    Ok(Json(tasks.iter().map(|t| TaskBody::new(t, today)).collect()))
}

/// Cancel a task that no longer applies (the coach's supervisor or a manager), with a
/// required `reason`. Tasks are otherwise closed by the work recorded, never by hand.
#[utoipa::path(
    post, path = "/api/v1/participants/{id}/tasks/{task_id}/cancel", tag = "tasks",
    params(
        ("id" = ParticipantId, Path, description = "Participant id"),
        ("task_id" = TaskId, Path, description = "Task id"),
    ),
    request_body = RevokeRequest,
    responses(
        (status = 200, body = TaskBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The task is no longer open", body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn cancel(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath((id, task)): ApiPath<(ParticipantId, TaskId)>,
    ApiJson(request): ApiJson<RevokeRequest>,
) -> Result<Json<TaskBody>, ApiError> {
    let cancelled = state.app.cancel_task(&actor, id, task, request.reason.as_deref()).await?;
    Ok(Json(TaskBody::new(&cancelled, state.app.clock().today())))
}
