//! Recording supervision sessions and boundary concerns, and resolving concerns.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::{Actor, App, AppError};
use kindred_domain::supervision::{ConcernInput, ResolutionInput, SupervisionInput};
use kindred_domain::user::User;
use kindred_domain::vocabulary::{ConcernCategory, SupervisionFormat};
use serde::Deserialize;
use uuid::Uuid;

use super::Chrome;
use super::form_page::FormPage;
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, PagePath, SignedIn};
use crate::forms::{Choice, Field, Fieldset};

#[derive(Debug, Deserialize, Default)]
pub struct CoachParam {
    coach: Option<String>,
}

fn coach_field(coaches: &[User], selected: Option<&str>) -> Field {
    let mut field = Field::new("select", "coach_id", "Coach").required();
    field.choices = std::iter::once(Choice {
        value: String::new(),
        label: "Choose a coach".into(),
        hint: String::new(),
        selected: selected.is_none(),
    })
    .chain(coaches.iter().map(|c| Choice {
        value: c.id.to_string(),
        label: c.display_name.clone(),
        hint: String::new(),
        selected: selected == Some(c.id.to_string().as_str()),
    }))
    .collect();
    field.value = selected.unwrap_or_default().to_owned();
    field
}

async fn supervision_form(
    app: &App,
    signed_in: &SignedIn,
    input: &SupervisionInput,
) -> Result<FormPage, AppError> {
    let coaches = app.supervisable_coaches(&signed_in.actor).await?;
    let today = app.clock().today().to_string();
    Ok(FormPage {
        chrome: Chrome::new(signed_in, "/fidelity"),
        title: "Record a supervision session".into(),
        lede: "Notes here are about the coach's work and wellbeing; keep participants' details out of them.".into(),
        action: "/supervision/new".into(),
        cancel: "/fidelity".into(),
        submit_label: "Record session",
        fieldsets: vec![Fieldset {
            legend: "Session",
            fields: vec![
                coach_field(&coaches, input.coach_id.as_deref()),
                Field::new("date", "held_on", "Held on").value(input.held_on.as_deref().or(Some(today.as_str()))),
                Field::new("text", "minutes", "Minutes").value(input.minutes.as_deref()).required(),
                Field::vocabulary::<SupervisionFormat>("format", "Format", input.format.as_deref().or(Some("individual"))),
                Field::new("text", "topics", "Topics").value(input.topics.as_deref()).required()
                    .hint("e.g. caseload review, a boundary question, self-care."),
                Field::new("textarea", "notes", "Notes").value(input.notes.as_deref()),
            ],
        }],
        summary: Vec::new(),
    })
}

pub async fn new_session(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(q): Query<CoachParam>,
) -> Result<Response, PageError> {
    let input = SupervisionInput { coach_id: q.coach, ..Default::default() };
    Ok(supervision_form(&state.app, &signed_in, &input).await?.into_response())
}

pub async fn record_session(
    State(state): State<AppState>,
    form: CsrfForm<SupervisionInput>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    match state.app.record_supervision(&signed_in.actor, &form).await {
        Ok(_) => Ok(Redirect::to("/fidelity?notice=supervision-recorded").into_response()),
        Err(AppError::Invalid(errors)) => {
            Ok(supervision_form(&state.app, &signed_in, &form).await?.refused(&errors))
        }
        Err(other) => Err(other.into()),
    }
}

async fn concern_form(
    app: &App,
    signed_in: &SignedIn,
    input: &ConcernInput,
) -> Result<FormPage, AppError> {
    let coaches = app.supervisable_coaches(&signed_in.actor).await?;
    let today = app.clock().today().to_string();
    Ok(FormPage {
        chrome: Chrome::new(signed_in, "/fidelity"),
        title: "Raise a boundary concern".into(),
        lede: "Describe what happened, not a diagnosis. The coach's supervisor and managers can see concerns.".into(),
        action: "/concerns/new".into(),
        cancel: "/fidelity".into(),
        submit_label: "Raise concern",
        fieldsets: vec![Fieldset {
            legend: "Concern",
            fields: vec![
                coach_field(&coaches, input.coach_id.as_deref()),
                Field::vocabulary::<ConcernCategory>("category", "What it is about", input.category.as_deref())
                    .with_blank("Choose")
                    .required(),
                Field::new("date", "raised_on", "Date").value(input.raised_on.as_deref().or(Some(today.as_str()))),
                Field::new("text", "participant_id", "Participant id (optional)")
                    .value(input.participant_id.as_deref())
                    .hint("Only if one participant is involved: their id from their page's address."),
                Field::new("textarea", "description", "What happened").value(input.description.as_deref()).required(),
            ],
        }],
        summary: Vec::new(),
    })
}

pub async fn new_concern(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(q): Query<CoachParam>,
) -> Result<Response, PageError> {
    let input = ConcernInput { coach_id: q.coach, ..Default::default() };
    Ok(concern_form(&state.app, &signed_in, &input).await?.into_response())
}

pub async fn raise_concern(
    State(state): State<AppState>,
    form: CsrfForm<ConcernInput>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    match state.app.raise_concern(&signed_in.actor, &form).await {
        Ok(_) => Ok(Redirect::to("/fidelity?notice=concern-raised").into_response()),
        Err(AppError::Invalid(errors)) => {
            Ok(concern_form(&state.app, &signed_in, &form).await?.refused(&errors))
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn resolve_concern(
    State(state): State<AppState>,
    PagePath(id): PagePath<Uuid>,
    form: CsrfForm<ResolutionInput>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    let actor: &Actor = &signed_in.actor;
    match state.app.resolve_concern(actor, id, &form).await {
        Ok(_) => Ok(Redirect::to("/fidelity?notice=concern-resolved#concerns").into_response()),
        Err(AppError::Invalid(errors)) => {
            let message = errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; ");
            Err(AppError::Conflict(format!("the concern was not resolved: {message}")).into())
        }
        Err(other) => Err(other.into()),
    }
}
