//! Appointments on a participant's page: the list, recording one, and marking one attended,
//! missed or cancelled with a single tap.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::AppError;
use kindred_app::policy::ParticipantAction;
use kindred_domain::appointments::{Appointment, AppointmentInput};
use kindred_domain::ids::{AppointmentId, ParticipantId};
use kindred_domain::vocabulary::{AppointmentKind, AppointmentStatus, Vocabulary};
use serde::Deserialize;
use time::Date;

use super::form_page::FormPage;
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, PagePath, SignedIn};
use crate::forms::{Field, Fieldset};

/// The appointments section of a participant's page.
#[derive(Template, WebTemplate)]
#[template(path = "_appointments.html")]
pub struct AppointmentsSection {
    participant_id: String,
    csrf_token: String,
    /// "Coming up" and "Earlier", each only if it has appointments.
    groups: Vec<(&'static str, Vec<AppointmentRow>)>,
}

struct AppointmentRow {
    id: String,
    title: String,
    when: String,
    place: String,
    note: String,
    status_code: &'static str,
    status_label: &'static str,
    /// Whether it can be marked attended or missed (its day has come and it is scheduled).
    can_record_outcome: bool,
    can_cancel: bool,
}

pub fn appointments_section(
    participant: ParticipantId,
    appointments: Vec<Appointment>,
    csrf_token: &str,
    today: Date,
) -> AppointmentsSection {
    let row = |a: &Appointment| {
        let d = &a.details;
        let scheduled = d.status == AppointmentStatus::Scheduled;
        AppointmentRow {
            id: a.id.to_string(),
            title: format!("{}: {}", d.kind.label(), d.with_whom),
            when: d.when(),
            place: d.place.clone().unwrap_or_default(),
            note: d.note.clone().unwrap_or_default(),
            status_code: d.status.code(),
            status_label: d.status.label(),
            can_record_outcome: scheduled && d.date <= today,
            can_cancel: scheduled,
        }
    };
    let (upcoming, past): (Vec<&Appointment>, Vec<&Appointment>) = appointments
        .iter()
        .partition(|a| a.details.date >= today && a.details.status == AppointmentStatus::Scheduled);
    AppointmentsSection {
        participant_id: participant.to_string(),
        csrf_token: csrf_token.to_owned(),
        groups: [
            ("Coming up", upcoming.into_iter().map(row).collect::<Vec<_>>()),
            ("Earlier", past.into_iter().rev().map(row).collect()),
        ]
        .into_iter()
        .filter(|(_, rows)| !rows.is_empty())
        .collect(),
    }
}

fn appointment_page(
    signed_in: &SignedIn,
    id: ParticipantId,
    name: &str,
    input: &AppointmentInput,
) -> FormPage {
    let fields = vec![
        Field::vocabulary::<AppointmentKind>("kind", "What for", input.kind.as_deref())
            .with_blank("Choose")
            .required(),
        Field::new("date", "date", "Date").value(input.date.as_deref()).required(),
        Field::new("time", "time", "Time")
            .value(input.time.as_deref())
            .hint("Leave blank if not known."),
        Field::new("text", "with_whom", "With")
            .value(input.with_whom.as_deref())
            .required()
            .hint("The service or person, e.g. County Outpatient Services."),
        Field::new("text", "place", "Where").value(input.place.as_deref()),
        Field::new("textarea", "note", "Note")
            .value(input.note.as_deref())
            .hint("Practical things only: what to bring, who is driving."),
    ];
    FormPage::new(
        signed_in,
        "Record an appointment",
        format!("/participants/{id}/appointments/new"),
        format!("/participants/{id}#appointments"),
        "Save appointment",
        vec![Fieldset { legend: "Appointment", fields }],
    )
    .lede(format!(
        "For {name}. The first appointment of a kind can date protocol steps, like an escort."
    ))
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

pub async fn new_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ParticipantId>,
) -> Result<Response, PageError> {
    // Listing checks the actor may work with this participant's appointments.
    state.app.appointments(&signed_in.actor, id).await?;
    let name = participant_name(&state, &signed_in, id).await?;
    let input = AppointmentInput {
        date: Some(state.app.clock().today().to_string()),
        ..Default::default()
    };
    Ok(appointment_page(&signed_in, id, &name, &input).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    PagePath(id): PagePath<ParticipantId>,
    form: CsrfForm<AppointmentInput>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    match state.app.schedule_appointment(&signed_in.actor, id, &form).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/participants/{id}?notice=appointment-saved#appointments"))
                .into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let name = participant_name(&state, &signed_in, id).await?;
            Ok(appointment_page(&signed_in, id, &name, &form).refused(&errors))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    status: Option<String>,
}

pub async fn set_status(
    State(state): State<AppState>,
    PagePath((id, appointment)): PagePath<(ParticipantId, AppointmentId)>,
    form: CsrfForm<StatusForm>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    let input = AppointmentInput { status: form.status, ..Default::default() };
    state.app.update_appointment(&signed_in.actor, id, appointment, &input).await?;
    Ok(Redirect::to(&format!("/participants/{id}?notice=appointment-saved#appointments"))
        .into_response())
}
