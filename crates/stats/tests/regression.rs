//! Linear, logistic and Poisson regression against statsmodels 0.15
//! (`reference/generate_regression.py` → `tests/fixtures/regression.json`).
//!
//! Every estimate, standard error, statistic, p-value and confidence bound must agree to a
//! relative 1e-6: |ours − theirs| ≤ 1e-6 · max(|theirs|, 1e-8), the floor only mattering for
//! values that are exactly zero. Degenerate inputs must give the exact `StatsError` variant.

use kindred_stats::StatsError;
use kindred_stats::regression::{
    Coefficient, Covariance, Design, GlmCovariance, GlmFit, GlmOptions, logistic, ols, poisson,
};
use serde::Deserialize;

mod common;
use common::Mismatches;

#[derive(Deserialize)]
struct Fixture {
    ols: Vec<OlsCase>,
    logistic: Vec<GlmCase>,
    poisson: Vec<GlmCase>,
    errors: Vec<ErrorCase>,
    separation_oracle: Vec<OracleCase>,
}

#[derive(Deserialize)]
struct OracleCase {
    #[serde(flatten)]
    inputs: Inputs,
    counts: Vec<f64>,
    logistic_separated: bool,
    poisson_separated: bool,
}

#[derive(Deserialize)]
struct Inputs {
    name: String,
    x: Vec<f64>,
    covariates: usize,
    intercept: bool,
    names: Option<Vec<String>>,
    y: Vec<f64>,
    weights: Option<Vec<f64>>,
    offset: Option<Vec<f64>>,
}

impl Inputs {
    fn design(&self) -> Result<Design, StatsError> {
        let design = Design::from_rows(&self.x, self.covariates, self.intercept)?;
        match &self.names {
            Some(names) => design.with_names(&names.iter().map(String::as_str).collect::<Vec<_>>()),
            None => Ok(design),
        }
    }
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
struct OlsCase {
    #[serde(flatten)]
    inputs: Inputs,
    covariance: String,
    level: f64,
    expected: OlsExpected,
}

#[derive(Deserialize)]
struct OlsExpected {
    coefficients: Vec<ExpectedCoefficient>,
    df_resid: f64,
    sigma: f64,
    r_squared: f64,
    adj_r_squared: f64,
    f_statistic: Option<f64>,
    f_pvalue: Option<f64>,
}

#[derive(Deserialize)]
struct GlmCase {
    #[serde(flatten)]
    inputs: Inputs,
    covariance: String,
    level: f64,
    expected: GlmExpected,
}

#[derive(Deserialize)]
struct GlmExpected {
    coefficients: Vec<ExpectedCoefficient>,
    log_likelihood: f64,
    deviance: f64,
    lr: Option<ExpectedLr>,
}

#[derive(Deserialize)]
struct ExpectedLr {
    statistic: f64,
    df: f64,
    p_value: f64,
    null_log_likelihood: f64,
}

#[derive(Deserialize)]
struct ErrorCase {
    #[serde(flatten)]
    inputs: Inputs,
    model: String,
    error: String,
}

fn fixture() -> Fixture {
    common::fixture("regression")
}

/// Records every disagreement of a coefficient table with statsmodels' in `m`.
fn check_coefficients(
    m: &mut Mismatches,
    case: &str,
    ours: &[Coefficient],
    theirs: &[ExpectedCoefficient],
) {
    assert_eq!(ours.len(), theirs.len(), "{case}: number of coefficients");
    for (o, t) in ours.iter().zip(theirs) {
        assert_eq!(o.name, t.name, "{case}: coefficient names");
        let at = |field: &str| format!("{case} {} {field}", t.name);
        m.close(at("estimate"), o.estimate, t.estimate);
        m.close(at("std_error"), o.std_error, t.std_error);
        m.close(at("statistic"), o.statistic, t.statistic);
        m.close(at("p_value"), o.p_value, t.p_value);
        m.close(at("ci lower"), o.ci.lower, t.ci[0]);
        m.close(at("ci upper"), o.ci.upper, t.ci[1]);
    }
}

fn ols_covariance(name: &str) -> Covariance {
    match name {
        "classical" => Covariance::Classical,
        "hc0" => Covariance::Hc0,
        "hc1" => Covariance::Hc1,
        other => panic!("unknown covariance {other}"),
    }
}

fn glm_options<'a>(inputs: &'a Inputs, covariance: &str, level: f64) -> GlmOptions<'a> {
    GlmOptions {
        weights: inputs.weights.as_deref(),
        offset: inputs.offset.as_deref(),
        covariance: match covariance {
            "model" => GlmCovariance::ModelBased,
            "robust" => GlmCovariance::Robust,
            other => panic!("unknown covariance {other}"),
        },
        level,
    }
}

