//! A definition as a FHIR R4 SDC `Questionnaire`, and back. The mapping is in the table in
//! `fhir/mod.rs`; `questionnaire_from_fhir(questionnaire_to_fhir(d)) == d` for every shipped
//! definition.

use serde_json::{Map, Value, json};

use super::{
    EXT_CITATION, EXT_INSTRUMENT, EXT_ITEM, EXT_MAX_VALUE, EXT_MIN_VALUE, EXT_ORDINAL_VALUE,
    EXT_SCORING, EXT_UNIT, INSTRUCTIONS_LINK_ID, SDC_QUESTIONNAIRE_PROFILE, UCUM, canonical_url,
    extension, extensions, text,
};
use crate::fields::FieldErrors;
use crate::instruments::definition::{
    AnswerOption, Condition, EnableBehavior, InstrumentDefinition, Item, Licence, LicenceStatus,
    Operator, ResponseFormat, Scoring, SkipRule, Unit,
};

/// Exports `definition` as a FHIR R4 SDC `Questionnaire`.
pub fn questionnaire_to_fhir(definition: &InstrumentDefinition) -> Value {
    let mut instrument = vec![
        json!({"url": "shortName", "valueString": definition.short_name}),
        json!({"url": "licenceSummary", "valueString": definition.licence.summary}),
        json!({"url": "licenceStatus", "valueCode": licence_status_code(definition.licence.status)}),
    ];
    if let Some(source) = &definition.licence.source {
        instrument.push(json!({"url": "licenceSource", "valueString": source}));
    }
    for caveat in &definition.caveats {
        instrument.push(json!({"url": "caveat", "valueString": caveat}));
    }
    // Serialising plain data structs to a JSON value cannot fail; an empty string would be
    // caught on import as an unreadable scoring extension.
    let scoring = serde_json::to_string(&definition.scoring).unwrap_or_default();

    let mut items = Vec::new();
    if let Some(instructions) = &definition.instructions {
        items
            .push(json!({"linkId": INSTRUCTIONS_LINK_ID, "type": "display", "text": instructions}));
    }
    items.extend(definition.items.iter().map(|item| item_to_fhir(definition, item)));

    json!({
        "resourceType": "Questionnaire",
        "id": definition.code,
        "meta": {"profile": [SDC_QUESTIONNAIRE_PROFILE]},
        "extension": [
            {"url": EXT_CITATION, "valueString": definition.citation},
            {"url": EXT_INSTRUMENT, "extension": instrument},
            {"url": EXT_SCORING, "valueString": scoring},
        ],
        "url": canonical_url(&definition.code),
        "version": definition.version,
        "name": computable_name(&definition.short_name),
        "title": definition.title,
        "status": "active",
        "description": definition.description,
        "copyright": definition.licence.terms,
        "item": items,
    })
}

fn item_to_fhir(definition: &InstrumentDefinition, item: &Item) -> Value {
    let mut out = Map::new();
    let mut item_ext = Vec::new();
    if item.paraphrase {
        item_ext.push(json!({"url": "paraphrase", "valueBoolean": true}));
    }
    if let Some(score) = item.score_when_hidden {
        item_ext.push(json!({"url": "scoreWhenHidden", "valueInteger": score}));
    }
    let mut extensions = Vec::new();
    if !item_ext.is_empty() {
        extensions.push(json!({"url": EXT_ITEM, "extension": item_ext}));
    }
    out.insert("linkId".into(), json!(item.id));
    out.insert("text".into(), json!(item.text));
    match &item.response {
        ResponseFormat::Choice { options } => {
            let reversed = definition.scoring.reverse_scored.contains(&item.id);
            let (low, high) = item.response.bounds().unwrap_or((0, 0));
            let answer_options: Vec<Value> = options
                .iter()
                .map(|option| {
                    let scored = if reversed { low + high - option.value } else { option.value };
                    json!({"valueCoding": {
                        "extension": [{"url": EXT_ORDINAL_VALUE, "valueDecimal": scored}],
                        "code": option.value.to_string(),
                        "display": option.label,
                    }})
                })
                .collect();
            out.insert("type".into(), json!("choice"));
            out.insert("answerOption".into(), Value::Array(answer_options));
        }
        ResponseFormat::Integer { min, max, unit } => {
            extensions.push(json!({"url": EXT_MIN_VALUE, "valueInteger": min}));
            extensions.push(json!({"url": EXT_MAX_VALUE, "valueInteger": max}));
            if let Some(unit) = unit {
                extensions.push(json!({"url": EXT_UNIT, "valueCoding":
                    {"system": UCUM, "code": unit.ucum, "display": unit.display}}));
            }
            out.insert("type".into(), json!("integer"));
        }
    }
    out.insert("required".into(), json!(item.required));
    if let Some(rule) = &item.enable_when {
        let conditions: Vec<Value> = rule
            .conditions
            .iter()
            .map(|condition| {
                let answer = match definition.item(&condition.item).map(|i| &i.response) {
                    Some(ResponseFormat::Integer { .. }) => {
                        ("answerInteger", json!(condition.value))
                    }
                    _ => ("answerCoding", json!({"code": condition.value.to_string()})),
                };
                json!({"question": condition.item, "operator": condition.operator.code(), answer.0: answer.1})
            })
            .collect();
        out.insert("enableWhen".into(), Value::Array(conditions));
        let behavior = match rule.behavior {
            EnableBehavior::Any => "any",
            EnableBehavior::All => "all",
        };
        out.insert("enableBehavior".into(), json!(behavior));
    }
    if !extensions.is_empty() {
        out.insert("extension".into(), Value::Array(extensions));
    }
    Value::Object(out)
}

