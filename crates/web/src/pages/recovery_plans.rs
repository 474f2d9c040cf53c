//! The recovery plan on a participant's page: goals as cards, steps ticked with one tap, and
//! small forms (in `<details>`, so the page stays short on a phone) to add a goal or a step
//! and to change a goal's status with a note.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::AppError;
use kindred_app::policy::ParticipantAction;
use kindred_domain::FieldErrors;
use kindred_domain::ids::{GoalId, GoalStepId, ParticipantId};
use kindred_domain::recovery_plan::{Goal, GoalInput, StepInput};
use kindred_domain::vocabulary::{GoalStatus, OutcomeDomain, Vocabulary};

use super::Chrome;
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, PagePath, SignedIn};
use crate::forms::{Field, Fieldset, SummaryItem, attach_errors};

/// The "Recovery plan" section.
#[derive(Template, WebTemplate)]
#[template(path = "_recovery_plan.html")]
pub struct PlanSection {
    participant_id: String,
    csrf_token: String,
    can_edit: bool,
    goals: Vec<GoalCard>,
    domains: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
}

struct GoalCard {
    id: String,
    title: String,
    domain: &'static str,
    status_code: &'static str,
    status_label: &'static str,
    target: Option<String>,
    done: usize,
    total: usize,
    steps: Vec<StepLine>,
    history: Vec<String>,
}

struct StepLine {
    id: String,
    description: String,
    done_on: Option<String>,
    target: Option<String>,
}

fn vocabulary<V: Vocabulary>() -> Vec<(&'static str, &'static str)> {
    V::ALL.iter().map(|t| (t.code(), t.label())).collect()
}

pub fn plan_section(
    participant: ParticipantId,
    goals: &[Goal],
    csrf_token: &str,
    can_edit: bool,
) -> PlanSection {
    let goals = goals
        .iter()
        .map(|g| {
            let (done, total) = g.progress();
            GoalCard {
                id: g.id.to_string(),
                title: g.title.clone(),
                domain: g.domain.label(),
                status_code: g.status.code(),
                status_label: g.status.label(),
                target: g.target_on.map(|d| d.to_string()),
                done,
                total,
                steps: g
                    .steps
                    .iter()
                    .map(|s| StepLine {
                        id: s.id.to_string(),
                        description: s.description.clone(),
                        done_on: s.done_on.map(|d| d.to_string()),
                        target: s.target_on.map(|d| d.to_string()),
                    })
                    .collect(),
                history: g
                    .history
                    .iter()
                    .map(|h| {
                        let mut line = format!(
                            "{} · {} · {}",
                            h.changed_at.date(),
                            h.status.label(),
                            h.changed_by_name
                        );
                        if let Some(note) = &h.note {
                            line.push_str(&format!(": {note}"));
                        }
                        line
                    })
                    .collect(),
            }
        })
        .collect();
    PlanSection {
        participant_id: participant.to_string(),
        csrf_token: csrf_token.to_owned(),
        can_edit,
        goals,
        domains: vocabulary::<OutcomeDomain>(),
        statuses: vocabulary::<GoalStatus>(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "goal_form.html")]
struct GoalForm {
    chrome: Option<Chrome>,
    participant_id: String,
    participant_name: String,
    fieldsets: Vec<Fieldset>,
    summary: Vec<SummaryItem>,
}

fn goal_fieldsets(input: &GoalInput) -> Vec<Fieldset> {
    vec![Fieldset {
        legend: "A goal",
        fields: vec![
            Field::vocabulary::<OutcomeDomain>("domain", "Life area", input.domain.as_deref())
                .with_blank("Choose a life area")
                .required(),
            Field::new("text", "title", "The goal, in their own words")
                .value(input.title.as_deref())
                .required(),
            Field::new("date", "target_on", "Target date").value(input.target_on.as_deref()),
        ],
    }]
}

async fn participant_name(
    state: &AppState,
    signed_in: &SignedIn,
    id: ParticipantId,
) -> Result<String, AppError> {
    let record =
        state.app.participant_for(&signed_in.actor, id, ParticipantAction::RecordWork).await?;
    Ok(record.participant.identity.display_name())
}

async fn goal_page(
    state: &AppState,
    signed_in: &SignedIn,
    id: ParticipantId,
    input: &GoalInput,
    errors: &FieldErrors,
) -> Result<GoalForm, AppError> {
    let mut fieldsets = goal_fieldsets(input);
    let summary = attach_errors(&mut fieldsets, errors);
    Ok(GoalForm {
        chrome: Chrome::new(signed_in, ""),
        participant_id: id.to_string(),
        participant_name: participant_name(state, signed_in, id).await?,
        fieldsets,
        summary,
    })
}

/// The add-a-goal page (the section's quick form is the usual way; this one shows errors).
pub async fn new_goal(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ParticipantId>,
) -> Result<Response, PageError> {
    let page =
        goal_page(&state, &signed_in, id, &GoalInput::default(), &FieldErrors::new()).await?;
    Ok(page.into_response())
}

pub async fn add_goal(
    State(state): State<AppState>,
    PagePath(id): PagePath<ParticipantId>,
    form: CsrfForm<GoalInput>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    match state.app.add_goal(&signed_in.actor, id, &form).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/participants/{id}?notice=goal-added#plan")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let page = goal_page(&state, &signed_in, id, &form, &errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// Changes a goal's status (with a note) from the section's form.
pub async fn change_status(
    State(state): State<AppState>,
    PagePath((id, goal)): PagePath<(ParticipantId, GoalId)>,
    form: CsrfForm<GoalInput>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    let input = GoalInput { status: form.status, note: form.note, ..Default::default() };
    state.app.update_goal(&signed_in.actor, id, goal, &input).await?;
    Ok(Redirect::to(&format!("/participants/{id}?notice=goal-updated#goal-{goal}")).into_response())
}

pub async fn add_step(
    State(state): State<AppState>,
    PagePath((id, goal)): PagePath<(ParticipantId, GoalId)>,
    form: CsrfForm<StepInput>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    state.app.add_goal_step(&signed_in.actor, id, goal, &form).await?;
    Ok(Redirect::to(&format!("/participants/{id}?notice=step-added#goal-{goal}")).into_response())
}

/// Ticks (done today) or unticks a step: one tap on a phone.
pub async fn toggle_step(
    State(state): State<AppState>,
    PagePath((id, goal, step)): PagePath<(ParticipantId, GoalId, GoalStepId)>,
    form: CsrfForm<StepInput>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, .. } = form;
    state.app.toggle_goal_step(&signed_in.actor, id, goal, step).await?;
    Ok(Redirect::to(&format!("/participants/{id}#goal-{goal}")).into_response())
}
