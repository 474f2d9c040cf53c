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
