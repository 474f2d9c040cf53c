//! Staff profiles over the API. `recovery_start_date` is absent (not null) for callers the
//! policy does not show it to, so a client cannot mistake "hidden" for "none recorded".

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kindred_app::staff::StaffMember;
use kindred_domain::ids::{CertificationId, UserId};
use kindred_domain::staff::{Certification, CertificationInput, StaffProfileInput};
use kindred_domain::vocabulary::{Employment, Role};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiJson, ApiPath};

#[derive(Debug, Serialize, ToSchema)]
pub struct CertificationBody {
    pub id: CertificationId,
    pub name: String,
    pub issued_on: Option<String>,
    pub expires_on: Option<String>,
    /// Whether it counts today.
    pub current: bool,
}

impl CertificationBody {
    fn new(c: &Certification, today: time::Date) -> Self {
        Self {
            id: c.id,
            name: c.name.clone(),
            issued_on: c.issued_on.map(|d| d.to_string()),
            expires_on: c.expires_on.map(|d| d.to_string()),
            current: c.is_current(today),
        }
    }
}

/// A staff member's profile, as much as the caller may see.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffBody {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub supervisor_id: Option<UserId>,
    pub supervisor_name: Option<String>,
    /// Whether any qualifications have been recorded.
    pub profile_recorded: bool,
    pub employment: Employment,
    pub training_hours: i32,
    /// ISO 8601 date. Present only for the person, their supervisor and admins.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub recovery_start_date: Option<Option<String>>,
    pub certifications: Vec<CertificationBody>,
    pub has_current_certification: bool,
    /// Whether the caller may change the qualifications.
    pub editable: bool,
}

impl StaffBody {
    fn new(m: &StaffMember, today: time::Date) -> Self {
        Self {
            id: m.user.id,
            email: m.user.email.to_string(),
            display_name: m.user.display_name.clone(),
            roles: m.user.roles.iter().collect(),
            supervisor_id: m.user.supervisor_id,
            supervisor_name: m.supervisor_name.clone(),
            profile_recorded: m.recorded,
            employment: m.profile.employment,
            training_hours: m.profile.training_hours,
            recovery_start_date: m
                .shows_recovery_date()
                .then(|| m.profile.recovery_start_date.map(|d| d.to_string())),
            certifications: m
                .certifications
                .iter()
                .map(|c| CertificationBody::new(c, today))
                .collect(),
            has_current_certification: m.certifications.iter().any(|c| c.is_current(today)),
            editable: m.can_edit,
        }
    }
}

/// The staff profiles the caller may see: admins and managers all; a supervisor themselves and
/// the coaches they supervise; a coach themselves.
#[utoipa::path(
    get, path = "/api/v1/staff", tag = "staff",
    responses((status = 200, body = Vec<StaffBody>), (status = 403, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<StaffBody>>, ApiError> {
    let today = state.app.clock().today();
    let members = state.app.staff(&actor).await?;
    Ok(Json(members.iter().map(|m| StaffBody::new(m, today)).collect()))
}

/// One staff member's profile.
#[utoipa::path(
    get, path = "/api/v1/staff/{id}", tag = "staff",
    params(("id" = UserId, Path, description = "The staff member's user id")),
    responses((status = 200, body = StaffBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn read(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<UserId>,
) -> Result<Json<StaffBody>, ApiError> {
    let member = state.app.staff_member(&actor, id).await?;
    Ok(Json(StaffBody::new(&member, state.app.clock().today())))
}

/// Change qualifications (the person's supervisor or an admin); only admins change
/// `supervisor_id`. Absent fields stay as they are.
#[utoipa::path(
    patch, path = "/api/v1/staff/{id}", tag = "staff",
    params(("id" = UserId, Path, description = "The staff member's user id")),
    request_body = StaffProfileInput,
    responses(
        (status = 200, body = StaffBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn patch(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(input): ApiJson<StaffProfileInput>,
) -> Result<Json<StaffBody>, ApiError> {
    let member = state.app.update_staff_profile(&actor, id, &input).await?;
    Ok(Json(StaffBody::new(&member, state.app.clock().today())))
}

/// Record a certification the staff member holds.
#[utoipa::path(
    post, path = "/api/v1/staff/{id}/certifications", tag = "staff",
    params(("id" = UserId, Path, description = "The staff member's user id")),
    request_body = CertificationInput,
    responses(
        (status = 201, body = CertificationBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn add_certification(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(input): ApiJson<CertificationInput>,
) -> Result<Response, ApiError> {
    let certification = state.app.add_certification(&actor, id, &input).await?;
    let body = CertificationBody::new(&certification, state.app.clock().today());
    let location = format!("/api/v1/staff/{id}");
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response())
}

/// Remove a certification recorded in error.
#[utoipa::path(
    delete, path = "/api/v1/staff/{id}/certifications/{certification_id}", tag = "staff",
    params(
        ("id" = UserId, Path, description = "The staff member's user id"),
        ("certification_id" = CertificationId, Path, description = "Certification id"),
    ),
    responses((status = 204, description = "Removed"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn remove_certification(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath((id, certification)): ApiPath<(UserId, CertificationId)>,
) -> Result<StatusCode, ApiError> {
    state.app.remove_certification(&actor, id, certification).await?;
    Ok(StatusCode::NO_CONTENT)
}
