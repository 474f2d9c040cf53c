//! The group-session form: the session's details and an attendance list of the people the
//! facilitator works with; saving logs a contact for each attendee.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::AppError;
use kindred_app::participants::{CaseloadEntries, CaseloadFilter};
use kindred_domain::contact::{DEFAULT_MINUTES, moment_input};
use kindred_domain::group_session::GroupSessionInput;
use kindred_domain::vocabulary::{
    Activity, ContactMode, ParticipantStatus, Setting, SupportKind, Vocabulary,
};
use serde::Deserialize;

use super::form_page::FormPage;
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, SignedIn};
use crate::forms::{Choice, Field, Fieldset};

/// The form as a browser sends it (checkbox groups repeat their name).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SessionForm {
    topic: Option<String>,
    occurred_at: Option<String>,
    minutes: Option<String>,
    mode: Option<String>,
    setting: Option<String>,
    support_kinds: Vec<String>,
    activities: Vec<String>,
    attendees: Vec<String>,
}

impl From<SessionForm> for GroupSessionInput {
    fn from(f: SessionForm) -> Self {
        Self {
            topic: f.topic,
            occurred_at: f.occurred_at,
            minutes: f.minutes,
            mode: f.mode,
            setting: f.setting,
            support_kinds: f.support_kinds,
            activities: f.activities,
            attendees: f.attendees,
        }
    }
}

fn checkboxes<V: Vocabulary>(name: &'static str, label: &'static str, on: &[String]) -> Field {
    let mut field = Field::vocabulary::<V>(name, label, None);
    field.kind = "checkboxes";
    for choice in &mut field.choices {
        choice.selected = on.contains(&choice.value);
    }
    field
}

async fn session_page(
    state: &AppState,
    signed_in: &SignedIn,
    input: &GroupSessionInput,
) -> Result<FormPage, AppError> {
    // The active participants the facilitator works with, every page of them: a group is
    // drawn from the people one knows, and a supervisor's team can run past one page.
    let mut people = Vec::new();
    let mut filter = CaseloadFilter {
        status: Some(ParticipantStatus::Active),
        search: None,
        page: 1,
        at_a_glance: false,
    };
    loop {
        let caseload = state.app.caseload(&signed_in.actor, &filter).await?;
        let CaseloadEntries::Identified(page) = caseload.entries else {
            return Err(AppError::Forbidden("evaluators do not record group sessions".into()));
        };
        people.extend(page);
        if filter.page >= caseload.page_count {
            break;
        }
        filter.page += 1;
    }
    let mut attendance = Field::new("checkboxes", "attendees", "Who came").required();
    attendance.choices = people
        .iter()
        .map(|p| Choice {
            value: p.id.to_string(),
            label: p.display_name.clone(),
            hint: p.reference.clone(),
            selected: input.attendees.contains(&p.id.to_string()),
        })
        .collect();
    let fields = vec![
        Field::new("text", "topic", "Topic").value(input.topic.as_deref()).required(),
        Field::new("datetime-local", "occurred_at", "When")
            .value(input.occurred_at.as_deref())
            .required(),
        Field::new("number", "minutes", "Minutes").value(input.minutes.as_deref()).required(),
        Field::vocabulary::<ContactMode>("mode", "Mode", input.mode.as_deref()).required(),
        Field::vocabulary::<Setting>("setting", "Setting", input.setting.as_deref())
            .with_blank("Not in a particular setting"),
    ];
    Ok(FormPage::new(
        signed_in,
        "Record a group session",
        "/group-sessions/new",
        "/contacts",
        "Save session",
        vec![
            Fieldset { legend: "Session", fields },
            Fieldset {
                legend: "What happened",
                fields: vec![
                    checkboxes::<SupportKind>(
                        "support_kinds",
                        "Kind of support",
                        &input.support_kinds,
                    )
                    .required(),
                    checkboxes::<Activity>("activities", "What you did", &input.activities),
                ],
            },
            Fieldset { legend: "Attendance", fields: vec![attendance] },
        ],
    )
    .lede("Each person who came gets a contact in their record."))
}

pub async fn new_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let input = GroupSessionInput {
        occurred_at: Some(moment_input(state.app.clock().now())),
        minutes: Some((DEFAULT_MINUTES * 2).to_string()),
        mode: Some(ContactMode::InPerson.code().into()),
        support_kinds: vec![SupportKind::Affiliational.code().into()],
        activities: vec![Activity::PeerGroup.code().into()],
        ..Default::default()
    };
    Ok(session_page(&state, &signed_in, &input).await?.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    form: CsrfForm<SessionForm>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    let input = GroupSessionInput::from(form);
    match state.app.record_group_session(&signed_in.actor, &input).await {
        Ok(_) => Ok(Redirect::to("/contacts?notice=session-recorded").into_response()),
        Err(AppError::Invalid(errors)) => {
            Ok(session_page(&state, &signed_in, &input).await?.refused(&errors))
        }
        Err(other) => Err(other.into()),
    }
}
