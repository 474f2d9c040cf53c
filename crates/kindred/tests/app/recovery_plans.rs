//! Recovery plans: goals in the participant's words, steps ticked off, and every change of
//! status kept with who, when and why.

use serde_json::{Value, json};

use crate::support::{TestApp, enrol, on_both_backends};

on_both_backends!(
    a_coach_builds_a_plan_and_every_status_change_is_kept,
    a_plan_is_refused_to_evaluators_and_to_coaches_of_other_caseloads,
);

fn statuses(goal: &Value) -> Vec<String> {
    goal["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|h| h["status"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn a_coach_builds_a_plan_and_every_status_change_is_kept(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Ana", "Reyes").await;
    let goals = format!("/api/v1/participants/{id}/goals");

    let missing = coach.post(&goals, json!({"title": "  "})).await;
    assert_eq!(missing.status, 422);
    assert!(missing.json()["error"]["fields"]["domain"].is_string());
    assert_eq!(missing.json()["error"]["fields"]["title"], "is required");

    let created = coach
        .post(
            &goals,
            json!({"domain": "housing", "title": "Get my own place", "target_on": "2027-06-30"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let goal = created.json();
    let goal_id = goal["id"].as_str().expect("id").to_owned();
    assert_eq!(created.header("location"), Some(format!("{goals}/{goal_id}").as_str()));
    assert_eq!(goal["status"], "not_started");
    assert_eq!(goal["history"][0]["changed_by"], world.coach_id.to_string());
    coach.post(&goals, json!({"domain": "employment", "title": "Back to work at the docks"})).await;

    // Steps: added, ticked (not in the future), unticked.
    let steps = format!("{goals}/{goal_id}/steps");
    let with_step = coach
        .post(&steps, json!({"description": "Call the housing office", "target_on": "2026-12-01"}))
        .await;
    assert_eq!(with_step.status, 201, "{}", with_step.body);
    let step_id = with_step.json()["steps"][0]["id"].as_str().expect("step").to_owned();
    let today = app.app.clock().today();
    let tomorrow = (today + time::Duration::days(1)).to_string();
    let future =
        coach.patch(&format!("{steps}/{step_id}"), json!({"done_on": tomorrow}), None).await;
    assert_eq!(future.status, 422);
    assert_eq!(future.json()["error"]["fields"]["done_on"], "must not be in the future");
    let ticked = coach
        .patch(&format!("{steps}/{step_id}"), json!({"done_on": today.to_string()}), None)
        .await;
    assert_eq!(ticked.json()["steps"][0]["done_on"], today.to_string());
    assert_eq!(ticked.json()["steps"][0]["description"], "Call the housing office");

    // Status changes, each with its note; a note alone is refused.
    let goal_path = format!("{goals}/{goal_id}");
    let stray = coach.patch(&goal_path, json!({"note": "just a note"}), None).await;
    assert_eq!(stray.status, 422);
    let bogus = coach.patch(&goal_path, json!({"status": "done"}), None).await;
    assert!(
        bogus.json()["error"]["fields"]["status"].as_str().is_some_and(|m| m.contains("achieved"))
    );
    coach
        .patch(&goal_path, json!({"status": "in_progress", "note": "Applied for two flats"}), None)
        .await;
    // The supervisor of the coach may change the plan too.
    let supervisor = app.api(world.org, world.supervisor).await;
    let achieved = supervisor
        .patch(&goal_path, json!({"status": "achieved", "note": "Keys on Friday"}), None)
        .await;
    assert_eq!(achieved.status, 200, "{}", achieved.body);

    let goal = coach.get(&goal_path).await.json();
    assert_eq!(statuses(&goal), ["not_started", "in_progress", "achieved"]);
    assert_eq!(goal["history"][1]["note"], "Applied for two flats");
    assert_eq!(goal["history"][1]["changed_by"], world.coach_id.to_string());
    assert_eq!(goal["history"][2]["changed_by"], world.supervisor_id.to_string());
    assert_eq!(goal["history"][2]["changed_by_name"], "supervisor");
    assert_eq!(goal["status"], "achieved");

    // The same status again is no change and adds no history.
    coach.patch(&goal_path, json!({"status": "achieved"}), None).await;
    assert_eq!(statuses(&coach.get(&goal_path).await.json()).len(), 3);

    let plan = coach.get(&goals).await.json();
    let titles: Vec<&str> =
        plan.as_array().expect("goals").iter().filter_map(|g| g["title"].as_str()).collect();
    assert_eq!(titles, ["Get my own place", "Back to work at the docks"]);
}

async fn a_plan_is_refused_to_evaluators_and_to_coaches_of_other_caseloads(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Ana", "Reyes").await;
    let goals = format!("/api/v1/participants/{id}/goals");
    let goal = coach.post(&goals, json!({"domain": "health", "title": "Find a GP"})).await.json();
    let goal_path = format!("{goals}/{}", goal["id"].as_str().expect("id"));

    let evaluator = app.api(world.org, world.evaluator).await;
    for path in [&goals, &goal_path] {
        let reply = evaluator.get(path).await;
        assert_eq!(reply.status, 403, "{path}");
        assert!(
            reply.json()["error"]["message"].as_str().is_some_and(|m| m.contains("evaluators"))
        );
        assert!(!reply.body.contains("Find a GP"));
    }
    assert_eq!(evaluator.post(&goals, json!({"domain": "health", "title": "x"})).await.status, 403);

    let lone = app.api(world.org, world.lone_coach).await;
    assert_eq!(lone.get(&goals).await.status, 403);
    assert_eq!(lone.patch(&goal_path, json!({"status": "set_aside"}), None).await.status, 403);

    let plan = coach.get(&goals).await.json();
    assert_eq!(plan.as_array().map(Vec::len), Some(1));
    assert_eq!(plan[0]["status"], "not_started", "nothing changed");
}
