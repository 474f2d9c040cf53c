//! Properties every regression fit must have, on random data: p-values in [0, 1], intervals
//! containing their estimates, invariance under reordering the rows, unit weights equal to no
//! weights, and a rescaled covariate rescaling its coefficient inversely.

use kindred_stats::StatsError;
use kindred_stats::gee::{GeeFamily, gee_exchangeable};
use kindred_stats::regression::{
    Coefficient, Covariance, Design, GlmCovariance, GlmOptions, logistic, ols, poisson,
};
use proptest::prelude::*;

/// Random data: n rows of k covariates, a continuous, a binary and a count outcome.
#[derive(Debug, Clone)]
struct Data {
    k: usize,
    x: Vec<f64>,
    continuous: Vec<f64>,
    binary: Vec<f64>,
    counts: Vec<f64>,
}

fn data() -> impl Strategy<Value = Data> {
    (30usize..70, 1usize..4).prop_flat_map(|(n, k)| {
        (
            prop::collection::vec(-3.0..3.0f64, n * k),
            prop::collection::vec(-5.0..5.0f64, n),
            prop::collection::vec(any::<bool>(), n),
            prop::collection::vec(0u32..8, n),
        )
            .prop_map(move |(x, noise, binary, counts)| {
                // A linear signal in the continuous outcome so that fits are not all noise.
                let continuous =
                    noise.iter().enumerate().map(|(i, e)| 1.0 + x[i * k] * 0.7 + e).collect();
                Data {
                    k,
                    x,
                    continuous,
                    binary: binary.into_iter().map(|b| f64::from(u8::from(b))).collect(),
                    counts: counts.into_iter().map(f64::from).collect(),
                }
            })
    })
}

fn n(d: &Data) -> usize {
    d.continuous.len()
}

/// Runs the three models; random designs can be (near-)collinear and random binary outcomes
/// can be separated, which are legitimate refusals, so the caller skips those draws.
fn fits(d: &Data, x: &[f64], w: Option<&[f64]>) -> Result<[Vec<Coefficient>; 3], StatsError> {
    let design = Design::from_rows(x, d.k, true)?;
    let options = GlmOptions { weights: w, ..GlmOptions::default() };
    Ok([
        ols(&design, &d.continuous, w, Covariance::Hc1, 0.95)?.coefficients,
        logistic(&design, &d.binary, &options)?.coefficients,
        poisson(&design, &d.counts, &options)?.coefficients,
    ])
}

fn skip_refusals<T>(result: Result<T, StatsError>) -> Result<T, TestCaseError> {
    match result {
        Ok(value) => Ok(value),
        Err(StatsError::Separation | StatsError::Singular | StatsError::NoEvents { .. }) => {
            Err(TestCaseError::reject("a legitimate refusal"))
        }
        Err(other) => Err(TestCaseError::fail(format!("unexpected error {other}"))),
    }
}

fn same(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * a.abs().max(b.abs()).max(1e-8)
}

