//! The headline figures of a study's analysis, for a page or a summary: per outcome, its
//! sample per arm and each effect of its comparison (the estimate with its CI, or why there
//! is none). The full analysis stays in [`super::StudyAnalysis`]; this picks from it.

use super::result::{Analysis, ArmSample, Effect, Measure};
use super::{Comparison, OutcomeRole, StudyAnalysis};

/// One outcome's headline.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    pub outcome: String,
    pub role: OutcomeRole,
    pub sample: Vec<ArmSample>,
    pub effects: Vec<HeadlineEffect>,
}

/// One effect: what it is (the method), and the estimate or the reason there is none.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadlineEffect {
    pub method: String,
    pub effect: Result<Effect, String>,
}

impl Measure {
    /// The measure in words.
    pub fn label(self) -> &'static str {
        match self {
            Self::RiskDifference => "risk difference",
            Self::RiskRatio => "risk ratio",
            Self::OddsRatio => "odds ratio",
            Self::HazardRatio => "hazard ratio",
            Self::RateRatio => "rate ratio",
            Self::MeanDifference => "mean difference",
            Self::StandardisedDifference => "standardised difference",
            Self::Slope => "slope",
        }
    }
}

/// The headline of every outcome, in plan order.
pub fn headlines(analysis: &StudyAnalysis) -> Vec<Headline> {
    analysis
        .outcomes
        .iter()
        .map(|outcome| {
            let mut effects = Vec::new();
            match &outcome.comparison {
                Comparison::Binary(b) => {
                    for c in &b.comparisons {
                        one(&mut effects, &c.risk_ratio);
                        one(&mut effects, &c.risk_difference);
                        one(&mut effects, &c.odds_ratio);
                    }
                    many(&mut effects, b.adjusted.as_ref());
                }
                Comparison::Continuous(c) => {
                    for comparison in &c.comparisons {
                        push(&mut effects, &comparison.welch, |w| vec![w.difference.clone()]);
                        one(&mut effects, &comparison.hedges_g);
                        if let Some(ancova) = &comparison.ancova {
                            one(&mut effects, ancova);
                        }
                    }
                    for pre_post in &c.pre_post {
                        push(&mut effects, pre_post, |p| {
                            vec![p.mean_change.clone(), p.d_z.clone()]
                        });
                    }
                    many(&mut effects, c.adjusted.as_ref());
                }
                Comparison::TimeToEvent(s) => {
                    if let Some(cox) = &s.cox {
                        push(&mut effects, cox, |c| c.hazard_ratios.clone());
                    }
                    if let Some(adjusted) = &s.adjusted {
                        push(&mut effects, adjusted, |c| c.hazard_ratios.clone());
                    }
                }
                Comparison::Count(c) => {
                    many(&mut effects, c.rate_ratios.as_ref());
                    many(&mut effects, c.adjusted.as_ref());
                }
                Comparison::Repeated(r) => push(&mut effects, &r.main, |m| m.arm_effects.clone()),
            }
            Headline {
                outcome: outcome.name.clone(),
                role: outcome.role,
                sample: outcome.sample.clone(),
                effects,
            }
        })
        .collect()
}

fn one(effects: &mut Vec<HeadlineEffect>, analysis: &Analysis<Effect>) {
    push(effects, analysis, |e| vec![e.clone()]);
}

fn many(effects: &mut Vec<HeadlineEffect>, analysis: Option<&Analysis<Vec<Effect>>>) {
    if let Some(analysis) = analysis {
        push(effects, analysis, Clone::clone);
    }
}

/// Each effect `pick` finds in an estimated analysis, or its reason once.
fn push<T>(
    effects: &mut Vec<HeadlineEffect>,
    analysis: &Analysis<T>,
    pick: impl Fn(&T) -> Vec<Effect>,
) {
    match &analysis.result {
        Some(result) => {
            effects.extend(pick(result).into_iter().map(|effect| HeadlineEffect {
                method: analysis.method.clone(),
                effect: Ok(effect),
            }))
        }
        None => effects.push(HeadlineEffect {
            method: analysis.method.clone(),
            effect: Err(analysis.reason.clone().unwrap_or_else(|| "not estimated".to_owned())),
        }),
    }
}
