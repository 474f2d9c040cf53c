//! Generalised linear models by iteratively reweighted least squares, shared by logistic and
//! Poisson regression and by the GEE starting values.
//!
//! Matches statsmodels `GLM(y, X, family, offset=…, var_weights=w).fit(cov_type=…)`.
//! The fitting itself is in [`super::irls`].

use nalgebra::DVector;

use super::design::Design;
use super::family::Family;
use super::inference::{
    Coefficient, LikelihoodRatioTest, Ratio, Reference, coefficient_table, likelihood_ratio,
};
use super::irls::irls;
use super::linalg::{sandwich, weighted_cross_product};
use super::weights::check_weights;
use crate::StatsError;
use crate::validate::{all_finite, same_length};

/// How the coefficients' covariance is estimated in a GLM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GlmCovariance {
    /// The inverse Fisher information (XᵀWX)⁻¹, scale fixed at 1.
    #[default]
    ModelBased,
    /// The sandwich (XᵀWX)⁻¹ (Σ (wᵢ(yᵢ − μᵢ))² xᵢxᵢᵀ) (XᵀWX)⁻¹ with no small-sample factor:
    /// statsmodels' GLM `cov_type='HC0'` (its GLM `HC1` is the same matrix). The standard
    /// choice for inverse-probability-weighted outcome models.
    Robust,
}

/// Options of a GLM fit; `GlmOptions::default()` is unweighted, no offset, model-based
/// standard errors and 95 % intervals.
#[derive(Debug, Clone, Copy)]
pub struct GlmOptions<'a> {
    /// Case weights wᵢ ≥ 0 with statsmodels' `var_weights` meaning: each row's
    /// log-likelihood is multiplied by wᵢ, and the robust covariance squares them, which
    /// makes them probability (inverse-probability) weights. For integer frequency weights
    /// the estimates and model-based SEs are the same; the robust SEs are not.
    pub weights: Option<&'a [f64]>,
    /// A known term added to the linear predictor, e.g. log exposure time for a rate.
    pub offset: Option<&'a [f64]>,
    /// Model-based or robust standard errors.
    pub covariance: GlmCovariance,
    /// Confidence level of the intervals, in (0, 1).
    pub level: f64,
}

impl Default for GlmOptions<'_> {
    fn default() -> Self {
        Self { weights: None, offset: None, covariance: GlmCovariance::ModelBased, level: 0.95 }
    }
}

/// A fitted generalised linear model.
#[derive(Debug, Clone, PartialEq)]
pub struct GlmFit {
    /// The family (and so the link) fitted.
    pub family: Family,
    /// One row per design column, with z statistics and normal-reference p-values and CIs.
    pub coefficients: Vec<Coefficient>,
    /// exp(β) with CIs: odds ratios (binomial) or rate ratios (Poisson).
    pub ratios: Vec<Ratio>,
    /// The covariance estimator behind the standard errors.
    pub covariance: GlmCovariance,
    /// The confidence level of the intervals.
    pub level: f64,
    /// Σ wᵢ ℓᵢ at the estimates.
    pub log_likelihood: f64,
    /// 2 Σ wᵢ (ℓᵢ(saturated) − ℓᵢ).
    pub deviance: f64,
    /// Likelihood-ratio test against the intercept-only model with the same offset. `None`
    /// for weighted fits (under probability weights the likelihood ratio has no χ²
    /// distribution), for designs without an intercept, and for intercept-only models.
    pub lr_test: Option<LikelihoodRatioTest>,
    /// Observations (rows).
    pub n: usize,
    /// Newton/IRLS iterations used.
    pub iterations: usize,
    /// Fitted means μ̂ᵢ (probabilities for the binomial, expected counts for the Poisson).
    pub fitted: Vec<f64>,
}

/// Fits a GLM of `family` after checking every input (see [`GlmOptions`]).
pub(crate) fn fit_glm(
    design: &Design,
    y: &[f64],
    options: &GlmOptions<'_>,
    family: Family,
) -> Result<GlmFit, StatsError> {
    crate::interval::check_level(options.level)?;
    let n = design.n();
    let p = design.p();
    same_length("outcome and design", n, y.len())?;
    all_finite("outcome", y)?;
    if n <= p {
        return Err(StatsError::TooFew { what: "observations", needed: p + 1, got: n });
    }
    family.check_outcome(y)?;
    let prior = check_weights(options.weights, n)?;
    let offset = match options.offset {
        Some(offset) => {
            same_length("offset and design", n, offset.len())?;
            all_finite("offset", offset)?;
            DVector::from_column_slice(offset)
        }
        None => DVector::zeros(n),
    };
    let x = design.matrix();
    let solution = irls(x, y, &prior, &offset, family)?;

    let mu = solution.eta.map(|e| family.mean(e));
    let cov = match options.covariance {
        GlmCovariance::ModelBased => solution.bread.clone(),
        GlmCovariance::Robust => {
            let score2 = DVector::from_fn(n, |i, _| {
                let s = prior[i] * family.residual(y[i], solution.eta[i]);
                s * s
            });
            let meat = weighted_cross_product(x, &score2);
            sandwich(&solution.bread, &meat)
        }
    };
    let log_likelihood = log_likelihood_of(family, y, &solution.eta, &prior);
    let saturated: f64 =
        y.iter().zip(prior.iter()).map(|(&y, w)| w * family.saturated_log_likelihood(y)).sum();
    let coefficients =
        coefficient_table(design.names(), &solution.beta, &cov, Reference::Normal, options.level)?;

    let lr_test = if options.weights.is_none() && design.has_intercept() && p > 1 {
        let null_ll = null_log_likelihood(family, y, &prior, options.offset.map(|_| &offset))?;
        Some(likelihood_ratio(log_likelihood, null_ll, p - 1)?)
    } else {
        None
    };

    Ok(GlmFit {
        family,
        ratios: coefficients.iter().map(Ratio::from_coefficient).collect(),
        coefficients,
        covariance: options.covariance,
        level: options.level,
        log_likelihood,
        deviance: 2.0 * (saturated - log_likelihood),
        lr_test,
        n,
        iterations: solution.iterations,
        fitted: mu.as_slice().to_vec(),
    })
}

/// Σ wᵢ ℓᵢ(yᵢ, ηᵢ).
fn log_likelihood_of(family: Family, y: &[f64], eta: &DVector<f64>, prior: &DVector<f64>) -> f64 {
    y.iter()
        .zip(eta.iter())
        .zip(prior.iter())
        .map(|((&y, &e), w)| w * family.log_likelihood(y, e))
        .sum()
}

/// The intercept-only model's log-likelihood. Without an offset its fitted mean is the
/// weighted mean of y, in closed form; with one it takes an IRLS fit.
fn null_log_likelihood(
    family: Family,
    y: &[f64],
    prior: &DVector<f64>,
    offset: Option<&DVector<f64>>,
) -> Result<f64, StatsError> {
    let eta = match offset {
        Some(offset) => {
            let intercept = Design::intercept_only(y.len())?;
            irls(intercept.matrix(), y, prior, offset, family)?.eta
        }
        None => {
            let mean = y.iter().zip(prior.iter()).map(|(y, w)| w * y).sum::<f64>() / prior.sum();
            DVector::from_element(y.len(), family.link(mean))
        }
    };
    Ok(log_likelihood_of(family, y, &eta, prior))
}
