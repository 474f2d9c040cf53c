//! The Grambsch–Therneau test of proportional hazards from Schoenfeld residuals.

use nalgebra::{DMatrix, DVector};

use super::{ChiSquareResult, CoxFit, Ties, check_times, kaplan_meier};
use crate::StatsError;
use crate::validate::same_length;

/// The function of time the residuals are correlated with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeTransform {
    /// 1 − Ŝ(t) from the Kaplan–Meier curve of all the data (lifelines' `'km'`, R's default).
    Km,
    /// t itself (`'identity'`).
    Identity,
    /// ln t (`'log'`); needs event times above 0.
    Log,
}

/// Schoenfeld-residual tests of proportional hazards.
#[derive(Debug, Clone, PartialEq)]
pub struct ProportionalHazardsTest {
    pub transform: TimeTransform,
    /// One χ² (1 df) test per covariate, in the model's order.
    pub per_covariate: Vec<ChiSquareResult>,
    /// The global test on p df.
    pub global: ChiSquareResult,
}

/// Tests whether each coefficient of `fit` drifts with (transformed) time, using the
/// approximation of Grambsch & Therneau (1994) that lifelines' `proportional_hazard_test` and
/// R's `cox.zph` before survival 3.0 use.
///
/// With D events, Schoenfeld residuals rᵢ = xᵢ − x̄(tᵢ) (x̄ the risk-set mean under the fitted
/// model, averaged over Efron's tie fractions for an Efron fit), g the transformed event times
/// centred on their mean over events, U = Σ gᵢ rᵢ and V the coefficients' covariance:
/// per covariate T_j = D·(VU)_j² / (V_jj·Σg²), and globally T = D·U′VU / Σg² on p df.
/// Only sums over each time's tied events enter, so the result does not depend on how tied
/// rows are ordered (lifelines' `'rank'` transform does, which is why it is not offered).
///
/// `times`, `events` and `covariates` must be the data `fit` was fitted to.
pub fn proportional_hazards_test(
    fit: &CoxFit,
    times: &[f64],
    events: &[bool],
    covariates: &[&[f64]],
    transform: TimeTransform,
) -> Result<ProportionalHazardsTest, StatsError> {
    check_times(times, events)?;
    let p = fit.coefficients.len();
    same_length("covariates and model coefficients", covariates.len(), p)?;
    for column in covariates {
        same_length("times and covariate", times.len(), column.len())?;
    }
    let event_times: Vec<f64> =
        times.iter().zip(events).filter(|(_, e)| **e).map(|(t, _)| *t).collect();
    if event_times.is_empty() {
        return Err(StatsError::NoEvents { what: "the proportional-hazards test" });
    }
    let residual_sums = residual_sums_by_time(fit, times, events, covariates);
    let curve = match transform {
        TimeTransform::Km => Some(kaplan_meier(times, events, 0.95)?),
        _ => None,
    };
    let g = |t: f64| -> Result<f64, StatsError> {
        match transform {
            TimeTransform::Km => Ok(1.0 - curve.as_ref().map_or(1.0, |c| c.survival_at(t))),
            TimeTransform::Identity => Ok(t),
            TimeTransform::Log if t > 0.0 => Ok(t.ln()),
            TimeTransform::Log => Err(StatsError::OutOfRange {
                what: "event times",
                detail: "the log time transform needs event times above 0".into(),
            }),
        }
    };
    let d = event_times.len() as f64;
    let mut mean_g = 0.0;
    for &t in &event_times {
        mean_g += g(t)?;
    }
    mean_g /= d;
    let mut sum_g2 = 0.0;
    for &t in &event_times {
        sum_g2 += (g(t)? - mean_g).powi(2);
    }
    if sum_g2 == 0.0 {
        return Err(StatsError::Undefined(
            "every event happens at the same transformed time, so nothing can drift".into(),
        ));
    }
    let mut u = DVector::<f64>::zeros(p);
    for (time, sums) in &residual_sums {
        let weight = g(*time)? - mean_g;
        u += sums * weight;
    }
    let v = DMatrix::from_fn(p, p, |j, k| fit.covariance[j][k]);
    let vu = &v * &u;
    let mut per_covariate = Vec::with_capacity(p);
    for j in 0..p {
        per_covariate.push(ChiSquareResult::new(d * vu[j] * vu[j] / (v[(j, j)] * sum_g2), 1.0)?);
    }
    let global = ChiSquareResult::new(d * u.dot(&vu) / sum_g2, p as f64)?;
    Ok(ProportionalHazardsTest { transform, per_covariate, global })
}

/// For each distinct event time, Σ over its events of the Schoenfeld residuals: the events'
/// covariates less d times the risk-set mean (Efron: the mean of the d tie-fraction means).
fn residual_sums_by_time(
    fit: &CoxFit,
    times: &[f64],
    events: &[bool],
    covariates: &[&[f64]],
) -> Vec<(f64, DVector<f64>)> {
    let p = covariates.len();
    let n = times.len();
    // Centring keeps exp(x·β) in range without changing any residual.
    let means: Vec<f64> = covariates.iter().map(|c| c.iter().sum::<f64>() / n as f64).collect();
    let row = |i: usize| DVector::from_fn(p, |j, _| covariates[j][i] - means[j]);
    let beta: Vec<f64> = fit.coefficients.iter().map(|c| c.coef).collect();
    let lp: Vec<f64> = (0..n).map(|i| row(i).iter().zip(&beta).map(|(x, b)| x * b).sum()).collect();
    let shift = lp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| times[b].total_cmp(&times[a]));
    let (mut s0, mut s1) = (0.0, DVector::<f64>::zeros(p));
    let mut out = Vec::new();
    let mut start = 0;
    while let Some(&first) = order.get(start) {
        let time = times[first];
        let end = start + order[start..].partition_point(|&i| times[i] == time);
        let (mut t0, mut t1, mut x_events, mut d) = (0.0, DVector::zeros(p), DVector::zeros(p), 0);
        for &i in &order[start..end] {
            let x = row(i);
            let r = (lp[i] - shift).exp();
            s0 += r;
            s1 += &x * r;
            if events[i] {
                t0 += r;
                t1 += &x * r;
                x_events += &x;
                d += 1;
            }
        }
        if d > 0 {
            let df = d as f64;
            let mut mean = DVector::<f64>::zeros(p);
            for l in 0..d {
                let f = if fit.ties == Ties::Efron { l as f64 / df } else { 0.0 };
                mean += (&s1 - &t1 * f) / (s0 - f * t0);
            }
            out.push((time, x_events - mean));
        }
        start = end;
    }
    out
}
