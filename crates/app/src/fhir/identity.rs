//! Who the bundle is about and on what terms: the `Patient` and the `Consent` relied on.

use kindred_domain::consent::Consent;
use kindred_domain::ids::OrgId;
use kindred_domain::instruments::fhir::CANONICAL_BASE;
use kindred_domain::participant::Participant;
use kindred_domain::vocabulary::{ConsentPurpose, DisclosureItem};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use super::{coding, concept, reference};

/// LOINC 59284-0, "Consent Document": the category R4's own consent examples use.
const LOINC: &str = "http://loinc.org";
const CONSENT_DOCUMENT: &str = "59284-0";
/// R4's consent scopes: a consent to disclose is a privacy consent.
const CONSENT_SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
/// HL7 v3 participation type: IRCP, the information recipient.
const PARTICIPATION_TYPE: &str = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";

/// The system of an organisation's participant references (`P-0042` is unique only within
/// its organisation).
pub(crate) fn reference_system(org_id: OrgId) -> String {
    format!("{CANONICAL_BASE}/organisation/{org_id}/participant-reference")
}

/// The participant as a `Patient`: always the program's reference as an identifier, and the
/// name, phone, email and date of birth only when the consent lets contact details out.
pub(crate) fn patient(org_id: OrgId, participant: &Participant, contact_details: bool) -> Value {
    let mut patient = json!({
        "resourceType": "Patient",
        "id": participant.id.to_string(),
        "identifier": [{
            "use": "usual",
            "system": reference_system(org_id),
            "value": participant.reference,
        }],
    });
    if contact_details {
        let identity = &participant.identity;
        let mut names = vec![json!({
            "use": "official",
            "family": identity.family_name,
            "given": [identity.given_name],
        })];
        if let Some(preferred) = &identity.preferred_name {
            names.push(json!({"use": "usual", "given": [preferred]}));
        }
        let mut telecom = Vec::new();
        if let Some(phone) = &identity.phone {
            telecom.push(json!({"system": "phone", "value": phone}));
        }
        if let Some(email) = &identity.email {
            telecom.push(json!({"system": "email", "value": email.as_str()}));
        }
        patient["name"] = Value::from(names);
        if !telecom.is_empty() {
            patient["telecom"] = Value::from(telecom);
        }
        patient["birthDate"] = json!(identity.date_of_birth.to_string());
    }
    patient
}

/// The consent relied on, as R4 `Consent`: active, a privacy consent permitting its items to
/// go to the recipient for the purpose, from the day signed to the day it ends. The consent's
/// notes are free text and stay out.
pub(crate) fn consent(consent: &Consent, items: &[DisclosureItem]) -> Value {
    let terms = &consent.terms;
    // RFC 3339 formatting of a stored time only fails for years outside 0–9999.
    let recorded = consent.recorded_at.format(&Rfc3339).unwrap_or_default();
    let items: Vec<Value> = items.iter().copied().map(concept::<DisclosureItem>).collect();
    json!({
        "resourceType": "Consent",
        "id": consent.id.to_string(),
        "status": "active",
        "scope": {"coding": [{
            "system": CONSENT_SCOPE, "code": "patient-privacy", "display": "Privacy Consent",
        }]},
        "category": [{"coding": [{"system": LOINC, "code": CONSENT_DOCUMENT}]}],
        "patient": reference(consent.participant_id.0),
        "dateTime": recorded,
        // R4 asks for a policy or a rule (ppc-1); Kindred's consents follow 42 CFR Part 2's
        // shape without claiming to be a Part 2 form, so the rule is described, not coded.
        "policyRule": {"text": "Consent to disclose: what may be shared, with whom, for what purpose and until when (in the style of 42 CFR Part 2)"},
        "provision": {
            "type": "permit",
            "period": {
                "start": terms.signed_on.to_string(),
                "end": terms.expires_on.to_string(),
            },
            "actor": [{
                "role": {"coding": [{
                    "system": PARTICIPATION_TYPE, "code": "IRCP", "display": "information recipient",
                }]},
                "reference": {"display": terms.recipient},
            }],
            "purpose": [coding::<ConsentPurpose>(terms.purpose)],
            "code": items,
        },
    })
}

