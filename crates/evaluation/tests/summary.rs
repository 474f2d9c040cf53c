//! The baseline table and the plain-language summary: each finding's figures are where its
//! path says, a null result reads as no evidence of a difference, and the limitations are
//! named from the record.

mod common;

use kindred_evaluation::Observation;
use kindred_evaluation::analysis::headline::headlines;
use kindred_evaluation::analysis::summary::{Verdict, summarise};
use kindred_evaluation::analysis::{
    AnalysisRequest, OutcomeKind, OutcomePlan, StudyAnalysis, StudyDesign, analyse,
};
use kindred_stats::propensity::standardised_mean_difference;

/// A two-arm randomised study of one binary outcome, `events` of `n` per arm, some missing.
fn binary_study(events: [usize; 2], n: usize, missing: usize) -> StudyAnalysis {
    let mut rows = Vec::new();
    for (arm, events) in events.into_iter().enumerate() {
        for i in 0..n {
            let observation = if i < missing {
                Observation::missing("not followed up")
            } else {
                Observation::Binary { value: i < missing + events }
            };
            rows.push((arm, vec![observation]));
        }
    }
    let table = common::bare_table(&["usual care", "peer support"], &["housed at 6 months"], rows);
    let request = AnalysisRequest::new(
        StudyDesign::Randomised,
        vec![OutcomePlan::primary(OutcomeKind::Binary)],
    );
    analyse(&table, &request).expect("the analysis runs")
}

/// Every finding's and every headline's effect is the one its path points at in the
/// serialised analysis (and a headline not estimated points at an analysis with a reason).
fn assert_paths_resolve(analysis: &StudyAnalysis) {
    let json = serde_json::to_value(analysis).expect("the analysis serialises");
    let resolve = |path: &str| json.pointer(path).unwrap_or_else(|| panic!("{path} resolves"));
    for finding in summarise(analysis).findings {
        let Some(effect) = finding.effect else { continue };
        let at = resolve(&effect.path);
        assert_eq!(at["estimate"].as_f64(), Some(effect.effect.estimate), "{}", effect.path);
        assert_eq!(at["ci"]["lower"].as_f64(), Some(effect.effect.ci.lower), "{}", effect.path);
    }
    for headline in headlines(analysis) {
        for effect in headline.effects {
            let at = resolve(&effect.path);
            match effect.effect {
                Ok(e) => {
                    assert_eq!(at["estimate"].as_f64(), Some(e.estimate), "{}", effect.path);
                    assert_eq!(at["ci"]["upper"].as_f64(), Some(e.ci.upper), "{}", effect.path);
                    assert_eq!(at["term"].as_str(), Some(e.term.as_str()), "{}", effect.path);
                }
                Err(reason) => assert_eq!(at["reason"].as_str(), Some(reason.as_str())),
            }
        }
    }
}

#[test]
fn a_null_result_reads_as_no_evidence_of_a_difference_with_its_interval() {
    let analysis = binary_study([30, 31], 100, 0);
    let summary = summarise(&analysis);
    let finding = &summary.findings[0];
    assert_eq!(finding.verdict, Verdict::NoEvidence);
    assert!(finding.sentence.starts_with("There is no evidence of a difference in housed"));
    assert!(finding.sentence.contains("not evidence that there is none"));
    let effect = finding.effect.as_ref().unwrap();
    assert!(effect.effect.ci.contains(0.0), "a risk difference whose CI holds 0");
    assert!(summary.limitations.is_empty(), "{:?}", summary.limitations);
    assert_paths_resolve(&analysis);
}

#[test]
fn a_clear_difference_says_which_way() {
    let analysis = binary_study([10, 60], 100, 0);
    let finding = &summarise(&analysis).findings[0];
    assert_eq!(finding.verdict, Verdict::Higher);
    assert_eq!(
        finding.sentence,
        "housed at 6 months was more common in peer support than in usual care"
    );
    assert_paths_resolve(&analysis);
}

