//! Degenerate studies answer in plain words: an empty arm, no events, every participant
//! missing the outcome, a constant covariate, separation, a single subgroup level, zero
//! exposure. Never a panic, never a NaN, and a missing outcome is never zero.

mod common;

use kindred_evaluation::Observation;
use kindred_evaluation::analysis::{
    Analysis, AnalysisRequest, Comparison, OutcomeKind, OutcomePlan, StudyAnalysis, StudyDesign,
    analyse,
};
use kindred_evaluation::table::AnalysedTable;

const ARMS: [&str; 2] = ["usual care", "peer support"];

fn request(kinds: &[OutcomeKind]) -> AnalysisRequest {
    AnalysisRequest::new(
        StudyDesign::Randomised,
        kinds.iter().map(|&k| OutcomePlan::primary(k)).collect(),
    )
}

fn run(table: &AnalysedTable, request: &AnalysisRequest) -> (StudyAnalysis, String) {
    let result = analyse(table, request).expect("a well-formed table");
    let json = serde_json::to_string(&result).expect("serialises");
    common::assert_no_null(&serde_json::from_str(&json).expect("valid JSON"), "$");
    (result, json)
}

fn reason<T>(analysis: &Analysis<T>) -> &str {
    assert!(!analysis.estimable, "expected not estimable: {}", analysis.method);
    assert!(analysis.result.is_none());
    analysis.reason.as_deref().expect("a reason")
}

fn binary(arm: usize, value: bool) -> (usize, Vec<Observation>) {
    (arm, vec![Observation::Binary { value }])
}

#[test]
fn an_empty_comparison_arm_is_named() {
    let rows = (0..40).map(|i| binary(1, i % 3 == 0)).collect();
    let table = common::bare_table(&ARMS, &["abstinent at 6 months"], rows);
    let (result, _) = run(&table, &request(&[OutcomeKind::Binary]));
    let Comparison::Binary(b) = &result.outcomes[0].comparison else { panic!() };
    let text = reason(&b.arms[0]);
    assert!(
        text.starts_with(
            "No participant in the usual care arm has 'abstinent at 6 months' recorded"
        ),
        "{text}"
    );
    let rr = reason(&b.comparisons[0].risk_ratio);
    assert!(rr.contains("usual care") && rr.contains("cannot be estimated"), "{rr}");
    assert!(b.arms[1].estimable);
}

#[test]
fn every_participant_missing_the_outcome_is_counted_missing_not_zero() {
    let rows = (0..30).map(|i| (i % 2, vec![Observation::missing("lost to follow-up")])).collect();
    let table = common::bare_table(&ARMS, &["6-month score"], rows);
    let (result, _) = run(&table, &request(&[OutcomeKind::Continuous]));
    let outcome = &result.outcomes[0];
    for arm in &outcome.sample {
        assert_eq!((arm.analysed, arm.missing), (0, 15));
    }
    let Comparison::Continuous(c) = &outcome.comparison else { panic!() };
    let text = reason(&c.comparisons[0].welch);
    assert_eq!(
        text,
        "No participant in the peer support arm has '6-month score' recorded, so the difference \
         cannot be estimated."
    );
    reason(&c.arms[0]);
}

#[test]
fn a_missing_binary_outcome_is_neither_an_event_nor_a_non_event() {
    let mut rows: Vec<_> = (0..20).map(|i| binary(i % 2, i % 4 == 0)).collect();
    rows.extend((0..10).map(|i| (i % 2, vec![Observation::missing("not assessed")])));
    let table = common::bare_table(&ARMS, &["abstinent"], rows);
    let (result, _) = run(&table, &request(&[OutcomeKind::Binary]));
    let Comparison::Binary(b) = &result.outcomes[0].comparison else { panic!() };
    let arm0 = b.arms[0].result.as_ref().expect("estimable");
    assert_eq!((arm0.events, arm0.n), (5, 10));
    assert_eq!(b.arms[0].sample[0].missing, 5);
}

#[test]
fn no_events_says_so_in_every_survival_analysis() {
    let rows = (0..40)
        .map(|i| (i % 2, vec![Observation::TimeToEvent { days: 100.0 + i as f64, event: false }]))
        .collect();
    let table = common::bare_table(&ARMS, &["days to rehospitalisation"], rows);
    let (result, _) = run(&table, &request(&[OutcomeKind::TimeToEvent]));
    let Comparison::TimeToEvent(s) = &result.outcomes[0].comparison else { panic!() };
    // The curves still exist: survival stays at 1.
    let curve = s.arms[0].result.as_ref().expect("a flat curve");
    assert!(curve.points.iter().all(|p| p.survival == 1.0));
    assert_eq!(curve.events, 0);
    for text in [reason(s.log_rank.as_ref().unwrap()), reason(s.cox.as_ref().unwrap())] {
        assert!(
            text.starts_with("No participant had the event 'days to rehospitalisation'"),
            "{text}"
        );
    }
}

