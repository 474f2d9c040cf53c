//! Worked examples per instrument, each against the rule its source publishes.

use super::*;
use crate::instruments::definition::{FlagSeverity, Sex};
use crate::instruments::scoring::ScaleStatus;

/// Nine PHQ-9 answers whose sum is `total` (fills items with 3s, then the remainder).
fn phq9_summing_to(total: i64) -> Vec<i64> {
    let mut left = total;
    (0..9)
        .map(|_| {
            let v = left.min(3);
            left -= v;
            v
        })
        .collect()
}

#[test]
fn phq9_bands_change_exactly_at_5_10_15_and_20() {
    // Kroenke, Spitzer & Williams 2001: 5, 10, 15 and 20 mark mild, moderate, moderately
    // severe and severe depression (0–4 none–minimal).
    let cases = [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ];
    for (sum, band) in cases {
        let values = phq9_summing_to(sum);
        let mut pairs = numbered("phq9", &values);
        if values.iter().any(|v| *v > 0) {
            pairs.push(("phq9_difficulty".into(), json!(1)));
        }
        let result = score_with("phq-9", &pairs, ScoringContext::default());
        assert_eq!(total(&result), (Some(sum as f64), Some(band.to_string())), "PHQ-9 {sum}");
        assert_eq!(result.completeness, Completeness::Complete);
    }
}

#[test]
fn phq9_item_9_above_zero_raises_an_urgent_flag_even_in_a_partial_save() {
    // The follow-up engine turns this flag into an urgent task for the supervisor.
    let result = score_with("phq-9", &[("phq9_9".into(), json!(1))], ScoringContext::default());
    assert!(result.has_urgent_flag());
    let flag = result.urgent_flags().next().unwrap();
    assert_eq!((flag.code.as_str(), flag.item.as_str()), ("phq9_item9_positive", "phq9_9"));
    assert_eq!(result.completeness, Completeness::Partial);
    assert_eq!(result.total().unwrap().value, None, "8 items missing: no total");

    let none = score_numbered("phq-9", "phq9", &[0; 9]);
    assert!(!none.has_urgent_flag() && none.flags.is_empty());

    // Unanswered item 9 is not urgent, but it is named so staff ask it.
    let unanswered = score_numbered("phq-9", "phq9", &[1, 1, 1, 1, 1, 1, 1, 1]);
    assert!(!unanswered.has_urgent_flag());
    assert_eq!(unanswered.flags[0].code, "phq9_item9_unanswered");
    assert_eq!(unanswered.flags[0].severity, FlagSeverity::Review);
}

#[test]
fn phq9_prorates_up_to_two_missing_items_and_refuses_more() {
    // Arrieta et al. 2017 (via qscorer): up to two missing items, replaced by the mean of
    // the answered items; i.e. total = mean × 9.
    let seven = score_numbered("phq-9", "phq9", &[2, 2, 2, 2, 2, 2, 2]); // items 8, 9 missing
    let scale = seven.total().unwrap();
    assert_eq!((scale.value, scale.status), (Some(18.0), ScaleStatus::Prorated));
    assert_eq!(scale.band.as_ref().unwrap().code, "moderately_severe");
    assert_eq!(seven.completeness, Completeness::Partial);
    // 14 over 8 answered items → 15.75: prorated scores keep two decimals; bands use the
    // value as shown, so 15.75 is moderately severe.
    let eight = score_numbered("phq-9", "phq9", &[3, 3, 2, 2, 2, 1, 1, 0]);
    assert_eq!(total(&eight), (Some(15.75), Some("moderately_severe".into())));
    let mild = score_numbered("phq-9", "phq9", &[2, 2, 1, 1, 1, 0, 0]);
    assert_eq!(total(&mild), (Some(9.0), Some("mild".into())));
    let six = score_numbered("phq-9", "phq9", &[3, 3, 3, 3, 3, 3]);
    assert_eq!(six.total().unwrap().value, None);
    assert_eq!(six.total().unwrap().status, ScaleStatus::TooManyMissing);
}

