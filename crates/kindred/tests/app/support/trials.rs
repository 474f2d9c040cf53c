//! A two-arm randomised trial to enrol people into, as several stories need one: usual care
//! against peer support, blocks of two, treatment admission within 30 days as the primary
//! outcome.

use serde_json::{Value, json};
use time::Date;

use super::Api;

/// What differs between the stories' trials.
pub struct Trial<'a> {
    pub program: &'a str,
    /// The eligibility rules, as the API takes them.
    pub eligibility: Value,
    /// The enrolment period, both days included.
    pub enrolment: (Date, Date),
}

/// Creates and opens the trial as `evaluator`; returns its id.
pub async fn open_trial(evaluator: &Api, trial: Trial<'_>) -> String {
    let created = evaluator
        .post(
            "/api/v1/studies",
            json!({
                "title": "Peer support after a walk-in visit",
                "question": "Does a peer coach raise treatment entry?",
                "design": "randomised",
                "program_ids": [trial.program],
                "arms": [
                    {"code": "usual", "name": "Usual care", "role": "comparison", "ratio": 1,
                     "receives": "a referral list only"},
                    {"code": "peer", "name": "Peer support", "role": "intervention", "ratio": 1,
                     "receives": "a peer recovery coach"},
                ],
                "eligibility": trial.eligibility,
                "enrolment_from": trial.enrolment.0.to_string(),
                "enrolment_to": trial.enrolment.1.to_string(),
                "follow_up_days": 365,
                "randomisation": {"block_sizes": [2]},
                "outcomes": [{"code": "admitted", "name": "Treatment admission within 30 days",
                              "kind": "event_within", "event": {"kind": "treatment_admission"}, "days": 30}],
                "plan": {"primary": "admitted"},
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let study = created.json();
    let id = study["id"].as_str().expect("an id").to_owned();
    let opened = evaluator
        .post(&format!("/api/v1/studies/{id}/open"), json!({"version": study["version"]}))
        .await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    id
}
