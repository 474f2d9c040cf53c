//! Logistic regression: a binary outcome on covariates, reported as log-odds coefficients and
//! odds ratios (statsmodels `Logit` / `GLM(y, X, family=Binomial())`).

use super::design::Design;
use super::family::Family;
use super::glm::{GlmFit, GlmOptions, fit_glm};
use crate::StatsError;

/// Fits P(yᵢ = 1) = 1/(1 + exp(−xᵢᵀβ − offsetᵢ)) by maximum likelihood (Newton–Raphson).
///
/// `y` must hold only 0 and 1. Besides the input checks of every model (length, missing
/// values, n > p, weights), refuses perfect and quasi-complete separation — a combination of
/// covariates that predicts some or all outcomes exactly, so that the maximum-likelihood
/// estimate is infinite (Albert & Anderson 1984) — with [`StatsError::Separation`]; an
/// outcome that takes one value only is the simplest such case. The fit carries odds ratios
/// with CIs and, when unweighted with an intercept, the likelihood-ratio test against the
/// intercept-only model (statsmodels' `llr`, `llr_pvalue`).
pub fn logistic(
    design: &Design,
    y: &[f64],
    options: &GlmOptions<'_>,
) -> Result<GlmFit, StatsError> {
    fit_glm(design, y, options, Family::Binomial)
}
