//! The analyses a study's plan names, chosen by design and outcome type and computed with the
//! statistics crate: [`analyse`] takes the [`AnalysedTable`] and an [`AnalysisRequest`] and
//! returns a [`StudyAnalysis`], plain data that serialises to the same JSON for the same input.
//!
//! | outcome | comparison | adjusted |
//! | --- | --- | --- |
//! | binary | Wilson proportions; RD, RR, OR; χ² or Fisher | logistic regression |
//! | continuous | means, SDs; Welch t, Hedges' g | OLS, HC1 |
//! | change | the same on the change; ANCOVA; pre-post paired t / Wilcoxon, d_z, g | ANCOVA + covariates |
//! | time to event | Kaplan–Meier; log-rank; Cox with Schoenfeld test | Cox + covariates |
//! | count | rates; Poisson rate ratios with log(exposure) offset, robust SEs | Poisson + covariates |
//! | repeated | GEE arm + time and arm × time | GEE + covariates |
//!
//! Once per study, the arms at baseline ([`baseline`]). For every outcome, besides: for whom ([`subgroup`]), by whom ([`coach`]), dose–response
//! ([`dose`]), and in quasi-experimental studies the propensity-weighted model
//! ([`propensity`]); once per study, the cost analyses ([`cost`]).
//!
//! Degenerate data never panic and never give NaN: each [`Analysis`] is either estimated or
//! says in a sentence why not. A table whose shape contradicts itself or the request is a
//! [`TableError`].

mod adjusted;
pub mod baseline;
pub mod binary;
mod chi_square;
pub mod coach;
pub mod continuous;
pub mod cost;
pub mod count;
mod data;
pub mod dose;
mod effects;
mod explain;
mod finite;
pub mod headline;
mod model;
mod parallel;
pub mod propensity;
pub mod repeated;
pub mod request;
pub mod result;
pub mod subgroup;
pub mod summary;
pub mod survival;

use serde::Serialize;

pub use request::{
    AnalysisRequest, BootstrapPlan, Estimand, GoodOutcome, OutcomeKind, OutcomePlan, OutcomeRole,
    StudyDesign, WeightingPlan,
};
pub use result::{Analysis, ArmSample, Ci, Effect, Measure, Test};

use crate::table::{AnalysedTable, TableError};
use data::{OutcomeData, Study, covariate_indices};

/// The version of the analyses: bumped whenever a method, default or output field changes,
/// so a stored result says which rules made it.
pub const ANALYSIS_VERSION: &str = "1.2.0";

/// Every analysis of one study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudyAnalysis {
    pub analysis_version: &'static str,
    pub design: StudyDesign,
    /// The confidence level of every interval (1 − α).
    pub confidence_level: f64,
    pub alpha: f64,
    pub arms: Vec<ArmSummary>,
    pub reference_arm: usize,
    /// The arms at baseline: each covariate and subgroup level, with standardised differences.
    pub baseline: baseline::BaselineTable,
    pub outcomes: Vec<OutcomeAnalysis>,
    /// Quasi-experimental studies: the weighting of each compared arm.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub propensity: Vec<propensity::PropensityAnalysis>,
    /// Absent when no participant has a cost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<cost::CostAnalysis>,
}

/// An arm and how many participants it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArmSummary {
    pub arm: usize,
    pub name: String,
    pub participants: usize,
}

/// Every analysis of one outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeAnalysis {
    pub index: usize,
    pub name: String,
    pub kind: OutcomeKind,
    pub role: OutcomeRole,
    /// Participants with the outcome and missing it, per arm.
    pub sample: Vec<ArmSample>,
    pub comparison: Comparison,
    /// Quasi-experimental studies: the weighted effect of each compared arm.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub weighted: Vec<Analysis<Effect>>,
    /// For whom: one entry per subgroup variable of the plan.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subgroups: Vec<subgroup::SubgroupAnalysis>,
    /// By whom: the outcome by coach qualifications.
    pub by_coach: Analysis<coach::CoachAnalysis>,
    /// Dose–response slopes.
    pub dose_response: Vec<Analysis<dose::DoseSlope>>,
}

