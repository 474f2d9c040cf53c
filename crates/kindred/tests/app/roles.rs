//! What each role may and may not do (the policy table in `kindred_app::policy`).

use serde_json::json;

use crate::support::{
    Api, PASSWORD, TestApp, World, minimal_participant, on_both_backends, referral_consent,
};

on_both_backends!(
    a_coach_works_only_with_their_own_caseload,
    a_supervisor_sees_and_reassigns_within_their_team,
    a_manager_sees_and_changes_everyone,
    an_evaluator_sees_research_records_without_identities,
    an_admin_reads_the_audit_log_but_no_participant_records,
);

/// Enrols a participant as `api` and returns their id.
async fn enrol(api: &Api, given: &str, family: &str, coach: Option<String>) -> String {
    let mut body = minimal_participant(given, family);
    if let Some(coach) = coach {
        body["coach_id"] = json!(coach);
    }
    let reply = api.post("/api/v1/participants", body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["id"].as_str().expect("id").to_owned()
}

/// One participant on `coach`, one on `lone_coach`, enrolled by the manager.
async fn two_caseloads(app: &TestApp, world: &World) -> (String, String) {
    let manager = app.api(world.org, world.manager).await;
    let coached = enrol(&manager, "Ana", "Reyes", Some(world.coach_id.to_string())).await;
    let lone = enrol(&manager, "Ben", "Okafor", Some(world.lone_coach_id.to_string())).await;
    (coached, lone)
}

async fn a_coach_works_only_with_their_own_caseload(app: TestApp) {
    let world = app.world().await;
    let (own, not_own) = two_caseloads(&app, &world).await;
    let coach = app.api(world.org, world.coach).await;

    let list = coach.get("/api/v1/participants").await.json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], own.as_str());
    assert_eq!(coach.get(&format!("/api/v1/participants/{own}")).await.status, 200);
    assert_eq!(
        coach
            .patch(&format!("/api/v1/participants/{own}"), json!({"housing": "stable"}), None)
            .await
            .status,
        200
    );
    assert_eq!(
        coach
            .post(
                &format!("/api/v1/participants/{own}/consents"),
                referral_consent("Harbor Clinic")
            )
            .await
            .status,
        201
    );

    let forbidden = coach.get(&format!("/api/v1/participants/{not_own}")).await;
    assert_eq!(forbidden.status, 403);
    assert_eq!(forbidden.json()["error"]["code"], "forbidden");
    assert_eq!(
        coach
            .patch(&format!("/api/v1/participants/{not_own}"), json!({"housing": "stable"}), None)
            .await
            .status,
        403
    );
    assert_eq!(coach.get(&format!("/api/v1/participants/{not_own}/consents")).await.status, 403);
    assert_eq!(
        coach
            .post(&format!("/api/v1/participants/{not_own}/consents"), referral_consent("X"))
            .await
            .status,
        403
    );

    // A coach cannot hand a participant to someone else, at enrolment or later.
    let handed = coach
        .post("/api/v1/participants", json!({"given_name": "C", "family_name": "D", "date_of_birth": "1990-01-01", "coach_id": world.lone_coach_id.to_string()}))
        .await;
    assert_eq!(handed.status, 422);
    assert_eq!(
        handed.json()["error"]["fields"]["coach_id"],
        "a coach can only take participants onto their own caseload"
    );
    let reassign = coach
        .patch(
            &format!("/api/v1/participants/{own}"),
            json!({"coach_id": world.lone_coach_id.to_string()}),
            None,
        )
        .await;
    assert_eq!(reassign.status, 422);

    assert_eq!(coach.get("/api/v1/audit-events").await.status, 403);
    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    assert_eq!(browser.get(&format!("/participants/{not_own}")).await.status, 403);
    assert_eq!(browser.get("/audit").await.status, 403);
}

