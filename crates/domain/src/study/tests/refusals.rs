//! Every refusal names its field and says what is wrong, in words an evaluator can act on.

use super::*;

/// Asserts `errors` holds `field` with a message containing `words`.
fn says(errors: &crate::FieldErrors, field: &str, words: &str) {
    match errors.get(field) {
        Some(message) => assert!(message.contains(words), "{field}: {message:?} lacks {words:?}"),
        None => panic!("no error for {field}; got: {errors}"),
    }
}

#[test]
fn an_empty_study_names_every_missing_field() {
    let errors = refused(json!({}));
    for (field, words) in [
        ("title", "is required"),
        ("question", "is required"),
        ("design", "choose randomised"),
        ("program_ids", "at least one program"),
        ("enrolment_from", "is required"),
        ("enrolment_to", "is required"),
        ("follow_up_days", "is required"),
        ("outcomes", "at least one outcome"),
        ("plan", "primary outcome"),
    ] {
        says(&errors, field, words);
    }
    for error in errors.iter() {
        assert!(!error.field.is_empty() && !error.message.is_empty());
    }
}

#[test]
fn the_study_s_own_fields_are_checked() {
    let value = with(randomised_json(), "/enrolment_to", json!("2025-12-31"));
    let value = with(value, "/follow_up_days", json!(0));
    let value = with(value, "/program_ids", json!([PROGRAM, "nope", PROGRAM]));
    let value = with(value, "/comparison", json!("other_program"));
    let value = with(value, "/baseline_time_point", json!("Intake"));
    let errors = refused(value);
    says(&errors, "enrolment_to", "on or after the start");
    says(&errors, "follow_up_days", "from 1 to 3650");
    says(&errors, "program_ids[1]", "not a program id");
    says(&errors, "program_ids[2]", "listed twice");
    says(&errors, "comparison", "only a quasi-experimental");
    says(&errors, "baseline_time_point", "lowercase");
}

#[test]
fn randomised_arms_need_ratios_a_comparison_and_blocks_that_keep_them() {
    let value = with(randomised_json(), "/arms/0/ratio", json!(null));
    let value = with(value, "/arms/1/membership", json!({"by": "program", "program_id": PROGRAM}));
    let value = with(value, "/arms/1/role", json!("control"));
    says(&refused(value.clone()), "arms[0].ratio", "allocation ratio");
    says(&refused(value.clone()), "arms[1].membership", "allocated by the app");
    says(&refused(value), "arms[1].role", "must be one of: intervention, comparison");

    let one_arm = with(randomised_json(), "/arms", json!([randomised_json()["arms"][0]]));
    says(&refused(one_arm), "arms", "at least two arms");
    let two_interventions = with(randomised_json(), "/arms/1/role", json!("intervention"));
    says(&refused(two_interventions), "arms", "exactly one arm is the comparison");

    let unequal = with(randomised_json(), "/arms/0/ratio", json!(2));
    let errors = refused(unequal);
    says(&errors, "randomisation.block_sizes[0]", "multiple of 3");
    assert_eq!(errors.get("randomisation.block_sizes[1]"), None, "6 keeps a 2:1 ratio");
    let blocks = with(randomised_json(), "/randomisation/block_sizes", json!([4, 4, "x"]));
    let errors = refused(blocks);
    says(&errors, "randomisation.block_sizes[1]", "listed twice");
    says(&errors, "randomisation.block_sizes[2]", "whole number");
    let strata = with(randomised_json(), "/randomisation/stratify_by", json!(["shoe_size"]));
    says(&refused(strata), "randomisation.stratify_by[0]", "must be one of");
    let mut missing = randomised_json();
    missing.as_object_mut().unwrap().remove("randomisation");
    says(&refused(missing), "randomisation", "block sizes");
    let duplicate = with(randomised_json(), "/arms/1/code", json!("peer"));
    says(&refused(duplicate), "arms[1].code", "another arm");
}

fn quasi(comparison: &str, intervention: Value, comparator: Value) -> Value {
    let mut value = randomised_json();
    value["design"] = json!("quasi_experimental");
    value["comparison"] = json!(comparison);
    value["program_ids"] = json!([PROGRAM, OTHER_PROGRAM]);
    value.as_object_mut().unwrap().remove("randomisation");
    value["arms"][0]["membership"] = intervention;
    value["arms"][1]["membership"] = comparator;
    for arm in value["arms"].as_array_mut().unwrap() {
        arm.as_object_mut().unwrap().remove("ratio");
    }
    value
}

