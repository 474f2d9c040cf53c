//! The aggregate table: counts of participants by arm — enrolled, by each baseline field's
//! level, by each binary outcome's value, and by follow-up status at each time point — with
//! small cells suppressed so that no one can be singled out from it.
//!
//! A count from 1 to 10 is not shown (a common rule, e.g. CMS's cell-size policy); zero is
//! shown. Each group of cells adds up to its arm's total, which is shown, so a group with one
//! suppressed cell would give it away by subtraction: the next smallest non-zero cell of that
//! group is suppressed too.

use std::collections::BTreeMap;

use kindred_domain::follow_up_log::{Evidence, statuses};
use kindred_domain::vocabulary::{BaselineField, Vocabulary};
use kindred_evaluation::Observation;
use kindred_evaluation::assemble::planned_outcomes;

use super::context::ExportContext;
use super::table::{Column, ColumnType, Row, Value};

/// Counts below this (and above zero) are suppressed.
pub const SMALLEST_SHOWN: u64 = 11;

/// One count of the table before suppression.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cell {
    measure: String,
    variable: String,
    level: String,
    count: u64,
}

/// The columns and rows of the aggregate table.
pub(crate) fn aggregate_table(ctx: &ExportContext<'_>) -> (Vec<Column>, Vec<Row>) {
    let columns = vec![
        ctx.arm_column(),
        Column::coded(
            "measure",
            "Measure",
            [
                ("enrolled", "Enrolled"),
                ("baseline", "Baseline field"),
                ("outcome", "Binary outcome"),
                ("follow_up", "Follow-up status"),
            ],
            "what is counted",
        ),
        Column::new(
            "variable",
            "Variable",
            ColumnType::Text,
            "the baseline field, outcome or time point (its code)",
        ),
        Column::new(
            "level",
            "Level",
            ColumnType::Text,
            "the value counted (a code; `not_recorded` and `missing` where nothing was)",
        ),
        Column::new(
            "participants",
            "Participants",
            ColumnType::Integer,
            format!(
                "how many; empty when suppressed (1 to {} participants, or needed to protect such a cell)",
                SMALLEST_SHOWN - 1
            ),
        ),
        Column::new(
            "suppressed",
            "Suppressed",
            ColumnType::Boolean,
            "1 when the count is withheld",
        ),
    ];
    let mut rows = Vec::new();
    for (arm, arm_code) in ctx.study.arms.iter().enumerate().map(|(i, a)| (i, a.code.as_str())) {
        let groups = arm_groups(ctx, arm);
        for (cell, shown) in groups.iter().flat_map(|g| g.iter().zip(suppress(g))) {
            rows.push(vec![
                arm_code.into(),
                cell.measure.as_str().into(),
                cell.variable.as_str().into(),
                cell.level.as_str().into(),
                Value::optional(shown.map(|n| i64::try_from(n).unwrap_or(i64::MAX))),
                shown.is_none().into(),
            ]);
        }
    }
    (columns, rows)
}

/// An arm's groups of cells; each group adds up to the arm's total (the first group).
fn arm_groups(ctx: &ExportContext<'_>, arm: usize) -> Vec<Vec<Cell>> {
    let members: Vec<_> = ctx.members().filter(|m| m.row.arm == arm).collect();
    let cell = |measure: &str, variable: &str, level: &str, count: usize| Cell {
        measure: measure.into(),
        variable: variable.into(),
        level: level.into(),
        count: count as u64,
    };
    let mut groups = vec![vec![cell("enrolled", "all", "all", members.len())]];
    for field in BaselineField::ALL {
        let mut counts: BTreeMap<&str, usize> =
            field.allowed_values().into_iter().map(|code| (code, 0)).collect();
        for m in &members {
            let level =
                m.participant.record.baseline.get(field).map_or("not_recorded", String::as_str);
            *counts.entry(level).or_default() += 1;
        }
        groups.push(
            counts.into_iter().map(|(level, n)| cell("baseline", field.code(), level, n)).collect(),
        );
    }
    for (column, (i, _)) in planned_outcomes(ctx.study).iter().enumerate() {
        let outcome = &ctx.study.outcomes[*i];
        let mut counts = [0usize; 3];
        let mut binary = true;
        for m in &members {
            match m.row.outcomes[column] {
                Observation::Binary { value: true } => counts[0] += 1,
                Observation::Binary { value: false } => counts[1] += 1,
                Observation::Missing { .. } => counts[2] += 1,
                _ => binary = false,
            }
        }
        if binary {
            groups.push(
                ["1", "0", "missing"]
                    .iter()
                    .zip(counts)
                    .map(|(level, n)| cell("outcome", &outcome.code, level, n))
                    .collect(),
            );
        }
    }
    let none = Evidence::default();
    let mut by_point: BTreeMap<(usize, String), BTreeMap<&'static str, usize>> = BTreeMap::new();
    for m in &members {
        let facts = &ctx.loaded.facts[m.index];
        let Some(schedule) = facts.program_id.and_then(|p| ctx.loaded.schedules.get(&p)) else {
            continue;
        };
        let evidence = ctx.evidence.get(&facts.id).unwrap_or(&none);
        for (position, point) in
            statuses(schedule, m.participant.record.enrolled_on, evidence, ctx.loaded.cut_off)
                .into_iter()
                .enumerate()
        {
            *by_point
                .entry((position, point.code))
                .or_default()
                .entry(point.status.code())
                .or_default() += 1;
        }
    }
    for ((_, code), counts) in by_point {
        groups.push(
            counts.into_iter().map(|(status, n)| cell("follow_up", &code, status, n)).collect(),
        );
    }
    groups
}

/// Each cell's count as shown: `None` where suppressed.
fn suppress(group: &[Cell]) -> Vec<Option<u64>> {
    let small = |n: u64| n > 0 && n < SMALLEST_SHOWN;
    let mut shown: Vec<Option<u64>> =
        group.iter().map(|c| (!small(c.count)).then_some(c.count)).collect();
    let suppressed = shown.iter().filter(|s| s.is_none()).count();
    if suppressed == 1 && group.len() > 1 {
        // The smallest other non-zero cell, so the one withheld cannot be subtracted out.
        let next = (0..group.len())
            .filter(|i| shown[*i].is_some_and(|n| n > 0))
            .min_by_key(|i| group[*i].count);
        if let Some(i) = next {
            shown[i] = None;
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(counts: &[u64]) -> Vec<Cell> {
        counts
            .iter()
            .map(|n| Cell {
                measure: "m".into(),
                variable: "v".into(),
                level: "l".into(),
                count: *n,
            })
            .collect()
    }

    #[test]
    fn small_cells_are_withheld_and_one_more_so_none_can_be_subtracted_out() {
        assert_eq!(suppress(&group(&[40, 5, 0, 30])), [Some(40), None, Some(0), None]);
        assert_eq!(suppress(&group(&[40, 5, 3, 30])), [Some(40), None, None, Some(30)]);
        assert_eq!(suppress(&group(&[11, 12])), [Some(11), Some(12)]);
        assert_eq!(suppress(&group(&[10])), [None], "a lone total under 11");
        assert_eq!(
            suppress(&group(&[50, 10, 0])),
            [None, None, Some(0)],
            "the only other cell goes too"
        );
    }
}
