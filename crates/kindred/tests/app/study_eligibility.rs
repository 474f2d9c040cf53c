//! A study's eligibility rules on the record's history are read at enrolment with the kinds
//! the rule names: "attended a medical appointment in the year before" admits someone whose
//! medical appointment is on record as attended and refuses, by field, someone who attended
//! only a treatment appointment.

use serde_json::json;
use time::Duration;

use crate::support::{Api, TestApp, Trial, on_both_backends, open_trial};

on_both_backends!(an_appointment_history_rule_reads_the_appointment_s_kind);

/// A participant of `program`, enrolled five days ago, who attended an appointment of `kind`
/// ten days ago (the history a rule reads is before enrolment).
async fn with_appointment(
    app: &TestApp,
    coach: &Api,
    program: &str,
    given: &str,
    kind: &str,
) -> String {
    let today = app.app.clock().today();
    let reply = coach
        .post(
            "/api/v1/participants",
            json!({"given_name": given, "family_name": "Quillfeather", "date_of_birth": "1985-07-01",
                   "program_id": program, "enrolled_on": (today - Duration::days(5)).to_string()}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let participant = reply.json()["id"].as_str().expect("an id").to_owned();
    let appointments = format!("/api/v1/participants/{participant}/appointments");
    let made = coach
        .post(
            &appointments,
            json!({"kind": kind, "date": (today - Duration::days(10)).to_string(), "with_whom": "Harbor Clinic"}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.json()["id"].as_str().expect("an id").to_owned();
    let attended =
        coach.patch(&format!("{appointments}/{id}"), json!({"status": "attended"}), None).await;
    assert_eq!(attended.status, 200, "{}", attended.body);
    participant
}

async fn an_appointment_history_rule_reads_the_appointment_s_kind(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let evaluator = app.api(world.org, world.evaluator).await;
    let coach = app.api(world.org, world.coach).await;
    let today = app.app.clock().today();
    let program = manager
        .post("/api/v1/programs", json!({"template_code": "recovery_support_with_treatment"}))
        .await;
    assert_eq!(program.status, 201, "{}", program.body);
    let program = program.json()["id"].as_str().expect("a program").to_owned();
    let eligibility = json!([{"rule": "event_history", "within_days_before": 365,
        "event": {"kind": "appointment_attended", "appointment_kinds": ["medical"]}}]);
    let enrolment = (today - Duration::days(60), today + Duration::days(60));
    let id = open_trial(&evaluator, Trial { program: &program, eligibility, enrolment }).await;
    let enrolments = format!("/api/v1/studies/{id}/enrolments");

    let medical = with_appointment(&app, &coach, &program, "Maud", "medical").await;
    let admitted = coach.post(&enrolments, json!({"participant_id": medical})).await;
    assert_eq!(admitted.status, 201, "{}", admitted.body);

    let treatment =
        with_appointment(&app, &coach, &program, "Nell", "substance_use_treatment").await;
    let refused = coach.post(&enrolments, json!({"participant_id": treatment})).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let reason =
        refused.json()["error"]["fields"]["participant_id"].as_str().unwrap_or_default().to_owned();
    assert!(reason.to_lowercase().contains("medical"), "the reason names the kind: {reason}");
}
