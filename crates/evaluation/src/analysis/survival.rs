//! Time to event: Kaplan–Meier curves per arm (points to draw, median, numbers at risk), the
//! log-rank test, and Cox hazard ratios — unadjusted and adjusted — each with the Schoenfeld
//! test of proportional hazards.

use kindred_stats::survival::{
    CoxFit, Ties, TimeTransform, cox_ph, kaplan_meier, log_rank_test, proportional_hazards_test,
};
use serde::Serialize;

use super::data::{Column, OutcomeData, Study, Values, arm_indicators, complete_covariates};
use super::effects::{check_arms, has_outcome};
use super::explain::explain;
use super::result::{Analysis, Ci, Effect, Measure, Test, percent};

/// A time-to-event outcome compared across arms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurvivalAnalysis {
    /// One Kaplan–Meier curve per arm.
    pub arms: Vec<Analysis<SurvivalCurve>>,
    /// The log-rank test across every arm (absent in a pre-post study).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_rank: Option<Analysis<Test>>,
    /// The Cox model on arm alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cox: Option<Analysis<CoxResult>>,
    /// The Cox model on arm and the plan's covariates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjusted: Option<Analysis<CoxResult>>,
}

/// A Kaplan–Meier curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurvivalCurve {
    pub n: usize,
    pub events: usize,
    /// The curve's corners: time 0, each time with an event, and the last follow-up.
    pub points: Vec<CurvePoint>,
    /// Median time to event with its CI; a missing value was not reached in follow-up.
    pub median: Median,
    /// Numbers at risk at the requested days.
    pub at_risk: Vec<AtRisk>,
}

/// One point of a survival curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CurvePoint {
    pub time: f64,
    /// Ŝ just after `time`.
    pub survival: f64,
    pub lower: f64,
    pub upper: f64,
    /// Participants at risk just before `time`.
    pub at_risk: usize,
}

/// The median survival time; a field is absent when the curve (or its bound) never falls
/// to one half during follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Median {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lower: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upper: Option<f64>,
}

/// The number still at risk (followed and event-free) just before a day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AtRisk {
    pub day: f64,
    pub at_risk: usize,
}

/// A Cox model's hazard ratios and its proportional-hazards test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoxResult {
    /// Hazard ratios of the arms (and, adjusted, of the covariates).
    pub hazard_ratios: Vec<Effect>,
    pub events: usize,
    /// Schoenfeld-residual tests, one per term, in `hazard_ratios` order.
    pub proportional_hazards: Vec<Test>,
    /// The global Schoenfeld test.
    pub proportional_hazards_global: Test,
}

pub(crate) fn analyse(study: &Study<'_>, data: &OutcomeData<'_>) -> SurvivalAnalysis {
    let Values::Survival { days, events } = &data.values else {
        return SurvivalAnalysis { arms: vec![], log_rank: None, cox: None, adjusted: None };
    };
    let level = study.level;
    let horizon = days.iter().copied().fold(0.0, f64::max);
    let risk_days: Vec<f64> = if study.request.risk_table_days.is_empty() {
        (0..5).map(|i| (horizon * i as f64 / 4.0).round()).collect()
    } else {
        study.request.risk_table_days.clone()
    };
    let arms = (0..study.table.arms.len())
        .map(|arm| {
            let positions = data.in_arm(arm);
            let sample = data.sample(study, &[arm], |_| true, &positions);
            let method =
                format!("Kaplan–Meier with {} log-log pointwise CI (Greenwood)", percent(level));
            let result = if positions.is_empty() {
                Err(format!(
                    "No participant in the {} arm {}, so no survival curve can be drawn.",
                    study.arm_name(arm),
                    has_outcome(data)
                ))
            } else {
                curve(&positions, days, events, level, &risk_days)
            };
            Analysis::from_result(method, sample, result)
        })
        .collect();
    if study.compared_arms().is_empty() {
        return SurvivalAnalysis { arms, log_rank: None, cox: None, adjusted: None };
    }
    let all = data.all();
    let any_event = events.iter().any(|&e| e);
    let no_events = || {
        format!(
            "No participant had the event '{}', so survival stays at 1 in every arm and the arms \
             cannot be compared.",
            data.name
        )
    };
    let log_rank = {
        let what = "the log-rank test";
        let result = check_arms(study, data, &all, &has_outcome(data), what)
            .and_then(|()| if any_event { Ok(()) } else { Err(no_events()) })
            .and_then(|()| {
                log_rank_test(days, events, &data.arms, None)
                    .map(|l| Test {
                        name: "log-rank χ²".into(),
                        statistic: Some(l.test.statistic),
                        df: Some(l.test.df),
                        p_value: l.test.p_value,
                    })
                    .map_err(|e| explain(&e, what, &[]))
            });
        Analysis::from_result(
            "log-rank test across the arms".into(),
            data.sample_all(study, &all),
            result,
        )
    };
    let method = |adjusted: &str| {
        format!(
            "Cox proportional hazards, Efron ties, {} Wald CI{adjusted}; Schoenfeld-residual test \
             of proportional hazards (Grambsch–Therneau, time as 1 − KM)",
            percent(level)
        )
    };
    let unadjusted = {
        let result = if any_event { cox(study, data, &all, vec![]) } else { Err(no_events()) };
        Analysis::from_result(method(""), data.sample_all(study, &all), result)
    };
    let adjusted = (!study.adjust.is_empty()).then(|| {
        let (kept, columns, notes) = complete_covariates(study, data, &all, &study.adjust);
        let names: Vec<&str> =
            study.adjust.iter().map(|&c| study.table.covariates[c].as_str()).collect();
        let result = if any_event { cox(study, data, &kept, columns) } else { Err(no_events()) };
        Analysis::from_result(
            method(&format!(", adjusted for {}; complete cases", names.join(", "))),
            data.sample_all(study, &kept),
            result,
        )
        .with_notes(notes)
    });
    SurvivalAnalysis { arms, log_rank: Some(log_rank), cox: Some(unadjusted), adjusted }
}

