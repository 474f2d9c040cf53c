//! For whom: the effect within each level of a subgroup variable, and the test of whether it
//! differs between levels (the arm × subgroup interaction in the outcome's model).

use std::collections::BTreeSet;

use serde::Serialize;

use super::continuous::within;
use super::data::{Column, OutcomeData, Study, Values, arm_columns, kind_phrase};
use super::effects::{arm_effects, interaction_test};
use super::model::{Grouping, describe};
use super::request::OutcomeKind;
use super::result::{Analysis, Effect, Test, percent};

/// One subgroup variable's analysis of one outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubgroupAnalysis {
    pub variable: String,
    /// The effect within each level, levels in sorted order.
    pub levels: Vec<SubgroupLevel>,
    /// Whether the effect differs between levels.
    pub interaction: Analysis<Test>,
}

/// The effect within one subgroup level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubgroupLevel {
    pub level: String,
    pub effects: Analysis<Vec<Effect>>,
}

pub(crate) fn analyse(
    study: &Study<'_>,
    data: &OutcomeData<'_>,
    variable: usize,
) -> SubgroupAnalysis {
    let table = study.table;
    let name = &table.subgroups[variable];
    // Levels are those recorded anywhere in the table, sorted, so every outcome lists the same
    // ones; each row's level is looked up once, as an index.
    let levels: BTreeSet<&str> =
        table.rows.iter().filter_map(|r| r.subgroups[variable].as_deref()).collect();
    let levels: Vec<&str> = levels.into_iter().collect();
    let row_level: Vec<Option<usize>> = table
        .rows
        .iter()
        .map(|r| r.subgroups[variable].as_deref().and_then(|v| levels.binary_search(&v).ok()))
        .collect();
    let label = |p: usize| row_level[data.rows[p]];
    let labelled: Vec<usize> = data.all().into_iter().filter(|&p| label(p).is_some()).collect();
    let level = study.level;
    let pre_post = study.compared_arms().is_empty();
    let level_method = if pre_post {
        format!(
            "mean change (follow-up − baseline) within the subgroup, paired t {} CI",
            percent(level)
        )
    } else {
        format!("{}, on arm within the subgroup", describe(data.kind, Grouping::Participant, level))
    };
    let by_level = levels
        .iter()
        .enumerate()
        .map(|(index, &value)| {
            let positions: Vec<usize> =
                labelled.iter().copied().filter(|&p| label(p) == Some(index)).collect();
            let in_level = |r: usize| row_level[r] == Some(index);
            let sample = data.sample_all_scoped(study, in_level, &positions);
            let what = format!("the effect among {name} = {value}");
            let result = if pre_post {
                change_within(study, data, &positions, &what)
            } else {
                let has = format!("with {name} = {value} has '{}' recorded", data.name);
                arm_effects(study, data, &positions, vec![], &has, &what)
            };
            SubgroupLevel {
                level: value.to_owned(),
                effects: Analysis::from_result(level_method.clone(), sample, result),
            }
        })
        .collect();
    let sample = data.sample_all_scoped(study, |r| row_level[r].is_some(), &labelled);
    let (method, result) = interaction(study, data, &labelled, &levels, label, name);
    SubgroupAnalysis {
        variable: name.clone(),
        levels: by_level,
        interaction: Analysis::from_result(method, sample, result),
    }
}

/// The pre-post change within a subgroup (change outcomes only).
fn change_within(
    study: &Study<'_>,
    data: &OutcomeData<'_>,
    positions: &[usize],
    what: &str,
) -> Result<Vec<Effect>, String> {
    let Values::Change { baseline, follow_up } = &data.values else {
        return Err(format!(
            "A single-group study of {} outcome has no within-person change, so {what} cannot be \
             estimated.",
            kind_phrase(data.kind)
        ));
    };
    if positions.is_empty() {
        return Err(format!(
            "Nobody in this subgroup has '{}' recorded, so {what} cannot be estimated.",
            data.name
        ));
    }
    let f: Vec<f64> = positions.iter().map(|&p| follow_up[p]).collect();
    let b: Vec<f64> = positions.iter().map(|&p| baseline[p]).collect();
    within(&f, &b, study.level, what).map(|r| vec![r.mean_change])
}

/// The interaction model's method and test: arm, level indicators and their products in a
/// comparative study; level indicators in the ANCOVA of a pre-post change.
fn interaction(
    study: &Study<'_>,
    data: &OutcomeData<'_>,
    labelled: &[usize],
    levels: &[&str],
    label: impl Fn(usize) -> Option<usize>,
    name: &str,
) -> (String, Result<Test, String>) {
    let level = study.level;
    let pre_post = study.compared_arms().is_empty();
    let method = if pre_post {
        format!(
            "{} on the subgroup indicators (does the change differ between subgroups?)",
            describe(data.kind, Grouping::Participant, level)
        )
    } else {
        format!(
            "{} with arm, subgroup and arm × subgroup terms",
            describe(data.kind, Grouping::Participant, level)
        )
    };
    // Only the levels someone analysed is in: an empty level has nothing to interact with.
    let mut present: Vec<usize> = labelled.iter().filter_map(|&p| label(p)).collect();
    present.sort_unstable();
    present.dedup();
    let Some((&first, rest)) = present.split_first() else {
        return (
            method,
            Err(format!(
                "Nobody analysed has '{name}' recorded, so the effect cannot be compared across its subgroups."
            )),
        );
    };
    if rest.is_empty() {
        return (
            method,
            Err(format!(
                "Everyone analysed with '{name}' recorded is in one subgroup ('{}'), so there is no \
                 difference between subgroups to test.",
                levels[first]
            )),
        );
    }
    if pre_post && data.kind != OutcomeKind::Change {
        return (
            method,
            Err(format!(
                "A single-group study of {} outcome has no within-person change to compare across \
             subgroups.",
                kind_phrase(data.kind)
            )),
        );
    }
    let dummies: Vec<Column> = rest
        .iter()
        .map(|&index| Column {
            name: format!("{name}: {}", levels[index]),
            values: labelled
                .iter()
                .map(|&p| f64::from(u8::from(label(p) == Some(index))))
                .collect(),
        })
        .collect();
    if pre_post {
        return (method, interaction_test(data, labelled, &[], &dummies, level));
    }
    let arms = arm_columns(study, data, labelled);
    let mut products = Vec::new();
    for arm in &arms {
        for dummy in &dummies {
            let values: Vec<f64> =
                arm.values.iter().zip(&dummy.values).map(|(a, d)| a * d).collect();
            // An arm nobody in that subgroup belongs to has no interaction to estimate.
            if values.iter().any(|&v| v != 0.0) {
                products.push(Column { name: format!("{} × {}", arm.name, dummy.name), values });
            }
        }
    }
    let mut base = arms;
    base.extend(dummies);
    (method, interaction_test(data, labelled, &base, &products, level))
}
