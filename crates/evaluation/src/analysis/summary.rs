//! A plain-language summary of a study's analysis, written from its results: one finding per
//! outcome, and the limitations the record itself shows.
//!
//! The words are honest about uncertainty. An interval that includes no effect reads "no
//! evidence of a difference", never "no difference"; a finding names the estimate it rests
//! on (by its path in the serialised analysis, so a report can show the number and a test
//! can check it); limitations are named from the record — no comparison group, follow-up
//! below 80 %, arms unlike at baseline or after weighting, many subgroups tested.

use serde::Serialize;

use super::baseline::IMBALANCE;
use super::result::{Analysis, Effect, Measure, percent};
use super::{Comparison, OutcomeAnalysis, OutcomeKind, OutcomeRole, StudyAnalysis, StudyDesign};

/// The share of participants whose outcome must be known for follow-up to be called
/// adequate (the usual bar of funders and of risk-of-bias tools).
pub const FOLLOW_UP_BAR: f64 = 0.8;

/// Subgroup tests from which the chance of a false alarm is worth a warning.
pub const MANY_SUBGROUP_TESTS: usize = 3;

/// The summary of one study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub findings: Vec<Finding>,
    pub limitations: Vec<String>,
}

/// What one outcome's main comparison says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub outcome: String,
    pub role: OutcomeRole,
    pub verdict: Verdict,
    /// The finding in words, without its figures ("There is no evidence of a difference in
    /// …"); the figures are in `effect`.
    pub sentence: String,
    /// The estimate the finding rests on, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<FindingEffect>,
}

/// An estimate and where it sits in the serialised analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingEffect {
    /// A JSON pointer to the [`Effect`] in the serialised [`StudyAnalysis`].
    pub path: String,
    pub effect: Effect,
}

/// What the interval says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The interval lies wholly above no effect.
    Higher,
    /// Wholly below.
    Lower,
    /// It includes no effect.
    NoEvidence,
    /// The analysis could not be estimated.
    NotEstimated,
}

/// The summary of `analysis`.
pub fn summarise(analysis: &StudyAnalysis) -> Summary {
    let mut findings: Vec<Finding> =
        analysis.outcomes.iter().flat_map(|o| outcome_findings(analysis, o)).collect();
    // Primary outcomes first; plan order otherwise.
    findings.sort_by_key(|f| f.role != OutcomeRole::Primary);
    Summary { findings, limitations: limitations(analysis) }
}

/// The value of a measure that means no effect.
pub fn no_effect(measure: Measure) -> f64 {
    if measure.is_ratio() { 1.0 } else { 0.0 }
}

