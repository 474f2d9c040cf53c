//! Standardised mean differences with normal-approximation confidence intervals.
//!
//! No reference library computes these intervals, so the tests check them against the
//! published formulas evaluated independently in `reference/generate_tests.py`:
//! - Cohen's d (pooled SD) and Hedges' g: Hedges & Olkin (1985), *Statistical Methods for
//!   Meta-Analysis*, eq. 5.8: var(d) ≈ (n₁+n₂)/(n₁n₂) + d²/(2(n₁+n₂)); g = J·d and
//!   var(g) = J²·var(d), with the exact correction J = Γ(m/2) / (sqrt(m/2) Γ((m−1)/2)),
//!   m = n₁+n₂−2 (Hedges 1981).
//! - d_z (paired): mean difference / SD of the differences, var(d_z) ≈ 1/n + d_z²/(2n)
//!   (Becker 1988; Borenstein et al. 2009, ch. 4).
//!
//! These are the noncentral-t-free intervals `estimate ± z·SE`; for very small samples they
//! are approximate, which the doc of each function says.

use statrs::function::gamma::ln_gamma;

use super::{differences, mean_variance};
use crate::interval::normal_critical_value;
use crate::{Interval, StatsError};

/// A standardised effect size with its normal-approximation interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EffectSize {
    pub estimate: f64,
    /// Large-sample standard error (formula in the module documentation).
    pub standard_error: f64,
    /// `estimate ± z · standard_error`.
    pub interval: Interval,
}

fn with_interval(estimate: f64, se: f64, level: f64) -> Result<EffectSize, StatsError> {
    let z = normal_critical_value(level)?;
    Ok(EffectSize {
        estimate,
        standard_error: se,
        interval: Interval { lower: estimate - z * se, upper: estimate + z * se },
    })
}

/// d, its variance, and the pooled-SD degrees of freedom.
fn pooled_d(x: &[f64], y: &[f64]) -> Result<(f64, f64, f64), StatsError> {
    let (mx, vx) = mean_variance("x", x)?;
    let (my, vy) = mean_variance("y", y)?;
    let (n1, n2) = (x.len() as f64, y.len() as f64);
    let df = n1 + n2 - 2.0;
    let pooled = ((n1 - 1.0) * vx + (n2 - 1.0) * vy) / df;
    if pooled == 0.0 {
        return Err(StatsError::Undefined("both groups have zero variance".into()));
    }
    let d = (mx - my) / pooled.sqrt();
    let var = (n1 + n2) / (n1 * n2) + d * d / (2.0 * (n1 + n2));
    Ok((d, var, df))
}

/// Cohen's d = (x̄ − ȳ) / s_pooled with the Hedges & Olkin normal-approximation interval.
/// Needs two values per group.
pub fn cohens_d(x: &[f64], y: &[f64], level: f64) -> Result<EffectSize, StatsError> {
    let (d, var, _) = pooled_d(x, y)?;
    with_interval(d, var.sqrt(), level)
}

/// Hedges' g = J·d, Cohen's d with the exact small-sample bias correction J (Hedges 1981), and
/// SE = J·SE(d). Needs two values per group (and three in all, so J is defined).
pub fn hedges_g(x: &[f64], y: &[f64], level: f64) -> Result<EffectSize, StatsError> {
    let (d, var, df) = pooled_d(x, y)?;
    if df < 2.0 {
        return Err(StatsError::TooFew { what: "x and y together", needed: 4, got: 3 });
    }
    let j = (ln_gamma(df / 2.0) - ln_gamma((df - 1.0) / 2.0)).exp() / (df / 2.0).sqrt();
    with_interval(j * d, j * var.sqrt(), level)
}

/// Cohen's d_z for paired measurements: mean of the differences `x − y` over their SD, with
/// SE = sqrt(1/n + d_z²/(2n)). Needs two pairs whose differences are not all equal.
pub fn cohens_dz(x: &[f64], y: &[f64], level: f64) -> Result<EffectSize, StatsError> {
    let d = differences(x, y)?;
    let (mean, var) = mean_variance("paired differences", &d)?;
    if var == 0.0 {
        return Err(StatsError::Undefined("every paired difference is the same".into()));
    }
    let n = d.len() as f64;
    let dz = mean / var.sqrt();
    with_interval(dz, (1.0 / n + dz * dz / (2.0 * n)).sqrt(), level)
}
