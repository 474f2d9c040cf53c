//! The research record's additions: a hospitalisation's kind on outcome events and the
//! program component a contact delivered, recorded over the API and the forms, read back, and
//! refused field by field when they do not fit.

use serde_json::json;
use time::Duration;

use crate::contacts::{contact, enrol_in, open_program};
use crate::support::{PASSWORD, TestApp, enrol, on_both_backends};

on_both_backends!(
    a_hospitalisation_keeps_its_kind,
    a_contact_names_the_program_component_it_delivered,
    an_evaluator_sees_research_records_and_never_an_identity,
);

async fn a_hospitalisation_keeps_its_kind(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Ana", "Reyes").await;
    let path = format!("/api/v1/participants/{id}/outcome-events");
    let on = (app.app.clock().today() - Duration::days(3)).to_string();

    let stay = coach
        .post(&path, json!({"kind": "hospitalisation", "occurred_on": on, "hospitalisation_kind": "psychiatric"}))
        .await;
    assert_eq!(stay.status, 201, "{}", stay.body);
    assert_eq!(stay.json()["hospitalisation_kind"], "psychiatric");

    let arrest = coach
        .post(&path, json!({"kind": "arrest", "occurred_on": on, "hospitalisation_kind": "detox"}))
        .await;
    assert_eq!(arrest.status, 422);
    assert_eq!(
        arrest.json()["error"]["fields"]["hospitalisation_kind"],
        "is only recorded for a hospitalisation"
    );
    let unknown = coach
        .post(
            &path,
            json!({"kind": "hospitalisation", "occurred_on": on, "hospitalisation_kind": "spa"}),
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.json()["error"]["fields"]["hospitalisation_kind"].is_string());

    let listed = coach.get(&path).await.json();
    assert_eq!(listed.as_array().expect("events").len(), 1);
    assert_eq!(listed[0]["hospitalisation_kind"], "psychiatric");

    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let form = browser.get(&format!("/participants/{id}/outcome-events/new")).await;
    assert!(form.body.contains("name=\"hospitalisation_kind\""), "{}", form.body);
    let saved = browser
        .submit(
            &format!("/participants/{id}/outcome-events/new"),
            &[("kind", "hospitalisation"), ("occurred_on", &on), ("hospitalisation_kind", "detox")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = browser.get(&format!("/participants/{id}")).await;
    assert!(page.body.contains("Hospitalisation (Detoxification)"), "{}", page.body);
}

async fn a_contact_names_the_program_component_it_delivered(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let coach = app.api(world.org, world.coach).await;
    let program = open_program(&manager, "ed_brief_intervention").await;
    let today = app.app.clock().today();
    let coach_id = world.coach_id.to_string();
    let id = enrol_in(&manager, "Alpha", &program, today - Duration::days(10), &coach_id).await;
    let outside = enrol(&coach, "Bea", "Nolan").await;

    let mut body = contact(&id, today - Duration::days(1));
    body["component"] = json!("Massage");
    let refused = coach.post("/api/v1/contacts", body.clone()).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let message = refused.json()["error"]["fields"]["component"].as_str().unwrap_or("").to_owned();
    assert!(message.contains("Brief motivational intervention"), "{message}");

    body["component"] = json!("Brief motivational intervention");
    let logged = coach.post("/api/v1/contacts", body).await;
    assert_eq!(logged.status, 201, "{}", logged.body);
    assert_eq!(logged.json()["component"], "Brief motivational intervention");
    let contact_id = logged.json()["id"].as_str().expect("id").to_owned();
    let read = coach.get(&format!("/api/v1/contacts/{contact_id}")).await;
    assert_eq!(read.json()["component"], "Brief motivational intervention");

    // A participant without a program has no component to name.
    let mut body = contact(&outside, today);
    body["component"] = json!("Brief motivational intervention");
    let refused = coach.post("/api/v1/contacts", body).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.json()["error"]["fields"]["component"].is_string());

    // An edit to an unknown component is refused; clearing it is not.
    let path = format!("/api/v1/contacts/{contact_id}");
    let bad = coach.patch(&path, json!({"component": "Massage"}), None).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    let cleared = coach.patch(&path, json!({"component": ""}), None).await;
    assert_eq!(cleared.status, 200, "{}", cleared.body);
    assert!(cleared.json()["component"].is_null());

    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let form = browser.get(&format!("/participants/{id}/contacts/new")).await;
    assert!(form.body.contains("name=\"component\""), "{}", form.body);
    assert!(form.body.contains("Brief motivational intervention"));
    let plain = browser.get(&format!("/participants/{outside}/contacts/new")).await;
    assert!(!plain.body.contains("name=\"component\""), "no components, no select");
}

async fn an_evaluator_sees_research_records_and_never_an_identity(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let coach = app.api(world.org, world.coach).await;
    let program = open_program(&manager, "ed_brief_intervention").await;
    let today = app.app.clock().today();
    let coach_id = world.coach_id.to_string();
    let mut body = crate::support::minimal_participant("Philippa", "Vandersloot");
    body["program_id"] = json!(program);
    body["enrolled_on"] = json!((today - Duration::days(20)).to_string());
    body["coach_id"] = json!(coach_id);
    body["date_of_birth"] = json!("1979-03-27");
    body["phone"] = json!("555-0142");
    let reply = manager.post("/api/v1/participants", body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let id = reply.json()["id"].as_str().expect("id").to_owned();
    let mut logged = contact(&id, today - Duration::days(2));
    logged["component"] = json!("Brief motivational intervention");
    logged["note"] = json!("Talked about Vandersloot family plans");
    assert_eq!(coach.post("/api/v1/contacts", logged).await.status, 201);
    let event = json!({"kind": "hospitalisation", "occurred_on": (today - Duration::days(1)).to_string(),
        "hospitalisation_kind": "psychiatric", "detail": "Admitted at St Brigid's"});
    let path = format!("/api/v1/participants/{id}/outcome-events");
    assert_eq!(coach.post(&path, event).await.status, 201);

    let evaluator = app.api(world.org, world.evaluator).await;
    let reply = evaluator.get("/api/v1/research/participants").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    for secret in ["Philippa", "Vandersloot", "1979-03-27", "555-0142", "St Brigid", "Talked about"]
    {
        assert!(!reply.body.contains(secret), "the evaluator sees {secret}: {}", reply.body);
    }
    let records = reply.json();
    let record = records
        .as_array()
        .expect("records")
        .iter()
        .find(|r| r["id"] == id.as_str())
        .expect("the participant's research record");
    assert!(record["baseline"]["age_band"].is_string(), "{record}");
    assert_eq!(record["dose"]["contacts"], 1);
    assert_eq!(record["dose"]["minutes"], 20);
    assert_eq!(record["dose"]["by_component"][0]["component"], "Brief motivational intervention");
    let kinds: Vec<&str> = record["dose"]["by_support_kind"]
        .as_array()
        .expect("kinds")
        .iter()
        .filter_map(|k| k["support_kind"].as_str())
        .collect();
    assert_eq!(kinds, ["emotional", "informational"]);
    assert_eq!(record["events"][0]["hospitalisation_kind"], "psychiatric");
    assert!(record["events"][0].get("detail").is_none());
    assert!(record["follow_up"].as_array().is_some_and(|points| !points.is_empty()), "{record}");
    assert_eq!(record["last_seen_on"], (today - Duration::days(2)).to_string());

    // Every read is audited.
    let admin = app.api(world.org, world.admin).await;
    let lists = admin.get("/api/v1/audit-events?action=list").await.body;
    assert!(lists.contains("research records: "), "{lists}");

    // A coach sees only their own caseload's; an admin none.
    let lone = app.api(world.org, world.lone_coach).await;
    let theirs = lone.get("/api/v1/research/participants").await;
    assert_eq!(theirs.status, 200);
    assert!(!theirs.body.contains(&id));
    assert_eq!(admin.get("/api/v1/research/participants").await.status, 403);

    let mut browser = app.browser();
    browser.sign_in(world.org, world.evaluator, PASSWORD).await;
    let page = browser.get("/research").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Brief motivational intervention"), "{}", page.body);
    for secret in ["Philippa", "Vandersloot", "1979-03-27"] {
        assert!(!page.body.contains(secret), "the research page shows {secret}");
    }
}
