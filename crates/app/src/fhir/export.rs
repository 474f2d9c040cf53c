//! The export use cases: one participant's bundle (for whoever may see their work) and a
//! program's (for managers). Each loads only what the consent relied on lets out, builds the
//! bundle with [`super::bundle`], and audits the export with what it held.

use std::collections::{BTreeMap, HashSet};

use kindred_domain::FieldErrors;
use kindred_domain::audit::AuditAction;
use kindred_domain::fields::required_text;
use kindred_domain::ids::{ParticipantId, ProgramId};
use kindred_domain::instruments::definition::InstrumentDefinition;
use kindred_domain::vocabulary::{ConsentPurpose, DisclosureItem, Vocabulary};
use kindred_storage::{ContactQuery, Grant, SeeWork, Session};
use serde_json::Value;
use time::Date;

use super::basis::consent_relied_on;
use super::bundle::{ParticipantRecord, bundle, describe, participant_entries, tally};
use crate::assessments::definition;
use crate::audit::entry;
use crate::policy::ProgramExporter;
use crate::referrals::Referral;
use crate::{Actor, App, AppError, Result};

const RECORD: &str = "fhir_bundle";
/// Contacts are read a page at a time, however many a participant has.
const CONTACT_PAGE: i64 = 500;

/// Who a bundle is for and why, as asked (query parameters or command-line flags).
#[derive(Debug, Clone, Default)]
pub struct FhirRequestInput {
    /// The recipient, as the consent names them.
    pub recipient: Option<String>,
    /// A consent-purpose code.
    pub purpose: Option<String>,
}

/// Who a bundle is for and why, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FhirRequest {
    pub recipient: String,
    pub purpose: ConsentPurpose,
}

impl FhirRequest {
    pub fn parse(input: &FhirRequestInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let recipient = errors.check("recipient", required_text(input.recipient.as_deref(), 200));
        let purpose = errors.check(
            "purpose",
            match input.purpose.as_deref().map(str::trim) {
                None | Some("") => Err("is required".to_string()),
                Some(code) => ConsentPurpose::parse(code),
            },
        );
        errors.into_result(|| Some(FhirRequest { recipient: recipient?, purpose: purpose? }))
    }

    /// "Harbor Clinic for treatment".
    fn describe(&self) -> String {
        format!("{} for {}", self.recipient, self.purpose.label().to_lowercase())
    }
}

/// A FHIR R4 Bundle and what it holds.
#[derive(Debug, Clone)]
pub struct FhirBundle {
    /// The `Bundle` resource (`application/fhir+json`).
    pub bundle: Value,
    /// Resources by type, the participants' own (not the note of who was left out).
    pub resources: BTreeMap<String, usize>,
    /// Participants in the bundle.
    pub participants: usize,
    /// Participants of the program left out for want of a consent to this recipient and
    /// purpose (always 0 for one participant, who is refused instead).
    pub left_out: usize,
}

impl App {
    /// One participant's record as a FHIR R4 Bundle for the recipient and purpose asked, as
    /// far as their consent lets it out. Refused, saying what is missing, unless a current
    /// consent names that recipient and purpose.
    pub async fn participant_fhir(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        input: &FhirRequestInput,
    ) -> Result<FhirBundle> {
        let mut session = actor.tenant().read().await?;
        let grant = self.authorise::<SeeWork, _>(&mut session, actor, participant).await?;
        let request = FhirRequest::parse(input)?;
        let today = self.clock().today();
        let mut definitions = BTreeMap::new();
        let loaded = load(&mut session, &grant, &request, today, &mut definitions).await?;
        drop(session);
        let reference = grant.facts().reference();
        let record = loaded.map_err(|reason| {
            AppError::NoConsent(format!(
                "{reference}'s record cannot be exported to {}: {reason}",
                request.describe()
            ))
        })?;
        let entries = participant_entries(actor.org_id(), &record).map_err(internal)?;
        let resources = tally(&entries);
        // The recipient as the consent relied on names them, however the request spelled it.
        let detail = format!(
            "{reference}: FHIR bundle to {} for {} under consent {}: {}",
            record.consent.terms.recipient,
            request.purpose.label().to_lowercase(),
            record.consent.id,
            describe(&resources)
        );
        self.audit_read(
            actor,
            entry(actor, AuditAction::Export, RECORD, Some(participant.to_string()), detail),
        )
        .await?;
        let bundle = bundle(entries, None, self.clock().now());
        Ok(FhirBundle { bundle, resources, participants: 1, left_out: 0 })
    }