#[test]
fn quasi_experimental_arms_must_make_the_comparison_the_design_names() {
    let program = |id: &str| json!({"by": "program", "program_id": id});
    let component = |received: bool| json!({"by": "component", "program_id": PROGRAM, "component": "Peer coaching", "received": received});
    let period = |from: &str, to: &str| json!({"by": "enrolment_period", "program_id": PROGRAM, "from": from, "to": to});
    let same = quasi("other_program", program(PROGRAM), program(PROGRAM));
    says(&refused(same), "arms[1].membership.program_id", "another program");
    let mixed = quasi("other_program", program(PROGRAM), component(false));
    says(&refused(mixed), "arms[1].membership.by", "defined by program");
    let both_received = quasi("component_not_received", component(true), component(true));
    says(&refused(both_received), "arms[1].membership.received", "the comparison did not");
    let overlapping =
        quasi("historical_cohort", program(PROGRAM), period("2025-06-01", "2026-01-01"));
    says(&refused(overlapping), "arms[1].membership.to", "ends before the study's enrolment");
    let backwards =
        quasi("historical_cohort", program(PROGRAM), period("2025-06-01", "2025-01-01"));
    says(&refused(backwards), "arms[1].membership.to", "on or after the start");
    let concurrent = quasi("historical_cohort", program(PROGRAM), program(OTHER_PROGRAM));
    says(&refused(concurrent), "arms[1].membership.by", "earlier enrolment period");
    let stranger =
        quasi("other_program", program(PROGRAM), program("01890000-0000-7000-8000-000000000009"));
    says(&refused(stranger), "arms[1].membership.program_id", "not one of the study's programs");
    let unknown = quasi("other_program", program(PROGRAM), json!({"by": "luck"}));
    let errors = refused(unknown);
    says(&errors, "arms[1].membership.by", "must be one of");
    says(&errors, "arms[1].membership.program_id", "choose the program");
    let mut missing = quasi("other_program", program(PROGRAM), program(OTHER_PROGRAM));
    missing["arms"][1].as_object_mut().unwrap().remove("membership");
    missing["arms"][0]["ratio"] = json!(1);
    let errors = refused(missing);
    says(&errors, "arms[1].membership", "who is in this arm");
    says(&errors, "arms[0].ratio", "only a randomised study");
    let no_comparison = with(
        quasi("other_program", program(PROGRAM), program(OTHER_PROGRAM)),
        "/comparison",
        json!(""),
    );
    says(&refused(no_comparison), "comparison", "how the comparison group is formed");
    let with_settings = with(
        quasi("other_program", program(PROGRAM), program(OTHER_PROGRAM)),
        "/randomisation",
        json!({"block_sizes": [2]}),
    );
    says(&refused(with_settings), "randomisation", "only a randomised study");
}

#[test]
fn a_pre_post_study_refuses_a_second_arm_and_a_comparison_role() {
    let mut value = randomised_json();
    value["design"] = json!("pre_post");
    value.as_object_mut().unwrap().remove("randomisation");
    for arm in value["arms"].as_array_mut().unwrap() {
        arm.as_object_mut().unwrap().remove("ratio");
    }
    says(&refused(value.clone()), "arms", "exactly one arm");
    let comparison = with(
        value,
        "/arms",
        json!([{"code": "x", "name": "X", "receives": "Y", "role": "comparison"}]),
    );
    says(&refused(comparison), "arms[0].role", "is the intervention");
}

#[test]
fn eligibility_rules_use_the_vocabularies() {
    let value = with(
        randomised_json(),
        "/eligibility",
        json!([
            {"rule": "field", "field": "shoe_size", "any_of": ["42"]},
            {"rule": "field", "field": "setting", "any_of": ["walk_in_clinic", "moon"]},
            {"rule": "event_history", "event": {"kind": "arrest", "hospitalisation_kinds": ["psychiatric"]}},
            {"rule": "sometimes"},
            {"rule": "field", "field": "gender", "any_of": []}
        ]),
    );
    let errors = refused(value);
    says(&errors, "eligibility[0].field", "must be one of");
    says(&errors, "eligibility[1].any_of[1]", "not a setting code");
    says(&errors, "eligibility[2].event.hospitalisation_kinds", "only a hospitalisation");
    says(&errors, "eligibility[2].within_days_before", "is required");
    says(&errors, "eligibility[3].rule", "field or event_history");
    says(&errors, "eligibility[4].any_of", "list the values");
}

