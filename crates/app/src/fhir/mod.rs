//! FHIR R4 export: one participant's record, or a program's, as a `collection` Bundle for a
//! named recipient and purpose, and only under the participant's consent.
//!
//! **Consent decides what goes in.** A participant is in a bundle only when a current consent
//! names the recipient and the purpose ([`Consent::permits`], see [`basis`]); the consent
//! relied on is always in the bundle, as a `Consent` resource, and its disclosure items pick
//! the rest:
//!
//! | disclosure item   | resources                                                            |
//! |-------------------|----------------------------------------------------------------------|
//! | (always)          | `Patient` with only the program's reference as an identifier; `Consent` |
//! | `contact_details` | the `Patient`'s name, telecom and birth date too                      |
//! | `participation`   | an `Encounter` per contact                                           |
//! | `assessments`     | a `QuestionnaireResponse` per completed assessment                   |
//! | `referrals`       | a `ServiceRequest` and its `Task` (the closed loop) per referral     |
//!
//! Items with no resource here (recovery plan, substance use) add nothing yet. Free text is
//! never exported: not a contact's note, a referral's note, a consent's notes or a step's
//! note. Nor is anything outside the consent's items (gender, baseline, study arm).
//!
//! A participant without such a consent is refused by name when exported alone (with
//! [`AppError::NoConsent`](crate::AppError::NoConsent) saying what is missing); a program's
//! bundle leaves them out and says how many, in the bundle (an `OperationOutcome` entry), in
//! [`FhirBundle::left_out`] and in the audit event.
//!
//! **Shape.** Every entry's `fullUrl` is `urn:uuid:<id>` and every reference between entries
//! is that URN, which is how references resolve inside a bundle whose entries have no server
//! address (a relative `Patient/<id>` would need one). Resource ids are Kindred's record ids
//! (UUIDs are valid FHIR ids); a `Task` has no record of its own, so it gets a fresh id per
//! export. Kindred's own vocabularies are coded with the system
//! `https://github.com/kindred-prss/kindred/fhir/CodeSystem/<vocabulary name>` (under the
//! instruments' canonical base, [`code_system`]); HL7 and LOINC codes are
//! used only where their meaning is certain (encounter class, consent scope and category, the
//! recipient's role).
//!
//! The resources are written with `serde_json::json!` from the app's own record shapes, not
//! with a FHIR model crate: six resource types need a few dozen elements, while the model
//! crates (`fhir`, `fhirkit` and the like) generate all 146 R4 resources with every datatype,
//! code that would be compiled on every clean build of this two-core machine for the handful
//! used. The R4 JSON schema checks the output in the tests instead (`tests/fhir`).

mod basis;
mod bundle;
mod export;
mod identity;
mod work;

pub use export::{FhirBundle, FhirRequest, FhirRequestInput};

use kindred_domain::instruments::fhir::CANONICAL_BASE;
use kindred_domain::vocabulary::Vocabulary;
use serde_json::{Value, json};
use uuid::Uuid;

/// The system of one of Kindred's vocabularies (`…/CodeSystem/contact_mode`).
pub fn code_system<V: Vocabulary>() -> String {
    format!("{CANONICAL_BASE}/CodeSystem/{}", V::NAME)
}

/// A term of a Kindred vocabulary as a `Coding`.
fn coding<V: Vocabulary>(term: V) -> Value {
    json!({"system": code_system::<V>(), "code": term.code(), "display": term.label()})
}

/// A term of a Kindred vocabulary as a `CodeableConcept`.
fn concept<V: Vocabulary>(term: V) -> Value {
    json!({"coding": [coding(term)], "text": term.label()})
}

/// The URN an entry is known by inside its bundle: its `fullUrl` and what references it.
fn urn(id: Uuid) -> String {
    format!("urn:uuid:{id}")
}

/// A reference to another entry of the bundle.
fn reference(id: Uuid) -> Value {
    json!({"reference": urn(id)})
}
