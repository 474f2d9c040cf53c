//! Quasi-experimental comparisons: propensity scores, inverse-probability weights, weighted
//! outcome models and covariate balance.
//!
//! The pipeline for a program evaluated without randomisation:
//! 1. [`propensity_scores`]: P(treated | covariates) by logistic regression;
//! 2. [`ipw_weights`]: inverse-probability weights for the ATE or the ATT, optionally
//!    stabilised and truncated;
//! 3. [`balance_table`]: standardised mean differences and variance ratios per covariate,
//!    before and after weighting — the check that weighting balanced the groups;
//! 4. [`weighted_outcome`]: the treatment effect from a weighted outcome model with robust
//!    (sandwich) standard errors.
//!
//! No single library runs this whole pipeline, so each step is checked separately
//! (`tests/propensity.rs`): scores and outcome models against statsmodels, weights and
//! balance statistics against numpy code written from the cited formulas.

mod balance;
mod weights;

pub use balance::{BalanceRow, balance_table, standardised_mean_difference};
pub use weights::{Estimand, IpwWeights, Trimming, ipw_weights};

use crate::StatsError;
use crate::regression::{
    Coefficient, Covariance, Design, GlmCovariance, GlmFit, GlmOptions, Ratio, logistic, ols,
};
use crate::validate::same_length;

/// The name the treatment indicator gets in an outcome model's coefficient table.
pub const TREATMENT_NAME: &str = "treatment";

/// A fitted propensity-score model.
#[derive(Debug, Clone, PartialEq)]
pub struct PropensityModel {
    /// The logistic regression of treatment on the covariates.
    pub fit: GlmFit,
    /// Each participant's estimated probability of treatment, êᵢ.
    pub scores: Vec<f64>,
}

/// Estimates propensity scores êᵢ = P(treatedᵢ | xᵢ) by logistic regression of the treatment
/// indicator on `covariates` (Rosenbaum & Rubin 1983).
///
/// Refuses an empty treated or control group, and everything [`logistic`] refuses; in particular, covariates that predict treatment
/// perfectly ([`StatsError::Separation`]) mean the groups do not overlap and weighting cannot
/// compare them.
pub fn propensity_scores(
    covariates: &Design,
    treatment: &[bool],
    level: f64,
) -> Result<PropensityModel, StatsError> {
    same_length("treatment and covariates", covariates.n(), treatment.len())?;
    check_groups(treatment)?;
    let t = indicator(treatment);
    let fit = logistic(covariates, &t, &GlmOptions { level, ..GlmOptions::default() })?;
    Ok(PropensityModel { scores: fit.fitted.clone(), fit })
}

/// The outcome model fitted to the weighted sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeModel {
    /// Weighted least squares; without covariates the treatment coefficient is the weighted
    /// difference in means. Robust HC1 standard errors (statsmodels `WLS(...,
    /// weights=w).fit(cov_type="HC1")`, Stata's `regress [pweight=w]` factor).
    Linear,
    /// Weighted logistic regression for a binary outcome; the effect is a log odds ratio.
    /// Robust sandwich standard errors (statsmodels `GLM(..., var_weights=w)
    /// .fit(cov_type="HC0")`).
    Logistic,
}

/// A treatment effect from a weighted outcome model.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedEffect {
    /// The model fitted.
    pub model: OutcomeModel,
    /// The treatment coefficient: a difference in means (linear) or a log odds ratio
    /// (logistic), with its robust SE, z statistic, p-value and CI.
    pub effect: Coefficient,
    /// For the logistic model, the odds ratio exp(effect) with its CI.
    pub odds_ratio: Option<Ratio>,
    /// The whole coefficient table (intercept, treatment, then any covariates).
    pub coefficients: Vec<Coefficient>,
}

/// Fits `outcome` on the treatment indicator (and `adjust_for`, if given, for a doubly
/// robust-style adjustment) with case weights `weights`, and reports the treatment effect
/// with robust (sandwich) standard errors — the standard for IPW outcome models, since the
/// weights make the model-based errors wrong (Austin & Stuart 2015).
///
/// `adjust_for` must include an intercept; without it the model gets one. The robust SEs
/// treat the weights as known; ignoring that they were estimated is conservative for the ATE
/// (Lunceford & Davidian 2004).
pub fn weighted_outcome(
    outcome: &[f64],
    treatment: &[bool],
    weights: &[f64],
    adjust_for: Option<&Design>,
    model: OutcomeModel,
    level: f64,
) -> Result<WeightedEffect, StatsError> {
    same_length("outcome and treatment", treatment.len(), outcome.len())?;
    check_groups(treatment)?;
    let t = indicator(treatment);
    let design = match adjust_for {
        Some(design) if !design.has_intercept() => {
            return Err(StatsError::InvalidArgument(
                "the adjustment design of an outcome model needs an intercept".into(),
            ));
        }
        Some(design) => design.with_leading_covariate(TREATMENT_NAME, &t)?,
        None => Design::from_columns(&[&t], true)?.with_names(&[TREATMENT_NAME])?,
    };
    let (coefficients, odds_ratio) = match model {
        OutcomeModel::Linear => {
            let fit = ols(&design, outcome, Some(weights), Covariance::Hc1, level)?;
            (fit.coefficients, None)
        }
        OutcomeModel::Logistic => {
            let options = GlmOptions {
                weights: Some(weights),
                offset: None,
                covariance: GlmCovariance::Robust,
                level,
            };
            let fit = logistic(&design, outcome, &options)?;
            let ratio = fit.ratios.get(1).cloned();
            (fit.coefficients, ratio)
        }
    };
    let effect = coefficients.get(1).cloned().ok_or(StatsError::Singular)?;
    Ok(WeightedEffect { model, effect, odds_ratio, coefficients })
}

/// Treatment as the 0/1 covariate the models take.
fn indicator(treatment: &[bool]) -> Vec<f64> {
    treatment.iter().map(|&t| if t { 1.0 } else { 0.0 }).collect()
}

/// Splits `values` by treatment group: (treated, control).
fn by_group<'a>(values: &'a [f64], treatment: &'a [bool]) -> (Vec<f64>, Vec<f64>) {
    let treated = values.iter().zip(treatment).filter(|(_, t)| **t).map(|(v, _)| *v).collect();
    let control = values.iter().zip(treatment).filter(|(_, t)| !**t).map(|(v, _)| *v).collect();
    (treated, control)
}

/// Refuses a treatment vector in which a group is empty.
fn check_groups(treatment: &[bool]) -> Result<(), StatsError> {
    if !treatment.iter().any(|&t| t) {
        return Err(StatsError::Empty { what: "treated group" });
    }
    if treatment.iter().all(|&t| t) {
        return Err(StatsError::Empty { what: "control group" });
    }
    Ok(())
}
