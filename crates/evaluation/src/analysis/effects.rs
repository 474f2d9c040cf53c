//! Arm effects from the outcome's model, and the interaction test, shared by the adjusted,
//! subgroup, weighted and dose analyses.

use super::chi_square::chi_square_sf;
use super::data::{Column, OutcomeData, Study, arm_columns};
use super::explain::explain;
use super::model::{self, Fitted, Grouping, Term};
use super::request::OutcomeKind;
use super::result::{Ci, Effect, Measure, Test};

/// The measure the outcome's model reports an arm effect on.
pub(crate) fn model_measure(kind: OutcomeKind) -> Measure {
    match kind {
        OutcomeKind::Binary => Measure::OddsRatio,
        OutcomeKind::TimeToEvent => Measure::HazardRatio,
        OutcomeKind::Count => Measure::RateRatio,
        OutcomeKind::Continuous | OutcomeKind::Change | OutcomeKind::Repeated => {
            Measure::MeanDifference
        }
    }
}

/// A model term as an effect, exponentiated when the model is on a log scale.
pub(crate) fn effect_of(term: &Term, measure: Measure, ratio_scale: bool, label: &str) -> Effect {
    let (estimate, ci) = if ratio_scale {
        (term.estimate.exp(), Ci { lower: term.ci.lower.exp(), upper: term.ci.upper.exp() })
    } else {
        (term.estimate, term.ci)
    };
    Effect { term: label.to_owned(), measure, estimate, ci, p_value: Some(term.p_value) }
}

/// Refuses, in words, a set of positions in which the reference arm — or, in a two-arm
/// study, the compared arm — has nobody. `has` completes "No participant in the X arm …".
pub(crate) fn check_arms(
    study: &Study<'_>,
    data: &OutcomeData<'_>,
    positions: &[usize],
    has: &str,
    what: &str,
) -> Result<(), String> {
    let empty = |arm: usize| !positions.iter().any(|&p| data.arms[p] == arm);
    let compared = study.compared_arms();
    let mut required = vec![study.reference()];
    if compared.len() == 1 {
        required.extend(compared);
    } else if compared.iter().all(|&a| empty(a)) {
        required.extend(compared.first());
    }
    match required.into_iter().find(|&arm| empty(arm)) {
        Some(arm) => Err(format!(
            "No participant in the {} arm {has}, so {what} cannot be estimated.",
            study.arm_name(arm)
        )),
        None => Ok(()),
    }
}

/// "has '6-month score' recorded".
pub(crate) fn has_outcome(data: &OutcomeData<'_>) -> String {
    match data.kind {
        OutcomeKind::Count => format!("has '{}' recorded over some time at risk", data.name),
        _ => format!("has '{}' recorded", data.name),
    }
}

/// The arm effects of the outcome's model at `positions`, on arm indicators and `extra`
/// columns (adjustment covariates, a dose). Compared arms with nobody at `positions` get no
/// indicator and no effect.
pub(crate) fn arm_effects(
    study: &Study<'_>,
    data: &OutcomeData<'_>,
    positions: &[usize],
    extra: Vec<Column>,
    has: &str,
    what: &str,
) -> Result<Vec<Effect>, String> {
    check_arms(study, data, positions, has, what)?;
    let arms = arm_columns(study, data, positions);
    let arm_names: Vec<String> = arms.iter().map(|c| c.name.clone()).collect();
    let mut columns = arms;
    columns.extend(extra);
    let fitted =
        fit_explained(data, positions, &columns, Grouping::Participant, study.level, what)?;
    let measure = model_measure(data.kind);
    Ok(arm_names
        .iter()
        .filter_map(|name| {
            fitted.term(name).map(|t| effect_of(t, measure, fitted.ratio_scale, name))
        })
        .collect())
}

/// Fits the model and turns an error into a sentence naming `what`.
pub(crate) fn fit_explained(
    data: &OutcomeData<'_>,
    positions: &[usize],
    columns: &[Column],
    grouping: Grouping<'_>,
    level: f64,
    what: &str,
) -> Result<Fitted, String> {
    let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    model::fit(data, positions, columns, grouping, level).map_err(|e| explain(&e, what, &names))
}

/// Tests whether the `interaction` columns add to the model on `base` columns.
///
/// Logistic and Cox models: the likelihood-ratio χ² of the nested fits. Linear, Poisson and
/// GEE models, whose SEs are robust and whose likelihood (if any) would not be: the Wald z of
/// the one interaction term, or for several terms the Bonferroni combination of their Wald
/// tests (a joint robust Wald test needs the coefficients' covariance, which the statistics
/// crate does not return).
pub(crate) fn interaction_test(
    data: &OutcomeData<'_>,
    positions: &[usize],
    base: &[Column],
    interaction: &[Column],
    level: f64,
) -> Result<Test, String> {
    let what = "the interaction test";
    let mut full_columns = base.to_vec();
    full_columns.extend(interaction.iter().cloned());
    let full = fit_explained(data, positions, &full_columns, Grouping::Participant, level, what)?;
    let terms: Vec<&Term> = interaction.iter().filter_map(|c| full.term(&c.name)).collect();
    if terms.is_empty() {
        return Err(
            "No interaction term could be formed, so the interaction cannot be tested.".into()
        );
    }
    if let Some(full_ll) = full.log_likelihood {
        let reduced = fit_explained(data, positions, base, Grouping::Participant, level, what)?;
        let reduced_ll = reduced.log_likelihood.unwrap_or(full_ll);
        let statistic = (2.0 * (full_ll - reduced_ll)).max(0.0);
        return Ok(Test {
            name: format!(
                "likelihood-ratio χ² of the model with and without the {} interaction term{}",
                terms.len(),
                if terms.len() == 1 { "" } else { "s" }
            ),
            statistic: Some(statistic),
            df: Some(terms.len() as f64),
            p_value: chi_square_sf(statistic, terms.len()),
        });
    }
    if let [term] = terms.as_slice() {
        return Ok(Test {
            name: "Wald z test of the interaction term (robust SE)".into(),
            statistic: Some(term.z),
            df: None,
            p_value: term.p_value,
        });
    }
    let m = terms.len() as f64;
    let smallest = terms.iter().map(|t| t.p_value).fold(1.0, f64::min);
    Ok(Test {
        name: format!(
            "Bonferroni combination of the {} interaction terms' robust Wald z tests \
             (p: the smallest p times the number of terms)",
            terms.len()
        ),
        statistic: None,
        df: None,
        p_value: (smallest * m).min(1.0),
    })
}
