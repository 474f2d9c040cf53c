//! The same input analysed twice gives byte-identical JSON, and nothing in it is `null`.

mod common;

use kindred_evaluation::analysis::{StudyDesign, analyse, analyse_with_threads};

#[test]
fn the_same_study_gives_the_same_json_twice() {
    for design in [StudyDesign::Randomised, StudyDesign::QuasiExperimental] {
        let (table, mut request) = common::full_study(600, 11, common::Plant::default());
        request.design = design;
        let first = serde_json::to_string(&analyse(&table, &request).unwrap()).unwrap();
        let second =
            serde_json::to_string(&analyse(&table.clone(), &request.clone()).unwrap()).unwrap();
        assert_eq!(first, second);
        let one_thread = analyse_with_threads(&table, &request, 1).unwrap();
        let three = analyse_with_threads(&table, &request, 3).unwrap();
        assert_eq!(serde_json::to_string(&one_thread).unwrap(), first);
        assert_eq!(serde_json::to_string(&three).unwrap(), first);
        common::assert_no_null(&serde_json::from_str(&first).unwrap(), "$");
        if let Ok(dir) = std::env::var("EVAL_DUMP") {
            std::fs::write(
                format!("{dir}/{design:?}.json"),
                serde_json::to_string_pretty(&analyse(&table, &request).unwrap()).unwrap(),
            )
            .unwrap();
        }
    }
}

#[test]
fn a_three_arm_trial_compares_each_arm_with_the_reference() {
    use kindred_evaluation::analysis::Comparison;
    let (mut table, request) = common::full_study(900, 5, common::Plant::default());
    // A third arm (dual-recovery therapy) from every third participant.
    table.arms.push("dual-recovery therapy".into());
    for (i, row) in table.rows.iter_mut().enumerate() {
        if i % 3 == 0 {
            row.arm = 2;
        }
    }
    let result = analyse(&table, &request).unwrap();
    common::assert_no_null(&serde_json::to_value(&result).unwrap(), "$");
    let Comparison::Binary(b) = &result.outcomes[0].comparison else { panic!() };
    let labels: Vec<&str> = b.comparisons.iter().map(|c| c.comparison.as_str()).collect();
    assert_eq!(labels, ["peer support vs usual care", "dual-recovery therapy vs usual care"]);
    let adjusted = b.adjusted.as_ref().unwrap().result.as_ref().unwrap();
    assert_eq!(adjusted.len(), 2);
    let Comparison::TimeToEvent(s) = &result.outcomes[2].comparison else { panic!() };
    assert_eq!(s.log_rank.as_ref().unwrap().result.as_ref().unwrap().df, Some(2.0));
    assert_eq!(s.cox.as_ref().unwrap().result.as_ref().unwrap().hazard_ratios.len(), 2);
    assert_eq!(result.cost.as_ref().unwrap().incremental.len(), 2);
}