/// The main estimate of each comparison of one outcome, with its path: in a
/// quasi-experimental study the propensity-weighted effect, otherwise the unadjusted
/// comparison the plan's outcome type calls for.
fn outcome_findings(analysis: &StudyAnalysis, outcome: &OutcomeAnalysis) -> Vec<Finding> {
    let at = format!("/outcomes/{}", outcome.index);
    let mut main: Vec<(String, Result<&Effect, &str>)> = Vec::new();
    if analysis.design == StudyDesign::QuasiExperimental && !outcome.weighted.is_empty() {
        for (k, weighted) in outcome.weighted.iter().enumerate() {
            main.push(one(format!("{at}/weighted/{k}/result"), weighted, Some));
        }
    } else {
        match &outcome.comparison {
            Comparison::Binary(b) => {
                for (c, comparison) in b.comparisons.iter().enumerate() {
                    let path =
                        format!("{at}/comparison/binary/comparisons/{c}/risk_difference/result");
                    main.push(one(path, &comparison.risk_difference, Some));
                }
            }
            Comparison::Continuous(c) => {
                for (k, comparison) in c.comparisons.iter().enumerate() {
                    let path = format!(
                        "{at}/comparison/continuous/comparisons/{k}/welch/result/difference"
                    );
                    main.push(one(path, &comparison.welch, |w| Some(&w.difference)));
                }
                for (k, pre_post) in c.pre_post.iter().enumerate() {
                    let path =
                        format!("{at}/comparison/continuous/pre_post/{k}/result/mean_change");
                    main.push(one(path, pre_post, |p| Some(&p.mean_change)));
                }
            }
            Comparison::TimeToEvent(s) => {
                if let Some(cox) = &s.cox {
                    main.extend(many(
                        &format!("{at}/comparison/time_to_event/cox/result/hazard_ratios"),
                        cox,
                        |c| &c.hazard_ratios,
                    ));
                }
            }
            Comparison::Count(c) => {
                if let Some(ratios) = &c.rate_ratios {
                    main.extend(many(
                        &format!("{at}/comparison/count/rate_ratios/result"),
                        ratios,
                        |r| r,
                    ));
                }
            }
            Comparison::Repeated(r) => main.extend(many(
                &format!("{at}/comparison/repeated/main/result/arm_effects"),
                &r.main,
                |m| &m.arm_effects,
            )),
        }
    }
    // An outcome not estimated in several ways (each comparison, each arm's pre-post) is
    // said so once, with the first reason.
    let mut said_not_estimated = false;
    main.retain(|(_, effect)| effect.is_ok() || !std::mem::replace(&mut said_not_estimated, true));
    main.into_iter()
        .map(|(path, effect)| match effect {
            Ok(effect) => finding(analysis, outcome, path, effect),
            Err(reason) => Finding {
                outcome: outcome.name.clone(),
                role: outcome.role,
                verdict: Verdict::NotEstimated,
                sentence: format!(
                    "The effect on {} could not be estimated: {}",
                    outcome.name,
                    reason.trim_end_matches('.')
                ),
                effect: None,
            },
        })
        .collect()
}

fn one<'a, T>(
    path: String,
    analysis: &'a Analysis<T>,
    pick: impl Fn(&'a T) -> Option<&'a Effect>,
) -> (String, Result<&'a Effect, &'a str>) {
    let effect = analysis.result.as_ref().and_then(pick);
    (path, effect.ok_or_else(|| analysis.reason.as_deref().unwrap_or("no estimate")))
}

/// Every effect of a list-valued analysis, or its one reason.
fn many<'a, T>(
    path: &str,
    analysis: &'a Analysis<T>,
    effects: impl Fn(&'a T) -> &'a Vec<Effect>,
) -> Vec<(String, Result<&'a Effect, &'a str>)> {
    match &analysis.result {
        // Only the arm terms: an adjusted model's covariate terms are not findings.
        Some(result) => effects(result)
            .iter()
            .enumerate()
            .map(|(h, e)| (format!("{path}/{h}"), Ok(e)))
            .collect(),
        None => vec![(path.to_owned(), Err(analysis.reason.as_deref().unwrap_or("no estimate")))],
    }
}

fn finding(
    analysis: &StudyAnalysis,
    outcome: &OutcomeAnalysis,
    path: String,
    effect: &Effect,
) -> Finding {
    let null = no_effect(effect.measure);
    // Some(true): the interval lies wholly above no effect; Some(false): wholly below.
    let above = if effect.ci.lower > null {
        Some(true)
    } else if effect.ci.upper < null {
        Some(false)
    } else {
        None
    };
    let name = &outcome.name;
    let pre_post = path.contains("/pre_post/");
    let (arm, reference) = comparison_arms(analysis, &effect.term);
    let sentence = match above {
        None if pre_post => format!(
            "There is no evidence that {name} changed from baseline in {arm}; the interval is \
             consistent with no change as well as with the changes at its ends"
        ),
        None => format!(
            "There is no evidence of a difference in {name} between {arm} and {reference}; this \
             is not evidence that there is none: the interval is consistent with no difference \
             as well as with the differences at its ends"
        ),
        Some(up) if pre_post => {
            format!("{name} {} from baseline in {arm}", if up { "rose" } else { "fell" })
        }
        Some(up) => {
            let comparison = match (outcome.kind, up) {
                (OutcomeKind::Binary, true) => "was more common",
                (OutcomeKind::Binary, false) => "was less common",
                (OutcomeKind::TimeToEvent, true) => "came sooner",
                (OutcomeKind::TimeToEvent, false) => "came later",
                (OutcomeKind::Count, true) => "happened more often",
                (OutcomeKind::Count, false) => "happened less often",
                (_, true) => "was higher",
                (_, false) => "was lower",
            };
            format!("{name} {comparison} in {arm} than in {reference}")
        }
    };
    Finding {
        outcome: name.clone(),
        role: outcome.role,
        verdict: match above {
            Some(true) => Verdict::Higher,
            Some(false) => Verdict::Lower,
            None => Verdict::NoEvidence,
        },
        sentence,
        effect: Some(FindingEffect { path, effect: effect.clone() }),
    }
}

