//! Supervision sessions and boundary concerns, and who may see fidelity.

use serde_json::json;

use crate::support::{PASSWORD, TestApp, enrol, on_both_backends};

on_both_backends!(
    a_supervisor_records_supervision_and_concerns_for_their_own_coaches_only,
    concerns_are_resolved_once_and_seen_only_by_supervisors_and_managers,
    each_role_sees_the_fidelity_it_may,
);

async fn a_supervisor_records_supervision_and_concerns_for_their_own_coaches_only(app: TestApp) {
    let world = app.world().await;
    let supervisor = app.api(world.org, world.supervisor).await;
    let session = json!({"coach_id": world.coach_id.to_string(), "minutes": "45", "topics": "Caseload review; self-care"});
    let recorded = supervisor.post("/api/v1/supervision-sessions", session).await;
    assert_eq!(recorded.status, 201, "{}", recorded.body);
    assert_eq!(recorded.json()["coach_name"], "coach");
    assert_eq!(recorded.json()["format"], "individual");

    let not_theirs =
        json!({"coach_id": world.lone_coach_id.to_string(), "minutes": "30", "topics": "x"});
    let refused = supervisor.post("/api/v1/supervision-sessions", not_theirs).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.json()["error"]["fields"]["coach_id"],
        "is not one of the coaches you supervise"
    );
    let invalid = supervisor
        .post(
            "/api/v1/supervision-sessions",
            json!({"coach_id": world.coach_id.to_string(), "minutes": "600"}),
        )
        .await;
    assert_eq!(invalid.status, 422);
    assert!(invalid.json()["error"]["fields"]["topics"].is_string());

    // A coach may read their own sessions but record none.
    let coach = app.api(world.org, world.coach).await;
    let own = coach.get("/api/v1/supervision-sessions").await.json();
    assert_eq!(own.as_array().map(Vec::len), Some(1));
    let by_coach = coach
        .post(
            "/api/v1/supervision-sessions",
            json!({"coach_id": world.coach_id.to_string(), "minutes": "10", "topics": "x"}),
        )
        .await;
    assert_eq!(by_coach.status, 422);
    let others =
        coach.get(&format!("/api/v1/supervision-sessions?coach={}", world.lone_coach_id)).await;
    assert_eq!(others.status, 403);

    // Through the page, as the supervisor.
    let mut browser = app.browser();
    browser.sign_in(world.org, world.supervisor, PASSWORD).await;
    browser.get("/supervision/new").await;
    let missing = browser
        .submit("/supervision/new", &[("coach_id", &world.coach_id.to_string()), ("minutes", "")])
        .await;
    assert_eq!(missing.status, 422);
    assert!(missing.body.contains("There are 2 problems"));
    let saved = browser
        .submit(
            "/supervision/new",
            &[
                ("coach_id", &world.coach_id.to_string()),
                ("minutes", "20"),
                ("topics", "Boundaries with a participant"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let page = browser.get(saved.header("location").expect("redirect")).await;
    assert!(
        page.body.contains("Supervision session recorded.")
            && page.body.contains("Boundaries with a participant")
    );
}

async fn concerns_are_resolved_once_and_seen_only_by_supervisors_and_managers(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let participant = enrol(&manager, "Ana", "Reyes").await;
    let supervisor = app.api(world.org, world.supervisor).await;
    let raised = supervisor
        .post(
            "/api/v1/boundary-concerns",
            json!({"coach_id": world.coach_id.to_string(), "participant_id": participant, "category": "money_or_gifts",
                   "description": "Lent the participant money for a bus pass."}),
        )
        .await;
    assert_eq!(raised.status, 201, "{}", raised.body);
    let concern = raised.json();
    assert_eq!(concern["status"], "open");
    assert_eq!(concern["participant_reference"], "P-0001");

    let unknown_participant = supervisor
        .post("/api/v1/boundary-concerns", json!({"coach_id": world.coach_id.to_string(), "participant_id": uuid::Uuid::new_v4().to_string(), "category": "other", "description": "x"}))
        .await;
    assert_eq!(
        unknown_participant.json()["error"]["fields"]["participant_id"],
        "is not a participant of this organisation"
    );

    let coach = app.api(world.org, world.coach).await;
    assert_eq!(coach.get("/api/v1/boundary-concerns").await.status, 403);
    assert_eq!(
        app.api(world.org, world.evaluator).await.get("/api/v1/boundary-concerns").await.status,
        403
    );
    assert_eq!(
        manager.get("/api/v1/boundary-concerns?status=open").await.json().as_array().map(Vec::len),
        Some(1)
    );
    let other_org = app.api(world.other_org, world.other_manager).await;
    assert_eq!(other_org.get("/api/v1/boundary-concerns").await.json(), json!([]));

    let id = concern["id"].as_str().expect("id");
    let path = format!("/api/v1/boundary-concerns/{id}/resolve");
    assert_eq!(other_org.post(&path, json!({"resolution": "x"})).await.status, 404);
    assert_eq!(supervisor.post(&path, json!({})).await.status, 422);
    let resolved = supervisor
        .post(&path, json!({"resolution": "Talked it through; reimbursed by the program."}))
        .await;
    assert_eq!(resolved.status, 200);
    assert_eq!(resolved.json()["status"], "resolved");
    assert_eq!(supervisor.post(&path, json!({"resolution": "again"})).await.status, 409);

    // Reading concerns that name participants is audited.
    let admin = app.api(world.org, world.admin).await;
    let reads =
        admin.get("/api/v1/audit-events?record_type=boundary_concern&action=list").await.json();
    assert!(
        reads
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["detail"].as_str().is_some_and(|d| d.contains("P-0001")))
    );
}

async fn each_role_sees_the_fidelity_it_may(app: TestApp) {
    let world = app.world().await;
    let fidelity = |who: &'static str| {
        let app = &app;
        let org = world.org;
        async move { app.api(org, who).await.get("/api/v1/fidelity").await }
    };
    let manager = fidelity(world.manager).await;
    assert_eq!(manager.status, 200);
    let names: Vec<String> = manager.json()["coaches"]
        .as_array()
        .expect("coaches")
        .iter()
        .map(|c| c["coach_name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(names, vec!["coach", "lone.coach", "supervisor"], "every coach, by name");
    let supervisor = fidelity(world.supervisor).await.json();
    let team: Vec<&str> = supervisor["coaches"]
        .as_array()
        .expect("coaches")
        .iter()
        .filter_map(|c| c["coach_name"].as_str())
        .collect();
    assert_eq!(team, vec!["coach", "supervisor"], "the team: their coach and themselves");
    let coach = fidelity(world.coach).await.json();
    assert_eq!(coach["coaches"].as_array().map(Vec::len), Some(1));
    let evaluator = fidelity(world.evaluator).await.json();
    assert_eq!(
        evaluator["coaches"],
        json!([]),
        "evaluators get programs without a breakdown by coach"
    );
    assert_eq!(fidelity(world.admin).await.status, 403);
    assert_eq!(
        app.api(world.org, world.manager).await.get("/api/v1/fidelity?period=forever").await.status,
        400
    );

    let mut browser = app.browser();
    browser.sign_in(world.org, world.supervisor, PASSWORD).await;
    let page = browser.get("/fidelity").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Protocol steps on time") && page.body.contains("Record supervision")
    );
}
