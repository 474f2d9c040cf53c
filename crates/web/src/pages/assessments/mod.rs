//! Administering instruments on the participant's pages: choose an instrument, answer it
//! (one instrument per page, phone-first), save part-way or complete, and see the result.
//!
//! `/participants/{id}/assessments/new?instrument=CODE&program=PROGRAM_ID&time_point=CODE`
//! opens the form for that instrument, already tied to a program's time point, so the
//! follow-up pages can link straight to it.

mod form;
mod view;

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::assessments::AdministeredAssessment;
use kindred_app::participants::ParticipantRecord;
use kindred_app::{App, AppError};
use kindred_domain::FieldErrors;
use kindred_domain::assessment::{AssessmentInput, AssessmentStatus};
use kindred_domain::ids::{AssessmentId, ParticipantId};
use kindred_domain::instruments::InstrumentDefinition;
use serde::Deserialize;
use serde_json::Value;

pub use view::section;

use super::{Chrome, notice_text};
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, PagePath, SignedIn};
use form::{AdministerForm, Filled, RESERVED};

/// The query the follow-up pages link with.
#[derive(Debug, Default, Deserialize)]
pub struct NewParams {
    instrument: Option<String>,
    program: Option<String>,
    time_point: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct NoticeParams {
    notice: Option<String>,
}

/// Choosing an instrument.
#[derive(Template, WebTemplate)]
#[template(path = "assessment_choose.html")]
struct ChoosePage {
    chrome: Option<Chrome>,
    participant_id: String,
    participant_name: String,
    /// (link, name, title, licence)
    choices: Vec<(String, String, String, String)>,
}

/// The identified participant, if `signed_in` may measure them (their caseload's staff, or a
/// research assessor of their blinded study).
async fn subject(
    app: &App,
    signed_in: &SignedIn,
    id: ParticipantId,
) -> Result<ParticipantRecord, AppError> {
    app.assessment_subject(&signed_in.actor, id).await
}

/// The form, or the list of instruments when none is chosen.
pub async fn new_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ParticipantId>,
    Query(params): Query<NewParams>,
) -> Result<Response, PageError> {
    let stored = subject(&state.app, &signed_in, id).await?;
    let name = stored.participant.identity.display_name();
    let Some(code) = params.instrument.as_deref().filter(|c| !c.is_empty()) else {
        let keep = |key: &str, value: &Option<String>| {
            value.as_deref().map(|v| format!("&{key}={}", urlencode(v))).unwrap_or_default()
        };
        let tail = format!(
            "{}{}",
            keep("program", &params.program),
            keep("time_point", &params.time_point)
        );
        let choices = state
            .app
            .instruments(&signed_in.actor)
            .await?
            .into_iter()
            .map(|l| {
                let s = l.summary;
                (
                    format!(
                        "/participants/{id}/assessments/new?instrument={}{tail}",
                        urlencode(&s.code)
                    ),
                    s.short_name,
                    s.title,
                    s.licence.summary,
                )
            })
            .collect();
        let page = ChoosePage {
            chrome: Chrome::new(&signed_in, ""),
            participant_id: id.to_string(),
            participant_name: name,
            choices,
        };
        return Ok(page.into_response());
    };
    let (definition, _) = state.app.instrument(&signed_in.actor, code).await?;
    let filled = Filled {
        answers: BTreeMap::new(),
        administered_on: state.app.clock().today().to_string(),
        program_id: params.program.unwrap_or_default(),
        time_point_code: params.time_point.unwrap_or_default(),
    };
    let action = format!("/participants/{id}/assessments/new?instrument={}", urlencode(code));
    let page = administer_form(
        &signed_in,
        &stored,
        &definition,
        action,
        &filled,
        None,
        &FieldErrors::new(),
    );
    Ok(page.into_response())
}

