//! Contacts over the API: log one, read and edit it (with its edit history), list them by
//! participant or coach.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kindred_app::contacts::ContactFilter;
use kindred_domain::contact::{Contact, ContactInput, FieldChange, Revision};
use kindred_domain::ids::{ContactId, GroupSessionId, ParticipantId, TaskId, UserId};
use kindred_domain::vocabulary::{Activity, ContactFormat, ContactMode, Setting, SupportKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::schema::timestamp;
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiJson, ApiPath, ApiQuery};

/// A contact as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactBody {
    pub id: ContactId,
    pub participant_id: ParticipantId,
    pub coach_id: UserId,
    pub coach_name: String,
    /// RFC 3339 (the wall-clock time as entered, as if UTC).
    pub occurred_at: String,
    pub minutes: i32,
    pub mode: ContactMode,
    pub format: ContactFormat,
    pub support_kinds: Vec<SupportKind>,
    pub activities: Vec<Activity>,
    pub setting: Option<Setting>,
    /// The program component the contact delivered, by name.
    pub component: Option<String>,
    pub note: Option<String>,
    pub next_follow_up_on: Option<String>,
    /// The protocol-step task the contact did.
    pub task_id: Option<TaskId>,
    pub group_session_id: Option<GroupSessionId>,
    /// 1 when logged, +1 per edit.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Contact> for ContactBody {
    fn from(c: &Contact) -> Self {
        let f = &c.fields;
        Self {
            id: c.id,
            participant_id: c.participant_id,
            coach_id: c.coach_id,
            coach_name: c.coach_name.clone(),
            occurred_at: timestamp(f.occurred_at),
            minutes: f.minutes,
            mode: f.mode,
            format: f.format,
            support_kinds: f.support_kinds.clone(),
            activities: f.activities.clone(),
            setting: f.setting,
            component: f.component.clone(),
            note: f.note.clone(),
            next_follow_up_on: f.next_follow_up_on.map(|d| d.to_string()),
            task_id: c.task_id,
            group_session_id: c.group_session_id,
            version: c.version,
            created_at: timestamp(c.created_at),
            updated_at: timestamp(c.updated_at),
        }
    }
}

/// One page of contacts, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactPageBody {
    pub contacts: Vec<ContactBody>,
    pub total: i64,
    pub page: i64,
    pub page_count: i64,
}

/// One edit of a contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionBody {
    pub revision: i32,
    pub changed_by: UserId,
    pub changed_by_name: String,
    /// RFC 3339.
    pub changed_at: String,
    /// Each changed field with its value before and after (as shown to people).
    pub changes: Vec<FieldChange>,
}

impl From<&Revision> for RevisionBody {
    fn from(r: &Revision) -> Self {
        Self {
            revision: r.revision,
            changed_by: r.changed_by,
            changed_by_name: r.changed_by_name.clone(),
            changed_at: timestamp(r.changed_at),
            changes: r.changes.clone(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ContactParams {
    /// One participant's contacts.
    participant_id: Option<ParticipantId>,
    /// One coach's contacts (a coach: their own; a supervisor: their coaches').
    coach_id: Option<UserId>,
    /// 1-based; 20 a page.
    page: Option<i64>,
}

/// Contacts of a participant or by a coach, newest first. Without either: the caller's own
/// (a coach), their team's (a supervisor) or everyone's (a manager).
#[utoipa::path(
    get, path = "/api/v1/contacts", tag = "contacts", params(ContactParams),
    responses((status = 200, body = ContactPageBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiQuery(params): ApiQuery<ContactParams>,
) -> Result<Json<ContactPageBody>, ApiError> {
    let filter = ContactFilter {
        participant: params.participant_id,
        coach: params.coach_id,
        page: params.page.unwrap_or(1),
    };
    let page = state.app.contacts(&actor, &filter).await?;
    Ok(Json(ContactPageBody {
        contacts: page.contacts.iter().map(ContactBody::from).collect(),
        total: page.total,
        page: page.page,
        page_count: page.page_count,
    }))
}

/// Log a contact. Naming an open protocol-step task (`task_id`) marks it done on the
/// contact's date; a `next_follow_up_on` date makes a follow-up task; open follow-ups due by
/// the contact's date are closed.
#[utoipa::path(
    post, path = "/api/v1/contacts", tag = "contacts", request_body = ContactInput,
    responses(
        (status = 201, body = ContactBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(input): ApiJson<ContactInput>,
) -> Result<Response, ApiError> {
    let contact = state.app.log_contact(&actor, &input).await?;
    let location = format!("/api/v1/contacts/{}", contact.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(ContactBody::from(&contact)))
        .into_response())
}

/// One contact.
#[utoipa::path(
    get, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = ContactId, Path, description = "Contact id")),
    responses((status = 200, body = ContactBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn read(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ContactId>,
) -> Result<Json<ContactBody>, ApiError> {
    Ok(Json(ContactBody::from(&state.app.contact(&actor, id).await?)))
}

/// Edit a contact: absent fields stay (`participant_id` and `task_id` cannot change). Each
/// edit is kept as a revision.
#[utoipa::path(
    patch, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = ContactId, Path, description = "Contact id")),
    request_body = ContactInput,
    responses(
        (status = 200, body = ContactBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn patch(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ContactId>,
    ApiJson(input): ApiJson<ContactInput>,
) -> Result<Json<ContactBody>, ApiError> {
    Ok(Json(ContactBody::from(&state.app.update_contact(&actor, id, &input).await?)))
}

/// A contact's edit history, oldest first: who changed what, when.
#[utoipa::path(
    get, path = "/api/v1/contacts/{id}/revisions", tag = "contacts",
    params(("id" = ContactId, Path, description = "Contact id")),
    responses((status = 200, body = Vec<RevisionBody>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn revisions(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ContactId>,
) -> Result<Json<Vec<RevisionBody>>, ApiError> {
    let revisions = state.app.contact_revisions(&actor, id).await?;
    Ok(Json(revisions.iter().map(RevisionBody::from).collect()))
}
