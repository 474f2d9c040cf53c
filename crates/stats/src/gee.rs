//! Repeated measures: generalised estimating equations (Liang & Zeger 1986) with an
//! exchangeable working correlation, for repeated surveys of the same participants.
//!
//! Matches statsmodels `GEE(y, X, groups, family, cov_struct=Exchangeable()).fit()`:
//! the same starting values (a GLM fit under independence), the same moment estimators of the
//! scale and of the common within-cluster correlation α, both with statsmodels' degrees-of-
//! freedom corrections, the same Fisher-scoring update, and the robust (sandwich) covariance.
//! Iteration alternates one scoring step for β with one update of α until no linear
//! predictor moves by more than 10⁻¹⁰ (relative to its size); the fixed point is the one
//! statsmodels reaches.

use std::collections::HashMap;
use std::hash::Hash;

use nalgebra::{DMatrix, DVector};

use crate::StatsError;
use crate::regression::{
    COLLINEAR_PIVOT, Coefficient, Design, Family, Reference, SpdFactor, coefficient_table, irls,
    sandwich,
};
use crate::validate::{all_finite, same_length};

/// Scoring steps allowed before giving up.
const MAX_ITERATIONS: usize = 200;
/// Largest change of a linear predictor, relative to max(1, |η|), that counts as converged.
const ETA_TOLERANCE: f64 = 1e-10;

/// The outcome model of a GEE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeeFamily {
    /// Continuous outcome, identity link, constant variance (scale estimated).
    Gaussian,
    /// Binary outcome, logit link, variance μ(1 − μ) (scale fixed at 1).
    Binomial,
}

/// A GEE fit with exchangeable working correlation.
#[derive(Debug, Clone, PartialEq)]
pub struct GeeFit {
    /// The family fitted.
    pub family: GeeFamily,
    /// One row per design column, with robust (sandwich) standard errors, z statistics and
    /// normal-reference p-values and CIs (statsmodels' default `cov_type="robust"`).
    pub coefficients: Vec<Coefficient>,
    /// The confidence level of the intervals.
    pub level: f64,
    /// The exchangeable correlation α̂ between two observations of one participant:
    /// α̂ = [Σᵢ Σ_{j<k} rᵢⱼ rᵢₖ / φ̂ₐ] / (Σᵢ nᵢ(nᵢ − 1)/2 − p), with Pearson residuals r and
    /// φ̂ₐ = Σ r²/(N − p) (statsmodels `Exchangeable.update`).
    pub correlation: f64,
    /// The scale φ̂ = Σ r²/(N − p) for the Gaussian family; 1 for the binomial.
    pub scale: f64,
    /// Observations N.
    pub n: usize,
    /// Clusters (participants).
    pub clusters: usize,
    /// Scoring iterations used.
    pub iterations: usize,
}

