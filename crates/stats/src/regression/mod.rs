//! Regression adjustment: linear, logistic and Poisson regression.
//!
//! A model is fitted to a checked [`Design`] (covariates, an optional intercept and names)
//! and an outcome slice, and returns a result with one [`Coefficient`] per column: estimate,
//! standard error, Wald statistic, p-value and confidence interval. Every routine is checked
//! against statsmodels 0.15 to a relative 10⁻⁶ (`tests/regression.rs`).
//!
//! - [`ols`]: least squares, optionally weighted, with classical, HC0 or HC1 standard errors;
//! - [`logistic`]: logistic regression with odds ratios and the likelihood-ratio test;
//! - [`poisson`]: Poisson regression with an optional offset and rate ratios.
//!
//! Both GLMs share one IRLS fitter that accepts probability weights and gives model-based or
//! robust (sandwich) standard errors.

mod design;
mod family;
mod glm;
mod inference;
mod irls;
mod linalg;
mod logistic;
mod ols;
mod poisson;
mod weights;

pub use design::{Design, INTERCEPT_NAME};
pub use family::Family;
pub use glm::{GlmCovariance, GlmFit, GlmOptions};
pub use inference::{Coefficient, FTest, LikelihoodRatioTest, Ratio};
pub use logistic::logistic;
pub use ols::{Covariance, OlsFit, ols};
pub use poisson::poisson;

pub(crate) use inference::{Reference, coefficient_table};
pub(crate) use irls::irls;
pub(crate) use linalg::{COLLINEAR_PIVOT, SpdFactor, sandwich};
