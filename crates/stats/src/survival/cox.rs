//! Cox proportional hazards regression fitted by Newton–Raphson.

use nalgebra::{DMatrix, DVector, SymmetricEigen};
use statrs::distribution::{ContinuousCDF, Normal};

pub use super::cox_likelihood::Ties;
use super::cox_likelihood::{Evaluation, SortedData};
use super::{ChiSquareResult, check_times, concordance_index};
use crate::interval::normal_critical_value;
use crate::validate::{all_finite, same_length};
use crate::{Interval, StatsError};

const MAX_ITERATIONS: usize = 100;
/// Newton steps this small (in standardised units) mean the fit has converged.
const STEP_TOLERANCE: f64 = 1e-9;
/// A coefficient this large per standard deviation of its covariate (a hazard ratio of e³⁰
/// per SD) only arises when the likelihood is monotone and the estimate is infinite.
const DIVERGENCE_BOUND: f64 = 30.0;
/// A variance this large on the standardised scale (an SE of 1 000 per SD) means the likelihood
/// is flat along that coefficient: Newton stopped on a plateau of a monotone likelihood before
/// the estimate crossed [`DIVERGENCE_BOUND`]; which of the two happens first can depend on
/// rounding, so both are separation.
const FLAT_LIKELIHOOD_VARIANCE: f64 = 1e6;
/// Smallest eigenvalue of the covariates' correlation matrix below which they are collinear.
const COLLINEARITY_TOLERANCE: f64 = 1e-10;

/// One covariate's row of the Cox model table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoxCoefficient {
    /// Log hazard ratio per unit of the covariate.
    pub coef: f64,
    /// Model-based standard error, from the inverse observed information.
    pub standard_error: f64,
    /// Wald statistic `coef / standard_error`.
    pub z: f64,
    pub p_value: f64,
    /// `coef ± z · standard_error`.
    pub interval: Interval,
    /// exp(coef).
    pub hazard_ratio: f64,
    /// The interval exponentiated.
    pub hazard_ratio_interval: Interval,
}

/// A fitted Cox model.
#[derive(Debug, Clone, PartialEq)]
pub struct CoxFit {
    pub ties: Ties,
    pub level: f64,
    /// One entry per covariate, in the order given.
    pub coefficients: Vec<CoxCoefficient>,
    /// Covariance matrix of the coefficients (row-major p × p).
    pub covariance: Vec<Vec<f64>>,
    /// Partial log-likelihood at the estimate.
    pub log_likelihood: f64,
    /// Partial log-likelihood with every coefficient 0.
    pub null_log_likelihood: f64,
    /// Likelihood-ratio test of all coefficients 0: 2(ℓ − ℓ₀) on p df.
    pub likelihood_ratio: ChiSquareResult,
    /// Wald test of all coefficients 0: β′V⁻¹β on p df.
    pub wald: ChiSquareResult,
    /// Harrell's C of the linear predictor on the fitting data (as lifelines'
    /// `concordance_index_`); `None` when no pair of participants is comparable (every event
    /// at the last time, say), which leaves C undefined but the fit itself valid.
    pub concordance: Option<f64>,
    pub observations: usize,
    pub events: usize,
    pub iterations: usize,
}