fn curve(
    positions: &[usize],
    days: &[f64],
    events: &[bool],
    level: f64,
    risk_days: &[f64],
) -> Result<SurvivalCurve, String> {
    let times: Vec<f64> = positions.iter().map(|&p| days[p]).collect();
    let seen: Vec<bool> = positions.iter().map(|&p| events[p]).collect();
    let km =
        kaplan_meier(&times, &seen, level).map_err(|e| explain(&e, "the survival curve", &[]))?;
    let mut points =
        vec![CurvePoint { time: 0.0, survival: 1.0, lower: 1.0, upper: 1.0, at_risk: times.len() }];
    let last = km.steps.len().saturating_sub(1);
    for (i, step) in km.steps.iter().enumerate() {
        // Steps with only censoring leave the curve flat; the last one shows how far it goes.
        if step.events > 0 || i == last {
            points.push(CurvePoint {
                time: step.time,
                survival: step.survival,
                lower: step.lower,
                upper: step.upper,
                at_risk: step.at_risk,
            });
        }
    }
    let at_risk = risk_days
        .iter()
        .map(|&day| AtRisk { day, at_risk: times.iter().filter(|&&t| t >= day).count() })
        .collect();
    Ok(SurvivalCurve {
        n: times.len(),
        events: seen.iter().filter(|&&e| e).count(),
        points,
        median: Median {
            estimate: km.median.estimate,
            lower: km.median.lower,
            upper: km.median.upper,
        },
        at_risk,
    })
}

/// The Cox model on the arms (and `extra` columns) at `positions`, with the PH test.
pub(crate) fn cox(
    study: &Study<'_>,
    data: &OutcomeData<'_>,
    positions: &[usize],
    extra: Vec<Column>,
) -> Result<CoxResult, String> {
    let Values::Survival { days, events } = &data.values else {
        return Err("not a time-to-event outcome".into());
    };
    let what = "the hazard ratio";
    check_arms(study, data, positions, &has_outcome(data), what)?;
    let times: Vec<f64> = positions.iter().map(|&p| days[p]).collect();
    let seen: Vec<bool> = positions.iter().map(|&p| events[p]).collect();
    let indicators = arm_indicators(study, data, positions);
    // An arm without events has a hazard ratio of 0 (or infinity): say which arm, rather than
    // the statistics crate's "separation".
    for (arm, column) in &indicators {
        let arm_events = column.values.iter().zip(&seen).filter(|(x, e)| **x == 1.0 && **e).count();
        if arm_events == 0 {
            return Err(format!(
                "No participant in the {} arm had the event '{}', so its hazard ratio is 0 and \
                 cannot be estimated on the log scale; the log-rank test still compares the arms.",
                study.arm_name(*arm),
                data.name
            ));
        }
    }
    let mut columns: Vec<Column> = indicators.into_iter().map(|(_, c)| c).collect();
    let reference = study.reference();
    let ref_events = positions.iter().filter(|&&p| data.arms[p] == reference && events[p]).count();
    if ref_events == 0 {
        return Err(format!(
            "No participant in the {} arm had the event '{}', so the hazard ratios against it are \
             infinite; the log-rank test still compares the arms.",
            study.arm_name(reference),
            data.name
        ));
    }
    columns.extend(extra);
    let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    let slices: Vec<&[f64]> = columns.iter().map(|c| c.values.as_slice()).collect();
    let fit: CoxFit = cox_ph(&times, &seen, &slices, Ties::Efron, study.level)
        .map_err(|e| explain(&e, what, &names))?;
    let ph = proportional_hazards_test(&fit, &times, &seen, &slices, TimeTransform::Km)
        .map_err(|e| explain(&e, "the proportional-hazards test", &names))?;
    let hazard_ratios = fit
        .coefficients
        .iter()
        .zip(&names)
        .map(|(c, name)| Effect {
            term: name.clone(),
            measure: Measure::HazardRatio,
            estimate: c.hazard_ratio,
            ci: Ci::from(c.hazard_ratio_interval),
            p_value: Some(c.p_value),
        })
        .collect();
    let test = |name: String, r: &kindred_stats::survival::ChiSquareResult| Test {
        name,
        statistic: Some(r.statistic),
        df: Some(r.df),
        p_value: r.p_value,
    };
    Ok(CoxResult {
        hazard_ratios,
        events: fit.events,
        proportional_hazards: ph
            .per_covariate
            .iter()
            .zip(&names)
            .map(|(r, name)| test(format!("Schoenfeld χ² for {name}"), r))
            .collect(),
        proportional_hazards_global: test("Schoenfeld global χ²".into(), &ph.global),
    })
}
