//! Assessments: a coach administers an instrument, saves part-way, completes it; the server
//! validates every answer, scores it, and keeps the change since the last time. A PHQ-9
//! item-9 answer above 0 opens an urgent task for the supervisor.

use serde_json::{Value, json};

use crate::support::{TestApp, enrol, on_both_backends};

on_both_backends!(
    a_coach_saves_part_way_then_completes_and_sees_the_change_since_last,
    invalid_answers_are_refused_item_by_item_and_nothing_is_saved,
    a_skip_rule_refuses_answers_to_questions_not_asked,
    completing_needs_enough_answers_and_a_completed_assessment_no_longer_changes,
    phq9_item9_opens_an_urgent_task_for_the_supervisor_once,
    without_a_supervisor_the_urgent_task_goes_to_a_manager,
    assessments_are_refused_to_evaluators_and_other_coaches,
    reads_and_writes_of_assessments_are_audited,
);

/// PHQ-9 answers: items 1–8 as given, item 9 separately.
fn phq9(first_eight: [i64; 8], item9: i64) -> Value {
    let mut answers = serde_json::Map::new();
    for (i, value) in first_eight.iter().enumerate() {
        answers.insert(format!("phq9_{}", i + 1), json!(value));
    }
    answers.insert("phq9_9".into(), json!(item9));
    Value::Object(answers)
}