    /// Every consenting participant of a program as one FHIR R4 Bundle for the recipient and
    /// purpose asked. Participants without a current consent naming both are left out; the
    /// bundle, the answer and the audit event say how many.
    pub async fn program_fhir(
        &self,
        exporter: &ProgramExporter<'_>,
        program: ProgramId,
        input: &FhirRequestInput,
    ) -> Result<FhirBundle> {
        let actor = exporter.actor();
        let mut session = actor.tenant().read().await?;
        let program = session.program(program).await?.ok_or(AppError::NotFound)?;
        let request = FhirRequest::parse(input)?;
        let today = self.clock().today();
        let mut definitions = BTreeMap::new();
        let (mut records, mut left_out) = (Vec::new(), Vec::new());
        for facts in session.participant_facts_in_program(program.id).await? {
            let grant = self.policy.grant::<SeeWork>(actor, &facts)?;
            match load(&mut session, &grant, &request, today, &mut definitions).await? {
                Ok(record) => records.push(record),
                Err(_) => left_out.push(facts.reference().to_owned()),
            }
        }
        drop(session);
        let mut entries = Vec::new();
        for record in &records {
            entries.extend(participant_entries(actor.org_id(), record).map_err(internal)?);
        }
        let resources = tally(&entries);
        let included: Vec<&str> =
            records.iter().map(|r| r.participant.reference.as_str()).collect();
        let detail = format!(
            "program {}: FHIR bundle to {}: {} participants ({}); {} left out without consent ({}); {}",
            program.name,
            request.describe(),
            included.len(),
            included.join(" "),
            left_out.len(),
            left_out.join(" "),
            describe(&resources)
        );
        self.audit_read(
            actor,
            entry(actor, AuditAction::Export, RECORD, Some(program.id.to_string()), detail),
        )
        .await?;
        let note = (!left_out.is_empty()).then(|| {
            format!(
                "{} of the program's {} participants left out: no current consent to disclose to {}",
                left_out.len(),
                records.len() + left_out.len(),
                request.describe()
            )
        });
        let bundle = bundle(entries, note, self.clock().now());
        Ok(FhirBundle { bundle, resources, participants: records.len(), left_out: left_out.len() })
    }
}

/// The participant's record for `request`, read only as far as the consent relied on lets it
/// out; or why no consent does. `definitions` keeps the instruments already read.
async fn load<M>(
    session: &mut Session<M>,
    grant: &Grant<SeeWork>,
    request: &FhirRequest,
    today: Date,
    definitions: &mut BTreeMap<String, InstrumentDefinition>,
) -> Result<std::result::Result<ParticipantRecord, String>> {
    let consents = session.consents(grant).await?;
    let basis = match consent_relied_on(&consents, &request.recipient, request.purpose, today) {
        Ok(basis) => basis,
        Err(reason) => return Ok(Err(reason)),
    };
    let (consent, items) = (basis.consent.clone(), basis.items());
    let participant = session.participant(grant).await?.participant;
    let mut record = ParticipantRecord {
        participant,
        consent,
        items,
        contacts: Vec::new(),
        assessments: Vec::new(),
        referrals: Vec::new(),
    };
    if record.allows(DisclosureItem::Participation) {
        let mut query = ContactQuery { coach: None, limit: CONTACT_PAGE, offset: 0 };
        // The pages are not one snapshot: a contact logged meanwhile shifts the next page by
        // one, and a contact seen twice would be two entries with one `fullUrl`.
        let mut seen = HashSet::new();
        loop {
            let page = session.contacts_of(grant, &query).await?.contacts;
            let last = (page.len() as i64) < CONTACT_PAGE;
            record.contacts.extend(page.into_iter().filter(|c| seen.insert(c.id)));
            if last {
                break;
            }
            query.offset += CONTACT_PAGE;
        }
        // Oldest first, as a record reads.
        record.contacts.sort_by_key(|c| (c.fields.occurred_at, c.id));
    }
    if record.allows(DisclosureItem::Assessments) {
        for assessment in session.assessments_of_participant(grant).await? {
            let code = &assessment.instrument_code;
            if !definitions.contains_key(code) {
                let found = definition(session, code).await?.ok_or_else(|| {
                    internal(format!(
                        "instrument {code} of assessment {} is not defined",
                        assessment.id
                    ))
                })?;
                definitions.insert(code.clone(), found);
            }
            if let Some(found) = definitions.get(code) {
                record.assessments.push((assessment, found.clone()));
            }
        }
    }
    if record.allows(DisclosureItem::Referrals) {
        let mut referrals: Vec<Referral> =
            session.referrals_of(grant).await?.into_iter().map(Referral::from).collect();
        referrals.reverse();
        record.referrals = referrals;
    }
    Ok(Ok(record))
}

fn internal(message: String) -> AppError {
    AppError::Internal(message.into())
}
