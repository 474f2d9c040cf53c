//! Valid studies of each design parse into what they say, and back into input.

use super::*;
use crate::vocabulary::{ArmRole, HospitalisationKind, OutcomeEventKind};

#[test]
fn a_randomised_study_parses_with_numbers_and_flags_as_json_sends_them() {
    let study = study(randomised_json());
    assert_eq!(study.design, Design::Randomised);
    assert_eq!(study.arms.len(), 2);
    assert_eq!(study.arms[1].role, ArmRole::Comparison);
    assert_eq!(study.arms[0].ratio, Some(1));
    assert_eq!(study.baseline_time_point, "intake", "the default baseline");
    let randomisation = study.randomisation.clone().expect("settings");
    assert_eq!(randomisation.block_sizes, [4, 6]);
    assert_eq!(randomisation.stratify_by, [BaselineField::PrimarySubstance]);
    assert_eq!(study.plan.alpha, 0.05);
    assert!(study.plan.blinded_assessor);
    assert_eq!(study.plan.covariates, study.covariates, "absent plan covariates: all of them");
    assert_eq!(study.plan.subgroups, study.subgroups);
    match &study.eligibility[1] {
        EligibilityRule::EventHistory { event, within_days_before, present } => {
            // Kept in vocabulary order whatever order they were sent in.
            assert_eq!(
                event.hospitalisation_kinds,
                [HospitalisationKind::Psychiatric, HospitalisationKind::Detox]
            );
            assert_eq!((*within_days_before, *present), (730, false));
        }
        other => panic!("{other:?}"),
    }
    let rule = match &study.outcomes[0].measure {
        OutcomeMeasure::BinaryAtTimePoint { rule, .. } => rule.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        rule,
        BinaryRule::Items {
            items: vec!["use_any".into()],
            comparator: crate::vocabulary::Comparator::AtMost,
            cut_off: 0.0
        }
    );
    assert_eq!(study.outcomes[3].measure.outcome_type(), OutcomeType::TimeToEvent);
}

#[test]
fn a_study_round_trips_through_its_input() {
    let first = study(randomised_json());
    let again = StudyDefinition::parse(&first.to_input(), &StudyCatalogue::library()).unwrap();
    assert_eq!(again, first);
    assert_eq!(again.plan_hash(), first.plan_hash());
    let json = serde_json::to_value(first.to_input()).unwrap();
    assert_eq!(study(json), first, "the input survives JSON too");
}

#[test]
fn a_quasi_experimental_study_defines_its_cohorts() {
    let mut value = randomised_json();
    value["design"] = json!("quasi_experimental");
    value["comparison"] = json!("historical_cohort");
    value.as_object_mut().unwrap().remove("randomisation");
    value["arms"] = json!([
        {"code": "community", "name": "Peer community", "receives": "Peer-support groups",
         "role": "intervention", "membership": {"by": "program", "program_id": PROGRAM}},
        {"code": "last_year", "name": "Last year's residents", "receives": "Housing before the groups",
         "role": "comparison",
         "membership": {"by": "enrolment_period", "program_id": PROGRAM,
                        "from": "2025-01-01", "to": "2025-12-31"}}
    ]);
    let study = study(value.clone());
    assert_eq!(
        study.design,
        Design::QuasiExperimental { comparison: ComparisonKind::HistoricalCohort }
    );
    assert!(study.randomisation.is_none());
    assert!(matches!(study.arms[1].membership, Some(Membership::EnrolmentPeriod { .. })));

    value["comparison"] = json!("component_not_received");
    value["arms"][0]["membership"] = json!({"by": "component", "program_id": PROGRAM, "component": "Peer coaching", "received": true});
    value["arms"][1]["membership"] = json!({"by": "component", "program_id": PROGRAM, "component": "Peer coaching", "received": "no"});
    let study = super::study(value.clone());
    assert!(matches!(
        &study.arms[1].membership,
        Some(Membership::Component { received: false, .. })
    ));

    value["comparison"] = json!("other_program");
    value["program_ids"] = json!([PROGRAM, OTHER_PROGRAM]);
    value["arms"][0]["membership"] = json!({"by": "program", "program_id": PROGRAM});
    value["arms"][1]["membership"] = json!({"by": "program", "program_id": OTHER_PROGRAM});
    let study = super::study(value);
    assert_eq!(study.program_ids.len(), 2);
    assert_eq!(study.to_input().comparison.as_deref(), Some("other_program"));
}

#[test]
fn a_pre_post_study_has_one_arm_whose_role_defaults_to_the_intervention() {
    let mut value = randomised_json();
    value["design"] = json!("pre_post");
    value.as_object_mut().unwrap().remove("randomisation");
    value["arms"] = json!([{"code": "all", "name": "Everyone", "receives": "The program"}]);
    let study = study(value);
    assert_eq!(study.design, Design::PrePost);
    assert_eq!(study.arms[0].role, ArmRole::Intervention);
}

#[test]
fn every_outcome_kind_parses() {
    let mut value = randomised_json();
    value["outcomes"] = json!([
        {"code": "a", "name": "A", "kind": "binary_at_time_point", "time_point": "6m",
         "instrument": "phq-9", "rule": {"on": "score", "comparator": "below", "cut_off": "10"}},
        {"code": "b", "name": "B", "kind": "binary_at_time_point", "time_point": "6m",
         "instrument": "phq-9", "rule": {"on": "band", "bands": ["mild", "minimal"]}},
        {"code": "c", "name": "C", "kind": "score_at_time_point", "time_point": "6m",
         "instrument": "who-5", "scale": "percentage"},
        {"code": "d", "name": "D", "kind": "event_within", "event": {"kind": "treatment_completion"},
         "days": 180, "origin": "index_event", "index_event": {"kind": "treatment_admission"}},
        {"code": "e", "name": "E", "kind": "event_rate",
         "event": {"kind": "appointment_attended", "appointment_kinds": ["medical"]}},
        {"code": "f", "name": "F", "kind": "repeated", "instrument": "barc-10",
         "time_points": ["intake", "3m", "6m"]}
    ]);
    value["plan"] = json!({"primary": "a"});
    let study = study(value);
    let types: Vec<OutcomeType> = study.outcomes.iter().map(|o| o.measure.outcome_type()).collect();
    use OutcomeType::*;
    assert_eq!(types, [Binary, Binary, Continuous, Binary, Count, Repeated]);
    match &study.outcomes[1].measure {
        OutcomeMeasure::BinaryAtTimePoint { rule: BinaryRule::Band { bands }, .. } => {
            assert_eq!(bands, &["minimal", "mild"], "in the instrument's order");
        }
        other => panic!("{other:?}"),
    }
    match &study.outcomes[3].measure {
        OutcomeMeasure::EventWithin { origin: Origin::IndexEvent { event }, days: 180, .. } => {
            assert_eq!(event.kind, OutcomeEventKind::TreatmentAdmission)
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(study.plan.secondary, Vec::<String>::new());
    assert_eq!(study.plan.alpha, 0.05, "α defaults to 0.05");
    let again = StudyDefinition::parse(&study.to_input(), &StudyCatalogue::library()).unwrap();
    assert_eq!(again, study);
}