/// Fits a Cox (1972) proportional hazards model with the given handling of ties.
///
/// Covariates are centred and scaled to unit SD for the fit (as lifelines does), and the
/// estimates and covariance are transformed back. Newton–Raphson with step halving starts at
/// 0 and stops when the step is below 1e-9 per SD, then takes that last step, so the estimate
/// is accurate far beyond the 1e-6 the reference tests ask. Standard errors come from the
/// inverse observed information; Wald intervals and p-values use the normal distribution.
///
/// Errors: no events (`NoEvents`), a constant covariate (`ConstantCovariate`), collinear
/// covariates or an information matrix singular at 0 (`Singular`), and a monotone likelihood
/// whose maximum is at infinity, e.g. a covariate that separates events from non-events
/// (`Separation`).
pub fn cox_ph(
    times: &[f64],
    events: &[bool],
    covariates: &[&[f64]],
    ties: Ties,
    level: f64,
) -> Result<CoxFit, StatsError> {
    check_times(times, events)?;
    let z_crit = normal_critical_value(level)?;
    let n = times.len();
    let p = covariates.len();
    if p == 0 {
        return Err(StatsError::InvalidArgument("the Cox model needs a covariate".into()));
    }
    for column in covariates {
        same_length("times and covariate", n, column.len())?;
        all_finite("covariates", column)?;
    }
    let event_count = events.iter().filter(|&&e| e).count();
    if event_count == 0 {
        return Err(StatsError::NoEvents { what: "the Cox model" });
    }
    let (means, sds) = column_scales(covariates)?;
    let data = sort_and_standardise(times, events, covariates, &means, &sds);
    check_collinearity(&data, n)?;

    let mut beta = vec![0.0; p];
    let mut current = data.evaluate(&beta, ties);
    let null_log_likelihood = current.log_likelihood;
    let mut iterations = 0;
    loop {
        iterations += 1;
        if iterations > MAX_ITERATIONS {
            return Err(StatsError::NotConverged { iterations: MAX_ITERATIONS });
        }
        let step = newton_step(&current, iterations)?;
        let converged = step.amax() <= STEP_TOLERANCE;
        let (next_beta, next) = halve_until_no_worse(&data, &beta, &step, &current, ties)?;
        if next_beta.iter().any(|b| b.abs() > DIVERGENCE_BOUND) {
            return Err(StatsError::Separation);
        }
        beta = next_beta;
        current = next;
        if converged {
            break;
        }
    }

    let information = current.information.clone();
    let inverse = information.cholesky().ok_or(StatsError::Separation)?.inverse();
    if (0..p).any(|j| inverse[(j, j)] > FLAT_LIKELIHOOD_VARIANCE) {
        return Err(StatsError::Separation);
    }
    let normal = Normal::standard();
    let mut coefficients = Vec::with_capacity(p);
    for j in 0..p {
        let coef = beta[j] / sds[j];
        let se = inverse[(j, j)].sqrt() / sds[j];
        let z = coef / se;
        let interval = Interval { lower: coef - z_crit * se, upper: coef + z_crit * se };
        coefficients.push(CoxCoefficient {
            coef,
            standard_error: se,
            z,
            p_value: 2.0 * normal.sf(z.abs()),
            interval,
            hazard_ratio: coef.exp(),
            hazard_ratio_interval: Interval {
                lower: interval.lower.exp(),
                upper: interval.upper.exp(),
            },
        });
    }
    let covariance =
        (0..p).map(|j| (0..p).map(|k| inverse[(j, k)] / (sds[j] * sds[k])).collect()).collect();
    // β′V⁻¹β is invariant to the scaling: on the standardised scale it is βₛ′Iβₛ.
    let beta_std = DVector::from_column_slice(&beta);
    let wald = beta_std.dot(&(&current.information * &beta_std));
    let lp: Vec<f64> = (0..n)
        .map(|i| -covariates.iter().zip(&coefficients).map(|(x, c)| x[i] * c.coef).sum::<f64>())
        .collect();
    let concordance = concordance_index(times, &lp, events).ok().map(|c| c.index);
    Ok(CoxFit {
        ties,
        level,
        coefficients,
        covariance,
        log_likelihood: current.log_likelihood,
        null_log_likelihood,
        likelihood_ratio: ChiSquareResult::new(
            2.0 * (current.log_likelihood - null_log_likelihood),
            p as f64,
        )?,
        wald: ChiSquareResult::new(wald, p as f64)?,
        concordance,
        observations: n,
        events: event_count,
        iterations,
    })
}

