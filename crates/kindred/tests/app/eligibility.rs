//! Assigning a participant to a coach who does not meet the program's eligibility rules:
//! refused with the reason, overridden with a reason by a supervisor or manager (recorded and
//! audited), never by a coach; every enrolment and coach change in the coach history.

use serde_json::{Value, json};
use sqlx::Connection;

use crate::programs::create_program;
use crate::staff::qualify;
use crate::support::{Backend, PASSWORD, TestApp, minimal_participant, on_both_backends};

on_both_backends!(
    an_ineligible_coach_is_refused_with_the_reason_and_a_supervisor_may_override,
    a_coach_cannot_override_and_an_eligible_coach_needs_no_override,
    the_enrolment_form_offers_the_override_only_to_supervisors_and_managers,
);

/// An ED Bridge program (12 months in recovery, a current certification, 40 training hours).
async fn ed_bridge(app: &TestApp, org: &str, manager: &str) -> String {
    let manager = app.api(org, manager).await;
    let program = create_program(
        &manager,
        json!({"template_code": "ed_brief_intervention", "name": "ED Bridge"}),
    )
    .await;
    program["id"].as_str().expect("id").to_owned()
}

fn enrolment(program: &str, coach: &str) -> Value {
    let mut body = minimal_participant("Ana", "Reyes");
    body["program_id"] = json!(program);
    body["coach_id"] = json!(coach);
    body
}

/// The coach-assignment history of a participant: (coach, override reason) oldest first.
async fn history(app: &TestApp, participant: &str) -> Vec<(Option<String>, Option<String>)> {
    let sql = "SELECT coach_id, override_reason FROM coach_assignments
               WHERE participant_id = $1 ORDER BY assigned_at, id";
    let id = uuid::Uuid::parse_str(participant).expect("a uuid");
    match app.backend {
        Backend::Postgres => {
            let mut conn =
                sqlx::PgConnection::connect(&app.database_args[1]).await.expect("connect");
            let rows: Vec<(Option<uuid::Uuid>, Option<String>)> =
                sqlx::query_as(sql).bind(id).fetch_all(&mut conn).await.expect("history");
            rows.into_iter().map(|(c, r)| (c.map(|c| c.to_string()), r)).collect()
        }
        Backend::Sqlite => {
            let path = format!("sqlite://{}/kindred.sqlite3", app.database_args[1]);
            let mut conn = sqlx::SqliteConnection::connect(&path).await.expect("connect");
            let rows: Vec<(Option<uuid::Uuid>, Option<String>)> =
                sqlx::query_as(sql).bind(id).fetch_all(&mut conn).await.expect("history");
            rows.into_iter().map(|(c, r)| (c.map(|c| c.to_string()), r)).collect()
        }
    }
}

async fn an_ineligible_coach_is_refused_with_the_reason_and_a_supervisor_may_override(
    app: TestApp,
) {
    let world = app.world().await;
    let program = ed_bridge(&app, world.org, world.manager).await;
    let coach_id = world.coach_id.to_string();
    // In recovery since 2018 (long enough) but 12 training hours and no certification.
    qualify(&app, &world, &coach_id, "2018-03-01", 12, false).await;

    let supervisor = app.api(world.org, world.supervisor).await;
    let refused = supervisor.post("/api/v1/participants", enrolment(&program, &coach_id)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(
        refused.json()["error"]["fields"]["coach_id"],
        "does not meet ED Bridge's requirements: needs a current certification; needs 40 training hours (has 12)"
    );
    assert_eq!(supervisor.get("/api/v1/participants").await.json()["total"], 0, "nothing saved");

    // The recovery date is never part of a refusal, even to someone who may see it.
    let lone_id = world.lone_coach_id.to_string();
    qualify(&app, &world, &lone_id, "2026-01-01", 50, true).await;
    let manager = app.api(world.org, world.manager).await;
    let too_recent = manager.post("/api/v1/participants", enrolment(&program, &lone_id)).await;
    let message =
        too_recent.json()["error"]["fields"]["coach_id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(message, "does not meet ED Bridge's requirements: needs 1 year in recovery");
    assert!(!too_recent.body.contains("2026-01-01"));

    let mut body = enrolment(&program, &coach_id);
    body["coach_override_reason"] =
        json!("Certification exam booked for next week; shadowed by Sam");
    let accepted = supervisor.post("/api/v1/participants", body).await;
    assert_eq!(accepted.status, 201, "{}", accepted.body);
    let participant = accepted.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(accepted.json()["coach_id"], coach_id.as_str());
    assert_eq!(
        history(&app, &participant).await,
        vec![(
            Some(coach_id.clone()),
            Some("Certification exam booked for next week; shadowed by Sam".into())
        )]
    );
    let audit = app
        .api(world.org, world.admin)
        .await
        .get("/api/v1/audit-events?record_type=coach_assignment")
        .await;
    assert!(audit.body.contains("ED Bridge's eligibility rules overridden (needs a current certification; needs 40 training hours (has 12)); reason: Certification exam booked"), "{}", audit.body);

    // Reassigning to the supervisor (who has no profile) is judged the same way.
    let path = format!("/api/v1/participants/{participant}");
    let to_supervisor = json!({"coach_id": world.supervisor_id.to_string()});
    let refused = supervisor.patch(&path, to_supervisor.clone(), None).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.json()["error"]["fields"]["coach_id"]
            .as_str()
            .is_some_and(|m| m.contains("needs 1 year in recovery"))
    );
    let overridden = supervisor
        .patch(&path, json!({"coach_id": world.supervisor_id.to_string(), "coach_override_reason": "Covering leave"}), None)
        .await;
    assert_eq!(overridden.status, 200, "{}", overridden.body);
    // A manager moves them back once the coach is certified: no override needed.
    qualify(&app, &world, &coach_id, "2018-03-01", 40, true).await;
    assert_eq!(manager.patch(&path, json!({"coach_id": coach_id}), None).await.status, 200);
    let entries = history(&app, &participant).await;
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[1], (Some(world.supervisor_id.to_string()), Some("Covering leave".into())));
    assert_eq!(entries[2], (Some(coach_id.clone()), None));
}

