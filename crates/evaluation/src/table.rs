//! The analysed table: one row per participant of a study, holding everything the analyses
//! read — arm, outcomes, covariates, subgroup labels, coach, dose and cost — and nothing that
//! identifies the person.
//!
//! # Shape
//!
//! The table names its columns once and every row lines up with those names by index:
//!
//! | table field | row field | one entry per |
//! | --- | --- | --- |
//! | `arms` | `arm` (an index into `arms`) | arm; a pre-post study has one |
//! | `outcomes` | `outcomes` ([`Observation`]) | outcome of the analysis plan, in plan order |
//! | `covariates` | `covariates` (`Option<f64>`) | numeric baseline covariate; categorical ones expanded by [`indicator_columns`] |
//! | `subgroups` | `subgroups` (`Option<String>`) | subgroup variable (its level label) |
//! | `components` | `dose.by_component` | program component |
//! | — | `dose.by_support_kind` | support kind, in [`SupportKind::ALL`] order |
//!
//! `None` is a missing value and is never read as zero. A row whose shape does not match the
//! table's names is a bug in whoever built the table, and [`AnalysedTable::check`] reports it
//! as a [`TableError`]; degenerate *data* (an empty arm, no events) is not an error and is
//! answered in words by the analyses.

use std::collections::BTreeSet;

use kindred_domain::vocabulary::{SupportKind, Vocabulary};
use serde::{Deserialize, Serialize};

use crate::Observation;

/// One study's analysed table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysedTable {
    /// Arm names, by arm index (`["usual care", "peer support"]`); one for pre-post.
    pub arms: Vec<String>,
    /// Outcome names in the plan's order; `rows[i].outcomes[j]` is outcome `j`.
    pub outcomes: Vec<String>,
    /// Covariate names; categorical fields appear as indicator columns (`housing=unstable`).
    pub covariates: Vec<String>,
    /// Subgroup variable names (`referral source`, `age band`).
    pub subgroups: Vec<String>,
    /// Program component names, for the dose by component.
    pub components: Vec<String>,
    /// One row per participant, in any order (the analyses do not depend on it).
    pub rows: Vec<ParticipantRow>,
}

/// One participant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParticipantRow {
    /// A pseudonymous key, stable within the study (never a name or record id).
    pub key: String,
    /// Index into [`AnalysedTable::arms`]: the arm allocated (intention to treat).
    pub arm: usize,
    /// One observation per outcome of the plan.
    pub outcomes: Vec<Observation>,
    /// One value per covariate; `None` when not recorded.
    pub covariates: Vec<Option<f64>>,
    /// One level label per subgroup variable; `None` when not recorded.
    pub subgroups: Vec<Option<String>>,
    /// The participant's coach, if one was assigned.
    pub coach: Option<CoachRecord>,
    /// The support received.
    pub dose: DoseRecord,
    /// The cost of the participant's support in cents, from the program's cost settings;
    /// `None` when the program has none.
    pub cost_cents: Option<i64>,
}

/// The coach a participant was assigned, with the qualifications the reviews ask about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoachRecord {
    /// A pseudonymous key for the coach: the cluster of the by-whom analysis.
    pub key: String,
    /// Months in recovery at the participant's enrolment.
    pub months_in_recovery: Option<f64>,
    /// Whether the coach held a current peer certification.
    pub certified: Option<bool>,
    /// Training hours completed.
    pub training_hours: Option<f64>,
}

/// Contacts and minutes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dose {
    pub contacts: u32,
    pub minutes: u32,
}

impl From<kindred_domain::fidelity::Dose> for Dose {
    fn from(dose: kindred_domain::fidelity::Dose) -> Self {
        Self { contacts: dose.contacts, minutes: dose.minutes }
    }
}

/// The support a participant received: in total, by support kind and by program component.
/// A contact with two support kinds counts toward both, as in the fidelity figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoseRecord {
    pub total: Dose,
    /// One entry per support kind, in [`SupportKind::ALL`] order.
    pub by_support_kind: Vec<Dose>,
    /// One entry per [`AnalysedTable::components`] name.
    pub by_component: Vec<Dose>,
}

impl DoseRecord {
    /// A dose record from the fidelity breakdown by kind (kinds absent from `by_kind` had no
    /// contacts) and the dose per component, aligned with the table's component names.
    pub fn new(total: Dose, by_kind: &[(SupportKind, Dose)], by_component: Vec<Dose>) -> Self {
        let by_support_kind = SupportKind::ALL
            .iter()
            .map(|kind| by_kind.iter().find(|(k, _)| k == kind).map_or(Dose::default(), |d| d.1))
            .collect();
        Self { total, by_support_kind, by_component }
    }
}

/// Expands a categorical baseline field into indicator covariates, one per level but the
/// first (the reference), so a model with an intercept stays identified.
///
/// `values` holds each participant's level (`None` when not recorded). Returns the column
/// names (`"Housing: Unstable"`) and, per participant, one `Option<f64>` per column: 1 or 0,
/// or `None` for every column when the level is missing. Levels are sorted, so the same data
/// always gives the same columns, and the reference level is named in none of them.
pub fn indicator_columns(
    name: &str,
    values: &[Option<&str>],
) -> (Vec<String>, Vec<Vec<Option<f64>>>) {
    let levels: BTreeSet<&str> = values.iter().flatten().copied().collect();
    let indicated: Vec<&str> = levels.into_iter().skip(1).collect();
    let names = indicated.iter().map(|level| format!("{name}: {level}")).collect();
    let rows = values
        .iter()
        .map(|value| {
            indicated
                .iter()
                .map(|level| value.map(|v| if v == *level { 1.0 } else { 0.0 }))
                .collect()
        })
        .collect();
    (names, rows)
}

