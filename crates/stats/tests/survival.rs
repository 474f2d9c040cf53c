//! Time-to-event analysis against lifelines and statsmodels (fixtures from
//! `reference/generate_survival.py`), every value to 1e-6 relative.

use kindred_stats::StatsError;
use kindred_stats::survival::{
    CoxFit, Ties, TimeTransform, concordance_index, cox_ph, kaplan_meier, log_rank_test,
    proportional_hazards_test,
};
use serde::Deserialize;

mod common;
use common::{assert_all_close, assert_close};

#[derive(Deserialize)]
struct Fixture {
    kaplan_meier: Vec<KmCase>,
    logrank: Vec<LogRankCase>,
    cox: Vec<CoxCase>,
    concordance: Vec<ConcordanceCase>,
}

#[derive(Deserialize)]
struct KmCase {
    name: String,
    level: f64,
    times: Vec<f64>,
    events: Vec<u8>,
    timeline: Vec<f64>,
    survival: Vec<f64>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    median: Option<f64>,
    median_lower: Option<f64>,
    median_upper: Option<f64>,
}

#[derive(Deserialize)]
struct LogRankCase {
    name: String,
    times: Vec<f64>,
    events: Vec<u8>,
    groups: Vec<usize>,
    strata: Option<Vec<usize>>,
    statistic: f64,
    df: f64,
    p_value: f64,
}

#[derive(Deserialize)]
struct CoxCase {
    name: String,
    level: f64,
    times: Vec<f64>,
    events: Vec<u8>,
    covariates: Vec<Vec<f64>>,
    efron: Efron,
    breslow: Breslow,
}

#[derive(Deserialize)]
struct Efron {
    coef: Vec<f64>,
    se: Vec<f64>,
    z: Vec<f64>,
    p_value: Vec<f64>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    hr: Vec<f64>,
    hr_lower: Vec<f64>,
    hr_upper: Vec<f64>,
    log_likelihood: f64,
    null_log_likelihood: f64,
    lr_statistic: f64,
    lr_p_value: f64,
    wald_statistic: f64,
    wald_p_value: f64,
    concordance: f64,
    ph_test: PhTests,
}

#[derive(Deserialize)]
struct PhTests {
    km: PhTest,
    identity: PhTest,
    log: PhTest,
}

#[derive(Deserialize)]
struct PhTest {
    statistic: Vec<f64>,
    p_value: Vec<f64>,
    global: Global,
}

#[derive(Deserialize)]
struct Global {
    statistic: f64,
    df: f64,
    p_value: f64,
}

#[derive(Deserialize)]
struct Breslow {
    coef: Vec<f64>,
    se: Vec<f64>,
    z: Vec<f64>,
    p_value: Vec<f64>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    log_likelihood: f64,
    null_log_likelihood: f64,
}

#[derive(Deserialize)]
struct ConcordanceCase {
    times: Vec<f64>,
    events: Vec<u8>,
    scores: Vec<f64>,
    concordance: f64,
}

fn fixture() -> Fixture {
    common::fixture("survival")
}

fn flags(events: &[u8]) -> Vec<bool> {
    events.iter().map(|&e| e == 1).collect()
}

#[test]
fn kaplan_meier_matches_lifelines() {
    for case in fixture().kaplan_meier {
        let km = kaplan_meier(&case.times, &flags(&case.events), case.level).unwrap();
        let name = &case.name;
        let mut compared = 0;
        for (i, &t) in case.timeline.iter().enumerate() {
            // lifelines adds a row at time 0 (Ŝ = 1) that is not an observed time.
            let Some(step) = km.steps.iter().find(|s| s.time == t) else {
                assert_eq!(t, 0.0, "{name}: lifelines time {t} missing");
                continue;
            };
            assert_close(step.survival, case.survival[i], &format!("{name} S({t})"));
            assert_close(step.lower, case.lower[i], &format!("{name} lower({t})"));
            assert_close(step.upper, case.upper[i], &format!("{name} upper({t})"));
            compared += 1;
        }
        assert_eq!(compared, km.steps.len(), "{name}: every step compared");
        assert_eq!(km.median.estimate, case.median, "{name} median");
        assert_eq!(km.median.lower, case.median_lower, "{name} median lower");
        assert_eq!(km.median.upper, case.median_upper, "{name} median upper");
    }
}

