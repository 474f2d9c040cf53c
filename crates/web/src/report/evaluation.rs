//! The evaluation report of a study whose plan is locked: one self-contained HTML file (inline
//! CSS and SVG, no script) that reads on a phone and prints to a clean PDF. In order: the
//! question and design; the plain-language summary; the locked plan and its amendments with
//! their hashes; the flow diagram; the arms at baseline; each outcome's sample, effects and
//! charts (Kaplan–Meier curves with numbers at risk, pre-post means, subgroups and
//! dose–response as forest plots); the costs.
//!
//! Every number is a [`Figure`] carrying its JSON pointer in the study's analysis (or flow)
//! as the API serves it, so the report can be checked against the API figure by figure.

use askama::Template;
use kindred_app::studies::engine::result::{Analysis, Effect};
use kindred_app::studies::engine::{Comparison, OutcomeAnalysis, StudyAnalysis};
use kindred_app::studies::{Finding, OutcomeRole, StudyReport};
use kindred_domain::vocabulary::Vocabulary;
use time::OffsetDateTime;

use crate::charts::flow::FlowChart;
use crate::charts::forest::{ForestChart, ForestEstimate, ForestInput};
use crate::charts::pre_post::{PrePostArm, PrePostChart};
use crate::charts::survival::{SurvivalArm, SurvivalChart};
use crate::figure::{Figure, escape};

#[derive(Debug, Template)]
#[template(path = "report/evaluation.html")]
pub struct EvaluationReport {
    css: &'static str,
    title: String,
    question: String,
    design: String,
    arms: Vec<ArmLine>,
    generated_at: String,
    cut_off: String,
    analysis_version: String,
    level: String,
    plan: PlanLines,
    findings: Vec<String>,
    limitations: Vec<String>,
    flow: String,
    baseline: Option<Baseline>,
    outcomes: Vec<OutcomeSection>,
    cost: Option<CostSection>,
}

#[derive(Debug)]
struct ArmLine {
    name: String,
    receives: String,
    participants: Figure,
}

#[derive(Debug)]
struct PlanLines {
    locked_hash: String,
    locked_at: String,
    amendments: Vec<AmendmentLine>,
    current_hash: String,
    /// "The chain of hashes verifies." or where it breaks.
    chain: String,
}

#[derive(Debug)]
struct AmendmentLine {
    seq: i64,
    reason: String,
    at: String,
    hash: String,
    plan_hash: String,
}

#[derive(Debug)]
struct Baseline {
    arms: Vec<String>,
    /// The compared arms, whose standardised differences follow the arms' columns.
    compared: Vec<String>,
    rows: Vec<BaselineLine>,
}

#[derive(Debug)]
struct BaselineLine {
    characteristic: String,
    cells: Vec<String>,
    differences: Vec<String>,
}

#[derive(Debug)]
struct OutcomeSection {
    heading: String,
    role: &'static str,
    kind: &'static str,
    sample: Vec<(String, Figure, Figure)>,
    effects: Vec<EffectGroup>,
    /// Tests besides the effects (the log-rank test).
    tests: Vec<String>,
    /// Charts as HTML: survival curves, pre-post means.
    charts: Vec<String>,
    /// One forest plot per subgroup variable, with its interaction test.
    subgroups: Vec<(String, String)>,
    dose_response: Option<String>,
}

/// The effects one method estimates.
#[derive(Debug)]
struct EffectGroup {
    method: String,
    lines: Vec<EffectLine>,
}

#[derive(Debug)]
struct EffectLine {
    what: String,
    value: String,
    p_value: String,
}

#[derive(Debug)]
struct CostSection {
    arms: Vec<CostLine>,
    incremental: Vec<IncrementalLine>,
}

#[derive(Debug)]
struct CostLine {
    arm: String,
    /// Participants, total, per participant, contacts, per contact, per good outcome; or why
    /// the arm's costs are not estimated.
    figures: Result<[String; 6], String>,
}

#[derive(Debug)]
struct IncrementalLine {
    comparison: String,
    figures: Result<[String; 3], String>,
    interpretation: String,
}