/// The outcome-type-specific comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    Binary(Box<binary::BinaryAnalysis>),
    Continuous(Box<continuous::ContinuousAnalysis>),
    TimeToEvent(Box<survival::SurvivalAnalysis>),
    Count(Box<count::CountAnalysis>),
    Repeated(Box<repeated::RepeatedAnalysis>),
}

/// Most threads [`analyse`] uses: the outcomes and the cost bootstrap are independent, and a
/// few cores bring the full analysis set of a large study under a second without taking a
/// whole server.
pub const MAX_THREADS: usize = 4;

/// Participants from which [`analyse`] uses more than one thread.
pub const PARALLEL_FROM: usize = 2_000;

/// Runs every analysis the request names on the table, on up to [`MAX_THREADS`] threads.
///
/// Refuses only a table or request that contradicts itself (see [`TableError`]); anything
/// the data cannot support is answered inside the result, in words.
pub fn analyse(
    table: &AnalysedTable,
    request: &AnalysisRequest,
) -> Result<StudyAnalysis, TableError> {
    // A small study is analysed in milliseconds: not worth starting threads for.
    let threads = if table.rows.len() < PARALLEL_FROM {
        1
    } else {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    };
    analyse_with_threads(table, request, threads.min(MAX_THREADS))
}

/// [`analyse`] on at most `threads` threads (1 runs everything on the caller's thread). The
/// result does not depend on the number.
pub fn analyse_with_threads(
    table: &AnalysedTable,
    request: &AnalysisRequest,
    threads: usize,
) -> Result<StudyAnalysis, TableError> {
    table.check()?;
    check_request(table, request)?;
    let subgroups = request
        .subgroups
        .iter()
        .map(|name| {
            table.subgroups.iter().position(|s| s == name).ok_or_else(|| {
                TableError::Request(format!("subgroup variable '{name}' is not in the table"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let study = Study {
        table,
        request,
        level: request.level(),
        adjust: covariate_indices(table, &request.adjust_for)?,
        subgroups,
    };
    let outcome_data = (0..table.outcomes.len())
        .map(|i| OutcomeData::read(&study, i))
        .collect::<Result<Vec<_>, _>>()?;
    let (propensity, weights) = if request.design == StudyDesign::QuasiExperimental {
        let names = if request.propensity_covariates.is_empty() {
            &request.adjust_for
        } else {
            &request.propensity_covariates
        };
        propensity::weigh(&study, &covariate_indices(table, names)?)
    } else {
        (vec![], vec![])
    };
    // One task per outcome and one for the cost bootstrap, the longest started first.
    let cost_task = outcome_data.len();
    let mut order: Vec<usize> = (0..=cost_task).collect();
    order.sort_by_key(|&t| std::cmp::Reverse(outcome_data.get(t).map_or(3, |d| weight(d.kind))));
    let mut done = parallel::in_parallel(&order, threads, |task| match outcome_data.get(task) {
        Some(data) => Done::Outcome(Box::new(outcome(&study, data, &weights))),
        None => Done::Cost(table.rows.iter().any(|r| r.cost_cents.is_some()).then(|| {
            let good =
                request.good_outcome.and_then(|g| outcome_data.get(g.outcome).map(|d| (d, g)));
            cost::analyse(&study, good)
        })),
    });
    let cost = match done.pop() {
        Some(Done::Cost(cost)) => cost,
        _ => None,
    };
    let outcomes = done
        .into_iter()
        .filter_map(|d| match d {
            Done::Outcome(o) => Some(*o),
            Done::Cost(_) => None,
        })
        .collect();
    Ok(StudyAnalysis {
        analysis_version: ANALYSIS_VERSION,
        design: request.design,
        confidence_level: study.level,
        alpha: request.alpha,
        arms: table
            .arms
            .iter()
            .enumerate()
            .map(|(arm, name)| ArmSummary {
                arm,
                name: name.clone(),
                participants: table.rows.iter().filter(|r| r.arm == arm).count(),
            })
            .collect(),
        reference_arm: request.reference_arm,
        baseline: baseline::table(&study),
        outcomes,
        propensity,
        cost,
    })
}

/// A finished task.
enum Done {
    Outcome(Box<OutcomeAnalysis>),
    Cost(Option<cost::CostAnalysis>),
}

/// How long an outcome's analyses take, roughly, relative to each other: repeated measures fit
/// GEEs over every time point, survival fits Cox models, the rest single-row models.
fn weight(kind: OutcomeKind) -> u8 {
    match kind {
        OutcomeKind::Repeated => 5,
        OutcomeKind::TimeToEvent => 2,
        OutcomeKind::Binary | OutcomeKind::Count => 1,
        OutcomeKind::Continuous | OutcomeKind::Change => 0,
    }
}

/// Every analysis of one outcome.
fn outcome(
    study: &Study<'_>,
    data: &OutcomeData<'_>,
    weights: &[(usize, Option<propensity::Weights>)],
) -> OutcomeAnalysis {
    let comparison = match data.kind {
        OutcomeKind::Binary => Comparison::Binary(Box::new(binary::analyse(study, data))),
        OutcomeKind::Continuous | OutcomeKind::Change => {
            Comparison::Continuous(Box::new(continuous::analyse(study, data)))
        }
        OutcomeKind::TimeToEvent => {
            Comparison::TimeToEvent(Box::new(survival::analyse(study, data)))
        }
        OutcomeKind::Count => Comparison::Count(Box::new(count::analyse(study, data))),
        OutcomeKind::Repeated => Comparison::Repeated(Box::new(repeated::analyse(study, data))),
    };
    OutcomeAnalysis {
        index: data.index,
        name: data.name.to_owned(),
        kind: data.kind,
        role: study.request.outcomes[data.index].role,
        sample: data.sample_all(study, &data.all()),
        comparison,
        weighted: weights
            .iter()
            .map(|(arm, w)| propensity::weighted_effect(study, data, *arm, w.as_ref()))
            .collect(),
        subgroups: study.subgroups.iter().map(|&v| subgroup::analyse(study, data, v)).collect(),
        by_coach: coach::analyse(study, data),
        dose_response: dose::analyse(study, data),
    }
}

fn check_request(table: &AnalysedTable, request: &AnalysisRequest) -> Result<(), TableError> {
    let refuse = |message: String| Err(TableError::Request(message));
    if request.outcomes.len() != table.outcomes.len() {
        return refuse(format!(
            "the request plans {} outcomes and the table holds {}",
            request.outcomes.len(),
            table.outcomes.len()
        ));
    }
    if !(request.alpha > 0.0 && request.alpha < 1.0) {
        return refuse(format!("α = {} is not between 0 and 1", request.alpha));
    }
    if request.reference_arm >= table.arms.len() {
        return refuse(format!(
            "reference arm {} is not one of the {} arms",
            request.reference_arm,
            table.arms.len()
        ));
    }
    let comparative = request.design != StudyDesign::PrePost;
    if comparative && table.arms.len() < 2 {
        return refuse("a randomised or quasi-experimental study needs at least two arms".into());
    }
    if request.bootstrap.replicates < 2 {
        return refuse("the bootstrap needs at least two replicates".into());
    }
    if let Some(good) = request.good_outcome {
        match request.outcomes.get(good.outcome) {
            Some(plan) if plan.kind == OutcomeKind::Binary => {}
            _ => {
                return refuse(format!(
                    "the good outcome {} is not a binary outcome of the plan",
                    good.outcome
                ));
            }
        }
    }
    if let Some((lower, upper)) = request.weighting.truncate_percentiles
        && !(0.0 <= lower && lower < upper && upper <= 100.0)
    {
        return refuse(format!(
            "truncation percentiles {lower} and {upper} are not 0 ≤ lower < upper ≤ 100"
        ));
    }
    if request.risk_table_days.iter().any(|d| !d.is_finite() || *d < 0.0) {
        return refuse("a risk-table day is negative or not finite".into());
    }
    Ok(())
}
