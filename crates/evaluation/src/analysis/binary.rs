//! Binary outcomes: proportions with Wilson intervals per arm; the risk difference, risk ratio
//! and odds ratio with Wald intervals; Pearson's χ² or Fisher's exact test; and the odds
//! ratio adjusted by logistic regression.

use kindred_stats::proportions::{
    Table2x2, chi_square_test, fisher_exact, odds_ratio, risk_difference, risk_ratio,
    wilson_interval,
};
use serde::Serialize;

use super::adjusted::adjusted;
use super::data::{OutcomeData, Study, Values};
use super::effects::has_outcome;
use super::explain::explain;
use super::result::{Analysis, Ci, Effect, Measure, Test, percent};

/// A binary outcome compared across arms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinaryAnalysis {
    /// One proportion per arm.
    pub arms: Vec<Analysis<Proportion>>,
    /// Each compared arm against the reference (none in a pre-post study).
    pub comparisons: Vec<BinaryComparison>,
    /// The odds ratios adjusted by logistic regression, when the plan names covariates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjusted: Option<Analysis<Vec<Effect>>>,
}

/// The share of an arm with the outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proportion {
    pub events: u64,
    pub n: u64,
    pub proportion: f64,
    pub ci: Ci,
}

/// One compared arm against the reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinaryComparison {
    pub comparison: String,
    pub arm: usize,
    pub risk_difference: Analysis<Effect>,
    pub risk_ratio: Analysis<Effect>,
    pub odds_ratio: Analysis<Effect>,
    /// Pearson's χ², or Fisher's exact test when an expected cell count is below 5.
    pub test: Analysis<Test>,
}

/// Expected cell counts below this make the χ² approximation unreliable (Cochran 1954), and
/// Fisher's exact test is used instead.
const SMALL_EXPECTED: f64 = 5.0;

pub(crate) fn analyse(study: &Study<'_>, data: &OutcomeData<'_>) -> BinaryAnalysis {
    let Values::Binary(values) = &data.values else {
        return BinaryAnalysis { arms: vec![], comparisons: vec![], adjusted: None };
    };
    let count = |arm: usize| {
        let positions = data.in_arm(arm);
        let events = positions.iter().filter(|&&p| values[p]).count() as u64;
        (positions, events)
    };
    let level = study.level;
    let arms = (0..study.table.arms.len())
        .map(|arm| {
            let (positions, events) = count(arm);
            let n = positions.len() as u64;
            let method = format!("proportion with {} Wilson score CI", percent(level));
            let sample = data.sample(study, &[arm], |_| true, &positions);
            let result = if n == 0 {
                Err(format!(
                    "No participant in the {} arm {}, so the proportion cannot be estimated.",
                    study.arm_name(arm),
                    has_outcome(data)
                ))
            } else {
                wilson_interval(events, n, level)
                    .map(|w| Proportion {
                        events,
                        n,
                        proportion: w.estimate,
                        ci: w.interval.into(),
                    })
                    .map_err(|e| explain(&e, "the proportion", &[]))
            };
            Analysis::from_result(method, sample, result)
        })
        .collect();
    let reference = study.reference();
    let (ref_positions, ref_events) = count(reference);
    let comparisons = study
        .compared_arms()
        .into_iter()
        .map(|arm| {
            let (positions, events) = count(arm);
            let table = Table2x2::new(
                events,
                positions.len() as u64 - events,
                ref_events,
                ref_positions.len() as u64 - ref_events,
            );
            let used: Vec<usize> = positions.iter().chain(&ref_positions).copied().collect();
            let sample = data.sample(study, &[arm, reference], |_| true, &used);
            compare(study, data, arm, &table, &sample)
        })
        .collect();
    let adjusted = adjusted(study, data, &study.adjust, "the adjusted odds ratio");
    BinaryAnalysis { arms, comparisons, adjusted }
}

fn compare(
    study: &Study<'_>,
    data: &OutcomeData<'_>,
    arm: usize,
    table: &Table2x2,
    sample: &[super::result::ArmSample],
) -> BinaryComparison {
    let level = study.level;
    let ci = percent(level);
    let label = study.comparison_label(arm);
    let effect = |measure: Measure,
                  what: &str,
                  result: Result<
        kindred_stats::proportions::TableEffect,
        kindred_stats::StatsError,
    >| {
        check_table(study, data, arm, table, what).and_then(|()| {
            result
                .map(|e| Effect {
                    term: label.clone(),
                    measure,
                    estimate: e.estimate,
                    ci: e.interval.into(),
                    p_value: Some(e.p_value),
                })
                .map_err(|e| match e {
                    kindred_stats::StatsError::Undefined(_) => {
                        zero_cell(study, data, arm, table, what)
                    }
                    other => explain(&other, what, &[]),
                })
        })
    };
    let rd = effect(Measure::RiskDifference, "the risk difference", risk_difference(table, level));
    let rr = effect(Measure::RiskRatio, "the risk ratio", risk_ratio(table, level));
    let or = effect(Measure::OddsRatio, "the odds ratio", odds_ratio(table, level));
    let (test_method, test) = test(study, data, arm, table);
    BinaryComparison {
        comparison: label,
        arm,
        risk_difference: Analysis::from_result(
            format!("risk difference with {ci} Wald CI (unpooled variance)"),
            sample.to_vec(),
            rd,
        ),
        risk_ratio: Analysis::from_result(
            format!("risk ratio with {ci} Wald CI on the log scale (Katz)"),
            sample.to_vec(),
            rr,
        ),
        odds_ratio: Analysis::from_result(
            format!("odds ratio with {ci} Woolf (log-scale Wald) CI"),
            sample.to_vec(),
            or,
        ),
        test: Analysis::from_result(test_method, sample.to_vec(), test),
    }
}

