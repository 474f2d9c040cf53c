//! Quasi-experimental comparisons: for each compared arm against the reference, propensity
//! scores from the plan's covariates, inverse-probability weights, the balance table before
//! and after weighting, and — per outcome — the weighted outcome model.

use kindred_stats::StatsError;
use kindred_stats::propensity::{
    self, Estimand as StatsEstimand, OutcomeModel, Trimming, balance_table, ipw_weights,
    propensity_scores, weighted_outcome,
};
use kindred_stats::regression::{Design, GlmCovariance, GlmOptions, poisson};
use serde::Serialize;

use super::data::{Column, OutcomeData, Study, Values};
use super::effects::{effect_of, fit_explained, model_measure};
use super::explain::explain;
use super::model::Grouping;
use super::request::{Estimand, OutcomeKind};
use super::result::{Analysis, ArmSample, Ci, Effect, Measure, percent};

/// The weighting of one compared arm against the reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PropensityAnalysis {
    pub comparison: String,
    pub arm: usize,
    pub model: Analysis<Weighting>,
    /// One row per covariate of the propensity model.
    pub balance: Vec<Analysis<Balance>>,
}

/// The propensity model and the weights it gave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Weighting {
    pub covariates: Vec<String>,
    pub estimand: Estimand,
    pub stabilised: bool,
    /// Weights changed by truncation.
    pub truncated: usize,
    /// Kish's effective sample sizes (Σw)²/Σw².
    pub effective_size_arm: f64,
    pub effective_size_reference: f64,
    pub smallest_weight: f64,
    pub largest_weight: f64,
    /// The range of the propensity scores in each group: where they do not overlap, the
    /// comparison rests on extrapolation.
    pub score_range_arm: Ci,
    pub score_range_reference: Ci,
}

/// One covariate's balance before and after weighting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Balance {
    pub covariate: String,
    pub mean_arm: f64,
    pub mean_reference: f64,
    /// Standardised mean difference before weighting (|SMD| < 0.1 is usually called balanced).
    pub smd: f64,
    pub variance_ratio: f64,
    pub weighted_mean_arm: f64,
    pub weighted_mean_reference: f64,
    pub weighted_smd: f64,
    pub weighted_variance_ratio: f64,
}

/// The weights of one comparison, by table row, for the outcome models.
pub(crate) struct Weights {
    pub arm: usize,
    pub weight: Vec<Option<f64>>,
    /// logit(ê), for the outcome models that cannot take weights (Cox, GEE).
    pub logit_score: Vec<Option<f64>>,
}

/// The propensity analyses of every compared arm, and each one's weights (`None` when they
/// could not be formed; the analysis says why).
pub(crate) fn weigh(
    study: &Study<'_>,
    covariates: &[usize],
) -> (Vec<PropensityAnalysis>, Vec<(usize, Option<Weights>)>) {
    let mut analyses = Vec::new();
    let mut all_weights = Vec::new();
    for arm in study.compared_arms() {
        let (analysis, weights) = weigh_arm(study, covariates, arm);
        analyses.push(analysis);
        all_weights.push((arm, weights));
    }
    (analyses, all_weights)
}

