//! Welch's unequal-variance t-test and the paired t-test, each with the confidence interval
//! of the mean difference (scipy's `ttest_ind(equal_var=False)` and `ttest_rel`).

use statrs::distribution::{Continuous, ContinuousCDF, StudentsT};

use super::{differences, mean_variance};
use crate::interval::check_level;
use crate::{Interval, StatsError};

/// A t-test of a mean difference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TTest {
    /// Mean difference `x − y` (paired: the mean of the differences).
    pub mean_difference: f64,
    /// Standard error of the mean difference.
    pub standard_error: f64,
    /// `mean_difference / standard_error`.
    pub statistic: f64,
    /// Degrees of freedom (Welch–Satterthwaite for Welch's test, n − 1 when paired).
    pub df: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Confidence interval of the mean difference, `estimate ± t(df) · SE`.
    pub interval: Interval,
}

/// Welch's t-test for two independent samples (Welch 1947): SE = sqrt(s²x/nx + s²y/ny) and
/// Welch–Satterthwaite degrees of freedom. Needs two values per group and some variance.
pub fn welch_t_test(x: &[f64], y: &[f64], level: f64) -> Result<TTest, StatsError> {
    check_level(level)?;
    let (mx, vx) = mean_variance("x", x)?;
    let (my, vy) = mean_variance("y", y)?;
    let (ax, ay) = (vx / x.len() as f64, vy / y.len() as f64);
    let se2 = ax + ay;
    if se2 == 0.0 {
        return Err(StatsError::Undefined("both groups have zero variance".into()));
    }
    let df = se2 * se2 / (ax * ax / (x.len() as f64 - 1.0) + ay * ay / (y.len() as f64 - 1.0));
    t_result(mx - my, se2.sqrt(), df, level)
}

/// Paired t-test on the differences `x − y` (one-sample t-test of the differences), with
/// n − 1 degrees of freedom. Needs two pairs and differences that are not all equal.
pub fn paired_t_test(x: &[f64], y: &[f64], level: f64) -> Result<TTest, StatsError> {
    check_level(level)?;
    let d = differences(x, y)?;
    let (mean, var) = mean_variance("paired differences", &d)?;
    if var == 0.0 {
        return Err(StatsError::Undefined("every paired difference is the same".into()));
    }
    let n = d.len() as f64;
    t_result(mean, (var / n).sqrt(), n - 1.0, level)
}

fn t_result(estimate: f64, se: f64, df: f64, level: f64) -> Result<TTest, StatsError> {
    let t = StudentsT::new(0.0, 1.0, df).map_err(|e| StatsError::InvalidArgument(e.to_string()))?;
    let statistic = estimate / se;
    let critical = t_quantile(&t, 0.5 + level / 2.0);
    Ok(TTest {
        mean_difference: estimate,
        standard_error: se,
        statistic,
        df,
        p_value: (2.0 * t.sf(statistic.abs())).min(1.0),
        interval: Interval { lower: estimate - critical * se, upper: estimate + critical * se },
    })
}

/// Student-t quantile: statrs' inverse (via the inverse incomplete beta) polished by Newton
/// steps on the CDF, because the inverse alone is not always accurate to 1e-10.
pub(crate) fn t_quantile(t: &StudentsT, p: f64) -> f64 {
    let mut x = t.inverse_cdf(p);
    for _ in 0..4 {
        let density = t.pdf(x);
        if density.is_nan() || density <= 0.0 {
            break;
        }
        let step = (t.cdf(x) - p) / density;
        x -= step;
        if step.abs() <= 1e-15 * x.abs().max(1.0) {
            break;
        }
    }
    x
}
