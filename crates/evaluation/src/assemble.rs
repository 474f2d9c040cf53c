//! From a study and its enrolled participants to the analysed table and the analysis request
//! its plan names: the one mapping from the record to the analyses, so the API's results and
//! an exported table recomputed elsewhere always agree.
//!
//! - outcomes: the plan's primary then its secondary outcomes, each derived per participant
//!   ([`crate::outcomes::derive`]);
//! - covariates: a recorded field becomes indicator columns (its levels but the first); a
//!   baseline score is read from the assessment at the study's baseline time point;
//! - subgroups: the field's level, by its label;
//! - the reference arm: the first comparison arm (a pre-post study has one arm);
//! - the cost bootstrap's seed: from the plan's hash, so the same plan gives the same interval.

use std::collections::BTreeSet;

use kindred_domain::study::{Covariate, OutcomeMeasure, OutcomeType, StudyDefinition};
use kindred_domain::vocabulary::{
    ArmRole, BaselineField, OutcomeEventKind, SupportKind, Vocabulary,
};

use crate::Observation;
use crate::analysis::{
    AnalysisRequest, BootstrapPlan, GoodOutcome, OutcomeKind, OutcomePlan, OutcomeRole,
};
use crate::outcomes::{assessed, derive};
use crate::record::ParticipantRecord;
use crate::table::{
    AnalysedTable, CoachRecord, Dose, DoseRecord, ParticipantRow, indicator_columns,
};

/// Bootstrap replicates of the cost-effectiveness interval.
const BOOTSTRAP_REPLICATES: usize = 1_000;

/// One enrolled participant as the integrator loads them: no identity, only a key.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyParticipant {
    /// A key that names nobody (the allocation's sequence number, `S0042`).
    pub key: String,
    /// The arm's code, as allocated.
    pub arm: String,
    pub record: ParticipantRecord,
    pub coach: Option<CoachRecord>,
    pub dose: Dose,
    /// Kinds with contacts; absent kinds had none.
    pub dose_by_support_kind: Vec<(SupportKind, Dose)>,
    /// (component name, dose); absent components were not received.
    pub dose_by_component: Vec<(String, Dose)>,
    /// From the program's cost settings; `None` when the program has none.
    pub cost_cents: Option<i64>,
}

/// The analysed table and the request, ready for [`crate::analysis::analyse`].
#[derive(Debug, Clone, PartialEq)]
pub struct Assembled {
    pub table: AnalysedTable,
    pub request: AnalysisRequest,
}

/// A participant whose allocated arm is not one of the study's: a bug or a tampered log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownArm {
    pub key: String,
    pub arm: String,
}

impl std::fmt::Display for UnknownArm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "participant {} is allocated to arm {}, which the study does not have",
            self.key, self.arm
        )
    }
}

impl std::error::Error for UnknownArm {}

/// The outcomes the plan analyses, in plan order (primary first), as study outcome indices.
pub fn planned_outcomes(study: &StudyDefinition) -> Vec<(usize, OutcomeRole)> {
    let position = |code: &str| study.outcomes.iter().position(|o| o.code == code);
    position(&study.plan.primary)
        .map(|i| (i, OutcomeRole::Primary))
        .into_iter()
        .chain(
            study
                .plan
                .secondary
                .iter()
                .filter_map(|c| position(c))
                .map(|i| (i, OutcomeRole::Secondary)),
        )
        .collect()
}

