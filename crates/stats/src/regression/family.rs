//! The two exponential families fitted here, each with its canonical link (logit for the
//! binomial, log for the Poisson). With a canonical link the IRLS working weight is the
//! variance function V(μ) and Fisher scoring is Newton's method (McCullagh & Nelder 1989,
//! §2.5), so everything below is written in terms of the linear predictor η.

use statrs::function::gamma::ln_gamma;

use crate::StatsError;

/// The outcome distribution of a generalised linear model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Binary outcome, logit link: μ = 1/(1 + e^(−η)); exp(β) are odds ratios.
    Binomial,
    /// Count outcome, log link: μ = e^η; exp(β) are rate ratios.
    Poisson,
}

/// One row's contribution at η: see [`Family::evaluate`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowTerms {
    /// yη − b(η), the log-likelihood without the term free of η.
    pub(crate) kernel: f64,
    /// V(μ).
    pub(crate) variance: f64,
    /// y − μ.
    pub(crate) residual: f64,
}

/// |η| beyond which a binomial fitted probability is within 2·10⁻⁹ of 0 or 1.
const EXTREME_LOGIT: f64 = 20.0;

impl Family {
    /// Refuses outcomes outside the family's support.
    pub(crate) fn check_outcome(self, y: &[f64]) -> Result<(), StatsError> {
        let bad = match self {
            Self::Binomial => y.iter().position(|&v| v != 0.0 && v != 1.0),
            Self::Poisson => y.iter().position(|&v| v < 0.0),
        };
        if let Some(index) = bad {
            let expected = match self {
                Self::Binomial => "0 or 1",
                Self::Poisson => "a count of at least 0",
            };
            return Err(StatsError::OutOfRange {
                what: "outcome",
                detail: format!("value {} at position {index} is not {expected}", y[index]),
            });
        }
        Ok(())
    }

    /// The IRLS starting mean, statsmodels' `starting_mu`: (y + ½)/2 for the binomial,
    /// (y + ȳ)/2 for the Poisson — strictly inside the support, so the link is finite.
    pub(crate) fn starting_eta(self, y: f64, y_mean: f64) -> f64 {
        match self {
            Self::Binomial => self.link((y + 0.5) / 2.0),
            Self::Poisson => self.link((y + y_mean) / 2.0),
        }
    }

    /// The canonical link g(μ): log(μ/(1 − μ)) or log μ.
    pub(crate) fn link(self, mu: f64) -> f64 {
        match self {
            Self::Binomial => (mu / (1.0 - mu)).ln(),
            Self::Poisson => mu.ln(),
        }
    }

    /// The mean μ = g⁻¹(η), computed without overflow.
    pub(crate) fn mean(self, eta: f64) -> f64 {
        match self {
            Self::Binomial => {
                if eta >= 0.0 {
                    1.0 / (1.0 + (-eta).exp())
                } else {
                    let e = eta.exp();
                    e / (1.0 + e)
                }
            }
            Self::Poisson => eta.exp(),
        }
    }

    /// The response residual y − μ at η. For a binary outcome it is computed as 1 − μ =
    /// g⁻¹(−η) or −μ directly, so it does not round to zero when μ is within 10⁻¹⁶ of the
    /// outcome: separated data then keep pushing the coefficients instead of stalling in a
    /// false convergence.
    pub(crate) fn residual(self, y: f64, eta: f64) -> f64 {
        match self {
            Self::Binomial if y == 1.0 => self.mean(-eta),
            Self::Binomial => y - self.mean(eta),
            Self::Poisson => y - eta.exp(),
        }
    }

    /// Whether a Newton step Δη = XΔβ is a certificate that the maximum-likelihood estimate
    /// does not exist, i.e. that moving further along Δβ never stops raising the likelihood.
    /// Binomial: Δηᵢ has the sign of 2yᵢ − 1 for every row (complete or quasi-complete
    /// separation, Albert & Anderson 1984). Poisson: Δηᵢ ≤ 0 everywhere and Δηᵢ = 0 wherever
    /// yᵢ > 0 (Santos Silva & Tenreyro 2010). Zero-weight rows are ignored; `slack` absorbs
    /// rounding.
    pub(crate) fn is_divergent_direction(
        self,
        y: &[f64],
        step: &[f64],
        prior: &[f64],
        slack: f64,
    ) -> bool {
        let rows = y.iter().zip(step).zip(prior).filter(|(_, w)| **w > 0.0).map(|(r, _)| r);
        match self {
            Self::Binomial => rows.into_iter().all(|(&y, &d)| (2.0 * y - 1.0) * d >= -slack),
            Self::Poisson => {
                rows.into_iter().all(|(&y, &d)| if y > 0.0 { d.abs() <= slack } else { d <= slack })
            }
        }
    }

    /// The kernel, variance and residual of one row with one exponential (the IRLS inner loop
    /// runs this over every row in every iteration). Same values as [`Family::variance`] and
    /// [`Family::residual`].
    pub(crate) fn evaluate(self, y: f64, eta: f64) -> RowTerms {
        match self {
            Self::Binomial => {
                let e = (-eta.abs()).exp();
                let (mean, complement) = if eta >= 0.0 {
                    (1.0 / (1.0 + e), e / (1.0 + e))
                } else {
                    (e / (1.0 + e), 1.0 / (1.0 + e))
                };
                RowTerms {
                    kernel: y * eta - (eta.max(0.0) + e.ln_1p()),
                    variance: e / ((1.0 + e) * (1.0 + e)),
                    residual: if y == 1.0 { complement } else { y - mean },
                }
            }
            Self::Poisson => {
                let mean = eta.exp();
                RowTerms { kernel: y * eta - mean, variance: mean, residual: y - mean }
            }
        }
    }

    /// The variance function V(μ) at η: μ(1 − μ) written as e^(−|η|)/(1 + e^(−|η|))² so that
    /// it stays accurate (and positive) when μ is within rounding of 0 or 1.
    pub(crate) fn variance(self, eta: f64) -> f64 {
        match self {
            Self::Binomial => {
                let e = (-eta.abs()).exp();
                e / ((1.0 + e) * (1.0 + e))
            }
            Self::Poisson => eta.exp(),
        }
    }

    /// The log-likelihood of one observation: yη − log(1 + e^η) for the binomial,
    /// yη − e^η − log y! for the Poisson.
    pub(crate) fn log_likelihood(self, y: f64, eta: f64) -> f64 {
        match self {
            Self::Binomial => y * eta - softplus(eta),
            Self::Poisson => y * eta - eta.exp() - ln_gamma(y + 1.0),
        }
    }

    /// The saturated model's log-likelihood of one observation (μ = y): 0 for a binary
    /// outcome, y·log y − y − log y! for a count.
    pub(crate) fn saturated_log_likelihood(self, y: f64) -> f64 {
        match self {
            Self::Binomial => 0.0,
            Self::Poisson if y > 0.0 => y * y.ln() - y - ln_gamma(y + 1.0),
            Self::Poisson => 0.0,
        }
    }

    /// Whether a fitted value sits numerically on the boundary of the mean's range (a
    /// probability at 0 or 1, a rate at 0 next to the largest count): the footprint that a
    /// coefficient running off to infinity leaves.
    pub(crate) fn is_extreme(self, eta: f64, y_max: f64) -> bool {
        match self {
            Self::Binomial => eta.abs() > EXTREME_LOGIT,
            Self::Poisson => eta.exp() < 1e-9 * y_max,
        }
    }
}

/// log(1 + e^x) without overflow or loss of precision.
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}
