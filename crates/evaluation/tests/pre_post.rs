//! Pre-post studies: one arm compared with its own baseline, like the one-to-one peer
//! counselling study of 13 rural women with HIV.

mod common;

use kindred_evaluation::analysis::{
    AnalysisRequest, Comparison, OutcomeKind, OutcomePlan, StudyDesign, analyse,
};
use kindred_evaluation::{Observation, RepeatedPoint};
use kindred_stats::two_group::{RankMethod, cohens_dz, paired_t_test, wilcoxon_signed_rank};

#[test]
fn thirteen_participants_lead_with_the_wilcoxon_test() {
    let baseline = [12.0, 15.0, 9.0, 20.0, 14.0, 11.0, 17.0, 13.0, 16.0, 10.0, 18.0, 12.5, 14.5];
    let follow_up = [15.0, 16.5, 13.0, 21.0, 19.0, 11.5, 22.0, 12.0, 20.0, 14.0, 18.3, 17.0, 15.2];
    let rows = baseline
        .iter()
        .zip(&follow_up)
        .map(|(&b, &f)| (0, vec![Observation::Change { baseline: b, follow_up: f }]))
        .collect();
    let mut table = common::bare_table(&["peer counselling"], &["stage of change"], rows);
    table.subgroups = vec!["site".into()];
    for (i, row) in table.rows.iter_mut().enumerate() {
        row.subgroups = vec![Some(if i < 7 { "north" } else { "south" }.into())];
    }
    let mut request =
        AnalysisRequest::new(StudyDesign::PrePost, vec![OutcomePlan::primary(OutcomeKind::Change)]);
    request.subgroups = vec!["site".into()];
    let result = analyse(&table, &request).unwrap();
    let Comparison::Continuous(c) = &result.outcomes[0].comparison else { panic!() };
    assert!(c.comparisons.is_empty());
    let pre_post = c.pre_post[0].result.as_ref().unwrap();
    assert_eq!((pre_post.pairs, pre_post.primary_test), (13, "wilcoxon"));
    let t = paired_t_test(&follow_up, &baseline, 0.95).unwrap();
    let w = wilcoxon_signed_rank(&follow_up, &baseline, RankMethod::Auto).unwrap();
    assert_eq!(pre_post.mean_change.estimate, t.mean_difference);
    assert_eq!(pre_post.wilcoxon.as_ref().unwrap().p_value, w.p_value);
    assert_eq!(pre_post.d_z.estimate, cohens_dz(&follow_up, &baseline, 0.95).unwrap().estimate);
    // For whom: the change within each site, and whether it differs between them.
    let subgroup = &result.outcomes[0].subgroups[0];
    let north = subgroup.levels[0].effects.result.as_ref().unwrap();
    let t = paired_t_test(&follow_up[..7], &baseline[..7], 0.95).unwrap();
    assert_eq!(north[0].estimate, t.mean_difference);
    assert!(subgroup.interaction.estimable, "{:?}", subgroup.interaction.reason);
    common::assert_no_null(&serde_json::to_value(&result).unwrap(), "$");
}

#[test]
fn a_repeated_measure_reports_the_change_at_each_time_point() {
    let mut rng = common::rng(5);
    let rows = (0..80)
        .map(|_| {
            let person = 2.0 * common::normal(&mut rng);
            let points = ["intake", "3m", "6m"]
                .iter()
                .enumerate()
                .map(|(t, code)| RepeatedPoint {
                    time_point: (*code).into(),
                    position: t,
                    day: 90.0 * t as f64,
                    value: 20.0 + person - 2.0 * t as f64 + common::normal(&mut rng),
                })
                .collect();
            (0, vec![Observation::Repeated { points }])
        })
        .collect();
    let table = common::bare_table(&["reentry coaching"], &["perceived stress"], rows);
    let request = AnalysisRequest::new(
        StudyDesign::PrePost,
        vec![OutcomePlan::primary(OutcomeKind::Repeated)],
    );
    let result = analyse(&table, &request).unwrap();
    let Comparison::Repeated(r) = &result.outcomes[0].comparison else { panic!() };
    assert!(r.by_time.is_none());
    let model = r.main.result.as_ref().unwrap();
    assert!(model.arm_effects.is_empty());
    let six_months = &model.time_effects[1];
    assert_eq!(six_months.term, "time point 6m");
    assert!(six_months.ci.contains(-4.0), "{six_months:?}");
}
