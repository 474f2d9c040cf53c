//! The locked plan's hash: stable under re-ordering, sensitive to every locked element, and
//! amendments chained to it.

use time::macros::datetime;

use super::*;
use crate::ids::UserId;

fn hash(value: Value) -> PlanHash {
    study(value).plan_hash()
}

#[test]
fn the_hash_is_hex_sha256_of_the_canonical_plan_and_does_not_drift() {
    let study = study(randomised_json());
    let canonical = study.canonical_plan();
    assert!(!canonical.contains(": ") && !canonical.contains(", "), "no whitespace");
    assert!(!canonical.contains("No use at 6 months"), "outcome names are not locked");
    assert!(canonical.starts_with("{\"alpha\":0.05,\"arms\":[{\"code\":\"peer\""), "{canonical}");
    assert!(canonical.contains("\"version\":1"));
    let hash = study.plan_hash();
    assert_eq!(hash.as_str().len(), 64);
    assert_eq!(PlanHash::parse(hash.as_str()), Some(hash.clone()));
    assert_eq!(PlanHash::parse("ABC"), None);
    // Pinned: if this changes, every locked plan's hash has changed. The canonical form is
    // frozen; change it only with a new version.
    assert_eq!(hash.as_str(), PINNED, "canonical plan: {canonical}");
}

/// Recomputed independently: `hashlib.sha256(canonical.encode()).hexdigest()` in Python.
const PINNED: &str = "737c09d8805c5bd0d2ca361825d5c41e46cb6752204a7efab7b6b7277651f381";

#[test]
fn re_ordering_keys_and_unordered_lists_does_not_change_the_hash() {
    let original = hash(randomised_json());
    // The same study written with every object's keys in reverse order.
    fn reverse(value: &Value) -> String {
        match value {
            Value::Object(map) => {
                let members: Vec<String> = map
                    .iter()
                    .rev()
                    .map(|(k, v)| format!("{}: {}", serde_json::to_string(k).unwrap(), reverse(v)))
                    .collect();
                format!("{{ {} }}", members.join(", "))
            }
            Value::Array(items) => {
                format!("[{}]", items.iter().map(reverse).collect::<Vec<_>>().join(", "))
            }
            other => other.to_string(),
        }
    }
    let text = reverse(&randomised_json());
    assert!(text.starts_with("{ \"title\""), "keys really are reversed: {text}");
    let reparsed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(hash(reparsed), original);

    let reordered =
        with(randomised_json(), "/plan/secondary", json!(["admission_30d", "barc_change"]));
    let reordered = with(reordered, "/subgroups", json!(["primary_substance", "gender"]));
    let reordered =
        with(reordered, "/covariates", json!([{"instrument": "barc-10"}, {"field": "age_band"}]));
    let reordered = with(
        reordered,
        "/eligibility/1/event/hospitalisation_kinds",
        json!(["detox", "psychiatric"]),
    );
    let mut reordered = reordered;
    reordered["eligibility"].as_array_mut().unwrap().reverse();
    assert_eq!(hash(reordered), original);
}

#[test]
fn wording_is_not_locked() {
    let original = hash(randomised_json());
    let reworded = with(randomised_json(), "/title", json!("A new title"));
    let reworded = with(reworded, "/arms/0/name", json!("Peers"));
    let reworded = with(reworded, "/outcomes/0/name", json!("Abstinent"));
    let reworded = with(reworded, "/question", json!("Another question?"));
    assert_eq!(hash(reworded), original);
    // An outcome the plan does not name is not locked either.
    let unnamed =
        with(randomised_json(), "/outcomes/3/event/hospitalisation_kinds", json!(["medical"]));
    assert_eq!(hash(unnamed), original);
}

