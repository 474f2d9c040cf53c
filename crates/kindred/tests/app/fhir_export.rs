//! FHIR R4 export under consent: a participant's record goes to a recipient for a purpose only
//! when a current consent names both, and then only what the consent lists; a program's bundle
//! leaves out whoever has not consented and says how many. Every bundle is checked against the
//! R4 JSON schema (`tests/fhir/validate.js`), its references resolve inside it, no note leaves,
//! and every export is audited.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use time::Duration;

use crate::contacts::{contact, enrol_in, open_program};
use crate::referrals::resource;
use crate::support::fhir::{assert_references_resolve, assert_valid_fhir, resources, types};
use crate::support::{Api, TestApp, World, on_both_backends};

on_both_backends!(
    a_consenting_participants_bundle_is_valid_fhir_and_holds_every_resource,
    an_export_without_a_current_consent_for_that_recipient_and_purpose_is_refused,
    the_consents_items_decide_which_resources_go,
    a_program_bundle_leaves_out_participants_without_consent_and_says_how_many,
);

/// Text written into every note, which must never appear in a bundle.
const NOTE: &str = "Private note: talked about her brother";
const RECIPIENT: &str = "Harbor Clinic";

fn consent_to(recipient: &str, purpose: &str, items: &[&str]) -> Value {
    json!({"disclose": items, "recipient": recipient, "purpose": purpose,
           "expires_on": "2099-12-31", "notes": NOTE})
}