async fn a_supervisor_sees_and_reassigns_within_their_team(app: TestApp) {
    let world = app.world().await;
    let (coached, lone) = two_caseloads(&app, &world).await;
    let supervisor = app.api(world.org, world.supervisor).await;
    let own = enrol(&supervisor, "Cleo", "Park", None).await;

    let list = supervisor.get("/api/v1/participants").await.json();
    let ids: Vec<&str> =
        list["items"].as_array().expect("items").iter().filter_map(|i| i["id"].as_str()).collect();
    assert_eq!(list["total"], 2);
    assert!(ids.contains(&coached.as_str()) && ids.contains(&own.as_str()));
    assert_eq!(supervisor.get(&format!("/api/v1/participants/{lone}")).await.status, 403);

    // Reassigning within the team works; to a coach outside it does not.
    let to_self = supervisor
        .patch(
            &format!("/api/v1/participants/{coached}"),
            json!({"coach_id": world.supervisor_id.to_string()}),
            None,
        )
        .await;
    assert_eq!(to_self.status, 200);
    let back = supervisor
        .patch(
            &format!("/api/v1/participants/{coached}"),
            json!({"coach_id": world.coach_id.to_string()}),
            None,
        )
        .await;
    assert_eq!(back.status, 200);
    let outside = supervisor
        .patch(
            &format!("/api/v1/participants/{coached}"),
            json!({"coach_id": world.lone_coach_id.to_string()}),
            None,
        )
        .await;
    assert_eq!(outside.status, 422);
    assert_eq!(
        outside.json()["error"]["fields"]["coach_id"],
        "is not one of the coaches you supervise"
    );
    assert_eq!(supervisor.get("/api/v1/audit-events").await.status, 403);
}

async fn a_manager_sees_and_changes_everyone(app: TestApp) {
    let world = app.world().await;
    let (coached, lone) = two_caseloads(&app, &world).await;
    let manager = app.api(world.org, world.manager).await;
    assert_eq!(manager.get("/api/v1/participants").await.json()["total"], 2);
    let moved = manager
        .patch(
            &format!("/api/v1/participants/{lone}"),
            json!({"coach_id": world.coach_id.to_string()}),
            None,
        )
        .await;
    assert_eq!(moved.status, 200);
    assert_eq!(manager.get(&format!("/api/v1/participants/{coached}/consents")).await.status, 200);
    assert_eq!(
        manager.get("/api/v1/audit-events").await.status,
        403,
        "reading the audit log is the admin's job"
    );
    // The coach now has both.
    assert_eq!(
        app.api(world.org, world.coach).await.get("/api/v1/participants").await.json()["total"],
        2
    );
}

async fn an_evaluator_sees_research_records_without_identities(app: TestApp) {
    let world = app.world().await;
    let (coached, _) = two_caseloads(&app, &world).await;
    let evaluator = app.api(world.org, world.evaluator).await;

    let list = evaluator.get("/api/v1/participants").await;
    assert_eq!(list.json()["total"], 2);
    assert!(
        !list.body.contains("Reyes") && !list.body.contains("Okafor"),
        "no names: {}",
        list.body
    );
    let record = evaluator.get(&format!("/api/v1/participants/{coached}")).await;
    assert_eq!(record.status, 200);
    let body = record.json();
    assert_eq!(body["identified"], false);
    assert_eq!(body["age_band"], "35_44");
    for field in ["given_name", "family_name", "date_of_birth", "phone", "email"] {
        assert!(body.get(field).is_none(), "{field} leaked to an evaluator");
    }
    assert_eq!(
        evaluator.post("/api/v1/participants", minimal_participant("E", "F")).await.status,
        403
    );
    assert_eq!(
        evaluator
            .patch(&format!("/api/v1/participants/{coached}"), json!({"housing": "stable"}), None)
            .await
            .status,
        403
    );
    assert_eq!(
        evaluator.get(&format!("/api/v1/participants/{coached}/consents")).await.status,
        403
    );

    let mut browser = app.browser();
    browser.sign_in(world.org, world.evaluator, PASSWORD).await;
    let page = browser.get(&format!("/participants/{coached}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("de-identified research record") && !page.body.contains("Reyes"));
    assert!(!browser.get("/caseload").await.body.contains("Reyes"));
}

async fn an_admin_reads_the_audit_log_but_no_participant_records(app: TestApp) {
    let world = app.world().await;
    let (coached, _) = two_caseloads(&app, &world).await;
    let admin = app.api(world.org, world.admin).await;
    assert_eq!(admin.get("/api/v1/participants").await.status, 403);
    assert_eq!(admin.get(&format!("/api/v1/participants/{coached}")).await.status, 403);
    assert_eq!(admin.post("/api/v1/participants", minimal_participant("E", "F")).await.status, 403);
    assert_eq!(admin.get("/api/v1/audit-events").await.status, 200);

    let mut browser = app.browser();
    browser.sign_in(world.org, world.admin, PASSWORD).await;
    assert_eq!(browser.get("/").await.header("location"), Some("/audit"));
    let audit = browser.get("/audit").await;
    assert_eq!(audit.status, 200);
    assert!(audit.body.contains("manager@acme.test"));
}
