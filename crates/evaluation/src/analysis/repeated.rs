//! Repeated measures over the schedule's time points, by GEE with an exchangeable working
//! correlation and each participant as a cluster: scores per arm and time point, the arm
//! effect over time (arm + time), and the arm difference at each time point (arm × time).

use kindred_stats::gee::{GeeFamily, gee_exchangeable};
use kindred_stats::regression::{Design, INTERCEPT_NAME};
use serde::Serialize;

use super::adjusted::adjusted;
use super::continuous::{Moments, moments};
use super::data::{OutcomeData, Study, Values, arm_columns};
use super::effects::{check_arms, fit_explained, has_outcome};
use super::explain::explain;
use super::model::{Grouping, describe};
use super::result::{Analysis, Effect, Measure, percent};

/// A repeated measure compared across arms and time points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepeatedAnalysis {
    /// Scores per time point and arm.
    pub time_points: Vec<TimePointScores>,
    /// Arm + time: the arm differences averaged over the time points, and each time point
    /// against the first (in a pre-post study, the change over time).
    pub main: Analysis<RepeatedModel>,
    /// Arm × time: the arm difference at each time point (absent in a pre-post study).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_time: Option<Analysis<Vec<Effect>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjusted: Option<Analysis<Vec<Effect>>>,
}

/// One time point's scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimePointScores {
    pub position: usize,
    pub time_point: String,
    pub arms: Vec<ArmMoments>,
}

/// One arm's scores at one time point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArmMoments {
    pub arm: usize,
    pub name: String,
    pub scores: Moments,
}

/// The arm + time model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepeatedModel {
    pub arm_effects: Vec<Effect>,
    pub time_effects: Vec<Effect>,
}

pub(crate) fn analyse(study: &Study<'_>, data: &OutcomeData<'_>) -> RepeatedAnalysis {
    let Values::Repeated(points) = &data.values else {
        return RepeatedAnalysis {
            time_points: vec![],
            main: Analysis::not_estimable(String::new(), vec![], String::new()),
            by_time: None,
            adjusted: None,
        };
    };
    let level = study.level;
    let time_points = data
        .time_points
        .iter()
        .map(|(&position, code)| TimePointScores {
            position,
            time_point: code.clone(),
            arms: (0..study.table.arms.len())
                .map(|arm| {
                    let values: Vec<f64> = data
                        .in_arm(arm)
                        .iter()
                        .flat_map(|&p| points[p].iter().filter(|(at, _)| *at == position))
                        .map(|(_, v)| *v)
                        .collect();
                    ArmMoments {
                        arm,
                        name: study.arm_name(arm).to_owned(),
                        scores: moments(&values),
                    }
                })
                .collect(),
        })
        .collect();
    let all = data.all();
    let sample = data.sample_all(study, &all);
    let what = "the repeated-measures model";
    let arms = arm_columns(study, data, &all);
    let arm_names: Vec<String> = arms.iter().map(|c| c.name.clone()).collect();
    let one_time_point = (data.time_points.len() < 2).then(|| {
        format!(
            "'{}' was measured at one time point only, so there is no change over time to model.",
            data.name
        )
    });
    let main = check_arms(study, data, &all, &has_outcome(data), what)
        .and_then(|()| one_time_point.clone().map_or(Ok(()), Err))
        .and_then(|()| fit_explained(data, &all, &arms, Grouping::Participant, level, what))
        .map(|fit| {
            let (arm_terms, time_terms): (Vec<_>, Vec<_>) =
                fit.terms.iter().partition(|t| arm_names.contains(&t.name));
            let effect = |t: &&super::model::Term| Effect {
                term: t.name.clone(),
                measure: Measure::MeanDifference,
                estimate: t.estimate,
                ci: t.ci,
                p_value: Some(t.p_value),
            };
            RepeatedModel {
                arm_effects: arm_terms.iter().map(effect).collect(),
                time_effects: time_terms.iter().map(effect).collect(),
            }
        });
    let main = Analysis::from_result(
        describe(data.kind, Grouping::Participant, level),
        sample.clone(),
        main,
    );
    let by_time = (!study.compared_arms().is_empty()).then(|| {
        let method = format!(
            "GEE (Gaussian, exchangeable working correlation, participants as clusters) with an \
             indicator per time point and per arm × time point, so each arm term is the \
             difference at that time point; robust SEs, {} CI",
            percent(level)
        );
        let result =
            check_arms(study, data, &all, &has_outcome(data), "the differences by time point")
                .and_then(|()| one_time_point.clone().map_or(Ok(()), Err))
                .and_then(|()| by_time(study, data, points, &all, level));
        Analysis::from_result(method, sample, result)
    });
    let adjusted = adjusted(study, data, &study.adjust, "the adjusted difference");
    RepeatedAnalysis { time_points, main, by_time, adjusted }
}

/// The cell-means parameterisation of arm × time: the reference arm's mean at each time point
/// (intercept and time indicators) and, per compared arm and time point, its difference there.
fn by_time(
    study: &Study<'_>,
    data: &OutcomeData<'_>,
    points: &[Vec<(usize, f64)>],
    positions: &[usize],
    level: f64,
) -> Result<Vec<Effect>, String> {
    let schedule: Vec<usize> = data.time_points.keys().copied().collect();
    let compared = study.compared_arms();
    let mut names: Vec<String> =
        schedule.iter().skip(1).map(|t| format!("time point {}", data.time_points[t])).collect();
    let mut cells = Vec::new();
    for &arm in &compared {
        for &t in &schedule {
            names.push(format!("{} at {}", study.comparison_label(arm), data.time_points[&t]));
            cells.push((arm, t));
        }
    }
    let time_columns = schedule.len().saturating_sub(1);
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let (mut y, mut clusters) = (Vec::new(), Vec::new());
    for &p in positions {
        for &(at, value) in &points[p] {
            y.push(value);
            clusters.push(data.rows[p]);
            for (c, &t) in schedule.iter().skip(1).enumerate() {
                columns[c].push(f64::from(u8::from(at == t)));
            }
            for (c, &(arm, t)) in cells.iter().enumerate() {
                columns[time_columns + c].push(f64::from(u8::from(data.arms[p] == arm && at == t)));
            }
        }
    }
    // Cells nobody reached would be all-zero columns; they have no difference to estimate.
    let keep: Vec<usize> =
        (0..columns.len()).filter(|&c| columns[c].iter().any(|&v| v != 0.0)).collect();
    let slices: Vec<&[f64]> = keep.iter().map(|&c| columns[c].as_slice()).collect();
    let kept: Vec<&str> = keep.iter().map(|&c| names[c].as_str()).collect();
    let what = "the differences by time point";
    let kept_names: Vec<String> = kept.iter().map(|s| (*s).to_owned()).collect();
    let design = Design::from_columns(&slices, true)
        .and_then(|d| d.with_names(&kept))
        .map_err(|e| explain(&e, what, &kept_names))?;
    let fit = gee_exchangeable(&design, &y, &clusters, GeeFamily::Gaussian, level)
        .map_err(|e| explain(&e, what, &kept_names))?;
    // The coefficients after the intercept follow `keep`; the arm cells come after the time
    // indicators.
    Ok(fit
        .coefficients
        .iter()
        .filter(|c| c.name != INTERCEPT_NAME)
        .zip(&keep)
        .filter(|(_, column)| **column >= time_columns)
        .map(|(c, _)| Effect {
            term: c.name.clone(),
            measure: Measure::MeanDifference,
            estimate: c.estimate,
            ci: c.ci.into(),
            p_value: Some(c.p_value),
        })
        .collect())
}
