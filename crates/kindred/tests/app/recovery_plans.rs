//! Recovery plans: goals in the participant's words, steps ticked off, and every change of
//! status kept with who, when and why.

use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp, enrol, on_both_backends};

on_both_backends!(
    a_coach_builds_a_plan_and_every_status_change_is_kept,
    a_plan_is_refused_to_evaluators_and_to_coaches_of_other_caseloads,
    a_coach_keeps_the_plan_from_the_participant_page,
    reads_and_writes_of_plans_and_referrals_are_audited,
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

async fn a_coach_keeps_the_plan_from_the_participant_page(app: TestApp) {
    let world = app.world().await;
    let api = app.api(world.org, world.coach).await;
    let id = enrol(&api, "Ana", "Reyes").await;
    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let page = browser.get(&format!("/participants/{id}")).await;
    assert!(page.body.contains("Recovery plan") && page.body.contains("No goals yet"));

    // A goal without its words is refused with what was typed kept.
    let refused = browser
        .submit(
            &format!("/participants/{id}/goals"),
            &[("domain", "housing"), ("title", ""), ("target_on", "2027-01-31")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("is required") && refused.body.contains("value=\"2027-01-31\""));
    let added = browser
        .submit(
            &format!("/participants/{id}/goals"),
            &[("domain", "housing"), ("title", "Get my own place")],
        )
        .await;
    assert_eq!(added.status, 303);
    assert_eq!(
        added.header("location"),
        Some(format!("/participants/{id}?notice=goal-added#plan").as_str())
    );
    let goal = api.get(&format!("/api/v1/participants/{id}/goals")).await.json()[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    browser.get(&format!("/participants/{id}")).await;
    browser
        .submit(
            &format!("/participants/{id}/goals/{goal}/steps"),
            &[("description", "Call the housing office")],
        )
        .await;
    let step = api.get(&format!("/api/v1/participants/{id}/goals/{goal}")).await.json()["steps"][0]
        ["id"]
        .as_str()
        .expect("step")
        .to_owned();
    let page = browser.get(&format!("/participants/{id}")).await;
    assert!(
        page.body.contains("Call the housing office") && page.body.contains("0 of 1 steps done")
    );
    let ticked =
        browser.submit(&format!("/participants/{id}/goals/{goal}/steps/{step}/toggle"), &[]).await;
    assert_eq!(ticked.status, 303);
    browser
        .submit(
            &format!("/participants/{id}/goals/{goal}/status"),
            &[("status", "in_progress"), ("note", "Viewing on Monday")],
        )
        .await;
    let page = browser.get(&format!("/participants/{id}")).await;
    assert!(page.body.contains("1 of 1 steps done"), "{}", page.body);
    assert!(page.body.contains(&format!("Done {}", app.app.clock().today())));
    assert!(page.body.contains("In progress") && page.body.contains("Viewing on Monday"));

    // The evaluator's page of the same participant has no plan at all.
    let mut evaluator = app.browser();
    evaluator.sign_in(world.org, world.evaluator, PASSWORD).await;
    let research = evaluator.get(&format!("/participants/{id}")).await;
    assert_eq!(research.status, 200);
    assert!(
        !research.body.contains("Recovery plan") && !research.body.contains("Get my own place")
    );
    assert_eq!(evaluator.get(&format!("/participants/{id}/goals")).await.status, 403);
}

/// The audit events about one record, oldest first, as (action, actor).
async fn history(app: &TestApp, org: &str, admin: &str, record: &str) -> Vec<(String, String)> {
    let api = app.api(org, admin).await;
    let events = api.get(&format!("/api/v1/audit-events?record_id={record}")).await.json();
    let mut rows: Vec<(String, String)> = events
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default().to_owned(),
                e["record_type"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    rows.reverse();
    rows
}

async fn reads_and_writes_of_plans_and_referrals_are_audited(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let resource = manager
        .post(
            "/api/v1/resources",
            json!({"organisation_name": "Harbor Medical Clinic", "service_name": "Primary care"}),
        )
        .await
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Ana", "Reyes").await;
    let goal = coach
        .post(
            &format!("/api/v1/participants/{id}/goals"),
            json!({"domain": "health", "title": "Find a GP"}),
        )
        .await
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    coach
        .post(
            &format!("/api/v1/participants/{id}/goals/{goal}/steps"),
            json!({"description": "Register"}),
        )
        .await;
    coach
        .patch(
            &format!("/api/v1/participants/{id}/goals/{goal}"),
            json!({"status": "in_progress"}),
            None,
        )
        .await;
    coach.get(&format!("/api/v1/participants/{id}/goals/{goal}")).await;
    coach.get(&format!("/api/v1/participants/{id}/goals")).await;
    let referral = coach
        .post(&format!("/api/v1/participants/{id}/referrals"), json!({"resource_id": resource}))
        .await
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    coach
        .post(
            &format!("/api/v1/participants/{id}/referrals/{referral}/status"),
            json!({"status": "accepted"}),
        )
        .await;
    coach.get(&format!("/api/v1/participants/{id}/referrals/{referral}")).await;
    coach.get(&format!("/api/v1/participants/{id}/referrals")).await;
    coach.get("/api/v1/referrals/open").await;

    let event = |action: &str, kind: &str| (action.to_owned(), kind.to_owned());
    assert_eq!(
        history(&app, world.org, world.admin, &goal).await,
        vec![
            event("create", "recovery_goal"),
            event("update", "recovery_goal"),
            event("update", "recovery_goal"),
            event("read", "recovery_goal"),
        ]
    );
    assert_eq!(
        history(&app, world.org, world.admin, &referral).await,
        vec![event("create", "referral"), event("update", "referral"), event("read", "referral")]
    );
    let about_participant = history(&app, world.org, world.admin, &id).await;
    assert!(about_participant.contains(&event("read", "recovery_goal")), "{about_participant:?}");
    assert!(about_participant.contains(&event("read", "referral")), "{about_participant:?}");
    let admin = app.api(world.org, world.admin).await;
    let updates =
        admin.get("/api/v1/audit-events?record_type=recovery_goal&action=update").await.json();
    assert_eq!(updates[0]["detail"], "P-0001: changed status (Not started → In progress)");
    assert_eq!(updates[0]["actor"], world.coach);
    let lists = admin.get("/api/v1/audit-events?record_type=referral&action=list").await.json();
    assert_eq!(lists[0]["detail"], "open referrals: P-0001");
    // Evaluators' refused reads leave no data behind and are not counted as reads.
    let evaluator = app.api(world.org, world.evaluator).await;
    assert_eq!(evaluator.get(&format!("/api/v1/participants/{id}/goals")).await.status, 403);
    let reads =
        admin.get("/api/v1/audit-events?record_type=recovery_goal&action=read").await.json();
    assert!(reads.as_array().expect("events").iter().all(|e| e["actor"] == world.coach));
}