/// Fits a GEE with exchangeable working correlation, observations grouped by `clusters`
/// (any hashable participant id; rows need not be sorted or contiguous, and a participant
/// seen once is a cluster of size 1).
///
/// Refuses, besides the input checks of every model: fewer than two clusters; fewer
/// within-cluster pairs than p + 1 (α is not estimable); a non-binary outcome for the
/// binomial family; separation (from the independence starting fit); and an estimated α
/// for which the working correlation matrix is not positive definite.
pub fn gee_exchangeable<K: Eq + Hash>(
    design: &Design,
    y: &[f64],
    clusters: &[K],
    family: GeeFamily,
    level: f64,
) -> Result<GeeFit, StatsError> {
    crate::interval::check_level(level)?;
    let n = design.n();
    let p = design.p();
    same_length("outcome and design", n, y.len())?;
    same_length("clusters and design", n, clusters.len())?;
    all_finite("outcome", y)?;
    if n <= p {
        return Err(StatsError::TooFew { what: "observations", needed: p + 1, got: n });
    }
    if family == GeeFamily::Binomial {
        Family::Binomial.check_outcome(y)?;
    }
    let groups = Groups::new(clusters);
    if groups.sizes.len() < 2 {
        return Err(StatsError::TooFew { what: "clusters", needed: 2, got: groups.sizes.len() });
    }
    let pairs: usize = groups.sizes.iter().map(|&k| k * (k - 1) / 2).sum();
    if pairs <= p {
        return Err(StatsError::TooFew { what: "within-cluster pairs", needed: p + 1, got: pairs });
    }

    // Rows in cluster order, so each cluster is a contiguous block.
    let x = design.matrix().select_rows(groups.order.iter());
    let y: Vec<f64> = groups.order.iter().map(|&i| y[i]).collect();
    let model = Model { x: &x, y: &y, sizes: &groups.sizes, family, p };

    let mut beta = model.starting_values()?;
    let mut eta = &x * &beta;
    let mut alpha = 0.0;
    for iteration in 1..=MAX_ITERATIONS {
        let terms = model.terms(&eta, alpha);
        let bread = SpdFactor::new(&terms.bread, COLLINEAR_PIVOT).ok_or(StatsError::Singular)?;
        beta += bread.solve(&terms.score);
        let next_eta = &x * &beta;
        let change =
            next_eta.zip_fold(&eta, 0.0_f64, |m, a, b| m.max((a - b).abs() / a.abs().max(1.0)));
        eta = next_eta;
        if iteration > 1 && change <= ETA_TOLERANCE {
            let terms = model.terms(&eta, alpha);
            let bread =
                SpdFactor::new(&terms.bread, COLLINEAR_PIVOT).ok_or(StatsError::Singular)?;
            let bread = bread.inverse();
            let cov = sandwich(&bread, &terms.meat);
            return Ok(GeeFit {
                family,
                coefficients: coefficient_table(
                    design.names(),
                    &beta,
                    &cov,
                    Reference::Normal,
                    level,
                )?,
                level,
                correlation: alpha,
                scale: model.scale(&eta),
                n,
                clusters: groups.sizes.len(),
                iterations: iteration,
            });
        }
        alpha = model.exchangeable_correlation(&eta, pairs)?;
    }
    Err(StatsError::NotConverged { iterations: MAX_ITERATIONS })
}

/// Row indices grouped by cluster, clusters in order of first appearance.
struct Groups {
    order: Vec<usize>,
    sizes: Vec<usize>,
}

impl Groups {
    fn new<K: Eq + Hash>(ids: &[K]) -> Self {
        let mut index: HashMap<&K, usize> = HashMap::new();
        let mut members: Vec<Vec<usize>> = Vec::new();
        for (row, id) in ids.iter().enumerate() {
            let next = members.len();
            let slot = *index.entry(id).or_insert(next);
            if slot == next {
                members.push(Vec::new());
            }
            members[slot].push(row);
        }
        Self { sizes: members.iter().map(Vec::len).collect(), order: members.concat() }
    }
}

/// The data in cluster order and the family: everything the estimating equations need.
struct Model<'a> {
    x: &'a DMatrix<f64>,
    y: &'a [f64],
    sizes: &'a [usize],
    family: GeeFamily,
    p: usize,
}

/// The pieces of the estimating equations at (β, α): the bread Σ DᵢᵀVᵢ⁻¹Dᵢ, the score
/// Σ DᵢᵀVᵢ⁻¹rᵢ and the meat Σ (DᵢᵀVᵢ⁻¹rᵢ)(DᵢᵀVᵢ⁻¹rᵢ)ᵀ.
struct Terms {
    bread: DMatrix<f64>,
    score: DVector<f64>,
    meat: DMatrix<f64>,
}

