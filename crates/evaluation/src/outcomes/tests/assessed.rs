//! Binary, score, change and repeated outcomes from assessments.

use kindred_domain::vocabulary::ParticipantStatus;
use serde_json::json;

use super::*;

fn abstinence() -> StudyDefinition {
    study(
        json!([{"code": "no_use_6m", "name": "No use at 6 months", "kind": "binary_at_time_point",
                "time_point": "6m", "instrument": "use-days-30",
                "rule": {"on": "items", "items": ["use_any"], "comparator": "at_most", "cut_off": 0}}]),
        365,
    )
}

fn use_days(on_day: i64, any: Option<f64>) -> AssessmentRecord {
    let mut a = assessment("use-days-30", "6m", on_day, any);
    if let Some(days) = any {
        a.answers.insert("use_any".into(), days);
    }
    a
}

#[test]
fn zero_days_of_use_is_a_yes_and_an_unanswered_item_is_missing() {
    let study = abstinence();
    let mut r = record();
    r.assessments.push(use_days(180, Some(0.0)));
    assert_eq!(derived(&study, &r), Observation::Binary { value: true }, "zero is a value");
    r.assessments = vec![use_days(180, Some(3.0))];
    assert_eq!(derived(&study, &r), Observation::Binary { value: false });
    r.assessments = vec![use_days(180, None)];
    assert_eq!(reason(derived(&study, &r)), "item use_any was not answered at 6 months");
}

#[test]
fn the_window_edges_are_inside_and_the_day_beyond_is_not() {
    let study = abstinence();
    for inside in [150, 240] {
        let mut r = record();
        r.assessments.push(use_days(inside, Some(0.0)));
        assert_eq!(derived(&study, &r), Observation::Binary { value: true }, "day {inside}");
    }
    for outside in [149, 241] {
        let mut r = record();
        r.assessments.push(use_days(outside, Some(0.0)));
        assert_eq!(
            reason(derived(&study, &r)),
            format!(
                "the 6 months use-days-30 was given on day {outside}, outside its window (days 150 to 240)"
            )
        );
    }
    // Two in the window: the first counts, as the follow-up engine counts the first.
    let mut r = record();
    r.assessments = vec![use_days(220, Some(4.0)), use_days(160, Some(0.0))];
    assert_eq!(derived(&study, &r), Observation::Binary { value: true });
    // One outside and one inside: the inside one.
    r.assessments = vec![use_days(100, Some(4.0)), use_days(200, Some(0.0))];
    assert_eq!(derived(&study, &r), Observation::Binary { value: true });
}

#[test]
fn only_the_assessment_recorded_for_the_time_point_measures_it() {
    let study = abstinence();
    let mut r = record();
    let mut wrong_point = use_days(180, Some(0.0));
    wrong_point.time_point = Some("3m".into());
    let mut unscheduled = use_days(181, Some(0.0));
    unscheduled.time_point = None;
    let mut other_instrument = use_days(182, Some(0.0));
    other_instrument.instrument = "barc-10".into();
    r.assessments = vec![wrong_point, unscheduled, other_instrument];
    assert_eq!(reason(derived(&study, &r)), "no 6 months use-days-30 assessment");
    // Nothing after the study's end counts.
    let mut r = record();
    r.study_end = day(200);
    r.assessments.push(use_days(210, Some(0.0)));
    assert_eq!(
        reason(derived(&study, &r)),
        "the 6 months window was still open at the study's end"
    );
}

