//! Staff pages: the profiles a person may see, one profile with its certifications, and the
//! forms supervisors and admins use to record qualifications. The recovery start date is on
//! the page only when the application handed it over (the person, their supervisor, admins).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::AppError;
use kindred_app::policy;
use kindred_app::staff::StaffMember;
use kindred_domain::ids::{CertificationId, UserId};
use kindred_domain::staff::{CertificationInput, StaffProfileInput};
use kindred_domain::vocabulary::{Employment, Vocabulary};

use super::form_page::FormPage;
use super::program_edit::EmptyForm;
use super::programs::NoticeQuery;
use super::{Chrome, notice_text};
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, PagePath, SignedIn};
use crate::forms::{Choice, Field, Fieldset};

#[derive(Template, WebTemplate)]
#[template(path = "staff.html")]
struct StaffPage {
    chrome: Option<Chrome>,
    rows: Vec<StaffRow>,
}

struct StaffRow {
    href: String,
    name: String,
    detail: String,
}

fn qualifications_line(m: &StaffMember, today: time::Date) -> String {
    let current = m.certifications.iter().filter(|c| c.is_current(today)).count();
    let certified = match current {
        0 => "no current certification".to_owned(),
        1 => "1 current certification".to_owned(),
        n => format!("{n} current certifications"),
    };
    let roles: Vec<&str> = m.user.roles.iter().map(|r| r.label()).collect();
    format!(
        "{} · {} · {} training hours · {certified}",
        roles.join(", "),
        m.profile.employment.label(),
        m.profile.training_hours
    )
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let today = state.app.clock().today();
    let members = state.app.staff(&signed_in.actor).await?;
    let rows = members
        .iter()
        .map(|m| StaffRow {
            href: format!("/staff/{}", m.user.id),
            name: m.user.display_name.clone(),
            detail: qualifications_line(m, today),
        })
        .collect();
    Ok(StaffPage { chrome: Chrome::new(&signed_in, "/staff"), rows }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_profile.html")]
struct ProfilePage {
    chrome: Option<Chrome>,
    notice: Option<&'static str>,
    id: String,
    name: String,
    can_edit: bool,
    facts: Vec<(&'static str, String)>,
    certifications: Vec<CertificationRow>,
}

struct CertificationRow {
    id: String,
    name: String,
    period: String,
    current: bool,
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<UserId>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let today = state.app.clock().today();
    let m = state.app.staff_member(&signed_in.actor, id).await?;
    let mut facts = vec![
        ("Email", m.user.email.to_string()),
        ("Supervisor", m.supervisor_name.clone().unwrap_or_else(|| "None".into())),
        ("Employment", m.profile.employment.label().to_owned()),
        ("Training hours", m.profile.training_hours.to_string()),
    ];
    if m.shows_recovery_date() {
        let date = m
            .profile
            .recovery_start_date
            .map(|d| d.to_string())
            .unwrap_or_else(|| "Not recorded".into());
        facts.push(("In recovery since", date));
    }
    if !m.recorded {
        facts.push(("Profile", "No qualifications recorded yet".into()));
    }
    let certifications = m
        .certifications
        .iter()
        .map(|c| CertificationRow {
            id: c.id.to_string(),
            name: c.name.clone(),
            period: match (c.issued_on, c.expires_on) {
                (Some(i), Some(e)) => format!("Issued {i}, expires {e}"),
                (Some(i), None) => format!("Issued {i}, does not expire"),
                (None, Some(e)) => format!("Expires {e}"),
                (None, None) => "No dates recorded".into(),
            },
            current: c.is_current(today),
        })
        .collect();
    Ok(ProfilePage {
        chrome: Chrome::new(&signed_in, "/staff"),
        notice: notice_text(query.notice.as_deref()),
        id: id.to_string(),
        name: m.user.display_name.clone(),
        can_edit: m.can_edit,
        facts,
        certifications,
    }
    .into_response())
}

async fn profile_form(
    state: &AppState,
    signed_in: &SignedIn,
    id: UserId,
    input: &StaffProfileInput,
) -> Result<FormPage, AppError> {
    let member = state.app.staff_member(&signed_in.actor, id).await?;
    if !member.can_edit {
        return Err(AppError::Forbidden(
            "only the person's supervisor or an admin can change their qualifications".into(),
        ));
    }
    let mut fields = vec![
        Field::new("date", "recovery_start_date", "In recovery since")
            .value(input.recovery_start_date.as_deref())
            .hint("Private: seen only by them, their supervisor and admins. Blank if not shared."),
        Field::vocabulary::<Employment>("employment", "Employment", input.employment.as_deref())
            .required(),
        Field::new("number", "training_hours", "Training hours")
            .value(input.training_hours.as_deref())
            .required(),
    ];
    if policy::capabilities(&signed_in.actor).assign_supervisors {
        let mut supervisor = Field::new("select", "supervisor_id", "Supervisor");
        let selected = input.supervisor_id.clone().unwrap_or_default();
        supervisor.choices = std::iter::once(("".to_owned(), "No supervisor".to_owned()))
            .chain(
                state
                    .app
                    .supervisors(&signed_in.actor)
                    .await?
                    .into_iter()
                    .filter(|s| s.id != id)
                    .map(|s| (s.id.to_string(), s.display_name)),
            )
            .map(|(value, label)| Choice {
                selected: value == selected,
                value,
                label,
                hint: String::new(),
            })
            .collect();
        supervisor.value = selected;
        fields.push(supervisor);
    }
    Ok(FormPage::new(
        signed_in,
        format!("Qualifications of {}", member.user.display_name),
        format!("/staff/{id}/edit"),
        format!("/staff/{id}"),
        "Save",
        vec![Fieldset { legend: "Qualifications", fields }],
    ))
}

pub async fn edit_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<UserId>,
) -> Result<Response, PageError> {
    let member = state.app.staff_member(&signed_in.actor, id).await?;
    let input = StaffProfileInput {
        recovery_start_date: member.profile.recovery_start_date.map(|d| d.to_string()),
        employment: Some(member.profile.employment.code().into()),
        training_hours: Some(member.profile.training_hours.to_string()),
        supervisor_id: Some(member.user.supervisor_id.map(|s| s.to_string()).unwrap_or_default()),
    };
    Ok(profile_form(&state, &signed_in, id, &input).await?.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    PagePath(id): PagePath<UserId>,
    form: CsrfForm<StaffProfileInput>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    match state.app.update_staff_profile(&signed_in.actor, id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/staff/{id}?notice=saved")).into_response()),
        Err(AppError::Invalid(errors)) => {
            Ok(profile_form(&state, &signed_in, id, &form).await?.refused(&errors))
        }
        Err(other) => Err(other.into()),
    }
}

fn certification_page(signed_in: &SignedIn, id: UserId, input: &CertificationInput) -> FormPage {
    let fields = vec![
        Field::new("text", "name", "Certification")
            .value(input.name.as_deref())
            .required()
            .hint("As on the certificate, e.g. Certified Peer Recovery Specialist."),
        Field::new("date", "issued_on", "Issued on").value(input.issued_on.as_deref()),
        Field::new("date", "expires_on", "Expires on")
            .value(input.expires_on.as_deref())
            .hint("Blank if it does not expire."),
    ];
    FormPage::new(
        signed_in,
        "Record a certification",
        format!("/staff/{id}/certifications/new"),
        format!("/staff/{id}"),
        "Record certification",
        vec![Fieldset { legend: "Certification", fields }],
    )
}

pub async fn new_certification_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<UserId>,
) -> Result<Response, PageError> {
    let member = state.app.staff_member(&signed_in.actor, id).await?;
    if !member.can_edit {
        return Err(AppError::Forbidden(
            "only the person's supervisor or an admin can record certifications".into(),
        )
        .into());
    }
    Ok(certification_page(&signed_in, id, &CertificationInput::default()).into_response())
}

pub async fn add_certification(
    State(state): State<AppState>,
    PagePath(id): PagePath<UserId>,
    form: CsrfForm<CertificationInput>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    match state.app.add_certification(&signed_in.actor, id, &form).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/staff/{id}?notice=certification-recorded")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            Ok(certification_page(&signed_in, id, &form).refused(&errors))
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn remove_certification(
    State(state): State<AppState>,
    PagePath((id, certification)): PagePath<(UserId, CertificationId)>,
    form: CsrfForm<EmptyForm>,
) -> Result<Response, PageError> {
    state.app.remove_certification(&form.signed_in.actor, id, certification).await?;
    Ok(Redirect::to(&format!("/staff/{id}?notice=certification-removed")).into_response())
}