#[test]
fn log_rank_matches_lifelines_and_the_stratified_formula() {
    for case in fixture().logrank {
        let result =
            log_rank_test(&case.times, &flags(&case.events), &case.groups, case.strata.as_deref())
                .unwrap();
        assert_close(result.test.statistic, case.statistic, &format!("{} statistic", case.name));
        assert_close(result.test.p_value, case.p_value, &format!("{} p", case.name));
        assert_eq!(result.test.df, case.df);
        let observed: f64 = result.observed.iter().sum();
        let expected: f64 = result.expected.iter().sum();
        assert_close(expected, observed, &format!("{} O and E totals", case.name));
    }
}

fn fit(case: &CoxCase, ties: Ties) -> CoxFit {
    let columns: Vec<&[f64]> = case.covariates.iter().map(Vec::as_slice).collect();
    cox_ph(&case.times, &flags(&case.events), &columns, ties, case.level)
        .expect("the Cox fit on a reference data set")
}

#[test]
fn cox_efron_matches_lifelines() {
    for case in fixture().cox {
        let fit = fit(&case, Ties::Efron);
        let e = &case.efron;
        let name = format!("{} Efron", case.name);
        let column = |f: fn(&kindred_stats::survival::CoxCoefficient) -> f64| {
            fit.coefficients.iter().map(f).collect::<Vec<_>>()
        };
        assert_all_close(&column(|c| c.coef), &e.coef, &format!("{name} coef"));
        assert_all_close(&column(|c| c.standard_error), &e.se, &format!("{name} se"));
        assert_all_close(&column(|c| c.z), &e.z, &format!("{name} z"));
        assert_all_close(&column(|c| c.p_value), &e.p_value, &format!("{name} p"));
        assert_all_close(&column(|c| c.interval.lower), &e.lower, &format!("{name} lower"));
        assert_all_close(&column(|c| c.interval.upper), &e.upper, &format!("{name} upper"));
        assert_all_close(&column(|c| c.hazard_ratio), &e.hr, &format!("{name} HR"));
        let hr_lower = column(|c| c.hazard_ratio_interval.lower);
        assert_all_close(&hr_lower, &e.hr_lower, &format!("{name} HR lower"));
        let hr_upper = column(|c| c.hazard_ratio_interval.upper);
        assert_all_close(&hr_upper, &e.hr_upper, &format!("{name} HR upper"));
        assert_close(fit.log_likelihood, e.log_likelihood, &format!("{name} ll"));
        assert_close(fit.null_log_likelihood, e.null_log_likelihood, &format!("{name} ll0"));
        assert_close(fit.likelihood_ratio.statistic, e.lr_statistic, &format!("{name} LR"));
        assert_close(fit.likelihood_ratio.p_value, e.lr_p_value, &format!("{name} LR p"));
        assert_close(fit.wald.statistic, e.wald_statistic, &format!("{name} Wald"));
        assert_close(fit.wald.p_value, e.wald_p_value, &format!("{name} Wald p"));
        assert_close(fit.concordance.unwrap(), e.concordance, &format!("{name} C"));
    }
}

#[test]
fn cox_breslow_matches_statsmodels() {
    for case in fixture().cox {
        let fit = fit(&case, Ties::Breslow);
        let b = &case.breslow;
        let name = format!("{} Breslow", case.name);
        let coefs: Vec<_> = fit.coefficients.iter().collect();
        assert_all_close(
            &coefs.iter().map(|c| c.coef).collect::<Vec<_>>(),
            &b.coef,
            &format!("{name} coef"),
        );
        let se: Vec<_> = coefs.iter().map(|c| c.standard_error).collect();
        assert_all_close(&se, &b.se, &format!("{name} se"));
        assert_all_close(
            &coefs.iter().map(|c| c.z).collect::<Vec<_>>(),
            &b.z,
            &format!("{name} z"),
        );
        let p: Vec<_> = coefs.iter().map(|c| c.p_value).collect();
        assert_all_close(&p, &b.p_value, &format!("{name} p"));
        let lower: Vec<_> = coefs.iter().map(|c| c.interval.lower).collect();
        assert_all_close(&lower, &b.lower, &format!("{name} lower"));
        let upper: Vec<_> = coefs.iter().map(|c| c.interval.upper).collect();
        assert_all_close(&upper, &b.upper, &format!("{name} upper"));
        assert_close(fit.log_likelihood, b.log_likelihood, &format!("{name} ll"));
        assert_close(fit.null_log_likelihood, b.null_log_likelihood, &format!("{name} ll0"));
    }
}