#[test]
fn a_missing_assessment_says_why() {
    let study = abstinence();
    let mut withdrew = record();
    withdrew.status = ParticipantStatus::Withdrawn;
    withdrew.left_on = Some(day(100));
    assert_eq!(reason(derived(&study, &withdrew)), "withdrew before the 6 months time point");
    let mut lost = record();
    lost.status = ParticipantStatus::LostToFollowUp;
    lost.left_on = Some(day(200));
    assert_eq!(
        reason(derived(&study, &lost)),
        "was lost to follow-up during the 6 months window, before a use-days-30 was given"
    );
    let mut undated = record();
    undated.status = ParticipantStatus::Withdrawn;
    assert_eq!(
        reason(derived(&study, &undated)),
        "no 6 months use-days-30 (withdrew on an unrecorded day)"
    );
    let mut after_window = record();
    after_window.status = ParticipantStatus::Withdrawn;
    after_window.left_on = Some(day(300));
    assert_eq!(reason(derived(&study, &after_window)), "no 6 months use-days-30 assessment");
    let mut early_end = record();
    early_end.study_end = day(100);
    assert_eq!(
        reason(derived(&study, &early_end)),
        "the 6 months window had not opened by the study's end"
    );
    let mut other_schedule = record();
    other_schedule.schedule.retain(|p| p.code != "6m");
    assert_eq!(
        reason(derived(&study, &other_schedule)),
        "the program's schedule has no 6m time point"
    );
    // An assessment given after withdrawal still measures the time point (intention to treat).
    let mut followed = withdrew;
    followed.assessments.push(use_days(190, Some(0.0)));
    assert_eq!(derived(&study, &followed), Observation::Binary { value: true });
}

#[test]
fn dates_at_the_end_of_the_calendar_are_missing_not_a_panic() {
    let study = abstinence();
    let mut r = record();
    r.enrolled_on = time::Date::MAX;
    r.study_end = time::Date::MAX;
    assert_eq!(reason(derived(&study, &r)), "the 6 months window runs past the calendar's range");
    let all = study_of_every_kind();
    for (_, observation) in derive_all(&r, &all) {
        assert!(
            observation.is_missing()
                || matches!(
                    observation,
                    Observation::Count { .. } | Observation::TimeToEvent { .. }
                )
        );
    }
}

/// A study with one outcome of each kind (for edge records that must not panic).
fn study_of_every_kind() -> StudyDefinition {
    study(
        json!([
            {"code": "a", "name": "A", "kind": "binary_at_time_point", "time_point": "6m", "instrument": "phq-9",
             "rule": {"on": "score", "comparator": "below", "cut_off": 10}},
            {"code": "b", "name": "B", "kind": "score_at_time_point", "time_point": "6m", "instrument": "barc-10"},
            {"code": "c", "name": "C", "kind": "change_from_baseline", "time_point": "6m", "instrument": "barc-10"},
            {"code": "d", "name": "D", "kind": "repeated", "time_points": ["intake", "6m"], "instrument": "barc-10"},
            {"code": "e", "name": "E", "kind": "event_within", "event": {"kind": "arrest"}, "days": 30},
            {"code": "f", "name": "F", "kind": "time_to_event", "event": {"kind": "arrest"}},
            {"code": "g", "name": "G", "kind": "event_rate", "event": {"kind": "arrest"}}
        ]),
        365,
    )
}

#[test]
fn score_rules_and_bands_read_the_scores_as_stored() {
    let below = study(
        json!([{"code": "phq_low", "name": "PHQ-9 below 10", "kind": "binary_at_time_point",
                "time_point": "6m", "instrument": "phq-9",
                "rule": {"on": "score", "comparator": "below", "cut_off": 10}}]),
        365,
    );
    let mut r = record();
    r.assessments.push(assessment("phq-9", "6m", 180, Some(9.0)));
    assert_eq!(derived(&below, &r), Observation::Binary { value: true });
    r.assessments = vec![assessment("phq-9", "6m", 180, Some(10.0))];
    assert_eq!(derived(&below, &r), Observation::Binary { value: false }, "10 is not below 10");
    r.assessments = vec![assessment("phq-9", "6m", 180, None)];
    assert_eq!(
        reason(derived(&below, &r)),
        "the 6 months phq-9 has no total (too many items unanswered)"
    );
    let band = study(
        json!([{"code": "no_use", "name": "No use", "kind": "binary_at_time_point",
                "time_point": "6m", "instrument": "use-days-30", "rule": {"on": "band", "bands": ["no_use"]}}]),
        365,
    );
    let mut r = record();
    let mut banded = assessment("use-days-30", "6m", 180, Some(0.0));
    banded.band = Some("no_use".into());
    r.assessments.push(banded.clone());
    assert_eq!(derived(&band, &r), Observation::Binary { value: true });
    banded.band = Some("some_use".into());
    r.assessments = vec![banded.clone()];
    assert_eq!(derived(&band, &r), Observation::Binary { value: false });
    banded.band = None;
    r.assessments = vec![banded];
    assert_eq!(reason(derived(&band, &r)), "the 6 months use-days-30 score has no band");
}

