//! Every answer is checked on the server; a refused input yields messages by item id and no
//! score at all.

use super::*;

#[test]
fn every_invalid_answer_is_refused_by_item_with_a_clear_message() {
    let errors = answers(
        "phq-9",
        &[
            ("phq9_1", json!(4)),
            ("phq9_2", json!(2.5)),
            ("phq9_3", json!("two")),
            ("phq9_4", json!(true)),
            ("phq9_12", json!(1)),
            ("phq9_5", json!(-1)),
        ],
    )
    .unwrap_err();
    let message = |item: &str| errors.get(item).unwrap_or_default().to_string();
    assert_eq!(
        message("phq9_1"),
        "must be one of 0 (Not at all), 1 (Several days), 2 (More than half the days), 3 (Nearly every day)"
    );
    assert_eq!(message("phq9_2"), "must be a whole number");
    assert_eq!(message("phq9_3"), "must be a whole number, not \"two\"");
    assert_eq!(message("phq9_4"), "must be a whole number");
    assert_eq!(message("phq9_12"), "is not an item of PHQ-9");
    assert!(message("phq9_5").starts_with("must be one of"));
    assert_eq!(errors.iter().count(), 6, "every problem is reported at once: {errors}");
}

#[test]
fn a_refused_administration_produces_no_score() {
    let input = AnswersInput {
        answers: [("phq9_1".to_string(), json!(2)), ("phq9_9".to_string(), json!(9))].into(),
    };
    let refused = administer(instrument("phq-9"), &input, ScoringContext::default());
    assert!(refused.unwrap_err().get("phq9_9").is_some(), "nothing scored, no flag raised");
}

#[test]
fn numeric_items_check_their_range_and_cross_item_rules() {
    let errors = answers(
        "use-days-30",
        &[("use_any", json!(3)), ("use_alcohol", json!(12)), ("use_cannabis", json!(31))],
    )
    .unwrap_err();
    assert_eq!(errors.get("use_cannabis"), Some("must be a whole number from 0 to 30"));
    assert_eq!(
        errors.get("use_any"),
        Some("must be at least 12, the answer given for use_alcohol")
    );
    assert!(answers("readiness-ruler", &[("readiness", json!(11))]).is_err());
    assert!(answers("readiness-ruler", &[("readiness", json!(-1))]).is_err());
}

#[test]
fn form_text_and_blanks_are_read_as_a_person_means_them() {
    let parsed = answers(
        "gad-7",
        &[
            ("gad7_1", json!(" 2 ")),
            ("gad7_2", json!("")),
            ("gad7_3", Value::Null),
            ("gad7_4", json!(1.0)),
        ],
    )
    .unwrap();
    assert_eq!(parsed.get("gad7_1"), Some(2));
    assert_eq!((parsed.get("gad7_2"), parsed.get("gad7_3")), (None, None));
    assert_eq!(parsed.get("gad7_4"), Some(1));
    assert_eq!(parsed.len(), 2);
}

#[test]
fn a_partial_save_is_scored_as_partial() {
    let result = score_numbered("barc-10", "barc10", &[5, 5, 5]);
    assert_eq!(result.completeness, Completeness::Partial);
    assert_eq!((result.answered, result.expected), (3, 10));
    assert_eq!(result.total().unwrap().value, None);
    let empty = score(instrument("who-5"), &Answers::default(), ScoringContext::default());
    assert_eq!(empty.completeness, Completeness::Partial);
    assert!(empty.scales.iter().all(|s| s.value.is_none()));
}

/// A tiny deterministic generator, so the sweep below is reproducible without a dependency.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    *state >> 33
}

#[test]
fn no_input_panics_or_yields_a_non_finite_score() {
    let odd_values = [
        json!(null),
        json!(""),
        json!("x"),
        json!(1e300),
        json!(-0.0),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(u64::MAX),
        json!([1]),
        json!({"a": 1}),
        json!("99999999999999999999"),
    ];
    let mut state = 7;
    for definition in library() {
        let ids: Vec<String> =
            definition.items.iter().map(|i| i.id.clone()).chain(["bogus".to_string()]).collect();
        for _ in 0..300 {
            let mut input = AnswersInput::default();
            for id in &ids {
                let roll = next(&mut state) % 10;
                let value = match roll {
                    0 => continue,
                    1 => odd_values[(next(&mut state) % odd_values.len() as u64) as usize].clone(),
                    _ => json!((next(&mut state) % 40) as i64 - 5),
                };
                input.answers.insert(id.clone(), value);
            }
            for sex in [None, Some(Sex::Female), Some(Sex::Male)] {
                if let Ok((_, result)) = administer(definition, &input, ScoringContext { sex }) {
                    for scale in &result.scales {
                        let definition_scale = definition.scale(&scale.scale).unwrap();
                        if let Some(value) = scale.value {
                            assert!(value.is_finite());
                            assert!(value >= definition_scale.min && value <= definition_scale.max);
                            assert!(scale.band.is_some() || definition_scale.bands.is_empty());
                        }
                    }
                }
            }
        }
    }
}
