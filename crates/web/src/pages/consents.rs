//! Recording and revoking consents. Revoking works in place with htmx (the consent list is
//! replaced) and as a plain form post without it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::AppError;
use kindred_app::policy::ParticipantAction;
use kindred_domain::consent::{Consent, ConsentInput, ConsentStatus};
use kindred_domain::ids::{ConsentId, ParticipantId};
use kindred_domain::vocabulary::Vocabulary;
use serde::Deserialize;
use time::Date;

use super::Chrome;
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, PagePath, SignedIn, is_htmx};
use crate::forms::{Fieldset, SummaryItem, attach_errors, consent_fieldsets};

/// The consents list on a participant's page.
#[derive(Template, WebTemplate)]
#[template(path = "_consents.html")]
pub struct ConsentsSection {
    participant_id: String,
    csrf_token: String,
    rows: Vec<ConsentRow>,
    notice: Option<&'static str>,
}

struct ConsentRow {
    id: String,
    recipient: String,
    purpose: &'static str,
    items: String,
    period: String,
    status_code: &'static str,
    status_label: &'static str,
    revocable: bool,
    revocation: Option<String>,
}

pub fn consents_section(
    participant: ParticipantId,
    consents: Vec<Consent>,
    csrf_token: &str,
    today: Date,
) -> ConsentsSection {
    let rows = consents
        .into_iter()
        .map(|c| {
            let status = c.status(today);
            let items: Vec<&str> = c.terms.disclose.iter().map(|d| d.label()).collect();
            ConsentRow {
                id: c.id.to_string(),
                purpose: c.terms.purpose.label(),
                items: items.join(", "),
                period: format!("{} to {}", c.terms.signed_on, c.terms.expires_on),
                status_code: match status {
                    ConsentStatus::Active => "active",
                    ConsentStatus::Expired => "expired",
                    ConsentStatus::Revoked => "revoked",
                },
                status_label: status.label(),
                revocable: status != ConsentStatus::Revoked,
                revocation: c.revocation.map(|r| match r.reason {
                    Some(reason) => format!("Revoked on {}: {reason}", r.at.date()),
                    None => format!("Revoked on {}", r.at.date()),
                }),
                recipient: c.terms.recipient,
            }
        })
        .collect();
    ConsentsSection {
        participant_id: participant.to_string(),
        csrf_token: csrf_token.to_owned(),
        rows,
        notice: None,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "consent_form.html")]
struct ConsentForm {
    chrome: Option<Chrome>,
    participant_id: String,
    participant_name: String,
    fieldsets: Vec<Fieldset>,
    summary: Vec<SummaryItem>,
}

async fn participant_name(
    state: &AppState,
    signed_in: &SignedIn,
    id: ParticipantId,
) -> Result<String, AppError> {
    let record =
        state.app.participant_for(&signed_in.actor, id, ParticipantAction::Consents).await?;
    Ok(record.participant.identity.display_name())
}

pub async fn new_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ParticipantId>,
) -> Result<Response, PageError> {
    let name = participant_name(&state, &signed_in, id).await?;
    let today = state.app.clock().today().to_string();
    Ok(ConsentForm {
        chrome: Chrome::new(&signed_in, ""),
        participant_id: id.to_string(),
        participant_name: name,
        fieldsets: consent_fieldsets(&ConsentInput::default(), &today),
        summary: Vec::new(),
    }
    .into_response())
}

pub async fn record(
    State(state): State<AppState>,
    PagePath(id): PagePath<ParticipantId>,
    form: CsrfForm<ConsentInput>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    match state.app.record_consent(&signed_in.actor, id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/participants/{id}?notice=consent-recorded#consents"))
            .into_response()),
        Err(AppError::Invalid(errors)) => {
            let name = participant_name(&state, &signed_in, id).await?;
            let today = state.app.clock().today().to_string();
            let mut fieldsets = consent_fieldsets(&form, &today);
            let summary = attach_errors(&mut fieldsets, &errors);
            let page = ConsentForm {
                chrome: Chrome::new(&signed_in, ""),
                participant_id: id.to_string(),
                participant_name: name,
                fieldsets,
                summary,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    reason: Option<String>,
}

pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath((id, consent)): PagePath<(ParticipantId, ConsentId)>,
    form: CsrfForm<RevokeForm>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    let actor = &signed_in.actor;
    state.app.revoke_consent(actor, id, consent, form.reason.as_deref()).await?;
    if is_htmx(&headers) {
        let consents = state.app.consents(actor, id).await?;
        let mut section =
            consents_section(id, consents, &signed_in.csrf_token, state.app.clock().today());
        section.notice = Some("Consent revoked.");
        return Ok(section.into_response());
    }
    Ok(Redirect::to(&format!("/participants/{id}?notice=consent-revoked#consents")).into_response())
}
