//! Continuous scores and changes from baseline: means and SDs per arm; Welch's t and Hedges'
//! g between arms; ANCOVA (follow-up on arm and baseline, HC1 SEs); and, within each arm,
//! the pre-post comparison — paired t or Wilcoxon signed-rank, Cohen's d_z and Hedges' g.

use kindred_stats::two_group::{
    RankMethod, cohens_dz, hedges_g, paired_t_test, welch_t_test, wilcoxon_signed_rank,
};
use serde::Serialize;

use super::adjusted::adjusted;
use super::data::{OutcomeData, Study, Values};
use super::effects::{arm_effects, has_outcome};
use super::explain::explain;
use super::model::{Grouping, describe};
use super::result::{Analysis, ArmSample, Ci, Effect, Measure, Test, percent};

/// Pairs at or above which the pre-post comparison leads with the paired t-test: the mean of
/// 30 differences is close to normal whatever their shape (central limit theorem). Below it a
/// skewed or heavy-tailed change could mislead the t-test, so the Wilcoxon signed-rank test
/// leads. Both are always reported; the rule only says which one answers the question.
pub const PAIRED_T_MIN_PAIRS: usize = 30;

/// A continuous or change outcome compared across arms and over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContinuousAnalysis {
    /// Scores per arm (for a change: baseline, follow-up and change).
    pub arms: Vec<Analysis<ArmScores>>,
    /// Each compared arm against the reference.
    pub comparisons: Vec<ContinuousComparison>,
    /// Change outcomes: follow-up against baseline within each arm.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pre_post: Vec<Analysis<PrePost>>,
    /// Adjusted for the plan's covariates (and, for a change, the baseline score).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjusted: Option<Analysis<Vec<Effect>>>,
}

/// Mean and SD of a set of scores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Moments {
    pub n: usize,
    pub mean: f64,
    /// Sample SD (n − 1); absent with fewer than two values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
}

/// One arm's scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArmScores {
    /// The score (a change outcome's follow-up score).
    pub score: Moments,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Moments>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<Moments>,
}

/// One compared arm against the reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContinuousComparison {
    pub comparison: String,
    pub arm: usize,
    /// The difference in means (of the change, for a change outcome), Welch's t.
    pub welch: Analysis<WelchResult>,
    /// Hedges' g of the same difference.
    pub hedges_g: Analysis<Effect>,
    /// Change outcomes: the follow-up difference adjusted for baseline (ANCOVA).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ancova: Option<Analysis<Effect>>,
}

/// Welch's t-test of a mean difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WelchResult {
    pub difference: Effect,
    pub test: Test,
}

/// Follow-up against baseline within one arm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrePost {
    pub pairs: usize,
    /// The mean change (follow-up − baseline) with the paired-t interval.
    pub mean_change: Effect,
    pub paired_t: Test,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wilcoxon: Option<Test>,
    /// The test the rule chose ([`PAIRED_T_MIN_PAIRS`]): `"paired_t"` or `"wilcoxon"`.
    pub primary_test: &'static str,
    /// Cohen's d_z: mean change over the SD of the changes.
    pub d_z: Effect,
    /// Hedges' g of follow-up against baseline (pooled SD of the two time points).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hedges_g: Option<Effect>,
}

