//! Outcome events on the participant page: the list, and a small form to record one.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::AppError;
use kindred_domain::ids::ParticipantId;
use kindred_domain::outcome_event::{OutcomeEvent, OutcomeEventInput};
use kindred_domain::vocabulary::{
    HospitalisationKind, OutcomeEventKind, PrimarySubstance, Vocabulary,
};

use super::form_page::FormPage;
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, PagePath, SignedIn};
use crate::forms::{Field, Fieldset};

#[derive(Template, WebTemplate)]
#[template(path = "_outcome_events.html")]
pub struct EventsSection {
    participant_id: String,
    /// (date, what, detail, who)
    events: Vec<(String, String, String, String)>,
}

pub fn events_section(participant: ParticipantId, events: &[OutcomeEvent]) -> EventsSection {
    EventsSection {
        participant_id: participant.to_string(),
        events: events
            .iter()
            .map(|e| {
                let mut detail = e.event.detail.clone().unwrap_or_default();
                if let Some(substance) = e.event.substance {
                    detail = format!("{} {detail}", substance.label()).trim().to_owned();
                }
                let what = match e.event.hospitalisation_kind {
                    Some(kind) => format!("{} ({})", e.event.kind.label(), kind.label()),
                    None => e.event.kind.label().to_owned(),
                };
                (e.event.occurred_on.to_string(), what, detail, e.recorded_by_name.clone())
            })
            .collect(),
    }
}

fn event_page(signed_in: &SignedIn, id: ParticipantId, input: &OutcomeEventInput) -> FormPage {
    let fields = vec![
        Field::vocabulary::<OutcomeEventKind>("kind", "What happened", input.kind.as_deref())
            .with_blank("Choose")
            .required(),
        Field::new("date", "occurred_on", "When").value(input.occurred_on.as_deref()).required(),
        Field::vocabulary::<HospitalisationKind>(
            "hospitalisation_kind",
            "Kind of hospitalisation",
            input.hospitalisation_kind.as_deref(),
        )
        .with_blank("Not a hospitalisation, or not known")
        .hint("Only for a hospitalisation: outcomes can count one kind (a psychiatric readmission is not a detox stay)."),
        Field::vocabulary::<PrimarySubstance>("substance", "Substance", input.substance.as_deref())
            .with_blank("Not about a substance"),
        Field::new("textarea", "detail", "Detail")
            .value(input.detail.as_deref())
            .hint("Short and nonclinical, at most 280 characters."),
    ];
    FormPage::new(
        signed_in,
        "Record an outcome event",
        format!("/participants/{id}/outcome-events/new"),
        format!("/participants/{id}#events"),
        "Save event",
        vec![Fieldset { legend: "Event", fields }],
    )
}

pub async fn new_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ParticipantId>,
) -> Result<Response, PageError> {
    // Asks the policy (and audits the read) before showing the form.
    state.app.outcome_events(&signed_in.actor, id).await?;
    let input = OutcomeEventInput {
        occurred_on: Some(state.app.clock().today().to_string()),
        ..Default::default()
    };
    Ok(event_page(&signed_in, id, &input).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    PagePath(id): PagePath<ParticipantId>,
    form: CsrfForm<OutcomeEventInput>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    match state.app.record_outcome_event(&signed_in.actor, id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/participants/{id}?notice=event-recorded#events"))
            .into_response()),
        Err(AppError::Invalid(errors)) => Ok(event_page(&signed_in, id, &form).refused(&errors)),
        Err(other) => Err(other.into()),
    }
}