/// The compared and reference arm of a term ("peer support vs usual care"); a pre-post term
/// names its arm only.
fn comparison_arms(analysis: &StudyAnalysis, term: &str) -> (String, String) {
    let reference = analysis
        .arms
        .get(analysis.reference_arm)
        .map_or_else(|| "the reference arm".to_owned(), |a| a.name.clone());
    match term.split_once(" vs ") {
        Some((arm, reference)) => (arm.to_owned(), reference.to_owned()),
        None => {
            let arm = analysis
                .arms
                .iter()
                .find(|a| term.contains(&a.name))
                .map_or_else(|| term.to_owned(), |a| a.name.clone());
            (arm, reference)
        }
    }
}

fn limitations(analysis: &StudyAnalysis) -> Vec<String> {
    let mut limitations = Vec::new();
    match analysis.design {
        StudyDesign::PrePost => limitations.push(
            "This is a pre-post study with no comparison group: a change from baseline may \
             come from time, regression to the mean or other services, so it cannot be \
             attributed to the support."
                .to_owned(),
        ),
        StudyDesign::QuasiExperimental => limitations.push(
            "Participants were not randomised: the arms were weighted on the covariates the \
             plan names, but differences in anything unrecorded remain."
                .to_owned(),
        ),
        StudyDesign::Randomised => {}
    }
    for outcome in &analysis.outcomes {
        let known: usize = outcome.sample.iter().map(|s| s.analysed + s.excluded).sum();
        let all: usize = known + outcome.sample.iter().map(|s| s.missing).sum::<usize>();
        if all > 0 && (known as f64) < FOLLOW_UP_BAR * all as f64 {
            limitations.push(format!(
                "{} is known for {known} of {all} participants ({}), below the {} usually \
                 asked for: those missing may differ from those followed.",
                outcome.name,
                percent(known as f64 / all as f64),
                percent(FOLLOW_UP_BAR),
            ));
        }
    }
    let imbalanced: Vec<&str> =
        analysis.baseline.imbalanced().map(|r| r.characteristic.as_str()).collect();
    if analysis.design == StudyDesign::Randomised && !imbalanced.is_empty() {
        limitations.push(format!(
            "At baseline the arms differed by more than {IMBALANCE} standard deviations in: {}.",
            imbalanced.join("; ")
        ));
    }
    for propensity in &analysis.propensity {
        let after: Vec<&str> = propensity
            .balance
            .iter()
            .filter_map(|b| b.result.as_ref())
            .filter(|b| b.weighted_smd.abs() > IMBALANCE)
            .map(|b| b.covariate.as_str())
            .collect();
        if !after.is_empty() {
            limitations.push(format!(
                "{}: after weighting, the arms still differ by more than {IMBALANCE} standard \
                 deviations in: {}.",
                propensity.comparison,
                after.join("; ")
            ));
        }
    }
    let tests: usize = analysis.outcomes.iter().map(|o| o.subgroups.len()).sum();
    if tests >= MANY_SUBGROUP_TESTS {
        limitations.push(format!(
            "{tests} subgroup comparisons were tested: at α = {} about one in {} would look \
             different by chance alone, so subgroup results are exploratory.",
            analysis.alpha,
            (1.0 / analysis.alpha).round()
        ));
    }
    limitations
}