async fn consent(api: &Api, participant: &str, body: Value) -> String {
    let reply = api.post(&format!("/api/v1/participants/{participant}/consents"), body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["id"].as_str().expect("id").to_owned()
}

/// A participant of `program` on the coach's caseload with a year's worth of work in little:
/// two contacts, a completed and a partial PHQ-9, and two referrals (one accepted), every one
/// with a note.
async fn participant_with_work(
    app: &TestApp,
    world: &World,
    program: &str,
    family: &str,
) -> String {
    let manager = app.api(world.org, world.manager).await;
    let coach = app.api(world.org, world.coach).await;
    let today = app.app.clock().today();
    let coach_id = world.coach_id.to_string();
    let id = enrol_in(&manager, family, program, today - Duration::days(40), &coach_id).await;
    for days_ago in [30, 10] {
        let mut body = contact(&id, today - Duration::days(days_ago));
        body["note"] = json!(NOTE);
        let reply = coach.post("/api/v1/contacts", body).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
    }
    let assessments = format!("/api/v1/participants/{id}/assessments");
    let answers: serde_json::Map<String, Value> =
        (1..=9).map(|i| (format!("phq9_{i}"), json!(1))).collect();
    let completed = coach
        .post(&assessments, json!({"instrument": "phq-9", "complete": true, "answers": answers}))
        .await;
    assert_eq!(completed.status, 201, "{}", completed.body);
    let partial =
        coach.post(&assessments, json!({"instrument": "phq-9", "answers": {"phq9_1": 2}})).await;
    assert_eq!(partial.status, 201, "{}", partial.body);
    let service =
        resource(app, world.org, world.manager, "Eastside Housing Trust", "Housing").await;
    let referrals = format!("/api/v1/participants/{id}/referrals");
    for _ in 0..2 {
        let made = coach.post(&referrals, json!({"resource_id": service, "note": NOTE})).await;
        assert_eq!(made.status, 201, "{}", made.body);
    }
    let first = coach.get(&referrals).await.json()[0]["id"].as_str().expect("id").to_owned();
    let accepted = coach
        .post(&format!("{referrals}/{first}/status"), json!({"status": "accepted", "note": NOTE}))
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    id
}

pub fn export_path(kind: &str, id: &str, recipient: &str, purpose: &str) -> String {
    let recipient = recipient.replace(' ', "%20");
    format!("/api/v1/{kind}/{id}/fhir?recipient={recipient}&purpose={purpose}")
}

/// A bundle that was served as FHIR JSON.
async fn bundle(api: &Api, path: &str) -> Value {
    let reply = api.get(path).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/fhir+json"));
    reply.json()
}

/// The refusal's message, which must come as 403 `no_consent`.
async fn refusal(api: &Api, path: &str) -> String {
    let reply = api.get(path).await;
    assert_eq!(reply.status, 403, "{path}: {}", reply.body);
    assert_eq!(reply.json()["error"]["code"], "no_consent", "{}", reply.body);
    reply.json()["error"]["message"].as_str().expect("a message").to_owned()
}

async fn a_consenting_participants_bundle_is_valid_fhir_and_holds_every_resource(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let coach = app.api(world.org, world.coach).await;
    let program = open_program(&manager, "ed_brief_intervention").await;
    let id = participant_with_work(&app, &world, &program, "Reyes").await;
    let every_item =
        ["contact_details", "participation", "assessments", "referrals", "recovery_plan"];
    let consent_id = consent(&coach, &id, consent_to(RECIPIENT, "treatment", &every_item)).await;

    let path = export_path("participants", &id, "harbor clinic", "treatment");
    let bundle = bundle(&coach, &path).await;
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    let expected: BTreeSet<String> =
        ["Consent", "Encounter", "Patient", "QuestionnaireResponse", "ServiceRequest", "Task"]
            .map(str::to_owned)
            .into();
    assert_eq!(types(&bundle), expected);
    assert_valid_fhir(&bundle);
    assert_references_resolve(&bundle);
    assert_eq!(resources(&bundle, "Task")[0]["for"]["reference"], format!("urn:uuid:{id}"));
    assert!(!bundle.to_string().contains("brother"), "no note leaves: {bundle}");

    let patient = resources(&bundle, "Patient")[0];
    assert_eq!(patient["id"], id);
    assert_eq!(patient["name"][0]["family"], "Reyes");
    assert_eq!(patient["birthDate"], "1988-06-15");
    let consent = resources(&bundle, "Consent")[0];
    assert_eq!(consent["id"], consent_id);
    assert_eq!(consent["status"], "active");
    assert_eq!(consent["provision"]["actor"][0]["reference"]["display"], RECIPIENT);
    assert_eq!(consent["provision"]["period"]["end"], "2099-12-31");
    assert!(consent["scope"]["coding"][0]["code"].is_string());
    assert!(consent["category"][0]["coding"][0]["code"].is_string());

    let encounters = resources(&bundle, "Encounter");
    assert_eq!(encounters.len(), 2);
    for encounter in &encounters {
        assert_eq!(encounter["status"], "finished");
        assert_eq!(encounter["class"]["code"], "VR", "a phone call is virtual");
        assert_eq!(encounter["length"]["value"], 20);
    }
    let responses = resources(&bundle, "QuestionnaireResponse");
    assert_eq!(responses.len(), 1, "the partial assessment stays out");
    assert_eq!(responses[0]["status"], "completed");
    assert_eq!(responses[0]["item"].as_array().map(Vec::len), Some(9));
    let requests = resources(&bundle, "ServiceRequest");
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|r| r["intent"] == "order" && r["status"] == "active"));
    let tasks = resources(&bundle, "Task");
    let mut statuses: Vec<&str> = tasks.iter().filter_map(|t| t["status"].as_str()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, ["accepted", "requested"]);
    assert!(tasks.iter().all(|t| t["intent"] == "order"));

    // The export is audited with what it held.
    let admin = app.api(world.org, world.admin).await;
    let events = admin.get(&format!("/api/v1/audit-events?action=export&record_id={id}")).await;
    let events = events.json();
    assert_eq!(events.as_array().map(Vec::len), Some(1), "{events}");

    // One participant from the command line, as their coach.
    let dir = tempfile::tempdir().expect("a directory");
    let out = dir.path().join("participant.json").display().to_string();
    let written = app.kindred(&[
        "export",
        "fhir",
        "--participant",
        &id,
        "--recipient",
        RECIPIENT,
        "--purpose",
        "treatment",
        "--org",
        world.org,
        "--as",
        world.coach,
        "--out",
        &out,
    ]);
    let said = String::from_utf8_lossy(&written.stdout);
    assert!(written.status.success(), "{said} {}", String::from_utf8_lossy(&written.stderr));
    assert!(said.contains("of 1 participant (1 Consent, 2 Encounter"), "{said}");
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("the file")).expect("JSON");
    assert_eq!(types(&file), expected);
    let detail = events[0]["detail"].as_str().expect("a detail");
    assert!(detail.contains("to Harbor Clinic for treatment"), "{detail}");
    assert!(detail.contains("2 Encounter") && detail.contains("2 Task"), "{detail}");
    assert_eq!(events[0]["actor_id"], world.coach_id.to_string());
}

