//! Proportions and 2×2 tables: Wilson and Clopper–Pearson intervals, risk difference, risk
//! ratio and odds ratio with Wald intervals, the χ² test with and without Yates' correction, and
//! Fisher's exact test.
//!
//! Conventions follow the reference implementations the tests compare against:
//! statsmodels' `proportion_confint`, `confint_proportions_2indep`, `test_proportions_2indep`
//! and `Table2x2`, and scipy's `chi2_contingency` and `fisher_exact`.

use statrs::distribution::{Beta, ChiSquared, ContinuousCDF};
use statrs::function::beta::beta_reg;
use statrs::function::factorial::ln_binomial;

use crate::interval::{check_level, normal_critical_value};
use crate::{Interval, StatsError};

/// A proportion with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProportionInterval {
    /// The sample proportion `successes / trials`.
    pub estimate: f64,
    /// The confidence interval for the underlying proportion.
    pub interval: Interval,
}

/// A 2×2 table of counts: two groups (rows) by event / no event (columns).
///
/// Group 1 is the one compared (e.g. peer support), group 2 the reference (e.g. usual care):
/// risk difference is `p1 − p2`, risk ratio `p1 / p2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table2x2 {
    pub group1_events: u64,
    pub group1_non_events: u64,
    pub group2_events: u64,
    pub group2_non_events: u64,
}

/// An effect measure from a 2×2 table with its Wald interval and test of no effect.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TableEffect {
    /// The estimate on its natural scale (a difference, or a ratio).
    pub estimate: f64,
    /// Standard error on the scale the interval is built on: the natural scale for the risk
    /// difference, the log scale for the risk ratio and odds ratio.
    pub standard_error: f64,
    /// The Wald interval, transformed back to the natural scale for ratios.
    pub interval: Interval,
    /// Wald statistic for no effect (difference 0, log ratio 0).
    pub z: f64,
    /// Two-sided p-value of `z` against the standard normal.
    pub p_value: f64,
}

/// Pearson's χ² test of independence on a 2×2 table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquareTest {
    pub statistic: f64,
    /// Degrees of freedom (always 1 for a 2×2 table).
    pub df: f64,
    pub p_value: f64,
    /// Expected counts under independence, in the table's order (a, b, c, d).
    pub expected: [f64; 4],
}

/// Fisher's exact test on a 2×2 table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FisherExactTest {
    /// The sample odds ratio `a·d / (b·c)`; infinite when `b·c = 0` (scipy reports the same).
    pub odds_ratio: f64,
    /// Two-sided p-value: the total probability of tables no more likely than the one seen.
    pub p_value: f64,
}

impl Table2x2 {
    /// A table from its four cells, read row by row.
    pub fn new(
        group1_events: u64,
        group1_non_events: u64,
        group2_events: u64,
        group2_non_events: u64,
    ) -> Self {
        Self { group1_events, group1_non_events, group2_events, group2_non_events }
    }

    fn cells(&self) -> [f64; 4] {
        [
            self.group1_events as f64,
            self.group1_non_events as f64,
            self.group2_events as f64,
            self.group2_non_events as f64,
        ]
    }

    /// Refuses a table with an empty row or column: a group with nobody in it, or an outcome
    /// that nobody (or everybody) had, leaves every comparison undefined.
    fn check_margins(&self) -> Result<(), StatsError> {
        let [a, b, c, d] = self.cells();
        if a + b == 0.0 {
            return Err(StatsError::Empty { what: "group 1 of the 2×2 table" });
        }
        if c + d == 0.0 {
            return Err(StatsError::Empty { what: "group 2 of the 2×2 table" });
        }
        if a + c == 0.0 || b + d == 0.0 {
            return Err(StatsError::Undefined(
                "a column of the 2×2 table is empty (no events, or no non-events, in either group)"
                    .into(),
            ));
        }
        Ok(())
    }
}

fn check_counts(successes: u64, trials: u64) -> Result<(), StatsError> {
    if trials == 0 {
        return Err(StatsError::Empty { what: "trials" });
    }
    if successes > trials {
        return Err(StatsError::OutOfRange {
            what: "successes",
            detail: format!("{successes} successes exceed {trials} trials"),
        });
    }
    Ok(())
}

