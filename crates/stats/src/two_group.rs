//! Two-group and pre-post comparisons: Welch and paired t-tests, the Mann–Whitney U and
//! Wilcoxon signed-rank tests, and standardised effect sizes (Cohen's d, Hedges' g, d_z).
//!
//! Independent-group functions take the two samples `x` (the group compared, e.g. peer
//! support) and `y` (the reference); every difference is `x − y`. Paired functions take the
//! two measurements of each participant in the same order (e.g. `x` = follow-up,
//! `y` = intake).

mod effect_sizes;
mod rank_tests;
mod t_tests;

pub use effect_sizes::{EffectSize, cohens_d, cohens_dz, hedges_g};
pub use rank_tests::{MannWhitney, RankMethod, SignedRank, mann_whitney_u, wilcoxon_signed_rank};
pub use t_tests::{TTest, paired_t_test, welch_t_test};

use crate::StatsError;
use crate::validate::{finite_sample, same_length};

/// Mean and unbiased (n − 1) variance, refusing fewer than two values.
fn mean_variance(what: &'static str, values: &[f64]) -> Result<(f64, f64), StatsError> {
    finite_sample(what, values)?;
    if values.len() < 2 {
        return Err(StatsError::TooFew { what, needed: 2, got: values.len() });
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let ss: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
    Ok((mean, ss / (n - 1.0)))
}

/// The within-participant differences `x − y` of paired measurements.
fn differences(x: &[f64], y: &[f64]) -> Result<Vec<f64>, StatsError> {
    same_length("paired measurements", x.len(), y.len())?;
    finite_sample("x", x)?;
    finite_sample("y", y)?;
    Ok(x.iter().zip(y).map(|(a, b)| a - b).collect())
}
