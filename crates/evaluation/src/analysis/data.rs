//! From the table to the numbers one analysis needs: an outcome's observed values per
//! participant, the per-arm sample counts, arm indicators and complete-case covariates.

use std::collections::BTreeMap;

use super::request::{AnalysisRequest, OutcomeKind, StudyDesign};
use super::result::ArmSample;
use crate::Observation;
use crate::table::{AnalysedTable, TableError};

/// The table and request one study is analysed with.
pub(crate) struct Study<'a> {
    pub table: &'a AnalysedTable,
    pub request: &'a AnalysisRequest,
    pub level: f64,
    /// Table indices of the adjustment covariates.
    pub adjust: Vec<usize>,
    /// Table indices of the subgroup variables.
    pub subgroups: Vec<usize>,
}

impl Study<'_> {
    pub fn arm_name(&self, arm: usize) -> &str {
        self.table.arms.get(arm).map_or("unknown", String::as_str)
    }

    pub fn reference(&self) -> usize {
        self.request.reference_arm
    }

    /// The arms compared with the reference, in index order. None in a pre-post study, where
    /// each arm (usually the only one) is compared with its own baseline.
    pub fn compared_arms(&self) -> Vec<usize> {
        if self.request.design == StudyDesign::PrePost {
            return vec![];
        }
        (0..self.table.arms.len()).filter(|&a| a != self.reference()).collect()
    }

    /// "peer support vs usual care".
    pub fn comparison_label(&self, arm: usize) -> String {
        format!("{} vs {}", self.arm_name(arm), self.arm_name(self.reference()))
    }
}

/// One outcome's observed values, one entry per participant with the outcome (a *position*),
/// in table order.
pub(crate) struct OutcomeData<'a> {
    pub index: usize,
    pub name: &'a str,
    pub kind: OutcomeKind,
    /// The table row of each position.
    pub rows: Vec<usize>,
    /// The arm of each position.
    pub arms: Vec<usize>,
    pub values: Values,
    /// Per arm, the participants whose outcome is missing.
    pub missing: Vec<usize>,
    /// Repeated measures: each schedule position seen, with its time point's code.
    pub time_points: BTreeMap<usize, String>,
}

/// The observed values, by outcome type, aligned with [`OutcomeData::rows`].
pub(crate) enum Values {
    Binary(Vec<bool>),
    Continuous(Vec<f64>),
    Change {
        baseline: Vec<f64>,
        follow_up: Vec<f64>,
    },
    Survival {
        days: Vec<f64>,
        events: Vec<bool>,
    },
    Count {
        events: Vec<f64>,
        exposure_days: Vec<f64>,
    },
    /// Per position: (schedule position, value) of each time point observed.
    Repeated(Vec<Vec<(usize, f64)>>),
}

