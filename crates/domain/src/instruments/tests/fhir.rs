//! FHIR round trips: definition → Questionnaire → definition, and administration →
//! QuestionnaireResponse → administration, for every instrument.

use time::macros::datetime;

use super::*;
use crate::instruments::fhir::{
    EXT_ORDINAL_VALUE, EXT_SCORING, ResponseMeta, canonical_url, questionnaire_from_fhir,
    questionnaire_to_fhir, response_from_fhir, response_to_fhir,
};

#[test]
fn every_definition_round_trips_through_a_questionnaire() {
    for definition in library() {
        let exported = questionnaire_to_fhir(definition);
        // Through text, as it would travel.
        let text = serde_json::to_string_pretty(&exported).unwrap();
        let reread: Value = serde_json::from_str(&text).unwrap();
        let imported =
            questionnaire_from_fhir(&reread).unwrap_or_else(|e| panic!("{}: {e}", definition.code));
        assert_eq!(&imported, definition, "{} round trip", definition.code);
    }
}

#[test]
fn the_questionnaire_uses_standard_elements_where_fhir_has_them() {
    let q = questionnaire_to_fhir(instrument("dast-10"));
    assert_eq!(q["resourceType"], "Questionnaire");
    assert_eq!(q["url"], canonical_url("dast-10"));
    assert!(q["copyright"].as_str().unwrap().contains("Harvey A. Skinner"));
    let item3 = q["item"].as_array().unwrap().iter().find(|i| i["linkId"] == "dast10_3").unwrap();
    assert_eq!(item3["type"], "choice");
    // Reverse scoring shows in the ordinal values a generic SDC tool would add up: No scores 1.
    let no = &item3["answerOption"][0]["valueCoding"];
    assert_eq!((no["code"].as_str(), no["display"].as_str()), (Some("0"), Some("No")));
    assert_eq!(no["extension"][0]["url"], EXT_ORDINAL_VALUE);
    assert_eq!(no["extension"][0]["valueDecimal"], 1);
    let audit = questionnaire_to_fhir(instrument("audit-c"));
    let q2 = &audit["item"][1];
    assert_eq!(q2["enableWhen"][0]["question"], "audit_c_1");
    assert_eq!(q2["enableWhen"][0]["operator"], "!=");
    assert_eq!(q2["enableWhen"][0]["answerCoding"]["code"], "0");
    let days = questionnaire_to_fhir(instrument("use-days-30"));
    assert_eq!(days["item"][1]["type"], "integer");
    let scoring = days["extension"].as_array().unwrap().iter().find(|e| e["url"] == EXT_SCORING);
    assert!(scoring.unwrap()["valueString"].as_str().unwrap().contains("at_least_each"));
}

#[test]
fn a_broken_questionnaire_is_refused_with_reasons() {
    let mut q = questionnaire_to_fhir(instrument("phq-9"));
    q["item"][3]["answerOption"][0]["valueCoding"]["code"] = json!("none");
    q["item"][5]["enableWhen"] =
        json!([{"question": "phq9_99", "operator": "=", "answerInteger": 1}]);
    let errors = questionnaire_from_fhir(&q).unwrap_err().to_string();
    assert!(errors.contains("item[3]"), "{errors}");
    assert!(errors.contains("skip rule refers to phq9_99"), "{errors}");
    let mut scoring = questionnaire_to_fhir(instrument("gad-7"));
    scoring["extension"][2]["valueString"] = json!("{not json");
    assert!(
        questionnaire_from_fhir(&scoring).unwrap_err().get("extension[kindred-scoring]").is_some()
    );
    assert!(questionnaire_from_fhir(&json!({"resourceType": "Patient"})).is_err());
}

fn meta() -> ResponseMeta {
    ResponseMeta::new("Patient/P-0042", datetime!(2026-11-23 10:15 UTC)).unwrap()
}

/// One plausible administration per instrument: every shown item answered with its lowest
/// value plus one where possible (so skip rules open), and a partial one with half the items.
fn sample(definition: &InstrumentDefinition, take: usize) -> Answers {
    let mut input = AnswersInput::default();
    for item in definition.items.iter().take(take) {
        if let Some((low, high)) = item.response.bounds() {
            input.answers.insert(item.id.clone(), json!((low + 1).min(high)));
        }
    }
    // use-days: the 'any use' count must cover each substance.
    if input.answers.contains_key("use_any") {
        input.answers.insert("use_any".into(), json!(5));
    }
    Answers::parse(definition, &input).unwrap_or_else(|e| panic!("{}: {e}", definition.code))
}

#[test]
fn every_administration_round_trips_through_a_questionnaire_response() {
    for definition in library() {
        for take in [definition.items.len(), definition.items.len() / 2] {
            let answers = sample(definition, take);
            let exported = response_to_fhir(definition, &answers, &meta());
            let text = serde_json::to_string(&exported).unwrap();
            let imported = response_from_fhir(definition, &serde_json::from_str(&text).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", definition.code));
            assert_eq!(imported.answers, answers, "{} answers", definition.code);
            assert_eq!(imported.meta, meta());
            let complete = score(definition, &answers, ScoringContext::default()).completeness;
            let status =
                if complete == Completeness::Complete { "completed" } else { "in-progress" };
            assert_eq!(imported.status, status, "{} with {take} items", definition.code);
        }
    }
}

#[test]
fn the_response_carries_only_a_pseudonymous_subject() {
    let definition = instrument("phq-9");
    let exported = response_to_fhir(definition, &sample(definition, 9), &meta());
    assert_eq!(exported["subject"], json!({"reference": "Patient/P-0042"}));
    assert_eq!(exported["questionnaire"], format!("{}|1", canonical_url("phq-9")));
    assert_eq!(exported["authored"], "2026-11-23T10:15:00Z");
    assert_eq!(exported["item"][0]["answer"][0]["valueCoding"]["display"], "Several days");
    assert!(ResponseMeta::new("Ana Reyes", datetime!(2026-11-23 10:15 UTC)).is_err());
    assert!(ResponseMeta::new("  ", datetime!(2026-11-23 10:15 UTC)).is_err());
}

#[test]
fn an_imported_response_is_validated_like_a_form() {
    let definition = instrument("phq-9");
    let mut bad = response_to_fhir(definition, &sample(definition, 9), &meta());
    bad["questionnaire"] = json!(canonical_url("gad-7"));
    bad["subject"]["reference"] = json!("Ana Reyes");
    bad["item"][0]["answer"][0] = json!({"valueCoding": {"code": "7"}});
    bad["item"][1]["answer"][0] = json!({"valueDecimal": 1.5});
    bad["item"][2]["answer"] =
        json!([{"valueCoding": {"code": "1"}}, {"valueCoding": {"code": "2"}}]);
    bad["authored"] = json!("yesterday");
    let errors = response_from_fhir(definition, &bad).unwrap_err();
    assert!(errors.get("questionnaire").is_some());
    assert!(errors.get("authored").is_some());
    assert!(errors.get("phq9_1").unwrap().starts_with("must be one of"));
    assert_eq!(errors.get("phq9_2"), Some("must be a whole number"));
    assert_eq!(errors.get("phq9_3"), Some("must have a single answer"));
    let mut subject = response_to_fhir(definition, &sample(definition, 9), &meta());
    subject["subject"]["reference"] = json!("Ana Reyes");
    assert!(response_from_fhir(definition, &subject).unwrap_err().get("subject").is_some());
}
