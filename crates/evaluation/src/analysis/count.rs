//! Counts over exposure time: event rates per arm and rate ratios from Poisson regression
//! with a log(exposure) offset and robust SEs, which stay valid when counts are overdispersed
//! (appointments attended vary more between people than a Poisson model allows).

use kindred_stats::regression::{Design, GlmCovariance, GlmOptions, poisson};
use serde::Serialize;

use super::adjusted::adjusted;
use super::data::{OutcomeData, Study, Values};
use super::effects::{arm_effects, has_outcome};
use super::explain::explain;
use super::model::{Grouping, describe};
use super::result::{Analysis, Ci, Effect, percent};

/// Rates are reported per this many days of exposure ("per month").
pub const RATE_DAYS: f64 = 30.0;

/// A count outcome compared across arms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountAnalysis {
    /// The event rate of each arm.
    pub arms: Vec<Analysis<Rate>>,
    /// Rate ratios of the compared arms against the reference (absent in a pre-post study).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_ratios: Option<Analysis<Vec<Effect>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjusted: Option<Analysis<Vec<Effect>>>,
}

/// Events per 30 days of exposure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rate {
    pub events: f64,
    pub exposure_days: f64,
    pub rate_per_30_days: f64,
    pub ci: Ci,
}

pub(crate) fn analyse(study: &Study<'_>, data: &OutcomeData<'_>) -> CountAnalysis {
    let Values::Count { events, exposure_days } = &data.values else {
        return CountAnalysis { arms: vec![], rate_ratios: None, adjusted: None };
    };
    let level = study.level;
    let arms = (0..study.table.arms.len())
        .map(|arm| {
            let positions = data.in_arm(arm);
            let sample = data.sample(study, &[arm], |_| true, &positions);
            let method = format!(
                "events per {RATE_DAYS} days of exposure: intercept-only Poisson regression with a \
                 log(exposure) offset, robust SE, {} CI",
                percent(level)
            );
            let observed = sample.first().map_or(0, |s| s.analysed + s.excluded);
            let name = study.arm_name(arm);
            let result = if observed == 0 {
                Err(format!(
                    "No participant in the {name} arm has '{}' recorded, so the rate cannot be \
                     estimated.",
                    data.name
                ))
            } else if positions.is_empty() {
                Err(format!(
                    "No participant in the {name} arm had any time at risk (zero exposure), so \
                     the rate cannot be estimated."
                ))
            } else {
                rate(&positions, events, exposure_days, level, name)
            };
            Analysis::from_result(method, sample, result)
        })
        .collect();
    if study.compared_arms().is_empty() {
        return CountAnalysis { arms, rate_ratios: None, adjusted: None };
    }
    let all = data.all();
    let rate_ratios = Analysis::from_result(
        describe(data.kind, Grouping::Participant, level),
        data.sample_all(study, &all),
        arm_effects(study, data, &all, vec![], &has_outcome(data), "the rate ratio"),
    );
    let adjusted = adjusted(study, data, &study.adjust, "the adjusted rate ratio");
    CountAnalysis { arms, rate_ratios: Some(rate_ratios), adjusted }
}

fn rate(
    positions: &[usize],
    events: &[f64],
    exposure_days: &[f64],
    level: f64,
    arm: &str,
) -> Result<Rate, String> {
    let y: Vec<f64> = positions.iter().map(|&p| events[p]).collect();
    let exposure: f64 = positions.iter().map(|&p| exposure_days[p]).sum();
    let total: f64 = y.iter().sum();
    if total == 0.0 {
        return Err(format!(
            "No participant in the {arm} arm had an event in {exposure} days at risk: the rate is \
             0 and has no interval on the log scale."
        ));
    }
    let offset: Vec<f64> = positions.iter().map(|&p| exposure_days[p].ln()).collect();
    let design = Design::intercept_only(y.len()).map_err(|e| explain(&e, "the rate", &[]))?;
    let options = GlmOptions {
        weights: None,
        offset: Some(&offset),
        covariance: GlmCovariance::Robust,
        level,
    };
    let fit = poisson(&design, &y, &options).map_err(|e| explain(&e, "the rate", &[]))?;
    let ratio = fit.ratios.first().ok_or_else(|| "The rate could not be estimated.".to_owned())?;
    Ok(Rate {
        events: total,
        exposure_days: exposure,
        rate_per_30_days: ratio.estimate * RATE_DAYS,
        ci: Ci { lower: ratio.ci.lower * RATE_DAYS, upper: ratio.ci.upper * RATE_DAYS },
    })
}
