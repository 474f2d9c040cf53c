//! The propensity-score pipeline against statsmodels and numpy
//! (`reference/generate_propensity.py` → `tests/fixtures/propensity.json`).
//!
//! The Rust code runs the whole pipeline from the raw data — scores, weights, balance table,
//! four outcome models — and every number must agree with the reference to a relative 1e-6:
//! |ours − theirs| ≤ 1e-6 · max(|theirs|, 1e-8).

use kindred_stats::StatsError;
use kindred_stats::propensity::{
    Estimand, OutcomeModel, Trimming, balance_table, ipw_weights, propensity_scores,
    standardised_mean_difference, weighted_outcome,
};
use kindred_stats::regression::Design;
use serde::Deserialize;

mod common;
use common::Mismatches;

#[derive(Deserialize)]
struct Fixture {
    names: Vec<String>,
    cases: Vec<Case>,
    errors: Vec<ErrorCase>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    x: Vec<f64>,
    treatment: Vec<bool>,
    days: Vec<f64>,
    recovered: Vec<f64>,
    estimand: String,
    stabilized: bool,
    trimming: Option<TrimmingSpec>,
    level: f64,
    expected: Expected,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum TrimmingSpec {
    Percentiles { lower: f64, upper: f64 },
    Cap { cap: f64 },
}

#[derive(Deserialize)]
struct Expected {
    propensity_coefficients: Vec<f64>,
    propensity_std_errors: Vec<f64>,
    scores: Vec<f64>,
    weights: Vec<f64>,
    truncated: usize,
    effective_size_treated: f64,
    effective_size_control: f64,
    balance: Vec<ExpectedBalance>,
    effects: std::collections::BTreeMap<String, ExpectedEffect>,
}

#[derive(Deserialize)]
struct ExpectedBalance {
    name: String,
    mean_treated: f64,
    mean_control: f64,
    smd: f64,
    variance_ratio: f64,
    weighted_mean_treated: f64,
    weighted_mean_control: f64,
    weighted_smd: f64,
    weighted_variance_ratio: f64,
}

#[derive(Deserialize)]
struct ExpectedEffect {
    estimate: f64,
    std_error: f64,
    statistic: f64,
    p_value: f64,
    ci: [f64; 2],
}

#[derive(Deserialize)]
struct ErrorCase {
    name: String,
    x: Vec<f64>,
    treatment: Vec<bool>,
    error: String,
}

fn fixture() -> Fixture {
    common::fixture("propensity")
}

fn trimming(spec: &Option<TrimmingSpec>) -> Trimming {
    match spec {
        None => Trimming::None,
        Some(TrimmingSpec::Percentiles { lower, upper }) => {
            Trimming::Percentiles { lower: *lower, upper: *upper }
        }
        Some(TrimmingSpec::Cap { cap }) => Trimming::Cap(*cap),
    }
}

#[test]
fn the_pipeline_matches_statsmodels_and_numpy_step_by_step() {
    let fixture = fixture();
    let names: Vec<&str> = fixture.names.iter().map(String::as_str).collect();
    let mut m = Mismatches::default();
    for case in &fixture.cases {
        let (name, e) = (&case.name, &case.expected);
        let covariates = Design::from_rows(&case.x, names.len(), true)
            .and_then(|d| d.with_names(&names))
            .expect("valid design");

        let model = propensity_scores(&covariates, &case.treatment, case.level).expect("scores");
        let coefficients = &model.fit.coefficients;
        m.same_length(
            format!("{name} ps coefficients"),
            coefficients.len(),
            e.propensity_coefficients.len(),
        );
        m.same_length(format!("{name} ps SEs"), coefficients.len(), e.propensity_std_errors.len());
        let expected = e.propensity_coefficients.iter().zip(&e.propensity_std_errors);
        for (c, (estimate, std_error)) in coefficients.iter().zip(expected) {
            m.close(format!("{name} ps {} estimate", c.name), c.estimate, *estimate);
            m.close(format!("{name} ps {} SE", c.name), c.std_error, *std_error);
        }
        m.same_length(format!("{name} scores"), model.scores.len(), e.scores.len());
        for (i, (ours, theirs)) in model.scores.iter().zip(&e.scores).enumerate() {
            m.close(format!("{name} score {i}"), *ours, *theirs);
        }

        let estimand = if case.estimand == "ate" { Estimand::Ate } else { Estimand::Att };
        let weights = ipw_weights(
            &model.scores,
            &case.treatment,
            estimand,
            case.stabilized,
            trimming(&case.trimming),
        )
        .expect("weights");
        assert_eq!(weights.truncated, e.truncated, "{name}: truncated");
        m.same_length(format!("{name} weights"), weights.weights.len(), e.weights.len());
        for (i, (ours, theirs)) in weights.weights.iter().zip(&e.weights).enumerate() {
            m.close(format!("{name} weight {i}"), *ours, *theirs);
        }
        m.close(
            format!("{name} ESS treated"),
            weights.effective_size_treated,
            e.effective_size_treated,
        );
        m.close(
            format!("{name} ESS control"),
            weights.effective_size_control,
            e.effective_size_control,
        );

        let table = balance_table(&covariates, &case.treatment, &weights.weights).expect("balance");
        assert_eq!(table.len(), e.balance.len());
        for (ours, theirs) in table.iter().zip(&e.balance) {
            assert_eq!(ours.name, theirs.name);
            let at = |field: &str| format!("{name} balance {} {field}", theirs.name);
            m.close(at("mean treated"), ours.mean_treated, theirs.mean_treated);
            m.close(at("mean control"), ours.mean_control, theirs.mean_control);
            m.close(at("smd"), ours.smd, theirs.smd);
            // The baseline table's unweighted difference is the same number.
            let j = covariates.names().iter().position(|n| n == &theirs.name).expect("column");
            let column = covariates.column(j).expect("column");
            let treated: Vec<f64> =
                column.iter().zip(&case.treatment).filter(|(_, t)| **t).map(|(x, _)| *x).collect();
            let control: Vec<f64> =
                column.iter().zip(&case.treatment).filter(|(_, t)| !**t).map(|(x, _)| *x).collect();
            let smd = standardised_mean_difference(&treated, &control, &theirs.name).expect("smd");
            m.close(at("baseline smd"), smd, theirs.smd);
            m.close(at("variance ratio"), ours.variance_ratio, theirs.variance_ratio);
            m.close(
                at("weighted mean treated"),
                ours.weighted_mean_treated,
                theirs.weighted_mean_treated,
            );
            m.close(
                at("weighted mean control"),
                ours.weighted_mean_control,
                theirs.weighted_mean_control,
            );
            m.close(at("weighted smd"), ours.weighted_smd, theirs.weighted_smd);
            m.close(
                at("weighted variance ratio"),
                ours.weighted_variance_ratio,
                theirs.weighted_variance_ratio,
            );
        }

        for (label, outcome, model, adjust) in [
            ("linear_unadjusted", &case.days, OutcomeModel::Linear, None),
            ("linear_adjusted", &case.days, OutcomeModel::Linear, Some(&covariates)),
            ("logistic_unadjusted", &case.recovered, OutcomeModel::Logistic, None),
            ("logistic_adjusted", &case.recovered, OutcomeModel::Logistic, Some(&covariates)),
        ] {
            let fit = weighted_outcome(
                outcome,
                &case.treatment,
                &weights.weights,
                adjust,
                model,
                case.level,
            )
            .unwrap_or_else(|err| panic!("{name} {label}: {err}"));
            let theirs = &e.effects[label];
            let at = |field: &str| format!("{name} {label} {field}");
            assert_eq!(fit.effect.name, "treatment");
            m.close(at("estimate"), fit.effect.estimate, theirs.estimate);
            m.close(at("std_error"), fit.effect.std_error, theirs.std_error);
            m.close(at("statistic"), fit.effect.statistic, theirs.statistic);
            m.close(at("p_value"), fit.effect.p_value, theirs.p_value);
            m.close(at("ci lower"), fit.effect.ci.lower, theirs.ci[0]);
            m.close(at("ci upper"), fit.effect.ci.upper, theirs.ci[1]);
            match (model, &fit.odds_ratio) {
                (OutcomeModel::Logistic, Some(or)) => {
                    m.close(at("odds ratio"), or.estimate, theirs.estimate.exp())
                }
                (OutcomeModel::Linear, None) => {}
                _ => panic!("{name} {label}: odds ratio presence"),
            }
        }
    }
    m.assert_none();
}

#[test]
fn degenerate_inputs_give_the_right_error() {
    let fixture = fixture();
    for case in &fixture.errors {
        let covariates = Design::from_rows(&case.x, fixture.names.len(), true).expect("valid");
        let error = propensity_scores(&covariates, &case.treatment, 0.95).expect_err(&case.name);
        let variant = match error {
            StatsError::Separation => "Separation",
            StatsError::Empty { .. } => "Empty",
            ref other => panic!("{}: unexpected {other:?}", case.name),
        };
        assert_eq!(variant, case.error, "{}: {error}", case.name);
    }
}

#[test]
fn weights_refuse_scores_without_overlap_and_bad_trimming() {
    let treatment = [true, false, true, false];
    let at_one = [0.5, 0.5, 1.0, 0.2];
    assert!(matches!(
        ipw_weights(&at_one, &treatment, Estimand::Ate, false, Trimming::None),
        Err(StatsError::OutOfRange { what: "propensity scores", .. })
    ));
    let scores = [0.5, 0.4, 0.6, 0.2];
    let bad = Trimming::Percentiles { lower: 99.0, upper: 1.0 };
    assert!(matches!(
        ipw_weights(&scores, &treatment, Estimand::Ate, false, bad),
        Err(StatsError::InvalidArgument(_))
    ));
    assert!(matches!(
        ipw_weights(&scores, &treatment, Estimand::Ate, false, Trimming::Cap(0.0)),
        Err(StatsError::InvalidArgument(_))
    ));
    assert!(matches!(
        ipw_weights(&scores, &[true; 4], Estimand::Att, true, Trimming::None),
        Err(StatsError::Empty { what: "control group" })
    ));
    assert!(matches!(
        ipw_weights(&scores[..3], &treatment, Estimand::Ate, false, Trimming::None),
        Err(StatsError::LengthMismatch { .. })
    ));
}

#[test]
fn balance_refuses_a_covariate_that_does_not_vary_within_a_group() {
    // The covariate equals the treatment, so it has no spread inside either group.
    let treatment = [true, false, true, false, true, false];
    let x = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0];
    let covariates = Design::from_columns(&[&x], false).expect("valid");
    let weights = [1.0; 6];
    assert!(matches!(
        balance_table(&covariates, &treatment, &weights),
        Err(StatsError::Undefined(_))
    ));
}
