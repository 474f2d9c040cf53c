//! Tests of the instrument library. Worked examples cite the source of the rule they check.

mod change;
mod fhir;
mod library;
mod scoring_examples;
mod validation;

use serde_json::{Value, json};

use super::*;

/// The shipped definition with `code` (panics in tests only).
fn instrument(code: &str) -> &'static InstrumentDefinition {
    find(code).unwrap_or_else(|| panic!("{code} is not in the library"))
}

/// Answers from `(item, value)` pairs, validated.
fn answers(code: &str, pairs: &[(&str, Value)]) -> Result<Answers, crate::FieldErrors> {
    let input =
        AnswersInput { answers: pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect() };
    Answers::parse(instrument(code), &input)
}

/// Answers `prefix_1`..`prefix_n` with `values`, in order.
fn numbered(prefix: &str, values: &[i64]) -> Vec<(String, Value)> {
    values.iter().enumerate().map(|(i, v)| (format!("{prefix}_{}", i + 1), json!(v))).collect()
}

/// Scores numbered answers for `code` with no sex recorded.
fn score_numbered(code: &str, prefix: &str, values: &[i64]) -> ScoreResult {
    score_with(code, &numbered(prefix, values), ScoringContext::default())
}

fn score_with(code: &str, pairs: &[(String, Value)], context: ScoringContext) -> ScoreResult {
    let borrowed: Vec<(&str, Value)> = pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let parsed = answers(code, &borrowed).unwrap_or_else(|e| panic!("{code}: {e}"));
    score(instrument(code), &parsed, context)
}

/// The total's value and band code.
fn total(result: &ScoreResult) -> (Option<f64>, Option<String>) {
    let total = result.total().expect("a total");
    (total.value, total.band.as_ref().map(|b| b.code.clone()))
}