/// Imports a FHIR `Questionnaire` exported by Kindred (or written to the same mapping).
/// Every problem is reported under a JSON path; the result must also pass the consistency
/// check before it is returned.
pub fn questionnaire_from_fhir(resource: &Value) -> Result<InstrumentDefinition, FieldErrors> {
    let mut errors = FieldErrors::new();
    if text(resource, "resourceType") != Some("Questionnaire") {
        errors.add("resourceType", "must be Questionnaire");
        return Err(errors);
    }
    let mut required = |key: &str| match text(resource, key) {
        Some(value) if !value.trim().is_empty() => value.to_string(),
        _ => {
            errors.add(key, "is required");
            String::new()
        }
    };
    let code = required("id");
    let version = required("version");
    let title = required("title");
    let description = required("description");
    let terms = required("copyright");
    let citation = extension(resource, super::EXT_CITATION)
        .and_then(|e| text(e, "valueString"))
        .map(str::to_string);
    if citation.is_none() {
        errors.add("extension[cqf-citation]", "is required");
    }
    let instrument = extension(resource, EXT_INSTRUMENT);
    let part =
        |name: &str| -> Option<&Value> { instrument.and_then(|e| extensions(e, name).next()) };
    let short_name = part("shortName").and_then(|e| text(e, "valueString")).map(str::to_string);
    let summary = part("licenceSummary").and_then(|e| text(e, "valueString")).map(str::to_string);
    let status = part("licenceStatus").and_then(|e| text(e, "valueCode")).and_then(licence_status);
    if short_name.is_none() || summary.is_none() || status.is_none() {
        errors.add(
            "extension[kindred-instrument]",
            "must give shortName, licenceSummary and licenceStatus",
        );
    }
    let source = part("licenceSource").and_then(|e| text(e, "valueString")).map(str::to_string);
    let caveats: Vec<String> = instrument
        .into_iter()
        .flat_map(|e| extensions(e, "caveat"))
        .filter_map(|e| text(e, "valueString"))
        .map(str::to_string)
        .collect();
    let scoring = extension(resource, EXT_SCORING)
        .and_then(|e| text(e, "valueString"))
        .and_then(|json| serde_json::from_str::<Scoring>(json).ok());
    if scoring.is_none() {
        errors.add("extension[kindred-scoring]", "is missing or is not Kindred scoring JSON");
    }

    let mut instructions = None;
    let mut items = Vec::new();
    let listed = resource.get("item").and_then(Value::as_array).cloned().unwrap_or_default();
    for (index, fhir_item) in listed.iter().enumerate() {
        if text(fhir_item, "linkId") == Some(super::INSTRUCTIONS_LINK_ID) {
            instructions = text(fhir_item, "text").map(str::to_string);
            continue;
        }
        if let Some(item) = item_from_fhir(fhir_item, &format!("item[{index}]"), &mut errors) {
            items.push(item);
        }
    }

    let (Some(citation), Some(short_name), Some(summary), Some(status), Some(scoring)) =
        (citation, short_name, summary, status, scoring)
    else {
        return Err(errors);
    };
    let definition = InstrumentDefinition {
        code,
        version,
        title,
        short_name,
        description,
        instructions,
        licence: Licence { summary, terms, status, source },
        citation,
        caveats,
        items,
        scoring,
    };
    for (index, problem) in definition.problems().into_iter().enumerate() {
        errors.add(format!("definition[{index}]"), problem);
    }
    errors.into_result(|| Some(definition))
}

