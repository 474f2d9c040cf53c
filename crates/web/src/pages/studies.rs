//! The studies pages: the list (with "Replicate this study" from a template), a study's page
//! (its arms, plan state and hash, enrolment by arm and the allocation log's check, for the
//! evaluator; the design alone for everyone else), and the definition form. A study is a
//! nested document, so the form edits it as JSON, with every problem listed by field path.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::studies::{ReplicationRequest, StudyView};
use kindred_app::{AppError, policy};
use kindred_domain::ids::{ProgramId, StudyId};
use kindred_domain::programs::templates;
use kindred_domain::study::StudyInput;
use kindred_domain::vocabulary::Vocabulary;
use serde::Deserialize;

use super::Chrome;
use super::programs::NoticeQuery;
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, PagePath, SignedIn};

struct StudyRow {
    href: String,
    title: String,
    detail: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "studies.html")]
struct StudiesPage {
    chrome: Option<Chrome>,
    can_lead: bool,
    rows: Vec<StudyRow>,
    templates: Vec<(&'static str, String)>,
    programs: Vec<(String, String)>,
    error: Option<String>,
}

async fn studies_page(
    state: &AppState,
    signed_in: &SignedIn,
    error: Option<String>,
) -> Result<StudiesPage, PageError> {
    let actor = &signed_in.actor;
    let studies = state.app.studies(actor).await?;
    let can_lead = policy::study_lead(actor).is_ok();
    let programs = if can_lead {
        state
            .app
            .program_overviews(actor)
            .await?
            .into_iter()
            .map(|p| (p.program.id.to_string(), p.program.name))
            .collect()
    } else {
        Vec::new()
    };
    Ok(StudiesPage {
        chrome: Chrome::new(signed_in, "/studies"),
        can_lead,
        rows: studies
            .into_iter()
            .map(|s| StudyRow {
                href: format!("/studies/{}", s.id),
                title: s.title,
                detail: format!(
                    "{} · {} · {} enrolled · plan {}",
                    design_label(&s.design),
                    s.status.label(),
                    s.enrolled,
                    if s.plan_locked { "locked" } else { "not locked" }
                ),
            })
            .collect(),
        templates: templates::templates()
            .iter()
            .map(|t| (t.code, format!("{} ({})", t.name, t.study.short())))
            .collect(),
        programs,
        error,
    })
}

fn design_label(code: &str) -> &'static str {
    kindred_domain::vocabulary::StudyDesign::from_code(code).map_or("Study", |d| d.label())
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    Ok(studies_page(&state, &signed_in, None).await?.into_response())
}

#[derive(Debug, Deserialize)]
pub struct ReplicateForm {
    template_code: String,
    program_id: String,
    comparison_program_id: Option<String>,
}

fn program_id(text: Option<&str>) -> Option<ProgramId> {
    text.map(str::trim).filter(|t| !t.is_empty()).and_then(|t| t.parse().ok())
}

