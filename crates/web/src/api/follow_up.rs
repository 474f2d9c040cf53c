//! Follow-up over the API: program schedules and follow-up rates, a participant's follow-up
//! record (statuses, attempts, locator, exclusions) and the list of open windows.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kindred_app::follow_up::{OpenWindow, ParticipantFollowUp, WindowList};
use kindred_app::follow_up_rates::{FollowUpRates, TARGET_RATE};
use kindred_app::policy;
use kindred_domain::follow_up::{FollowUpRate, FollowUpStatus};
use kindred_domain::follow_up_log::{
    AttemptInput, ContactAttempt, Exclusion, ExclusionInput, LocatorEntry, LocatorInput,
    PointStatus,
};
use kindred_domain::ids::{
    ConsentId, ContactAttemptId, LocatorEntryId, ParticipantId, ProgramId, UserId,
};
use kindred_domain::schedule::ScheduleInput;
use kindred_domain::vocabulary::{
    AdministrativeReason, AttemptChannel, AttemptOutcome, LocatorKind,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::schema::timestamp;
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiJson, ApiPath, ApiQuery};

/// A program's follow-up schedule (the same shape `PUT` takes, so it can be sent back).
#[utoipa::path(
    get, path = "/api/v1/programs/{id}/schedule", tag = "follow-up",
    params(("id" = ProgramId, Path, description = "Program id")),
    responses((status = 200, body = ScheduleInput), (status = 404, body = ErrorBody))
)]
pub async fn schedule(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ProgramId>,
) -> Result<Json<ScheduleInput>, ApiError> {
    Ok(Json(state.app.program_schedule(&actor, id).await?.to_input()))
}