async fn a_coach_saves_part_way_then_completes_and_sees_the_change_since_last(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Ana", "Reyes").await;
    let list = format!("/api/v1/participants/{id}/assessments");

    // First administration: completed at once. 2+2+2+2+2+1+1+0 = 12 → moderate.
    let first = coach
        .post(
            &list,
            json!({"instrument": "phq-9", "complete": true, "administered_on": "2026-01-05",
                   "answers": phq9([2, 2, 2, 2, 2, 1, 1, 0], 0)}),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    let first = first.json();
    assert_eq!(first["status"], "completed");
    assert_eq!(first["score"], 12.0);
    assert_eq!(first["band"]["code"], "moderate");
    assert!(first["change"].is_null(), "nothing to compare the first one with");

    // Second: started with three answers (strings, as a form sends them), saved part-way.
    let started = coach
        .post(
            &list,
            json!({"instrument": "phq-9",
                   "answers": {"phq9_1": "1", "phq9_2": 1, "phq9_3": 0}}),
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let started = started.json();
    let second_id = started["id"].as_str().expect("in the reply").to_owned();
    assert_eq!(started["status"], "in_progress");
    assert_eq!(started["result"]["completeness"], "partial");
    assert_eq!(started["version"], 1);
    let path = format!("/api/v1/assessments/{second_id}");

    // The rest arrives later; earlier answers are kept (merge), then it is completed.
    let rest =
        json!({"phq9_4": 1, "phq9_5": 0, "phq9_6": 0, "phq9_7": 1, "phq9_8": 0, "phq9_9": 0});
    let done =
        coach.patch(&path, json!({"answers": rest, "complete": true, "version": 1}), None).await;
    assert_eq!(done.status, 200, "{}", done.body);
    let done = done.json();
    assert_eq!(done["status"], "completed");
    assert_eq!(done["answers"]["phq9_1"], 1);
    assert_eq!(done["score"], 4.0);
    assert_eq!(done["band"]["code"], "minimal");
    assert_eq!(done["previous_assessment_id"], first["id"]);
    let total = &done["change"]["scales"][0];
    assert_eq!(total["previous"], 12.0);
    assert_eq!(total["difference"], -8.0);
    assert_eq!(total["trend"], "improved");
    assert_eq!(total["band_moved"], true);

    // The list has both, oldest first; a read gives the same scores.
    let listed = coach.get(&list).await.json();
    assert_eq!(listed.as_array().expect("in the reply").len(), 2);
    assert_eq!(listed[0]["id"], first["id"]);
    let read = coach.get(&path).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["score"], 4.0);
    assert_eq!(read.json()["change"]["scales"][0]["difference"], -8.0);
}

async fn invalid_answers_are_refused_item_by_item_and_nothing_is_saved(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Ben", "Okafor").await;
    let list = format!("/api/v1/participants/{id}/assessments");

    let refused = coach
        .post(
            &list,
            json!({"instrument": "phq-9", "administered_on": "2999-01-01",
                   "answers": {"phq9_1": 4, "phq9_2": "often", "phq9_3": 1, "nonsense": 1}}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let fields = &refused.json()["error"]["fields"];
    assert!(
        fields["phq9_1"].as_str().expect("in the reply").contains("must be one of"),
        "{fields}"
    );
    assert!(fields["phq9_2"].as_str().expect("in the reply").contains("whole number"));
    assert!(fields["nonsense"].is_string());
    assert_eq!(fields["administered_on"], "must not be in the future");
    assert!(fields["phq9_3"].is_null(), "a valid answer is not an error");
    assert_eq!(coach.get(&list).await.json(), json!([]), "nothing saved");

    let unknown = coach.post(&list, json!({"instrument": "phq-10"})).await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.json()["error"]["fields"]["instrument"].is_string());
    let none = coach.post(&list, json!({"answers": {}})).await;
    assert_eq!(none.status, 422);

    // A refused save of an assessment in progress leaves it as it was.
    let started =
        coach.post(&list, json!({"instrument": "gad-7", "answers": {"gad7_1": 2}})).await.json();
    let path = format!("/api/v1/assessments/{}", started["id"].as_str().expect("in the reply"));
    let bad = coach.patch(&path, json!({"answers": {"gad7_1": 1, "gad7_2": 9}}), None).await;
    assert_eq!(bad.status, 422);
    assert!(bad.json()["error"]["fields"]["gad7_2"].is_string());
    let after = coach.get(&path).await.json();
    assert_eq!(after["answers"], json!({"gad7_1": 2}));
    assert_eq!(after["version"], 1);
}

async fn a_skip_rule_refuses_answers_to_questions_not_asked(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Cai", "Lin").await;
    let list = format!("/api/v1/participants/{id}/assessments");
    // AUDIT-C: someone who never drinks is not asked how much.
    let refused = coach
        .post(&list, json!({"instrument": "audit-c", "answers": {"audit_c_1": 0, "audit_c_2": 2}}))
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.json()["error"]["fields"]["audit_c_2"]
            .as_str()
            .expect("in the reply")
            .contains("is not asked")
    );
    let never = coach
        .post(
            &list,
            json!({"instrument": "audit-c", "answers": {"audit_c_1": 0}, "complete": true}),
        )
        .await;
    assert_eq!(never.status, 201, "{}", never.body);
    assert_eq!(never.json()["score"], 0.0);
    assert_eq!(never.json()["band"]["code"], "negative");
}

async fn completing_needs_enough_answers_and_a_completed_assessment_no_longer_changes(
    app: TestApp,
) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Dee", "Walsh").await;
    let list = format!("/api/v1/participants/{id}/assessments");
    let half = coach
        .post(
            &list,
            json!({"instrument": "phq-9", "complete": true,
                   "answers": {"phq9_1": 1, "phq9_2": 1, "phq9_3": 1}}),
        )
        .await;
    assert_eq!(half.status, 422, "{}", half.body);
    let fields = &half.json()["error"]["fields"];
    assert!(fields["phq9_9"].as_str().expect("in the reply").contains("needs an answer"));
    assert_eq!(coach.get(&list).await.json(), json!([]));

    // PHQ-9 allows two missing items, prorated: 7 answered of 9, sum 7 → 9.
    let prorated = coach
        .post(
            &list,
            json!({"instrument": "phq-9", "complete": true,
                   "answers": {"phq9_1": 1, "phq9_2": 1, "phq9_3": 1, "phq9_4": 1, "phq9_5": 1,
                               "phq9_6": 1, "phq9_9": 1}}),
        )
        .await;
    assert_eq!(prorated.status, 201, "{}", prorated.body);
    assert_eq!(prorated.json()["score"], 9.0);
    assert_eq!(prorated.json()["scales"][0]["status"], "prorated");
    let path =
        format!("/api/v1/assessments/{}", prorated.json()["id"].as_str().expect("in the reply"));
    let again = coach.patch(&path, json!({"answers": {"phq9_7": 0}}), None).await;
    assert_eq!(again.status, 409, "{}", again.body);
}

async fn urgent_tasks(api: &crate::support::Api, participant: &str) -> Vec<Value> {
    let tasks = api.get(&format!("/api/v1/participants/{participant}/tasks")).await.json();
    tasks
        .as_array()
        .expect("in the reply")
        .iter()
        .filter(|t| t["kind"] == "urgent")
        .cloned()
        .collect()
}