#[test]
fn phq9_difficulty_question_is_shown_only_after_a_problem_and_not_scored() {
    let calm = answers("phq-9", &[("phq9_1", json!(0)), ("phq9_difficulty", json!(2))]);
    assert!(calm.unwrap_err().get("phq9_difficulty").unwrap().contains("is not asked"));
    let mut pairs = numbered("phq9", &[1, 0, 0, 0, 0, 0, 0, 0, 0]);
    let without = score_with("phq-9", &pairs, ScoringContext::default());
    assert_eq!(without.completeness, Completeness::Complete, "the question is optional");
    pairs.push(("phq9_difficulty".into(), json!(3)));
    assert_eq!(total(&score_with("phq-9", &pairs, ScoringContext::default())).0, Some(1.0));
}

#[test]
fn gad7_bands_change_at_5_10_and_15() {
    // Spitzer et al. 2006: 5, 10 and 15 are the cut-points for mild, moderate, severe.
    for (values, sum, band) in [
        ([1, 1, 1, 1, 0, 0, 0], 4.0, "minimal"),
        ([1, 1, 1, 1, 1, 0, 0], 5.0, "mild"),
        ([2, 2, 2, 1, 1, 1, 0], 9.0, "mild"),
        ([2, 2, 2, 1, 1, 1, 1], 10.0, "moderate"),
        ([3, 3, 2, 2, 2, 1, 1], 14.0, "moderate"),
        ([3, 3, 3, 2, 2, 1, 1], 15.0, "severe"),
        ([3, 3, 3, 3, 3, 3, 3], 21.0, "severe"),
    ] {
        let result = score_numbered("gad-7", "gad7", &values);
        assert_eq!(total(&result), (Some(sum), Some(band.to_string())));
    }
    // No verified missing-item rule: one missing item means no total.
    assert_eq!(score_numbered("gad-7", "gad7", &[3, 3, 3, 3, 3, 3]).total().unwrap().value, None);
}

#[test]
fn audit_c_uses_sex_specific_cut_offs_at_their_edges() {
    // Bradley et al. 2003 / Bush et al. 1998: positive at 3 or more for women, 4 or more for men.
    let female = ScoringContext { sex: Some(Sex::Female) };
    let male = ScoringContext { sex: Some(Sex::Male) };
    let three = numbered("audit_c", &[2, 1, 0]); // 2–4 times a month, 3–4 drinks, never 6+
    let four = numbered("audit_c", &[2, 1, 1]);
    let band = |pairs: &[(String, Value)], context| {
        let result = score_with("audit-c", pairs, context);
        let band = result.total().unwrap().band.clone().unwrap();
        (result.total().unwrap().value, band.code, band.cut_offs_for, band.sex_not_recorded)
    };
    assert_eq!(band(&three, female), (Some(3.0), "positive".into(), Some(Sex::Female), false));
    assert_eq!(band(&three, male), (Some(3.0), "negative".into(), Some(Sex::Male), false));
    assert_eq!(band(&four, male), (Some(4.0), "positive".into(), Some(Sex::Male), false));
    let two = numbered("audit_c", &[1, 1, 0]);
    assert_eq!(band(&two, female).1, "negative");
    // Sex not recorded: the lower cut-off applies, and the result says so.
    let unknown = band(&three, ScoringContext::default());
    assert_eq!(unknown, (Some(3.0), "positive".into(), None, true));
}

#[test]
fn audit_c_never_drinking_skips_questions_2_and_3_which_score_zero() {
    let result = score_numbered("audit-c", "audit_c", &[0]);
    assert_eq!(result.completeness, Completeness::Complete);
    assert_eq!(total(&result), (Some(0.0), Some("negative".into())));
    let errors = answers("audit-c", &[("audit_c_1", json!(0)), ("audit_c_3", json!(2))]);
    let message = errors.unwrap_err().get("audit_c_3").unwrap().to_string();
    assert!(message.contains("is not asked unless audit_c_1 != 0 (Never)"), "{message}");
}

