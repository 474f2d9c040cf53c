//! GEE with exchangeable working correlation against statsmodels 0.15
//! (`reference/generate_gee.py` → `tests/fixtures/gee.json`).
//!
//! Coefficients, robust SEs, z statistics, p-values, CI bounds, the exchangeable correlation
//! and the scale must agree to a relative 1e-6: |ours − theirs| ≤ 1e-6 · max(|theirs|, 1e-8).

use kindred_stats::StatsError;
use kindred_stats::gee::{GeeFamily, gee_exchangeable};
use kindred_stats::regression::Design;
use serde::Deserialize;

mod common;
use common::Mismatches;

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
    errors: Vec<ErrorCase>,
}

#[derive(Deserialize)]
struct Inputs {
    name: String,
    x: Vec<f64>,
    covariates: usize,
    names: Option<Vec<String>>,
    y: Vec<f64>,
    ids: Vec<u64>,
    family: String,
}

impl Inputs {
    fn design(&self) -> Result<Design, StatsError> {
        let design = Design::from_rows(&self.x, self.covariates, true)?;
        match &self.names {
            Some(names) => design.with_names(&names.iter().map(String::as_str).collect::<Vec<_>>()),
            None => Ok(design),
        }
    }

    fn family(&self) -> GeeFamily {
        match self.family.as_str() {
            "gaussian" => GeeFamily::Gaussian,
            "binomial" => GeeFamily::Binomial,
            other => panic!("unknown family {other}"),
        }
    }
}

#[derive(Deserialize)]
struct Case {
    #[serde(flatten)]
    inputs: Inputs,
    level: f64,
    expected: Expected,
}

#[derive(Deserialize)]
struct Expected {
    coefficients: Vec<ExpectedCoefficient>,
    correlation: f64,
    scale: f64,
    clusters: usize,
}

#[derive(Deserialize)]
struct ExpectedCoefficient {
    name: String,
    estimate: f64,
    std_error: f64,
    statistic: f64,
    p_value: f64,
    ci: [f64; 2],
}

#[derive(Deserialize)]
struct ErrorCase {
    #[serde(flatten)]
    inputs: Inputs,
    error: String,
}

fn fixture() -> Fixture {
    common::fixture("gee")
}

#[test]
fn exchangeable_gee_matches_statsmodels() {
    let mut m = Mismatches::default();
    for case in fixture().cases {
        let c = &case.inputs;
        let fit =
            gee_exchangeable(&c.design().expect("valid"), &c.y, &c.ids, c.family(), case.level)
                .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let e = &case.expected;
        assert_eq!(fit.clusters, e.clusters, "{}: clusters", c.name);
        assert_eq!(fit.n, c.y.len());
        m.close(format!("{} correlation", c.name), fit.correlation, e.correlation);
        m.close(format!("{} scale", c.name), fit.scale, e.scale);
        m.same_length(
            format!("{} coefficients", c.name),
            fit.coefficients.len(),
            e.coefficients.len(),
        );
        for (o, t) in fit.coefficients.iter().zip(&e.coefficients) {
            assert_eq!(o.name, t.name, "{}", c.name);
            let at = |field: &str| format!("{} {} {field}", c.name, t.name);
            m.close(at("estimate"), o.estimate, t.estimate);
            m.close(at("std_error"), o.std_error, t.std_error);
            m.close(at("statistic"), o.statistic, t.statistic);
            m.close(at("p_value"), o.p_value, t.p_value);
            m.close(at("ci lower"), o.ci.lower, t.ci[0]);
            m.close(at("ci upper"), o.ci.upper, t.ci[1]);
        }
    }
    m.assert_none();
}

#[test]
fn cluster_ids_of_any_hashable_type_group_the_same_rows() {
    let case = fixture().cases.into_iter().next().expect("a case");
    let c = &case.inputs;
    let design = c.design().expect("valid");
    let by_number = gee_exchangeable(&design, &c.y, &c.ids, c.family(), 0.95).expect("fits");
    let names: Vec<String> = c.ids.iter().map(|id| format!("participant-{id}")).collect();
    let by_name = gee_exchangeable(&design, &c.y, &names, c.family(), 0.95).expect("fits");
    assert_eq!(by_number.clusters, by_name.clusters);
    for (a, b) in by_number.coefficients.iter().zip(&by_name.coefficients) {
        assert!((a.estimate - b.estimate).abs() <= 1e-10 * b.estimate.abs().max(1.0));
        assert!((a.std_error - b.std_error).abs() <= 1e-10 * b.std_error);
    }
}

fn variant(error: &StatsError) -> &'static str {
    match error {
        StatsError::TooFew { .. } => "TooFew",
        StatsError::OutOfRange { .. } => "OutOfRange",
        StatsError::ConstantCovariate { .. } => "ConstantCovariate",
        StatsError::Separation => "Separation",
        StatsError::Singular => "Singular",
        StatsError::LengthMismatch { .. } => "LengthMismatch",
        StatsError::NonFinite { .. } => "NonFinite",
        other => panic!("unexpected error {other:?}"),
    }
}

#[test]
fn degenerate_inputs_give_the_right_error() {
    for case in fixture().errors {
        let c = &case.inputs;
        let result =
            c.design().and_then(|design| gee_exchangeable(&design, &c.y, &c.ids, c.family(), 0.95));
        match result {
            Err(error) => assert_eq!(variant(&error), case.error, "{}: {error}", c.name),
            Ok(_) => panic!("{}: expected {}, got a fit", c.name, case.error),
        }
    }
}

#[test]
fn mismatched_and_missing_inputs_are_refused() {
    let case = fixture().cases.into_iter().next().expect("a case");
    let c = &case.inputs;
    let design = c.design().expect("valid");
    let short = &c.ids[1..];
    assert!(matches!(
        gee_exchangeable(&design, &c.y, short, GeeFamily::Gaussian, 0.95),
        Err(StatsError::LengthMismatch { .. })
    ));
    let mut y = c.y.clone();
    y[3] = f64::NAN;
    assert!(matches!(
        gee_exchangeable(&design, &y, &c.ids, GeeFamily::Gaussian, 0.95),
        Err(StatsError::NonFinite { what: "outcome", index: 3 })
    ));
}