#[cfg(test)]
mod tests {
    use kindred_domain::consent::{ConsentInput, ConsentTerms};
    use kindred_domain::ids::{ConsentId, ParticipantId, UserId};
    use kindred_domain::participant::{Baseline, Enrolment, Identity};
    use kindred_domain::user::EmailAddress;
    use kindred_domain::vocabulary::{AgeBand, ParticipantStatus, YesNoUnknown};
    use time::macros::{date, datetime};

    use super::*;
    use crate::fhir::basis::consent_relied_on;

    fn participant() -> Participant {
        Participant {
            id: ParticipantId::generate(),
            reference: "P-0042".into(),
            identity: Identity {
                given_name: "Ana".into(),
                family_name: "Reyes".into(),
                preferred_name: Some("Annie".into()),
                date_of_birth: date!(1988 - 06 - 15),
                phone: Some("555-0100".into()),
                email: Some(EmailAddress::parse("ana@example.org").expect("an email")),
            },
            enrolment: Enrolment {
                program_id: None,
                enrolled_on: date!(2026 - 01 - 05),
                setting: None,
                referral_source: None,
                treatment_phase: None,
                coach_id: None,
                status: ParticipantStatus::Active,
                left_on: None,
            },
            baseline: Baseline {
                age_band: AgeBand::From25To34,
                gender: None,
                primary_substance: None,
                co_occurring_mental_disorder: YesNoUnknown::Unknown,
                housing: None,
                justice_involvement: None,
                pregnant: YesNoUnknown::Unknown,
                veteran: YesNoUnknown::Unknown,
            },
            version: 1,
        }
    }

    #[test]
    fn a_patient_carries_contact_details_only_when_allowed() {
        let org = OrgId::generate();
        let someone = participant();
        let bare = patient(org, &someone, false);
        assert_eq!(bare["identifier"][0]["value"], "P-0042");
        for element in ["name", "telecom", "birthDate"] {
            assert!(bare.get(element).is_none(), "{element} without consent");
        }
        let full = patient(org, &someone, true);
        assert_eq!(full["name"][0]["family"], "Reyes");
        assert_eq!(full["name"][1]["given"][0], "Annie");
        assert_eq!(full["telecom"][1]["value"], "ana@example.org");
        assert_eq!(full["birthDate"], "1988-06-15");
    }

    #[test]
    fn a_consent_names_its_recipient_purpose_period_and_items_but_not_its_notes() {
        let input = ConsentInput {
            disclose: vec!["participation".into(), "referrals".into()],
            recipient: Some("Harbor Clinic".into()),
            purpose: Some("treatment".into()),
            signed_on: Some("2026-10-01".into()),
            expires_on: Some("2027-10-01".into()),
            notes: Some("Signed in the waiting room".into()),
        };
        let today = date!(2026 - 11 - 23);
        let consents = [Consent {
            id: ConsentId::generate(),
            participant_id: ParticipantId::generate(),
            terms: ConsentTerms::parse(&input, today).expect("valid"),
            recorded_by: UserId::generate(),
            recorded_at: datetime!(2026-10-01 10:00 UTC),
            revocation: None,
        }];
        let basis = consent_relied_on(&consents, "Harbor Clinic", ConsentPurpose::Treatment, today)
            .expect("a basis");
        let resource = consent(basis.consent, &basis.items());
        assert_eq!(resource["provision"]["period"]["end"], "2027-10-01");
        assert_eq!(resource["provision"]["actor"][0]["reference"]["display"], "Harbor Clinic");
        assert_eq!(resource["provision"]["purpose"][0]["code"], "treatment");
        assert_eq!(resource["provision"]["code"][1]["coding"][0]["code"], "referrals");
        assert_eq!(resource["dateTime"], "2026-10-01T10:00:00Z");
        assert!(!resource.to_string().contains("waiting room"));
    }
}
