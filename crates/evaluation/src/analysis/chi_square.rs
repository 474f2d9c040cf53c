//! The upper tail of the χ² distribution, for the likelihood-ratio tests of nested models the
//! statistics crate has no entry point for (an arm × subgroup interaction on several degrees
//! of freedom). Checked against the statistics crate's own χ² p-values in
//! `tests/hand_checked.rs`.

/// P(χ²_df > x) for an integer `df` ≥ 1: the regularised upper incomplete gamma Q(df/2, x/2),
/// by its power series below x/2 = df/2 + 1 and by Lentz's continued fraction above
/// (Numerical Recipes §6.2), to about 1e-14 relative.
pub(crate) fn chi_square_sf(x: f64, df: usize) -> f64 {
    if x.is_nan() || x <= 0.0 || df == 0 {
        return 1.0;
    }
    let a = df as f64 / 2.0;
    let half = x / 2.0;
    let log_prefix = -half + a * half.ln() - ln_gamma_half_integer(df);
    if half < a + 1.0 {
        let (mut term, mut sum, mut denominator) = (1.0 / a, 1.0 / a, a);
        for _ in 0..10_000 {
            denominator += 1.0;
            term *= half / denominator;
            sum += term;
            if term.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        (1.0 - sum * log_prefix.exp()).clamp(0.0, 1.0)
    } else {
        const TINY: f64 = 1e-300;
        let mut b = half + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let step = d * c;
            h *= step;
            if (step - 1.0).abs() < 1e-17 {
                break;
            }
        }
        (log_prefix.exp() * h).clamp(0.0, 1.0)
    }
}

/// ln Γ(df/2) exactly for an integer df: (k − 1)! for df = 2k, and
/// √π · Π_{i=1..k} (i − ½) for df = 2k + 1.
fn ln_gamma_half_integer(df: usize) -> f64 {
    if df.is_multiple_of(2) {
        (1..df / 2).map(|i| (i as f64).ln()).sum()
    } else {
        let k = (df - 1) / 2;
        0.5 * std::f64::consts::PI.ln() + (1..=k).map(|i| (i as f64 - 0.5).ln()).sum::<f64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_quantiles() {
        // The 95th percentiles of χ² on 1, 2 and 5 df (tables to 4 decimals).
        assert!((chi_square_sf(3.841_458_820_694_124, 1) - 0.05).abs() < 1e-12);
        assert!((chi_square_sf(5.991_464_547_107_979, 2) - 0.05).abs() < 1e-12);
        assert!((chi_square_sf(11.070_497_693_516_35, 5) - 0.05).abs() < 1e-12);
        // On 2 df the tail is exactly e^{−x/2}.
        assert!((chi_square_sf(40.0, 2) - (-20.0_f64).exp()).abs() < 1e-22);
        assert_eq!(chi_square_sf(0.0, 3), 1.0);
    }

    /// The statistics crate's χ² p-values (statrs, checked against scipy) on 1 to 6 df.
    #[test]
    fn agrees_with_the_statistics_crate() {
        use kindred_stats::regression::{Design, GlmOptions, logistic};
        use kindred_stats::survival::log_rank_test;
        let n = 240;
        let times: Vec<f64> = (0..n).map(|i| ((i * 37) % 101) as f64 + 1.0).collect();
        let events: Vec<bool> = (0..n).map(|i| i % 3 != 0).collect();
        for groups in 2..=5 {
            let labels: Vec<usize> = (0..n).map(|i| (i * 7 + i / 5) % groups).collect();
            let test = log_rank_test(&times, &events, &labels, None).unwrap().test;
            let ours = chi_square_sf(test.statistic, groups - 1);
            assert!((ours - test.p_value).abs() <= 1e-12 * test.p_value.max(1e-300), "{groups}");
        }
        for p in [3, 6] {
            let columns: Vec<Vec<f64>> = (0..p)
                .map(|j| (0..n).map(|i| (((i * (j + 3)) % 17) as f64).sin()).collect())
                .collect();
            let slices: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
            let y: Vec<f64> = (0..n)
                .map(|i| {
                    f64::from(u8::from(columns[0][i] + 0.3 * columns[1][i] > 0.1 || i % 7 == 0))
                })
                .collect();
            let design = Design::from_columns(&slices, true).unwrap();
            let lr = logistic(&design, &y, &GlmOptions::default()).unwrap().lr_test.unwrap();
            let ours = chi_square_sf(lr.statistic, p);
            assert!(
                (ours - lr.p_value).abs() <= 1e-12 * lr.p_value.max(1e-300),
                "{ours} vs {}",
                lr.p_value
            );
        }
    }
}
