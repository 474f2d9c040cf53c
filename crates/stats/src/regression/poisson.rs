//! Poisson regression for counts, with an optional offset for exposure, reported as log-rate
//! coefficients and rate ratios (statsmodels `GLM(y, X, family=Poisson(), offset=…)`).

use super::design::Design;
use super::family::Family;
use super::glm::{GlmFit, GlmOptions, fit_glm};
use crate::StatsError;

/// Fits E(yᵢ) = exp(xᵢᵀβ + offsetᵢ) by maximum likelihood (IRLS).
///
/// `y` holds non-negative counts (non-integer values are accepted, as in quasi-Poisson
/// use). Pass log person-time as `options.offset` to model rates; `options.covariance =
/// Robust` gives sandwich SEs that stay valid under overdispersion. Refuses negative counts,
/// all-zero counts ([`StatsError::NoEvents`]), and separation (a covariate pattern whose
/// counts are all zero drives its coefficient to −∞) besides the checks of every model.
pub fn poisson(design: &Design, y: &[f64], options: &GlmOptions<'_>) -> Result<GlmFit, StatsError> {
    if !y.is_empty() && y.iter().all(|&v| v == 0.0) {
        return Err(StatsError::NoEvents { what: "outcome counts" });
    }
    fit_glm(design, y, options, Family::Poisson)
}
