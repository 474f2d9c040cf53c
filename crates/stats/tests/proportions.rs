//! Proportions and 2×2 tables against statsmodels and scipy (fixtures from
//! `reference/generate_tests.py`), every value to 1e-6 relative.

use kindred_stats::StatsError;
use kindred_stats::proportions::{
    Table2x2, TableEffect, chi_square_test, clopper_pearson_interval, fisher_exact, odds_ratio,
    risk_difference, risk_ratio, wilson_interval,
};
use serde::Deserialize;

mod common;
use common::assert_close;

#[derive(Deserialize)]
struct Fixture {
    single: Vec<Single>,
    tables: Vec<TableCase>,
}

#[derive(Deserialize)]
struct Single {
    successes: u64,
    trials: u64,
    level: f64,
    wilson: [f64; 2],
    clopper_pearson: [f64; 2],
}

#[derive(Deserialize)]
struct TableCase {
    table: [u64; 4],
    level: f64,
    zero_margin: bool,
    risk_difference: Option<Effect>,
    risk_ratio: Option<RatioEffect>,
    odds_ratio: Option<RatioEffect>,
    chi2: Option<Chi2>,
    chi2_yates: Option<Chi2>,
    fisher: Option<Fisher>,
}

#[derive(Deserialize)]
struct Effect {
    estimate: f64,
    se: f64,
    lower: f64,
    upper: f64,
    z: f64,
    p_value: f64,
}

#[derive(Deserialize)]
struct RatioEffect {
    estimate: f64,
    se_log: f64,
    lower: f64,
    upper: f64,
    z: f64,
    p_value: f64,
}

#[derive(Deserialize)]
struct Chi2 {
    statistic: f64,
    p_value: f64,
    df: f64,
    expected: [f64; 4],
}

#[derive(Deserialize)]
struct Fisher {
    odds_ratio: Option<f64>,
    p_value: f64,
}

fn fixture() -> Fixture {
    common::fixture("proportions")
}

fn table(cells: [u64; 4]) -> Table2x2 {
    Table2x2::new(cells[0], cells[1], cells[2], cells[3])
}

#[test]
fn single_proportion_intervals_match_statsmodels() {
    for case in fixture().single {
        let what = format!("{}/{} at {}", case.successes, case.trials, case.level);
        let w = wilson_interval(case.successes, case.trials, case.level).unwrap();
        assert_close(w.interval.lower, case.wilson[0], &format!("Wilson lower {what}"));
        assert_close(w.interval.upper, case.wilson[1], &format!("Wilson upper {what}"));
        let cp = clopper_pearson_interval(case.successes, case.trials, case.level).unwrap();
        assert_close(cp.interval.lower, case.clopper_pearson[0], &format!("CP lower {what}"));
        assert_close(cp.interval.upper, case.clopper_pearson[1], &format!("CP upper {what}"));
    }
}

fn check_effect(actual: TableEffect, expected: &Effect, what: &str) {
    assert_close(actual.estimate, expected.estimate, &format!("{what} estimate"));
    assert_close(actual.standard_error, expected.se, &format!("{what} se"));
    assert_close(actual.interval.lower, expected.lower, &format!("{what} lower"));
    assert_close(actual.interval.upper, expected.upper, &format!("{what} upper"));
    assert_close(actual.z, expected.z, &format!("{what} z"));
    assert_close(actual.p_value, expected.p_value, &format!("{what} p"));
}

fn check_ratio(actual: TableEffect, expected: &RatioEffect, what: &str) {
    let as_effect = Effect {
        estimate: expected.estimate,
        se: expected.se_log,
        lower: expected.lower,
        upper: expected.upper,
        z: expected.z,
        p_value: expected.p_value,
    };
    check_effect(actual, &as_effect, what);
}

#[test]
fn table_effects_and_tests_match_statsmodels_and_scipy() {
    for case in fixture().tables {
        let t = table(case.table);
        let what = format!("{:?}", case.table);
        if case.zero_margin {
            for result in [
                risk_difference(&t, case.level).map(|_| ()),
                risk_ratio(&t, case.level).map(|_| ()),
                odds_ratio(&t, case.level).map(|_| ()),
                chi_square_test(&t, false).map(|_| ()),
                fisher_exact(&t).map(|_| ()),
            ] {
                assert!(
                    matches!(result, Err(StatsError::Empty { .. } | StatsError::Undefined(_))),
                    "{what}: {result:?}"
                );
            }
            continue;
        }
        match &case.risk_difference {
            Some(rd) => {
                check_effect(risk_difference(&t, case.level).unwrap(), rd, &format!("RD {what}"))
            }
            None => unreachable!("every table with margins has a risk difference"),
        }
        match &case.risk_ratio {
            Some(rr) => check_ratio(risk_ratio(&t, case.level).unwrap(), rr, &format!("RR {what}")),
            None => assert!(matches!(risk_ratio(&t, case.level), Err(StatsError::Undefined(_)))),
        }
        match &case.odds_ratio {
            Some(or) => check_ratio(odds_ratio(&t, case.level).unwrap(), or, &format!("OR {what}")),
            None => assert!(matches!(odds_ratio(&t, case.level), Err(StatsError::Undefined(_)))),
        }
        for (yates, expected) in [(false, &case.chi2), (true, &case.chi2_yates)] {
            let expected = expected.as_ref().unwrap();
            let got = chi_square_test(&t, yates).unwrap();
            let what = format!("χ² (Yates {yates}) {what}");
            assert_close(got.statistic, expected.statistic, &what);
            assert_close(got.p_value, expected.p_value, &what);
            assert_eq!(got.df, expected.df);
            for (g, e) in got.expected.iter().zip(expected.expected) {
                assert_close(*g, e, &what);
            }
        }
        let fisher = case.fisher.as_ref().unwrap();
        let got = fisher_exact(&t).unwrap();
        assert_close(got.p_value, fisher.p_value, &format!("Fisher p {what}"));
        match fisher.odds_ratio {
            Some(or) => assert_close(got.odds_ratio, or, &format!("Fisher OR {what}")),
            None => assert!(got.odds_ratio.is_infinite()),
        }
    }
}

#[test]
fn degenerate_proportions_are_named_errors() {
    assert_eq!(wilson_interval(1, 0, 0.95), Err(StatsError::Empty { what: "trials" }));
    assert!(matches!(wilson_interval(5, 4, 0.95), Err(StatsError::OutOfRange { .. })));
    assert!(matches!(clopper_pearson_interval(1, 4, 1.0), Err(StatsError::InvalidArgument(_))));
    let empty_group = table([0, 0, 3, 4]);
    assert_eq!(
        risk_difference(&empty_group, 0.95),
        Err(StatsError::Empty { what: "group 1 of the 2×2 table" })
    );
    let no_events = table([0, 10, 0, 12]);
    assert!(matches!(fisher_exact(&no_events), Err(StatsError::Undefined(_))));
    assert!(matches!(chi_square_test(&no_events, true), Err(StatsError::Undefined(_))));
    let zero_cell = table([1, 9, 0, 10]);
    assert!(matches!(risk_ratio(&zero_cell, 0.95), Err(StatsError::Undefined(_))));
    assert!(matches!(odds_ratio(&zero_cell, 0.95), Err(StatsError::Undefined(_))));
    let all_events = table([5, 0, 7, 0]);
    assert!(matches!(risk_difference(&all_events, 0.95), Err(StatsError::Undefined(_))));
}
