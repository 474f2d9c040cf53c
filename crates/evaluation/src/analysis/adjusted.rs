//! The arm effects adjusted for the plan's covariates, in the outcome's own model (see
//! [`super::model`]): complete cases, constant covariates left out with a note.

use super::data::{OutcomeData, Study, complete_covariates};
use super::effects::arm_effects;
use super::model::{Grouping, describe};
use super::result::{Analysis, Effect};

/// The adjusted arm effects, or `None` when the plan names no covariates or the study has no
/// comparison (pre-post).
pub(crate) fn adjusted(
    study: &Study<'_>,
    data: &OutcomeData<'_>,
    covariates: &[usize],
    what: &str,
) -> Option<Analysis<Vec<Effect>>> {
    if covariates.is_empty() || study.compared_arms().is_empty() {
        return None;
    }
    let (kept, columns, notes) = complete_covariates(study, data, &data.all(), covariates);
    let names: Vec<&str> = covariates.iter().map(|&c| study.table.covariates[c].as_str()).collect();
    let method = format!(
        "{}, adjusted for {}; complete cases",
        describe(data.kind, Grouping::Participant, study.level),
        names.join(", ")
    );
    let sample = data.sample_all(study, &kept);
    let has = format!("has '{}' and every adjustment covariate recorded", data.name);
    let result = arm_effects(study, data, &kept, columns, &has, what);
    Some(Analysis::from_result(method, sample, result).with_notes(notes))
}