fn weigh_arm(
    study: &Study<'_>,
    covariates: &[usize],
    arm: usize,
) -> (PropensityAnalysis, Option<Weights>) {
    let table = study.table;
    let reference = study.reference();
    let plan = study.request.weighting;
    let level = study.level;
    let in_pair = |r: usize| table.rows[r].arm == arm || table.rows[r].arm == reference;
    let rows: Vec<usize> = (0..table.rows.len())
        .filter(|&r| {
            in_pair(r) && covariates.iter().all(|&c| table.rows[r].covariates[c].is_some())
        })
        .collect();
    let sample: Vec<ArmSample> = [arm, reference]
        .iter()
        .map(|&a| {
            let total = (0..table.rows.len()).filter(|&r| table.rows[r].arm == a).count();
            let analysed = rows.iter().filter(|&&r| table.rows[r].arm == a).count();
            ArmSample {
                arm: a,
                name: study.arm_name(a).to_owned(),
                analysed,
                missing: 0,
                excluded: total - analysed,
            }
        })
        .collect();
    let treated: Vec<bool> = rows.iter().map(|&r| table.rows[r].arm == arm).collect();
    let mut notes = Vec::new();
    let mut columns: Vec<Column> = Vec::new();
    for &c in covariates {
        let values: Vec<f64> =
            rows.iter().map(|&r| table.rows[r].covariates[c].unwrap_or(0.0)).collect();
        if values.windows(2).all(|w| w[0] == w[1]) {
            notes.push(format!(
                "'{}' has the same value for everyone in the propensity model, so it is left out.",
                table.covariates[c]
            ));
        } else {
            columns.push(Column { name: table.covariates[c].clone(), values });
        }
    }
    let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    let estimand = match plan.estimand {
        Estimand::Ate => StatsEstimand::Ate,
        Estimand::Att => StatsEstimand::Att,
    };
    let trimming = match plan.truncate_percentiles {
        Some((lower, upper)) => Trimming::Percentiles { lower, upper },
        None => Trimming::None,
    };
    let method = format!(
        "propensity scores by logistic regression of {} on {}; {} inverse-probability weights{}{}",
        study.arm_name(arm),
        if names.is_empty() { "no covariate".to_owned() } else { names.join(", ") },
        if plan.stabilised { "stabilised" } else { "unstabilised" },
        match plan.estimand {
            Estimand::Ate => " for the average effect in everyone (ATE)",
            Estimand::Att => " for the average effect in those who received the program (ATT)",
        },
        match plan.truncate_percentiles {
            Some((l, u)) => format!(", truncated at the {l}th and {u}th percentiles"),
            None => String::new(),
        }
    );
    let what = "the propensity-score weights";
    let fitted = (|| -> Result<_, String> {
        if !treated.iter().any(|&t| t) || treated.iter().all(|&t| t) {
            let empty = if treated.iter().any(|&t| t) { reference } else { arm };
            return Err(format!(
                "No participant in the {} arm has every propensity covariate recorded, so {what} \
                 cannot be estimated.",
                study.arm_name(empty)
            ));
        }
        if columns.is_empty() {
            return Err(format!(
                "The propensity model has no covariate that varies, so {what} cannot be estimated."
            ));
        }
        let slices: Vec<&[f64]> = columns.iter().map(|c| c.values.as_slice()).collect();
        let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let design = Design::from_columns(&slices, true)
            .and_then(|d| d.with_names(&name_refs))
            .map_err(|e| explain(&e, what, &names))?;
        let model = propensity_scores(&design, &treated, level).map_err(|e| match e {
            StatsError::Separation => format!(
                "The covariates predict perfectly who is in the {} arm, so the arms do not \
                 overlap and weighting cannot compare them.",
                study.arm_name(arm)
            ),
            other => explain(&other, what, &names),
        })?;
        let weights = ipw_weights(&model.scores, &treated, estimand, plan.stabilised, trimming)
            .map_err(|e| explain(&e, what, &names))?;
        Ok((design, model.scores, weights))
    })();
    let (design, scores, weights) = match fitted {
        Ok(parts) => parts,
        Err(reason) => {
            let model = Analysis::not_estimable(method, sample, reason).with_notes(notes);
            let analysis = PropensityAnalysis {
                comparison: study.comparison_label(arm),
                arm,
                model,
                balance: vec![],
            };
            return (analysis, None);
        }
    };
    let range = |group: bool| {
        let s = scores.iter().zip(&treated).filter(|(_, t)| **t == group).map(|(s, _)| *s);
        let (lo, hi) =
            s.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        Ci { lower: lo, upper: hi }
    };
    let summary = Weighting {
        covariates: names.clone(),
        estimand: plan.estimand,
        stabilised: plan.stabilised,
        truncated: weights.truncated,
        effective_size_arm: weights.effective_size_treated,
        effective_size_reference: weights.effective_size_control,
        smallest_weight: weights.weights.iter().copied().fold(f64::INFINITY, f64::min),
        largest_weight: weights.weights.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        score_range_arm: range(true),
        score_range_reference: range(false),
    };
    let balance = (1..design.p())
        .map(|j| balance_row(&design, j, &treated, &weights.weights, &names, sample.clone()))
        .collect();
    let mut by_row = Weights {
        arm,
        weight: vec![None; table.rows.len()],
        logit_score: vec![None; table.rows.len()],
    };
    for ((&r, &w), &e) in rows.iter().zip(&weights.weights).zip(&scores) {
        by_row.weight[r] = Some(w);
        by_row.logit_score[r] = Some((e / (1.0 - e)).ln());
    }
    let model = Analysis::estimated(method, sample, summary).with_notes(notes);
    (
        PropensityAnalysis { comparison: study.comparison_label(arm), arm, model, balance },
        Some(by_row),
    )
}