#[test]
fn ols_matches_statsmodels() {
    let mut m = Mismatches::default();
    for case in fixture().ols {
        let c = &case.inputs;
        let design = c.design().expect("valid design");
        let fit =
            ols(&design, &c.y, c.weights.as_deref(), ols_covariance(&case.covariance), case.level)
                .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let e = &case.expected;
        check_coefficients(&mut m, &c.name, &fit.coefficients, &e.coefficients);
        m.close(format!("{} df_resid", c.name), fit.df_resid, e.df_resid);
        m.close(format!("{} sigma", c.name), fit.sigma, e.sigma);
        m.close(format!("{} r_squared", c.name), fit.r_squared, e.r_squared);
        m.close(format!("{} adj_r_squared", c.name), fit.adj_r_squared, e.adj_r_squared);
        match (fit.f_test, e.f_statistic, e.f_pvalue) {
            (Some(f), Some(stat), Some(p)) => {
                m.close(format!("{} F", c.name), f.statistic, stat);
                m.close(format!("{} F p-value", c.name), f.p_value, p);
            }
            (None, None, None) => {}
            _ => panic!("{}: F test presence differs", c.name),
        }
    }
    m.assert_none();
}

fn check_glm(m: &mut Mismatches, case: &GlmCase, fit: &GlmFit) {
    let (name, e) = (&case.inputs.name, &case.expected);
    check_coefficients(m, name, &fit.coefficients, &e.coefficients);
    m.same_length(format!("{name} ratios"), fit.ratios.len(), e.coefficients.len());
    for (ratio, coef) in fit.ratios.iter().zip(&e.coefficients) {
        m.close(format!("{name} {} ratio", coef.name), ratio.estimate, coef.estimate.exp());
        m.close(format!("{name} {} ratio lower", coef.name), ratio.ci.lower, coef.ci[0].exp());
        m.close(format!("{name} {} ratio upper", coef.name), ratio.ci.upper, coef.ci[1].exp());
    }
    m.close(format!("{name} log_likelihood"), fit.log_likelihood, e.log_likelihood);
    m.close(format!("{name} deviance"), fit.deviance, e.deviance);
    match (&fit.lr_test, &e.lr) {
        (Some(ours), Some(theirs)) => {
            m.close(format!("{name} LR statistic"), ours.statistic, theirs.statistic);
            m.close(format!("{name} LR df"), ours.df, theirs.df);
            m.close(format!("{name} LR p-value"), ours.p_value, theirs.p_value);
            m.close(
                format!("{name} null ll"),
                ours.null_log_likelihood,
                theirs.null_log_likelihood,
            );
        }
        (None, None) => {}
        _ => panic!("{name}: LR test presence differs"),
    }
}

#[test]
fn logistic_matches_statsmodels() {
    let mut m = Mismatches::default();
    for case in fixture().logistic {
        let c = &case.inputs;
        let design = c.design().expect("valid design");
        let fit = logistic(&design, &c.y, &glm_options(c, &case.covariance, case.level))
            .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        check_glm(&mut m, &case, &fit);
    }
    m.assert_none();
}

#[test]
fn poisson_matches_statsmodels() {
    let mut m = Mismatches::default();
    for case in fixture().poisson {
        let c = &case.inputs;
        let design = c.design().expect("valid design");
        let fit = poisson(&design, &c.y, &glm_options(c, &case.covariance, case.level))
            .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        check_glm(&mut m, &case, &fit);
    }
    m.assert_none();
}

fn variant(error: &StatsError) -> &'static str {
    match error {
        StatsError::Empty { .. } => "Empty",
        StatsError::TooFew { .. } => "TooFew",
        StatsError::LengthMismatch { .. } => "LengthMismatch",
        StatsError::NonFinite { .. } => "NonFinite",
        StatsError::OutOfRange { .. } => "OutOfRange",
        StatsError::NoEvents { .. } => "NoEvents",
        StatsError::ConstantCovariate { .. } => "ConstantCovariate",
        StatsError::Singular => "Singular",
        StatsError::Separation => "Separation",
        StatsError::NotConverged { .. } => "NotConverged",
        StatsError::Undefined(_) => "Undefined",
        StatsError::InvalidArgument(_) => "InvalidArgument",
    }
}

