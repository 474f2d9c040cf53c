//! Program templates and programs over the API. Program bodies use the field names
//! `POST`/`PATCH` accept, so a client can read a program, change it and send it back.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kindred_app::policy;
use kindred_app::programs::{ProgramDetail, ProgramOverview};
use kindred_domain::ids::ProgramId;
use kindred_domain::programs::costs::format_amount;
use kindred_domain::programs::templates::{self, ProgramTemplate, Study};
use kindred_domain::programs::{
    CostSettings, EligibilityRules, ProgramDefinition, ProgramInput, ProtocolStep,
};
use kindred_domain::vocabulary::{Activity, AppointmentKind, ContactMode, StepAnchor, StudyDesign};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiJson, ApiPath};

#[derive(Debug, Serialize, ToSchema)]
pub struct ComponentBody {
    pub name: String,
    pub description: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StepBody {
    pub code: String,
    pub name: String,
    pub description: String,
    pub anchor: StepAnchor,
    pub appointment_kind: Option<AppointmentKind>,
    pub target_day: i32,
    pub window_start_day: i32,
    pub window_end_day: i32,
    pub activity: Option<Activity>,
    /// The timing in words ("day 10 (window 8–12) after enrolment").
    pub timing: String,
}

impl From<&ProtocolStep> for StepBody {
    fn from(s: &ProtocolStep) -> Self {
        Self {
            code: s.code.clone(),
            name: s.name.clone(),
            description: s.description.clone(),
            anchor: s.anchor,
            appointment_kind: s.appointment_kind,
            target_day: s.target_day,
            window_start_day: s.window_start_day,
            window_end_day: s.window_end_day,
            activity: s.activity,
            timing: s.timing(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactCostBody {
    pub mode: ContactMode,
    /// An amount like `4.50`.
    pub cost: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StudyBody {
    pub authors: String,
    pub year: u16,
    pub title: String,
    pub journal: String,
    pub design: StudyDesign,
    /// How many people the study enrolled.
    pub participants: u32,
    pub population: String,
    /// The full citation in one line.
    pub citation: String,
}

impl From<&Study> for StudyBody {
    fn from(s: &Study) -> Self {
        Self {
            authors: s.authors.into(),
            year: s.year,
            title: s.title.into(),
            journal: s.journal.into(),
            design: s.design,
            participants: s.participants,
            population: s.population.into(),
            citation: s.citation(),
        }
    }
}

/// The fields a template and a program share.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramFields {
    pub name: String,
    pub description: String,
    pub active: bool,
    pub target_caseload: Option<i32>,
    pub min_months_in_recovery: Option<i32>,
    pub requires_certification: bool,
    pub min_training_hours: Option<i32>,
    /// An amount like `22.50`.
    pub hourly_staff_cost: Option<String>,
    pub contact_costs: Vec<ContactCostBody>,
    pub components: Vec<ComponentBody>,
    pub steps: Vec<StepBody>,
}

impl From<&ProgramDefinition> for ProgramFields {
    fn from(d: &ProgramDefinition) -> Self {
        let EligibilityRules { min_months_in_recovery, requires_certification, min_training_hours } =
            d.eligibility;
        let CostSettings { hourly_staff_cost_cents, per_contact } = &d.costs;
        Self {
            name: d.name.clone(),
            description: d.description.clone(),
            active: d.active,
            target_caseload: d.target_caseload,
            min_months_in_recovery,
            requires_certification,
            min_training_hours,
            hourly_staff_cost: hourly_staff_cost_cents.map(format_amount),
            contact_costs: per_contact
                .iter()
                .map(|(mode, cents)| ContactCostBody { mode: *mode, cost: format_amount(*cents) })
                .collect(),
            components: d
                .components
                .iter()
                .map(|c| ComponentBody { name: c.name.clone(), description: c.description.clone() })
                .collect(),
            steps: d.protocol.iter().map(StepBody::from).collect(),
        }
    }
}

/// A ready-made program and the study it follows.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramTemplateBody {
    /// Send as `template_code` to create a program from it.
    pub code: String,
    /// The program model as the evidence describes it.
    pub model: String,
    pub study: StudyBody,
    /// What the study measured.
    pub measures: Vec<String>,
    #[serde(flatten)]
    pub program: ProgramFields,
}

/// A program.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramBody {
    pub id: ProgramId,
    pub template_code: Option<String>,
    /// The study of the template it was made from.
    pub study: Option<StudyBody>,
    #[serde(flatten)]
    pub program: ProgramFields,
}

impl From<&ProgramDetail> for ProgramBody {
    fn from(p: &ProgramDetail) -> Self {
        let template = p.definition.template_code.as_deref().and_then(templates::template);
        Self {
            id: p.id,
            template_code: p.definition.template_code.clone(),
            study: template.map(|t| StudyBody::from(&t.study)),
            program: ProgramFields::from(&p.definition),
        }
    }
}

/// A line of the program list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramListItem {
    pub id: ProgramId,
    pub name: String,
    pub template_code: Option<String>,
    pub active: bool,
    pub target_caseload: Option<i32>,
    pub step_count: i64,
    /// Participants active or stepped down in it.
    pub participant_count: i64,
}

impl From<ProgramOverview> for ProgramListItem {
    fn from(o: ProgramOverview) -> Self {
        Self {
            id: o.program.id,
            name: o.program.name,
            template_code: o.program.template_code,
            active: o.program.active,
            target_caseload: o.target_caseload,
            step_count: o.step_count,
            participant_count: o.participant_count,
        }
    }
}

fn template_body(t: &ProgramTemplate) -> Result<ProgramTemplateBody, ApiError> {
    let definition = t.definition().map_err(|e| {
        ApiError::from(kindred_app::AppError::Internal(format!("template {}: {e}", t.code).into()))
    })?;
    Ok(ProgramTemplateBody {
        code: t.code.into(),
        model: t.model.into(),
        study: StudyBody::from(&t.study),
        measures: t.measures.iter().map(|m| (*m).to_owned()).collect(),
        program: ProgramFields::from(&definition),
    })
}

/// Kindred's ten program templates, one per intervention in the evidence reviews, each with
/// its components, protocol, peer eligibility, measures, caseload and costs, citing its study.
#[utoipa::path(
    get, path = "/api/v1/program-templates", tag = "programs",
    responses((status = 200, body = Vec<ProgramTemplateBody>), (status = 401, body = ErrorBody))
)]
pub async fn templates(
    State(state): State<AppState>,
    ApiCaller(_actor): ApiCaller,
) -> Result<Json<Vec<ProgramTemplateBody>>, ApiError> {
    let bodies =
        state.app.program_templates().iter().map(template_body).collect::<Result<_, _>>()?;
    Ok(Json(bodies))
}