pub(crate) fn analyse(study: &Study<'_>, data: &OutcomeData<'_>) -> ContinuousAnalysis {
    let level = study.level;
    let (scores, baseline) = match &data.values {
        Values::Continuous(v) => (v.clone(), None),
        Values::Change { baseline, follow_up } => (follow_up.clone(), Some(baseline.clone())),
        _ => (vec![], None),
    };
    // What the arms are compared on: the score itself, or the change from baseline.
    let compared: Vec<f64> = match &baseline {
        Some(b) => scores.iter().zip(b).map(|(f, b)| f - b).collect(),
        None => scores.clone(),
    };
    let pick =
        |v: &[f64], positions: &[usize]| -> Vec<f64> { positions.iter().map(|&p| v[p]).collect() };
    let arms = (0..study.table.arms.len())
        .map(|arm| {
            let positions = data.in_arm(arm);
            let sample = data.sample(study, &[arm], |_| true, &positions);
            let result = if positions.is_empty() {
                Err(format!(
                    "No participant in the {} arm {}, so its mean cannot be estimated.",
                    study.arm_name(arm),
                    has_outcome(data)
                ))
            } else {
                Ok(ArmScores {
                    score: moments(&pick(&scores, &positions)),
                    baseline: baseline.as_ref().map(|b| moments(&pick(b, &positions))),
                    change: baseline.as_ref().map(|_| moments(&pick(&compared, &positions))),
                })
            };
            Analysis::from_result("mean and sample SD".into(), sample, result)
        })
        .collect();
    let on = if baseline.is_some() { "change from baseline" } else { "score" };
    let comparisons = study
        .compared_arms()
        .into_iter()
        .map(|arm| {
            let reference = study.reference();
            let (x_pos, y_pos) = (data.in_arm(arm), data.in_arm(reference));
            let used: Vec<usize> = x_pos.iter().chain(&y_pos).copied().collect();
            let sample = data.sample(study, &[arm, reference], |_| true, &used);
            let (x, y) = (pick(&compared, &x_pos), pick(&compared, &y_pos));
            let label = study.comparison_label(arm);
            let empty = [(arm, &x), (reference, &y)].into_iter().find(|(_, v)| v.is_empty());
            let missing = |what: &str| match empty {
                Some((arm, _)) => Err(format!(
                    "No participant in the {} arm {}, so {what} cannot be estimated.",
                    study.arm_name(arm),
                    has_outcome(data)
                )),
                None => Ok(()),
            };
            let welch = missing("the difference").and_then(|()| {
                welch_t_test(&x, &y, level)
                    .map(|t| WelchResult {
                        difference: Effect {
                            term: label.clone(),
                            measure: Measure::MeanDifference,
                            estimate: t.mean_difference,
                            ci: t.interval.into(),
                            p_value: Some(t.p_value),
                        },
                        test: Test {
                            name: "Welch's t".into(),
                            statistic: Some(t.statistic),
                            df: Some(t.df),
                            p_value: t.p_value,
                        },
                    })
                    .map_err(|e| explain(&e, "the difference", &[]))
            });
            let g = missing("Hedges' g").and_then(|()| {
                hedges_g(&x, &y, level)
                    .map(|e| standardised(&label, e))
                    .map_err(|e| explain(&e, "Hedges' g", &[]))
            });
            let ancova = baseline.as_ref().map(|_| {
                let what = "the baseline-adjusted difference";
                let result = arm_effects(study, data, &used, vec![], &has_outcome(data), what)
                    .and_then(|effects| {
                        effects.into_iter().find(|e| e.term == label).ok_or_else(|| {
                            format!(
                                "No participant in the {} arm {}.",
                                study.arm_name(arm),
                                has_outcome(data)
                            )
                        })
                    });
                Analysis::from_result(
                    describe(data.kind, Grouping::Participant, level),
                    sample.clone(),
                    result,
                )
            });
            ContinuousComparison {
                comparison: label,
                arm,
                welch: Analysis::from_result(
                    format!("difference in mean {on}, Welch's t-test, {} CI", percent(level)),
                    sample.clone(),
                    welch,
                ),
                hedges_g: Analysis::from_result(
                    format!(
                        "Hedges' g of the {on} (pooled SD, exact small-sample correction), {} \
                         normal-approximation CI",
                        percent(level)
                    ),
                    sample.clone(),
                    g,
                ),
                ancova,
            }
        })
        .collect();
    let pre_post = match &baseline {
        Some(b) => (0..study.table.arms.len())
            .map(|arm| {
                pre_post(
                    study,
                    data,
                    arm,
                    &pick(&scores, &data.in_arm(arm)),
                    &pick(b, &data.in_arm(arm)),
                )
            })
            .collect(),
        None => vec![],
    };
    let adjusted = adjusted(study, data, &study.adjust, "the adjusted difference");
    ContinuousAnalysis { arms, comparisons, pre_post, adjusted }
}

