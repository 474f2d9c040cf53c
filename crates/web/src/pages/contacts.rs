//! Contacts on the pages: the one-screen form to log one (from the participant page and the
//! caseload), a contact's page with its edit history, the edit form, the participant page's
//! section and the `/contacts` list (a coach's own; a supervisor's, filtered by coach).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::AppError;
use kindred_app::contacts::{ContactFilter, ContactPage};
use kindred_domain::contact::{Contact, ContactInput, DEFAULT_MINUTES, moment_input};
use kindred_domain::ids::{ContactId, ParticipantId, UserId};
use kindred_domain::tasks::Task;
use kindred_domain::vocabulary::{
    Activity, ContactFormat, ContactMode, Setting, SupportKind, Vocabulary,
};
use serde::Deserialize;

use super::Chrome;
use super::form_page::FormPage;
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, PagePath, SignedIn};
use crate::forms::{Choice, Field, Fieldset, select_from};

/// The form as a browser sends it: checkbox groups repeat their name.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    occurred_at: Option<String>,
    minutes: Option<String>,
    mode: Option<String>,
    format: Option<String>,
    support_kinds: Vec<String>,
    activities: Vec<String>,
    task_id: Option<String>,
    setting: Option<String>,
    component: Option<String>,
    note: Option<String>,
    next_follow_up_on: Option<String>,
}