impl EvaluationReport {
    pub fn new(report: &StudyReport) -> Self {
        let analysed = &report.analysed;
        let analysis = &analysed.analysis;
        let definition = &report.study.definition;
        let level = percent(analysis.confidence_level);
        let summary = analysed.summary();
        let plan = &report.study.plan;
        Self {
            css: super::CSS,
            title: definition.title.clone(),
            question: definition.question.clone(),
            design: definition.design.code().label().to_owned(),
            arms: definition
                .arms
                .iter()
                .zip(&analysis.arms)
                .enumerate()
                .map(|(i, (arm, summary))| ArmLine {
                    name: arm.name.clone(),
                    receives: arm.receives.clone(),
                    participants: Figure::count(
                        format!("/arms/{i}/participants"),
                        summary.participants,
                    ),
                })
                .collect(),
            generated_at: minute(report.generated_at),
            cut_off: analysed.data_cut_off.to_string(),
            analysis_version: analysis.analysis_version.to_owned(),
            plan: PlanLines {
                locked_hash: plan.lock.as_ref().map(|l| l.hash.clone()).unwrap_or_default(),
                locked_at: plan.lock.as_ref().map(|l| minute(l.locked_at)).unwrap_or_default(),
                amendments: plan
                    .amendments
                    .iter()
                    .map(|a| AmendmentLine {
                        seq: a.seq,
                        reason: a.reason.clone(),
                        at: minute(a.amended_at),
                        hash: a.hash.clone(),
                        plan_hash: a.plan_hash.clone(),
                    })
                    .collect(),
                current_hash: analysed.plan_hash.clone(),
                chain: match &plan.chain_break {
                    None => "The chain of hashes from the lock through every amendment verifies."
                        .to_owned(),
                    Some(broken) => format!("The chain of hashes does not verify: {broken}."),
                },
            },
            findings: summary.findings.iter().map(|f| finding(f, &level)).collect(),
            limitations: summary.limitations,
            flow: FlowChart::new("report-flow", &analysed.flow).html(),
            baseline: baseline(analysis),
            outcomes: analysed
                .headlines()
                .into_iter()
                .zip(&analysis.outcomes)
                .map(|(headline, outcome)| {
                    let mut effects: Vec<EffectGroup> = Vec::new();
                    for e in headline.effects {
                        let line = match e.effect {
                            Ok(effect) => EffectLine {
                                what: format!(
                                    "{}, {}",
                                    capitalised(effect.measure.label()),
                                    effect.term
                                ),
                                value: estimate(&e.path, &effect),
                                p_value: effect.p_value.map_or("–".to_owned(), |p| {
                                    Figure::p_value(format!("{}/p_value", e.path), p).to_string()
                                }),
                            },
                            Err(reason) => EffectLine {
                                what: "Not estimated".to_owned(),
                                value: escape(&reason),
                                p_value: "–".to_owned(),
                            },
                        };
                        // The effects of one model share its method: it is said once.
                        match effects.last_mut() {
                            Some(group) if group.method == e.method => group.lines.push(line),
                            _ => effects.push(EffectGroup { method: e.method, lines: vec![line] }),
                        }
                    }
                    outcome_section(analysis, outcome, effects, &level)
                })
                .collect(),
            cost: cost(analysis),
            level,
        }
    }

    /// The whole file.
    pub fn html(&self) -> String {
        self.render().unwrap_or_default()
    }
}

