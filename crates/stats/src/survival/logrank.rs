//! The log-rank test for two or more groups, optionally stratified.

use nalgebra::{DMatrix, DVector};

use super::{ChiSquareResult, check_times};
use crate::StatsError;
use crate::validate::same_length;

/// A log-rank test.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRank {
    /// The χ² statistic on `groups.len() − 1` degrees of freedom.
    pub test: ChiSquareResult,
    /// The distinct group labels, ascending; `observed` and `expected` follow this order.
    pub groups: Vec<usize>,
    /// Events seen in each group.
    pub observed: Vec<f64>,
    /// Events expected in each group under equal hazards (summed over strata).
    pub expected: Vec<f64>,
}

/// Log-rank test (Mantel 1966; Peto & Peto 1972) of equal hazards across `groups`.
///
/// At each distinct event time, with n at risk of whom n_j in group j and d events, group j
/// expects d·n_j/n events; Z = O − E and the hypergeometric covariance
/// V_jk = d(n−d)/(n²(n−1))·(n·n_j·δ_jk − n_j·n_k) are summed over event times, and
/// U = Z′V⁻¹Z over the first k − 1 groups is χ² on k − 1 df. This is lifelines'
/// `multivariate_logrank_test` (and `logrank_test` for two groups).
///
/// With `strata`, Z and V are computed within each stratum and summed before forming U, the
/// stratified log-rank test (Klein & Moeschberger 2003, §7.5); lifelines has no stratified
/// version, so the tests check it against that formula evaluated in the reference script.
pub fn log_rank_test(
    times: &[f64],
    events: &[bool],
    groups: &[usize],
    strata: Option<&[usize]>,
) -> Result<LogRank, StatsError> {
    check_times(times, events)?;
    same_length("times and groups", times.len(), groups.len())?;
    if let Some(strata) = strata {
        same_length("times and strata", times.len(), strata.len())?;
    }
    let mut labels = groups.to_vec();
    labels.sort_unstable();
    labels.dedup();
    let k = labels.len();
    if k < 2 {
        return Err(StatsError::InvalidArgument(
            "the log-rank test needs at least two groups".into(),
        ));
    }
    if !events.iter().any(|&e| e) {
        return Err(StatsError::NoEvents { what: "the log-rank test" });
    }
    // Rows as (stratum, time, group index, event), sorted so each stratum is one run in time
    // order; a sort of plain tuples is far faster than sorting indices for a million rows.
    let mut rows: Vec<(usize, f64, usize, bool)> = (0..times.len())
        .map(|i| {
            let group = labels.partition_point(|&l| l < groups[i]);
            (strata.map_or(0, |s| s[i]), times[i], group, events[i])
        })
        .collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));

    let mut observed = vec![0.0; k];
    let mut expected = vec![0.0; k];
    let mut covariance = DMatrix::<f64>::zeros(k, k);
    let mut start = 0;
    while let Some(&(stratum, _, _, _)) = rows.get(start) {
        let end = start + rows[start..].partition_point(|r| r.0 == stratum);
        accumulate_stratum(&rows[start..end], &mut observed, &mut expected, &mut covariance);
        start = end;
    }

    let z = DVector::from_iterator(
        k - 1,
        observed.iter().zip(&expected).map(|(o, e)| o - e).take(k - 1),
    );
    let v = covariance.view((0, 0), (k - 1, k - 1)).into_owned();
    let solved = v.cholesky().ok_or_else(|| {
        StatsError::Undefined(
            "the log-rank covariance is singular: a group has no one at risk at any event time"
                .into(),
        )
    })?;
    let statistic = z.dot(&solved.solve(&z));
    Ok(LogRank {
        test: ChiSquareResult::new(statistic, (k - 1) as f64)?,
        groups: labels,
        observed,
        expected,
    })
}

/// Adds one stratum's observed, expected and covariance contributions. `rows` are sorted by
/// time; the at-risk count per group falls as the sweep passes each time.
fn accumulate_stratum(
    rows: &[(usize, f64, usize, bool)],
    observed: &mut [f64],
    expected: &mut [f64],
    covariance: &mut DMatrix<f64>,
) {
    let k = observed.len();
    let mut at_risk = vec![0.0_f64; k];
    for row in rows {
        at_risk[row.2] += 1.0;
    }
    let mut n: f64 = rows.len() as f64;
    let mut deaths = vec![0.0_f64; k];
    let mut start = 0;
    while let Some(&(_, time, _, _)) = rows.get(start) {
        let end = start + rows[start..].partition_point(|r| r.1 == time);
        deaths.iter_mut().for_each(|d| *d = 0.0);
        for row in &rows[start..end] {
            if row.3 {
                deaths[row.2] += 1.0;
            }
        }
        let d: f64 = deaths.iter().sum();
        if d > 0.0 {
            for j in 0..k {
                observed[j] += deaths[j];
                expected[j] += d * at_risk[j] / n;
            }
            if n > 1.0 {
                let factor = d * (n - d) / (n * n * (n - 1.0));
                for j in 0..k {
                    for l in 0..k {
                        let diagonal = if j == l { n * at_risk[j] } else { 0.0 };
                        covariance[(j, l)] += factor * (diagonal - at_risk[j] * at_risk[l]);
                    }
                }
            }
        }
        for row in &rows[start..end] {
            at_risk[row.2] -= 1.0;
        }
        n -= (end - start) as f64;
        start = end;
    }
}