/// Builds the analysed table and request of `study` over its enrolled participants.
pub fn assemble(
    study: &StudyDefinition,
    plan_hash: &str,
    participants: &[StudyParticipant],
) -> Result<Assembled, UnknownArm> {
    let planned = planned_outcomes(study);
    let arms: Vec<String> = study.arms.iter().map(|a| a.name.clone()).collect();
    let components: Vec<String> = participants
        .iter()
        .flat_map(|p| p.dose_by_component.iter().map(|(name, _)| name.clone()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let (covariates, covariate_values) = covariate_columns(study, participants);
    let subgroups: Vec<String> =
        study.plan.subgroups.iter().map(|f| f.label().to_owned()).collect();
    let mut rows = Vec::with_capacity(participants.len());
    for (p, covariates) in participants.iter().zip(covariate_values) {
        let arm = study
            .arms
            .iter()
            .position(|a| a.code == p.arm)
            .ok_or_else(|| UnknownArm { key: p.key.clone(), arm: p.arm.clone() })?;
        let outcomes =
            planned.iter().map(|(i, _)| derive(&study.outcomes[*i], &p.record, study)).collect();
        let subgroups =
            study.plan.subgroups.iter().map(|field| level_label(*field, &p.record)).collect();
        let by_component = components
            .iter()
            .map(|name| {
                p.dose_by_component.iter().find(|(n, _)| n == name).map_or(Dose::default(), |d| d.1)
            })
            .collect();
        rows.push(ParticipantRow {
            key: p.key.clone(),
            arm,
            outcomes,
            covariates,
            subgroups,
            coach: p.coach.clone(),
            dose: DoseRecord::new(p.dose, &p.dose_by_support_kind, by_component),
            cost_cents: p.cost_cents,
        });
    }
    let table = AnalysedTable {
        arms,
        outcomes: planned.iter().map(|(i, _)| study.outcomes[*i].name.clone()).collect(),
        covariates: covariates.clone(),
        subgroups: subgroups.clone(),
        components,
        rows,
    };
    let mut request = AnalysisRequest::new(
        study.design.code(),
        planned
            .iter()
            .map(|(i, role)| OutcomePlan {
                kind: kind_of(study.outcomes[*i].measure.outcome_type()),
                role: *role,
            })
            .collect(),
    );
    request.alpha = study.plan.alpha;
    request.adjust_for = covariates;
    request.subgroups = subgroups;
    request.reference_arm =
        study.arms.iter().position(|a| a.role == ArmRole::Comparison).unwrap_or(0);
    request.bootstrap =
        BootstrapPlan { seed: seed_of(plan_hash), replicates: BOOTSTRAP_REPLICATES };
    request.good_outcome = good_outcome(study, &planned);
    Ok(Assembled { table, request })
}

fn kind_of(outcome: OutcomeType) -> OutcomeKind {
    match outcome {
        OutcomeType::Binary => OutcomeKind::Binary,
        OutcomeType::Continuous => OutcomeKind::Continuous,
        OutcomeType::Change => OutcomeKind::Change,
        OutcomeType::TimeToEvent => OutcomeKind::TimeToEvent,
        OutcomeType::Count => OutcomeKind::Count,
        OutcomeType::Repeated => OutcomeKind::Repeated,
    }
}

/// The covariate column names and, per participant, their values.
fn covariate_columns(
    study: &StudyDefinition,
    participants: &[StudyParticipant],
) -> (Vec<String>, Vec<Vec<Option<f64>>>) {
    let mut names = Vec::new();
    let mut values: Vec<Vec<Option<f64>>> = vec![Vec::new(); participants.len()];
    for covariate in &study.plan.covariates {
        match covariate {
            Covariate::Field { field } => {
                // By label, so the model's terms read "Housing: Unstable", never a code.
                let levels: Vec<Option<String>> =
                    participants.iter().map(|p| level_label(*field, &p.record)).collect();
                let levels: Vec<Option<&str>> = levels.iter().map(Option::as_deref).collect();
                let (columns, per_row) = indicator_columns(field.label(), &levels);
                names.extend(columns);
                for (row, extra) in values.iter_mut().zip(per_row) {
                    row.extend(extra);
                }
            }
            Covariate::BaselineScore { score } => {
                let scale = score.scale.as_deref().map_or(String::new(), |s| format!(" {s}"));
                names.push(format!("{}{scale} at {}", score.instrument, study.baseline_time_point));
                for (row, p) in values.iter_mut().zip(participants) {
                    let value = assessed::score(&p.record, &study.baseline_time_point, score);
                    row.push(match value {
                        Ok(Observation::Continuous { value }) => Some(value),
                        _ => None,
                    });
                }
            }
        }
    }
    (names, values)
}

/// A participant's level of a baseline field, by its label; `None` when not recorded.
fn level_label(field: BaselineField, record: &ParticipantRecord) -> Option<String> {
    let code = record.baseline.get(&field)?;
    Some(field.value_label(code).map_or_else(|| code.clone(), str::to_owned))
}

/// The cost analyses' good outcome: the first binary outcome of the plan, good when it is an
/// abstinence-like "yes", or when an adverse event (a hospitalisation, an arrest, an
/// overdose, self-reported use) did *not* happen.
fn good_outcome(study: &StudyDefinition, planned: &[(usize, OutcomeRole)]) -> Option<GoodOutcome> {
    planned.iter().enumerate().find_map(|(column, (i, _))| {
        let good_value = match &study.outcomes[*i].measure {
            OutcomeMeasure::BinaryAtTimePoint { .. } => true,
            OutcomeMeasure::EventWithin { event, .. } => !matches!(
                event.kind,
                OutcomeEventKind::Hospitalisation
                    | OutcomeEventKind::Arrest
                    | OutcomeEventKind::Overdose
                    | OutcomeEventKind::SelfReportedUse
                    | OutcomeEventKind::AppointmentMissed
            ),
            _ => return None,
        };
        Some(GoodOutcome { outcome: column, good_value })
    })
}

/// The first eight bytes of the plan's SHA-256 (hex), as the bootstrap's seed.
fn seed_of(plan_hash: &str) -> u64 {
    plan_hash.get(..16).and_then(|hex| u64::from_str_radix(hex, 16).ok()).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_comes_from_the_hash_and_survives_a_bad_one() {
        assert_eq!(seed_of("00000000000000ff0000"), 255);
        assert_eq!(seed_of("not hex at all, no"), 1);
        assert_eq!(seed_of("short"), 1);
    }
}
