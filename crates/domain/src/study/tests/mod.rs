//! Tests of study parsing, the locked plan's hash and the templates' designs.

mod lock;
mod parse;
mod refusals;
mod templates;

use serde_json::{Value, json};

use super::*;

pub(super) const PROGRAM: &str = "01890000-0000-7000-8000-000000000001";
pub(super) const OTHER_PROGRAM: &str = "01890000-0000-7000-8000-000000000002";

/// A randomised study as a client would send it (numbers as numbers, flags as booleans).
pub(super) fn randomised_json() -> Value {
    json!({
        "title": "Clinic Bridge trial",
        "question": "Does the peer intervention raise abstinence at 6 months?",
        "design": "randomised",
        "program_ids": [PROGRAM],
        "arms": [
            {"code": "peer", "name": "Peer intervention", "receives": "Peer BMI and booster",
             "role": "intervention", "ratio": 1},
            {"code": "advice", "name": "Written advice", "receives": "Written advice and a referral list only",
             "role": "comparison", "ratio": 1}
        ],
        "eligibility": [
            {"rule": "field", "field": "setting", "any_of": ["walk_in_clinic"]},
            {"rule": "event_history", "event": {"kind": "hospitalisation", "hospitalisation_kinds": ["psychiatric", "detox"]},
             "within_days_before": 730, "present": false}
        ],
        "enrolment_from": "2026-01-01",
        "enrolment_to": "2026-12-31",
        "follow_up_days": 180,
        "randomisation": {"stratify_by": ["primary_substance"], "block_sizes": [4, 6]},
        "outcomes": [
            {"code": "abstinent_6m", "name": "No use at 6 months", "kind": "binary_at_time_point",
             "time_point": "6m", "instrument": "use-days-30",
             "rule": {"on": "items", "items": ["use_any"], "comparator": "at_most", "cut_off": 0}},
            {"code": "barc_change", "name": "Recovery capital change", "kind": "change_from_baseline",
             "time_point": "6m", "instrument": "barc-10"},
            {"code": "admission_30d", "name": "Treatment admission within 30 days", "kind": "event_within",
             "event": {"kind": "treatment_admission"}, "days": 30},
            {"code": "rehospitalisation", "name": "Days to psychiatric rehospitalisation", "kind": "time_to_event",
             "event": {"kind": "hospitalisation", "hospitalisation_kinds": ["psychiatric"]}}
        ],
        "covariates": [{"field": "age_band"}, {"instrument": "barc-10"}],
        "subgroups": ["gender", "primary_substance"],
        "plan": {"primary": "abstinent_6m", "secondary": ["barc_change", "admission_30d"],
                 "alpha": 0.05, "blinded_assessor": true}
    })
}

pub(super) fn input(value: Value) -> StudyInput {
    serde_json::from_value(value).expect("a study input")
}

pub(super) fn parse(value: Value) -> Result<StudyDefinition, crate::FieldErrors> {
    StudyDefinition::parse(&input(value), &StudyCatalogue::library())
}

pub(super) fn study(value: Value) -> StudyDefinition {
    parse(value).unwrap_or_else(|errors| panic!("invalid: {errors}"))
}

/// The errors of an input that must not parse.
pub(super) fn refused(value: Value) -> crate::FieldErrors {
    match parse(value) {
        Ok(_) => panic!("parsed, but should have been refused"),
        Err(errors) => errors,
    }
}

/// `value` with the JSON pointer `path` set to `to`.
pub(super) fn with(mut value: Value, path: &str, to: Value) -> Value {
    if let Some(slot) = value.pointer_mut(path) {
        *slot = to;
    } else {
        let (parent, key) = path.rsplit_once('/').expect("a pointer");
        if let Some(Value::Object(map)) = value.pointer_mut(parent) {
            map.insert(key.to_owned(), to);
        }
    }
    value
}