fn standardised(label: &str, e: kindred_stats::two_group::EffectSize) -> Effect {
    Effect {
        term: label.to_owned(),
        measure: Measure::StandardisedDifference,
        estimate: e.estimate,
        ci: e.interval.into(),
        p_value: None,
    }
}

/// Mean and SD; the SD only from two values on.
pub(crate) fn moments(values: &[f64]) -> Moments {
    let n = values.len();
    let mean = if n == 0 { 0.0 } else { values.iter().sum::<f64>() / n as f64 };
    let sd = (n >= 2).then(|| {
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0)).sqrt()
    });
    Moments { n, mean, sd }
}

fn pre_post(
    study: &Study<'_>,
    data: &OutcomeData<'_>,
    arm: usize,
    follow_up: &[f64],
    baseline: &[f64],
) -> Analysis<PrePost> {
    let level = study.level;
    let method = format!(
        "follow-up − baseline within the arm: paired t-test ({} CI of the mean change) and \
         Wilcoxon signed-rank test (zero changes dropped); the paired t leads from \
         {PAIRED_T_MIN_PAIRS} pairs, the Wilcoxon below; Cohen's d_z and Hedges' g with \
         normal-approximation CIs (g's CI treats the two time points as independent, so it is \
         conservative when they correlate)",
        percent(level)
    );
    let positions = data.in_arm(arm);
    let sample: Vec<ArmSample> = data.sample(study, &[arm], |_| true, &positions);
    let label = format!("{}: follow-up vs baseline", study.arm_name(arm));
    let result = if follow_up.is_empty() {
        Err(format!(
            "No participant in the {} arm {}, so the change cannot be estimated.",
            study.arm_name(arm),
            has_outcome(data)
        ))
    } else {
        within(follow_up, baseline, level, &label)
    };
    Analysis::from_result(method, sample, result)
}

/// The pre-post comparison of paired scores, or why it cannot be made.
pub(crate) fn within(
    follow_up: &[f64],
    baseline: &[f64],
    level: f64,
    label: &str,
) -> Result<PrePost, String> {
    let what = "the change";
    let t = paired_t_test(follow_up, baseline, level).map_err(|e| explain(&e, what, &[]))?;
    let d_z = cohens_dz(follow_up, baseline, level).map_err(|e| explain(&e, "d_z", &[]))?;
    let wilcoxon = wilcoxon_signed_rank(follow_up, baseline, RankMethod::Auto).ok().map(|w| Test {
        name: match w.method {
            RankMethod::Exact => "Wilcoxon signed-rank, exact".into(),
            _ => "Wilcoxon signed-rank, normal approximation with continuity correction".into(),
        },
        statistic: Some(w.statistic),
        df: None,
        p_value: w.p_value,
    });
    let primary_test = if follow_up.len() >= PAIRED_T_MIN_PAIRS || wilcoxon.is_none() {
        "paired_t"
    } else {
        "wilcoxon"
    };
    Ok(PrePost {
        pairs: follow_up.len(),
        mean_change: Effect {
            term: label.to_owned(),
            measure: Measure::MeanDifference,
            estimate: t.mean_difference,
            ci: Ci::from(t.interval),
            p_value: Some(t.p_value),
        },
        paired_t: Test {
            name: "paired t".into(),
            statistic: Some(t.statistic),
            df: Some(t.df),
            p_value: t.p_value,
        },
        wilcoxon,
        primary_test,
        d_z: standardised(label, d_z),
        hedges_g: hedges_g(follow_up, baseline, level).ok().map(|g| standardised(label, g)),
    })
}
