//! Ordinary and weighted least squares with classical or heteroscedasticity-robust standard
//! errors, matching statsmodels `OLS(y, X).fit(cov_type=…)` and `WLS(y, X, weights=w)`.

use nalgebra::DVector;

use super::design::Design;
use super::inference::{Coefficient, FTest, Reference, coefficient_table, wald_f_test};
use super::linalg::{COLLINEAR_PIVOT, SpdFactor, sandwich, weighted_cross_product};
use super::weights::check_weights;
use crate::StatsError;
use crate::validate::{all_finite, same_length};

/// How the coefficients' covariance matrix is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Covariance {
    /// σ̂²(XᵀWX)⁻¹ with σ̂² = Σwᵢeᵢ²/(n − p): right when the errors are homoscedastic.
    #[default]
    Classical,
    /// White's (1980) sandwich (XᵀWX)⁻¹ (Σ wᵢ²eᵢ² xᵢxᵢᵀ) (XᵀWX)⁻¹, no small-sample factor.
    Hc0,
    /// HC0 × n/(n − p) (MacKinnon & White 1985); Stata's `robust` and statsmodels' `HC1`.
    Hc1,
}

/// A fitted linear model.
#[derive(Debug, Clone, PartialEq)]
pub struct OlsFit {
    /// One row per design column. With the classical covariance the statistics are t on
    /// n − p df; with HC0/HC1 they are referred to the standard normal, as statsmodels does
    /// by default for a robust `cov_type` (the sandwich is an asymptotic result).
    pub coefficients: Vec<Coefficient>,
    /// The covariance estimator behind the standard errors.
    pub covariance: Covariance,
    /// The confidence level of the intervals.
    pub level: f64,
    /// Observations (rows, including any with zero weight).
    pub n: usize,
    /// Residual degrees of freedom n − p.
    pub df_resid: f64,
    /// Residual standard error σ̂ = √(Σwᵢeᵢ²/(n − p)).
    pub sigma: f64,
    /// R² = 1 − Σwe²/Σw(y − ȳ_w)² with an intercept, 1 − Σwe²/Σwy² without (as statsmodels).
    pub r_squared: f64,
    /// 1 − (n − k)/(n − p)·(1 − R²), k = 1 with an intercept and 0 without.
    pub adj_r_squared: f64,
    /// Wald F test that all coefficients but the intercept are zero, using the chosen
    /// covariance; `None` when there is no such coefficient.
    pub f_test: Option<FTest>,
    /// Fitted values Xβ̂.
    pub fitted: Vec<f64>,
}

/// Fits y = Xβ + ε by (weighted) least squares.
///
/// `weights`, when given, are analytic/probability weights wᵢ ≥ 0 (statsmodels `WLS`
/// `weights`): β̂ = (XᵀWX)⁻¹XᵀWy, and the robust covariances are the probability-weighted
/// sandwich that inverse-probability-weighted outcome models need. Refuses fewer than p + 1
/// observations, a missing value, bad weights, a design the positive weights leave
/// singular, and an exact fit (zero residual variance).
pub fn ols(
    design: &Design,
    y: &[f64],
    weights: Option<&[f64]>,
    covariance: Covariance,
    level: f64,
) -> Result<OlsFit, StatsError> {
    crate::interval::check_level(level)?;
    let n = design.n();
    let p = design.p();
    same_length("outcome and design", n, y.len())?;
    all_finite("outcome", y)?;
    if n <= p {
        return Err(StatsError::TooFew { what: "observations", needed: p + 1, got: n });
    }
    let w = check_weights(weights, n)?;
    let x = design.matrix();
    let y = DVector::from_column_slice(y);

    let xtwx = weighted_cross_product(x, &w);
    let factor = SpdFactor::new(&xtwx, COLLINEAR_PIVOT).ok_or(StatsError::Singular)?;
    let beta = factor.solve(&x.tr_mul(&y.component_mul(&w)));
    let fitted = x * &beta;
    let resid = &y - &fitted;

    let df_resid = (n - p) as f64;
    let ssr: f64 = resid.iter().zip(w.iter()).map(|(e, w)| w * e * e).sum();
    let sigma2 = ssr / df_resid;
    // Residuals within rounding (10⁻¹² of the outcome's size) mean an exact fit, whose
    // standard errors would be zero and statistics infinite.
    let y_size: f64 = y.iter().zip(w.iter()).map(|(y, w)| w * y * y).sum();
    if ssr.is_nan() || ssr <= 1e-24 * y_size {
        return Err(StatsError::Undefined(
            "the residuals are all zero: the outcome is an exact linear function of the covariates"
                .into(),
        ));
    }
    let bread = factor.inverse();
    let cov = match covariance {
        Covariance::Classical => bread * sigma2,
        Covariance::Hc0 | Covariance::Hc1 => {
            // Meat Σ wᵢ²eᵢ² xᵢxᵢᵀ: statsmodels' WLS sandwich on the whitened √w·x and √w·e.
            let we2 = resid.zip_map(&w, |e, w| (w * e) * (w * e));
            let meat = weighted_cross_product(x, &we2);
            let hc0 = sandwich(&bread, &meat);
            if covariance == Covariance::Hc1 { hc0 * (n as f64 / df_resid) } else { hc0 }
        }
    };

    let intercept = design.has_intercept();
    let tss = if intercept {
        let mean = y.dot(&w) / w.sum();
        y.iter().zip(w.iter()).map(|(y, w)| w * (y - mean) * (y - mean)).sum::<f64>()
    } else {
        y.iter().zip(w.iter()).map(|(y, w)| w * y * y).sum::<f64>()
    };
    let r_squared = 1.0 - ssr / tss;
    let k_constant = if intercept { 1.0 } else { 0.0 };
    let adj_r_squared = 1.0 - (n as f64 - k_constant) / df_resid * (1.0 - r_squared);

    Ok(OlsFit {
        coefficients: coefficient_table(
            design.names(),
            &beta,
            &cov,
            match covariance {
                Covariance::Classical => Reference::StudentT { df: df_resid },
                Covariance::Hc0 | Covariance::Hc1 => Reference::Normal,
            },
            level,
        )?,
        covariance,
        level,
        n,
        df_resid,
        sigma: sigma2.sqrt(),
        r_squared,
        adj_r_squared,
        f_test: wald_f_test(&beta, &cov, usize::from(intercept), df_resid)?,
        fitted: fitted.as_slice().to_vec(),
    })
}
