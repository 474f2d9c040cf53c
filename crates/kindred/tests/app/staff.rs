//! Staff qualifications: recovery start dates seen only by the person, their supervisor and
//! admins; certifications and training hours; supervisors set by admins.

use reqwest::Method;
use serde_json::json;

use crate::support::{PASSWORD, TestApp, World, on_both_backends};

on_both_backends!(
    a_recovery_date_is_seen_by_the_supervisor_and_admin_but_never_by_a_manager,
    supervisors_and_admins_edit_qualifications_and_only_admins_change_supervisors,
    the_staff_pages_show_qualifications_without_leaking_the_recovery_date,
);

/// Gives `coach` a recovery date, hours and a certification, as the admin.
pub async fn qualify(
    app: &TestApp,
    world: &World,
    coach: &str,
    recovery: &str,
    hours: u32,
    certified: bool,
) {
    let admin = app.api(world.org, world.admin).await;
    let reply = admin
        .patch(
            &format!("/api/v1/staff/{coach}"),
            json!({"recovery_start_date": recovery, "training_hours": hours, "employment": "paid"}),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "qualifying {coach}: {}", reply.body);
    if certified {
        let cert = admin
            .post(
                &format!("/api/v1/staff/{coach}/certifications"),
                json!({"name": "Certified Peer Recovery Specialist", "issued_on": "2024-01-15", "expires_on": "2099-01-15"}),
            )
            .await;
        assert_eq!(cert.status, 201, "{}", cert.body);
    }
}

async fn a_recovery_date_is_seen_by_the_supervisor_and_admin_but_never_by_a_manager(app: TestApp) {
    let world = app.world().await;
    let coach_id = world.coach_id.to_string();
    qualify(&app, &world, &coach_id, "2019-04-02", 46, true).await;
    let path = format!("/api/v1/staff/{coach_id}");

    for (who, sees_date) in
        [(world.admin, true), (world.supervisor, true), (world.coach, true), (world.manager, false)]
    {
        let reply = app.api(world.org, who).await.get(&path).await;
        assert_eq!(reply.status, 200, "{who}: {}", reply.body);
        let body = reply.json();
        assert_eq!(body["training_hours"], 46, "{who} sees the hours");
        assert_eq!(body["has_current_certification"], true);
        assert_eq!(body["certifications"][0]["name"], "Certified Peer Recovery Specialist");
        assert_eq!(body.get("recovery_start_date").is_some(), sees_date, "{who}");
        assert_eq!(reply.body.contains("2019-04-02"), sees_date, "{who}: {}", reply.body);
    }
    let listed = app.api(world.org, world.manager).await.get("/api/v1/staff").await;
    assert_eq!(listed.status, 200);
    assert!(!listed.body.contains("2019-04-02"), "not in the manager's list either");
    assert!(listed.body.contains("coach@acme.test"));

    // Another coach, or a supervisor who does not supervise them, sees nothing.
    let lone = app.api(world.org, world.lone_coach).await;
    assert_eq!(lone.get(&path).await.status, 403);
    let lone_list = lone.get("/api/v1/staff").await.json();
    assert_eq!(lone_list.as_array().map(Vec::len), Some(1), "a coach lists only themselves");
    assert_eq!(app.api(world.org, world.evaluator).await.get(&path).await.status, 403);
    let outsider = app.api(world.other_org, world.other_manager).await;
    assert_eq!(outsider.get(&path).await.status, 404);

    // The supervisor's list is their team and themselves.
    let team = app.api(world.org, world.supervisor).await.get("/api/v1/staff").await.json();
    let mut emails: Vec<&str> =
        team.as_array().expect("list").iter().filter_map(|s| s["email"].as_str()).collect();
    emails.sort();
    assert_eq!(emails, vec!["coach@acme.test", "supervisor@acme.test"]);
}

