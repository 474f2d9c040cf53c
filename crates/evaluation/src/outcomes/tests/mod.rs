//! Each outcome kind on hand-made records: every missing case, and the window, withdrawal and
//! censoring edges. Records enrol on 5 January 2026 with the default schedule (intake 0–14,
//! 3 months 60–120, 6 months 150–240, 12 months 335–425 days).

mod assessed;
mod events;

use std::collections::BTreeMap;

use kindred_domain::schedule::default_schedule;
use kindred_domain::study::{StudyCatalogue, StudyDefinition, StudyInput};
use kindred_domain::vocabulary::{OutcomeEventKind, ParticipantStatus};
use serde_json::{Value, json};
use time::{Date, Duration, macros::date};

use super::*;
use crate::record::{AssessmentRecord, EventRecord, ParticipantRecord};

pub(super) const ENROLLED: Date = date!(2026 - 01 - 05);

pub(super) fn day(n: i64) -> Date {
    ENROLLED + Duration::days(n)
}

/// A pre-post study with these outcomes, followed up `follow_up_days`.
pub(super) fn study(outcomes: Value, follow_up_days: u32) -> StudyDefinition {
    let codes: Vec<Value> = outcomes
        .as_array()
        .map(|o| o.iter().map(|o| o["code"].clone()).collect())
        .unwrap_or_default();
    let input: StudyInput = serde_json::from_value(json!({
        "title": "Derivation", "question": "What do the records say?", "design": "pre_post",
        "program_ids": ["01890000-0000-7000-8000-000000000001"],
        "arms": [{"code": "all", "name": "Everyone", "receives": "The program"}],
        "enrolment_from": "2026-01-01", "enrolment_to": "2026-12-31",
        "follow_up_days": follow_up_days,
        "outcomes": outcomes,
        "plan": {"primary": codes[0], "secondary": codes[1..]}
    }))
    .expect("input");
    StudyDefinition::parse(&input, &StudyCatalogue::library())
        .unwrap_or_else(|errors| panic!("{errors}"))
}

/// An active participant with the default schedule and nothing recorded, the study running
/// well past every window.
pub(super) fn record() -> ParticipantRecord {
    ParticipantRecord {
        enrolled_on: ENROLLED,
        status: ParticipantStatus::Active,
        left_on: None,
        baseline: BTreeMap::new(),
        schedule: default_schedule(None).points.into_iter().map(|p| p.time_point).collect(),
        assessments: Vec::new(),
        events: Vec::new(),
        last_follow_up_on: None,
        study_end: date!(2028 - 12 - 31),
    }
}

/// A completed assessment with a total (and no subscores, band or answers unless added).
pub(super) fn assessment(
    instrument: &str,
    time_point: &str,
    on_day: i64,
    total: Option<f64>,
) -> AssessmentRecord {
    AssessmentRecord {
        instrument: instrument.into(),
        time_point: Some(time_point.into()),
        administered_on: day(on_day),
        total,
        subscores: BTreeMap::from([("total".to_owned(), total)]),
        band: None,
        answers: BTreeMap::new(),
    }
}

pub(super) fn event(kind: OutcomeEventKind, on_day: i64) -> EventRecord {
    EventRecord::new(kind, day(on_day))
}

/// The one outcome of `study`, derived.
pub(super) fn derived(study: &StudyDefinition, record: &ParticipantRecord) -> Observation {
    derive(&study.outcomes[0], record, study)
}

/// The reason of a missing observation (panics otherwise).
pub(super) fn reason(observation: Observation) -> String {
    match observation {
        Observation::Missing { reason } => reason,
        other => panic!("expected missing, got {other:?}"),
    }
}

#[test]
fn derive_all_gives_every_outcome_in_order_and_never_panics_on_an_empty_record() {
    let study = study(
        json!([
            {"code": "a", "name": "A", "kind": "score_at_time_point", "time_point": "6m", "instrument": "barc-10"},
            {"code": "b", "name": "B", "kind": "time_to_event", "event": {"kind": "arrest"}},
            {"code": "c", "name": "C", "kind": "event_rate", "event": {"kind": "arrest"}}
        ]),
        365,
    );
    let all = derive_all(&record(), &study);
    let codes: Vec<&str> = all.iter().map(|(c, _)| *c).collect();
    assert_eq!(codes, ["a", "b", "c"]);
    assert!(all[0].1.is_missing());
    assert_eq!(all[1].1, Observation::TimeToEvent { days: 0.0, event: false });
    assert_eq!(all[2].1, Observation::Count { events: 0.0, exposure_days: 366.0 });
}
