//! The study-level allocation: strata from baseline values, arms from the statistics crate's
//! sequence, and a log re-derived from its seed, with tampering caught at the right entry.

use std::collections::BTreeMap;

use kindred_domain::study::{StudyCatalogue, StudyDefinition, StudyInput};
use kindred_domain::vocabulary::BaselineField;
use kindred_stats::allocation::AllocationScheme;
use serde_json::{Value, json};

use super::*;

const SEED: [u8; 32] = [7; 32];

fn study(ratios: [u32; 2], blocks: Value, stratify_by: Value, design: &str) -> StudyDefinition {
    let randomised = design == "randomised";
    let arm = |code: &str, role: &str, ratio: u32| {
        let mut arm = json!({"code": code, "name": code, "receives": "Something", "role": role});
        if randomised {
            arm["ratio"] = json!(ratio);
        }
        arm
    };
    let mut value = json!({
        "title": "Allocation", "question": "Which arm?", "design": design,
        "program_ids": ["01890000-0000-7000-8000-000000000001"],
        "arms": [arm("peer", "intervention", ratios[0]), arm("advice", "comparison", ratios[1])],
        "enrolment_from": "2026-01-01", "enrolment_to": "2026-12-31", "follow_up_days": 180,
        "outcomes": [{"code": "a", "name": "A", "kind": "time_to_event", "event": {"kind": "arrest"}}],
        "plan": {"primary": "a"}
    });
    if randomised {
        value["randomisation"] = json!({"stratify_by": stratify_by, "block_sizes": blocks});
    } else {
        value["arms"] = json!([arm("all", "intervention", 0)]);
    }
    let input: StudyInput = serde_json::from_value(value).expect("input");
    StudyDefinition::parse(&input, &StudyCatalogue::library()).unwrap_or_else(|e| panic!("{e}"))
}

fn stratified() -> StudyAllocation {
    let study = study([1, 1], json!([2, 4]), json!(["primary_substance", "gender"]), "randomised");
    StudyAllocation::of(&study).expect("randomised")
}

fn values(pairs: &[(BaselineField, &str)]) -> BTreeMap<BaselineField, String> {
    pairs.iter().map(|(f, v)| (*f, (*v).to_owned())).collect()
}

#[test]
fn only_a_randomised_study_allocates() {
    let pre_post = study([1, 1], json!([]), json!([]), "pre_post");
    assert_eq!(StudyAllocation::of(&pre_post), Err(AllocationError::NotRandomised));
}

#[test]
fn the_stratum_key_names_each_factor_in_the_study_s_order() {
    let scheme = stratified();
    let woman_on_cocaine =
        values(&[(BaselineField::Gender, "woman"), (BaselineField::PrimarySubstance, "cocaine")]);
    assert_eq!(scheme.stratum(&woman_on_cocaine), "primary_substance=cocaine;gender=woman");
    let unrecorded = values(&[(BaselineField::Gender, "wizard")]);
    assert_eq!(
        scheme.stratum(&unrecorded),
        "primary_substance=not_recorded;gender=not_recorded",
        "a value outside the vocabulary is not recorded"
    );
    let plain = study([1, 1], json!([2]), json!([]), "randomised");
    let plain = StudyAllocation::of(&plain).expect("randomised");
    assert_eq!(plain.stratum(&woman_on_cocaine), UNSTRATIFIED);
}

#[test]
fn each_arm_is_the_statistics_crate_s_and_blocks_keep_the_ratio() {
    let study = study([2, 1], json!([3, 6]), json!([]), "randomised");
    let scheme = StudyAllocation::of(&study).expect("randomised");
    let reference = AllocationScheme::new(SEED, &[2, 1], &[3, 6]).expect("scheme");
    let mut per_block: BTreeMap<u64, (u32, Vec<String>)> = BTreeMap::new();
    for position in 0..60 {
        let assignment = scheme.allocate(SEED, "all", position).expect("allocates");
        let expected = reference.allocate("all", position);
        assert_eq!(assignment.arm, scheme.arms()[expected.arm], "position {position}");
        assert_eq!(
            (assignment.block, assignment.block_size),
            (expected.block, expected.block_size)
        );
        let block = per_block.entry(assignment.block).or_insert((assignment.block_size, vec![]));
        block.1.push(assignment.arm);
    }
    let mut complete = 0;
    for (block, (size, arms)) in per_block {
        if arms.len() == size as usize {
            complete += 1;
            let peers = arms.iter().filter(|a| *a == "peer").count();
            assert_eq!(peers * 3, arms.len() * 2, "block {block} holds the arms 2:1");
        }
    }
    assert!(complete >= 8, "60 allocations fill at least 8 blocks of 3 or 6");
}

/// A log of `n` allocations across three strata, as the app would append it.
fn log(scheme: &StudyAllocation, n: usize) -> Vec<LogEntry> {
    let strata = [
        "primary_substance=cocaine;gender=woman",
        "primary_substance=opioids;gender=man",
        "primary_substance=alcohol;gender=woman",
    ];
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    (0..n)
        .map(|i| {
            let stratum = strata[(i * 7 + i / 3) % 3];
            let count = counts.entry(stratum).or_default();
            let assignment = scheme.allocate(SEED, stratum, *count).expect("allocates");
            *count += 1;
            LogEntry {
                stratum: stratum.to_owned(),
                position: assignment.position,
                arm: assignment.arm,
            }
        })
        .collect()
}

#[test]
fn a_log_re_derives_from_its_seed() {
    let scheme = stratified();
    let entries = log(&scheme, 90);
    assert_eq!(rederive(SEED, &scheme, &entries), Ok(()));
    assert_eq!(rederive(SEED, &scheme, &[]), Ok(()));
    let other_seed = rederive([8; 32], &scheme, &entries).expect_err("another seed differs");
    assert!(other_seed.index < 10, "caught early: {other_seed:?}");
}

#[test]
fn a_tampered_log_is_caught_at_the_entry_that_was_changed() {
    let scheme = stratified();
    let entries = log(&scheme, 90);

    let mut flipped = entries.clone();
    let other = if flipped[41].arm == "peer" { "advice" } else { "peer" };
    let truth = flipped[41].arm.clone();
    flipped[41].arm = other.to_owned();
    let mismatch = rederive(SEED, &scheme, &flipped).expect_err("tampered");
    assert_eq!(mismatch.index, 41);
    assert_eq!(mismatch.expected_arm, Some(truth));
    assert!(mismatch.problem.contains(&format!("logs arm {other}")), "{}", mismatch.problem);

    // An entry removed: the next entry of the same stratum no longer follows.
    let mut removed = entries.clone();
    let gone = removed.remove(30);
    let next_same = removed[30..].iter().position(|e| e.stratum == gone.stratum).map(|i| i + 30);
    let mismatch = rederive(SEED, &scheme, &removed).expect_err("a gap");
    assert_eq!(Some(mismatch.index), next_same);
    assert!(mismatch.problem.contains("allocations came before it"), "{}", mismatch.problem);

    // An entry moved to another stratum.
    let mut moved = entries.clone();
    let stranger = moved.iter().position(|e| e.stratum != moved[5].stratum).unwrap_or_default();
    moved[5].stratum = moved[stranger].stratum.clone();
    assert!(
        rederive(SEED, &scheme, &moved).expect_err("moved").index >= 5,
        "nothing before it changed"
    );

    // An arm the study does not have.
    let mut invented = entries;
    invented[0].arm = "placebo".into();
    assert_eq!(rederive(SEED, &scheme, &invented).expect_err("invented").index, 0);
}