#[test]
fn degenerate_inputs_give_the_right_error() {
    for case in fixture().errors {
        let c = &case.inputs;
        let options = GlmOptions {
            weights: c.weights.as_deref(),
            offset: c.offset.as_deref(),
            ..Default::default()
        };
        let result = c.design().and_then(|design| match case.model.as_str() {
            "ols" => {
                ols(&design, &c.y, c.weights.as_deref(), Covariance::Classical, 0.95).map(|_| ())
            }
            "logistic" => logistic(&design, &c.y, &options).map(|_| ()),
            "poisson" => poisson(&design, &c.y, &options).map(|_| ()),
            other => panic!("unknown model {other}"),
        });
        match result {
            Err(error) => assert_eq!(variant(&error), case.error, "{}: {error}", c.name),
            Ok(()) => panic!("{}: expected {}, got a fit", c.name, case.error),
        }
    }
}

/// Separation is reported exactly when a linear program (scipy's HiGHS, run by the
/// generator) finds a direction along which the likelihood rises forever — no false alarms on
/// merely extreme fits, no missed cases.
#[test]
fn separation_is_reported_exactly_when_a_linear_program_finds_it() {
    let cases = fixture().separation_oracle;
    assert!(cases.iter().filter(|c| c.logistic_separated).count() >= 10);
    assert!(cases.iter().filter(|c| c.poisson_separated).count() >= 10);
    for case in &cases {
        let c = &case.inputs;
        let design = c.design().expect("valid design");
        let options = GlmOptions::default();
        let logit = logistic(&design, &c.y, &options).map(|_| ());
        let expected = if case.logistic_separated { Err(StatsError::Separation) } else { Ok(()) };
        assert_eq!(logit, expected, "{} logistic", c.name);
        let counts = poisson(&design, &case.counts, &options).map(|_| ());
        let expected = if case.poisson_separated { Err(StatsError::Separation) } else { Ok(()) };
        assert_eq!(counts, expected, "{} poisson", c.name);
    }
}

#[test]
fn missing_values_and_bad_arguments_are_refused() {
    let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let design = Design::from_rows(&x, 1, true).expect("valid");
    let y = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0];
    let nan_y = [0.0, f64::NAN, 0.0, 1.0, 1.0, 0.0];
    assert!(matches!(
        Design::from_rows(&[1.0, f64::NAN, 3.0], 1, true),
        Err(StatsError::NonFinite { index: 1, .. })
    ));
    assert!(matches!(Design::from_rows(&[], 2, true), Err(StatsError::Empty { .. })));
    assert!(matches!(
        Design::from_columns(&[&[1.0, 2.0], &[1.0]], true),
        Err(StatsError::LengthMismatch { .. })
    ));
    assert!(matches!(Design::from_rows(&x, 4, true), Err(StatsError::InvalidArgument(_))));
    assert!(matches!(
        design.clone().with_names(&["a", "b"]),
        Err(StatsError::LengthMismatch { .. })
    ));
    assert!(matches!(
        ols(&design, &nan_y, None, Covariance::Classical, 0.95),
        Err(StatsError::NonFinite { what: "outcome", index: 1 })
    ));
    assert!(matches!(
        logistic(&design, &y[..5], &GlmOptions::default()),
        Err(StatsError::LengthMismatch { .. })
    ));
    assert!(matches!(
        ols(&design, &y, None, Covariance::Classical, 1.0),
        Err(StatsError::InvalidArgument(_))
    ));
    let negative = [1.0, -1.0, 1.0, 1.0, 1.0, 1.0];
    let options = GlmOptions { weights: Some(&negative), ..Default::default() };
    assert!(matches!(
        logistic(&design, &y, &options),
        Err(StatsError::OutOfRange { what: "weights", .. })
    ));
    let offset = [0.0, 0.0, f64::INFINITY, 0.0, 0.0, 0.0];
    let options = GlmOptions { offset: Some(&offset), ..Default::default() };
    assert!(matches!(
        poisson(&design, &y, &options),
        Err(StatsError::NonFinite { what: "offset", .. })
    ));
}
