//! The one matrix factorisation every model here needs: a Cholesky solve of a small symmetric
//! positive-definite p×p system (XᵀWX, a GEE bread), done after equilibration so that the
//! pivots double as a rank test.

use nalgebra::{Cholesky, DMatrix, DMatrixView, DVector, Dyn};

/// Relative pivot below which a design counts as collinear. After scaling XᵀX to unit
/// diagonal, pivot j is 1 − R² of column j on the columns before it, so this refuses a
/// covariate that the others explain to within one part in 10¹⁰.
pub(crate) const COLLINEAR_PIVOT: f64 = 1e-10;

/// Relative pivot below which an iteratively weighted XᵀWX counts as singular. Smaller than
/// [`COLLINEAR_PIVOT`] because working weights legitimately vary by orders of magnitude;
/// when the prior-weighted design is full rank, reaching it means the weights themselves
/// vanished along some direction — the signature of separation.
pub(crate) const WEIGHTED_PIVOT: f64 = 1e-13;

/// A Cholesky factor of D·A·D, where D = diag(A)^(−1/2), with D kept to undo the scaling.
#[derive(Debug, Clone)]
pub(crate) struct SpdFactor {
    chol: Cholesky<f64, Dyn>,
    inv_sqrt_diag: DVector<f64>,
}

impl SpdFactor {
    /// Factors `a`, or `None` when it is not numerically positive definite: a diagonal entry
    /// that is not positive and finite, or a relative pivot below `min_pivot`.
    pub(crate) fn new(a: &DMatrix<f64>, min_pivot: f64) -> Option<Self> {
        let p = a.nrows();
        let mut inv_sqrt_diag = DVector::zeros(p);
        for j in 0..p {
            let d = a[(j, j)];
            if !(d.is_finite() && d > 0.0) {
                return None;
            }
            inv_sqrt_diag[j] = 1.0 / d.sqrt();
        }
        let scaled = DMatrix::from_fn(p, p, |i, j| a[(i, j)] * inv_sqrt_diag[i] * inv_sqrt_diag[j]);
        let chol = Cholesky::new(scaled)?;
        let l = chol.l_dirty();
        if (0..p).any(|j| {
            let pivot = l[(j, j)] * l[(j, j)];
            pivot.is_nan() || pivot < min_pivot
        }) {
            return None;
        }
        Some(Self { chol, inv_sqrt_diag })
    }

    /// Solves A·x = b.
    pub(crate) fn solve(&self, b: &DVector<f64>) -> DVector<f64> {
        let scaled = b.component_mul(&self.inv_sqrt_diag);
        self.chol.solve(&scaled).component_mul(&self.inv_sqrt_diag)
    }

    /// A⁻¹.
    pub(crate) fn inverse(&self) -> DMatrix<f64> {
        let d = &self.inv_sqrt_diag;
        let inner = self.chol.inverse();
        DMatrix::from_fn(inner.nrows(), inner.ncols(), |i, j| inner[(i, j)] * d[i] * d[j])
    }
}

/// Bread·meat·bread, the sandwich covariance (Huber 1967; White 1980).
pub(crate) fn sandwich(bread: &DMatrix<f64>, meat: &DMatrix<f64>) -> DMatrix<f64> {
    bread * meat * bread
}

/// Rows per block of the cross products: a block of a dozen columns stays in L2 cache.
const BLOCK_ROWS: usize = 2048;

/// Xᵀ·diag(w)·X, summed over blocks of rows. nalgebra's `tr_mul` would take one strided dot
/// product per entry, running scalar and streaming all n rows p² times; instead each block
/// of X is transposed and weighted once, in cache, and the block product goes to nalgebra's
/// blocked, vectorised matrix multiply. This is the hot loop of every fit.
pub(crate) fn weighted_cross_product(x: &DMatrix<f64>, w: &DVector<f64>) -> DMatrix<f64> {
    let n = x.nrows();
    let mut total = DMatrix::zeros(x.ncols(), x.ncols());
    let mut start = 0;
    while start < n {
        let len = BLOCK_ROWS.min(n - start);
        let block = x.rows(start, len);
        let mut weighted = block.transpose();
        for (mut row, &w) in weighted.column_iter_mut().zip(w.rows(start, len).iter()) {
            row *= w;
        }
        total += weighted * block;
        start += len;
    }
    total
}

/// (X − 1cᵀ)ᵀ(X − 1cᵀ): the cross product of the columns of X after subtracting `centre`.
pub(crate) fn centred_cross_product(
    x: DMatrixView<'_, f64>,
    centre: &DVector<f64>,
) -> DMatrix<f64> {
    let n = x.nrows();
    let mut total = DMatrix::zeros(x.ncols(), x.ncols());
    let mut start = 0;
    while start < n {
        let len = BLOCK_ROWS.min(n - start);
        let mut centred = x.rows(start, len).transpose();
        for mut row in centred.column_iter_mut() {
            row -= centre;
        }
        total += &centred * centred.transpose();
        start += len;
    }
    total
}
