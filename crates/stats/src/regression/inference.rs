//! From estimates and a covariance matrix to the table a report prints: standard errors,
//! Wald statistics, p-values and confidence intervals, with the normal or Student t reference.

use nalgebra::{DMatrix, DVector};
use statrs::distribution::{
    ChiSquared, Continuous, ContinuousCDF, FisherSnedecor, Normal, StudentsT,
};

use crate::StatsError;
use crate::interval::{Interval, check_level, normal_critical_value};

/// One coefficient of a fitted model.
#[derive(Debug, Clone, PartialEq)]
pub struct Coefficient {
    /// The design column's name (`const` for the intercept).
    pub name: String,
    /// The estimate β̂.
    pub estimate: f64,
    /// Its standard error, √(V̂ⱼⱼ) from the model's covariance (classical or robust).
    pub std_error: f64,
    /// The Wald statistic β̂ / SE (t for linear models, z for GLMs and GEE).
    pub statistic: f64,
    /// Two-sided p-value of the Wald statistic.
    pub p_value: f64,
    /// β̂ ± c·SE with c the two-sided critical value at the requested level.
    pub ci: Interval,
}

/// A coefficient on the ratio scale: exp(β̂) with exp of the confidence bounds — an odds ratio
/// for a logit link, a rate ratio for a log link.
#[derive(Debug, Clone, PartialEq)]
pub struct Ratio {
    /// The design column's name.
    pub name: String,
    /// exp(β̂).
    pub estimate: f64,
    /// exp of the coefficient's confidence bounds.
    pub ci: Interval,
}

impl Ratio {
    pub(crate) fn from_coefficient(c: &Coefficient) -> Self {
        Self {
            name: c.name.clone(),
            estimate: c.estimate.exp(),
            ci: Interval { lower: c.ci.lower.exp(), upper: c.ci.upper.exp() },
        }
    }
}

/// The distribution Wald statistics are referred to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Reference {
    Normal,
    StudentT { df: f64 },
}

impl Reference {
    /// Two-sided critical value at `level`.
    fn critical_value(self, level: f64) -> Result<f64, StatsError> {
        check_level(level)?;
        match self {
            Self::Normal => normal_critical_value(level),
            Self::StudentT { df } => t_critical_value(level, df),
        }
    }

    /// Two-sided p-value of a statistic.
    fn p_value(self, statistic: f64) -> Result<f64, StatsError> {
        let tail = match self {
            Self::Normal => Normal::standard().sf(statistic.abs()),
            Self::StudentT { df } => students_t(df)?.sf(statistic.abs()),
        };
        Ok((2.0 * tail).min(1.0))
    }
}

fn students_t(df: f64) -> Result<StudentsT, StatsError> {
    StudentsT::new(0.0, 1.0, df)
        .map_err(|e| StatsError::InvalidArgument(format!("Student t with {df} df: {e}")))
}

/// The Student t critical value, polished by two Newton steps on the upper tail so that
/// confidence bounds agree with scipy's `t.ppf` to near machine precision.
fn t_critical_value(level: f64, df: f64) -> Result<f64, StatsError> {
    let t = students_t(df)?;
    let tail = (1.0 - level) / 2.0;
    let mut q = t.inverse_cdf(1.0 - tail);
    for _ in 0..2 {
        let density = t.pdf(q);
        if density > 0.0 {
            q += (t.sf(q) - tail) / density;
        }
    }
    Ok(q)
}

/// The coefficient table for estimates `beta` with covariance `cov`.
///
/// Refuses a zero or non-finite standard error (an exact fit, or a covariance that broke
/// down) rather than reporting an infinite statistic.
pub(crate) fn coefficient_table(
    names: &[String],
    beta: &DVector<f64>,
    cov: &DMatrix<f64>,
    reference: Reference,
    level: f64,
) -> Result<Vec<Coefficient>, StatsError> {
    let critical = reference.critical_value(level)?;
    names
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let estimate = beta[j];
            let std_error = cov[(j, j)].sqrt();
            if !(std_error.is_finite() && std_error > 0.0) {
                return Err(StatsError::Undefined(format!(
                    "the standard error of {name} is {std_error}: the fit is exact or degenerate"
                )));
            }
            let statistic = estimate / std_error;
            Ok(Coefficient {
                name: name.clone(),
                estimate,
                std_error,
                statistic,
                p_value: reference.p_value(statistic)?,
                ci: Interval {
                    lower: estimate - critical * std_error,
                    upper: estimate + critical * std_error,
                },
            })
        })
        .collect()
}

/// An F test (linear models).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FTest {
    /// The F statistic.
    pub statistic: f64,
    /// Numerator degrees of freedom (the number of coefficients tested).
    pub df_num: f64,
    /// Denominator degrees of freedom (the residual df).
    pub df_den: f64,
    /// Upper-tail p-value.
    pub p_value: f64,
}

/// A likelihood-ratio test of a model against its intercept-only null model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LikelihoodRatioTest {
    /// 2·(ℓ − ℓ₀).
    pub statistic: f64,
    /// Degrees of freedom: the number of coefficients besides the intercept.
    pub df: f64,
    /// Upper-tail χ² p-value.
    pub p_value: f64,
    /// The null model's log-likelihood ℓ₀.
    pub null_log_likelihood: f64,
}

/// The likelihood-ratio test 2(ℓ − ℓ₀) ~ χ²(df).
pub(crate) fn likelihood_ratio(
    log_likelihood: f64,
    null_log_likelihood: f64,
    df: usize,
) -> Result<LikelihoodRatioTest, StatsError> {
    let statistic = 2.0 * (log_likelihood - null_log_likelihood);
    let df = df as f64;
    let chi2 = ChiSquared::new(df).map_err(|e| StatsError::InvalidArgument(e.to_string()))?;
    Ok(LikelihoodRatioTest {
        statistic,
        df,
        p_value: chi2.sf(statistic.max(0.0)),
        null_log_likelihood,
    })
}

/// The Wald F test that every coefficient but the intercept is zero:
/// F = β̂ₛᵀ V̂ₛₛ⁻¹ β̂ₛ / q with q slopes, on (q, `df_den`) degrees of freedom. With the
/// classical covariance this is the familiar MSR/MSE; with a robust one it is the robust Wald
/// test statsmodels reports as `fvalue`. `None` when there is no slope to test or the slopes'
/// covariance is singular.
pub(crate) fn wald_f_test(
    beta: &DVector<f64>,
    cov: &DMatrix<f64>,
    first_slope: usize,
    df_den: f64,
) -> Result<Option<FTest>, StatsError> {
    let p = beta.len();
    if first_slope >= p {
        return Ok(None);
    }
    let q = p - first_slope;
    let b = beta.rows(first_slope, q).into_owned();
    let v = cov.view((first_slope, first_slope), (q, q)).into_owned();
    let Some(factor) = super::linalg::SpdFactor::new(&v, 0.0) else {
        return Ok(None);
    };
    let statistic = b.dot(&factor.solve(&b)) / q as f64;
    let f = FisherSnedecor::new(q as f64, df_den)
        .map_err(|e| StatsError::InvalidArgument(format!("F({q}, {df_den}): {e}")))?;
    Ok(Some(FTest { statistic, df_num: q as f64, df_den, p_value: f.sf(statistic) }))
}
