//! One regression per outcome type, so every analysis that needs "the outcome on these
//! terms" (adjustment, subgroups, interactions, dose, coach) fits the same model:
//!
//! | outcome | model | SEs |
//! | --- | --- | --- |
//! | binary | logistic regression | model-based |
//! | continuous | linear regression (OLS) | HC1 |
//! | change | OLS of the follow-up score on the terms and the baseline score (ANCOVA) | HC1 |
//! | time to event | Cox proportional hazards, Efron ties | model-based |
//! | count | Poisson regression with a log(exposure) offset | robust (HC0 sandwich) |
//! | repeated | GEE, exchangeable, participants as clusters, on the terms and time-point indicators | robust |
//!
//! With the coach as the cluster, binary, continuous, change and repeated outcomes are fitted
//! by GEE with robust SEs instead (binomial or Gaussian); the statistics crate has no
//! clustered Cox or Poisson model.

use kindred_stats::StatsError;
use kindred_stats::gee::{GeeFamily, gee_exchangeable};
use kindred_stats::regression::{
    Coefficient, Covariance, Design, GlmCovariance, GlmOptions, INTERCEPT_NAME, logistic, ols,
    poisson,
};
use kindred_stats::survival::{Ties, cox_ph};

use super::data::{Column, OutcomeData, Values};
use super::request::OutcomeKind;
use super::result::{Ci, percent};

/// How the observations are grouped for the robust SEs.
#[derive(Clone, Copy)]
pub(crate) enum Grouping<'a> {
    /// Each participant on their own (repeated measures: a participant's time points).
    Participant,
    /// By coach: one cluster id per position of the subset.
    Coach(&'a [usize]),
}

/// One term of a fitted model, on the coefficient scale (log odds, log hazard, …).
#[derive(Debug, Clone)]
pub(crate) struct Term {
    pub name: String,
    pub estimate: f64,
    /// The Wald statistic estimate / SE.
    pub z: f64,
    pub ci: Ci,
    pub p_value: f64,
}

/// A fitted model: its non-intercept terms and, for likelihood models, the log-likelihood.
#[derive(Debug, Clone)]
pub(crate) struct Fitted {
    pub terms: Vec<Term>,
    /// Logistic and Cox fits (the interaction tests compare nested ones).
    pub log_likelihood: Option<f64>,
    /// Whether the coefficients are logs of ratios (odds, hazard, rate), reported exp'd.
    pub ratio_scale: bool,
}

impl Fitted {
    pub fn term(&self, name: &str) -> Option<&Term> {
        self.terms.iter().find(|t| t.name == name)
    }
}

/// The model's name for a method string.
pub(crate) fn describe(kind: OutcomeKind, grouping: Grouping<'_>, level: f64) -> String {
    let ci = percent(level);
    match (kind, grouping) {
        (OutcomeKind::Binary, Grouping::Participant) => {
            format!("logistic regression, {ci} Wald CI")
        }
        (OutcomeKind::Continuous, Grouping::Participant) => {
            format!("linear regression (OLS) with HC1 robust SEs, {ci} CI")
        }
        (OutcomeKind::Change, Grouping::Participant) => format!(
            "ANCOVA: linear regression (OLS) of the follow-up score on the terms and the \
             baseline score, HC1 robust SEs, {ci} CI"
        ),
        (OutcomeKind::TimeToEvent, _) => {
            format!("Cox proportional hazards, Efron ties, {ci} Wald CI")
        }
        (OutcomeKind::Count, _) => format!(
            "Poisson regression with a log(exposure) offset, robust (HC0 sandwich) SEs, {ci} CI"
        ),
        (OutcomeKind::Repeated, Grouping::Participant) => format!(
            "GEE (Gaussian, exchangeable working correlation, participants as clusters) on the \
             terms and time-point indicators, robust SEs, {ci} CI"
        ),
        (OutcomeKind::Binary, Grouping::Coach(_)) => format!(
            "GEE (binomial, logit link, exchangeable working correlation, coaches as clusters), \
             robust SEs, {ci} CI"
        ),
        (kind, Grouping::Coach(_)) => format!(
            "GEE (Gaussian, exchangeable working correlation, coaches as clusters){}, robust \
             SEs, {ci} CI",
            match kind {
                OutcomeKind::Change => " of the follow-up score adjusted for the baseline score",
                OutcomeKind::Repeated => " with time-point indicators",
                _ => "",
            }
        ),
    }
}