#[test]
fn dast10_scores_item_3_in_reverse() {
    // Skinner 1982; DAST-10 guide: 'Yes' scores 1 except item 3, where 'No' scores 1.
    let no_problems = score_numbered("dast-10", "dast10", &[0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(total(&no_problems), (Some(0.0), Some("none".into())));
    let cannot_stop = score_numbered("dast-10", "dast10", &[1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(total(&cannot_stop), (Some(2.0), Some("low".into())));
    let all_yes = score_numbered("dast-10", "dast10", &[1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert_eq!(total(&all_yes), (Some(9.0), Some("severe".into())));
    let worst = score_numbered("dast-10", "dast10", &[1, 1, 0, 1, 1, 1, 1, 1, 1, 1]);
    assert_eq!(total(&worst), (Some(10.0), Some("severe".into())));
    for (values, band) in [
        ([1, 1, 0, 0, 0, 0, 0, 0, 0, 0], "moderate"),    // 3
        ([1, 1, 0, 1, 1, 0, 0, 0, 0, 0], "moderate"),    // 5
        ([1, 1, 0, 1, 1, 1, 0, 0, 0, 0], "substantial"), // 6
        ([1, 1, 0, 1, 1, 1, 1, 1, 0, 0], "substantial"), // 8
    ] {
        assert_eq!(total(&score_numbered("dast-10", "dast10", &values)).1.unwrap(), band);
    }
}

#[test]
fn barc10_sums_to_10_60_with_the_cut_off_at_47() {
    // Vilsaint et al. 2017: total 10–60; 47 predicted sustained remission.
    let at = score_numbered("barc-10", "barc10", &[5, 5, 5, 5, 5, 5, 5, 4, 4, 4]);
    assert_eq!(total(&at), (Some(47.0), Some("at_or_above_cut_off".into())));
    let below = score_numbered("barc-10", "barc10", &[5, 5, 5, 5, 5, 5, 4, 4, 4, 4]);
    assert_eq!(total(&below), (Some(46.0), Some("below_cut_off".into())));
    assert_eq!(total(&score_numbered("barc-10", "barc10", &[1; 10])).0, Some(10.0));
    assert_eq!(total(&score_numbered("barc-10", "barc10", &[6; 10])).0, Some(60.0));
}

#[test]
fn mspss_scores_three_subscales_and_the_total_as_means() {
    // Zimet et al. 1988, scoring note: each subscale is the sum of its four items ÷ 4; the
    // total is the sum of all twelve ÷ 12.
    //           1  2  3  4  5  6  7  8  9 10 11 12
    let values = [7, 7, 3, 4, 6, 2, 2, 3, 3, 6, 4, 3];
    let result = score_numbered("mspss", "mspss", &values);
    let mean = |id: &str| result.scale(id).unwrap().value.unwrap();
    assert_eq!(mean("significant_other"), 6.5); // (7+7+6+6)/4
    assert_eq!(mean("family"), 3.5); // (3+4+3+4)/4
    assert_eq!(mean("friends"), 2.5); // (2+2+3+3)/4
    assert_eq!(mean("total"), 4.17); // 50/12
    let band = |id: &str| result.scale(id).unwrap().band.clone().unwrap().code;
    assert_eq!(
        (band("significant_other"), band("family"), band("friends")),
        ("high".into(), "moderate".into(), "low".into())
    );
}

#[test]
fn mspss_band_edges_and_partial_subscales() {
    // Author's grouping: 1–2.9 low, 3–5 moderate, 5.1–7 high. 35/12 = 2.92 is low; 3 is
    // moderate; 5 moderate; 61/12 = 5.08 sits between the published ranges and stays moderate;
    // 62/12 = 5.17 is high.
    for (sum, band) in
        [(35, "low"), (36, "moderate"), (60, "moderate"), (61, "moderate"), (62, "high")]
    {
        let mut values = [1i64; 12];
        let mut left = sum - 12;
        for v in values.iter_mut() {
            let add = left.min(6);
            *v += add;
            left -= add;
        }
        let result = score_numbered("mspss", "mspss", &values);
        assert_eq!(result.total().unwrap().band.clone().unwrap().code, band, "sum {sum}");
    }
    // Only the family items answered: the family subscale is scored, nothing else.
    let family = score_with(
        "mspss",
        &[("mspss_3", 5), ("mspss_4", 6), ("mspss_8", 5), ("mspss_11", 6)]
            .map(|(k, v)| (k.to_string(), json!(v))),
        ScoringContext::default(),
    );
    assert_eq!(family.scale("family").unwrap().value, Some(5.5));
    assert_eq!(family.scale("friends").unwrap().value, None);
    assert_eq!(family.total().unwrap().value, None);
    assert_eq!(family.completeness, Completeness::Partial);
}

#[test]
fn who5_percentage_is_the_raw_score_times_four() {
    // Topp et al. 2015: raw 0–25 × 4 = percentage 0–100; raw below 13 indicates poor well-being.
    let result = score_numbered("who-5", "who5", &[3, 3, 3, 3, 3]);
    assert_eq!(result.scale("raw").unwrap().value, Some(15.0));
    assert_eq!(result.scale("percentage").unwrap().value, Some(60.0));
    let poor = score_numbered("who-5", "who5", &[3, 3, 2, 2, 2]);
    assert_eq!(poor.scale("percentage").unwrap().value, Some(48.0));
    assert_eq!(poor.scale("raw").unwrap().band.clone().unwrap().code, "poor");
    assert_eq!(poor.scale("percentage").unwrap().band.clone().unwrap().code, "poor");
    let thirteen = score_numbered("who-5", "who5", &[3, 3, 3, 2, 2]);
    assert_eq!(thirteen.scale("percentage").unwrap().value, Some(52.0));
    assert_eq!(thirteen.scale("raw").unwrap().band.clone().unwrap().code, "not_poor");
    assert_eq!(
        score_numbered("who-5", "who5", &[5; 5]).scale("percentage").unwrap().value,
        Some(100.0)
    );
}

#[test]
fn readiness_ruler_reports_the_number_without_a_band() {
    let result =
        score_with("readiness-ruler", &[("readiness".into(), json!(7))], ScoringContext::default());
    assert_eq!(total(&result), (Some(7.0), None));
    assert_eq!(result.completeness, Completeness::Complete);
}

#[test]
fn use_days_give_any_use_heaviest_substance_and_summed_days() {
    let pairs: Vec<(String, Value)> = [
        ("use_any", 12),
        ("use_alcohol", 12),
        ("use_cannabis", 4),
        ("use_opioids", 0),
        ("use_cocaine", 0),
        ("use_stimulants", 0),
        ("use_sedatives", 0),
        ("use_other", 0),
    ]
    .map(|(k, v)| (k.to_string(), json!(v)))
    .to_vec();
    let result = score_with("use-days-30", &pairs, ScoringContext::default());
    assert_eq!(total(&result), (Some(12.0), Some("some_use".into())));
    assert_eq!(result.scale("heaviest_substance_days").unwrap().value, Some(12.0));
    assert_eq!(result.scale("substance_days").unwrap().value, Some(16.0));
    let mut abstinent = pairs.clone();
    for pair in abstinent.iter_mut() {
        pair.1 = json!(0);
    }
    let none = score_with("use-days-30", &abstinent, ScoringContext::default());
    assert_eq!(total(&none), (Some(0.0), Some("no_use".into())));
}

#[test]
fn gse_sums_ten_items_from_10_to_40_without_bands() {
    // Schwarzer & Jerusalem 1995: ten items scored 1–4, summed to 10–40; no cut-offs.
    let result = score_numbered("gse", "gse", &[3, 3, 2, 4, 3, 3, 2, 3, 3, 4]);
    assert_eq!(total(&result), (Some(30.0), None));
    assert_eq!(total(&score_numbered("gse", "gse", &[1; 10])), (Some(10.0), None));
    assert_eq!(total(&score_numbered("gse", "gse", &[4; 10])), (Some(40.0), None));
    let nine = score_numbered("gse", "gse", &[3; 9]);
    assert_eq!(nine.total().unwrap().value, None, "no missing-item rule was verified");
    assert_eq!(nine.completeness, Completeness::Partial);
}

#[test]
fn kindred_stress_and_satisfaction_measures_score_as_described() {
    let stress = score_with(
        "stress-rating",
        &[("stress_month".into(), json!(7))],
        ScoringContext::default(),
    );
    assert_eq!(total(&stress), (Some(7.0), None));
    let pairs: Vec<(String, Value)> = [
        ("sat_overall", 4),
        ("sat_needs", 3),
        ("sat_understood", 4),
        ("sat_respected", 4),
        ("sat_resources", 2),
        ("sat_recommend", 4),
    ]
    .map(|(k, v)| (k.to_string(), json!(v)))
    .to_vec();
    let satisfaction = score_with("service-satisfaction", &pairs, ScoringContext::default());
    assert_eq!(total(&satisfaction), (Some(21.0), None));
    let five = score_with("service-satisfaction", &pairs[..5], ScoringContext::default());
    assert_eq!(five.total().unwrap().value, None, "all six answered or no total");
}