/// Starts (and perhaps completes) an assessment from the form.
pub async fn create(
    State(state): State<AppState>,
    PagePath(id): PagePath<ParticipantId>,
    Query(params): Query<NewParams>,
    form: CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    let code = params.instrument.unwrap_or_default();
    let (input, filled) = read_form(&form, Some(code.clone()));
    match state.app.start_assessment(&signed_in.actor, id, &input).await {
        Ok(view) => Ok(redirect_to_result(id, &view)),
        Err(AppError::Invalid(errors)) => {
            let stored = subject(&state.app, &signed_in, id).await?;
            let (definition, _) = state.app.instrument(&signed_in.actor, &code).await?;
            let action =
                format!("/participants/{id}/assessments/new?instrument={}", urlencode(&code));
            let page =
                administer_form(&signed_in, &stored, &definition, action, &filled, None, &errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// The assessment of this participant (one of another participant is not found).
async fn of_participant(
    app: &App,
    signed_in: &SignedIn,
    id: ParticipantId,
    assessment: AssessmentId,
) -> Result<AdministeredAssessment, AppError> {
    let view = app.assessment(&signed_in.actor, assessment).await?;
    if view.assessment.participant_id != id {
        return Err(AppError::NotFound);
    }
    Ok(view)
}

/// The result: score, band, flags, change since last, answers.
pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath((id, assessment)): PagePath<(ParticipantId, AssessmentId)>,
    Query(params): Query<NoticeParams>,
) -> Result<Response, PageError> {
    let stored = subject(&state.app, &signed_in, id).await?;
    let view = of_participant(&state.app, &signed_in, id, assessment).await?;
    let can_continue =
        view.assessment.status == AssessmentStatus::InProgress && stored.may.record_work;
    let page = view::result_page(
        &view,
        Chrome::new(&signed_in, ""),
        notice_text(params.notice.as_deref()),
        stored.participant.identity.display_name(),
        can_continue,
    );
    Ok(page.into_response())
}

/// Continuing an assessment in progress.
pub async fn edit_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath((id, assessment)): PagePath<(ParticipantId, AssessmentId)>,
) -> Result<Response, PageError> {
    let stored = subject(&state.app, &signed_in, id).await?;
    let view = of_participant(&state.app, &signed_in, id, assessment).await?;
    if view.assessment.status == AssessmentStatus::Completed {
        return Ok(Redirect::to(&result_path(id, &view)).into_response());
    }
    let a = &view.assessment;
    let filled = Filled {
        answers: a.answers.iter().map(|(k, v)| (k.to_owned(), v.to_string())).collect(),
        administered_on: a.administered_on.to_string(),
        program_id: a.program_id.map(|p| p.to_string()).unwrap_or_default(),
        time_point_code: a.time_point_code.clone().unwrap_or_default(),
    };
    let action = format!("/participants/{id}/assessments/{assessment}/edit");
    let page = administer_form(
        &signed_in,
        &stored,
        &view.definition,
        action,
        &filled,
        Some(a.version),
        &FieldErrors::new(),
    );
    Ok(page.into_response())
}

/// Saves (and perhaps completes) an assessment in progress.
pub async fn update(
    State(state): State<AppState>,
    PagePath((id, assessment)): PagePath<(ParticipantId, AssessmentId)>,
    form: CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    // Refuse another participant's assessment before saving anything.
    let current = of_participant(&state.app, &signed_in, id, assessment).await?;
    let (input, filled) = read_form(&form, None);
    match state.app.save_assessment(&signed_in.actor, assessment, &input).await {
        Ok(view) => Ok(redirect_to_result(id, &view)),
        Err(AppError::Invalid(errors)) => {
            let stored = subject(&state.app, &signed_in, id).await?;
            let action = format!("/participants/{id}/assessments/{assessment}/edit");
            let page = administer_form(
                &signed_in,
                &stored,
                &current.definition,
                action,
                &filled,
                input.version,
                &errors,
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

fn result_path(id: ParticipantId, view: &AdministeredAssessment) -> String {
    format!("/participants/{id}/assessments/{}", view.assessment.id)
}

fn redirect_to_result(id: ParticipantId, view: &AdministeredAssessment) -> Response {
    let notice = match view.assessment.status {
        AssessmentStatus::Completed => "assessment-completed",
        AssessmentStatus::InProgress => "assessment-saved",
    };
    Redirect::to(&format!("{}?notice={notice}", result_path(id, view))).into_response()
}

/// Splits the posted form into the use case's input and what to show again on refusal.
fn read_form(
    form: &BTreeMap<String, String>,
    instrument: Option<String>,
) -> (AssessmentInput, Filled) {
    let text = |key: &str| form.get(key).cloned().unwrap_or_default();
    let answers: BTreeMap<String, String> = form
        .iter()
        .filter(|(key, _)| !RESERVED.contains(&key.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let input = AssessmentInput {
        instrument,
        administered_on: Some(text("administered_on")),
        program_id: Some(text("program_id")),
        time_point_code: Some(text("time_point_code")),
        answers: answers.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect(),
        complete: form.get("action").is_some_and(|a| a == "complete"),
        version: form.get("version").and_then(|v| v.parse().ok()),
    };
    let filled = Filled {
        answers,
        administered_on: text("administered_on"),
        program_id: text("program_id"),
        time_point_code: text("time_point_code"),
    };
    (input, filled)
}

fn administer_form(
    signed_in: &SignedIn,
    stored: &ParticipantRecord,
    definition: &InstrumentDefinition,
    action: String,
    filled: &Filled,
    version: Option<i64>,
    errors: &FieldErrors,
) -> AdministerForm {
    let (items, summary) = form::items(definition, filled, errors);
    let date_error = ["administered_on", "program_id", "time_point_code"]
        .iter()
        .find_map(|f| errors.get(f))
        .map(str::to_owned);
    AdministerForm {
        chrome: Chrome::new(signed_in, ""),
        participant_id: stored.participant.id.to_string(),
        participant_name: stored.participant.identity.display_name(),
        action,
        short_name: definition.short_name.clone(),
        title: definition.title.clone(),
        instructions: definition.instructions.clone(),
        licence: definition.licence.summary.clone(),
        citation: definition.citation.clone(),
        items,
        administered_on: filled.administered_on.clone(),
        program_id: filled.program_id.clone(),
        time_point_code: filled.time_point_code.clone(),
        version,
        summary,
        date_error,
    }
}

/// Percent-encodes a query value (codes and ids are URL-safe already; this guards the rest).
fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
