//! The work recorded with the participant: contacts as `Encounter`s, completed assessments as
//! `QuestionnaireResponse`s, and referrals as a `ServiceRequest` with the `Task` that follows
//! its closed loop. Notes are free text and never leave.

use kindred_domain::assessment::Assessment;
use kindred_domain::contact::Contact;
use kindred_domain::instruments::definition::InstrumentDefinition;
use kindred_domain::instruments::fhir::{ResponseMeta, canonical_url, response_to_fhir};
use kindred_domain::vocabulary::{ContactMode, ReferralStatus};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, UtcOffset};
use uuid::Uuid;

use super::{concept, reference, urn};
use crate::referrals::Referral;

/// HL7 v3 ActCode: the classes of encounter R4 binds `Encounter.class` to.
const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
const UCUM: &str = "http://unitsofmeasure.org";

/// RFC 3339, which every FHIR `dateTime` and `instant` accepts. Formatting a stored time only
/// fails for years outside 0–9999.
fn date_time(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// A contact as a finished `Encounter`: in person is ambulatory (care outside a hospital
/// stay), by phone, video or text virtual; how, in what format, the kinds of support and the
/// activities are its types, in Kindred's vocabularies. The coach's name and the note stay out.
pub(crate) fn encounter(contact: &Contact) -> Value {
    let fields = &contact.fields;
    let class = match fields.mode {
        ContactMode::InPerson => {
            json!({"system": ACT_CODE, "code": "AMB", "display": "ambulatory"})
        }
        ContactMode::Phone | ContactMode::Video | ContactMode::Text => {
            json!({"system": ACT_CODE, "code": "VR", "display": "virtual"})
        }
    };
    let mut types = vec![concept(fields.mode), concept(fields.format)];
    types.extend(fields.support_kinds.iter().copied().map(concept));
    types.extend(fields.activities.iter().copied().map(concept));
    let ended = fields.occurred_at + Duration::minutes(i64::from(fields.minutes));
    json!({
        "resourceType": "Encounter",
        "id": contact.id.to_string(),
        "status": "finished",
        "class": class,
        "type": types,
        "subject": reference(contact.participant_id.0),
        "period": {"start": date_time(fields.occurred_at), "end": date_time(ended)},
        "length": {"value": fields.minutes, "unit": "min", "system": UCUM, "code": "min"},
    })
}

/// A completed assessment as a `QuestionnaireResponse` of Kindred's questionnaire for the
/// instrument (see `kindred_domain::instruments::fhir`), about the bundle's `Patient`. The
/// caller passes completed assessments only.
pub(crate) fn questionnaire_response(
    assessment: &Assessment,
    definition: &InstrumentDefinition,
) -> Result<Value, String> {
    // The day it was given, at the time of day it was entered (as the single export does).
    let authored = OffsetDateTime::new_in_offset(
        assessment.administered_on,
        assessment.created_at.to_offset(UtcOffset::UTC).time(),
        UtcOffset::UTC,
    );
    let meta = ResponseMeta::new(&urn(assessment.participant_id.0), authored)?;
    let mut response = response_to_fhir(definition, &assessment.answers, &meta);
    response["id"] = json!(assessment.id.to_string());
    // Only completed assessments are exported: completed and scored, even with the items its
    // scoring rules let go unanswered (which the single export would call `in-progress`).
    response["status"] = json!("completed");
    // The version it was given in, which a later version of the instrument does not change.
    response["questionnaire"] = json!(format!(
        "{}|{}",
        canonical_url(&assessment.instrument_code),
        assessment.instrument_version
    ));
    Ok(response)
}

/// `ServiceRequest.status` for a referral: open while sent or accepted, completed once the
/// participant went or did not, revoked when declined.
fn request_status(status: ReferralStatus) -> &'static str {
    match status {
        ReferralStatus::Sent | ReferralStatus::Accepted => "active",
        ReferralStatus::Attended | ReferralStatus::NotAttended => "completed",
        ReferralStatus::Declined => "revoked",
    }
}

/// `Task.status` for the step the referral's loop is at.
fn task_status(status: ReferralStatus) -> &'static str {
    match status {
        ReferralStatus::Sent => "requested",
        ReferralStatus::Accepted => "accepted",
        ReferralStatus::Attended => "completed",
        ReferralStatus::NotAttended => "failed",
        ReferralStatus::Declined => "rejected",
    }
}

/// A referral as the `ServiceRequest` (the order to the service's organisation) and the `Task`
/// that tracks it round the loop (`businessStatus` keeps Kindred's own step). The task's id is
/// `task_id`: it has no record of its own. The referral's and its steps' notes stay out.
pub(crate) fn referral(referral: &Referral, task_id: Uuid) -> [Value; 2] {
    let subject = reference(referral.participant_id.0);
    let made_on = referral.made_on.to_string();
    let organisation = json!({"display": referral.organisation_name});
    let service_request = json!({
        "resourceType": "ServiceRequest",
        "id": referral.id.to_string(),
        "status": request_status(referral.status),
        "intent": "order",
        "code": {"text": referral.service_name},
        "subject": subject,
        "authoredOn": made_on,
        "performer": [organisation],
    });
    let closed = !matches!(referral.status, ReferralStatus::Sent | ReferralStatus::Accepted);
    let mut period = json!({"start": made_on});
    if let Some(last) = referral.events.last().filter(|_| closed) {
        period["end"] = json!(date_time(last.changed_at));
    }
    let task = json!({
        "resourceType": "Task",
        "id": task_id.to_string(),
        "basedOn": [reference(referral.id.0)],
        "status": task_status(referral.status),
        "businessStatus": concept(referral.status),
        "intent": "order",
        "focus": reference(referral.id.0),
        "for": subject,
        "executionPeriod": period,
        "authoredOn": made_on,
        "lastModified": date_time(referral.updated_at),
        "owner": organisation,
    });
    [service_request, task]
}
