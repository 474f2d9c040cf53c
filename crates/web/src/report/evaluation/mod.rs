//! The evaluation report of a study whose plan is locked: one self-contained HTML file (inline
//! CSS and SVG, no script) that reads on a phone and prints to a clean PDF. In order: the
//! question and design; the plain-language summary; the locked plan and its amendments with
//! their hashes; the flow diagram; the arms at baseline; each outcome's sample, effects and
//! charts (Kaplan–Meier curves with numbers at risk, pre-post means, subgroups and
//! dose–response as forest plots); the costs.
//!
//! Every number is a [`Figure`] carrying its JSON pointer in the study's analysis (or flow)
//! as the API serves it, so the report can be checked against the API figure by figure.

mod outcomes;
mod tables;

use askama::Template;
use kindred_app::studies::StudyReport;
use kindred_domain::vocabulary::Vocabulary;
use time::OffsetDateTime;

use crate::charts::flow::FlowChart;
use crate::figure::{Figure, capitalised, confidence_level, escape};
use outcomes::{EffectGroup, EffectLine, OutcomeSection, estimate, outcome_section};
pub(crate) use tables::{Baseline, baseline, finding};
use tables::{CostSection, cost};

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

impl EvaluationReport {
    pub fn new(report: &StudyReport) -> Self {
        let analysed = &report.analysed;
        let analysis = &analysed.analysis;
        let definition = &report.study.definition;
        let level = confidence_level(analysis.confidence_level);
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

/// "2026-12-03 14:17 UTC".
fn minute(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!("{} {:02}:{:02} UTC", at.date(), at.hour(), at.minute())
}