fn outcome_section(
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

fn reason<T>(analysis: &Analysis<T>) -> String {
    analysis.reason.clone().unwrap_or_else(|| "not estimated".to_owned())
}

/// "Log-rank test: χ² 4.12, p 0.042" with its figures, or why there is none.
fn test_line(
    name: &str,
    path: &str,
    test: &Analysis<kindred_app::studies::engine::result::Test>,
) -> String {
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
fn estimate(path: &str, effect: &Effect) -> String {
    format!(
        "{} ({} to {})",
        Figure::number(format!("{path}/estimate"), effect.estimate),
        Figure::number(format!("{path}/ci/lower"), effect.ci.lower),
        Figure::number(format!("{path}/ci/upper"), effect.ci.upper),
    )
}

/// A finding as its sentence and, when estimated, its figures.
fn finding(finding: &Finding, level: &str) -> String {
    let mut line = escape(&capitalised(&finding.sentence));
    if let Some(e) = &finding.effect {
        line.push_str(&format!(
            " ({} {}, {level} CI {} to {})",
            e.effect.measure.label(),
            Figure::number(format!("{}/estimate", e.path), e.effect.estimate),
            Figure::number(format!("{}/ci/lower", e.path), e.effect.ci.lower),
            Figure::number(format!("{}/ci/upper", e.path), e.effect.ci.upper),
        ));
    }
    if !line.ends_with('.') {
        line.push('.');
    }
    line
}

fn baseline(analysis: &StudyAnalysis) -> Option<Baseline> {
    if analysis.baseline.rows.is_empty() {
        return None;
    }
    let name = |arm: usize| analysis.arms.get(arm).map_or_else(String::new, |a| a.name.clone());
    let compared = analysis.baseline.rows[0].differences.iter().map(|d| name(d.arm)).collect();
    let rows = analysis
        .baseline
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            let at = format!("/baseline/rows/{r}");
            BaselineLine {
                characteristic: row.characteristic.clone(),
                cells: row
                    .arms
                    .iter()
                    .enumerate()
                    .map(|(a, cell)| {
                        let at = format!("{at}/arms/{a}");
                        let n = Figure::count(format!("{at}/n"), cell.n);
                        match (cell.mean, row.proportion) {
                            (None, _) => format!(
                                "none recorded ({} missing)",
                                Figure::count(format!("{at}/missing"), cell.missing)
                            ),
                            (Some(mean), true) => {
                                format!("{} of {n}", Figure::percent(format!("{at}/mean"), mean))
                            }
                            (Some(mean), false) => {
                                let mean = Figure::number(format!("{at}/mean"), mean);
                                match cell.sd {
                                    Some(sd) => format!(
                                        "{mean} (SD {}), n = {n}",
                                        Figure::number(format!("{at}/sd"), sd)
                                    ),
                                    None => format!("{mean}, n = {n}"),
                                }
                            }
                        }
                    })
                    .collect(),
                differences: row
                    .differences
                    .iter()
                    .enumerate()
                    .map(|(d, difference)| {
                        difference.smd.map_or_else(
                            || "–".to_owned(),
                            |smd| {
                                Figure::number(format!("{at}/differences/{d}/smd"), smd).to_string()
                            },
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    Some(Baseline { arms: analysis.arms.iter().map(|a| a.name.clone()).collect(), compared, rows })
}

fn cost(analysis: &StudyAnalysis) -> Option<CostSection> {
    let cost = analysis.cost.as_ref()?;
    let name = |arm: usize| analysis.arms.get(arm).map_or_else(String::new, |a| a.name.clone());
    let arms = cost
        .arms
        .iter()
        .enumerate()
        .map(|(a, arm)| {
            let at = format!("/cost/arms/{a}/result");
            let per_good =
                cost.per_good_outcome.get(a).and_then(|p| p.result.as_ref()).map_or_else(
                    || "–".to_owned(),
                    |p| {
                        Figure::dollars(
                            format!("/cost/per_good_outcome/{a}/result/per_good_outcome_cents"),
                            p.per_good_outcome_cents,
                        )
                        .to_string()
                    },
                );
            CostLine {
                arm: name(a),
                figures: match &arm.result {
                    Some(c) => Ok([
                        Figure::count(format!("{at}/participants"), c.participants).to_string(),
                        Figure::dollars(format!("{at}/total_cents"), c.total_cents as f64)
                            .to_string(),
                        Figure::dollars(
                            format!("{at}/per_participant_cents"),
                            c.per_participant_cents,
                        )
                        .to_string(),
                        Figure::count(format!("{at}/contacts"), c.contacts as usize).to_string(),
                        c.per_contact_cents.map_or_else(
                            || "–".to_owned(),
                            |p| Figure::dollars(format!("{at}/per_contact_cents"), p).to_string(),
                        ),
                        per_good,
                    ]),
                    None => Err(reason(arm)),
                },
            }
        })
        .collect();
    let incremental = cost
        .incremental
        .iter()
        .enumerate()
        .map(|(k, analysis)| {
            let at = format!("/cost/incremental/{k}/result");
            let bootstrapped =
                |field: &str, b: &kindred_app::studies::engine::cost::Bootstrapped, money: bool| {
                    let figure = |path: String, v: f64| {
                        if money { Figure::dollars(path, v) } else { Figure::number(path, v) }
                    };
                    format!(
                        "{} ({} to {})",
                        figure(format!("{at}/{field}/estimate"), b.estimate),
                        figure(format!("{at}/{field}/ci/lower"), b.ci.lower),
                        figure(format!("{at}/{field}/ci/upper"), b.ci.upper),
                    )
                };
            match &analysis.result {
                Some(i) => IncrementalLine {
                    comparison: i.comparison.clone(),
                    figures: Ok([
                        bootstrapped("cost_difference_cents", &i.cost_difference_cents, true),
                        bootstrapped("good_outcome_difference", &i.good_outcome_difference, false),
                        match &i.icer_cents {
                            Some(icer) => bootstrapped("icer_cents", icer, true),
                            None => escape(i.icer_reason.as_deref().unwrap_or("–")),
                        },
                    ]),
                    interpretation: i.interpretation.clone(),
                },
                None => IncrementalLine {
                    comparison: analysis.method.clone(),
                    figures: Err(reason(analysis)),
                    interpretation: String::new(),
                },
            }
        })
        .collect();
    Some(CostSection { arms, incremental })
}

/// "2026-12-03 14:17 UTC".
fn minute(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!("{} {:02}:{:02} UTC", at.date(), at.hour(), at.minute())
}

/// "95%" from 0.95.
fn percent(level: f64) -> String {
    format!("{}%", (level * 100.0).round())
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}