/// The organisation's programs, by name.
#[utoipa::path(
    get, path = "/api/v1/programs", tag = "programs",
    responses((status = 200, body = Vec<ProgramListItem>), (status = 401, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<ProgramListItem>>, ApiError> {
    let programs = state.app.program_overviews(&actor).await?;
    Ok(Json(programs.into_iter().map(ProgramListItem::from).collect()))
}

/// Create a program (managers). With `template_code`, the template's components, protocol,
/// eligibility, caseload and costs are copied, and any field given replaces the template's;
/// without it, only `name` is required.
#[utoipa::path(
    post, path = "/api/v1/programs", tag = "programs",
    request_body = ProgramInput,
    responses(
        (status = 201, description = "Created", body = ProgramBody),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "Invalid fields, by path (`steps[1].window_end_day`)", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(input): ApiJson<ProgramInput>,
) -> Result<Response, ApiError> {
    let program = state.app.create_program(&policy::manager(&actor)?, &input).await?;
    let location = format!("/api/v1/programs/{}", program.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(ProgramBody::from(&program)))
        .into_response())
}

/// One program with its components, protocol, eligibility and costs.
#[utoipa::path(
    get, path = "/api/v1/programs/{id}", tag = "programs",
    params(("id" = ProgramId, Path, description = "Program id")),
    responses((status = 200, body = ProgramBody), (status = 404, body = ErrorBody))
)]
pub async fn read(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ProgramId>,
) -> Result<Json<ProgramBody>, ApiError> {
    Ok(Json(ProgramBody::from(&state.app.program_detail(&actor, id).await?)))
}

/// Change a program (managers). Absent fields stay as they are; a list given (`steps`,
/// `components`, `contact_costs`) replaces the whole list. Tasks already made from the
/// protocol keep their dates.
#[utoipa::path(
    patch, path = "/api/v1/programs/{id}", tag = "programs",
    params(("id" = ProgramId, Path, description = "Program id")),
    request_body = ProgramInput,
    responses(
        (status = 200, body = ProgramBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn patch(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ProgramId>,
    ApiJson(input): ApiJson<ProgramInput>,
) -> Result<Json<ProgramBody>, ApiError> {
    Ok(Json(ProgramBody::from(
        &state.app.update_program(&policy::manager(&actor)?, id, &input).await?,
    )))
}
