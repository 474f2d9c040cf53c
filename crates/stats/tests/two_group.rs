//! Two-group and pre-post comparisons against scipy (t-tests, rank tests) and against the
//! published effect-size formulas evaluated in `reference/generate_tests.py`, every value to
//! 1e-6 relative.

use std::collections::HashMap;

use kindred_stats::StatsError;
use kindred_stats::two_group::{
    EffectSize, RankMethod, TTest, cohens_d, cohens_dz, hedges_g, mann_whitney_u, paired_t_test,
    welch_t_test, wilcoxon_signed_rank,
};
use serde::Deserialize;

mod common;
use common::assert_close;

#[derive(Deserialize)]
struct Fixture {
    independent: Vec<Independent>,
    paired: Vec<Paired>,
}

#[derive(Deserialize)]
struct Independent {
    name: String,
    level: f64,
    x: Vec<f64>,
    y: Vec<f64>,
    welch: T,
    mann_whitney: HashMap<String, Mwu>,
    cohens_d: Effect,
    hedges_g: Effect,
}

#[derive(Deserialize)]
struct Paired {
    name: String,
    level: f64,
    x: Vec<f64>,
    y: Vec<f64>,
    paired_t: T,
    wilcoxon: HashMap<String, Wilcoxon>,
    cohens_dz: Effect,
}

#[derive(Deserialize)]
struct T {
    statistic: f64,
    df: f64,
    p_value: f64,
    lower: f64,
    upper: f64,
    estimate: f64,
}

#[derive(Deserialize)]
struct Mwu {
    u1: f64,
    p_value: f64,
}

#[derive(Deserialize)]
struct Wilcoxon {
    statistic: f64,
    p_value: f64,
    z: Option<f64>,
}

#[derive(Deserialize)]
struct Effect {
    estimate: f64,
    se: f64,
    lower: f64,
    upper: f64,
}

fn fixture() -> Fixture {
    common::fixture("two_group")
}

fn method(key: &str) -> RankMethod {
    match key {
        "exact" => RankMethod::Exact,
        "asymptotic_cc" => RankMethod::Asymptotic { continuity: true },
        "asymptotic" => RankMethod::Asymptotic { continuity: false },
        other => panic!("unknown method {other}"),
    }
}

fn check_t(got: TTest, expected: &T, what: &str) {
    assert_close(got.statistic, expected.statistic, &format!("{what} t"));
    assert_close(got.df, expected.df, &format!("{what} df"));
    assert_close(got.p_value, expected.p_value, &format!("{what} p"));
    assert_close(got.mean_difference, expected.estimate, &format!("{what} estimate"));
    assert_close(got.interval.lower, expected.lower, &format!("{what} lower"));
    assert_close(got.interval.upper, expected.upper, &format!("{what} upper"));
}

fn check_effect(got: EffectSize, expected: &Effect, what: &str) {
    assert_close(got.estimate, expected.estimate, &format!("{what} estimate"));
    assert_close(got.standard_error, expected.se, &format!("{what} se"));
    assert_close(got.interval.lower, expected.lower, &format!("{what} lower"));
    assert_close(got.interval.upper, expected.upper, &format!("{what} upper"));
}

#[test]
fn independent_groups_match_scipy_and_published_formulas() {
    for case in fixture().independent {
        let (x, y, level, name) = (&case.x, &case.y, case.level, &case.name);
        check_t(welch_t_test(x, y, level).unwrap(), &case.welch, &format!("Welch {name}"));
        for (key, expected) in &case.mann_whitney {
            let got = mann_whitney_u(x, y, method(key)).unwrap();
            assert_close(got.u, expected.u1, &format!("MWU U {name} {key}"));
            assert_close(got.p_value, expected.p_value, &format!("MWU p {name} {key}"));
        }
        check_effect(cohens_d(x, y, level).unwrap(), &case.cohens_d, &format!("d {name}"));
        check_effect(hedges_g(x, y, level).unwrap(), &case.hedges_g, &format!("g {name}"));
    }
}

#[test]
fn paired_measurements_match_scipy_and_published_formulas() {
    for case in fixture().paired {
        let (x, y, level, name) = (&case.x, &case.y, case.level, &case.name);
        check_t(paired_t_test(x, y, level).unwrap(), &case.paired_t, &format!("paired {name}"));
        for (key, expected) in &case.wilcoxon {
            let got = wilcoxon_signed_rank(x, y, method(key)).unwrap();
            let what = format!("Wilcoxon {name} {key}");
            assert_close(got.statistic, expected.statistic, &what);
            assert_close(got.p_value, expected.p_value, &what);
            if let Some(z) = expected.z {
                assert_close(got.z.unwrap(), z, &what);
            }
        }
        check_effect(cohens_dz(x, y, level).unwrap(), &case.cohens_dz, &format!("dz {name}"));
    }
}

#[test]
fn auto_method_follows_scipy_rule() {
    let x = [1.1, 2.3, 3.2, 5.9];
    let y = [4.4, 6.1, 7.5, 8.0, 9.3, 2.8];
    assert_eq!(mann_whitney_u(&x, &y, RankMethod::Auto).unwrap().method, RankMethod::Exact);
    let tied = [1.0, 1.0, 2.0, 3.0];
    assert_eq!(
        mann_whitney_u(&tied, &y, RankMethod::Auto).unwrap().method,
        RankMethod::Asymptotic { continuity: true }
    );
}

#[test]
fn degenerate_two_group_inputs_are_named_errors() {
    let x = [1.0, 2.0, 3.0];
    assert_eq!(welch_t_test(&[], &x, 0.95), Err(StatsError::Empty { what: "x" }));
    assert_eq!(
        welch_t_test(&[1.0], &x, 0.95),
        Err(StatsError::TooFew { what: "x", needed: 2, got: 1 })
    );
    assert_eq!(
        welch_t_test(&[1.0, f64::NAN], &x, 0.95),
        Err(StatsError::NonFinite { what: "x", index: 1 })
    );
    assert!(matches!(welch_t_test(&[2.0, 2.0], &[3.0, 3.0], 0.95), Err(StatsError::Undefined(_))));
    assert!(matches!(cohens_d(&[2.0, 2.0], &[3.0, 3.0], 0.95), Err(StatsError::Undefined(_))));
    assert_eq!(
        paired_t_test(&x, &[1.0, 2.0], 0.95),
        Err(StatsError::LengthMismatch { what: "paired measurements", left: 3, right: 2 })
    );
    assert!(matches!(paired_t_test(&x, &x, 0.95), Err(StatsError::Undefined(_))));
    assert!(matches!(
        wilcoxon_signed_rank(&x, &x, RankMethod::Auto),
        Err(StatsError::Undefined(_))
    ));
    assert!(matches!(
        mann_whitney_u(&[1.0, 1.0], &[1.0, 1.0], RankMethod::Asymptotic { continuity: true }),
        Err(StatsError::Undefined(_))
    ));
    assert!(matches!(
        mann_whitney_u(&[1.0, 2.0], &[2.0, 3.0], RankMethod::Exact),
        Err(StatsError::InvalidArgument(_))
    ));
    assert!(matches!(
        wilcoxon_signed_rank(&[1.0, 2.0, 3.0], &[0.0, 1.0, 1.0], RankMethod::Exact),
        Err(StatsError::InvalidArgument(_))
    ));
    assert_eq!(mann_whitney_u(&x, &[], RankMethod::Auto), Err(StatsError::Empty { what: "y" }));
}