fn assert_same_table(
    a: &[Coefficient],
    b: &[Coefficient],
    tolerance: f64,
) -> Result<(), TestCaseError> {
    for (x, y) in a.iter().zip(b) {
        prop_assert!(
            same(x.estimate, y.estimate, tolerance),
            "{} estimate {} vs {}",
            x.name,
            x.estimate,
            y.estimate
        );
        prop_assert!(
            same(x.std_error, y.std_error, tolerance),
            "{} SE {} vs {}",
            x.name,
            x.std_error,
            y.std_error
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, max_global_rejects: 4096, ..ProptestConfig::default() })]

    #[test]
    fn p_values_are_probabilities_and_intervals_hold_their_estimates(d in data(), level in 0.5..0.999f64) {
        let design = skip_refusals(Design::from_rows(&d.x, d.k, true))?;
        let options = GlmOptions { level, covariance: GlmCovariance::Robust, ..GlmOptions::default() };
        let tables = [
            skip_refusals(ols(&design, &d.continuous, None, Covariance::Classical, level))?.coefficients,
            skip_refusals(logistic(&design, &d.binary, &options))?.coefficients,
            skip_refusals(poisson(&design, &d.counts, &options))?.coefficients,
        ];
        for c in tables.iter().flatten() {
            prop_assert!((0.0..=1.0).contains(&c.p_value), "{} p = {}", c.name, c.p_value);
            prop_assert!(c.ci.contains(c.estimate), "{} {} not in {:?}", c.name, c.estimate, c.ci);
            prop_assert!(c.std_error > 0.0 && c.std_error.is_finite());
        }
    }

    #[test]
    fn reordering_rows_changes_nothing(d in data(), seed in any::<u64>()) {
        let n = n(&d);
        // A permutation from the seed (a multiplicative shuffle of the row indices).
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| (i as u64).wrapping_mul(seed | 1).rotate_left(17) ^ seed);
        let permute = |v: &[f64], width: usize| -> Vec<f64> {
            order.iter().flat_map(|&i| v[i * width..(i + 1) * width].to_vec()).collect()
        };
        let shuffled = Data {
            k: d.k,
            x: permute(&d.x, d.k),
            continuous: permute(&d.continuous, 1),
            binary: permute(&d.binary, 1),
            counts: permute(&d.counts, 1),
        };
        let original = skip_refusals(fits(&d, &d.x, None))?;
        let reordered = skip_refusals(fits(&shuffled, &shuffled.x, None))?;
        for (a, b) in original.iter().zip(&reordered) {
            assert_same_table(a, b, 1e-8)?;
        }
        // GEE: the same rows in another order, clusters of three consecutive original rows.
        let design = skip_refusals(Design::from_rows(&d.x, d.k, true))?;
        let ids: Vec<usize> = (0..n).map(|i| i / 3).collect();
        let shuffled_ids: Vec<usize> = order.iter().map(|&i| ids[i]).collect();
        let shuffled_design = skip_refusals(Design::from_rows(&shuffled.x, d.k, true))?;
        let a = gee_exchangeable(&design, &d.continuous, &ids, GeeFamily::Gaussian, 0.95);
        let b = gee_exchangeable(&shuffled_design, &shuffled.continuous, &shuffled_ids, GeeFamily::Gaussian, 0.95);
        if let (Ok(a), Ok(b)) = (a, b) {
            assert_same_table(&a.coefficients, &b.coefficients, 1e-8)?;
            prop_assert!(same(a.correlation, b.correlation, 1e-8));
        }
    }

    #[test]
    fn unit_weights_equal_no_weights(d in data()) {
        let ones = vec![1.0; n(&d)];
        let unweighted = skip_refusals(fits(&d, &d.x, None))?;
        let weighted = skip_refusals(fits(&d, &d.x, Some(&ones)))?;
        for (a, b) in unweighted.iter().zip(&weighted) {
            assert_same_table(a, b, 1e-10)?;
        }
    }

    #[test]
    fn rescaling_a_covariate_rescales_its_coefficient_inversely(d in data(), factor in 0.01..100.0f64) {
        let scaled: Vec<f64> =
            d.x.iter().enumerate().map(|(i, &v)| if i % d.k == 0 { v * factor } else { v }).collect();
        let original = skip_refusals(fits(&d, &d.x, None))?;
        let rescaled = skip_refusals(fits(&d, &scaled, None))?;
        for (a, b) in original.iter().zip(&rescaled) {
            // Column 1 is the first covariate (column 0 is the intercept).
            prop_assert!(same(a[1].estimate, b[1].estimate * factor, 1e-8));
            prop_assert!(same(a[1].std_error, b[1].std_error * factor, 1e-8));
            prop_assert!(same(a[1].p_value, b[1].p_value, 1e-8));
            // Everything else is unchanged.
            assert_same_table(&[a[0].clone()], &[b[0].clone()], 1e-8)?;
            assert_same_table(&a[2..], &b[2..], 1e-8)?;
        }
    }
}