#[test]
fn schoenfeld_test_matches_lifelines() {
    for case in fixture().cox {
        let fit = fit(&case, Ties::Efron);
        let columns: Vec<&[f64]> = case.covariates.iter().map(Vec::as_slice).collect();
        let events = flags(&case.events);
        for (transform, expected, label) in [
            (TimeTransform::Km, &case.efron.ph_test.km, "km"),
            (TimeTransform::Identity, &case.efron.ph_test.identity, "identity"),
            (TimeTransform::Log, &case.efron.ph_test.log, "log"),
        ] {
            let name = format!("{} PH {label}", case.name);
            let test =
                proportional_hazards_test(&fit, &case.times, &events, &columns, transform).unwrap();
            let stats: Vec<_> = test.per_covariate.iter().map(|t| t.statistic).collect();
            assert_all_close(&stats, &expected.statistic, &name);
            let p: Vec<_> = test.per_covariate.iter().map(|t| t.p_value).collect();
            assert_all_close(&p, &expected.p_value, &format!("{name} p"));
            assert_close(
                test.global.statistic,
                expected.global.statistic,
                &format!("{name} global"),
            );
            assert_close(test.global.p_value, expected.global.p_value, &format!("{name} global p"));
            assert_eq!(test.global.df, expected.global.df);
        }
    }
}

#[test]
fn concordance_matches_lifelines_with_ties() {
    for (i, case) in fixture().concordance.iter().enumerate() {
        let c = concordance_index(&case.times, &case.scores, &flags(&case.events)).unwrap();
        assert_close(c.index, case.concordance, &format!("concordance case {i}"));
    }
}

#[test]
fn degenerate_survival_inputs_are_named_errors() {
    let times = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let events = [true, false, true, true, false, true];
    let x: &[f64] = &[0.5, 1.0, -0.3, 2.0, 0.1, -1.2];

    assert_eq!(kaplan_meier(&[], &[], 0.95), Err(StatsError::Empty { what: "times" }));
    assert_eq!(
        kaplan_meier(&[1.0, f64::NAN], &[true, true], 0.95),
        Err(StatsError::NonFinite { what: "times", index: 1 })
    );
    assert!(matches!(
        kaplan_meier(&[1.0, -2.0], &[true, true], 0.95),
        Err(StatsError::OutOfRange { what: "times", .. })
    ));
    assert_eq!(
        kaplan_meier(&times, &events[..3], 0.95),
        Err(StatsError::LengthMismatch { what: "times and events", left: 6, right: 3 })
    );

    assert_eq!(
        log_rank_test(&times, &[false; 6], &[0, 0, 0, 1, 1, 1], None),
        Err(StatsError::NoEvents { what: "the log-rank test" })
    );
    assert!(matches!(
        log_rank_test(&times, &events, &[0; 6], None),
        Err(StatsError::InvalidArgument(_))
    ));

    assert_eq!(
        cox_ph(&times, &[false; 6], &[x], Ties::Efron, 0.95),
        Err(StatsError::NoEvents { what: "the Cox model" })
    );
    assert_eq!(
        cox_ph(&times, &events, &[x, &[3.0; 6]], Ties::Efron, 0.95),
        Err(StatsError::ConstantCovariate { index: 1 })
    );
    let doubled: Vec<f64> = x.iter().map(|v| 2.0 * v + 1.0).collect();
    assert_eq!(
        cox_ph(&times, &events, &[x, &doubled], Ties::Efron, 0.95),
        Err(StatsError::Singular)
    );
    assert_eq!(
        cox_ph(&times, &events, &[&[1.0, 2.0, f64::NAN, 0.0, 1.0, 2.0]], Ties::Breslow, 0.95),
        Err(StatsError::NonFinite { what: "covariates", index: 2 })
    );
    // Monotone likelihood: the covariate is higher for every earlier event than for anyone
    // still at risk, so the hazard ratio estimate is infinite.
    let separating: &[f64] = &[6.0, 5.0, 4.0, 3.0, 2.0, 1.0];
    for ties in [Ties::Efron, Ties::Breslow] {
        assert_eq!(cox_ph(&times, &events, &[separating], ties, 0.95), Err(StatsError::Separation));
    }
    // The same with tied event times: the two events at time 2 outrank everyone left at risk.
    let with_tied_times = [1.0, 1.0, 2.0, 2.0, 3.0, 3.0];
    let tied_events = [true, false, true, true, false, false];
    assert_eq!(
        cox_ph(&with_tied_times, &tied_events, &[x, separating], Ties::Efron, 0.95),
        Err(StatsError::Separation)
    );

    assert!(matches!(
        concordance_index(&times, &[1.0; 6], &[false; 6]),
        Err(StatsError::Undefined(_))
    ));
}
