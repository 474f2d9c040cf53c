//! The report's section for one outcome: who was analysed, the effects grouped by method,
//! the tests, and the charts its kind calls for (survival curves, pre-post means) with the
//! forest plots of its subgroups and dose–response.

use kindred_app::studies::OutcomeRole;
use kindred_app::studies::engine::result::{Analysis, Effect, Test};
use kindred_app::studies::engine::{Comparison, OutcomeAnalysis, StudyAnalysis};

use crate::charts::forest::{ForestChart, ForestEstimate, ForestInput};
use crate::charts::pre_post::{PrePostArm, PrePostChart};
use crate::charts::survival::{SurvivalArm, SurvivalChart};
use crate::figure::{Figure, escape};

#[derive(Debug)]
pub(crate) struct OutcomeSection {
    pub(crate) heading: String,
    pub(crate) role: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) sample: Vec<(String, Figure, Figure)>,
    pub(crate) effects: Vec<EffectGroup>,
    /// Tests besides the effects (the log-rank test).
    pub(crate) tests: Vec<String>,
    /// Charts as HTML: survival curves, pre-post means.
    pub(crate) charts: Vec<String>,
    /// One forest plot per subgroup variable, with its interaction test.
    pub(crate) subgroups: Vec<(String, String)>,
    pub(crate) dose_response: Option<String>,
}
/// The effects one method estimates.
#[derive(Debug)]
pub(crate) struct EffectGroup {
    pub(crate) method: String,
    pub(crate) lines: Vec<EffectLine>,
}
#[derive(Debug)]
pub(crate) struct EffectLine {
    pub(crate) what: String,
    pub(crate) value: String,
    pub(crate) p_value: String,
}