#[test]
fn changing_any_locked_element_changes_the_hash() {
    let original = hash(randomised_json());
    let changes: Vec<(&str, Value)> = vec![
        ("/plan/alpha", json!("0.01")),
        ("/plan/primary", json!("rehospitalisation")),
        ("/plan/secondary", json!(["barc_change"])),
        ("/plan/blinded_assessor", json!(false)),
        ("/plan/subgroups", json!(["gender"])),
        ("/plan/covariates", json!([{"field": "age_band"}])),
        ("/outcomes/0/rule/cut_off", json!(1)),
        ("/outcomes/0/rule/comparator", json!("below")),
        ("/outcomes/0/time_point", json!("3m")),
        ("/outcomes/1/scale", json!("total")),
        ("/outcomes/2/days", json!(31)),
        ("/arms/0/ratio", json!(2)),
        ("/arms/0/code", json!("peers")),
        ("/arms/0/role", json!("comparison")),
        ("/follow_up_days", json!(181)),
        ("/enrolment_to", json!("2026-12-30")),
        ("/baseline_time_point", json!("3m")),
        ("/randomisation/block_sizes", json!([6, 4])),
        ("/randomisation/stratify_by", json!([])),
        ("/eligibility/0/any_of", json!(["walk_in_clinic", "emergency_department"])),
        ("/eligibility/1/present", json!(true)),
    ];
    let mut seen = std::collections::HashSet::from([original.clone()]);
    for (path, value) in changes {
        let mut changed = with(randomised_json(), path, value);
        if path == "/arms/0/role" {
            changed["arms"][1]["role"] = json!("intervention");
        }
        if path == "/arms/0/ratio" {
            changed["randomisation"]["block_sizes"] = json!([3, 6]);
        }
        let changed = hash(changed);
        assert!(seen.insert(changed), "changing {path} changed nothing (or matched another)");
    }
}

fn amend(head: &PlanState, reason: &str, alpha: &str, at: time::OffsetDateTime) -> Amendment {
    let amended = study(with(randomised_json(), "/plan/alpha", json!(alpha)));
    Amendment::new(Some(reason), head, &amended, UserId::from(uuid::Uuid::nil()), at)
        .expect("an amendment")
}

#[test]
fn amendments_chain_to_the_locked_plan_and_a_tampered_link_is_found() {
    let locked = study(randomised_json());
    let head = PlanState::locked(&locked);
    let first = amend(
        &head,
        "Two primary comparisons: Bonferroni",
        "0.025",
        datetime!(2026-03-01 10:00:00.123456 UTC),
    );
    assert_eq!(first.previous, locked.plan_hash());
    assert_ne!(first.hash, first.plan_hash);
    let second = amend(
        &PlanState::after(&first),
        "Back to one comparison",
        "0.05",
        datetime!(2026-04-01 09:00 UTC),
    );
    assert_eq!(second.plan_hash, locked.plan_hash(), "the same plan again is a new link");
    assert_ne!(second.hash, head.link);
    let chain = vec![first.clone(), second.clone()];
    let state = verify_chain(&locked.plan_hash(), &chain).expect("verifies");
    assert_eq!(state.plan, locked.plan_hash());

    // A timestamp stored with microseconds cut off still verifies (whole seconds are hashed).
    let mut truncated = chain.clone();
    truncated[0].amended_at = datetime!(2026-03-01 10:00:00 UTC);
    assert!(verify_chain(&locked.plan_hash(), &truncated).is_ok());

    let mut reworded = chain.clone();
    reworded[0].reason = "No reason".into();
    assert_eq!(verify_chain(&locked.plan_hash(), &reworded).unwrap_err().index, 0);
    let dropped = vec![second.clone()];
    let broken = verify_chain(&locked.plan_hash(), &dropped).unwrap_err();
    assert_eq!((broken.index, broken.problem), (0, "does not follow the link before it"));
    let mut redated = chain;
    redated[1].amended_at = datetime!(2026-04-02 09:00 UTC);
    assert_eq!(verify_chain(&locked.plan_hash(), &redated).unwrap_err().index, 1);
}

#[test]
fn an_amendment_needs_a_reason_and_a_change() {
    let locked = study(randomised_json());
    let head = PlanState::locked(&locked);
    let by = UserId::from(uuid::Uuid::nil());
    let at = datetime!(2026-03-01 10:00 UTC);
    let errors = Amendment::new(Some("  "), &head, &locked, by, at).unwrap_err();
    assert_eq!(errors.get("reason"), Some("is required"));
    assert!(errors.get("plan").is_some_and(|m| m.contains("changes nothing")));
    let reworded = study(with(randomised_json(), "/title", json!("New title")));
    assert!(Amendment::new(Some("Title"), &head, &reworded, by, at).is_err(), "wording is free");
}