/// Wilson score interval for a binomial proportion (Wilson 1927; Agresti & Coull 1998):
/// `(p̂ + z²/2n ± z·sqrt(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)`.
pub fn wilson_interval(
    successes: u64,
    trials: u64,
    level: f64,
) -> Result<ProportionInterval, StatsError> {
    check_counts(successes, trials)?;
    let z = normal_critical_value(level)?;
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // With no successes the lower bound is exactly 0 (and with all, the upper exactly 1);
    // the formula gets there only up to rounding (±3e-17), which could exclude the estimate.
    let lower = if successes == 0 { 0.0 } else { (centre - half).clamp(0.0, 1.0) };
    let upper = if successes == trials { 1.0 } else { (centre + half).clamp(0.0, 1.0) };
    Ok(ProportionInterval { estimate: p, interval: Interval { lower, upper } })
}

/// Exact (Clopper–Pearson 1934) interval from beta quantiles:
/// `[B(α/2; x, n−x+1), B(1−α/2; x+1, n−x)]`, with 0 and 1 at the boundaries.
pub fn clopper_pearson_interval(
    successes: u64,
    trials: u64,
    level: f64,
) -> Result<ProportionInterval, StatsError> {
    check_counts(successes, trials)?;
    check_level(level)?;
    let alpha = 1.0 - level;
    let (x, n) = (successes as f64, trials as f64);
    let lower = if successes == 0 { 0.0 } else { beta_quantile(x, n - x + 1.0, alpha / 2.0)? };
    let upper =
        if successes == trials { 1.0 } else { beta_quantile(x + 1.0, n - x, 1.0 - alpha / 2.0)? };
    Ok(ProportionInterval { estimate: x / n, interval: Interval { lower, upper } })
}