pub(super) fn outcome_section(
    analysis: &StudyAnalysis,
    outcome: &OutcomeAnalysis,
    effects: Vec<EffectGroup>,
    level: &str,
) -> OutcomeSection {
    let i = outcome.index;
    let at = format!("/outcomes/{i}/comparison");
    let arm_name = |arm: usize| analysis.arms.get(arm).map_or_else(String::new, |a| a.name.clone());
    let mut tests = Vec::new();
    let mut charts = Vec::new();
    match &outcome.comparison {
        Comparison::TimeToEvent(survival) => {
            let at = format!("{at}/time_to_event");
            let names: Vec<String> = (0..survival.arms.len()).map(arm_name).collect();
            let arms: Vec<SurvivalArm<'_>> = survival
                .arms
                .iter()
                .enumerate()
                .filter_map(|(k, a)| {
                    a.result.as_ref().map(|curve| SurvivalArm { name: &names[k], curve, arm: k })
                })
                .collect();
            if !arms.is_empty() {
                charts.push(
                    SurvivalChart::new(&format!("survival-{i}"), &outcome.name, level, &at, &arms)
                        .html(),
                );
            }
            if let Some(log_rank) = &survival.log_rank {
                tests.push(test_line("Log-rank test", &format!("{at}/log_rank"), log_rank));
            }
        }
        Comparison::Continuous(continuous) => {
            let at = format!("{at}/continuous");
            let names: Vec<String> = (0..continuous.arms.len()).map(arm_name).collect();
            let arms: Vec<PrePostArm<'_>> = continuous
                .arms
                .iter()
                .enumerate()
                .filter_map(|(k, a)| {
                    a.result.as_ref().map(|scores| PrePostArm { name: &names[k], arm: k, scores })
                })
                .collect();
            if let Some(chart) =
                PrePostChart::new(&format!("pre-post-{i}"), &outcome.name, &at, &arms)
            {
                charts.push(chart.html());
            }
        }
        _ => {}
    }
    let subgroups = outcome
        .subgroups
        .iter()
        .enumerate()
        .map(|(s, subgroup)| {
            let at = format!("/outcomes/{i}/subgroups/{s}");
            let mut inputs = Vec::new();
            let mut measure = None;
            for (l, level_analysis) in subgroup.levels.iter().enumerate() {
                let path = format!("{at}/levels/{l}/effects");
                match &level_analysis.effects.result {
                    Some(effects) => {
                        for (e, effect) in effects.iter().enumerate() {
                            measure.get_or_insert(effect.measure);
                            let label = if effects.len() > 1 {
                                format!("{}: {}", level_analysis.level, effect.term)
                            } else {
                                level_analysis.level.clone()
                            };
                            inputs.push(forest_input(label, &format!("{path}/result/{e}"), effect));
                        }
                    }
                    None => inputs.push(ForestInput {
                        label: level_analysis.level.clone(),
                        estimate: Err(reason(&level_analysis.effects)),
                    }),
                }
            }
            let measure = measure.map_or("effect", |m| m.label());
            let ratio = subgroup
                .levels
                .iter()
                .find_map(|l| l.effects.result.as_ref()?.first().map(|e| e.measure.is_ratio()))
                .unwrap_or(false);
            let chart = ForestChart::new(
                &format!("subgroup-{i}-{s}"),
                format!("{}: effect by {}", outcome.name, subgroup.variable),
                measure,
                ratio,
                level,
                &inputs,
            );
            let interaction = test_line(
                &format!("Does the effect differ by {}?", subgroup.variable),
                &format!("{at}/interaction"),
                &subgroup.interaction,
            );
            (chart.html(), interaction)
        })
        .collect();
    let dose_response = (!outcome.dose_response.is_empty()).then(|| {
        let inputs: Vec<ForestInput> = outcome
            .dose_response
            .iter()
            .enumerate()
            .map(|(d, slope)| {
                let path = format!("/outcomes/{i}/dose_response/{d}");
                match &slope.result {
                    Some(s) => forest_input(
                        format!(
                            "{} ({}, mean {})",
                            s.dose,
                            s.unit,
                            crate::figure::number(s.mean_dose)
                        ),
                        &format!("{path}/result/effect"),
                        &s.effect,
                    ),
                    None => {
                        ForestInput { label: slope.method.clone(), estimate: Err(reason(slope)) }
                    }
                }
            })
            .collect();
        let first = outcome.dose_response.iter().find_map(|s| s.result.as_ref());
        ForestChart::new(
            &format!("dose-{i}"),
            format!("{}: dose–response by support kind and component", outcome.name),
            first.map_or("slope", |s| s.effect.measure.label()),
            first.is_some_and(|s| s.effect.measure.is_ratio()),
            level,
            &inputs,
        )
        .html()
    });
    OutcomeSection {
        heading: outcome.name.clone(),
        role: match outcome.role {
            OutcomeRole::Primary => "Primary outcome",
            OutcomeRole::Secondary => "Secondary outcome",
        },
        kind: match &outcome.comparison {
            Comparison::Binary(_) => "yes or no",
            Comparison::Continuous(_) => "a score",
            Comparison::TimeToEvent(_) => "time to an event",
            Comparison::Count(_) => "a count over time at risk",
            Comparison::Repeated(_) => "a score at every time point",
        },
        sample: outcome
            .sample
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let at = format!("/outcomes/{i}/sample/{k}");
                (
                    s.name.clone(),
                    Figure::count(format!("{at}/analysed"), s.analysed),
                    Figure::count(format!("{at}/missing"), s.missing),
                )
            })
            .collect(),
        effects,
        tests,
        charts,
        subgroups,
        dose_response,
    }
}

fn forest_input(label: String, path: &str, effect: &Effect) -> ForestInput {
    ForestInput {
        label,
        estimate: Ok(ForestEstimate {
            estimate: effect.estimate,
            lower: effect.ci.lower,
            upper: effect.ci.upper,
            path: path.to_owned(),
            p_value: effect.p_value,
        }),
    }
}

pub(super) fn reason<T>(analysis: &Analysis<T>) -> String {
    analysis.reason.clone().unwrap_or_else(|| "not estimated".to_owned())
}

/// "Log-rank test: χ² 4.12, p 0.042" with its figures, or why there is none.
fn test_line(name: &str, path: &str, test: &Analysis<Test>) -> String {
    match &test.result {
        Some(t) => {
            let statistic = t.statistic.map_or_else(String::new, |s| {
                format!("statistic {}, ", Figure::number(format!("{path}/result/statistic"), s))
            });
            format!(
                "{} ({}): {statistic}p {}",
                escape(name),
                escape(&t.name),
                Figure::p_value(format!("{path}/result/p_value"), t.p_value)
            )
        }
        None => format!("{}: not estimated — {}", escape(name), escape(&reason(test))),
    }
}

/// "1.50 (1.05 to 2.14)", each number a figure under the effect's pointer.
pub(super) fn estimate(path: &str, effect: &Effect) -> String {
    format!(
        "{} ({} to {})",
        Figure::number(format!("{path}/estimate"), effect.estimate),
        Figure::number(format!("{path}/ci/lower"), effect.ci.lower),
        Figure::number(format!("{path}/ci/upper"), effect.ci.upper),
    )
}