/// The χ² test, or Fisher's exact test when an expected count is small.
fn test(
    study: &Study<'_>,
    data: &OutcomeData<'_>,
    arm: usize,
    table: &Table2x2,
) -> (String, Result<Test, String>) {
    let what = "the test of no difference";
    if let Err(reason) = check_table(study, data, arm, table, what) {
        return ("Pearson χ² or Fisher's exact test".into(), Err(reason));
    }
    let cells = [
        table.group1_events,
        table.group1_non_events,
        table.group2_events,
        table.group2_non_events,
    ]
    .map(|c| c as f64);
    let n: f64 = cells.iter().sum();
    let rows = [cells[0] + cells[1], cells[2] + cells[3]];
    let cols = [cells[0] + cells[2], cells[1] + cells[3]];
    let smallest =
        rows.iter().flat_map(|r| cols.iter().map(move |c| r * c / n)).fold(f64::INFINITY, f64::min);
    if smallest < SMALL_EXPECTED {
        let method = format!(
            "Fisher's exact test, two-sided (an expected count is {smallest:.1}, below {SMALL_EXPECTED})"
        );
        let result = fisher_exact(table)
            .map(|f| Test {
                name: "Fisher's exact test".into(),
                statistic: None,
                df: None,
                p_value: f.p_value,
            })
            .map_err(|e| explain(&e, what, &[]));
        return (method, result);
    }
    let method = "Pearson χ² test without continuity correction (every expected count ≥ 5)".into();
    let result = chi_square_test(table, false)
        .map(|c| Test {
            name: "Pearson χ²".into(),
            statistic: Some(c.statistic),
            df: Some(c.df),
            p_value: c.p_value,
        })
        .map_err(|e| explain(&e, what, &[]));
    (method, result)
}

/// Says in words why a 2×2 table cannot be compared: an arm without anyone, or nobody (or
/// everybody) with the outcome in both arms.
fn check_table(
    study: &Study<'_>,
    data: &OutcomeData<'_>,
    arm: usize,
    table: &Table2x2,
    what: &str,
) -> Result<(), String> {
    let reference = study.reference();
    let empty = |arm: usize| {
        format!(
            "No participant in the {} arm {}, so {what} cannot be estimated.",
            study.arm_name(arm),
            has_outcome(data)
        )
    };
    if table.group1_events + table.group1_non_events == 0 {
        return Err(empty(arm));
    }
    if table.group2_events + table.group2_non_events == 0 {
        return Err(empty(reference));
    }
    let arms = format!("{} or {}", study.arm_name(arm), study.arm_name(reference));
    if table.group1_events + table.group2_events == 0 {
        return Err(format!(
            "Nobody in {arms} had the outcome '{}' (no events), so {what} cannot be estimated.",
            data.name
        ));
    }
    if table.group1_non_events + table.group2_non_events == 0 {
        return Err(format!(
            "Everybody in {arms} had the outcome '{}', so {what} cannot be estimated.",
            data.name
        ));
    }
    Ok(())
}

/// A zero cell in words: which arm had nobody (or everybody) with the outcome.
fn zero_cell(
    study: &Study<'_>,
    data: &OutcomeData<'_>,
    arm: usize,
    table: &Table2x2,
    what: &str,
) -> String {
    let reference = study.reference();
    let cells = [
        (table.group1_events, arm, "nobody"),
        (table.group1_non_events, arm, "everybody"),
        (table.group2_events, reference, "nobody"),
        (table.group2_non_events, reference, "everybody"),
    ];
    match cells.iter().find(|(count, _, _)| *count == 0) {
        Some((_, arm, who)) => format!(
            "In the {} arm {who} had the outcome '{}', so {what} is 0 or infinite on the log \
             scale and has no Wald interval; the risk difference still compares the arms.",
            study.arm_name(*arm),
            data.name
        ),
        None => format!("{what} is undefined for these counts."),
    }
}