impl ContactForm {
    /// As use-case input: every field present, so unticking all activities clears them.
    fn into_input(self, participant: Option<ParticipantId>) -> ContactInput {
        ContactInput {
            participant_id: participant.map(|p| p.to_string()),
            occurred_at: self.occurred_at,
            minutes: self.minutes,
            mode: self.mode,
            format: self.format,
            support_kinds: Some(self.support_kinds),
            activities: Some(self.activities),
            task_id: self.task_id,
            setting: self.setting,
            component: self.component,
            note: self.note,
            next_follow_up_on: self.next_follow_up_on,
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

/// The fields of the form. `steps` are the protocol steps this contact may do (only on a
/// new contact); `components` the participant's program's (a select when there are any).
fn contact_fieldsets(
    input: &ContactInput,
    steps: Option<&[Task]>,
    components: &[String],
) -> Vec<Fieldset> {
    let none = Vec::new();
    let kinds = input.support_kinds.as_ref().unwrap_or(&none);
    let activities = input.activities.as_ref().unwrap_or(&none);
    let mut what = vec![
        checkboxes::<SupportKind>("support_kinds", "Kind of support", kinds)
            .required()
            .hint("One or more."),
        checkboxes::<Activity>("activities", "What you did", activities),
    ];
    if let Some(steps) = steps.filter(|s| !s.is_empty()) {
        let mut field = Field::new("select", "task_id", "Protocol step done")
            .hint("Due or overdue steps of this participant's program. Doing one closes it.");
        field.choices = std::iter::once(Choice {
            value: String::new(),
            label: "None".into(),
            hint: String::new(),
            selected: input.task_id.as_deref().unwrap_or_default().is_empty(),
        })
        .chain(steps.iter().map(|t| Choice {
            value: t.id.to_string(),
            label: format!("{} (due {})", t.title, t.due_on),
            hint: String::new(),
            selected: input.task_id.as_deref() == Some(t.id.to_string().as_str()),
        }))
        .collect();
        field.value = input.task_id.clone().unwrap_or_default();
        what.push(field);
    }
    if !components.is_empty() {
        let options = components.iter().map(|c| (c.clone(), c.clone())).collect();
        what.push(
            select_from("component", "Program component delivered", options, input.component.as_deref())
                .with_blank("None in particular")
                .hint("Which part of the program this contact was, so its effect can be told apart from the rest."),
        );
    }
    vec![
        Fieldset {
            legend: "When and how",
            fields: vec![
                Field::new("datetime-local", "occurred_at", "When")
                    .value(input.occurred_at.as_deref())
                    .required(),
                Field::new("number", "minutes", "Minutes")
                    .value(input.minutes.as_deref())
                    .required(),
                Field::vocabulary::<ContactMode>("mode", "Mode", input.mode.as_deref()).required(),
                Field::vocabulary::<ContactFormat>("format", "Format", input.format.as_deref()),
                Field::vocabulary::<Setting>("setting", "Setting", input.setting.as_deref())
                    .with_blank("Not in a particular setting"),
            ],
        },
        Fieldset { legend: "What happened", fields: what },
        Fieldset {
            legend: "Note and next step",
            fields: vec![
                Field::new("textarea", "note", "Short note").value(input.note.as_deref()).hint(
                    "Nonclinical, at most 280 characters: what was arranged, not how they are.",
                ),
                Field::new("date", "next_follow_up_on", "Next follow-up")
                    .value(input.next_follow_up_on.as_deref())
                    .hint("Makes a follow-up task for you on that day."),
            ],
        },
    ]
}

async fn new_page(
    state: &AppState,
    signed_in: &SignedIn,
    id: ParticipantId,
    input: &ContactInput,
) -> Result<FormPage, AppError> {
    let options = state.app.contact_options(&signed_in.actor, id).await?;
    let name = options.participant.participant.identity.display_name();
    Ok(FormPage::new(
        signed_in,
        "Log a contact",
        format!("/participants/{id}/contacts/new"),
        format!("/participants/{id}#contacts"),
        "Save contact",
        contact_fieldsets(input, Some(&options.steps), &options.components),
    )
    .lede(format!("With {name}.")))
}

pub async fn new_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ParticipantId>,
) -> Result<Response, PageError> {
    let input = ContactInput {
        occurred_at: Some(moment_input(state.app.clock().now())),
        minutes: Some(DEFAULT_MINUTES.to_string()),
        mode: Some(ContactMode::InPerson.code().into()),
        format: Some(ContactFormat::OneToOne.code().into()),
        ..Default::default()
    };
    Ok(new_page(&state, &signed_in, id, &input).await?.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    PagePath(id): PagePath<ParticipantId>,
    form: CsrfForm<ContactForm>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    let input = form.into_input(Some(id));
    match state.app.log_contact(&signed_in.actor, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/participants/{id}?notice=contact-logged#contacts"))
            .into_response()),
        Err(AppError::Invalid(errors)) => {
            Ok(new_page(&state, &signed_in, id, &input).await?.refused(&errors))
        }
        Err(other) => Err(other.into()),
    }
}

/// A contact as a card on a list.
struct ContactCard {
    href: String,
    title: String,
    meta: String,
    kinds: String,
    note: String,
}

fn card(c: &Contact, with_participant: bool) -> ContactCard {
    let f = &c.fields;
    let when = moment_input(f.occurred_at).replace('T', " ");
    let title = if with_participant { format!("{} · {when}", c.participant_name) } else { when };
    ContactCard {
        href: format!("/contacts/{}", c.id),
        title,
        meta: format!(
            "{} min · {} · {} · {}",
            f.minutes,
            f.mode.label(),
            f.format.label(),
            c.coach_name
        ),
        kinds: f.support_kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join(", "),
        note: f.note.clone().unwrap_or_default(),
    }
}

/// The "Contacts" section of the participant page: the newest page, and a link to the rest.
#[derive(Template, WebTemplate)]
#[template(path = "_contacts.html")]
pub struct ContactsSection {
    participant_id: String,
    cards: Vec<ContactCard>,
    total: i64,
    more: bool,
}

pub fn contacts_section(participant: ParticipantId, page: &ContactPage) -> ContactsSection {
    ContactsSection {
        participant_id: participant.to_string(),
        cards: page.contacts.iter().map(|c| card(c, false)).collect(),
        total: page.total,
        more: page.page_count > 1,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "contact.html")]
struct ContactView {
    chrome: Option<Chrome>,
    id: String,
    participant_id: String,
    heading: String,
    notice: Option<&'static str>,
    facts: Vec<(&'static str, String)>,
    revisions: Vec<RevisionView>,
}

struct RevisionView {
    heading: String,
    changes: Vec<(String, String, String)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct NoticeParams {
    notice: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ContactId>,
    Query(params): Query<NoticeParams>,
) -> Result<Response, PageError> {
    let contact = state.app.contact(&signed_in.actor, id).await?;
    let revisions = state.app.contact_revisions(&signed_in.actor, id).await?;
    let f = &contact.fields;
    let labels = |v: Vec<&'static str>| if v.is_empty() { "–".to_owned() } else { v.join(", ") };
    let mut facts = vec![
        ("When", moment_input(f.occurred_at).replace('T', " ")),
        ("Minutes", f.minutes.to_string()),
        ("Mode", f.mode.label().to_owned()),
        ("Format", f.format.label().to_owned()),
        ("Kind of support", labels(f.support_kinds.iter().map(|k| k.label()).collect())),
        ("What was done", labels(f.activities.iter().map(|a| a.label()).collect())),
        ("Setting", f.setting.map_or("–", |s| s.label()).to_owned()),
        ("Program component", f.component.clone().unwrap_or_else(|| "–".into())),
        ("Note", f.note.clone().unwrap_or_else(|| "–".into())),
        ("Next follow-up", f.next_follow_up_on.map_or("–".into(), |d| d.to_string())),
        ("Logged by", contact.coach_name.clone()),
    ];
    if contact.task_id.is_some() {
        facts.push(("Protocol step", "Done by this contact".into()));
    }
    let revisions = revisions
        .iter()
        .rev()
        .map(|r| RevisionView {
            heading: format!(
                "{} · {}",
                moment_input(r.changed_at).replace('T', " "),
                r.changed_by_name
            ),
            changes: r
                .changes
                .iter()
                .map(|c| (c.field.replace('_', " "), c.before.clone(), c.after.clone()))
                .collect(),
        })
        .collect();
    let notice = match params.notice.as_deref() {
        Some("contact-updated") => Some("Contact updated."),
        _ => None,
    };
    Ok(ContactView {
        chrome: Chrome::new(&signed_in, ""),
        id: id.to_string(),
        participant_id: contact.participant_id.to_string(),
        heading: format!("Contact with {}", contact.participant_name),
        notice,
        facts,
        revisions,
    }
    .into_response())
}

fn edit_page(signed_in: &SignedIn, contact: &Contact, input: &ContactInput) -> FormPage {
    FormPage::new(
        signed_in,
        "Edit a contact",
        format!("/contacts/{}/edit", contact.id),
        format!("/contacts/{}", contact.id),
        "Save changes",
        contact_fieldsets(input, None, &[]),
    )
    .lede(format!(
        "With {}. What you change is kept in the contact's history.",
        contact.participant_name
    ))
}

pub async fn edit_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ContactId>,
) -> Result<Response, PageError> {
    let contact = state.app.contact(&signed_in.actor, id).await?;
    let input = contact.fields.to_input();
    Ok(edit_page(&signed_in, &contact, &input).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    PagePath(id): PagePath<ContactId>,
    form: CsrfForm<ContactForm>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    let input = form.into_input(None);
    match state.app.update_contact(&signed_in.actor, id, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/contacts/{id}?notice=contact-updated")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let contact = state.app.contact(&signed_in.actor, id).await?;
            Ok(edit_page(&signed_in, &contact, &input).refused(&errors))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    coach_id: Option<String>,
    participant_id: Option<String>,
    page: Option<i64>,
    notice: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "contacts.html")]
struct ContactList {
    chrome: Option<Chrome>,
    title: String,
    notice: Option<&'static str>,
    /// (value, label, selected) of the coach filter; empty when there is nothing to choose.
    coaches: Vec<(String, String, bool)>,
    cards: Vec<ContactCard>,
    total: i64,
    page: i64,
    page_count: i64,
    /// The query string of the filter, for the paging links.
    filter_query: String,
}

/// `/contacts`: the coach's own contacts; a supervisor's or manager's, with a coach filter.
pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(params): Query<ListParams>,
) -> Result<Response, PageError> {
    let actor = &signed_in.actor;
    let coach: Option<UserId> = params.coach_id.as_deref().and_then(|s| s.parse().ok());
    let participant: Option<ParticipantId> =
        params.participant_id.as_deref().and_then(|s| s.parse().ok());
    let filter = ContactFilter { participant, coach, page: params.page.unwrap_or(1) };
    let page = state.app.contacts(actor, &filter).await?;
    let coaches = if page.coach_choices.is_empty() {
        Vec::new()
    } else {
        std::iter::once((String::new(), "All coaches".to_owned(), coach.is_none()))
            .chain(
                page.coach_choices
                    .iter()
                    .map(|(id, name)| (id.to_string(), name.clone(), Some(*id) == coach)),
            )
            .collect()
    };
    let mut filter_query = String::new();
    if let Some(coach) = coach {
        filter_query.push_str(&format!("coach_id={coach}&"));
    }
    if let Some(participant) = participant {
        filter_query.push_str(&format!("participant_id={participant}&"));
    }
    let title = match (participant, page.contacts.first()) {
        (Some(_), Some(first)) => format!("Contacts with {}", first.participant_name),
        _ => "Contacts".to_owned(),
    };
    Ok(ContactList {
        chrome: Chrome::new(&signed_in, "/contacts"),
        title,
        notice: (params.notice.as_deref() == Some("session-recorded"))
            .then_some("Group session recorded: each person who came has a contact."),
        coaches,
        cards: page.contacts.iter().map(|c| card(c, participant.is_none())).collect(),
        total: page.total,
        page: page.page,
        page_count: page.page_count,
        filter_query,
    }
    .into_response())
}