async fn an_export_without_a_current_consent_for_that_recipient_and_purpose_is_refused(
    app: TestApp,
) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let coach = app.api(world.org, world.coach).await;
    let program = open_program(&manager, "ed_brief_intervention").await;
    let id = participant_with_work(&app, &world, &program, "Reyes").await;
    let path = export_path("participants", &id, RECIPIENT, "treatment");

    let reason = refusal(&coach, &path).await;
    assert!(reason.contains("no consent on file names Harbor Clinic"), "{reason}");
    assert!(reason.starts_with("P-"), "the participant is named: {reason}");

    consent(&coach, &id, consent_to("Riverside Court", "treatment", &["participation"])).await;
    let reason = refusal(&coach, &path).await;
    assert!(reason.contains("no consent on file names Harbor Clinic"), "{reason}");

    consent(&coach, &id, consent_to(RECIPIENT, "payment", &["participation"])).await;
    let reason = refusal(&coach, &path).await;
    assert!(reason.contains("is for payment, not for treatment"), "{reason}");

    let covering =
        consent(&coach, &id, consent_to(RECIPIENT, "treatment", &["participation"])).await;
    // Whoever sees the participant's work may export it: their coach, the coach's supervisor,
    // a manager.
    for who in [world.coach, world.supervisor, world.manager] {
        assert_eq!(app.api(world.org, who).await.get(&path).await.status, 200, "{who}");
    }
    let revoke = format!("/api/v1/participants/{id}/consents/{covering}/revoke");
    assert_eq!(coach.post(&revoke, json!({"reason": "Changed her mind"})).await.status, 200);
    let reason = refusal(&coach, &path).await;
    assert!(reason.contains("was revoked on"), "{reason}");

    // Nothing refused was audited as exported.
    let admin = app.api(world.org, world.admin).await;
    let exports = admin.get("/api/v1/audit-events?action=export").await.json();
    assert_eq!(exports.as_array().map(Vec::len), Some(3), "only those that went: {exports}");

    // The request must say to whom and why.
    let unnamed = coach.get(&format!("/api/v1/participants/{id}/fhir")).await;
    assert_eq!(unnamed.status, 422, "{}", unnamed.body);
    assert_eq!(unnamed.json()["error"]["fields"]["recipient"], "is required");
    assert_eq!(unnamed.json()["error"]["fields"]["purpose"], "is required");
    let odd = coach.get(&export_path("participants", &id, RECIPIENT, "curiosity")).await;
    assert!(
        odd.json()["error"]["fields"]["purpose"].as_str().is_some_and(|m| m.contains("treatment"))
    );

    // Consent or not, only those who may see the participant's work export it.
    for who in [world.lone_coach, world.evaluator, world.admin] {
        let reply = app.api(world.org, who).await.get(&path).await;
        assert_eq!(reply.status, 403, "{who}: {}", reply.body);
        assert_eq!(reply.json()["error"]["code"], "forbidden");
    }
    let outsider = app.api(world.other_org, world.other_manager).await;
    assert_eq!(outsider.get(&path).await.status, 404);
}

async fn the_consents_items_decide_which_resources_go(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let coach = app.api(world.org, world.coach).await;
    let program = open_program(&manager, "ed_brief_intervention").await;
    let id = participant_with_work(&app, &world, &program, "Reyes").await;
    let cases: [(&str, &[&str], &[&str]); 3] = [
        ("County Court", &["participation"], &["Consent", "Encounter", "Patient"]),
        ("Family Center", &["assessments"], &["Consent", "Patient", "QuestionnaireResponse"]),
        (
            "Eastside Housing Trust",
            &["referrals"],
            &["Consent", "Patient", "ServiceRequest", "Task"],
        ),
    ];
    for (recipient, items, expected) in cases {
        consent(&coach, &id, consent_to(recipient, "referral", items)).await;
        let bundle = bundle(&coach, &export_path("participants", &id, recipient, "referral")).await;
        let expected: BTreeSet<String> = expected.iter().map(|t| (*t).to_owned()).collect();
        assert_eq!(types(&bundle), expected, "{recipient}");
        let patient = resources(&bundle, "Patient")[0];
        for element in ["name", "telecom", "birthDate"] {
            assert!(patient.get(element).is_none(), "{element} without contact details");
        }
        assert!(patient["identifier"][0]["value"].as_str().is_some_and(|r| r.starts_with("P-")));
        assert!(!bundle.to_string().contains("Reyes"), "{recipient} gets no name");
        assert_valid_fhir(&bundle);
        assert_references_resolve(&bundle);
    }
}