async fn supervisors_and_admins_edit_qualifications_and_only_admins_change_supervisors(
    app: TestApp,
) {
    let world = app.world().await;
    let coach_path = format!("/api/v1/staff/{}", world.coach_id);
    let supervisor = app.api(world.org, world.supervisor).await;
    let edited = supervisor.patch(&coach_path, json!({"training_hours": "60"}), None).await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.json()["training_hours"], 60);
    let added = supervisor
        .post(
            &format!("{coach_path}/certifications"),
            json!({"name": "CPRS", "expires_on": "2020-01-01"}),
        )
        .await;
    assert_eq!(added.status, 201);
    assert_eq!(added.json()["current"], false, "an expired certification does not count");
    let cert = added.json()["id"].as_str().expect("id").to_owned();

    let moved = supervisor
        .patch(&coach_path, json!({"supervisor_id": world.lone_coach_id.to_string()}), None)
        .await;
    assert_eq!(moved.status, 422);
    assert_eq!(
        moved.json()["error"]["fields"]["supervisor_id"],
        "only an admin can change who supervises someone"
    );

    let invalid = supervisor
        .patch(
            &coach_path,
            json!({"recovery_start_date": "2090-01-01", "employment": "contractor"}),
            None,
        )
        .await;
    assert_eq!(invalid.status, 422);
    assert_eq!(
        invalid.json()["error"]["fields"]["recovery_start_date"],
        "must not be in the future"
    );

    for who in [world.manager, world.coach, world.lone_coach] {
        let api = app.api(world.org, who).await;
        assert_eq!(
            api.patch(&coach_path, json!({"training_hours": 99}), None).await.status,
            403,
            "{who}"
        );
    }
    let lone_path = format!("/api/v1/staff/{}", world.lone_coach_id);
    assert_eq!(supervisor.patch(&lone_path, json!({"training_hours": 1}), None).await.status, 403);

    let admin = app.api(world.org, world.admin).await;
    let not_a_supervisor =
        admin.patch(&lone_path, json!({"supervisor_id": world.coach_id.to_string()}), None).await;
    assert_eq!(not_a_supervisor.status, 422);
    let joined = admin
        .patch(&lone_path, json!({"supervisor_id": world.supervisor_id.to_string()}), None)
        .await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    assert_eq!(joined.json()["supervisor_name"], "supervisor");
    assert_eq!(supervisor.patch(&lone_path, json!({"training_hours": 1}), None).await.status, 200);

    let removed = supervisor
        .send_raw(
            Method::DELETE,
            &format!("{coach_path}/certifications/{cert}"),
            "application/json",
            "",
        )
        .await;
    assert_eq!(removed.status, 204);
    assert_eq!(supervisor.get(&coach_path).await.json()["certifications"], json!([]));

    let audit = admin.get("/api/v1/audit-events?record_type=staff_profile").await.json();
    let details: Vec<&str> =
        audit.as_array().expect("events").iter().filter_map(|e| e["detail"].as_str()).collect();
    assert!(
        details.iter().any(|d| d.contains("coach@acme.test: changed training_hours")),
        "{details:?}"
    );
    assert!(details.iter().all(|d| !d.contains("2019")), "dates never go into the audit detail");
}

async fn the_staff_pages_show_qualifications_without_leaking_the_recovery_date(app: TestApp) {
    let world = app.world().await;
    let coach_id = world.coach_id.to_string();
    qualify(&app, &world, &coach_id, "2018-07-09", 40, true).await;

    let mut manager = app.browser();
    manager.sign_in(world.org, world.manager, PASSWORD).await;
    let list = manager.get("/staff").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("coach"));
    let page = manager.get(&format!("/staff/{coach_id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("40") && page.body.contains("Certified Peer Recovery Specialist"));
    assert!(!page.body.contains("2018-07-09"), "the manager's page has no recovery date");
    assert!(!page.body.contains(&format!("/staff/{coach_id}/edit")));

    let mut supervisor = app.browser();
    supervisor.sign_in(world.org, world.supervisor, PASSWORD).await;
    let page = supervisor.get(&format!("/staff/{coach_id}")).await;
    assert!(page.body.contains("2018-07-09"));
    let form = supervisor.get(&format!("/staff/{coach_id}/edit")).await;
    assert_eq!(form.status, 200);
    let saved = supervisor
        .submit(
            &format!("/staff/{coach_id}/edit"),
            &[
                ("recovery_start_date", "2018-07-10"),
                ("employment", "volunteer"),
                ("training_hours", "abc"),
            ],
        )
        .await;
    assert_eq!(saved.status, 422);
    assert!(saved.body.contains("must be a whole number"));
    let saved = supervisor
        .submit(
            &format!("/staff/{coach_id}/edit"),
            &[
                ("recovery_start_date", "2018-07-10"),
                ("employment", "volunteer"),
                ("training_hours", "48"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let certified = supervisor
        .submit(
            &format!("/staff/{coach_id}/certifications/new"),
            &[("name", "Recovery Coach Academy"), ("issued_on", "2025-02-01"), ("expires_on", "")],
        )
        .await;
    assert_eq!(certified.status, 303, "{}", certified.body);
    let page = supervisor.get(&format!("/staff/{coach_id}")).await;
    assert!(page.body.contains("Recovery Coach Academy") && page.body.contains("48"));
}