#[test]
fn outcomes_must_name_what_the_instruments_and_schedule_hold() {
    let value = with(
        randomised_json(),
        "/outcomes",
        json!([
            {"code": "abstinent_6m", "name": "A", "kind": "binary_at_time_point", "time_point": "6m",
             "instrument": "use-days-30", "rule": {"on": "items", "items": ["use_glue"], "comparator": "at_most", "cut_off": 0}},
            {"code": "b", "name": "B", "kind": "score_at_time_point", "time_point": "6m", "instrument": "sf-36"},
            {"code": "c", "name": "C", "kind": "score_at_time_point", "time_point": "6m", "instrument": "who-5", "scale": "joy"},
            {"code": "d", "name": "D", "kind": "binary_at_time_point", "time_point": "6m", "instrument": "barc-10",
             "rule": {"on": "band", "bands": ["great"]}},
            {"code": "e", "name": "E", "kind": "event_within", "event": {"kind": "arrest"}, "days": 365},
            {"code": "f", "name": "F", "kind": "binary_at_time_point", "time_point": "6m", "instrument": "phq-9",
             "rule": {"on": "score", "comparator": "≤", "cut_off": "1e3"}},
            {"code": "g", "name": "G", "kind": "change_from_baseline", "time_point": "intake", "instrument": "barc-10"},
            {"code": "g", "name": "", "kind": "guess"},
            {"code": "h", "name": "H", "kind": "binary_at_time_point", "time_point": "6m", "instrument": "barc-10"},
            {"code": "i", "name": "I", "kind": "event_within", "event": {"kind": "treatment_admission"}, "days": 10,
             "origin": "index_event"}
        ]),
    );
    let errors = refused(value);
    says(&errors, "outcomes[0].rule.items[0]", "not an item of use-days-30");
    says(&errors, "outcomes[1].instrument", "not an instrument");
    says(&errors, "outcomes[2].scale", "not a scale of who-5 (it has: raw, percentage)");
    says(&errors, "outcomes[3].rule.bands[0]", "not a band");
    says(&errors, "outcomes[4].days", "within the follow-up horizon (180 days)");
    says(&errors, "outcomes[5].rule.comparator", "must be one of");
    says(&errors, "outcomes[5].rule.cut_off", "a number like 0.05");
    says(&errors, "outcomes[6].time_point", "is the baseline time point");
    says(&errors, "outcomes[7].code", "another outcome");
    says(&errors, "outcomes[7].name", "is required");
    says(&errors, "outcomes[7].kind", "must be one of");
    says(&errors, "outcomes[8].rule", "yes or no");
    says(&errors, "outcomes[9].index_event", "choose the event");
}

#[test]
fn time_points_are_checked_against_the_schedule_when_it_is_known() {
    let catalogue = StudyCatalogue::library().with_time_points(["intake", "3m", "12m"]);
    let errors = StudyDefinition::parse(&input(randomised_json()), &catalogue).unwrap_err();
    says(&errors, "outcomes[0].time_point", "they schedule: 12m, 3m, intake");
    let catalogue = StudyCatalogue::library().with_time_points(["baseline", "6m"]);
    let errors = StudyDefinition::parse(&input(randomised_json()), &catalogue).unwrap_err();
    says(&errors, "baseline_time_point", "not a time point");
}

#[test]
fn the_plan_names_the_study_s_own_outcomes_covariates_and_subgroups() {
    let value = with(
        randomised_json(),
        "/plan",
        json!({
            "primary": "abstinent_6m",
            "secondary": ["abstinent_6m", "nope"],
            "alpha": 0.7,
            "covariates": [{"field": "housing"}, {"field": "age_band", "instrument": "barc-10"}],
            "subgroups": ["veteran"],
            "blinded_assessor": "perhaps"
        }),
    );
    let errors = refused(value);
    says(&errors, "plan.secondary[0]", "is the primary outcome");
    says(&errors, "plan.secondary[1]", "not the code of one of the study's outcomes");
    says(&errors, "plan.alpha", "at most 0.5");
    says(&errors, "plan.covariates[0]", "not one of the study's covariates");
    says(&errors, "plan.covariates[1]", "either a baseline field or an instrument");
    says(&errors, "plan.subgroups[0]", "not one of the study's subgroups");
    says(&errors, "plan.blinded_assessor", "yes or no");
    let no_primary = with(randomised_json(), "/plan/primary", json!("elsewhere"));
    says(&refused(no_primary), "plan.primary", "not the code");
    let covariates = with(
        randomised_json(),
        "/covariates",
        json!([{"instrument": "sf-36"}, {"field": "age_band"}, {"field": "age_band"}]),
    );
    let errors = refused(covariates);
    says(&errors, "covariates[0]", "sf-36 is not an instrument");
    says(&errors, "covariates[2]", "listed twice");
}

#[test]
fn no_input_panics() {
    // Absurd values in every slot: each is refused with a message, none panics.
    let absurd =
        [json!(null), json!(-1), json!(1e300), json!("\u{0}"), json!(""), json!("9".repeat(400))];
    let paths = [
        "/follow_up_days",
        "/enrolment_from",
        "/arms/0/ratio",
        "/outcomes/2/days",
        "/plan/alpha",
        "/eligibility/1/within_days_before",
        "/outcomes/0/rule/cut_off",
    ];
    for path in paths {
        for value in &absurd {
            let candidate = with(randomised_json(), path, value.clone());
            if let Ok(input) = serde_json::from_value::<StudyInput>(candidate) {
                let _ = StudyDefinition::parse(&input, &StudyCatalogue::library());
            }
        }
    }
}