/// One covariate's balance, on its own so that a covariate without spread in one group is
/// one row that says so rather than the whole table lost.
fn balance_row(
    design: &Design,
    column: usize,
    treated: &[bool],
    weights: &[f64],
    names: &[String],
    sample: Vec<ArmSample>,
) -> Analysis<Balance> {
    let name = names.get(column - 1).cloned().unwrap_or_default();
    let method =
        "standardised mean difference (pooled SD, Austin 2009) and variance ratio, before \
                  and after weighting"
            .to_owned();
    let result = design
        .column(column)
        .ok_or(StatsError::Singular)
        .and_then(|values| Design::from_columns(&[values], false))
        .and_then(|d| d.with_names(&[name.as_str()]))
        .and_then(|d| balance_table(&d, treated, weights))
        .map_err(|e| explain(&e, &format!("the balance of '{name}'"), std::slice::from_ref(&name)))
        .and_then(|rows| rows.into_iter().next().ok_or_else(|| "No balance row.".to_owned()))
        .map(|b| Balance {
            covariate: b.name,
            mean_arm: b.mean_treated,
            mean_reference: b.mean_control,
            smd: b.smd,
            variance_ratio: b.variance_ratio,
            weighted_mean_arm: b.weighted_mean_treated,
            weighted_mean_reference: b.weighted_mean_control,
            weighted_smd: b.weighted_smd,
            weighted_variance_ratio: b.weighted_variance_ratio,
        });
    Analysis::from_result(method, sample, result)
}