/// The `p` quantile of Beta(a, b): statrs' inverse, then polished by bisection on the
/// regularised incomplete beta so the bound is accurate to machine precision (the inverse
/// alone can be off in the 8th digit for skewed shapes).
fn beta_quantile(a: f64, b: f64, p: f64) -> Result<f64, StatsError> {
    let dist = Beta::new(a, b).map_err(|e| StatsError::InvalidArgument(e.to_string()))?;
    let guess = dist.inverse_cdf(p);
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    let mut x = guess.clamp(0.0, 1.0);
    // Newton steps bracketed by bisection: the CDF is increasing, so the bracket stays valid.
    for _ in 0..200 {
        let f = beta_reg(a, b, x) - p;
        if f == 0.0 {
            return Ok(x);
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let density = dist_pdf(a, b, x);
        let newton = x - f / density;
        x = if density > 0.0 && newton > lo && newton < hi { newton } else { 0.5 * (lo + hi) };
        if hi - lo <= 4.0 * f64::EPSILON * x.max(f64::MIN_POSITIVE) {
            break;
        }
    }
    Ok(x)
}

fn dist_pdf(a: f64, b: f64, x: f64) -> f64 {
    use statrs::distribution::Continuous;
    Beta::new(a, b).map(|d| d.pdf(x)).unwrap_or(0.0)
}

fn two_sided_normal_p(z: f64) -> f64 {
    use statrs::distribution::Normal;
    2.0 * Normal::standard().sf(z.abs())
}

fn wald(estimate: f64, se: f64, level: f64) -> Result<TableEffect, StatsError> {
    let z_crit = normal_critical_value(level)?;
    let z = estimate / se;
    Ok(TableEffect {
        estimate,
        standard_error: se,
        interval: Interval { lower: estimate - z_crit * se, upper: estimate + z_crit * se },
        z,
        p_value: two_sided_normal_p(z),
    })
}

/// Risk difference `p1 − p2` with the Wald interval on the unpooled variance
/// `p1(1−p1)/n1 + p2(1−p2)/n2` (as statsmodels `confint_proportions_2indep(method='wald')`).
///
/// Refuses a table where both risks are 0 or both 1 (the standard error is zero).
pub fn risk_difference(table: &Table2x2, level: f64) -> Result<TableEffect, StatsError> {
    table.check_margins()?;
    let [a, b, c, d] = table.cells();
    let (n1, n2) = (a + b, c + d);
    let (p1, p2) = (a / n1, c / n2);
    let se = (p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2).sqrt();
    if se == 0.0 {
        return Err(StatsError::Undefined(
            "both risks are 0 or 1, so the risk difference has no standard error".into(),
        ));
    }
    wald(p1 - p2, se, level)
}

fn no_zero_cell(table: &Table2x2, measure: &str) -> Result<[f64; 4], StatsError> {
    table.check_margins()?;
    let cells = table.cells();
    if cells.contains(&0.0) {
        return Err(StatsError::Undefined(format!(
            "a zero cell makes the log {measure} infinite; no Wald interval exists"
        )));
    }
    Ok(cells)
}

/// Risk ratio `p1 / p2` with the Wald interval on the log scale,
/// `SE(log RR) = sqrt((1−p1)/(n1 p1) + (1−p2)/(n2 p2))` (Katz et al. 1978; statsmodels
/// `Table2x2.riskratio_confint`). Refuses a table with a zero cell.
pub fn risk_ratio(table: &Table2x2, level: f64) -> Result<TableEffect, StatsError> {
    let [a, b, c, d] = no_zero_cell(table, "risk ratio")?;
    let (n1, n2) = (a + b, c + d);
    let (p1, p2) = (a / n1, c / n2);
    let se = ((1.0 - p1) / (n1 * p1) + (1.0 - p2) / (n2 * p2)).sqrt();
    log_scale(p1 / p2, se, level)
}

/// Odds ratio `a·d / (b·c)` with the Woolf (1955) Wald interval on the log scale,
/// `SE(log OR) = sqrt(1/a + 1/b + 1/c + 1/d)` (statsmodels `Table2x2.oddsratio_confint`).
/// Refuses a table with a zero cell.
pub fn odds_ratio(table: &Table2x2, level: f64) -> Result<TableEffect, StatsError> {
    let [a, b, c, d] = no_zero_cell(table, "odds ratio")?;
    let se = (1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d).sqrt();
    log_scale(a * d / (b * c), se, level)
}

fn log_scale(ratio: f64, se_log: f64, level: f64) -> Result<TableEffect, StatsError> {
    let log = wald(ratio.ln(), se_log, level)?;
    Ok(TableEffect {
        estimate: ratio,
        standard_error: se_log,
        interval: Interval { lower: log.interval.lower.exp(), upper: log.interval.upper.exp() },
        z: log.z,
        p_value: log.p_value,
    })
}

/// Pearson's χ² test on a 2×2 table, optionally with Yates' continuity correction, exactly as
/// scipy's `chi2_contingency`: the correction moves each observed count towards its expected
/// count by `min(0.5, |O − E|)`.
pub fn chi_square_test(table: &Table2x2, yates: bool) -> Result<ChiSquareTest, StatsError> {
    table.check_margins()?;
    let cells = table.cells();
    let [a, b, c, d] = cells;
    let n = a + b + c + d;
    let rows = [a + b, a + b, c + d, c + d];
    let cols = [a + c, b + d, a + c, b + d];
    let mut expected = [0.0; 4];
    let mut statistic = 0.0;
    for i in 0..4 {
        expected[i] = rows[i] * cols[i] / n;
        let diff = expected[i] - cells[i];
        let observed =
            if yates { cells[i] + diff.signum() * diff.abs().min(0.5) } else { cells[i] };
        statistic += (observed - expected[i]).powi(2) / expected[i];
    }
    let chi2 = ChiSquared::new(1.0).map_err(|e| StatsError::InvalidArgument(e.to_string()))?;
    Ok(ChiSquareTest { statistic, df: 1.0, p_value: chi2.sf(statistic), expected })
}

/// Fisher's exact test, two-sided, as scipy's `fisher_exact`: the p-value sums the
/// hypergeometric probabilities of every table with the same margins whose probability does
/// not exceed the observed table's. A relative tolerance of 1e-7 (R's `fisher.test` uses the
/// same) keeps tables of mathematically equal probability together despite rounding.
///
/// Refuses a table with an empty row or column, where scipy returns NaN for the odds ratio.
pub fn fisher_exact(table: &Table2x2) -> Result<FisherExactTest, StatsError> {
    table.check_margins()?;
    let [a, b, c, d] = [
        table.group1_events,
        table.group1_non_events,
        table.group2_events,
        table.group2_non_events,
    ];
    let odds_ratio =
        if b > 0 && c > 0 { (a as f64 * d as f64) / (b as f64 * c as f64) } else { f64::INFINITY };
    // Hypergeometric for the top-left cell given row 1 total r1, column 1 total c1, total n.
    let (r1, r2, c1) = (a + b, c + d, a + c);
    let lo = c1.saturating_sub(r2);
    let hi = c1.min(r1);
    let ln_total = ln_binomial(r1 + r2, c1);
    let ln_pmf = |x: u64| ln_binomial(r1, x) + ln_binomial(r2, c1 - x) - ln_total;
    let observed = ln_pmf(a);
    let threshold = observed + (1.0 + 1e-7_f64).ln();
    let p_value: f64 = (lo..=hi).map(ln_pmf).filter(|&lp| lp <= threshold).map(f64::exp).sum();
    Ok(FisherExactTest { odds_ratio, p_value: p_value.min(1.0) })
}