/// A table whose shape is inconsistent: a bug in whoever built it, not a property of the
/// study's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableError {
    /// A row has the wrong number of entries in a column group.
    Shape { key: String, column: &'static str, expected: usize, got: usize },
    /// A row's arm index is not one of the table's arms.
    Arm { key: String, arm: usize, arms: usize },
    /// An observation does not have the type the request gives its outcome.
    OutcomeType { key: String, outcome: String, expected: &'static str },
    /// A value is NaN, infinite or out of its range (a negative time or count).
    Value { key: String, column: String, detail: String },
    /// The request does not fit the table (outcome count, an unknown covariate name, …).
    Request(String),
}

impl std::fmt::Display for TableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Shape { key, column, expected, got } => {
                write!(f, "participant {key}: {got} {column} values, the table names {expected}")
            }
            Self::Arm { key, arm, arms } => {
                write!(f, "participant {key}: arm {arm} is not one of the {arms} arms")
            }
            Self::OutcomeType { key, outcome, expected } => {
                write!(f, "participant {key}: outcome {outcome} should be {expected}")
            }
            Self::Value { key, column, detail } => {
                write!(f, "participant {key}: {column} {detail}")
            }
            Self::Request(message) => write!(f, "the analysis request does not fit: {message}"),
        }
    }
}

impl std::error::Error for TableError {}

impl AnalysedTable {
    /// Checks that every row lines up with the table's names and holds usable values.
    pub fn check(&self) -> Result<(), TableError> {
        for row in &self.rows {
            let shape = |column: &'static str, expected: usize, got: usize| {
                if expected == got {
                    Ok(())
                } else {
                    Err(TableError::Shape { key: row.key.clone(), column, expected, got })
                }
            };
            shape("outcome", self.outcomes.len(), row.outcomes.len())?;
            shape("covariate", self.covariates.len(), row.covariates.len())?;
            shape("subgroup", self.subgroups.len(), row.subgroups.len())?;
            shape("support kind", SupportKind::ALL.len(), row.dose.by_support_kind.len())?;
            shape("component", self.components.len(), row.dose.by_component.len())?;
            if row.arm >= self.arms.len() {
                return Err(TableError::Arm {
                    key: row.key.clone(),
                    arm: row.arm,
                    arms: self.arms.len(),
                });
            }
            let bad = |column: String, detail: &str| TableError::Value {
                key: row.key.clone(),
                column,
                detail: detail.to_owned(),
            };
            for (name, value) in self.covariates.iter().zip(&row.covariates) {
                if value.is_some_and(|v| !v.is_finite()) {
                    return Err(bad(format!("covariate {name}"), "is not a finite number"));
                }
            }
            if let Some(coach) = &row.coach {
                let values = [coach.months_in_recovery, coach.training_hours];
                if values.iter().flatten().any(|v| !v.is_finite() || *v < 0.0) {
                    return Err(bad("coach qualification".into(), "is negative or not finite"));
                }
            }
            for (name, observation) in self.outcomes.iter().zip(&row.outcomes) {
                if let Some(detail) = observation_problem(observation) {
                    return Err(bad(format!("outcome {name}"), detail));
                }
            }
        }
        Ok(())
    }
}

/// Why an observation's values cannot be analysed, if they cannot.
fn observation_problem(observation: &Observation) -> Option<&'static str> {
    let finite = |values: &[f64]| values.iter().all(|v| v.is_finite());
    match observation {
        Observation::Missing { .. } | Observation::Binary { .. } => None,
        Observation::Continuous { value } => (!finite(&[*value])).then_some("is not finite"),
        Observation::Change { baseline, follow_up } => {
            (!finite(&[*baseline, *follow_up])).then_some("is not finite")
        }
        Observation::TimeToEvent { days, .. } => {
            (!(days.is_finite() && *days >= 0.0)).then_some("has a negative or non-finite time")
        }
        Observation::Count { events, exposure_days } => {
            (!(finite(&[*events, *exposure_days]) && *events >= 0.0 && *exposure_days >= 0.0))
                .then_some("has a negative or non-finite count or exposure")
        }
        Observation::Repeated { points } => {
            let values: Vec<f64> = points.iter().flat_map(|p| [p.value, p.day]).collect();
            (!finite(&values)).then_some("has a non-finite value")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicators_drop_the_first_level_and_keep_missing_missing() {
        let (names, rows) = indicator_columns(
            "housing",
            &[Some("stable"), Some("unstable"), None, Some("homeless")],
        );
        assert_eq!(names, vec!["housing: stable", "housing: unstable"]);
        assert_eq!(rows[0], vec![Some(1.0), Some(0.0)]);
        assert_eq!(rows[1], vec![Some(0.0), Some(1.0)]);
        assert_eq!(rows[2], vec![None, None]);
        assert_eq!(rows[3], vec![Some(0.0), Some(0.0)]);
    }

    #[test]
    fn dose_by_kind_follows_the_vocabulary_order() {
        let total = Dose { contacts: 3, minutes: 90 };
        let dose = DoseRecord::new(total, &[(SupportKind::Instrumental, total)], vec![]);
        assert_eq!(dose.by_support_kind.len(), SupportKind::ALL.len());
        assert_eq!(dose.by_support_kind[2], total);
        assert_eq!(dose.by_support_kind[0], Dose::default());
    }
}
