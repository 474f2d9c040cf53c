//! A participant's page, the enrolment form and the edit form.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::participants::ParticipantView;
use kindred_app::participants::{ParticipantRecord, ResearchParticipant};
use kindred_app::policy::ParticipantAction;
use kindred_app::{Actor, App, AppError};
use kindred_domain::FieldErrors;
use kindred_domain::ids::ParticipantId;
use kindred_domain::participant::{Baseline, Enrolment, ParticipantInput};
use kindred_domain::vocabulary::Vocabulary;
use serde::Deserialize;

use super::sections::{self, SectionContext};
use super::{Chrome, notice_text};
use crate::AppState;
use crate::error::{PageError, sentence};
use crate::extract::{CsrfForm, PagePath, SignedIn};
use crate::forms::{
    Field, Fieldset, SummaryItem, attach_errors, participant_fieldsets, participant_input,
};

/// A label and its value, for definition lists.
pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

fn fact(label: &'static str, value: impl Into<String>) -> Fact {
    Fact { label, value: value.into() }
}

fn term<V: Vocabulary>(value: Option<V>) -> String {
    value.map(|v| v.label().to_owned()).unwrap_or_else(|| "Not recorded".into())
}

#[derive(Template, WebTemplate)]
#[template(path = "participant.html")]
struct ParticipantPage {
    chrome: Option<Chrome>,
    notice: Option<&'static str>,
    id: String,
    heading: String,
    reference: String,
    status_code: &'static str,
    status_label: &'static str,
    identified: bool,
    can_edit: bool,
    enrolment: Vec<Fact>,
    identity: Vec<Fact>,
    baseline: Vec<Fact>,
    /// Rendered sections (consents, the coach's work…), in page order.
    sections: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    notice: Option<String>,
}

fn enrolment_facts(e: &Enrolment, program: Option<&str>, coach: Option<&str>) -> Vec<Fact> {
    vec![
        fact("Program", program.unwrap_or("No program")),
        fact("Enrolled on", e.enrolled_on.to_string()),
        fact("Coach", coach.unwrap_or("Unassigned")),
        fact("Setting", term(e.setting)),
        fact("Referred by", term(e.referral_source)),
        fact("Treatment phase", term(e.treatment_phase)),
    ]
}

fn baseline_facts(b: &Baseline) -> Vec<Fact> {
    vec![
        fact("Age at enrolment", b.age_band.label()),
        fact("Gender", term(b.gender)),
        fact("Primary substance", term(b.primary_substance)),
        fact("Co-occurring mental health condition", b.co_occurring_mental_disorder.label()),
        fact("Housing", term(b.housing)),
        fact("Justice involvement", term(b.justice_involvement)),
        fact("Pregnant", b.pregnant.label()),
        fact("Veteran", b.veteran.label()),
    ]
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ParticipantId>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let actor = &signed_in.actor;
    let page = match state.app.participant(actor, id).await? {
        ParticipantView::Identified(stored) => {
            identified_page(&state.app, &signed_in, *stored).await?
        }
        ParticipantView::Research(record) => research_page(&signed_in, record),
    };
    Ok(ParticipantPage { notice: notice_text(query.notice.as_deref()), ..page }.into_response())
}

async fn identified_page(
    app: &App,
    signed_in: &SignedIn,
    stored: ParticipantRecord,
) -> Result<ParticipantPage, PageError> {
    let p = &stored.participant;
    let sections = sections::render(&SectionContext { app, signed_in, stored: &stored }).await?;
    let i = &p.identity;
    let mut identity = vec![
        fact("Date of birth", i.date_of_birth.to_string()),
        fact("Phone", i.phone.clone().unwrap_or_else(|| "Not recorded".into())),
        fact(
            "Email",
            i.email.as_ref().map(|e| e.to_string()).unwrap_or_else(|| "Not recorded".into()),
        ),
    ];
    if let Some(preferred) = &i.preferred_name {
        identity.insert(0, fact("Preferred name", preferred.clone()));
    }
    Ok(ParticipantPage {
        chrome: Chrome::new(signed_in, ""),
        notice: None,
        id: p.id.to_string(),
        heading: format!("{} {}", i.given_name, i.family_name),
        reference: p.reference.clone(),
        status_code: p.enrolment.status.code(),
        status_label: p.enrolment.status.label(),
        identified: true,
        can_edit: stored.may.edit,
        enrolment: enrolment_facts(
            &p.enrolment,
            stored.program_name.as_deref(),
            stored.coach_name.as_deref(),
        ),
        identity,
        baseline: baseline_facts(&p.baseline),
        sections,
    })
}