#[test]
fn a_score_is_its_value_even_when_zero_and_a_scale_is_read_by_id() {
    let score = study(
        json!([{"code": "who", "name": "WHO-5 %", "kind": "score_at_time_point", "time_point": "12m",
                "instrument": "who-5", "scale": "percentage"}]),
        365,
    );
    let mut r = record();
    let mut who = assessment("who-5", "12m", 365, Some(0.0));
    who.subscores.insert("percentage".into(), Some(0.0));
    r.assessments.push(who.clone());
    assert_eq!(derived(&score, &r), Observation::Continuous { value: 0.0 });
    who.subscores.insert("percentage".into(), None);
    r.assessments = vec![who];
    assert_eq!(
        reason(derived(&score, &r)),
        "the 12 months who-5 has no percentage score (too many items unanswered)"
    );
}

#[test]
fn a_change_needs_both_the_baseline_and_the_follow_up() {
    let change = study(
        json!([{"code": "barc", "name": "BARC-10 change", "kind": "change_from_baseline",
                "time_point": "6m", "instrument": "barc-10"}]),
        365,
    );
    let mut r = record();
    r.assessments = vec![
        assessment("barc-10", "intake", 3, Some(31.0)),
        assessment("barc-10", "6m", 181, Some(44.0)),
    ];
    assert_eq!(derived(&change, &r), Observation::Change { baseline: 31.0, follow_up: 44.0 });
    r.assessments.remove(0);
    assert_eq!(reason(derived(&change, &r)), "no baseline: no Intake barc-10 assessment");
    r.assessments = vec![
        assessment("barc-10", "intake", 20, Some(31.0)),
        assessment("barc-10", "6m", 181, Some(44.0)),
    ];
    assert_eq!(
        reason(derived(&change, &r)),
        "no baseline: the Intake barc-10 was given on day 20, outside its window (days 0 to 14)"
    );
    r.assessments = vec![assessment("barc-10", "intake", 0, Some(31.0))];
    assert_eq!(reason(derived(&change, &r)), "no 6 months barc-10 assessment");
}

#[test]
fn repeated_measures_keep_the_points_observed_and_leave_out_the_rest() {
    let repeated = study(
        json!([{"code": "barc", "name": "BARC-10 over time", "kind": "repeated",
                "time_points": ["12m", "intake", "6m"], "instrument": "barc-10"}]),
        365,
    );
    let mut r = record();
    r.assessments = vec![
        assessment("barc-10", "12m", 370, Some(50.0)),
        assessment("barc-10", "intake", 2, Some(30.0)),
        assessment("barc-10", "6m", 300, Some(40.0)), // outside its window: absent, not zero
    ];
    let Observation::Repeated { points } = derived(&repeated, &r) else { panic!("repeated") };
    let got: Vec<(&str, usize, f64, f64)> =
        points.iter().map(|p| (p.time_point.as_str(), p.position, p.day, p.value)).collect();
    assert_eq!(got, [("intake", 0, 2.0, 30.0), ("12m", 3, 370.0, 50.0)], "in schedule order");
    r.assessments.clear();
    assert_eq!(
        reason(derived(&repeated, &r)),
        "no barc-10 at any of its time points (12m, intake, 6m)"
    );
}