/// Replace a program's schedule (managers). Each time point: a `code`, a `label`, the
/// `target_day` and a window (`window_start_day` … `window_end_day`, days from enrolment,
/// containing the target) and `instruments` from `GET /api/v1/instruments`. Follow-up tasks
/// are made at once for windows already open.
#[utoipa::path(
    put, path = "/api/v1/programs/{id}/schedule", tag = "follow-up",
    params(("id" = ProgramId, Path, description = "Program id")),
    request_body = ScheduleInput,
    responses(
        (status = 200, body = ScheduleInput), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn put_schedule(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ProgramId>,
    ApiJson(input): ApiJson<ScheduleInput>,
) -> Result<Json<ScheduleInput>, ApiError> {
    Ok(Json(
        state.app.set_program_schedule(&policy::manager(&actor)?, id, &input).await?.to_input(),
    ))
}

/// Completed within window, late, missed, and the rate (`null` while nothing is due).
#[derive(Debug, Serialize, ToSchema)]
pub struct RateBody {
    pub completed_in_window: u32,
    pub completed_late: u32,
    pub missed: u32,
    /// Completed in window + late + missed (administrative exclusions are not due).
    pub due: u32,
    /// Not yet due, window still open, or administrative.
    pub not_counted: u32,
    pub rate: Option<f64>,
}

impl From<&FollowUpRate> for RateBody {
    fn from(r: &FollowUpRate) -> Self {
        Self {
            completed_in_window: r.completed_in_window,
            completed_late: r.completed_late,
            missed: r.missed,
            due: r.due(),
            not_counted: r.not_counted,
            rate: r.rate(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimePointRateBody {
    pub code: String,
    pub label: String,
    #[serde(flatten)]
    pub rate: RateBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CoachRateBody {
    pub coach_id: Option<UserId>,
    pub coach_name: String,
    #[serde(flatten)]
    pub rate: RateBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthRateBody {
    /// `YYYY-MM`: the month the time points settled (their window closed).
    pub month: String,
    #[serde(flatten)]
    pub rate: RateBody,
}

/// A program's follow-up rates.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatesBody {
    pub program_id: ProgramId,
    /// The rate funders usually require (0.8).
    pub target: f64,
    pub overall: RateBody,
    pub by_time_point: Vec<TimePointRateBody>,
    /// Only for supervisors and managers.
    pub by_coach: Option<Vec<CoachRateBody>>,
    pub by_month: Vec<MonthRateBody>,
}

impl From<&FollowUpRates> for RatesBody {
    fn from(r: &FollowUpRates) -> Self {
        Self {
            program_id: r.program_id,
            target: TARGET_RATE,
            overall: RateBody::from(&r.overall),
            by_time_point: r
                .by_time_point
                .iter()
                .map(|(code, label, rate)| TimePointRateBody {
                    code: code.clone(),
                    label: label.clone(),
                    rate: rate.into(),
                })
                .collect(),
            by_coach: r.by_coach.as_ref().map(|coaches| {
                coaches
                    .iter()
                    .map(|(id, name, rate)| CoachRateBody {
                        coach_id: *id,
                        coach_name: name.clone(),
                        rate: rate.into(),
                    })
                    .collect()
            }),
            by_month: r
                .by_month
                .iter()
                .map(|((year, month), rate)| MonthRateBody {
                    month: format!("{year:04}-{month:02}"),
                    rate: rate.into(),
                })
                .collect(),
        }
    }
}

/// A program's follow-up rates: completed within window ÷ due, overall, per time point, per
/// coach and by month.
#[utoipa::path(
    get, path = "/api/v1/programs/{id}/follow-up-rates", tag = "follow-up",
    params(("id" = ProgramId, Path, description = "Program id")),
    responses((status = 200, body = RatesBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn rates(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ProgramId>,
) -> Result<Json<RatesBody>, ApiError> {
    Ok(Json(RatesBody::from(&state.app.follow_up_rates(&actor, id).await?)))
}

/// Where one time point stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct PointBody {
    pub code: String,
    pub label: String,
    pub instruments: Vec<String>,
    pub opens_on: String,
    pub due_on: String,
    pub closes_on: String,
    /// `not_yet_due`, `window_open`, `completed_in_window`, `completed_late`, `missed` or
    /// `administrative`.
    pub status: String,
    pub administrative_reason: Option<AdministrativeReason>,
    pub completed_on: Option<String>,
    /// The window closes within 14 days and no one has reached the participant.
    pub escalated: bool,
}

impl From<&PointStatus> for PointBody {
    fn from(p: &PointStatus) -> Self {
        Self {
            code: p.code.clone(),
            label: p.label.clone(),
            instruments: p.instruments.clone(),
            opens_on: p.window.opens_on.to_string(),
            due_on: p.window.due_on.to_string(),
            closes_on: p.window.closes_on.to_string(),
            status: p.status.code().into(),
            administrative_reason: match p.status {
                FollowUpStatus::Administrative(reason) => Some(reason),
                _ => None,
            },
            completed_on: p.completed_on.map(|d| d.to_string()),
            escalated: p.escalate,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptBody {
    pub id: ContactAttemptId,
    pub time_point: Option<String>,
    pub attempted_at: String,
    pub channel: AttemptChannel,
    pub outcome: AttemptOutcome,
    pub note: Option<String>,
    pub made_by: UserId,
    pub made_by_name: String,
}

impl From<&ContactAttempt> for AttemptBody {
    fn from(a: &ContactAttempt) -> Self {
        Self {
            id: a.id,
            time_point: a.time_point_code.clone(),
            attempted_at: timestamp(a.attempted_at),
            channel: a.channel,
            outcome: a.outcome,
            note: a.note.clone(),
            made_by: a.made_by,
            made_by_name: a.made_by_name.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LocatorBody {
    pub id: LocatorEntryId,
    pub kind: LocatorKind,
    pub value: String,
    pub relationship: Option<String>,
    /// The consent that allows contacting the person named (for `person` entries).
    pub consent_id: Option<ConsentId>,
    pub note: Option<String>,
    pub created_at: String,
}

impl From<&LocatorEntry> for LocatorBody {
    fn from(e: &LocatorEntry) -> Self {
        Self {
            id: e.id,
            kind: e.kind,
            value: e.value.clone(),
            relationship: e.relationship.clone(),
            consent_id: e.consent_id,
            note: e.note.clone(),
            created_at: timestamp(e.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExclusionBody {
    /// The time point's code (an exclusion is one per participant and time point).
    pub id: String,
    pub time_point: String,
    pub reason: AdministrativeReason,
    pub note: Option<String>,
    pub recorded_by_name: String,
    pub recorded_at: String,
}

impl From<&Exclusion> for ExclusionBody {
    fn from(e: &Exclusion) -> Self {
        Self {
            id: e.time_point_code.clone(),
            time_point: e.time_point_code.clone(),
            reason: e.reason,
            note: e.note.clone(),
            recorded_by_name: e.recorded_by_name.clone(),
            recorded_at: timestamp(e.recorded_at),
        }
    }
}

/// A participant's follow-up record.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpBody {
    pub participant_id: ParticipantId,
    pub program_id: Option<ProgramId>,
    pub time_points: Vec<PointBody>,
    pub attempts: Vec<AttemptBody>,
    pub locator: Vec<LocatorBody>,
    /// Entries left out because the consent naming that person is no longer current.
    pub locator_withheld: usize,
    pub exclusions: Vec<ExclusionBody>,
}

impl From<&ParticipantFollowUp> for FollowUpBody {
    fn from(f: &ParticipantFollowUp) -> Self {
        Self {
            participant_id: f.participant_id,
            program_id: f.program_id,
            time_points: f.points.iter().map(PointBody::from).collect(),
            attempts: f.attempts.iter().map(AttemptBody::from).collect(),
            locator: f.locator.iter().map(LocatorBody::from).collect(),
            locator_withheld: f.locator_withheld,
            exclusions: f.exclusions.iter().map(ExclusionBody::from).collect(),
        }
    }
}

/// A participant's follow-up: each time point's status, attempts, locator and exclusions.
#[utoipa::path(
    get, path = "/api/v1/participants/{id}/follow-up", tag = "follow-up",
    params(("id" = ParticipantId, Path, description = "Participant id")),
    responses((status = 200, body = FollowUpBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn of_participant(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
) -> Result<Json<FollowUpBody>, ApiError> {
    Ok(Json(FollowUpBody::from(&state.app.follow_up(&actor, id).await?)))
}

/// Log an attempt to reach the participant: `channel`, `outcome`, optionally the
/// `time_point` it was for and a `note`.
#[utoipa::path(
    post, path = "/api/v1/participants/{id}/follow-up/attempts", tag = "follow-up",
    params(("id" = ParticipantId, Path, description = "Participant id")),
    request_body = AttemptInput,
    responses(
        (status = 201, body = AttemptBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn log_attempt(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
    ApiJson(input): ApiJson<AttemptInput>,
) -> Result<Response, ApiError> {
    let attempt = state.app.log_contact_attempt(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(AttemptBody::from(&attempt))).into_response())
}

/// Add a locator entry. A `person` needs a `relationship` and a current consent naming them
/// (purpose `family`, sharing `participation`).
#[utoipa::path(
    post, path = "/api/v1/participants/{id}/follow-up/locator", tag = "follow-up",
    params(("id" = ParticipantId, Path, description = "Participant id")),
    request_body = LocatorInput,
    responses(
        (status = 201, body = LocatorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn add_locator(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
    ApiJson(input): ApiJson<LocatorInput>,
) -> Result<Response, ApiError> {
    let entry = state.app.add_locator_entry(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(LocatorBody::from(&entry))).into_response())
}

/// Record an administrative exclusion of a time point (supervisors and managers): `reason`
/// (`deceased`, `incarcerated`…) and a `note` (required for `other`).
#[utoipa::path(
    post, path = "/api/v1/participants/{id}/follow-up/exclusions", tag = "follow-up",
    params(("id" = ParticipantId, Path, description = "Participant id")),
    request_body = ExclusionInput,
    responses(
        (status = 201, body = ExclusionBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn record_exclusion(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
    ApiJson(input): ApiJson<ExclusionInput>,
) -> Result<Response, ApiError> {
    let exclusion = state.app.record_exclusion(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(ExclusionBody::from(&exclusion))).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpenWindowBody {
    pub participant_id: ParticipantId,
    pub participant_reference: String,
    pub participant_name: String,
    pub coach_name: Option<String>,
    pub program_id: ProgramId,
    pub time_point: PointBody,
}

impl From<&OpenWindow> for OpenWindowBody {
    fn from(w: &OpenWindow) -> Self {
        Self {
            participant_id: w.participant_id,
            participant_reference: w.reference.clone(),
            participant_name: w.name.clone(),
            coach_name: w.coach_name.clone(),
            program_id: w.program_id,
            time_point: PointBody::from(&w.point),
        }
    }
}

/// One page of open follow-up windows.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenWindowList {
    /// Soonest closing first, then by participant reference.
    pub items: Vec<OpenWindowBody>,
    /// How many there are, counted up to 500.
    pub total: i64,
    /// More than `total` (the count stopped at its cap).
    pub capped: bool,
    pub page: i64,
    pub page_count: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct OpenWindowParams {
    /// Only the windows escalated (closing soon with no one reached since they opened).
    escalated: Option<bool>,
    /// 1-based; 20 a page.
    page: Option<i64>,
}

/// Open follow-up windows of the caller's caseload (own, team or organisation), soonest
/// closing first; `escalated` marks those closing within 14 days with no one reached.
#[utoipa::path(
    get, path = "/api/v1/follow-up", tag = "follow-up", params(OpenWindowParams),
    responses((status = 200, body = OpenWindowList), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn open_windows(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiQuery(params): ApiQuery<OpenWindowParams>,
) -> Result<Json<OpenWindowList>, ApiError> {
    let list =
        if params.escalated.unwrap_or(false) { WindowList::Escalated } else { WindowList::Open };
    let found = state.app.follow_up_list(&actor, list, params.page.unwrap_or(1)).await?;
    let paged = found.page.paged;
    Ok(Json(OpenWindowList {
        items: found.page.windows.iter().map(OpenWindowBody::from).collect(),
        total: paged.total,
        capped: paged.capped,
        page: paged.page,
        page_count: paged.page_count,
    }))
}