fn item_from_fhir(fhir_item: &Value, path: &str, errors: &mut FieldErrors) -> Option<Item> {
    let id = text(fhir_item, "linkId").map(str::to_string);
    let item_text = text(fhir_item, "text").map(str::to_string);
    let (Some(id), Some(item_text)) = (id, item_text) else {
        errors.add(path, "needs a linkId and text");
        return None;
    };
    let response = match text(fhir_item, "type") {
        Some("choice") => {
            let options: Option<Vec<AnswerOption>> = fhir_item
                .get("answerOption")
                .and_then(Value::as_array)
                .map(|options| {
                    options
                        .iter()
                        .map(|option| {
                            let coding = option.get("valueCoding")?;
                            Some(AnswerOption {
                                value: text(coding, "code")?.parse().ok()?,
                                label: text(coding, "display")?.to_string(),
                            })
                        })
                        .collect()
                })
                .unwrap_or(None);
            let Some(options) = options else {
                errors.add(
                    path,
                    "choice options must be codings with whole-number codes and displays",
                );
                return None;
            };
            ResponseFormat::Choice { options }
        }
        Some("integer") => {
            let bound =
                |url| extension(fhir_item, url).and_then(|e| e.get("valueInteger")?.as_i64());
            let (Some(min), Some(max)) = (bound(EXT_MIN_VALUE), bound(EXT_MAX_VALUE)) else {
                errors.add(path, "an integer item needs minValue and maxValue");
                return None;
            };
            let unit = extension(fhir_item, EXT_UNIT).and_then(|e| e.get("valueCoding")).and_then(
                |coding| {
                    Some(Unit {
                        ucum: text(coding, "code")?.to_string(),
                        display: text(coding, "display")?.to_string(),
                    })
                },
            );
            ResponseFormat::Integer { min, max, unit }
        }
        _ => {
            errors.add(path, "type must be choice or integer");
            return None;
        }
    };
    let item_ext = extension(fhir_item, EXT_ITEM);
    let paraphrase = item_ext
        .and_then(|e| extensions(e, "paraphrase").next())
        .and_then(|e| e.get("valueBoolean")?.as_bool())
        .unwrap_or(false);
    let score_when_hidden = item_ext
        .and_then(|e| extensions(e, "scoreWhenHidden").next())
        .and_then(|e| e.get("valueInteger")?.as_i64());
    let enable_when = match fhir_item.get("enableWhen").and_then(Value::as_array) {
        None => None,
        Some(conditions) => {
            let parsed: Option<Vec<Condition>> =
                conditions.iter().map(condition_from_fhir).collect();
            let behavior = match text(fhir_item, "enableBehavior") {
                Some("any") => EnableBehavior::Any,
                _ => EnableBehavior::All,
            };
            match parsed {
                Some(conditions) => Some(SkipRule { behavior, conditions }),
                None => {
                    errors.add(path, "enableWhen must compare a question with a whole number");
                    return None;
                }
            }
        }
    };
    Some(Item {
        id,
        text: item_text,
        paraphrase,
        required: fhir_item.get("required").and_then(Value::as_bool).unwrap_or(false),
        response,
        enable_when,
        score_when_hidden,
    })
}

fn condition_from_fhir(condition: &Value) -> Option<Condition> {
    let value = match condition.get("answerInteger") {
        Some(integer) => integer.as_i64()?,
        None => text(condition.get("answerCoding")?, "code")?.parse().ok()?,
    };
    Some(Condition {
        item: text(condition, "question")?.to_string(),
        operator: Operator::from_code(text(condition, "operator")?)?,
        value,
    })
}

fn licence_status_code(status: LicenceStatus) -> &'static str {
    match status {
        LicenceStatus::Verified => "verified",
        LicenceStatus::Uncertain => "uncertain",
        LicenceStatus::KindredAuthored => "kindred_authored",
    }
}

fn licence_status(code: &str) -> Option<LicenceStatus> {
    [LicenceStatus::Verified, LicenceStatus::Uncertain, LicenceStatus::KindredAuthored]
        .into_iter()
        .find(|status| licence_status_code(*status) == code)
}

/// FHIR's computable `name`: letters and digits, starting with a capital (`PHQ9`).
fn computable_name(short_name: &str) -> String {
    let name: String = short_name.chars().filter(char::is_ascii_alphanumeric).collect();
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => "Instrument".into(),
    }
}