/// The weighted outcome model of one outcome for the comparison of `arm`, or why there is none.
pub(crate) fn weighted_effect(
    study: &Study<'_>,
    data: &OutcomeData<'_>,
    arm: usize,
    weights: Option<&Weights>,
) -> Analysis<Effect> {
    let Some(weights) = weights else {
        let reference = study.reference();
        let sample = data.sample(study, &[arm, reference], |_| true, &[]);
        let reason = format!(
            "The propensity-score weights of {} could not be formed (the propensity analysis says \
             why), so there is no weighted effect.",
            study.comparison_label(arm)
        );
        return Analysis::not_estimable(
            "inverse-probability-weighted outcome model".into(),
            sample,
            reason,
        );
    };
    let level = study.level;
    let arm = weights.arm;
    let label = study.comparison_label(arm);
    let positions: Vec<usize> =
        data.all().into_iter().filter(|&p| weights.weight[data.rows[p]].is_some()).collect();
    let reference = study.reference();
    let sample = data.sample(
        study,
        &[arm, reference],
        |r| study.table.rows[r].arm == arm || study.table.rows[r].arm == reference,
        &positions,
    );
    let treated: Vec<bool> = positions.iter().map(|&p| data.arms[p] == arm).collect();
    let w: Vec<f64> =
        positions.iter().map(|&p| weights.weight[data.rows[p]].unwrap_or(0.0)).collect();
    let ci = percent(level);
    let what = "the weighted effect";
    let (method, result): (String, Result<Effect, String>) = if !treated.iter().any(|&t| t)
        || treated.iter().all(|&t| t)
    {
        let empty = if treated.iter().any(|&t| t) { reference } else { arm };
        (
            "weighted outcome model".into(),
            Err(format!(
                "No weighted participant in the {} arm has '{}' recorded, so {what} cannot be estimated.",
                study.arm_name(empty),
                data.name
            )),
        )
    } else {
        match (&data.values, data.kind) {
            (Values::Binary(v), _) => {
                let y: Vec<f64> = positions.iter().map(|&p| f64::from(u8::from(v[p]))).collect();
                (
                    format!(
                        "inverse-probability-weighted logistic regression on arm, robust (HC0 sandwich) SEs, {ci} CI; odds ratio"
                    ),
                    weighted_outcome(&y, &treated, &w, None, OutcomeModel::Logistic, level)
                        .map_err(|e| explain(&e, what, &[]))
                        .and_then(|r| {
                            let p_value = Some(r.effect.p_value);
                            r.odds_ratio
                                .ok_or_else(|| "No odds ratio.".to_owned())
                                .map(|o| (o, p_value))
                        })
                        .map(|(r, p_value)| Effect {
                            term: label.clone(),
                            measure: Measure::OddsRatio,
                            estimate: r.estimate,
                            ci: r.ci.into(),
                            p_value,
                        }),
                )
            }
            (Values::Continuous(v), _) => {
                let y: Vec<f64> = positions.iter().map(|&p| v[p]).collect();
                (
                    format!(
                        "inverse-probability-weighted difference in means (weighted least squares, HC1 SEs), {ci} CI"
                    ),
                    linear_effect(&y, &treated, &w, None, &label, level),
                )
            }
            (Values::Change { baseline, follow_up }, _) => {
                let y: Vec<f64> = positions.iter().map(|&p| follow_up[p]).collect();
                let b: Vec<f64> = positions.iter().map(|&p| baseline[p]).collect();
                let adjust = Design::from_columns(&[&b], true)
                    .and_then(|d| d.with_names(&["baseline score"]));
                (
                    format!(
                        "inverse-probability-weighted ANCOVA (follow-up on arm and baseline, weighted least squares, HC1 SEs), {ci} CI"
                    ),
                    adjust
                        .map_err(|e| explain(&e, what, &["baseline score".to_owned()]))
                        .and_then(|d| linear_effect(&y, &treated, &w, Some(&d), &label, level)),
                )
            }
            (Values::Count { events, exposure_days }, _) => {
                let y: Vec<f64> = positions.iter().map(|&p| events[p]).collect();
                let offset: Vec<f64> = positions.iter().map(|&p| exposure_days[p].ln()).collect();
                let t: Vec<f64> = treated.iter().map(|&t| f64::from(u8::from(t))).collect();
                let options = GlmOptions {
                    weights: Some(&w),
                    offset: Some(&offset),
                    covariance: GlmCovariance::Robust,
                    level,
                };
                (
                    format!(
                        "inverse-probability-weighted Poisson regression with a log(exposure) offset, robust (HC0 sandwich) SEs, {ci} CI; rate ratio"
                    ),
                    Design::from_columns(&[&t], true)
                        .and_then(|d| d.with_names(&[propensity::TREATMENT_NAME]))
                        .and_then(|d| poisson(&d, &y, &options))
                        .map_err(|e| explain(&e, what, &[]))
                        .and_then(|fit| {
                            let p_value = fit.coefficients.get(1).map(|c| c.p_value);
                            fit.ratios
                                .get(1)
                                .cloned()
                                .ok_or_else(|| "No rate ratio.".to_owned())
                                .map(|r| (r, p_value))
                        })
                        .map(|(r, p_value)| Effect {
                            term: label.clone(),
                            measure: Measure::RateRatio,
                            estimate: r.estimate,
                            ci: r.ci.into(),
                            p_value,
                        }),
                )
            }
            (_, kind @ (OutcomeKind::TimeToEvent | OutcomeKind::Repeated)) => {
                // Neither Cox nor GEE takes weights in the statistics crate; adjusting for the
                // logit of the propensity score is the standard alternative (Rosenbaum & Rubin 1983).
                let arm_column = Column {
                    name: label.clone(),
                    values: treated.iter().map(|&t| f64::from(u8::from(t))).collect(),
                };
                let score = Column {
                    name: "logit propensity score".into(),
                    values: positions
                        .iter()
                        .map(|&p| weights.logit_score[data.rows[p]].unwrap_or(0.0))
                        .collect(),
                };
                let model = if kind == OutcomeKind::TimeToEvent {
                    format!("Cox proportional hazards (Efron ties, {ci} Wald CI)")
                } else {
                    format!(
                        "GEE (Gaussian, exchangeable, participants as clusters, robust SEs, {ci} CI)"
                    )
                };
                (
                    format!(
                        "{model} on arm adjusted for the logit of the propensity score (the statistics crate has no weighted version of this model)"
                    ),
                    fit_explained(
                        data,
                        &positions,
                        &[arm_column, score],
                        Grouping::Participant,
                        level,
                        what,
                    )
                    .and_then(|fit| {
                        fit.term(&label)
                            .map(|t| effect_of(t, model_measure(kind), fit.ratio_scale, &label))
                            .ok_or_else(|| "No arm effect.".to_owned())
                    }),
                )
            }
            _ => ("weighted outcome model".into(), Err("Not a supported outcome.".into())),
        }
    };
    Analysis::from_result(method, sample, result)
}

fn linear_effect(
    y: &[f64],
    treated: &[bool],
    w: &[f64],
    adjust: Option<&Design>,
    label: &str,
    level: f64,
) -> Result<Effect, String> {
    weighted_outcome(y, treated, w, adjust, OutcomeModel::Linear, level)
        .map(|r| Effect {
            term: label.to_owned(),
            measure: Measure::MeanDifference,
            estimate: r.effect.estimate,
            ci: r.effect.ci.into(),
            p_value: Some(r.effect.p_value),
        })
        .map_err(|e| explain(&e, "the weighted effect", &[]))
}