/// Column means and sample SDs; a covariate with a single value is refused by index.
fn column_scales(covariates: &[&[f64]]) -> Result<(Vec<f64>, Vec<f64>), StatsError> {
    let mut means = Vec::with_capacity(covariates.len());
    let mut sds = Vec::with_capacity(covariates.len());
    for (index, column) in covariates.iter().enumerate() {
        let first = column.first().copied().unwrap_or(0.0);
        if column.iter().all(|&v| v == first) || column.len() < 2 {
            return Err(StatsError::ConstantCovariate { index });
        }
        let n = column.len() as f64;
        let mean = column.iter().sum::<f64>() / n;
        let var = column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        means.push(mean);
        sds.push(var.sqrt());
    }
    Ok((means, sds))
}

fn sort_and_standardise(
    times: &[f64],
    events: &[bool],
    covariates: &[&[f64]],
    means: &[f64],
    sds: &[f64],
) -> SortedData {
    let p = covariates.len();
    let mut order: Vec<(f64, usize)> = times.iter().copied().zip(0..).collect();
    order.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
    let mut x = Vec::with_capacity(order.len() * p);
    let mut sorted_events = Vec::with_capacity(order.len());
    let mut runs = Vec::new();
    let mut run_start = 0;
    for (position, &(time, i)) in order.iter().enumerate() {
        if position > 0 && order[position - 1].0 != time {
            runs.push((run_start, position));
            run_start = position;
        }
        for j in 0..p {
            x.push((covariates[j][i] - means[j]) / sds[j]);
        }
        sorted_events.push(events[i]);
    }
    runs.push((run_start, order.len()));
    SortedData { x, events: sorted_events, runs, p }
}

/// Refuses covariates whose correlation matrix is (numerically) singular.
fn check_collinearity(data: &SortedData, n: usize) -> Result<(), StatsError> {
    let p = data.p;
    let mut correlation = DMatrix::<f64>::zeros(p, p);
    for row in data.x.chunks_exact(p) {
        for j in 0..p {
            for k in 0..=j {
                correlation[(j, k)] += row[j] * row[k];
            }
        }
    }
    correlation /= (n - 1) as f64;
    correlation.fill_upper_triangle_with_lower_triangle();
    let smallest = SymmetricEigen::new(correlation).eigenvalues.min();
    if smallest < COLLINEARITY_TOLERANCE { Err(StatsError::Singular) } else { Ok(()) }
}

/// The Newton step I⁻¹·score. An information matrix that is not positive definite at the
/// start means the model is not identified; later, it means the estimate is running off to
/// infinity.
fn newton_step(current: &Evaluation, iteration: usize) -> Result<DVector<f64>, StatsError> {
    match current.information.clone().cholesky() {
        Some(factor) => Ok(factor.solve(&current.score)),
        None if iteration == 1 => Err(StatsError::Singular),
        None => Err(StatsError::Separation),
    }
}

/// Takes the Newton step, halving it while it lowers the log-likelihood (beyond rounding).
/// A likelihood that cannot even be evaluated along the step (every risk-set weight
/// underflowing) only happens when the coefficients are running off to infinity.
fn halve_until_no_worse(
    data: &SortedData,
    beta: &[f64],
    step: &DVector<f64>,
    current: &Evaluation,
    ties: Ties,
) -> Result<(Vec<f64>, Evaluation), StatsError> {
    let tolerance = 1e-12 * current.log_likelihood.abs().max(1.0);
    let mut scale = 1.0;
    while scale >= 1e-6 {
        let candidate: Vec<f64> =
            beta.iter().zip(step.iter()).map(|(b, s)| b + scale * s).collect();
        let evaluation = data.evaluate(&candidate, ties);
        let finite =
            evaluation.log_likelihood.is_finite() && evaluation.score.iter().all(|v| v.is_finite());
        if finite && evaluation.log_likelihood >= current.log_likelihood - tolerance {
            return Ok((candidate, evaluation));
        }
        scale /= 2.0;
    }
    // No step improves the likelihood although the gradient is not zero: rounding has taken
    // over, which happens when the estimate diverges.
    Err(StatsError::Separation)
}
