//! Inverse-probability weights from propensity scores.

use super::check_groups;
use crate::StatsError;
use crate::validate::{finite_sample, same_length};

/// The population the weighted comparison speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Estimand {
    /// Average treatment effect in the whole sample: treated 1/ê, controls 1/(1 − ê).
    Ate,
    /// Average treatment effect in the treated: treated 1, controls ê/(1 − ê).
    Att,
}

/// What to do with extreme weights. Weights are truncated (set to the bound), never dropped,
/// so every participant stays in the analysis (Cole & Hernán 2008).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trimming {
    /// Keep the weights as computed.
    None,
    /// Truncate at the `lower` and `upper` percentiles (0–100) of all the weights, e.g. 1
    /// and 99; percentiles by linear interpolation (numpy's default, Hyndman & Fan type 7).
    Percentiles {
        /// Lower percentile, e.g. 1.
        lower: f64,
        /// Upper percentile, e.g. 99.
        upper: f64,
    },
    /// Truncate every weight above this cap.
    Cap(f64),
}

/// Inverse-probability weights, one per participant in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct IpwWeights {
    /// The weights after stabilisation and truncation.
    pub weights: Vec<f64>,
    /// The estimand they target.
    pub estimand: Estimand,
    /// Whether they were stabilised.
    pub stabilized: bool,
    /// The truncation applied.
    pub trimming: Trimming,
    /// How many weights truncation changed.
    pub truncated: usize,
    /// Kish's effective sample size (Σw)²/Σw² of the treated group.
    pub effective_size_treated: f64,
    /// Kish's effective sample size of the control group.
    pub effective_size_control: f64,
}

/// Computes inverse-probability weights from propensity scores `scores` (each strictly
/// between 0 and 1) and the treatment received.
///
/// Stabilised ATE weights multiply by the marginal probability of the group received,
/// p̂ = n₁/n for the treated and 1 − p̂ for controls (Robins, Hernán & Brumback 2000; Xu et
/// al. 2010), which keeps their mean near 1. Stabilised ATT weights scale the controls'
/// ê/(1 − ê) by n₀/n₁, so that the control weights sum to about n₀. Truncation, if any, is
/// applied last.
pub fn ipw_weights(
    scores: &[f64],
    treatment: &[bool],
    estimand: Estimand,
    stabilized: bool,
    trimming: Trimming,
) -> Result<IpwWeights, StatsError> {
    same_length("scores and treatment", scores.len(), treatment.len())?;
    finite_sample("propensity scores", scores)?;
    check_groups(treatment)?;
    if let Some(index) = scores.iter().position(|&e| !(e > 0.0 && e < 1.0)) {
        return Err(StatsError::OutOfRange {
            what: "propensity scores",
            detail: format!(
                "score {} at position {index} is not strictly between 0 and 1 (no overlap)",
                scores[index]
            ),
        });
    }
    let n = scores.len() as f64;
    let n_treated = treatment.iter().filter(|&&t| t).count() as f64;
    let share = n_treated / n;
    let mut weights: Vec<f64> = scores
        .iter()
        .zip(treatment)
        .map(|(&e, &treated)| match (estimand, treated, stabilized) {
            (Estimand::Ate, true, false) => 1.0 / e,
            (Estimand::Ate, false, false) => 1.0 / (1.0 - e),
            (Estimand::Ate, true, true) => share / e,
            (Estimand::Ate, false, true) => (1.0 - share) / (1.0 - e),
            (Estimand::Att, true, _) => 1.0,
            (Estimand::Att, false, false) => e / (1.0 - e),
            (Estimand::Att, false, true) => e / (1.0 - e) * (1.0 - share) / share,
        })
        .collect();

    let (low, high) = match trimming {
        Trimming::None => (f64::NEG_INFINITY, f64::INFINITY),
        Trimming::Percentiles { lower, upper } => {
            if !(0.0 <= lower && lower < upper && upper <= 100.0) {
                return Err(StatsError::InvalidArgument(format!(
                    "truncation percentiles {lower} and {upper} must satisfy 0 ≤ lower < upper ≤ 100"
                )));
            }
            let mut sorted = weights.clone();
            sorted.sort_by(f64::total_cmp);
            (percentile(&sorted, lower), percentile(&sorted, upper))
        }
        Trimming::Cap(cap) => {
            if !(cap.is_finite() && cap > 0.0) {
                return Err(StatsError::InvalidArgument(format!(
                    "weight cap {cap} must be positive"
                )));
            }
            (f64::NEG_INFINITY, cap)
        }
    };
    let mut truncated = 0;
    for w in &mut weights {
        let clamped = w.clamp(low, high);
        if clamped != *w {
            truncated += 1;
            *w = clamped;
        }
    }

    let kish = |group: bool| {
        let (sum, sum_sq) = weights
            .iter()
            .zip(treatment)
            .filter(|(_, t)| **t == group)
            .fold((0.0, 0.0), |(s, q), (w, _)| (s + w, q + w * w));
        sum * sum / sum_sq
    };
    Ok(IpwWeights {
        effective_size_treated: kish(true),
        effective_size_control: kish(false),
        weights,
        estimand,
        stabilized,
        trimming,
        truncated,
    })
}

/// The q-th percentile (0–100) of sorted, non-empty values by linear interpolation between
/// order statistics (numpy's default).
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let last = sorted.len() - 1;
    let h = last as f64 * q / 100.0;
    let below = (h.floor() as usize).min(last);
    let above = (below + 1).min(last);
    sorted[below] + (h - below as f64) * (sorted[above] - sorted[below])
}