#[test]
fn an_arm_without_events_makes_the_hazard_ratio_not_estimable_but_not_the_log_rank() {
    let rows = (0..60)
        .map(|i| {
            let arm = i % 2;
            (
                arm,
                vec![Observation::TimeToEvent {
                    days: 10.0 + i as f64,
                    event: arm == 0 && i % 3 == 0,
                }],
            )
        })
        .collect();
    let table = common::bare_table(&ARMS, &["days to relapse"], rows);
    let (result, _) = run(&table, &request(&[OutcomeKind::TimeToEvent]));
    let Comparison::TimeToEvent(s) = &result.outcomes[0].comparison else { panic!() };
    assert!(s.log_rank.as_ref().unwrap().estimable);
    let text = reason(s.cox.as_ref().unwrap());
    assert!(text.starts_with("No participant in the peer support arm had the event"), "{text}");
}

#[test]
fn separation_in_the_adjusted_logistic_model_is_explained() {
    // A covariate that predicts the outcome perfectly.
    let rows: Vec<_> = (0..40).map(|i| binary(i % 2, i % 5 < 2)).collect();
    let mut table = common::bare_table(&ARMS, &["abstinent"], rows);
    table.covariates = vec!["prior treatment".into()];
    for row in &mut table.rows {
        let Observation::Binary { value } = row.outcomes[0] else { panic!() };
        row.covariates = vec![Some(if value { 1.0 } else { 0.0 })];
    }
    let mut request = request(&[OutcomeKind::Binary]);
    request.adjust_for = vec!["prior treatment".into()];
    let (result, _) = run(&table, &request);
    let Comparison::Binary(b) = &result.outcomes[0].comparison else { panic!() };
    let text = reason(b.adjusted.as_ref().unwrap());
    assert!(text.contains("separation") && text.contains("adjusted odds ratio"), "{text}");
    assert!(b.comparisons[0].risk_ratio.estimable);
}

#[test]
fn a_zero_cell_leaves_the_risk_difference() {
    let rows: Vec<_> = (0..40).map(|i| binary(i % 2, i % 2 == 1 && i % 3 == 0)).collect();
    let table = common::bare_table(&ARMS, &["abstinent"], rows);
    let (result, _) = run(&table, &request(&[OutcomeKind::Binary]));
    let Comparison::Binary(b) = &result.outcomes[0].comparison else { panic!() };
    let c = &b.comparisons[0];
    let text = reason(&c.risk_ratio);
    assert!(text.starts_with("In the usual care arm nobody had the outcome 'abstinent'"), "{text}");
    assert!(c.risk_difference.estimable);
    // 20 per arm with few events: an expected count below 5, so Fisher's exact test.
    assert!(c.test.method.starts_with("Fisher's exact test"), "{}", c.test.method);
    assert!(c.test.estimable);
}

#[test]
fn a_constant_covariate_is_left_out_of_the_adjustment_with_a_note() {
    let rows: Vec<_> = (0..60)
        .map(|i| (i % 2, vec![Observation::Continuous { value: (i * 7 % 11) as f64 }]))
        .collect();
    let mut table = common::bare_table(&ARMS, &["score"], rows);
    table.covariates = vec!["veteran".into(), "age".into()];
    for (i, row) in table.rows.iter_mut().enumerate() {
        row.covariates = vec![Some(1.0), Some(20.0 + (i * 13 % 40) as f64)];
    }
    let mut request = request(&[OutcomeKind::Continuous]);
    request.adjust_for = vec!["veteran".into(), "age".into()];
    let (result, _) = run(&table, &request);
    let Comparison::Continuous(c) = &result.outcomes[0].comparison else { panic!() };
    let adjusted = c.adjusted.as_ref().unwrap();
    assert!(adjusted.estimable);
    assert_eq!(
        adjusted.notes,
        vec![
            "'veteran' has the same value for everyone analysed, so the adjustment leaves it out."
        ]
    );
    // A subgroup variable everyone shares cannot be tested for interaction.
    table.subgroups = vec!["gender".into()];
    for row in &mut table.rows {
        row.subgroups = vec![Some("woman".into())];
    }
    request.subgroups = vec!["gender".into()];
    let (result, _) = run(&table, &request);
    let subgroup = &result.outcomes[0].subgroups[0];
    assert_eq!(subgroup.levels.len(), 1);
    assert!(subgroup.levels[0].effects.estimable);
    assert_eq!(
        reason(&subgroup.interaction),
        "Everyone analysed with 'gender' recorded is in one subgroup ('woman'), so there is no \
         difference between subgroups to test."
    );
}

