//! Outcome events: recorded with field-level errors, listed newest first, refused outside the
//! caseload and to evaluators, and shown on the participant page.

use serde_json::json;
use time::Duration;

use crate::support::{PASSWORD, TestApp, enrol, on_both_backends};

on_both_backends!(a_coach_records_dated_events_and_others_cannot);

async fn a_coach_records_dated_events_and_others_cannot(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Ana", "Reyes").await;
    let path = format!("/api/v1/participants/{id}/outcome-events");
    let today = app.app.clock().today();

    let bad = coach
        .post(
            &path,
            json!({"kind": "promotion", "occurred_on": (today + Duration::days(1)).to_string()}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.json()["error"]["fields"]["kind"].as_str().is_some_and(|m| m.contains("arrest")));
    assert_eq!(bad.json()["error"]["fields"]["occurred_on"], "must not be in the future");

    let admitted = (today - Duration::days(30)).to_string();
    let first = coach
        .post(&path, json!({"kind": "treatment_admission", "occurred_on": admitted, "detail": "Harbor detox"}))
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.json()["recorded_by"], world.coach_id.to_string());
    let used = coach
        .post(&path, json!({"kind": "self_reported_use", "occurred_on": today.to_string(), "substance": "alcohol"}))
        .await;
    assert_eq!(used.status, 201, "{}", used.body);

    let listed = coach.get(&path).await.json();
    let kinds: Vec<&str> =
        listed.as_array().expect("events").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["self_reported_use", "treatment_admission"]);
    assert_eq!(listed[0]["substance"], "alcohol");

    let lone = app.api(world.org, world.lone_coach).await;
    assert_eq!(lone.get(&path).await.status, 403);
    let evaluator = app.api(world.org, world.evaluator).await;
    assert_eq!(
        evaluator.post(&path, json!({"kind": "arrest", "occurred_on": admitted})).await.status,
        403
    );
    assert_eq!(coach.get(&path).await.json().as_array().expect("events").len(), 2);

    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let page = browser.get(&format!("/participants/{id}")).await;
    assert!(page.body.contains("Treatment admission"));
    assert!(page.body.contains("Harbor detox"));
    browser.get(&format!("/participants/{id}/outcome-events/new")).await;
    let saved = browser
        .submit(
            &format!("/participants/{id}/outcome-events/new"),
            &[
                ("kind", "employment_change"),
                ("occurred_on", &today.to_string()),
                ("detail", "Started at the docks"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(coach.get(&path).await.json().as_array().expect("events").len(), 3);
}