fn research_page(signed_in: &SignedIn, record: ResearchParticipant) -> ParticipantPage {
    let coach = record.enrolment.coach_id.map(|_| "Assigned");
    ParticipantPage {
        chrome: Chrome::new(signed_in, ""),
        notice: None,
        id: record.id.to_string(),
        heading: record.reference.clone(),
        reference: record.reference.clone(),
        status_code: record.enrolment.status.code(),
        status_label: record.enrolment.status.label(),
        identified: false,
        can_edit: false,
        enrolment: enrolment_facts(&record.enrolment, record.program_name.as_deref(), coach),
        identity: Vec::new(),
        baseline: baseline_facts(&record.baseline),
        sections: Vec::new(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "participant_form.html")]
struct ParticipantForm {
    chrome: Option<Chrome>,
    title: String,
    action: String,
    cancel: String,
    submit_label: &'static str,
    fieldsets: Vec<Fieldset>,
    summary: Vec<SummaryItem>,
    version: Option<i64>,
    /// A conflict to resolve before saving (a possible duplicate, or a newer version).
    conflict: Option<String>,
    offer_duplicate_confirmation: bool,
}

/// The participant form, with the eligibility override for those who may give one.
fn enrolment_fieldsets(
    actor: &Actor,
    input: &ParticipantInput,
    programs: Vec<(String, String)>,
    coaches: &[kindred_domain::user::User],
    editing: bool,
) -> Vec<Fieldset> {
    let mut fieldsets = participant_fieldsets(input, programs, coaches, editing);
    if kindred_app::policy::capabilities(actor).override_eligibility
        && let Some(enrolment) = fieldsets.iter_mut().find(|set| set.legend == "Enrolment")
    {
        let reason = Field::new("text", "coach_override_reason", "Reason to override eligibility")
            .value(input.coach_override_reason.as_deref())
            .hint(
                "Only if the coach does not meet the program's requirements. Recorded and audited.",
            );
        let after_coach =
            enrolment.fields.iter().position(|f| f.name == "coach_id").map_or(0, |i| i + 1);
        enrolment.fields.insert(after_coach, reason);
    }
    fieldsets
}

async fn form_choices(
    app: &App,
    actor: &Actor,
) -> Result<(Vec<(String, String)>, Vec<kindred_domain::user::User>), AppError> {
    let programs = app
        .programs(actor)
        .await?
        .into_iter()
        .map(|p| {
            let label = if p.active { p.name } else { format!("{} (not enrolling)", p.name) };
            (p.id.to_string(), label)
        })
        .collect();
    Ok((programs, app.assignable_coaches(actor).await?))
}

pub async fn new_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    state.app.may_enrol(&signed_in.actor)?;
    let (programs, coaches) = form_choices(&state.app, &signed_in.actor).await?;
    let mut input = ParticipantInput::default();
    if coaches.iter().any(|c| c.id == signed_in.actor.user_id()) {
        input.coach_id = Some(signed_in.actor.user_id().to_string());
    }
    Ok(ParticipantForm {
        chrome: Chrome::new(&signed_in, "/participants/new"),
        title: "Enrol a participant".into(),
        action: "/participants/new".into(),
        cancel: "/caseload".into(),
        submit_label: "Enrol",
        fieldsets: enrolment_fieldsets(&signed_in.actor, &input, programs, &coaches, false),
        summary: Vec::new(),
        version: None,
        conflict: None,
        offer_duplicate_confirmation: false,
    }
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct EnrolForm {
    #[serde(flatten)]
    participant: ParticipantInput,
    confirm_duplicate: Option<String>,
}

pub async fn enrol(
    State(state): State<AppState>,
    form: CsrfForm<EnrolForm>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    let actor = &signed_in.actor;
    let confirmed = form.confirm_duplicate.as_deref() == Some("yes");
    let outcome = state.app.enrol(actor, &form.participant, confirmed).await;
    let (status, errors, conflict) = match outcome {
        Ok(stored) => {
            let to = format!("/participants/{}?notice=enrolled", stored.participant.id);
            return Ok(Redirect::to(&to).into_response());
        }
        Err(AppError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors, None),
        Err(AppError::Conflict(message)) => {
            (StatusCode::CONFLICT, FieldErrors::new(), Some(sentence(&message)))
        }
        Err(other) => return Err(other.into()),
    };
    let (programs, coaches) = form_choices(&state.app, actor).await?;
    let mut fieldsets = enrolment_fieldsets(actor, &form.participant, programs, &coaches, false);
    let summary = attach_errors(&mut fieldsets, &errors);
    let offer_duplicate_confirmation = conflict.is_some();
    let page = ParticipantForm {
        chrome: Chrome::new(&signed_in, "/participants/new"),
        title: "Enrol a participant".into(),
        action: "/participants/new".into(),
        cancel: "/caseload".into(),
        submit_label: "Enrol",
        fieldsets,
        summary,
        version: None,
        conflict,
        offer_duplicate_confirmation,
    };
    Ok((status, page).into_response())
}

pub async fn edit_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ParticipantId>,
) -> Result<Response, PageError> {
    let actor = &signed_in.actor;
    let stored = state.app.participant_for(actor, id, ParticipantAction::Edit).await?;
    let input = participant_input(&stored.participant);
    Ok(edit_page(&state.app, &signed_in, &stored, &input, FieldErrors::new(), None)
        .await?
        .into_response())
}

async fn edit_page(
    app: &App,
    signed_in: &SignedIn,
    stored: &ParticipantRecord,
    input: &ParticipantInput,
    errors: FieldErrors,
    conflict: Option<String>,
) -> Result<ParticipantForm, AppError> {
    let (programs, mut coaches) = form_choices(app, &signed_in.actor).await?;
    // The current coach stays selectable even if this person could not assign them.
    if let Some(coach_id) = stored.participant.enrolment.coach_id
        && !coaches.iter().any(|c| c.id == coach_id)
        && let Some(coach) = app.colleague(&signed_in.actor, coach_id).await?
    {
        coaches.push(coach);
    }
    let mut fieldsets = enrolment_fieldsets(&signed_in.actor, input, programs, &coaches, true);
    let summary = attach_errors(&mut fieldsets, &errors);
    let p = &stored.participant;
    Ok(ParticipantForm {
        chrome: Chrome::new(signed_in, ""),
        title: format!("Edit {} {}", p.identity.given_name, p.identity.family_name),
        action: format!("/participants/{}/edit", p.id),
        cancel: format!("/participants/{}", p.id),
        submit_label: "Save changes",
        fieldsets,
        summary,
        version: Some(p.version),
        conflict,
        offer_duplicate_confirmation: false,
    })
}

#[derive(Debug, Deserialize)]
pub struct EditForm {
    #[serde(flatten)]
    participant: ParticipantInput,
    version: Option<String>,
}

pub async fn update(
    State(state): State<AppState>,
    PagePath(id): PagePath<ParticipantId>,
    form: CsrfForm<EditForm>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    let actor = &signed_in.actor;
    let version = form.version.as_deref().and_then(|v| v.trim().parse::<i64>().ok());
    let (status, errors, conflict) =
        match state.app.update_participant(actor, id, &form.participant, version).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/participants/{id}?notice=saved")).into_response()
                );
            }
            Err(AppError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors, None),
            Err(AppError::Conflict(message)) => {
                (StatusCode::CONFLICT, FieldErrors::new(), Some(sentence(&message)))
            }
            Err(other) => return Err(other.into()),
        };
    let ParticipantView::Identified(stored) = state.app.participant(actor, id).await? else {
        return Err(AppError::NotFound.into());
    };
    let mut page =
        edit_page(&state.app, &signed_in, &stored, &form.participant, errors, conflict).await?;
    // After a conflict the person has been told and may save over the newer version; after
    // a validation error they are still editing the version they opened.
    if page.conflict.is_none() {
        page.version = version.or(page.version);
    }
    Ok((status, page).into_response())
}
