//! Covariate balance between treatment groups, before and after weighting.

use super::{by_group, check_groups};
use crate::StatsError;
use crate::regression::Design;
use crate::validate::same_length;

/// Balance of one covariate.
///
/// Standardised mean difference (Austin 2009; Austin & Stuart 2015):
/// SMD = (x̄₁ − x̄₀)/√((s₁² + s₀²)/2). Before weighting, x̄ and s² are the ordinary group
/// means and sample variances (n − 1 denominator). After weighting, both are weighted:
/// x̄_w = Σwx/Σw and s²_w = Σw/((Σw)² − Σw²) · Σw(x − x̄_w)² (the unbiased estimator for
/// reliability weights, numpy's `cov(aweights=w)`). The same formula serves binary
/// covariates. The variance ratio is s₁²/s₀² (weighted after weighting); balance is usually
/// judged by |SMD| < 0.1 and a ratio between 0.5 and 2.
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceRow {
    /// The covariate's name in the design.
    pub name: String,
    /// Mean among the treated, unweighted.
    pub mean_treated: f64,
    /// Mean among the controls, unweighted.
    pub mean_control: f64,
    /// Standardised mean difference, unweighted.
    pub smd: f64,
    /// Variance ratio treated/control, unweighted.
    pub variance_ratio: f64,
    /// Weighted mean among the treated.
    pub weighted_mean_treated: f64,
    /// Weighted mean among the controls.
    pub weighted_mean_control: f64,
    /// Standardised mean difference after weighting.
    pub weighted_smd: f64,
    /// Variance ratio after weighting.
    pub weighted_variance_ratio: f64,
}

/// The balance table of every covariate in `covariates` (its intercept, if any, skipped),
/// before and after weighting by `weights`.
///
/// Refuses a covariate with no spread within either group (its SMD is undefined), weights
/// that are negative or leave fewer than two participants' worth of weight in a group.
pub fn balance_table(
    covariates: &Design,
    treatment: &[bool],
    weights: &[f64],
) -> Result<Vec<BalanceRow>, StatsError> {
    same_length("treatment and covariates", covariates.n(), treatment.len())?;
    same_length("weights and covariates", covariates.n(), weights.len())?;
    check_groups(treatment)?;
    crate::validate::all_finite("weights", weights)?;
    if let Some(index) = weights.iter().position(|&w| w < 0.0) {
        return Err(StatsError::OutOfRange {
            what: "weights",
            detail: format!("weight {} at position {index} is negative", weights[index]),
        });
    }
    let (w1, w0) = by_group(weights, treatment);
    let first = usize::from(covariates.has_intercept());
    (first..covariates.p())
        .map(|j| {
            let name = &covariates.names()[j];
            let column = covariates.column(j).ok_or(StatsError::Singular)?;
            let (x1, x0) = by_group(column, treatment);
            let ones1 = vec![1.0; x1.len()];
            let ones0 = vec![1.0; x0.len()];
            let (m1, v1) = weighted_moments(&x1, &ones1, name)?;
            let (m0, v0) = weighted_moments(&x0, &ones0, name)?;
            let (wm1, wv1) = weighted_moments(&x1, &w1, name)?;
            let (wm0, wv0) = weighted_moments(&x0, &w0, name)?;
            Ok(BalanceRow {
                name: name.clone(),
                mean_treated: m1,
                mean_control: m0,
                smd: (m1 - m0) / ((v1 + v0) / 2.0).sqrt(),
                variance_ratio: ratio(v1, v0, name)?,
                weighted_mean_treated: wm1,
                weighted_mean_control: wm0,
                weighted_smd: (wm1 - wm0) / ((wv1 + wv0) / 2.0).sqrt(),
                weighted_variance_ratio: ratio(wv1, wv0, name)?,
            })
        })
        .collect()
}

/// The unweighted standardised mean difference of one covariate between two groups, by the
/// formula of [`BalanceRow::smd`]: what a baseline table reports for a randomised study.
///
/// Refuses a group with fewer than two values, or a covariate with no spread in either group.
pub fn standardised_mean_difference(
    treated: &[f64],
    control: &[f64],
    name: &str,
) -> Result<f64, StatsError> {
    crate::validate::all_finite("treated values", treated)?;
    crate::validate::all_finite("control values", control)?;
    let (m1, v1) = weighted_moments(treated, &vec![1.0; treated.len()], name)?;
    let (m0, v0) = weighted_moments(control, &vec![1.0; control.len()], name)?;
    let pooled = ((v1 + v0) / 2.0).sqrt();
    if pooled > 0.0 {
        Ok((m1 - m0) / pooled)
    } else {
        Err(StatsError::Undefined(format!(
            "{name} does not vary within either group, so its standardised difference is undefined"
        )))
    }
}

/// Weighted mean and unbiased reliability-weighted variance; with unit weights, the sample
/// mean and the n − 1 variance.
fn weighted_moments(x: &[f64], w: &[f64], name: &str) -> Result<(f64, f64), StatsError> {
    let sum: f64 = w.iter().sum();
    let sum_sq: f64 = w.iter().map(|w| w * w).sum();
    let denominator = sum * sum - sum_sq;
    if !(sum > 0.0 && denominator > 0.0) {
        return Err(StatsError::Undefined(format!(
            "the weights leave too little information in a group to estimate the spread of {name}"
        )));
    }
    let mean = x.iter().zip(w).map(|(x, w)| w * x).sum::<f64>() / sum;
    let ss: f64 = x.iter().zip(w).map(|(x, w)| w * (x - mean) * (x - mean)).sum();
    Ok((mean, sum * ss / denominator))
}

fn ratio(v1: f64, v0: f64, name: &str) -> Result<f64, StatsError> {
    if v1 > 0.0 && v0 > 0.0 {
        Ok(v1 / v0)
    } else {
        Err(StatsError::Undefined(format!(
            "{name} does not vary within a treatment group, so its balance statistics are undefined"
        )))
    }
}