impl<'a> OutcomeData<'a> {
    /// Reads outcome `index` of every row; refuses an observation of another type.
    pub fn read(study: &Study<'a>, index: usize) -> Result<Self, TableError> {
        let table = study.table;
        let kind = study.request.outcomes[index].kind;
        let mut data = Self {
            index,
            name: &table.outcomes[index],
            kind,
            rows: Vec::new(),
            arms: Vec::new(),
            values: match kind {
                OutcomeKind::Binary => Values::Binary(Vec::new()),
                OutcomeKind::Continuous => Values::Continuous(Vec::new()),
                OutcomeKind::Change => Values::Change { baseline: vec![], follow_up: vec![] },
                OutcomeKind::TimeToEvent => Values::Survival { days: vec![], events: vec![] },
                OutcomeKind::Count => Values::Count { events: vec![], exposure_days: vec![] },
                OutcomeKind::Repeated => Values::Repeated(Vec::new()),
            },
            missing: vec![0; table.arms.len()],
            time_points: BTreeMap::new(),
        };
        for (row_index, row) in table.rows.iter().enumerate() {
            let observation = &row.outcomes[index];
            let pushed = match (&mut data.values, observation) {
                (_, Observation::Missing { .. }) => false,
                (Values::Binary(v), Observation::Binary { value }) => {
                    v.push(*value);
                    true
                }
                (Values::Continuous(v), Observation::Continuous { value }) => {
                    v.push(*value);
                    true
                }
                (
                    Values::Change { baseline, follow_up },
                    Observation::Change { baseline: b, follow_up: f },
                ) => {
                    baseline.push(*b);
                    follow_up.push(*f);
                    true
                }
                (
                    Values::Survival { days, events },
                    Observation::TimeToEvent { days: d, event },
                ) => {
                    days.push(*d);
                    events.push(*event);
                    true
                }
                (
                    Values::Count { events, exposure_days },
                    Observation::Count { events: e, exposure_days: x },
                ) => {
                    events.push(*e);
                    exposure_days.push(*x);
                    true
                }
                // A repeated measure with no time point observed is missing, not empty.
                (Values::Repeated(_), Observation::Repeated { points }) if points.is_empty() => {
                    false
                }
                (Values::Repeated(v), Observation::Repeated { points }) => {
                    for point in points {
                        data.time_points
                            .entry(point.position)
                            .or_insert_with(|| point.time_point.clone());
                    }
                    v.push(points.iter().map(|p| (p.position, p.value)).collect());
                    true
                }
                _ => {
                    return Err(TableError::OutcomeType {
                        key: row.key.clone(),
                        outcome: data.name.to_owned(),
                        expected: kind_name(kind),
                    });
                }
            };
            if pushed {
                data.rows.push(row_index);
                data.arms.push(row.arm);
            } else {
                data.missing[row.arm] += 1;
            }
        }
        Ok(data)
    }

    /// Every position the models can use: all of them, except counts over no time at risk
    /// (a rate over zero days is undefined; those participants count as excluded).
    pub fn all(&self) -> Vec<usize> {
        (0..self.rows.len()).filter(|&p| self.usable(p)).collect()
    }

    /// The usable positions in `arm`.
    pub fn in_arm(&self, arm: usize) -> Vec<usize> {
        (0..self.rows.len()).filter(|&p| self.arms[p] == arm && self.usable(p)).collect()
    }

    fn usable(&self, position: usize) -> bool {
        match &self.values {
            Values::Count { exposure_days, .. } => exposure_days[position] > 0.0,
            _ => true,
        }
    }

    /// The per-arm sample of an analysis that used `used` (positions) out of the participants
    /// `in_scope` admits (table rows), for the arms listed.
    pub fn sample(
        &self,
        study: &Study<'_>,
        arms: &[usize],
        in_scope: impl Fn(usize) -> bool,
        used: &[usize],
    ) -> Vec<ArmSample> {
        let table = study.table;
        let k = table.arms.len();
        let (mut analysed, mut observed, mut missing) =
            (vec![0_usize; k], vec![0_usize; k], vec![0_usize; k]);
        for &p in used {
            analysed[self.arms[p]] += 1;
        }
        for (p, &row) in self.rows.iter().enumerate() {
            if in_scope(row) {
                observed[self.arms[p]] += 1;
            }
        }
        for (i, row) in table.rows.iter().enumerate() {
            if is_missing(&row.outcomes[self.index]) && in_scope(i) {
                missing[row.arm] += 1;
            }
        }
        arms.iter()
            .map(|&arm| ArmSample {
                arm,
                name: study.arm_name(arm).to_owned(),
                analysed: analysed[arm],
                missing: missing[arm],
                excluded: observed[arm].saturating_sub(analysed[arm]),
            })
            .collect()
    }

    /// The sample over every arm of the study, with no restriction of scope.
    pub fn sample_all(&self, study: &Study<'_>, used: &[usize]) -> Vec<ArmSample> {
        self.sample_all_scoped(study, |_| true, used)
    }

    /// The sample over every arm, among the table rows `in_scope` admits.
    pub fn sample_all_scoped(
        &self,
        study: &Study<'_>,
        in_scope: impl Fn(usize) -> bool,
        used: &[usize],
    ) -> Vec<ArmSample> {
        let arms: Vec<usize> = (0..study.table.arms.len()).collect();
        self.sample(study, &arms, in_scope, used)
    }
}

