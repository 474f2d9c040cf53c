//! Confidence intervals and the normal critical value shared by every estimator.

use statrs::distribution::{ContinuousCDF, Normal};

use crate::StatsError;

/// A two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub lower: f64,
    pub upper: f64,
}

impl Interval {
    /// Whether `value` lies inside the interval (bounds included).
    pub fn contains(&self, value: f64) -> bool {
        self.lower <= value && value <= self.upper
    }
}

/// The two-sided standard-normal critical value for a confidence `level` in (0, 1),
/// e.g. 1.959964 for 0.95.
pub fn normal_critical_value(level: f64) -> Result<f64, StatsError> {
    check_level(level)?;
    let normal = Normal::standard();
    Ok(normal.inverse_cdf(0.5 + level / 2.0))
}

/// Refuses a confidence level outside the open interval (0, 1).
pub fn check_level(level: f64) -> Result<(), StatsError> {
    if level.is_finite() && level > 0.0 && level < 1.0 {
        Ok(())
    } else {
        Err(StatsError::InvalidArgument(format!("confidence level {level} is not in (0, 1)")))
    }
}
