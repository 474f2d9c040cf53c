//! The audit log: every read and write of participant data leaves an event, the log cannot
//! be edited through the database's front door, and `kindred audit verify` catches an edit
//! made behind it.

use serde_json::{Value, json};

use crate::support::{
    Backend, PASSWORD, TestApp, enrol, minimal_participant, on_both_backends, referral_consent,
};

on_both_backends!(
    reads_and_writes_of_participant_data_are_audited,
    sign_ins_and_failed_sign_ins_are_audited,
    the_audit_log_refuses_updates_and_verify_names_the_first_tampered_event,
);

/// The audit events about one record, oldest first, as (action, actor).
async fn history(app: &TestApp, org: &str, admin: &str, record_id: &str) -> Vec<(String, String)> {
    let api = app.api(org, admin).await;
    let events: Value =
        api.get(&format!("/api/v1/audit-events?record_id={record_id}")).await.json();
    let mut rows: Vec<(String, String)> = events
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default().to_owned(),
                e["actor"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    rows.reverse();
    rows
}

async fn reads_and_writes_of_participant_data_are_audited(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Ana", "Reyes").await;
    coach.get(&format!("/api/v1/participants/{id}")).await;
    coach.patch(&format!("/api/v1/participants/{id}"), json!({"housing": "stable"}), None).await;
    let consent = coach
        .post(&format!("/api/v1/participants/{id}/consents"), referral_consent("Harbor Clinic"))
        .await
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    coach.get(&format!("/api/v1/participants/{id}/consents")).await;
    coach.post(&format!("/api/v1/participants/{id}/consents/{consent}/revoke"), json!({})).await;
    let evaluator = app.api(world.org, world.evaluator).await;
    evaluator.get(&format!("/api/v1/participants/{id}")).await;

    let by = |action: &str, who: &str| (action.to_owned(), who.to_owned());
    assert_eq!(
        history(&app, world.org, world.admin, &id).await,
        vec![
            by("create", world.coach),
            by("read", world.coach),
            by("update", world.coach),
            by("read", world.coach),
            by("read", world.evaluator),
        ]
    );
    assert_eq!(
        history(&app, world.org, world.admin, &consent).await,
        vec![by("create", world.coach), by("revoke", world.coach)]
    );

    // Listings are audited with what was listed.
    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    browser.get("/caseload").await;
    let admin = app.api(world.org, world.admin).await;
    let lists = admin.get("/api/v1/audit-events?action=list").await.json();
    assert!(
        lists
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["detail"].as_str().is_some_and(|d| d.contains("P-0001")))
    );
    // The update names the fields that changed, never their values.
    let updates = admin.get("/api/v1/audit-events?action=update").await.json();
    assert_eq!(updates[0]["detail"], "P-0001: changed baseline");
}

async fn sign_ins_and_failed_sign_ins_are_audited(app: TestApp) {
    let world = app.world().await;
    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, "a wrong password").await;
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let admin = app.api(world.org, world.admin).await;
    let failed = admin.get("/api/v1/audit-events?action=login_failed").await.json();
    assert_eq!(failed[0]["actor"], world.coach);
    let logins = admin.get("/api/v1/audit-events?action=login").await.json();
    assert!(
        logins
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["actor"] == world.coach && e["detail"] == "browser sign-in")
    );
}

async fn the_audit_log_refuses_updates_and_verify_names_the_first_tampered_event(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    for name in ["Ana", "Ben", "Cleo"] {
        coach.post("/api/v1/participants", minimal_participant(name, "Reyes")).await;
    }
    let intact = app.kindred(&["audit", "verify"]);
    let report = String::from_utf8_lossy(&intact.stdout);
    assert!(intact.status.success(), "{report}{}", String::from_utf8_lossy(&intact.stderr));
    assert!(report.contains("acme: ") && report.contains("events, chain intact"), "{report}");

    // Through the front door, the log cannot be changed at all.
    let refused =
        app.raw_sql("UPDATE audit_events SET detail = 'nothing happened' WHERE seq = 5").await;
    assert!(refused.is_err_and(|e| e.to_string().contains("append-only")));

    // Someone with the database file goes around the guard and rewrites event 5.
    let tamper = match app.backend {
        Backend::Sqlite => {
            "DROP TRIGGER audit_events_no_update; \
             UPDATE audit_events SET detail = 'nothing happened' WHERE seq = 5 \
             AND org_id = (SELECT id FROM organisations WHERE slug = 'acme')"
        }
        Backend::Postgres => {
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only; \
             UPDATE audit_events SET detail = 'nothing happened' WHERE seq = 5 \
             AND org_id = (SELECT id FROM organisations WHERE slug = 'acme')"
        }
    };
    app.raw_sql(tamper).await.expect("tampering succeeds behind the guard");
    let broken = app.kindred(&["audit", "verify"]);
    let report = String::from_utf8_lossy(&broken.stdout);
    assert!(!broken.status.success(), "verify must fail: {report}");
    assert!(
        report.contains("acme: BROKEN at event #5: its contents no longer match its hash"),
        "{report}"
    );
    assert!(
        report.contains("elsewhere: ") && report.contains("chain intact"),
        "other organisations are unaffected: {report}"
    );
}