async fn a_program_bundle_leaves_out_participants_without_consent_and_says_how_many(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let coach = app.api(world.org, world.coach).await;
    let program = open_program(&manager, "ed_brief_intervention").await;
    let elsewhere = open_program(&manager, "mobile_outreach").await;
    let evaluated = ["contact_details", "participation", "assessments", "referrals"];
    let mut consenting = Vec::new();
    for family in ["Reyes", "Okafor"] {
        let id = participant_with_work(&app, &world, &program, family).await;
        consent(&coach, &id, consent_to("State Evaluator", "evaluation", &evaluated)).await;
        consenting.push(id);
    }
    let unconsented = participant_with_work(&app, &world, &program, "Nolan").await;
    let revoked = participant_with_work(&app, &world, &program, "Quinn").await;
    let withdrawn =
        consent(&coach, &revoked, consent_to("State Evaluator", "evaluation", &evaluated)).await;
    let revoke = format!("/api/v1/participants/{revoked}/consents/{withdrawn}/revoke");
    assert_eq!(coach.post(&revoke, json!({})).await.status, 200);
    let other_program = participant_with_work(&app, &world, &elsewhere, "Vance").await;
    consent(&coach, &other_program, consent_to("State Evaluator", "evaluation", &evaluated)).await;

    let path = export_path("programs", &program, "State Evaluator", "evaluation");
    let reply = manager.get(&path).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("kindred-participants-left-out"), Some("2"));
    let bundle = reply.json();
    let patients: BTreeSet<&str> =
        resources(&bundle, "Patient").iter().filter_map(|p| p["id"].as_str()).collect();
    assert_eq!(patients, consenting.iter().map(String::as_str).collect());
    for absent in [&unconsented, &revoked, &other_program] {
        assert!(!bundle.to_string().contains(absent.as_str()), "{absent} is not in the bundle");
    }
    assert_eq!(resources(&bundle, "Consent").len(), 2);
    assert_eq!(resources(&bundle, "Encounter").len(), 4);
    let outcome = resources(&bundle, "OperationOutcome");
    let note = outcome[0]["issue"][0]["diagnostics"].as_str().expect("a note");
    assert!(note.starts_with("2 of the program's 4 participants left out"), "{note}");
    assert_eq!(outcome[0]["issue"][0]["code"], "suppressed");
    assert!(!bundle.to_string().contains("brother"));
    assert_valid_fhir(&bundle);
    assert_references_resolve(&bundle);

    let admin = app.api(world.org, world.admin).await;
    let events =
        admin.get(&format!("/api/v1/audit-events?action=export&record_id={program}")).await;
    let detail = events.json()[0]["detail"].as_str().expect("an export event").to_owned();
    assert!(detail.contains("2 participants") && detail.contains("2 left out"), "{detail}");
    assert!(detail.contains("2 Patient"), "{detail}");

    // The command line writes the same bundle, and says who was left out.
    let dir = tempfile::tempdir().expect("a directory");
    let out = dir.path().join("program.json");
    let export_as = |who: &'static str| {
        let out = out.display().to_string();
        app.kindred(&[
            "export",
            "fhir",
            "--program",
            &program,
            "--recipient",
            "State Evaluator",
            "--purpose",
            "evaluation",
            "--org",
            world.org,
            "--as",
            who,
            "--out",
            &out,
        ])
    };
    let written = export_as(world.manager);
    let said = String::from_utf8_lossy(&written.stdout);
    assert!(written.status.success(), "{said} {}", String::from_utf8_lossy(&written.stderr));
    assert!(said.contains("of 2 participants") && said.contains("Left out 2"), "{said}");
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("the file")).expect("JSON");
    assert_eq!(types(&file), types(&bundle));
    assert_eq!(resources(&file, "Patient").len(), 2);
    let refused = export_as(world.coach);
    assert!(!refused.status.success(), "a coach exports no program");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("only program managers"));

    let document = app.anonymous_api().get("/api/v1/openapi.json").await.json();
    for documented in ["/api/v1/participants/{id}/fhir", "/api/v1/programs/{id}/fhir"] {
        let responses = &document["paths"][documented]["get"]["responses"];
        assert!(responses["200"]["content"]["application/fhir+json"].is_object(), "{documented}");
    }

    // Managers only; another organisation's program is not found.
    for who in [world.coach, world.supervisor, world.evaluator] {
        let reply = app.api(world.org, who).await.get(&path).await;
        assert_eq!(reply.status, 403, "{who}: {}", reply.body);
    }
    let outsider = app.api(world.other_org, world.other_manager).await;
    assert_eq!(outsider.get(&path).await.status, 404);
}
