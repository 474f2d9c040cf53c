//! FHIR R4 (Structured Data Capture) import and export of instrument definitions
//! (`Questionnaire`) and administrations (`QuestionnaireResponse`).
//!
//! What is standard and what is Kindred's own, so another system knows what it can rely on:
//!
//! | Kindred                              | FHIR R4 / SDC                                          |
//! |--------------------------------------|--------------------------------------------------------|
//! | code, version, title, description    | `id` (+ `url`), `version`, `title`, `description`       |
//! | licence terms                         | `copyright`                                             |
//! | citation                              | extension `cqf-citation` (core R4)                      |
//! | instructions                          | a leading `display` item, linkId `kindred-instructions` |
//! | item, text, required                  | `item.linkId`, `text`, `required`                       |
//! | choice options and values             | `answerOption.valueCoding` (`code` = value)              |
//! | scored value of each option           | `ordinalValue` on the coding (core R4; reversal applied) |
//! | integer range and unit                | `type: integer`, `minValue`/`maxValue`, `questionnaire-unit` |
//! | skip rules                            | `enableWhen` + `enableBehavior`                          |
//! | short name, licence status and source, caveats | extension [`EXT_INSTRUMENT`] (Kindred, complex)  |
//! | paraphrase marker, score when hidden  | extension [`EXT_ITEM`] (Kindred, complex)                |
//! | scales, bands (incl. by sex), missing-item rules, flags, reverse scoring, constraints | extension [`EXT_SCORING`] (Kindred; `valueString` holding the JSON of [`super::definition::Scoring`]) |
//!
//! SDC's own scoring (`calculatedExpression` with FHIRPath) is not emitted: it cannot express
//! prorating, sex-specific bands or flags, and an importer would have to trust arbitrary
//! expressions. `ordinalValue` still lets a generic SDC tool add up a simple total.

mod questionnaire;
mod response;

pub use questionnaire::{questionnaire_from_fhir, questionnaire_to_fhir};
pub use response::{ImportedResponse, ResponseMeta, response_from_fhir, response_to_fhir};

use serde_json::Value;

/// The base of Kindred's canonical URLs. Canonical URLs identify; they need not resolve.
pub const CANONICAL_BASE: &str = "https://github.com/kindred-prss/kindred/fhir";
/// The SDC base profile the exported questionnaires claim.
pub const SDC_QUESTIONNAIRE_PROFILE: &str =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire";
/// Core R4 extension: the numeric weight of a coded answer.
pub const EXT_ORDINAL_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/ordinalValue";
/// Core R4 extensions: bounds of a numeric answer.
pub const EXT_MIN_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/minValue";
pub const EXT_MAX_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/maxValue";
/// Core R4 extension: the unit of a numeric answer (a UCUM coding).
pub const EXT_UNIT: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit";
/// Core R4 extension: a bibliographic citation.
pub const EXT_CITATION: &str = "http://hl7.org/fhir/StructureDefinition/cqf-citation";
/// Kindred: scoring rules, as the JSON of the definition's `scoring` section.
pub const EXT_SCORING: &str =
    "https://github.com/kindred-prss/kindred/fhir/StructureDefinition/kindred-scoring";
/// Kindred: instrument facts FHIR has no element for.
pub const EXT_INSTRUMENT: &str =
    "https://github.com/kindred-prss/kindred/fhir/StructureDefinition/kindred-instrument";
/// Kindred: item facts FHIR has no element for.
pub const EXT_ITEM: &str =
    "https://github.com/kindred-prss/kindred/fhir/StructureDefinition/kindred-item";

const UCUM: &str = "http://unitsofmeasure.org";
const INSTRUCTIONS_LINK_ID: &str = "kindred-instructions";

/// The canonical URL of an instrument's questionnaire.
pub fn canonical_url(code: &str) -> String {
    format!("{CANONICAL_BASE}/Questionnaire/{code}")
}

/// The extensions of `element` with this `url`.
fn extensions<'a>(element: &'a Value, url: &str) -> impl Iterator<Item = &'a Value> + 'a {
    let url = url.to_string();
    element
        .get("extension")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(move |ext| ext.get("url").and_then(Value::as_str) == Some(url.as_str()))
}

/// The first extension of `element` with this `url`.
fn extension<'a>(element: &'a Value, url: &str) -> Option<&'a Value> {
    extensions(element, url).next()
}

/// A text field of `value`.
fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}
