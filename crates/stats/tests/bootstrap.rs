//! Bootstrap intervals. The interval arithmetic is checked to 1e-6 against scipy's formulas
//! applied to the same replicates (`reference/generate_bootstrap.py`); the full seeded
//! procedure can only be checked loosely against scipy's `bootstrap`, because scipy draws its
//! resamples with numpy's generator and this crate with ChaCha20.

use kindred_stats::StatsError;
use kindred_stats::bootstrap::{
    BootstrapOptions, bca_interval, bootstrap, bootstrap_stratified,
    bootstrap_stratified_with_jackknife, percentile_interval,
};
use serde::Deserialize;

mod common;
use common::assert_close;

#[derive(Deserialize)]
struct Fixture {
    n_resamples: usize,
    intervals: Vec<IntervalCase>,
    procedures: Vec<Procedure>,
}

#[derive(Deserialize)]
struct IntervalCase {
    estimate: f64,
    replicates: Vec<f64>,
    jackknife: Vec<Vec<f64>>,
    level: f64,
    percentile: [f64; 2],
    bca: [f64; 2],
    z0: f64,
    acceleration: f64,
    alpha_1: f64,
    alpha_2: f64,
}

#[derive(Deserialize)]
struct Procedure {
    name: String,
    level: f64,
    data: Option<Vec<f64>>,
    arm: Option<Vec<usize>>,
    cost: Option<Vec<f64>>,
    good_outcome: Option<Vec<f64>>,
    percentile: [f64; 2],
    bca: [f64; 2],
    standard_error: f64,
}

fn fixture() -> Fixture {
    common::fixture("bootstrap")
}

#[test]
fn interval_arithmetic_matches_scipy_formulas() {
    for (i, case) in fixture().intervals.iter().enumerate() {
        let what = format!("case {i}");
        let p = percentile_interval(&case.replicates, case.level).unwrap();
        assert_close(p.lower, case.percentile[0], &format!("{what} percentile lower"));
        assert_close(p.upper, case.percentile[1], &format!("{what} percentile upper"));
        let jackknife: Vec<&[f64]> = case.jackknife.iter().map(Vec::as_slice).collect();
        let bca = bca_interval(case.estimate, &case.replicates, &jackknife, case.level).unwrap();
        assert_close(bca.bias_correction, case.z0, &format!("{what} z0"));
        assert_close(bca.acceleration, case.acceleration, &format!("{what} a"));
        assert_close(bca.quantile_levels.0, case.alpha_1, &format!("{what} alpha 1"));
        assert_close(bca.quantile_levels.1, case.alpha_2, &format!("{what} alpha 2"));
        assert_close(bca.interval.lower, case.bca[0], &format!("{what} BCa lower"));
        assert_close(bca.interval.upper, case.bca[1], &format!("{what} BCa upper"));
    }
}

/// scipy's bounds and ours come from different random resamples, so they differ by Monte
/// Carlo error. With 9 999 resamples, 20 reruns of scipy with other seeds gave bound SDs of
/// 0.5–2 % of the interval width (largest for the ratio's upper bound), so two independent
/// runs differ by up to ~3 % at 1 SD; 10 % of the width is over 3 SDs of that difference.
/// The standard error gets 10 % relative for the same reason.
fn assert_monte_carlo_close(actual: [f64; 2], expected: [f64; 2], what: &str) {
    let width = expected[1] - expected[0];
    for (a, e) in actual.iter().zip(expected) {
        assert!((a - e).abs() <= 0.1 * width, "{what}: got {actual:?}, scipy {expected:?}");
    }
}

#[test]
fn seeded_procedure_agrees_with_scipy_within_monte_carlo_error() {
    let fixture = fixture();
    for case in &fixture.procedures {
        let options =
            BootstrapOptions { resamples: fixture.n_resamples, seed: 2026, level: case.level };
        let result = match case.name.as_str() {
            "mean_of_skewed_costs" => {
                let data = case.data.as_ref().unwrap();
                bootstrap(data, |x| x.iter().sum::<f64>() / x.len() as f64, options).unwrap()
            }
            "icer_two_arms" => {
                let (arm, cost, good) = (
                    case.arm.as_ref().unwrap(),
                    case.cost.as_ref().unwrap(),
                    case.good_outcome.as_ref().unwrap(),
                );
                bootstrap_stratified(arm, options, |indices| {
                    let mut sums = [[0.0; 3]; 2];
                    for &i in indices {
                        let s = &mut sums[arm[i]];
                        s[0] += cost[i];
                        s[1] += good[i];
                        s[2] += 1.0;
                    }
                    let mean = |a: usize, k: usize| sums[a][k] / sums[a][2];
                    (mean(1, 0) - mean(0, 0)) / (mean(1, 1) - mean(0, 1))
                })
                .unwrap()
            }
            other => panic!("unknown case {other}"),
        };
        let what = &case.name;
        let p = [result.percentile.lower, result.percentile.upper];
        assert_monte_carlo_close(p, case.percentile, &format!("{what} percentile"));
        let bca = [result.bca.interval.lower, result.bca.interval.upper];
        assert_monte_carlo_close(bca, case.bca, &format!("{what} BCa"));
        let se_error = (result.standard_error - case.standard_error).abs();
        assert!(se_error <= 0.1 * case.standard_error, "{what} SE {}", result.standard_error);
    }
}