/// Missing, or a repeated measure with no time point observed (which is missing too).
fn is_missing(observation: &Observation) -> bool {
    match observation {
        Observation::Repeated { points } => points.is_empty(),
        other => other.is_missing(),
    }
}

/// The outcome type with its article, for sentences ("a time-to-event outcome").
pub(crate) fn kind_phrase(kind: OutcomeKind) -> &'static str {
    match kind {
        OutcomeKind::Binary => "a binary",
        OutcomeKind::Continuous => "a continuous",
        OutcomeKind::Change => "a change-from-baseline",
        OutcomeKind::TimeToEvent => "a time-to-event",
        OutcomeKind::Count => "a count",
        OutcomeKind::Repeated => "a repeated-measures",
    }
}

pub(crate) fn kind_name(kind: OutcomeKind) -> &'static str {
    match kind {
        OutcomeKind::Binary => "binary",
        OutcomeKind::Continuous => "continuous",
        OutcomeKind::Change => "a change from baseline",
        OutcomeKind::TimeToEvent => "a time to event",
        OutcomeKind::Count => "a count over exposure",
        OutcomeKind::Repeated => "repeated measures",
    }
}

/// A model column: one value per position of the subset it was built for.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub name: String,
    pub values: Vec<f64>,
}

/// Indicators of the compared arms present among `positions` (the reference and absent arms
/// get none, so the model stays identified).
pub(crate) fn arm_columns(
    study: &Study<'_>,
    data: &OutcomeData<'_>,
    positions: &[usize],
) -> Vec<Column> {
    arm_indicators(study, data, positions).into_iter().map(|(_, c)| c).collect()
}

/// [`arm_columns`] with the arm each indicator stands for.
pub(crate) fn arm_indicators(
    study: &Study<'_>,
    data: &OutcomeData<'_>,
    positions: &[usize],
) -> Vec<(usize, Column)> {
    study
        .compared_arms()
        .into_iter()
        .filter(|&arm| positions.iter().any(|&p| data.arms[p] == arm))
        .map(|arm| {
            let values =
                positions.iter().map(|&p| f64::from(u8::from(data.arms[p] == arm))).collect();
            (arm, Column { name: study.comparison_label(arm), values })
        })
        .collect()
}

/// The indices of `names` in the table's covariates.
pub(crate) fn covariate_indices(
    table: &AnalysedTable,
    names: &[String],
) -> Result<Vec<usize>, TableError> {
    names
        .iter()
        .map(|name| {
            table.covariates.iter().position(|c| c == name).ok_or_else(|| {
                TableError::Request(format!("covariate '{name}' is not in the table"))
            })
        })
        .collect()
}

/// Keeps the positions whose covariates `indices` are all recorded, and returns them with
/// one column per covariate. Columns that do not vary among those kept are left out, with a
/// note saying so: adjusting for a constant changes nothing, and it would make the model
/// unidentified.
pub(crate) fn complete_covariates(
    study: &Study<'_>,
    data: &OutcomeData<'_>,
    positions: &[usize],
    indices: &[usize],
) -> (Vec<usize>, Vec<Column>, Vec<String>) {
    let rows = &study.table.rows;
    let kept: Vec<usize> = positions
        .iter()
        .copied()
        .filter(|&p| indices.iter().all(|&c| rows[data.rows[p]].covariates[c].is_some()))
        .collect();
    let mut columns = Vec::new();
    let mut notes = Vec::new();
    for &c in indices {
        let values: Vec<f64> =
            kept.iter().map(|&p| rows[data.rows[p]].covariates[c].unwrap_or(0.0)).collect();
        let name = &study.table.covariates[c];
        if values.windows(2).all(|w| w[0] == w[1]) {
            if !kept.is_empty() {
                notes.push(format!(
                    "'{name}' has the same value for everyone analysed, so the adjustment \
                     leaves it out."
                ));
            }
        } else {
            columns.push(Column { name: name.clone(), values });
        }
    }
    (kept, columns, notes)
}
