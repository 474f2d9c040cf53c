//! Referrals on a participant's page, the referral form (with its explicit choice of what to
//! share), moving a referral along its loop, and the open referrals to follow up.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::AppError;
use kindred_app::policy;
use kindred_app::policy::ParticipantAction;
use kindred_app::referrals::Referral;
use kindred_app::resources::ResourceFilter;
use kindred_domain::FieldErrors;
use kindred_domain::consent::ConsentStatus;
use kindred_domain::ids::{ParticipantId, ReferralId};
use kindred_domain::referral::{ReferralInput, ReferralStatusInput, next_statuses};
use kindred_domain::vocabulary::{ConsentPurpose, DisclosureItem, Vocabulary};
use serde::Deserialize;

use super::{Chrome, count_words};
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, PagePath, SignedIn};
use crate::forms::{Choice, Field, Fieldset, SummaryItem, attach_errors};

/// The "Referrals" section.
#[derive(Template, WebTemplate)]
#[template(path = "_referrals.html")]
pub struct ReferralsSection {
    participant_id: String,
    csrf_token: String,
    can_edit: bool,
    referrals: Vec<ReferralCard>,
}

struct ReferralCard {
    id: String,
    title: String,
    status_code: &'static str,
    status_label: &'static str,
    made: String,
    shared: String,
    note: Option<String>,
    next: Vec<(&'static str, &'static str)>,
    history: Vec<String>,
}

fn card(r: &Referral) -> ReferralCard {
    ReferralCard {
        id: r.id.to_string(),
        title: format!("{} — {}", r.service_name, r.organisation_name),
        status_code: r.status.code(),
        status_label: r.status.label(),
        made: format!("Made {} by {}", r.made_on, r.made_by_name),
        shared: match &r.sharing {
            None => "Nothing shared: the participant takes the details themselves".into(),
            Some(s) => {
                let items: Vec<&str> = s.items.iter().map(|i| i.label()).collect();
                format!("Shared: {} (under their signed consent)", items.join(", "))
            }
        },
        note: r.note.clone(),
        next: next_statuses(r.status).iter().map(|s| (s.code(), s.label())).collect(),
        history: r
            .events
            .iter()
            .map(|e| {
                let mut line = format!(
                    "{} · {} · {}",
                    e.changed_at.date(),
                    e.status.label(),
                    e.changed_by_name
                );
                if let Some(note) = &e.note {
                    line.push_str(&format!(": {note}"));
                }
                line
            })
            .collect(),
    }
}

