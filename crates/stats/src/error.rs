//! One error type for the whole crate: every function returns `Result<_, StatsError>` and
//! names the input that made the computation impossible, so a report can say why a figure is
//! missing instead of printing NaN.

/// Why a statistic could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// A sample or group that must hold observations holds none.
    #[error("{what} is empty")]
    Empty { what: &'static str },
    /// Too few observations for the statistic (e.g. a variance from one value).
    #[error("{what} needs at least {needed} observations, got {got}")]
    TooFew { what: &'static str, needed: usize, got: usize },
    /// Inputs that must line up have different lengths.
    #[error("{what}: lengths differ ({left} vs {right})")]
    LengthMismatch { what: &'static str, left: usize, right: usize },
    /// A missing (NaN) or infinite value.
    #[error("{what} has a missing or non-finite value at position {index}")]
    NonFinite { what: &'static str, index: usize },
    /// A value outside its domain (a negative time, a probability above 1, a count below 0).
    #[error("{what} is out of range: {detail}")]
    OutOfRange { what: &'static str, detail: String },
    /// No events were observed, so a hazard or rate cannot be estimated.
    #[error("no events observed in {what}")]
    NoEvents { what: &'static str },
    /// A covariate does not vary, so its coefficient is not identified.
    #[error("covariate {index} is constant")]
    ConstantCovariate { index: usize },
    /// The design matrix is rank-deficient (collinear covariates).
    #[error("the covariates are collinear (design matrix is singular)")]
    Singular,
    /// A covariate separates the outcome perfectly; the maximum-likelihood estimate is infinite.
    #[error("perfect separation: the outcome is perfectly predicted, so coefficients diverge")]
    Separation,
    /// An iterative fit did not converge.
    #[error("the fit did not converge after {iterations} iterations")]
    NotConverged { iterations: usize },
    /// The statistic is undefined for this input (e.g. zero variance in both groups).
    #[error("{0}")]
    Undefined(String),
    /// A parameter is invalid (confidence level outside (0, 1), empty block-size set, …).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}
