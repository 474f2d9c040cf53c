//! Iteratively reweighted least squares for a canonical-link GLM (McCullagh & Nelder 1989,
//! §2.5), from statsmodels' starting means, with step halving whenever a step would lower the
//! likelihood.
//!
//! Convergence is judged on the linear predictor: the fit stops once no ηᵢ moves by more
//! than 10⁻¹⁰ in an iteration. Separation is recognised, not left to the iteration cap: when
//! the maximum-likelihood estimate does not exist, Newton steps settle into the direction in
//! which the likelihood keeps rising, and a step Δη = XΔβ that moves every row towards its
//! own outcome is a certificate of (quasi-)complete separation, reported as
//! [`StatsError::Separation`]. As a second line, working weights that vanish until XᵀWX is
//! numerically singular while fitted values sit on the boundary also count as separation.

use nalgebra::{DMatrix, DVector};

use super::family::Family;
use super::linalg::{COLLINEAR_PIVOT, SpdFactor, WEIGHTED_PIVOT, weighted_cross_product};
use crate::StatsError;

/// Newton steps allowed before giving up (a regular fit takes fewer than 10).
const MAX_ITERATIONS: usize = 100;
/// Largest change of any linear predictor ηᵢ that counts as converged.
const ETA_TOLERANCE: f64 = 1e-10;
/// Step halvings allowed when a Newton step would lower the likelihood.
const MAX_HALVINGS: usize = 30;

/// A converged IRLS solution.
#[derive(Debug, Clone)]
pub(crate) struct IrlsSolution {
    pub(crate) beta: DVector<f64>,
    pub(crate) eta: DVector<f64>,
    /// (XᵀWX)⁻¹ at the solution.
    pub(crate) bread: DMatrix<f64>,
    pub(crate) iterations: usize,
}

/// Everything one iteration needs at a linear predictor η, computed in a single pass over
/// the rows (one exponential each): the log-likelihood kernel Σwᵢ(yᵢηᵢ − b(ηᵢ)), which is
/// all the step-halving test compares, the working weights wᵢV(μᵢ) and the weighted
/// residuals wᵢ(yᵢ − μᵢ).
struct Evaluation {
    objective: f64,
    weights: DVector<f64>,
    residuals: DVector<f64>,
}

impl Evaluation {
    fn at(family: Family, y: &[f64], eta: &DVector<f64>, prior: &DVector<f64>) -> Self {
        let n = y.len();
        let mut weights = DVector::zeros(n);
        let mut residuals = DVector::zeros(n);
        let mut objective = 0.0;
        for i in 0..n {
            let row = family.evaluate(y[i], eta[i]);
            objective += prior[i] * row.kernel;
            weights[i] = prior[i] * row.variance;
            residuals[i] = prior[i] * row.residual;
        }
        Self { objective, weights, residuals }
    }
}

/// Fits the GLM of `family` to design `x`, outcome `y`, prior weights and offset.
pub(crate) fn irls(
    x: &DMatrix<f64>,
    y: &[f64],
    prior: &DVector<f64>,
    offset: &DVector<f64>,
    family: Family,
) -> Result<IrlsSolution, StatsError> {
    let n = x.nrows();
    // Rows with zero weight drop out; the rest must still identify every coefficient
    // (positive weights cannot change the rank the design was checked for).
    if prior.iter().any(|&w| w == 0.0)
        && SpdFactor::new(&weighted_cross_product(x, prior), COLLINEAR_PIVOT).is_none()
    {
        return Err(StatsError::Singular);
    }
    let y_mean = y.iter().sum::<f64>() / n as f64;
    let y_max = y.iter().copied().fold(0.0, f64::max);
    // Separation leaves fitted values on the boundary; anything else is plain singularity.
    let breakdown = |eta: &DVector<f64>| {
        if eta.iter().any(|&e| family.is_extreme(e, y_max)) {
            StatsError::Separation
        } else {
            StatsError::Singular
        }
    };
    let evaluate = |eta: &DVector<f64>| Evaluation::at(family, y, eta, prior);

    let mut eta = DVector::from_fn(n, |i, _| family.starting_eta(y[i], y_mean));
    let mut current = evaluate(&eta);
    // The first step starts from fitted means, not from coefficients, so it cannot be halved.
    let mut beta: Option<DVector<f64>> = None;
    for iteration in 1..=MAX_ITERATIONS {
        let factor = SpdFactor::new(&weighted_cross_product(x, &current.weights), WEIGHTED_PIVOT)
            .ok_or_else(|| breakdown(&eta))?;
        // XᵀW z with working response z = η − offset + (y − μ)/V(μ), multiplied out so that a
        // vanishing V(μ) never divides.
        let wz = DVector::from_fn(n, |i, _| {
            current.weights[i] * (eta[i] - offset[i]) + current.residuals[i]
        });
        let mut next_beta = factor.solve(&x.tr_mul(&wz));
        let mut next_eta = x * &next_beta + offset;
        let mut next = evaluate(&next_eta);
        if let Some(previous) = &beta {
            let floor = current.objective - 1e-10 * (1.0 + current.objective.abs());
            let mut halvings = 0;
            while (next.objective.is_nan() || next.objective < floor) && halvings < MAX_HALVINGS {
                next_beta = (previous + &next_beta) * 0.5;
                next_eta = x * &next_beta + offset;
                next = evaluate(&next_eta);
                halvings += 1;
            }
        }
        if !next.objective.is_finite() {
            return Err(StatsError::NotConverged { iterations: iteration });
        }
        let step = &next_eta - &eta;
        let change = step.amax();
        // A full-rank step that moves every row towards its own outcome proves separation.
        if beta.is_some()
            && change > ETA_TOLERANCE
            && family.is_divergent_direction(y, step.as_slice(), prior.as_slice(), 1e-8 * change)
        {
            return Err(StatsError::Separation);
        }
        eta = next_eta;
        current = next;
        if change <= ETA_TOLERANCE {
            let factor =
                SpdFactor::new(&weighted_cross_product(x, &current.weights), WEIGHTED_PIVOT)
                    .ok_or_else(|| breakdown(&eta))?;
            let bread = factor.inverse();
            return Ok(IrlsSolution { beta: next_beta, eta, bread, iterations: iteration });
        }
        beta = Some(next_beta);
    }
    Err(match breakdown(&eta) {
        StatsError::Separation => StatsError::Separation,
        _ => StatsError::NotConverged { iterations: MAX_ITERATIONS },
    })
}
