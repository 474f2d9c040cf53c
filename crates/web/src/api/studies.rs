//! Studies over the API: define (or replicate a template's), open, enrol with allocation, the
//! allocation log and its re-derivation, and the locked plan with its amendments. A study's
//! body carries `definition` in the shape `POST`/`PATCH` accept, so a client can read a
//! study, change it and send it back with its `version`.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kindred_app::policy;
use kindred_app::studies::{ReplicationRequest, StudyEnrolment, StudyView};
use kindred_domain::ids::{ParticipantId, ProgramId, StudyId};
use kindred_domain::study::records::{AllocationRecord, StudySummary};
use kindred_domain::study::{StudyInput, StudyStatus};
use kindred_domain::vocabulary::{ArmRole, StudyDesign};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schema::timestamp;
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiJson, ApiPath};

#[derive(Debug, Serialize, ToSchema)]
pub struct StudyListItem {
    pub id: StudyId,
    pub title: String,
    pub design: String,
    pub status: StudyStatus,
    /// Participants enrolled, all arms pooled.
    pub enrolled: i64,
    pub plan_locked: bool,
}

impl From<StudySummary> for StudyListItem {
    fn from(s: StudySummary) -> Self {
        Self {
            id: s.id,
            title: s.title,
            design: s.design,
            status: s.status,
            enrolled: s.enrolled,
            plan_locked: s.plan_locked,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArmBody {
    pub code: String,
    pub name: String,
    pub receives: String,
    pub role: ArmRole,
    /// The evaluator's only: allocations so far.
    pub enrolled: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AmendmentBody {
    pub seq: i64,
    pub reason: String,
    pub previous_hash: String,
    pub plan_hash: String,
    pub hash: String,
    pub amended_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanBody {
    pub locked: bool,
    /// SHA-256 of the plan as it stands.
    pub current_hash: String,
    /// SHA-256 of the plan as locked.
    pub locked_hash: Option<String>,
    pub locked_at: Option<String>,
    pub amendments: Vec<AmendmentBody>,
    /// Whether the lock and its amendments verify, in order, ending in the current plan.
    pub chain_verifies: bool,
    pub chain_problem: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StudyBody {
    pub id: StudyId,
    pub title: String,
    pub question: String,
    pub design: StudyDesign,
    pub status: StudyStatus,
    /// Send it back with a change.
    pub version: i64,
    pub template_code: Option<String>,
    pub arms: Vec<ArmBody>,
    /// Participants enrolled, all arms pooled.
    pub enrolled: i64,
    pub plan: PlanBody,
    /// The study as `POST` and `PATCH` take it.
    pub definition: StudyInput,
}

impl From<&StudyView> for StudyBody {
    fn from(v: &StudyView) -> Self {
        let count = |code: &str| {
            v.arm_counts
                .as_ref()
                .map(|counts| counts.iter().find(|(c, _)| c == code).map_or(0, |(_, n)| *n))
        };
        let plan = &v.plan;
        Self {
            id: v.id(),
            title: v.definition.title.clone(),
            question: v.definition.question.clone(),
            design: v.definition.design.code(),
            status: v.status(),
            version: v.stored.version,
            template_code: v.stored.template_code.clone(),
            arms: v
                .definition
                .arms
                .iter()
                .map(|a| ArmBody {
                    code: a.code.clone(),
                    name: a.name.clone(),
                    receives: a.receives.clone(),
                    role: a.role,
                    enrolled: count(&a.code),
                })
                .collect(),
            enrolled: v.enrolled,
            plan: PlanBody {
                locked: v.plan_locked(),
                current_hash: plan.current_hash.clone(),
                locked_hash: plan.lock.as_ref().map(|l| l.hash.clone()),
                locked_at: plan.lock.as_ref().map(|l| timestamp(l.locked_at)),
                amendments: plan
                    .amendments
                    .iter()
                    .map(|a| AmendmentBody {
                        seq: a.seq,
                        reason: a.reason.clone(),
                        previous_hash: a.previous_hash.clone(),
                        plan_hash: a.plan_hash.clone(),
                        hash: a.hash.clone(),
                        amended_at: timestamp(a.amended_at),
                    })
                    .collect(),
                chain_verifies: plan.lock.is_some() && plan.chain_break.is_none(),
                chain_problem: plan.chain_break.clone(),
            },
            definition: v.stored.input.clone(),
        }
    }
}

/// A change to a study: the version read, and the study as it should be.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StudyChange {
    pub version: i64,
    pub study: StudyInput,
}

/// An amendment to a locked plan.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AmendmentInput {
    pub version: i64,
    /// Why the plan changes. Required.
    pub reason: Option<String>,
    /// The study as amended.
    pub study: StudyInput,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct VersionInput {
    pub version: i64,
}

/// "Replicate this study".
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReplicationInput {
    pub template_code: String,
    /// The program delivering the replicated model.
    pub program_id: Option<ProgramId>,
    /// For designs that compare with another program.
    pub comparison_program_id: Option<ProgramId>,
    /// ISO 8601; today when absent.
    pub enrolment_from: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EnrolmentInput {
    pub participant_id: ParticipantId,
}

/// What the person enrolling learns: the arm, and nothing about the sequence.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentBody {
    pub study_id: StudyId,
    pub participant_id: ParticipantId,
    pub arm: String,
    pub arm_name: String,
    pub enrolled_at: String,
}

impl From<StudyEnrolment> for EnrolmentBody {
    fn from(e: StudyEnrolment) -> Self {
        Self {
            study_id: e.study_id,
            participant_id: e.participant_id,
            arm: e.arm,
            arm_name: e.arm_name,
            enrolled_at: timestamp(e.enrolled_at),
        }
    }
}

/// One entry of the allocation log: the participant by reference, never by name.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationBody {
    pub sequence: i64,
    pub participant_id: ParticipantId,
    pub participant_reference: String,
    pub stratum: String,
    pub position: i64,
    pub arm: String,
    /// `randomised` or `membership`.
    pub method: String,
    pub block: Option<i64>,
    pub block_size: Option<i64>,
    pub enrolled_at: String,
}

impl From<AllocationRecord> for AllocationBody {
    fn from(a: AllocationRecord) -> Self {
        Self {
            sequence: a.sequence,
            participant_id: a.participant_id,
            participant_reference: a.participant_reference,
            stratum: a.stratum,
            position: a.position,
            arm: a.arm,
            method: a.method,
            block: a.block,
            block_size: a.block_size,
            enrolled_at: timestamp(a.enrolled_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationBody {
    /// Whether every randomised allocation re-derives from the seed.
    pub matches: bool,
    pub entries: usize,
    /// The first allocation (by sequence number) that does not.
    pub first_mismatch_sequence: Option<i64>,
    pub expected_arm: Option<String>,
    pub problem: Option<String>,
}

fn created(view: &StudyView) -> Response {
    let location = format!("/api/v1/studies/{}", view.id());
    (StatusCode::CREATED, [(header::LOCATION, location)], Json(StudyBody::from(view)))
        .into_response()
}

/// The organisation's studies, by title (pooled counts only).
#[utoipa::path(
    get, path = "/api/v1/studies", tag = "studies",
    responses((status = 200, body = Vec<StudyListItem>), (status = 401, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<StudyListItem>>, ApiError> {
    let studies = state.app.studies(&actor).await?;
    Ok(Json(studies.into_iter().map(StudyListItem::from).collect()))
}

/// Define a draft study (evaluators). Every problem is reported by field (`arms[1].name`).
#[utoipa::path(
    post, path = "/api/v1/studies", tag = "studies",
    request_body = StudyInput,
    responses(
        (status = 201, body = StudyBody), (status = 403, body = ErrorBody),
        (status = 422, description = "Invalid fields, by path", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(input): ApiJson<StudyInput>,
) -> Result<Response, ApiError> {
    let view = state.app.create_study(&policy::study_lead(&actor)?, &input).await?;
    Ok(created(&view))
}

/// "Replicate this study": a draft pre-filled from a program template's study (evaluators),
/// to edit before opening.
#[utoipa::path(
    post, path = "/api/v1/studies/replicate", tag = "studies",
    request_body = ReplicationInput,
    responses(
        (status = 201, body = StudyBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn replicate(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(input): ApiJson<ReplicationInput>,
) -> Result<Response, ApiError> {
    let lead = policy::study_lead(&actor)?;
    let enrolment_from = match input.enrolment_from.as_deref() {
        None | Some("") => None,
        Some(text) => Some(kindred_domain::fields::iso_date(text).map_err(|message| {
            kindred_app::AppError::from(kindred_domain::FieldErrors::single(
                "enrolment_from",
                message,
            ))
        })?),
    };
    let request = ReplicationRequest {
        template_code: input.template_code,
        program_id: input.program_id,
        comparison_program_id: input.comparison_program_id,
        enrolment_from,
    };
    let view = state.app.replicate_study(&lead, &request).await?;
    Ok(created(&view))
}

/// One study: its design and arms, plan state and pooled enrolment (counts by arm for the
/// evaluator only).
#[utoipa::path(
    get, path = "/api/v1/studies/{id}", tag = "studies",
    params(("id" = StudyId, Path, description = "Study id")),
    responses((status = 200, body = StudyBody), (status = 404, body = ErrorBody))
)]
pub async fn read(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<StudyId>,
) -> Result<Json<StudyBody>, ApiError> {
    Ok(Json(StudyBody::from(&state.app.study(&actor, id).await?)))
}

/// Change a study (evaluators) at the version read: a draft freely; after it opens or its
/// plan is locked, wording only (409 otherwise, or when someone else saved first).
#[utoipa::path(
    patch, path = "/api/v1/studies/{id}", tag = "studies",
    params(("id" = StudyId, Path, description = "Study id")),
    request_body = StudyChange,
    responses(
        (status = 200, body = StudyBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn patch(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<StudyId>,
    ApiJson(change): ApiJson<StudyChange>,
) -> Result<Json<StudyBody>, ApiError> {
    let lead = policy::study_lead(&actor)?;
    let view = state.app.update_study(&lead, id, change.version, &change.study).await?;
    Ok(Json(StudyBody::from(&view)))
}

/// Open a draft for enrolment (evaluators); a randomised study draws its secret seed.
#[utoipa::path(
    post, path = "/api/v1/studies/{id}/open", tag = "studies",
    params(("id" = StudyId, Path, description = "Study id")),
    request_body = VersionInput,
    responses(
        (status = 200, body = StudyBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
    )
)]
pub async fn open(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<StudyId>,
    ApiJson(input): ApiJson<VersionInput>,
) -> Result<Json<StudyBody>, ApiError> {
    let lead = policy::study_lead(&actor)?;
    Ok(Json(StudyBody::from(&state.app.open_study(&lead, id, input.version).await?)))
}

/// Enrol a participant (their coach, the coach's supervisor or a manager): the app allocates
/// the arm and answers with it, and nothing about the sequence. An allocation is never
/// changed or removed.
#[utoipa::path(
    post, path = "/api/v1/studies/{id}/enrolments", tag = "studies",
    params(("id" = StudyId, Path, description = "Study id")),
    request_body = EnrolmentInput,
    responses(
        (status = 201, body = EnrolmentBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not open, or already enrolled", body = ErrorBody),
        (status = 422, description = "Not eligible", body = ErrorBody),
    )
)]
pub async fn enrol(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<StudyId>,
    ApiJson(input): ApiJson<EnrolmentInput>,
) -> Result<Response, ApiError> {
    let enrolment = state.app.enrol_in_study(&actor, id, input.participant_id).await?;
    Ok((StatusCode::CREATED, Json(EnrolmentBody::from(enrolment))).into_response())
}

/// The allocation log, in order (evaluators; audited).
#[utoipa::path(
    get, path = "/api/v1/studies/{id}/allocations", tag = "studies",
    params(("id" = StudyId, Path, description = "Study id")),
    responses(
        (status = 200, body = Vec<AllocationBody>), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn allocations(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<StudyId>,
) -> Result<Json<Vec<AllocationBody>>, ApiError> {
    let lead = policy::study_lead(&actor)?;
    let log = state.app.allocation_log(&lead, id).await?;
    Ok(Json(log.into_iter().map(AllocationBody::from).collect()))
}

/// Re-derive the allocation log from the seed and compare (evaluators).
#[utoipa::path(
    post, path = "/api/v1/studies/{id}/allocations/verify", tag = "studies",
    params(("id" = StudyId, Path, description = "Study id")),
    responses(
        (status = 200, body = VerificationBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<StudyId>,
) -> Result<Json<VerificationBody>, ApiError> {
    let lead = policy::study_lead(&actor)?;
    let checked = state.app.verify_allocations(&lead, id).await?;
    let matches = checked.matches();
    let (sequence, expected_arm, problem) = match checked.first_mismatch {
        Some((sequence, arm, problem)) => (Some(sequence), arm, Some(problem)),
        None => (None, None, None),
    };
    Ok(Json(VerificationBody {
        matches,
        entries: checked.entries,
        first_mismatch_sequence: sequence,
        expected_arm,
        problem,
    }))
}

/// Lock the analysis plan (evaluators): SHA-256 of its canonical form, who and when.
#[utoipa::path(
    post, path = "/api/v1/studies/{id}/plan/lock", tag = "studies",
    params(("id" = StudyId, Path, description = "Study id")),
    responses(
        (status = 200, body = StudyBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
    )
)]
pub async fn lock(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<StudyId>,
) -> Result<Json<StudyBody>, ApiError> {
    let lead = policy::study_lead(&actor)?;
    Ok(Json(StudyBody::from(&state.app.lock_plan(&lead, id).await?)))
}

/// Amend a locked plan with a reason (evaluators); each amendment's hash chains to the one
/// before.
#[utoipa::path(
    post, path = "/api/v1/studies/{id}/plan/amendments", tag = "studies",
    params(("id" = StudyId, Path, description = "Study id")),
    request_body = AmendmentInput,
    responses(
        (status = 200, body = StudyBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn amend(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<StudyId>,
    ApiJson(input): ApiJson<AmendmentInput>,
) -> Result<Json<StudyBody>, ApiError> {
    let lead = policy::study_lead(&actor)?;
    let view = state
        .app
        .amend_plan(&lead, id, input.version, &input.study, input.reason.as_deref())
        .await?;
    Ok(Json(StudyBody::from(&view)))
}
