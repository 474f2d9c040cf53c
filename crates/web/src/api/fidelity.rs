//! Fidelity figures, supervision sessions and boundary concerns over the API.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kindred_app::fidelity::{Figures, Period};
use kindred_app::supervision::{BoundaryConcern, SupervisionSession};
use kindred_domain::ids::{ProgramId, UserId};
use kindred_domain::supervision::{ConcernInput, ResolutionInput, SupervisionInput};
use kindred_domain::vocabulary::{
    Activity, ConcernCategory, ConcernStatus, SupervisionFormat, SupportKind, Vocabulary,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiJson, ApiPath, ApiQuery};

#[derive(Debug, Deserialize, IntoParams)]
pub struct FidelityParams {
    /// One program's figures (and its per-step breakdown); all programs when absent.
    program: Option<ProgramId>,
    /// `30d`, `90d` (default), `365d` or `all`.
    period: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DoseBody {
    pub contacts: u32,
    pub minutes: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FiguresBody {
    /// Active and stepped-down participants held, with the program's target if there is one.
    pub caseload: Option<u32>,
    pub caseload_target: Option<u32>,
    pub contacts: u32,
    pub minutes: u32,
    pub participants_reached: u32,
    pub by_support_kind: Vec<(SupportKind, DoseBody)>,
    pub by_activity: Vec<(Activity, DoseBody)>,
    pub steps_on_time: u32,
    pub steps_late: u32,
    pub steps_missed: u32,
    pub steps_pending: u32,
    /// On time ÷ (on time + late + missed); null when no step is due yet.
    pub share_on_time: Option<f64>,
    pub median_days_to_first_contact: Option<f64>,
    pub not_yet_contacted: u32,
}

impl From<&Figures> for FiguresBody {
    fn from(f: &Figures) -> Self {
        let dose = |d: &kindred_domain::fidelity::Dose| DoseBody {
            contacts: d.contacts,
            minutes: d.minutes,
        };
        Self {
            caseload: f.caseload.map(|c| c.current),
            caseload_target: f.caseload.and_then(|c| c.target),
            contacts: f.dose.total.contacts,
            minutes: f.dose.total.minutes,
            participants_reached: f.dose.participants_reached,
            by_support_kind: f.dose.by_support_kind.iter().map(|(k, d)| (*k, dose(d))).collect(),
            by_activity: f.dose.by_activity.iter().map(|(a, d)| (*a, dose(d))).collect(),
            steps_on_time: f.steps.on_time,
            steps_late: f.steps.late,
            steps_missed: f.steps.missed,
            steps_pending: f.steps.pending,
            share_on_time: f.steps.share_on_time(),
            median_days_to_first_contact: f.first_contact.median_days,
            not_yet_contacted: f.first_contact.not_yet_contacted,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CoachFiguresBody {
    pub coach_id: UserId,
    pub coach_name: String,
    pub figures: FiguresBody,
    pub last_supervision: Option<String>,
    pub open_concerns: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StepFiguresBody {
    pub code: String,
    pub name: String,
    pub on_time: u32,
    pub late: u32,
    pub missed: u32,
    pub pending: u32,
    pub share_on_time: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FidelityBody {
    pub program_id: Option<ProgramId>,
    pub period: String,
    pub overall: FiguresBody,
    pub coaches: Vec<CoachFiguresBody>,
    pub steps: Vec<StepFiguresBody>,
}

/// Fidelity computed from the record: a coach sees their own, a supervisor their team by
/// coach, a manager everyone, an evaluator programs without the breakdown by coach.
#[utoipa::path(
    get, path = "/api/v1/fidelity", tag = "fidelity", params(FidelityParams),
    responses((status = 200, body = FidelityBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn fidelity(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiQuery(params): ApiQuery<FidelityParams>,
) -> Result<Json<FidelityBody>, ApiError> {
    let period = match params.period.as_deref() {
        None | Some("") => Period::default(),
        Some(code) => Period::from_code(code)
            .ok_or_else(|| ApiError::bad_request("period must be one of: 30d, 90d, 365d, all"))?,
    };
    let report = state.app.fidelity(&actor, params.program, period).await?;
    Ok(Json(FidelityBody {
        program_id: report.program.as_ref().map(|p| p.id),
        period: period.code().to_owned(),
        overall: FiguresBody::from(&report.overall),
        coaches: report
            .coaches
            .iter()
            .map(|c| CoachFiguresBody {
                coach_id: c.coach_id,
                coach_name: c.coach_name.clone(),
                figures: FiguresBody::from(&c.figures),
                last_supervision: c.last_supervision.map(|d| d.to_string()),
                open_concerns: c.open_concerns,
            })
            .collect(),
        steps: report
            .steps
            .iter()
            .map(|s| StepFiguresBody {
                code: s.code.clone(),
                name: s.name.clone(),
                on_time: s.tally.on_time,
                late: s.tally.late,
                missed: s.tally.missed,
                pending: s.tally.pending,
                share_on_time: s.tally.share_on_time(),
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SupervisionBody {
    pub id: Uuid,
    pub supervisor_id: UserId,
    pub coach_id: UserId,
    pub coach_name: String,
    pub held_on: String,
    pub minutes: i32,
    pub format: SupervisionFormat,
    pub topics: String,
    pub notes: Option<String>,
}

impl From<&SupervisionSession> for SupervisionBody {
    fn from(s: &SupervisionSession) -> Self {
        Self {
            id: s.id,
            supervisor_id: s.supervisor_id,
            coach_id: s.coach_id,
            coach_name: s.coach_name.clone(),
            held_on: s.held_on.to_string(),
            minutes: s.minutes,
            format: s.format,
            topics: s.topics.clone(),
            notes: s.notes.clone(),
        }
    }
}

/// Record a supervision session with one of your coaches.
#[utoipa::path(
    post, path = "/api/v1/supervision-sessions", tag = "supervision", request_body = SupervisionInput,
    responses((status = 201, body = SupervisionBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn record_supervision(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(input): ApiJson<SupervisionInput>,
) -> Result<Response, ApiError> {
    let session = state.app.record_supervision(&actor, &input).await?;
    let location = format!("/api/v1/supervision-sessions?coach={}", session.coach_id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(SupervisionBody::from(&session)))
        .into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SessionParams {
    coach: Option<UserId>,
}

/// Supervision sessions you may read, newest first.
#[utoipa::path(
    get, path = "/api/v1/supervision-sessions", tag = "supervision", params(SessionParams),
    responses((status = 200, body = Vec<SupervisionBody>), (status = 403, body = ErrorBody))
)]
pub async fn supervision_sessions(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiQuery(params): ApiQuery<SessionParams>,
) -> Result<Json<Vec<SupervisionBody>>, ApiError> {
    let sessions = state.app.supervision_sessions(&actor, params.coach).await?;
    Ok(Json(sessions.iter().map(SupervisionBody::from).collect()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernBody {
    pub id: Uuid,
    pub coach_id: UserId,
    pub coach_name: String,
    pub participant_id: Option<kindred_domain::ids::ParticipantId>,
    pub participant_reference: Option<String>,
    pub raised_by: UserId,
    pub raised_on: String,
    pub category: ConcernCategory,
    pub description: String,
    pub status: ConcernStatus,
    pub resolution: Option<String>,
    pub resolved_on: Option<String>,
}

impl From<&BoundaryConcern> for ConcernBody {
    fn from(c: &BoundaryConcern) -> Self {
        Self {
            id: c.id,
            coach_id: c.coach_id,
            coach_name: c.coach_name.clone(),
            participant_id: c.participant_id,
            participant_reference: c.participant_reference.clone(),
            raised_by: c.raised_by,
            raised_on: c.raised_on.to_string(),
            category: c.category,
            description: c.description.clone(),
            status: c.status,
            resolution: c.resolution.clone(),
            resolved_on: c.resolved_on.map(|d| d.to_string()),
        }
    }
}

/// Raise a boundary concern about one of your coaches.
#[utoipa::path(
    post, path = "/api/v1/boundary-concerns", tag = "supervision", request_body = ConcernInput,
    responses((status = 201, body = ConcernBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn raise_concern(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(input): ApiJson<ConcernInput>,
) -> Result<Response, ApiError> {
    let concern = state.app.raise_concern(&actor, &input).await?;
    let location = format!("/api/v1/boundary-concerns/{}", concern.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(ConcernBody::from(&concern)))
        .into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ConcernParams {
    /// `open` or `resolved`.
    status: Option<String>,
}

/// Boundary concerns about your coaches (supervisors and managers), open first.
#[utoipa::path(
    get, path = "/api/v1/boundary-concerns", tag = "supervision", params(ConcernParams),
    responses((status = 200, body = Vec<ConcernBody>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn concerns(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiQuery(params): ApiQuery<ConcernParams>,
) -> Result<Json<Vec<ConcernBody>>, ApiError> {
    let status = match params.status.as_deref().filter(|s| !s.is_empty()) {
        Some(code) => Some(
            ConcernStatus::parse(code).map_err(|m| ApiError::bad_request(format!("status {m}")))?,
        ),
        None => None,
    };
    let concerns = state.app.boundary_concerns(&actor, status).await?;
    Ok(Json(concerns.iter().map(ConcernBody::from).collect()))
}

/// Resolve an open concern, saying how.
#[utoipa::path(
    post, path = "/api/v1/boundary-concerns/{id}/resolve", tag = "supervision",
    params(("id" = Uuid, Path, description = "Concern id")), request_body = ResolutionInput,
    responses((status = 200, body = ConcernBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn resolve_concern(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ResolutionInput>,
) -> Result<Json<ConcernBody>, ApiError> {
    let concern = state.app.resolve_concern(&actor, id, &input).await?;
    Ok(Json(ConcernBody::from(&concern)))
}
