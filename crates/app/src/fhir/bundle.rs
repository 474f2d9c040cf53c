//! Assembling a `collection` Bundle from participants' records, and the tally of what it holds.

use std::collections::BTreeMap;

use kindred_domain::assessment::{Assessment, AssessmentStatus};
use kindred_domain::consent::Consent;
use kindred_domain::contact::Contact;
use kindred_domain::ids::OrgId;
use kindred_domain::instruments::definition::InstrumentDefinition;
use kindred_domain::participant::Participant;
use kindred_domain::vocabulary::DisclosureItem;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::{identity, urn, work};
use crate::referrals::Referral;

/// One participant's record as loaded for an export, with the consent relied on and the items
/// it lets out.
#[derive(Debug, Clone)]
pub(crate) struct ParticipantRecord {
    pub participant: Participant,
    pub consent: Consent,
    pub items: Vec<DisclosureItem>,
    pub contacts: Vec<Contact>,
    /// Each with the definition it is a response to.
    pub assessments: Vec<(Assessment, InstrumentDefinition)>,
    pub referrals: Vec<Referral>,
}

impl ParticipantRecord {
    pub fn allows(&self, item: DisclosureItem) -> bool {
        self.items.contains(&item)
    }
}

/// One entry: its resource and the id its `fullUrl` is made of.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    id: Uuid,
    resource: Value,
}

impl Entry {
    fn new(id: Uuid, resource: Value) -> Self {
        Self { id, resource }
    }

    fn resource_type(&self) -> &str {
        self.resource["resourceType"].as_str().unwrap_or_default()
    }
}

/// The entries for one participant. The consent's items decide what goes in, whatever was
/// loaded: the `Patient` (identified only with contact details) and the `Consent` always,
/// then encounters, completed assessments and referrals as allowed.
pub(crate) fn participant_entries(
    org_id: OrgId,
    record: &ParticipantRecord,
) -> Result<Vec<Entry>, String> {
    use DisclosureItem::{Assessments, ContactDetails, Participation, Referrals};
    let participant = &record.participant;
    let mut entries = vec![
        Entry::new(
            participant.id.0,
            identity::patient(org_id, participant, record.allows(ContactDetails)),
        ),
        Entry::new(record.consent.id.0, identity::consent(&record.consent, &record.items)),
    ];
    if record.allows(Participation) {
        entries.extend(record.contacts.iter().map(|c| Entry::new(c.id.0, work::encounter(c))));
    }
    if record.allows(Assessments) {
        for (assessment, definition) in &record.assessments {
            if assessment.status == AssessmentStatus::Completed {
                let response = work::questionnaire_response(assessment, definition)?;
                entries.push(Entry::new(assessment.id.0, response));
            }
        }
    }
    if record.allows(Referrals) {
        for referral in &record.referrals {
            // A task has no record of its own: a fresh id, per export.
            let task_id = Uuid::now_v7();
            let [request, task] = work::referral(referral, task_id);
            entries.push(Entry::new(referral.id.0, request));
            entries.push(Entry::new(task_id, task));
        }
    }
    Ok(entries)
}

/// Resources by type (`Encounter` → 12), for the response and the audit event.
pub fn tally(entries: &[Entry]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for entry in entries {
        *counts.entry(entry.resource_type().to_owned()).or_insert(0) += 1;
    }
    counts
}

/// "1 Consent, 12 Encounter, 1 Patient".
pub(crate) fn describe(tally: &BTreeMap<String, usize>) -> String {
    let parts: Vec<String> = tally.iter().map(|(kind, n)| format!("{n} {kind}")).collect();
    if parts.is_empty() { "nothing".into() } else { parts.join(", ") }
}

/// The `collection` Bundle of `entries`, made at `now`. A note about participants left out
/// goes in as an `OperationOutcome` (issue `suppressed`: withheld for want of consent), so the
/// file itself says it is not the whole program.
pub(crate) fn bundle(
    mut entries: Vec<Entry>,
    left_out: Option<String>,
    now: OffsetDateTime,
) -> Value {
    if let Some(note) = left_out {
        let id = Uuid::now_v7();
        entries.push(Entry::new(
            id,
            json!({
                "resourceType": "OperationOutcome",
                "id": id.to_string(),
                "issue": [{"severity": "information", "code": "suppressed", "diagnostics": note}],
            }),
        ));
    }
    let entries: Vec<Value> = entries
        .into_iter()
        .map(|e| json!({"fullUrl": urn(e.id), "resource": e.resource}))
        .collect();
    let mut bundle = json!({
        "resourceType": "Bundle",
        "id": Uuid::now_v7().to_string(),
        "type": "collection",
        // Formatting the clock's time only fails for years outside 0–9999.
        "timestamp": now.format(&Rfc3339).unwrap_or_default(),
    });
    // FHIR JSON has no empty arrays: a bundle of no one has no `entry` at all.
    if !entries.is_empty() {
        bundle["entry"] = Value::from(entries);
    }
    bundle
}
