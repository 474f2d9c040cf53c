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

/// One effect: what it is (the method), the estimate or the reason there is none, and where
/// it sits in the serialised analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadlineEffect {
    pub method: String,
    pub effect: Result<Effect, String>,
    /// The JSON pointer of the effect (or, when not estimated, of its analysis) in the
    /// serialised [`StudyAnalysis`], so a report can show where each figure comes from.
    pub path: String,
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

    /// Whether no effect is 1 (a ratio, drawn on a log scale) rather than 0.
    pub fn is_ratio(self) -> bool {
        matches!(self, Self::RiskRatio | Self::OddsRatio | Self::HazardRatio | Self::RateRatio)
    }
}

/// The headline of every outcome, in plan order.
pub fn headlines(analysis: &StudyAnalysis) -> Vec<Headline> {
    analysis
        .outcomes
        .iter()
        .map(|outcome| {
            let mut effects = Vec::new();
            let at = format!("/outcomes/{}/comparison", outcome.index);
            match &outcome.comparison {
                Comparison::Binary(b) => {
                    for (k, c) in b.comparisons.iter().enumerate() {
                        let at = format!("{at}/binary/comparisons/{k}");
                        one(&mut effects, &format!("{at}/risk_ratio"), &c.risk_ratio);
                        one(&mut effects, &format!("{at}/risk_difference"), &c.risk_difference);
                        one(&mut effects, &format!("{at}/odds_ratio"), &c.odds_ratio);
                    }
                    many(&mut effects, &format!("{at}/binary/adjusted"), b.adjusted.as_ref());
                }
                Comparison::Continuous(c) => {
                    let at = format!("{at}/continuous");
                    for (k, comparison) in c.comparisons.iter().enumerate() {
                        let at = format!("{at}/comparisons/{k}");
                        push(&mut effects, &format!("{at}/welch"), &comparison.welch, |w| {
                            vec![("/difference".into(), w.difference.clone())]
                        });
                        one(&mut effects, &format!("{at}/hedges_g"), &comparison.hedges_g);
                        if let Some(ancova) = &comparison.ancova {
                            one(&mut effects, &format!("{at}/ancova"), ancova);
                        }
                    }
                    for (k, pre_post) in c.pre_post.iter().enumerate() {
                        push(&mut effects, &format!("{at}/pre_post/{k}"), pre_post, |p| {
                            vec![
                                ("/mean_change".into(), p.mean_change.clone()),
                                ("/d_z".into(), p.d_z.clone()),
                            ]
                        });
                    }
                    many(&mut effects, &format!("{at}/adjusted"), c.adjusted.as_ref());
                }
                Comparison::TimeToEvent(s) => {
                    let at = format!("{at}/time_to_event");
                    if let Some(cox) = &s.cox {
                        push(&mut effects, &format!("{at}/cox"), cox, |c| {
                            indexed("/hazard_ratios", &c.hazard_ratios)
                        });
                    }
                    if let Some(adjusted) = &s.adjusted {
                        push(&mut effects, &format!("{at}/adjusted"), adjusted, |c| {
                            indexed("/hazard_ratios", &c.hazard_ratios)
                        });
                    }
                }
                Comparison::Count(c) => {
                    let at = format!("{at}/count");
                    many(&mut effects, &format!("{at}/rate_ratios"), c.rate_ratios.as_ref());
                    many(&mut effects, &format!("{at}/adjusted"), c.adjusted.as_ref());
                }
                Comparison::Repeated(r) => {
                    push(&mut effects, &format!("{at}/repeated/main"), &r.main, |m| {
                        indexed("/arm_effects", &m.arm_effects)
                    })
                }
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

fn one(effects: &mut Vec<HeadlineEffect>, path: &str, analysis: &Analysis<Effect>) {
    push(effects, path, analysis, |e| vec![(String::new(), e.clone())]);
}

fn many(effects: &mut Vec<HeadlineEffect>, path: &str, analysis: Option<&Analysis<Vec<Effect>>>) {
    if let Some(analysis) = analysis {
        push(effects, path, analysis, |e| indexed("", e));
    }
}

/// Each effect of a list with its pointer below the result (`{field}/{i}`).
fn indexed(field: &str, effects: &[Effect]) -> Vec<(String, Effect)> {
    effects.iter().enumerate().map(|(i, e)| (format!("{field}/{i}"), e.clone())).collect()
}

/// Each effect `pick` finds in an estimated analysis at `path` (with its pointer below the
/// analysis's result), or its reason once.
fn push<T>(
    effects: &mut Vec<HeadlineEffect>,
    path: &str,
    analysis: &Analysis<T>,
    pick: impl Fn(&T) -> Vec<(String, Effect)>,
) {
    match &analysis.result {
        Some(result) => {
            effects.extend(pick(result).into_iter().map(|(below, effect)| HeadlineEffect {
                method: analysis.method.clone(),
                effect: Ok(effect),
                path: format!("{path}/result{below}"),
            }))
        }
        None => effects.push(HeadlineEffect {
            method: analysis.method.clone(),
            effect: Err(analysis.reason.clone().unwrap_or_else(|| "not estimated".to_owned())),
            path: path.to_owned(),
        }),
    }
}
