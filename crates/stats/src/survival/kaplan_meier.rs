//! Kaplan–Meier estimator with Greenwood variance, log-log ("exponential Greenwood")
//! pointwise intervals and the median survival time with its interval, as lifelines'
//! `KaplanMeierFitter` and `median_survival_times` compute them.

use super::check_times;
use crate::StatsError;
use crate::interval::normal_critical_value;

/// One row of the Kaplan–Meier table, at a distinct observed time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KmStep {
    pub time: f64,
    /// Number at risk just before `time`.
    pub at_risk: usize,
    /// Events at `time`.
    pub events: usize,
    /// Censored at `time` (counted at risk for the events at the same time).
    pub censored: usize,
    /// Ŝ(time), right-continuous: the survival just after `time`.
    pub survival: f64,
    /// Greenwood's sum Σ d/(n(n−d)) up to `time`, so Var(Ŝ) ≈ Ŝ²·sum; a step where everyone
    /// at risk has the event contributes 0, as in lifelines.
    pub greenwood: f64,
    /// Lower pointwise bound.
    pub lower: f64,
    /// Upper pointwise bound.
    pub upper: f64,
}

/// The median survival time and its interval; `None` where the curve (or its bound) never
/// falls to 0.5 within follow-up — lifelines reports infinity there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MedianSurvival {
    pub estimate: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// A fitted Kaplan–Meier curve.
#[derive(Debug, Clone, PartialEq)]
pub struct KaplanMeier {
    /// One step per distinct observed time (event or censoring), ascending.
    pub steps: Vec<KmStep>,
    pub median: MedianSurvival,
    pub level: f64,
}

impl KaplanMeier {
    /// Ŝ(t): 1 before the first step, then the value of the last step at or before `t`.
    pub fn survival_at(&self, t: f64) -> f64 {
        let after = self.steps.partition_point(|s| s.time <= t);
        after.checked_sub(1).and_then(|i| self.steps.get(i)).map_or(1.0, |s| s.survival)
    }
}

/// Kaplan–Meier (1958) product-limit estimate with pointwise intervals at `level`.
///
/// Ŝ(t) = Π (1 − d/n), computed as exp Σ [ln(n − d) − ln n] as lifelines does. Intervals
/// are the log-log transform (Kalbfleisch & Prentice 2002, eq. 1.10; lifelines' `_bounds`):
/// with v = ln Ŝ and σ² the Greenwood sum, the bounds are exp(−exp(ln(−v) ± z·σ/v)); where
/// Ŝ = 1 both bounds are 1, and where Ŝ = 0 both are 0.
///
/// The median is the first time with Ŝ ≤ 0.5; its interval applies the same rule to the lower
/// and upper bound curves (lifelines' `median_survival_times(confidence_interval_)`, the
/// Brookmeyer–Crowley-style inversion of the pointwise band).
pub fn kaplan_meier(times: &[f64], events: &[bool], level: f64) -> Result<KaplanMeier, StatsError> {
    check_times(times, events)?;
    let z = normal_critical_value(level)?;
    let mut rows: Vec<(f64, bool)> = times.iter().copied().zip(events.iter().copied()).collect();
    rows.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut steps = Vec::new();
    let mut at_risk = rows.len();
    let mut log_survival = 0.0_f64;
    let mut greenwood = 0.0_f64;
    let mut start = 0;
    while let Some(&(time, _)) = rows.get(start) {
        let end = start + rows[start..].partition_point(|r| r.0 == time);
        let deaths = rows[start..end].iter().filter(|r| r.1).count();
        let (n, d) = (at_risk as f64, deaths as f64);
        if deaths > 0 {
            log_survival += (n - d).ln() - n.ln();
            if deaths < at_risk {
                greenwood += d / (n * (n - d));
            }
        }
        let survival = log_survival.exp();
        let (lower, upper) = log_log_bounds(survival, greenwood, z);
        steps.push(KmStep {
            time,
            at_risk,
            events: deaths,
            censored: end - start - deaths,
            survival,
            greenwood,
            lower,
            upper,
        });
        at_risk -= end - start;
        start = end;
    }
    let first_at_or_below =
        |value: fn(&KmStep) -> f64| steps.iter().find(|s| value(s) <= 0.5).map(|s| s.time);
    let median = MedianSurvival {
        estimate: first_at_or_below(|s| s.survival),
        lower: first_at_or_below(|s| s.lower),
        upper: first_at_or_below(|s| s.upper),
    };
    Ok(KaplanMeier { steps, median, level })
}

fn log_log_bounds(survival: f64, greenwood: f64, z: f64) -> (f64, f64) {
    if survival >= 1.0 {
        return (1.0, 1.0);
    }
    if survival <= 0.0 {
        return (0.0, 0.0);
    }
    let v = survival.ln();
    let spread = z * greenwood.sqrt() / v;
    let bound = |shift: f64| (-((-v).ln() + shift).exp()).exp();
    (bound(-spread), bound(spread))
}
