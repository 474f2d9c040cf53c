//! Case weights shared by the linear and generalised linear models.

use nalgebra::DVector;

use crate::StatsError;
use crate::validate::{all_finite, same_length};

/// The weight vector for `n` rows: all ones when `weights` is `None`; otherwise checked to be
/// as long as the data, finite, non-negative and not all zero.
pub(crate) fn check_weights(weights: Option<&[f64]>, n: usize) -> Result<DVector<f64>, StatsError> {
    let Some(weights) = weights else {
        return Ok(DVector::from_element(n, 1.0));
    };
    same_length("weights and design", n, weights.len())?;
    all_finite("weights", weights)?;
    if let Some(index) = weights.iter().position(|&w| w < 0.0) {
        return Err(StatsError::OutOfRange {
            what: "weights",
            detail: format!("weight {} at position {index} is negative", weights[index]),
        });
    }
    if !weights.iter().any(|&w| w > 0.0) {
        return Err(StatsError::OutOfRange {
            what: "weights",
            detail: "all weights are zero".into(),
        });
    }
    Ok(DVector::from_column_slice(weights))
}
