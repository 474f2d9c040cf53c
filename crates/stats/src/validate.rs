//! Input checks shared by every estimator, so each refuses bad data with the same words.

use crate::StatsError;

/// Refuses an empty slice or one holding NaN or an infinity.
pub fn finite_sample(what: &'static str, values: &[f64]) -> Result<(), StatsError> {
    if values.is_empty() {
        return Err(StatsError::Empty { what });
    }
    all_finite(what, values)
}

/// Refuses NaN or an infinity anywhere in `values` (an empty slice passes).
pub fn all_finite(what: &'static str, values: &[f64]) -> Result<(), StatsError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(StatsError::NonFinite { what, index }),
        None => Ok(()),
    }
}

/// Refuses slices that must pair up but differ in length.
pub fn same_length(what: &'static str, left: usize, right: usize) -> Result<(), StatsError> {
    if left == right { Ok(()) } else { Err(StatsError::LengthMismatch { what, left, right }) }
}