pub async fn replicate(
    State(state): State<AppState>,
    form: CsrfForm<ReplicateForm>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    let lead = policy::study_lead(&signed_in.actor)?;
    let request = ReplicationRequest {
        template_code: form.template_code,
        program_id: program_id(Some(&form.program_id)),
        comparison_program_id: program_id(form.comparison_program_id.as_deref()),
        enrolment_from: None,
    };
    match state.app.replicate_study(&lead, &request).await {
        Ok(view) => Ok(Redirect::to(&format!("/studies/{}/edit", view.id())).into_response()),
        Err(AppError::Invalid(errors)) => {
            let problems: Vec<String> =
                errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            let page = studies_page(&state, &signed_in, Some(problems.join("; "))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

struct ArmLine {
    code: String,
    name: String,
    receives: String,
    role: &'static str,
    enrolled: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "study.html")]
struct StudyPage {
    chrome: Option<Chrome>,
    notice: Option<&'static str>,
    id: String,
    title: String,
    question: String,
    facts: Vec<(&'static str, String)>,
    arms: Vec<ArmLine>,
    eligibility: Vec<String>,
    outcomes: Vec<String>,
    can_lead: bool,
    is_draft: bool,
    version: i64,
    enrolled: i64,
    plan_locked: bool,
    plan_hash: String,
    locked_hash: Option<String>,
    locked_at: Option<String>,
    amendments: Vec<(i64, String, String, String)>,
    chain: String,
    verification: Option<String>,
}

fn study_page(
    signed_in: &SignedIn,
    view: &StudyView,
    notice: Option<&'static str>,
    verification: Option<String>,
) -> StudyPage {
    let d = &view.definition;
    let can_lead = policy::study_lead(&signed_in.actor).is_ok();
    let counts = view.arm_counts.as_ref();
    let plan = &view.plan;
    StudyPage {
        chrome: Chrome::new(signed_in, "/studies"),
        notice,
        id: view.id().to_string(),
        title: d.title.clone(),
        question: d.question.clone(),
        facts: vec![
            ("Design", d.design.code().label().to_owned()),
            ("Status", view.status().label().to_owned()),
            (
                "Enrolment",
                format!(
                    "{} to {}",
                    kindred_domain::study::canonical::date(d.enrolment.from),
                    kindred_domain::study::canonical::date(d.enrolment.to)
                ),
            ),
            ("Follow-up", format!("{} days from enrolment", d.follow_up_days)),
            ("Enrolled (all arms)", view.enrolled.to_string()),
            ("Blinded assessor", if d.plan.blinded_assessor { "Yes" } else { "No" }.to_owned()),
        ],
        arms: d
            .arms
            .iter()
            .map(|a| ArmLine {
                code: a.code.clone(),
                name: a.name.clone(),
                receives: a.receives.clone(),
                role: a.role.label(),
                enrolled: counts
                    .and_then(|c| c.iter().find(|(code, _)| *code == a.code))
                    .map(|(_, n)| *n),
            })
            .collect(),
        eligibility: d.eligibility.iter().map(|r| r.describe()).collect(),
        outcomes: d
            .outcomes
            .iter()
            .map(|o| {
                let role = if o.code == d.plan.primary { "Primary" } else { "Outcome" };
                format!("{role}: {}", o.name)
            })
            .collect(),
        can_lead,
        is_draft: view.status() == kindred_domain::study::StudyStatus::Draft,
        version: view.stored.version,
        enrolled: view.enrolled,
        plan_locked: view.plan_locked(),
        plan_hash: plan.current_hash.clone(),
        locked_hash: plan.lock.as_ref().map(|l| l.hash.clone()),
        locked_at: plan.lock.as_ref().map(|l| crate::api::timestamp(l.locked_at)),
        amendments: plan
            .amendments
            .iter()
            .map(|a| (a.seq, a.reason.clone(), a.previous_hash.clone(), a.hash.clone()))
            .collect(),
        chain: match (&plan.lock, &plan.chain_break) {
            (None, _) => {
                "Not locked: only pooled figures are shown until the plan is locked.".into()
            }
            (Some(_), None) => "The lock and every amendment verify, in order.".into(),
            (Some(_), Some(problem)) => format!("The chain does not verify: {problem}."),
        },
        verification,
    }
}

fn notice(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "created" => Some("Study saved as a draft."),
        "opened" => Some("The study is open for enrolment."),
        "locked" => Some("The analysis plan is locked."),
        "amended" => Some("Amendment recorded."),
        "saved" => Some("Changes saved."),
        _ => None,
    }
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<StudyId>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let view = state.app.study(&signed_in.actor, id).await?;
    Ok(study_page(&signed_in, &view, notice(query.notice.as_deref()), None).into_response())
}

#[derive(Debug, Deserialize)]
pub struct VersionForm {
    version: Option<i64>,
}

pub async fn open(
    State(state): State<AppState>,
    PagePath(id): PagePath<StudyId>,
    form: CsrfForm<VersionForm>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    let lead = policy::study_lead(&signed_in.actor)?;
    state.app.open_study(&lead, id, form.version.unwrap_or_default()).await?;
    Ok(Redirect::to(&format!("/studies/{id}?notice=opened")).into_response())
}

pub async fn lock(
    State(state): State<AppState>,
    PagePath(id): PagePath<StudyId>,
    form: CsrfForm<VersionForm>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, .. } = form;
    let lead = policy::study_lead(&signed_in.actor)?;
    state.app.lock_plan(&lead, id).await?;
    Ok(Redirect::to(&format!("/studies/{id}?notice=locked")).into_response())
}

pub async fn verify(
    State(state): State<AppState>,
    PagePath(id): PagePath<StudyId>,
    form: CsrfForm<VersionForm>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, .. } = form;
    let lead = policy::study_lead(&signed_in.actor)?;
    let checked = state.app.verify_allocations(&lead, id).await?;
    let words = match &checked.first_mismatch {
        None => format!(
            "All {} randomised allocations re-derive from the seed: the log matches.",
            checked.entries
        ),
        Some((sequence, _, problem)) => {
            format!("The log does not match the seed from allocation {sequence}: {problem}.")
        }
    };
    let view = state.app.study(&signed_in.actor, id).await?;
    Ok(study_page(&signed_in, &view, None, Some(words)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "study_form.html")]
struct StudyFormPage {
    chrome: Option<Chrome>,
    heading: String,
    action: String,
    version: Option<i64>,
    /// Amending a locked plan asks for a reason.
    amend: bool,
    definition: String,
    reason: String,
    problems: Vec<(String, String)>,
}

fn pretty(input: &StudyInput) -> String {
    serde_json::to_string_pretty(input).unwrap_or_default()
}

pub async fn new_form(signed_in: SignedIn) -> Result<Response, PageError> {
    policy::study_lead(&signed_in.actor)?;
    Ok(StudyFormPage {
        chrome: Chrome::new(&signed_in, "/studies"),
        heading: "New study".into(),
        action: "/studies/new".into(),
        version: None,
        amend: false,
        definition: pretty(&StudyInput::default()),
        reason: String::new(),
        problems: Vec::new(),
    }
    .into_response())
}

pub async fn edit_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<StudyId>,
) -> Result<Response, PageError> {
    policy::study_lead(&signed_in.actor)?;
    let view = state.app.study(&signed_in.actor, id).await?;
    let amend = view.plan_locked();
    Ok(StudyFormPage {
        chrome: Chrome::new(&signed_in, "/studies"),
        heading: if amend {
            format!("Amend the plan of {}", view.definition.title)
        } else {
            format!("Edit {}", view.definition.title)
        },
        action: if amend { format!("/studies/{id}/amend") } else { format!("/studies/{id}/edit") },
        version: Some(view.stored.version),
        amend,
        definition: pretty(&view.stored.input),
        reason: String::new(),
        problems: Vec::new(),
    }
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct DefinitionForm {
    definition: String,
    version: Option<i64>,
    reason: Option<String>,
}

enum Save {
    Create,
    Update(StudyId),
    Amend(StudyId),
}

async fn save(
    state: &AppState,
    form: CsrfForm<DefinitionForm>,
    how: Save,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    let lead = policy::study_lead(&signed_in.actor)?;
    let redisplay = |problems: Vec<(String, String)>| {
        let (heading, action, amend) = match how {
            Save::Create => ("New study".to_owned(), "/studies/new".to_owned(), false),
            Save::Update(id) => ("Edit study".to_owned(), format!("/studies/{id}/edit"), false),
            Save::Amend(id) => ("Amend the plan".to_owned(), format!("/studies/{id}/amend"), true),
        };
        let page = StudyFormPage {
            chrome: Chrome::new(&signed_in, "/studies"),
            heading,
            action,
            version: form.version,
            amend,
            definition: form.definition.clone(),
            reason: form.reason.clone().unwrap_or_default(),
            problems,
        };
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    };
    let input: StudyInput = match serde_json::from_str(&form.definition) {
        Ok(input) => input,
        Err(e) => {
            return Ok(redisplay(vec![("definition".into(), format!("is not valid JSON: {e}"))]));
        }
    };
    let version = form.version.unwrap_or_default();
    let result = match how {
        Save::Create => state.app.create_study(&lead, &input).await.map(|v| (v, "created")),
        Save::Update(id) => {
            state.app.update_study(&lead, id, version, &input).await.map(|v| (v, "saved"))
        }
        Save::Amend(id) => state
            .app
            .amend_plan(&lead, id, version, &input, form.reason.as_deref())
            .await
            .map(|v| (v, "amended")),
    };
    match result {
        Ok((view, notice)) => {
            Ok(Redirect::to(&format!("/studies/{}?notice={notice}", view.id())).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            Ok(redisplay(errors.iter().map(|e| (e.field.clone(), e.message.clone())).collect()))
        }
        Err(AppError::Conflict(message)) => Ok(redisplay(vec![(String::new(), message)])),
        Err(other) => Err(other.into()),
    }
}

pub async fn create(
    State(state): State<AppState>,
    form: CsrfForm<DefinitionForm>,
) -> Result<Response, PageError> {
    save(&state, form, Save::Create).await
}

pub async fn update(
    State(state): State<AppState>,
    PagePath(id): PagePath<StudyId>,
    form: CsrfForm<DefinitionForm>,
) -> Result<Response, PageError> {
    save(&state, form, Save::Update(id)).await
}

pub async fn amend(
    State(state): State<AppState>,
    PagePath(id): PagePath<StudyId>,
    form: CsrfForm<DefinitionForm>,
) -> Result<Response, PageError> {
    save(&state, form, Save::Amend(id)).await
}