async fn phq9_item9_opens_an_urgent_task_for_the_supervisor_once(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Eli", "Novak").await;
    let list = format!("/api/v1/participants/{id}/assessments");
    let today = app.app.clock().today().to_string();

    // Item 9 answered 0: no task.
    coach.post(&list, json!({"instrument": "phq-9", "answers": {"phq9_9": 0}})).await;
    assert!(urgent_tasks(&coach, &id).await.is_empty());

    // Item 9 above 0 on a partial save: the flag shows and the supervisor has a task today.
    let flagged =
        coach.post(&list, json!({"instrument": "phq-9", "answers": {"phq9_9": 1}})).await.json();
    assert_eq!(flagged["flags"][0]["code"], "phq9_item9_positive");
    assert_eq!(flagged["flags"][0]["severity"], "urgent");
    let tasks = urgent_tasks(&coach, &id).await;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(tasks[0]["assignee_id"], world.supervisor_id.to_string());
    assert_eq!(tasks[0]["due_on"], today);
    assert_eq!(tasks[0]["status"], "open");

    // Completing the same assessment (the flag still raised) does not open another.
    let path = format!("/api/v1/assessments/{}", flagged["id"].as_str().expect("in the reply"));
    let done = coach
        .patch(&path, json!({"answers": phq9([1, 1, 1, 1, 0, 0, 0, 0], 1), "complete": true}), None)
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.json()["flags"][0]["code"], "phq9_item9_positive");
    assert_eq!(urgent_tasks(&coach, &id).await.len(), 1);

    // GAD-7 has no such flag.
    let gad = coach.post(&list, json!({"instrument": "gad-7", "answers": {"gad7_1": 3}})).await;
    assert_eq!(gad.json()["flags"], json!([]));
    assert_eq!(urgent_tasks(&coach, &id).await.len(), 1);
}

async fn without_a_supervisor_the_urgent_task_goes_to_a_manager(app: TestApp) {
    let world = app.world().await;
    let lone = app.api(world.org, world.lone_coach).await;
    let manager = app.api(world.org, world.manager).await;
    let manager_id = manager.get("/api/v1/me").await.json()["id"].clone();
    let id = enrol(&lone, "Fay", "Osei").await;
    let reply = lone
        .post(
            &format!("/api/v1/participants/{id}/assessments"),
            json!({"instrument": "phq-9", "answers": {"phq9_9": 3}}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let tasks = urgent_tasks(&lone, &id).await;
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0]["assignee_id"], manager_id);
}

async fn assessments_are_refused_to_evaluators_and_other_coaches(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Gus", "Ahmed").await;
    let list = format!("/api/v1/participants/{id}/assessments");
    let created = coach.post(&list, json!({"instrument": "who-5"})).await.json();
    let path = format!("/api/v1/assessments/{}", created["id"].as_str().expect("in the reply"));

    for who in [world.lone_coach, world.evaluator] {
        let api = app.api(world.org, who).await;
        assert_eq!(api.get(&list).await.status, 403, "{who} lists");
        assert_eq!(api.get(&path).await.status, 403, "{who} reads");
        let post = api.post(&list, json!({"instrument": "who-5"})).await;
        assert_eq!(post.status, 403, "{who} administers");
        assert_eq!(api.patch(&path, json!({"answers": {}}), None).await.status, 403);
    }
    // The coach's supervisor and a manager may.
    for who in [world.supervisor, world.manager] {
        let api = app.api(world.org, who).await;
        assert_eq!(api.get(&path).await.status, 200, "{who} reads");
    }
    assert_eq!(coach.get(&list).await.json().as_array().expect("in the reply").len(), 1);
}

async fn reads_and_writes_of_assessments_are_audited(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Hal", "Berg").await;
    let created = coach
        .post(
            &format!("/api/v1/participants/{id}/assessments"),
            json!({"instrument": "phq-9", "complete": true,
                   "answers": phq9([0, 0, 0, 0, 0, 0, 0, 0], 0)}),
        )
        .await
        .json();
    let assessment = created["id"].as_str().expect("in the reply").to_owned();
    coach.get(&format!("/api/v1/assessments/{assessment}")).await;
    let admin = app.api(world.org, world.admin).await;
    let events = admin.get("/api/v1/audit-events?record_type=assessment").await;
    assert_eq!(events.status, 200, "{}", events.body);
    let events = events.json();
    let of_it: Vec<&Value> = events
        .as_array()
        .expect("in the reply")
        .iter()
        .filter(|e| e["record_id"] == assessment.as_str())
        .collect();
    let actions: Vec<&str> =
        of_it.iter().map(|e| e["action"].as_str().expect("in the reply")).collect();
    assert!(actions.contains(&"create") && actions.contains(&"read"), "{actions:?}");
    assert!(of_it.iter().any(|e| e["detail"].as_str().expect("in the reply").contains("score 0")));
}