#[test]
fn follow_up_below_eighty_percent_is_a_limitation() {
    let analysis = binary_study([20, 25], 100, 30);
    let limitations = summarise(&analysis).limitations;
    assert_eq!(limitations.len(), 1, "{limitations:?}");
    assert!(limitations[0].contains("known for 140 of 200 participants (70%)"), "{limitations:?}");
}

#[test]
fn a_full_study_names_its_subgroup_tests_and_every_path_resolves() {
    let (table, request) = common::full_study(600, 3, common::Plant::default());
    let analysis = analyse(&table, &request).unwrap();
    assert_paths_resolve(&analysis);
    let summary = summarise(&analysis);
    assert_eq!(summary.findings[0].role, kindred_evaluation::analysis::OutcomeRole::Primary);
    let tests: usize = analysis.outcomes.iter().map(|o| o.subgroups.len()).sum();
    assert!(tests >= 3);
    assert!(
        summary.limitations.iter().any(|l| l.starts_with(&format!("{tests} subgroup comparisons"))),
        "{:?}",
        summary.limitations
    );
}

#[test]
fn an_outcome_nobody_has_is_said_not_estimated_once() {
    // A randomised change outcome with no follow-up at all: neither the comparison nor any
    // arm's pre-post can be estimated, and the summary says so once, in one sentence.
    let rows = (0..40).map(|i| (i % 2, vec![Observation::missing("not reached")])).collect();
    let table = common::bare_table(&["usual care", "peer support"], &["readiness change"], rows);
    let request = AnalysisRequest::new(
        StudyDesign::Randomised,
        vec![OutcomePlan::primary(OutcomeKind::Change)],
    );
    let analysis = analyse(&table, &request).expect("the analysis runs");
    let findings = summarise(&analysis).findings;
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].verdict, Verdict::NotEstimated);
    assert!(!findings[0].sentence.ends_with('.'), "the page ends the sentence");
    assert_paths_resolve(&analysis);
}

#[test]
fn a_pre_post_study_says_it_has_no_comparison_group() {
    let rows = (0..20)
        .map(|i| {
            (0, vec![Observation::Change { baseline: 10.0, follow_up: 10.0 + (i % 5) as f64 }])
        })
        .collect();
    let table = common::bare_table(&["peer counselling"], &["stage of change"], rows);
    let request =
        AnalysisRequest::new(StudyDesign::PrePost, vec![OutcomePlan::primary(OutcomeKind::Change)]);
    let analysis = analyse(&table, &request).unwrap();
    let summary = summarise(&analysis);
    assert!(summary.limitations[0].contains("no comparison group"));
    assert_eq!(summary.findings[0].verdict, Verdict::Higher);
    assert!(summary.findings[0].sentence.contains("rose from baseline in peer counselling"));
    assert_paths_resolve(&analysis);
}

#[test]
fn the_baseline_table_summarises_each_arm_and_its_difference() {
    let (table, request) = common::full_study(400, 9, common::Plant::default());
    let analysis = analyse(&table, &request).unwrap();
    let baseline = &analysis.baseline;
    let first = &baseline.rows[0];
    assert_eq!(first.characteristic, table.covariates[0]);
    let values = |arm: usize| -> Vec<f64> {
        table.rows.iter().filter(|r| r.arm == arm).filter_map(|r| r.covariates[0]).collect()
    };
    let (reference, compared) = (values(0), values(1));
    assert_eq!(first.arms[1].n, compared.len());
    let mean = compared.iter().sum::<f64>() / compared.len() as f64;
    assert!((first.arms[1].mean.unwrap() - mean).abs() < 1e-12);
    let smd = standardised_mean_difference(&compared, &reference, "x").unwrap();
    assert_eq!(first.differences[0].smd, Some(smd));
    // Subgroup levels are shares of those recorded, each arm's summing to one per variable.
    let variable = &table.subgroups[0];
    let shares: f64 = baseline
        .rows
        .iter()
        .filter(|r| r.characteristic.starts_with(&format!("{variable}: ")))
        .map(|r| r.arms[0].mean.unwrap())
        .sum();
    assert!((shares - 1.0).abs() < 1e-9, "{shares}");
    assert!(baseline.rows.iter().filter(|r| r.proportion).count() > 1);
}
