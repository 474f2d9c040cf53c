//! The baseline table: each covariate of the plan, and each level of each subgroup variable,
//! summarised per arm, with the standardised difference of every compared arm against the
//! reference — what a reader checks first to see whether the arms started alike.
//!
//! A covariate's summary counts only the participants who have it recorded (the rest are
//! counted as missing, never as zero). A subgroup level is the share of those with the
//! variable recorded who are at that level. The standardised difference uses the pooled
//! SD of the two arms (Austin 2009), the formula of the propensity balance table, so the
//! two tables agree; |d| > 0.1 is the usual mark of imbalance.

use serde::Serialize;

use super::data::Study;

/// The usual mark of imbalance between arms: |standardised difference| above it.
pub const IMBALANCE: f64 = 0.1;

/// The baseline table of one study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineTable {
    pub rows: Vec<BaselineRow>,
}

/// One covariate, or one level of a subgroup variable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineRow {
    /// The covariate's name, or "variable: level".
    pub characteristic: String,
    /// Whether every value is 0 or 1, so the mean is a proportion.
    pub proportion: bool,
    /// One per arm, in arm order.
    pub arms: Vec<BaselineCell>,
    /// One per compared arm (none in a pre-post study).
    pub differences: Vec<BaselineDifference>,
}

/// One arm's summary of one characteristic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineCell {
    pub arm: usize,
    /// Participants with the characteristic recorded.
    pub n: usize,
    pub missing: usize,
    /// Absent when nobody in the arm has it recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Absent with fewer than two values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
}

/// A compared arm's standardised difference from the reference arm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineDifference {
    pub arm: usize,
    /// Absent when undefined (an arm with fewer than two values, or no spread in either).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smd: Option<f64>,
}

impl BaselineTable {
    /// The rows whose difference in some compared arm is beyond [`IMBALANCE`].
    pub fn imbalanced(&self) -> impl Iterator<Item = &BaselineRow> {
        self.rows.iter().filter(|row| {
            row.differences.iter().any(|d| d.smd.is_some_and(|smd| smd.abs() > IMBALANCE))
        })
    }
}

pub(crate) fn table(study: &Study<'_>) -> BaselineTable {
    let table = study.table;
    let mut rows: Vec<BaselineRow> = table
        .covariates
        .iter()
        .enumerate()
        .map(|(j, name)| {
            row(study, name.clone(), |r| table.rows[r].covariates.get(j).copied().flatten())
        })
        .collect();
    for (s, variable) in table.subgroups.iter().enumerate() {
        let mut levels: Vec<&str> =
            table.rows.iter().filter_map(|r| r.subgroups.get(s)?.as_deref()).collect();
        levels.sort_unstable();
        levels.dedup();
        for level in levels {
            rows.push(row(study, format!("{variable}: {level}"), |r| {
                let value = table.rows[r].subgroups.get(s)?.as_deref()?;
                Some(if value == level { 1.0 } else { 0.0 })
            }));
        }
    }
    BaselineTable { rows }
}

/// One characteristic's row, `value` reading it from a table row (`None` when missing).
fn row(
    study: &Study<'_>,
    characteristic: String,
    value: impl Fn(usize) -> Option<f64>,
) -> BaselineRow {
    let arms = study.table.arms.len();
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); arms];
    let mut missing = vec![0; arms];
    for (r, participant) in study.table.rows.iter().enumerate() {
        match value(r) {
            Some(v) => values[participant.arm].push(v),
            None => missing[participant.arm] += 1,
        }
    }
    let proportion = values.iter().flatten().all(|&v| v == 0.0 || v == 1.0);
    let cells = values
        .iter()
        .zip(&missing)
        .enumerate()
        .map(|(arm, (v, &missing))| {
            let n = v.len();
            let mean = (n > 0).then(|| v.iter().sum::<f64>() / n as f64);
            let sd = mean.filter(|_| n > 1).map(|m| {
                (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64).sqrt()
            });
            BaselineCell { arm, n, missing, mean, sd }
        })
        .collect();
    let reference = &values[study.reference()];
    let differences = study
        .compared_arms()
        .into_iter()
        .map(|arm| BaselineDifference {
            arm,
            smd: kindred_stats::propensity::standardised_mean_difference(
                &values[arm],
                reference,
                &characteristic,
            )
            .ok(),
        })
        .collect();
    BaselineRow { characteristic, proportion, arms: cells, differences }
}
