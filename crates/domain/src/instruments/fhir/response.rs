//! One administration as a FHIR R4 `QuestionnaireResponse`, and back. The subject is a
//! pseudonymous reference the caller supplies (e.g. `Patient/P-0042` or an opaque id): the
//! resource never carries a name, date of birth or any other identity.
//!
//! Import validates every answer exactly as a form would ([`Answers::parse`]), so a response
//! from another system cannot smuggle in an answer Kindred would refuse.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{canonical_url, text};
use crate::fields::FieldErrors;
use crate::instruments::answers::{Answers, AnswersInput};
use crate::instruments::definition::{InstrumentDefinition, ResponseFormat};
use crate::instruments::scoring::{Completeness, ScoringContext, score};

/// Who and when, supplied by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseMeta {
    subject: String,
    pub authored: OffsetDateTime,
}

impl ResponseMeta {
    /// `subject` must be a pseudonymous FHIR reference (`Patient/P-0042`): no spaces, at most
    /// 200 characters. A reference with a space is almost surely a name typed by mistake.
    pub fn new(subject: &str, authored: OffsetDateTime) -> Result<Self, String> {
        let subject = subject.trim();
        if subject.is_empty() || subject.len() > 200 {
            return Err("the subject reference must be 1 to 200 characters".into());
        }
        if subject.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("the subject reference must be a pseudonymous id, without spaces".into());
        }
        Ok(Self { subject: subject.to_string(), authored })
    }

    pub fn subject(&self) -> &str {
        &self.subject
    }
}

/// A response read back from FHIR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedResponse {
    pub answers: Answers,
    pub meta: ResponseMeta,
    /// `completed` or `in-progress`, as the resource said.
    pub status: String,
}

/// Exports one administration. The status is `completed` when every shown, required item is
/// answered and `in-progress` otherwise (a partial save).
pub fn response_to_fhir(
    definition: &InstrumentDefinition,
    answers: &Answers,
    meta: &ResponseMeta,
) -> Value {
    let completeness = score(definition, answers, ScoringContext::default()).completeness;
    let status = match completeness {
        Completeness::Complete => "completed",
        Completeness::Partial => "in-progress",
    };
    let items: Vec<Value> = definition
        .items
        .iter()
        .filter_map(|item| {
            let value = answers.get(&item.id)?;
            let answer = match &item.response {
                ResponseFormat::Choice { .. } => json!({"valueCoding": {
                    "code": value.to_string(),
                    "display": item.response.label(value).unwrap_or_default(),
                }}),
                ResponseFormat::Integer { .. } => json!({"valueInteger": value}),
            };
            Some(json!({"linkId": item.id, "text": item.text, "answer": [answer]}))
        })
        .collect();
    // RFC 3339 formatting of a valid OffsetDateTime only fails for years outside 0–9999.
    let authored = meta.authored.format(&Rfc3339).unwrap_or_default();
    json!({
        "resourceType": "QuestionnaireResponse",
        "questionnaire": format!("{}|{}", canonical_url(&definition.code), definition.version),
        "status": status,
        "subject": {"reference": meta.subject},
        "authored": authored,
        "item": items,
    })
}

/// Imports a `QuestionnaireResponse` for `definition`. Problems with the resource are keyed
/// by its element names; problems with answers by item id, as a form would show them.
pub fn response_from_fhir(
    definition: &InstrumentDefinition,
    resource: &Value,
) -> Result<ImportedResponse, FieldErrors> {
    let mut errors = FieldErrors::new();
    if text(resource, "resourceType") != Some("QuestionnaireResponse") {
        return Err(FieldErrors::single("resourceType", "must be QuestionnaireResponse"));
    }
    let expected = canonical_url(&definition.code);
    match text(resource, "questionnaire").map(|q| q.split_once('|').unwrap_or((q, ""))) {
        Some((url, version))
            if url == expected && (version.is_empty() || version == definition.version) => {}
        _ => errors.add(
            "questionnaire",
            format!("must be {expected}|{} (this instrument and version)", definition.version),
        ),
    }
    let status = match text(resource, "status") {
        Some(status @ ("completed" | "in-progress")) => status.to_string(),
        _ => {
            errors.add("status", "must be completed or in-progress");
            String::new()
        }
    };
    let subject = resource.get("subject").and_then(|s| text(s, "reference")).unwrap_or_default();
    let authored = text(resource, "authored").and_then(|a| OffsetDateTime::parse(a, &Rfc3339).ok());
    let meta = match authored {
        None => {
            errors.add("authored", "must be an RFC 3339 date-time");
            None
        }
        Some(authored) => errors.check("subject", ResponseMeta::new(subject, authored)),
    };

    let mut raw = BTreeMap::new();
    let listed = resource.get("item").and_then(Value::as_array).cloned().unwrap_or_default();
    for (index, item) in listed.iter().enumerate() {
        let Some(link_id) = text(item, "linkId") else {
            errors.add(format!("item[{index}]"), "needs a linkId");
            continue;
        };
        if item.get("item").is_some() {
            errors.add(link_id, "must not contain nested items");
        }
        let answers = item.get("answer").and_then(Value::as_array).cloned().unwrap_or_default();
        match answers.as_slice() {
            [] => {}
            [answer] => {
                let value = if let Some(coding) = answer.get("valueCoding") {
                    coding.get("code").cloned().unwrap_or(Value::Null)
                } else if let Some(integer) = answer.get("valueInteger") {
                    integer.clone()
                } else {
                    // valueDecimal, valueString…: passed on so the answer check names the problem.
                    answer
                        .as_object()
                        .and_then(|o| o.iter().find(|(k, _)| k.starts_with("value")))
                        .map(|(_, v)| v.clone())
                        .unwrap_or(Value::Null)
                };
                if raw.insert(link_id.to_string(), value).is_some() {
                    errors.add(link_id, "is answered more than once");
                }
            }
            _ => errors.add(link_id, "must have a single answer"),
        }
    }
    let answers = match Answers::parse(definition, &AnswersInput { answers: raw }) {
        Ok(answers) => Some(answers),
        Err(answer_errors) => {
            for error in answer_errors.iter() {
                errors.add(error.field.clone(), error.message.clone());
            }
            None
        }
    };
    errors.into_result(|| Some(ImportedResponse { answers: answers?, meta: meta?, status }))
}