impl Model<'_> {
    /// statsmodels starts from the GLM fit under independence: least squares for the
    /// Gaussian family, a logistic regression for the binomial.
    fn starting_values(&self) -> Result<DVector<f64>, StatsError> {
        let n = self.y.len();
        match self.family {
            GeeFamily::Gaussian => {
                let factor = SpdFactor::new(&self.x.tr_mul(self.x), COLLINEAR_PIVOT)
                    .ok_or(StatsError::Singular)?;
                Ok(factor.solve(&self.x.tr_mul(&DVector::from_column_slice(self.y))))
            }
            GeeFamily::Binomial => {
                let ones = DVector::from_element(n, 1.0);
                Ok(irls(self.x, self.y, &ones, &DVector::zeros(n), Family::Binomial)?.beta)
            }
        }
    }

    /// For observation i at η: the standardised derivative row scale dμ/dη / √V(μ) and the
    /// Pearson residual (y − μ)/√V(μ).
    fn standardised(&self, i: usize, eta: f64) -> (f64, f64) {
        match self.family {
            GeeFamily::Gaussian => (1.0, self.y[i] - eta),
            GeeFamily::Binomial => {
                let sd = Family::Binomial.variance(eta).sqrt();
                (sd, Family::Binomial.residual(self.y[i], eta) / sd)
            }
        }
    }

    /// With Vᵢ = Aᵢ^½ R(α) Aᵢ^½ and R(α)⁻¹ = (I − c·11ᵀ)/(1 − α), c = α/(1 + α(k − 1)),
    /// each cluster's terms reduce to sums over its rows (statsmodels'
    /// `Exchangeable.covariance_matrix_solve`), so no k×k matrix is formed.
    fn terms(&self, eta: &DVector<f64>, alpha: f64) -> Terms {
        let p = self.p;
        let inv = 1.0 / (1.0 - alpha);
        let mut bread = DMatrix::zeros(p, p);
        let mut score = DVector::zeros(p);
        let mut meat = DMatrix::zeros(p, p);
        let mut start = 0;
        for &k in self.sizes {
            let c = alpha / (1.0 + alpha * (k as f64 - 1.0));
            let mut u_sum = DVector::zeros(p);
            let mut r_sum = 0.0;
            let mut ur = DVector::zeros(p);
            for i in start..start + k {
                let (scale, r) = self.standardised(i, eta[i]);
                let u = self.x.row(i).transpose() * scale;
                bread.ger(inv, &u, &u, 1.0);
                u_sum += &u;
                ur.axpy(r, &u, 1.0);
                r_sum += r;
            }
            bread.ger(-inv * c, &u_sum, &u_sum, 1.0);
            let g = (ur - &u_sum * (c * r_sum)) * inv;
            score += &g;
            meat.ger(1.0, &g, &g, 1.0);
            start += k;
        }
        Terms { bread, score, meat }
    }

    /// Σ r²/(N − p) over Pearson residuals.
    fn pearson_scale(&self, eta: &DVector<f64>) -> f64 {
        let n = self.y.len();
        let ss: f64 = (0..n).map(|i| self.standardised(i, eta[i]).1.powi(2)).sum();
        ss / (n - self.p) as f64
    }

    /// The reported scale: estimated for the Gaussian, fixed at 1 for the binomial.
    fn scale(&self, eta: &DVector<f64>) -> f64 {
        match self.family {
            GeeFamily::Gaussian => self.pearson_scale(eta),
            GeeFamily::Binomial => 1.0,
        }
    }

    /// The moment estimator of α (statsmodels `Exchangeable.update`), refused when it leaves
    /// the working correlation of the largest cluster not positive definite.
    fn exchangeable_correlation(
        &self,
        eta: &DVector<f64>,
        pairs: usize,
    ) -> Result<f64, StatsError> {
        let phi = self.pearson_scale(eta);
        let mut cross = 0.0;
        let mut start = 0;
        for &k in self.sizes {
            let (sum, ss) = (start..start + k).fold((0.0, 0.0), |(s, ss), i| {
                let r = self.standardised(i, eta[i]).1;
                (s + r, ss + r * r)
            });
            cross += (sum * sum - ss) / 2.0;
            start += k;
        }
        let alpha = cross / phi / (pairs - self.p) as f64;
        let largest = self.sizes.iter().copied().max().unwrap_or(1) as f64;
        if !(alpha < 1.0 && 1.0 + alpha * (largest - 1.0) > 0.0) {
            return Err(StatsError::Undefined(format!(
                "the estimated exchangeable correlation {alpha} makes the working correlation \
                 matrix of a cluster of {largest} observations not positive definite"
            )));
        }
        Ok(alpha)
    }
}