async fn a_coach_cannot_override_and_an_eligible_coach_needs_no_override(app: TestApp) {
    let world = app.world().await;
    let program = ed_bridge(&app, world.org, world.manager).await;
    let coach = app.api(world.org, world.coach).await;
    let mut body = minimal_participant("Ben", "Okafor");
    body["program_id"] = json!(program);
    body["coach_override_reason"] = json!("I have done this for years");
    let refused = coach.post("/api/v1/participants", body.clone()).await;
    assert_eq!(refused.status, 422);
    let fields = &refused.json()["error"]["fields"];
    assert_eq!(
        fields["coach_override_reason"],
        "only a supervisor or a manager can override a program's eligibility rules"
    );
    assert!(
        fields["coach_id"]
            .as_str()
            .is_some_and(|m| m.starts_with("does not meet ED Bridge's requirements"))
    );

    qualify(&app, &world, &world.coach_id.to_string(), "2020-05-05", 40, true).await;
    body.as_object_mut().map(|b| b.remove("coach_override_reason"));
    let enrolled = coach.post("/api/v1/participants", body).await;
    assert_eq!(enrolled.status, 201, "an eligible coach takes them on: {}", enrolled.body);
    let id = enrolled.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(history(&app, &id).await, vec![(Some(world.coach_id.to_string()), None)]);

    // A participant with no program can go to anyone the actor may assign.
    let plain = app.api(world.org, world.manager).await;
    let mut body = minimal_participant("Cleo", "Park");
    body["coach_id"] = json!(world.lone_coach_id.to_string());
    assert_eq!(plain.post("/api/v1/participants", body).await.status, 201);
}

async fn the_enrolment_form_offers_the_override_only_to_supervisors_and_managers(app: TestApp) {
    let world = app.world().await;
    let program = ed_bridge(&app, world.org, world.manager).await;
    let mut coach = app.browser();
    coach.sign_in(world.org, world.coach, PASSWORD).await;
    assert!(!coach.get("/participants/new").await.body.contains("coach_override_reason"));

    let mut supervisor = app.browser();
    supervisor.sign_in(world.org, world.supervisor, PASSWORD).await;
    assert!(
        supervisor.get("/participants/new").await.body.contains("name=\"coach_override_reason\"")
    );
    let coach_id = world.coach_id.to_string();
    let fields = vec![
        ("given_name", "Dee"),
        ("family_name", "Lopez"),
        ("date_of_birth", "1979-02-03"),
        ("program_id", program.as_str()),
        ("coach_id", coach_id.as_str()),
    ];
    let refused = supervisor.submit("/participants/new", &fields).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("does not meet ED Bridge&#39;s requirements: needs 1 year in recovery")
    );
    let mut with_reason = fields.clone();
    with_reason.push(("coach_override_reason", "Only Spanish-speaking coach on shift"));
    let saved = supervisor.submit("/participants/new", &with_reason).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
}
