//! Time to event: Kaplan–Meier curves, log-rank tests, Cox proportional hazards with Efron or
//! Breslow ties, Harrell's concordance and the Schoenfeld-residual test of proportional hazards.
//!
//! Every function takes the follow-up `times` (non-negative, e.g. days from enrolment to
//! relapse or to the end of follow-up) and `events` (`true` = the event was seen, `false` =
//! censored) as parallel slices, one entry per participant. Covariates are passed as columns,
//! one slice per covariate, each as long as `times`.

mod concordance;
mod cox;
mod cox_likelihood;
mod kaplan_meier;
mod logrank;
mod schoenfeld;

pub use concordance::{Concordance, concordance_index};
pub use cox::{CoxCoefficient, CoxFit, Ties, cox_ph};
pub use kaplan_meier::{KaplanMeier, KmStep, MedianSurvival, kaplan_meier};
pub use logrank::{LogRank, log_rank_test};
pub use schoenfeld::{ProportionalHazardsTest, TimeTransform, proportional_hazards_test};

use crate::StatsError;
use crate::validate::{all_finite, same_length};

/// A χ² test: statistic, degrees of freedom and upper-tail p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquareResult {
    pub statistic: f64,
    pub df: f64,
    pub p_value: f64,
}

impl ChiSquareResult {
    fn new(statistic: f64, df: f64) -> Result<Self, StatsError> {
        use statrs::distribution::{ChiSquared, ContinuousCDF};
        let dist = ChiSquared::new(df).map_err(|e| StatsError::InvalidArgument(e.to_string()))?;
        if !statistic.is_finite() {
            return Err(StatsError::Undefined(format!("χ² statistic is {statistic}")));
        }
        Ok(Self { statistic, df, p_value: dist.sf(statistic.max(0.0)) })
    }
}

/// Refuses empty, misaligned, missing or negative follow-up times.
fn check_times(times: &[f64], events: &[bool]) -> Result<(), StatsError> {
    if times.is_empty() {
        return Err(StatsError::Empty { what: "times" });
    }
    same_length("times and events", times.len(), events.len())?;
    all_finite("times", times)?;
    if let Some(index) = times.iter().position(|&t| t < 0.0) {
        return Err(StatsError::OutOfRange {
            what: "times",
            detail: format!("time {} at position {index} is negative", times[index]),
        });
    }
    Ok(())
}
