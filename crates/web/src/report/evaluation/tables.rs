//! The report's tables that are not one outcome's: the findings of the summary, the arms at
//! baseline and the costs — each number a [`Figure`] under its pointer in the analysis.

use kindred_app::studies::Finding;
use kindred_app::studies::engine::StudyAnalysis;
use kindred_app::studies::engine::cost::Bootstrapped;

use super::outcomes::reason;
use crate::figure::{Figure, capitalised, escape};

#[derive(Debug)]
pub(crate) struct Baseline {
    pub(crate) arms: Vec<String>,
    /// The compared arms, whose standardised differences follow the arms' columns.
    pub(crate) compared: Vec<String>,
    pub(crate) rows: Vec<BaselineLine>,
}
#[derive(Debug)]
pub(crate) struct BaselineLine {
    pub(crate) characteristic: String,
    pub(crate) cells: Vec<String>,
    pub(crate) differences: Vec<String>,
}
#[derive(Debug)]
pub(crate) struct CostSection {
    pub(crate) arms: Vec<CostLine>,
    pub(crate) incremental: Vec<IncrementalLine>,
}
#[derive(Debug)]
pub(crate) struct CostLine {
    pub(crate) arm: String,
    /// Participants, total, per participant, contacts, per contact, per good outcome; or why
    /// the arm's costs are not estimated.
    pub(crate) figures: Result<[String; 6], String>,
}
#[derive(Debug)]
pub(crate) struct IncrementalLine {
    pub(crate) comparison: String,
    pub(crate) figures: Result<[String; 3], String>,
    pub(crate) interpretation: String,
}

/// A finding as its sentence and, when estimated, its figures.
pub(crate) fn finding(finding: &Finding, level: &str) -> String {
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

pub(crate) fn baseline(analysis: &StudyAnalysis) -> Option<Baseline> {
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

pub(super) fn cost(analysis: &StudyAnalysis) -> Option<CostSection> {
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
            let bootstrapped = |field: &str, b: &Bootstrapped, money: bool| {
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