#[test]
fn the_same_seed_gives_the_same_interval() {
    let data: Vec<f64> = (0..40).map(|i| ((i * 37) % 11) as f64 + 0.5 * i as f64).collect();
    let options = BootstrapOptions { resamples: 500, seed: 7, level: 0.95 };
    let median = |x: &[f64]| {
        let mut v = x.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let a = bootstrap(&data, median, options).unwrap();
    let b = bootstrap(&data, median, options).unwrap();
    assert_eq!(a, b);
    let c = bootstrap(&data, median, BootstrapOptions { seed: 8, ..options }).unwrap();
    assert_ne!(a.replicates, c.replicates);
}

#[test]
fn stratified_resamples_keep_each_stratum_size() {
    let strata = [0, 0, 0, 1, 1, 2, 2, 2, 2];
    let options = BootstrapOptions { resamples: 200, seed: 1, level: 0.9 };
    let result = bootstrap_stratified(&strata, options, |indices| {
        let count = |s: usize| indices.iter().filter(|&&i| strata[i] == s).count();
        let sizes = (count(0), count(1), count(2));
        if indices.len() == strata.len() {
            assert_eq!(sizes, (3, 2, 4), "a resample changed a stratum's size");
        }
        indices.iter().map(|&i| (i * i) as f64).sum::<f64>()
    })
    .unwrap();
    assert!(result.percentile.lower <= result.percentile.upper);
}

/// A leave-one-out statistic given directly (the total less one) gives the same result as
/// handing the statistic every participant but one.
#[test]
fn a_direct_jackknife_matches_the_index_lists() {
    let strata = [0, 1, 0, 1, 1, 0, 0, 1, 1, 0];
    let values = [3.0, 7.5, 1.0, 9.0, 4.0, 2.5, 6.0, 8.0, 5.5, 0.5];
    let difference = |indices: &mut dyn Iterator<Item = usize>| {
        let (mut sum, mut n) = ([0.0; 2], [0.0; 2]);
        for i in indices {
            sum[strata[i]] += values[i];
            n[strata[i]] += 1.0;
        }
        sum[1] / n[1] - sum[0] / n[0]
    };
    let options = BootstrapOptions { resamples: 500, seed: 3, level: 0.95 };
    let by_lists =
        bootstrap_stratified(&strata, options, |ix| difference(&mut ix.iter().copied())).unwrap();
    let direct = bootstrap_stratified_with_jackknife(
        &strata,
        options,
        |ix| difference(&mut ix.iter().copied()),
        |omit| difference(&mut (0..strata.len()).filter(|&i| i != omit)),
    )
    .unwrap();
    assert_eq!(by_lists.replicates, direct.replicates);
    let (a, b) = (by_lists.bca, direct.bca);
    assert!((a.acceleration - b.acceleration).abs() < 1e-12, "{a:?} {b:?}");
    assert!((a.interval.lower - b.interval.lower).abs() < 1e-12, "{a:?} {b:?}");
    assert!((a.interval.upper - b.interval.upper).abs() < 1e-12, "{a:?} {b:?}");
    assert!(a.acceleration != 0.0, "the jackknife took part");
}

#[test]
fn degenerate_bootstrap_inputs_are_named_errors() {
    let options = BootstrapOptions { resamples: 100, seed: 1, level: 0.95 };
    let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
    assert_eq!(bootstrap(&[], mean, options), Err(StatsError::Empty { what: "data" }));
    assert_eq!(
        bootstrap(&[1.0, f64::NAN], mean, options),
        Err(StatsError::NonFinite { what: "data", index: 1 })
    );
    assert_eq!(
        bootstrap(&[1.0, 2.0], mean, BootstrapOptions { resamples: 1, ..options }),
        Err(StatsError::TooFew { what: "bootstrap resamples", needed: 2, got: 1 })
    );
    assert_eq!(
        bootstrap_stratified(&[0, 0, 1], options, |_| 1.0),
        Err(StatsError::TooFew { what: "a bootstrap stratum", needed: 2, got: 1 })
    );
    // A constant sample: every replicate equals the estimate and the jackknife cannot vary.
    assert!(matches!(bootstrap(&[3.0; 10], mean, options), Err(StatsError::Undefined(_))));
    // A statistic that divides by zero on some resample.
    let ratio = |x: &[f64]| 1.0 / (x[0] - 1.0);
    assert!(matches!(bootstrap(&[1.0, 2.0, 3.0], ratio, options), Err(StatsError::Undefined(_))));
    assert!(matches!(
        bca_interval(10.0, &[1.0, 2.0, 3.0], &[&[1.0, 2.0]], 0.95),
        Err(StatsError::Undefined(_))
    ));
    assert!(matches!(percentile_interval(&[1.0, 2.0], 1.5), Err(StatsError::InvalidArgument(_))));
}
