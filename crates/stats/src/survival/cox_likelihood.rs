//! The Cox partial log-likelihood with its gradient and information matrix, for Efron's and
//! Breslow's handling of tied event times, in one pass over the data sorted by time.

use nalgebra::{DMatrix, DVector};

/// How tied event times enter the partial likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ties {
    /// Efron (1977): the l-th of d tied events sees the risk set less l/d of the tied
    /// subjects' weight. lifelines' only method and R's default.
    Efron,
    /// Breslow (1974): every tied event sees the whole risk set.
    Breslow,
}

/// Covariates sorted by descending time, standardised, with the runs of tied times.
#[derive(Debug, Clone)]
pub(crate) struct SortedData {
    /// Row-major n × p standardised covariates.
    pub x: Vec<f64>,
    pub events: Vec<bool>,
    /// Half-open row ranges of equal time, latest time first.
    pub runs: Vec<(usize, usize)>,
    pub p: usize,
}

/// Log-likelihood, score and observed information (the negative Hessian) at one β.
#[derive(Debug, Clone)]
pub(crate) struct Evaluation {
    pub log_likelihood: f64,
    pub score: DVector<f64>,
    pub information: DMatrix<f64>,
}

impl SortedData {
    /// Linear predictors x·β for every row.
    pub fn linear_predictors(&self, beta: &[f64]) -> Vec<f64> {
        self.x
            .chunks_exact(self.p)
            .map(|row| row.iter().zip(beta).map(|(a, b)| a * b).sum())
            .collect()
    }

    /// The partial log-likelihood and its derivatives at `beta`.
    ///
    /// Sweeping from the latest time down, the risk-set sums S0 = Σ r, S1 = Σ r·x and
    /// S2 = Σ r·x·xᵀ (r = exp(x·β)) grow by each run of equal times. For a run with d events
    /// and tie sums T0, T1, T2 over those events, each l = 0..d−1 contributes
    /// −ln(S0 − f·T0) to the log-likelihood, −(S1 − f·T1)/(S0 − f·T0) to the score and the
    /// weighted covariance of x to the information, with f = l/d (Efron) or 0 (Breslow).
    ///
    /// Expanding (S − fT) in f, the d terms of a run need only the scalar sums Σ1/a0, Σf/a0,
    /// Σ1/a0², Σf/a0², Σf²/a0² (a0 = S0 − f·T0), so each run costs O(d + p²) and the whole
    /// evaluation O(n·p²). The predictors are shifted by their maximum before exponentiating:
    /// each event adds one predictor and one log risk-set sum, so the shift cancels and nothing
    /// can overflow.
    pub fn evaluate(&self, beta: &[f64], ties: Ties) -> Evaluation {
        let p = self.p;
        let tri = p * (p + 1) / 2;
        let lp = self.linear_predictors(beta);
        let shift = lp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let weights: Vec<f64> = lp.iter().map(|v| (v - shift).exp()).collect();
        let (mut s0, mut s1, mut s2) = (0.0, vec![0.0; p], vec![0.0; tri]);
        let (mut t1, mut t2) = (vec![0.0; p], vec![0.0; tri]);
        let mut log_likelihood = 0.0;
        let mut score = vec![0.0; p];
        let mut information = vec![0.0; tri];
        for &(start, end) in &self.runs {
            let mut t0 = 0.0;
            t1.iter_mut().for_each(|v| *v = 0.0);
            t2.iter_mut().for_each(|v| *v = 0.0);
            let mut deaths = 0usize;
            let rows = self.x[start * p..end * p].chunks_exact(p);
            for (((x, &r), &event), &eta) in
                rows.zip(&weights[start..end]).zip(&self.events[start..end]).zip(&lp[start..end])
            {
                s0 += r;
                add_weighted(&mut s1, &mut s2, x, r);
                if event {
                    t0 += r;
                    add_weighted(&mut t1, &mut t2, x, r);
                    deaths += 1;
                    log_likelihood += eta - shift;
                    score.iter_mut().zip(x).for_each(|(s, v)| *s += v);
                }
            }
            if deaths == 0 {
                continue;
            }
            // Σ over the d tie fractions of 1/a0, f/a0, 1/a0², f/a0², f²/a0².
            let d = deaths as f64;
            let (mut i1, mut if1, mut i2, mut if2, mut iff2) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for l in 0..deaths {
                let f = if ties == Ties::Efron { l as f64 / d } else { 0.0 };
                let a0 = s0 - f * t0;
                log_likelihood -= a0.ln();
                let inv = 1.0 / a0;
                i1 += inv;
                if1 += f * inv;
                i2 += inv * inv;
                if2 += f * inv * inv;
                iff2 += f * f * inv * inv;
            }
            for j in 0..p {
                score[j] -= s1[j] * i1 - t1[j] * if1;
            }
            let mut k = 0;
            for j in 0..p {
                for m in 0..=j {
                    // Σ (S2 − fT2)/a0 − Σ (S1 − fT1)(S1 − fT1)ᵀ/a0², expanded in f.
                    let cross = s1[j] * s1[m] * i2 - (s1[j] * t1[m] + t1[j] * s1[m]) * if2
                        + t1[j] * t1[m] * iff2;
                    information[k] += s2[k] * i1 - t2[k] * if1 - cross;
                    k += 1;
                }
            }
        }
        let mut full = DMatrix::zeros(p, p);
        let mut k = 0;
        for j in 0..p {
            for m in 0..=j {
                full[(j, m)] = information[k];
                full[(m, j)] = information[k];
                k += 1;
            }
        }
        Evaluation { log_likelihood, score: DVector::from_vec(score), information: full }
    }
}

/// sum1 += r·x; sum2 += r·x·xᵀ, lower triangle packed row by row.
fn add_weighted(sum1: &mut [f64], sum2: &mut [f64], x: &[f64], r: f64) {
    let mut packed = sum2.iter_mut();
    for (j, (s, &xj)) in sum1.iter_mut().zip(x).enumerate() {
        let rx = r * xj;
        *s += rx;
        // The short side first: zip stops on it without drawing an extra slot from `packed`.
        for (&xm, slot) in x[..=j].iter().zip(packed.by_ref()) {
            *slot += rx * xm;
        }
    }
}