pub fn referrals_section(
    participant: ParticipantId,
    referrals: &[Referral],
    csrf_token: &str,
    can_edit: bool,
) -> ReferralsSection {
    ReferralsSection {
        participant_id: participant.to_string(),
        csrf_token: csrf_token.to_owned(),
        can_edit,
        referrals: referrals.iter().map(card).collect(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "referral_form.html")]
struct ReferralForm {
    chrome: Option<Chrome>,
    participant_id: String,
    participant_name: String,
    q: String,
    /// The consents that allow sharing for referral today, in words.
    consents: Vec<String>,
    fieldsets: Vec<Fieldset>,
    summary: Vec<SummaryItem>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ReferralFormParams {
    q: Option<String>,
}

async fn referral_page(
    state: &AppState,
    signed_in: &SignedIn,
    id: ParticipantId,
    q: Option<String>,
    input: &ReferralInput,
    errors: &FieldErrors,
) -> Result<ReferralForm, AppError> {
    let actor = &signed_in.actor;
    let record = state.app.participant_for(actor, id, ParticipantAction::RecordWork).await?;
    let name = record.participant.identity.display_name();
    let today = state.app.clock().today();
    let consents = state
        .app
        .consents(actor, id)
        .await?
        .into_iter()
        .filter(|c| {
            c.terms.purpose == ConsentPurpose::Referral && c.status(today) == ConsentStatus::Active
        })
        .map(|c| {
            let items: Vec<&str> = c.terms.disclose.iter().map(|i| i.label()).collect();
            format!("{}: {} (until {})", c.terms.recipient, items.join(", "), c.terms.expires_on)
        })
        .collect();
    let filter = ResourceFilter { search: q.clone(), page: 1, ..Default::default() };
    let resources =
        state.app.resources(&policy::directory_reader(actor)?, &filter).await?.resources;
    let mut resource = Field::new("select", "resource_id", "Service").required();
    resource.choices = resources
        .iter()
        .map(|r| Choice {
            value: r.id.to_string(),
            label: r.label(),
            hint: String::new(),
            selected: input.resource_id.as_deref() == Some(r.id.to_string().as_str()),
        })
        .collect();
    resource.value = input.resource_id.clone().unwrap_or_default();
    resource = resource
        .with_blank("Choose a service")
        .hint("Search the directory above to narrow the list.");
    let mut share = Field::new("checkboxes", "share", "Share with the service (optional)").hint(
        "Only what a current consent naming this service's organisation, for referral, allows. \
         Tick nothing if the participant takes the details themselves.",
    );
    share.choices = DisclosureItem::ALL
        .iter()
        .map(|item| Choice {
            value: item.code().to_owned(),
            label: item.label().to_owned(),
            hint: item.description().to_owned(),
            selected: input.share.iter().any(|c| c == item.code()),
        })
        .collect();
    let today = today.to_string();
    let mut fieldsets = vec![Fieldset {
        legend: "Referral",
        fields: vec![
            resource,
            share,
            Field::new("date", "made_on", "Made on")
                .value(input.made_on.as_deref().or(Some(&today))),
            Field::new("textarea", "note", "Note").value(input.note.as_deref()),
        ],
    }];
    let summary = attach_errors(&mut fieldsets, errors);
    Ok(ReferralForm {
        chrome: Chrome::new(signed_in, ""),
        participant_id: id.to_string(),
        participant_name: name,
        q: q.unwrap_or_default(),
        consents,
        fieldsets,
        summary,
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ParticipantId>,
    Query(params): Query<ReferralFormParams>,
) -> Result<Response, PageError> {
    let page = referral_page(
        &state,
        &signed_in,
        id,
        params.q,
        &ReferralInput::default(),
        &FieldErrors::new(),
    )
    .await?;
    Ok(page.into_response())
}

pub async fn make(
    State(state): State<AppState>,
    PagePath(id): PagePath<ParticipantId>,
    form: CsrfForm<ReferralInput>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    match state.app.make_referral(&signed_in.actor, id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/participants/{id}?notice=referral-made#referrals"))
            .into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = referral_page(&state, &signed_in, id, None, &form, &errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn change_status(
    State(state): State<AppState>,
    PagePath((id, referral)): PagePath<(ParticipantId, ReferralId)>,
    form: CsrfForm<ReferralStatusInput>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    state.app.move_referral(&signed_in.actor, id, referral, &form).await?;
    Ok(Redirect::to(&format!("/participants/{id}?notice=referral-updated#referral-{referral}"))
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "referrals.html")]
struct FollowUpPage {
    chrome: Option<Chrome>,
    rows: Vec<FollowUpRow>,
    /// "12", or "500+" past the count's cap.
    count: String,
    page: i64,
    page_count: i64,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
pub struct FollowUpParams {
    page: Option<i64>,
}

struct FollowUpRow {
    href: String,
    participant: String,
    title: String,
    status_code: &'static str,
    status_label: &'static str,
    since: String,
}

/// Open referrals to follow up, the longest untouched first.
pub async fn follow_ups(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(params): Query<FollowUpParams>,
) -> Result<Response, PageError> {
    let open = state.app.referral_follow_ups(&signed_in.actor, params.page.unwrap_or(1)).await?;
    let rows = open
        .referrals
        .iter()
        .map(|f| {
            let r = &f.referral;
            FollowUpRow {
                href: format!("/participants/{}#referral-{}", r.participant_id, r.id),
                participant: format!("{} ({})", f.participant_name, f.participant_reference),
                title: format!("{} — {}", r.service_name, r.organisation_name),
                status_code: r.status.code(),
                status_label: r.status.label(),
                since: format!("Made {}, last changed {}", r.made_on, r.updated_at.date()),
            }
        })
        .collect();
    let paged = open.paged;
    let link = |n: i64| format!("/referrals?page={n}");
    Ok(FollowUpPage {
        chrome: Chrome::new(&signed_in, "/referrals"),
        rows,
        count: count_words(&paged),
        page: paged.page,
        page_count: paged.page_count,
        previous: (paged.page > 1).then(|| link(paged.page - 1)),
        next: (paged.page < paged.page_count).then(|| link(paged.page + 1)),
    }
    .into_response())
}