/// Fits the outcome's model at `positions` on `columns` (each aligned with `positions`).
pub(crate) fn fit(
    data: &OutcomeData<'_>,
    positions: &[usize],
    columns: &[Column],
    grouping: Grouping<'_>,
    level: f64,
) -> Result<Fitted, StatsError> {
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    let slices: Vec<&[f64]> = columns.iter().map(|c| c.values.as_slice()).collect();
    let pick = |v: &[f64]| -> Vec<f64> { positions.iter().map(|&p| v[p]).collect() };
    match (&data.values, grouping) {
        (Values::Binary(v), Grouping::Participant) => {
            let y: Vec<f64> = positions.iter().map(|&p| f64::from(u8::from(v[p]))).collect();
            let design = design(&slices, &names)?;
            let fit = logistic(&design, &y, &GlmOptions { level, ..GlmOptions::default() })?;
            Ok(fitted(&fit.coefficients, Some(fit.log_likelihood), true))
        }
        (Values::Binary(v), Grouping::Coach(keys)) => {
            let y: Vec<f64> = positions.iter().map(|&p| f64::from(u8::from(v[p]))).collect();
            let design = design(&slices, &names)?;
            let fit = gee_exchangeable(&design, &y, keys, GeeFamily::Binomial, level)?;
            Ok(fitted(&fit.coefficients, None, true))
        }
        (Values::Continuous(v), grouping) => linear(&slices, &names, &pick(v), grouping, level),
        (Values::Change { baseline, follow_up }, grouping) => {
            let base = pick(baseline);
            let mut slices = slices.clone();
            slices.push(&base);
            let mut names = names.clone();
            names.push("baseline score");
            linear(&slices, &names, &pick(follow_up), grouping, level)
        }
        (Values::Survival { days, events }, _) => {
            let times = pick(days);
            let events: Vec<bool> = positions.iter().map(|&p| events[p]).collect();
            let fit = cox_ph(&times, &events, &slices, Ties::Efron, level)?;
            let terms = fit
                .coefficients
                .iter()
                .zip(&names)
                .map(|(c, name)| Term {
                    name: (*name).to_owned(),
                    estimate: c.coef,
                    z: c.z,
                    ci: c.interval.into(),
                    p_value: c.p_value,
                })
                .collect();
            Ok(Fitted { terms, log_likelihood: Some(fit.log_likelihood), ratio_scale: true })
        }
        (Values::Count { events, exposure_days }, _) => {
            let offset: Vec<f64> = positions.iter().map(|&p| exposure_days[p].ln()).collect();
            let design = design(&slices, &names)?;
            let options = GlmOptions {
                weights: None,
                offset: Some(&offset),
                covariance: GlmCovariance::Robust,
                level,
            };
            let fit = poisson(&design, &pick(events), &options)?;
            Ok(fitted(&fit.coefficients, None, true))
        }
        (Values::Repeated(points), grouping) => {
            repeated(data, points, positions, columns, grouping, level)
        }
    }
}

fn design(slices: &[&[f64]], names: &[&str]) -> Result<Design, StatsError> {
    Design::from_columns(slices, true)?.with_names(names)
}

fn fitted(coefficients: &[Coefficient], log_likelihood: Option<f64>, ratio_scale: bool) -> Fitted {
    let terms = coefficients
        .iter()
        .filter(|c| c.name != INTERCEPT_NAME)
        .map(|c| Term {
            name: c.name.clone(),
            estimate: c.estimate,
            z: c.statistic,
            ci: c.ci.into(),
            p_value: c.p_value,
        })
        .collect();
    Fitted { terms, log_likelihood, ratio_scale }
}

fn linear(
    slices: &[&[f64]],
    names: &[&str],
    y: &[f64],
    grouping: Grouping<'_>,
    level: f64,
) -> Result<Fitted, StatsError> {
    let design =
        if slices.is_empty() { Design::intercept_only(y.len())? } else { design(slices, names)? };
    match grouping {
        Grouping::Participant => {
            let fit = ols(&design, y, None, Covariance::Hc1, level)?;
            Ok(fitted(&fit.coefficients, None, false))
        }
        Grouping::Coach(keys) => {
            let fit = gee_exchangeable(&design, y, keys, GeeFamily::Gaussian, level)?;
            Ok(fitted(&fit.coefficients, None, false))
        }
    }
}

/// The long form of a repeated measure: one row per time point observed, the participant's
/// terms repeated on each, plus an indicator per time point after the first.
fn repeated(
    data: &OutcomeData<'_>,
    points: &[Vec<(usize, f64)>],
    positions: &[usize],
    columns: &[Column],
    grouping: Grouping<'_>,
    level: f64,
) -> Result<Fitted, StatsError> {
    let schedule: Vec<usize> = data.time_points.keys().copied().collect();
    let later = schedule.get(1..).unwrap_or(&[]);
    let mut y = Vec::new();
    let mut clusters: Vec<usize> = Vec::new();
    let mut long: Vec<Vec<f64>> = vec![Vec::new(); columns.len() + later.len()];
    for (i, &p) in positions.iter().enumerate() {
        for &(at, value) in &points[p] {
            y.push(value);
            clusters.push(match grouping {
                Grouping::Participant => data.rows[p],
                Grouping::Coach(keys) => keys[i],
            });
            for (c, column) in columns.iter().enumerate() {
                long[c].push(column.values[i]);
            }
            for (t, &time) in later.iter().enumerate() {
                long[columns.len() + t].push(f64::from(u8::from(at == time)));
            }
        }
    }
    let mut names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    names.extend(later.iter().map(|t| format!("time point {}", data.time_points[t])));
    // Time points nobody in this subset reached would be all-zero columns: leave them out.
    let keep: Vec<usize> = (0..long.len())
        .filter(|&c| c < columns.len() || long[c].iter().any(|&v| v != 0.0))
        .collect();
    let slices: Vec<&[f64]> = keep.iter().map(|&c| long[c].as_slice()).collect();
    let kept_names: Vec<&str> = keep.iter().map(|&c| names[c].as_str()).collect();
    let design = if slices.is_empty() {
        Design::intercept_only(y.len())?
    } else {
        design(&slices, &kept_names)?
    };
    let fit = gee_exchangeable(&design, &y, &clusters, GeeFamily::Gaussian, level)?;
    Ok(fitted(&fit.coefficients, None, false))
}