#[test]
fn zero_exposure_is_excluded_from_the_rates() {
    let mut rows: Vec<_> = (0..40)
        .map(|i| {
            (
                i % 2,
                vec![Observation::Count { events: (i % 4) as f64, exposure_days: 30.0 + i as f64 }],
            )
        })
        .collect();
    rows.extend(
        (0..6).map(|i| (i % 2, vec![Observation::Count { events: 0.0, exposure_days: 0.0 }])),
    );
    let table = common::bare_table(&ARMS, &["appointments attended"], rows);
    let (result, _) = run(&table, &request(&[OutcomeKind::Count]));
    let Comparison::Count(c) = &result.outcomes[0].comparison else { panic!() };
    let ratios = c.rate_ratios.as_ref().unwrap();
    assert!(ratios.estimable);
    assert!(ratios.sample.iter().all(|s| s.excluded == 3 && s.analysed == 20));
    // An arm whose only participants had no time at risk.
    let rows = (0..10)
        .map(|i| {
            (
                i % 2,
                vec![Observation::Count {
                    events: 1.0,
                    exposure_days: if i % 2 == 0 { 0.0 } else { 10.0 },
                }],
            )
        })
        .collect();
    let table = common::bare_table(&ARMS, &["appointments attended"], rows);
    let (result, _) = run(&table, &request(&[OutcomeKind::Count]));
    let Comparison::Count(c) = &result.outcomes[0].comparison else { panic!() };
    assert_eq!(
        reason(&c.arms[0]),
        "No participant in the usual care arm had any time at risk (zero exposure), so the rate \
         cannot be estimated."
    );
    reason(c.rate_ratios.as_ref().unwrap());
}

#[test]
fn every_degenerate_case_together_serialises_without_a_missing_number() {
    // One table holding every kind of outcome, each degenerate in its own way, with a full
    // set of secondary analyses switched on.
    let outcomes =
        ["all missing", "no events", "constant score", "zero exposure", "one time point", "change"];
    let rows = (0..24)
        .map(|i| {
            let arm = usize::from(i >= 12);
            (
                arm,
                vec![
                    Observation::missing("not assessed"),
                    Observation::TimeToEvent { days: 30.0, event: false },
                    Observation::Continuous { value: 5.0 },
                    Observation::Count { events: 0.0, exposure_days: 0.0 },
                    Observation::Repeated {
                        points: vec![kindred_evaluation::RepeatedPoint {
                            time_point: "intake".into(),
                            position: 0,
                            day: 0.0,
                            value: 3.0,
                        }],
                    },
                    if arm == 0 {
                        Observation::missing("none")
                    } else {
                        Observation::Change { baseline: 3.0, follow_up: 3.0 }
                    },
                ],
            )
        })
        .collect();
    let mut table = common::bare_table(&ARMS, &outcomes, rows);
    table.covariates = vec!["constant".into()];
    table.subgroups = vec!["site".into()];
    for row in &mut table.rows {
        row.covariates = vec![Some(2.0)];
        row.subgroups = vec![Some("one site".into())];
        row.cost_cents = Some(1_000);
    }
    let mut request = AnalysisRequest::new(
        StudyDesign::QuasiExperimental,
        [
            OutcomeKind::Binary,
            OutcomeKind::TimeToEvent,
            OutcomeKind::Continuous,
            OutcomeKind::Count,
            OutcomeKind::Repeated,
            OutcomeKind::Change,
        ]
        .into_iter()
        .map(OutcomePlan::primary)
        .collect(),
    );
    request.adjust_for = vec!["constant".into()];
    request.subgroups = vec!["site".into()];
    request.good_outcome =
        Some(kindred_evaluation::analysis::GoodOutcome { outcome: 0, good_value: true });
    let (result, json) = run(&table, &request);
    if let Ok(dir) = std::env::var("EVAL_DUMP") {
        std::fs::write(format!("{dir}/degenerate.json"), &json).unwrap();
    }
    assert!(json.contains("\"estimable\":false"));
    assert!(!result.propensity[0].model.estimable);
    assert!(reason(&result.outcomes[2].weighted[0]).starts_with("The propensity-score weights"));
    // The same with every design.
    for design in [StudyDesign::Randomised, StudyDesign::PrePost] {
        request.design = design;
        run(&table, &request);
    }
}

#[test]
fn a_table_that_contradicts_itself_is_an_error_not_a_result() {
    let table = common::bare_table(
        &ARMS,
        &["score"],
        vec![(2, vec![Observation::Continuous { value: 1.0 }])],
    );
    assert!(analyse(&table, &request(&[OutcomeKind::Continuous])).is_err());
    let table =
        common::bare_table(&ARMS, &["score"], vec![(0, vec![Observation::Binary { value: true }])]);
    let error = analyse(&table, &request(&[OutcomeKind::Continuous])).unwrap_err();
    assert_eq!(error.to_string(), "participant p00000: outcome score should be continuous");
    let table = common::bare_table(
        &ARMS,
        &["score"],
        vec![(0, vec![Observation::Continuous { value: f64::NAN }])],
    );
    assert!(analyse(&table, &request(&[OutcomeKind::Continuous])).is_err());
}
