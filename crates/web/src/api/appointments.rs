//! A participant's appointments over the API.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kindred_domain::appointments::{Appointment, AppointmentInput};
use kindred_domain::ids::{AppointmentId, ParticipantId, UserId};
use kindred_domain::vocabulary::{AppointmentKind, AppointmentStatus};
use serde::Serialize;
use utoipa::ToSchema;

use super::schema::timestamp;
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiJson, ApiPath};

/// An appointment, in the field names `POST` and `PATCH` accept.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentBody {
    pub id: AppointmentId,
    pub participant_id: ParticipantId,
    pub kind: AppointmentKind,
    /// ISO 8601 date.
    pub date: String,
    /// `HH:MM`, if known.
    pub time: Option<String>,
    pub with_whom: String,
    pub place: Option<String>,
    pub status: AppointmentStatus,
    pub note: Option<String>,
    pub created_by: UserId,
    pub created_at: String,
}

impl From<&Appointment> for AppointmentBody {
    fn from(a: &Appointment) -> Self {
        let d = &a.details;
        Self {
            id: a.id,
            participant_id: a.participant_id,
            kind: d.kind,
            date: d.date.to_string(),
            time: d.time.map(|t| format!("{:02}:{:02}", t.hour(), t.minute())),
            with_whom: d.with_whom.clone(),
            place: d.place.clone(),
            status: d.status,
            note: d.note.clone(),
            created_by: a.created_by,
            created_at: timestamp(a.created_at),
        }
    }
}

/// A participant's appointments, earliest first.
#[utoipa::path(
    get, path = "/api/v1/participants/{id}/appointments", tag = "appointments",
    params(("id" = ParticipantId, Path, description = "Participant id")),
    responses((status = 200, body = Vec<AppointmentBody>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
) -> Result<Json<Vec<AppointmentBody>>, ApiError> {
    let appointments = state.app.appointments(&actor, id).await?;
    Ok(Json(appointments.iter().map(AppointmentBody::from).collect()))
}

/// Record an appointment (`kind`, `date` and `with_whom` required). The participant's first
/// appointment of a kind dates the protocol steps measured from it; one recorded as attended
/// or missed adds the outcome event.
#[utoipa::path(
    post, path = "/api/v1/participants/{id}/appointments", tag = "appointments",
    params(("id" = ParticipantId, Path, description = "Participant id")),
    request_body = AppointmentInput,
    responses(
        (status = 201, body = AppointmentBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
    ApiJson(input): ApiJson<AppointmentInput>,
) -> Result<Response, ApiError> {
    let appointment = state.app.schedule_appointment(&actor, id, &input).await?;
    let location = format!("/api/v1/participants/{id}/appointments/{}", appointment.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(AppointmentBody::from(&appointment)),
    )
        .into_response())
}

/// One appointment.
#[utoipa::path(
    get, path = "/api/v1/participants/{id}/appointments/{appointment_id}", tag = "appointments",
    params(
        ("id" = ParticipantId, Path, description = "Participant id"),
        ("appointment_id" = AppointmentId, Path, description = "Appointment id"),
    ),
    responses((status = 200, body = AppointmentBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn read(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath((id, appointment)): ApiPath<(ParticipantId, AppointmentId)>,
) -> Result<Json<AppointmentBody>, ApiError> {
    let appointments = state.app.appointments(&actor, id).await?;
    let found =
        appointments.iter().find(|a| a.id == appointment).ok_or(kindred_app::AppError::NotFound)?;
    Ok(Json(AppointmentBody::from(found)))
}

/// Change an appointment: reschedule it, or mark it `attended`, `missed` or `cancelled`.
/// Absent fields stay as they are.
#[utoipa::path(
    patch, path = "/api/v1/participants/{id}/appointments/{appointment_id}", tag = "appointments",
    params(
        ("id" = ParticipantId, Path, description = "Participant id"),
        ("appointment_id" = AppointmentId, Path, description = "Appointment id"),
    ),
    request_body = AppointmentInput,
    responses(
        (status = 200, body = AppointmentBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn patch(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath((id, appointment)): ApiPath<(ParticipantId, AppointmentId)>,
    ApiJson(input): ApiJson<AppointmentInput>,
) -> Result<Json<AppointmentBody>, ApiError> {
    let updated = state.app.update_appointment(&actor, id, appointment, &input).await?;
    Ok(Json(AppointmentBody::from(&updated)))
}
