//! Contacts: logged with field-level errors and nothing saved on bad input; closing the
//! protocol step they do (late ones too) and the follow-ups they answer; kept with their edit
//! history; listed per participant and per coach; refused outside the caseload.

use serde_json::{Value, json};
use time::{Date, Duration};

use crate::programs::create_program;
use crate::support::{Api, TestApp, enrol, minimal_participant, on_both_backends};

on_both_backends!(
    a_contact_does_the_due_step_and_sets_the_next_follow_up,
    bad_contacts_are_refused_field_by_field_and_nothing_is_saved,
    contacts_are_refused_outside_the_caseload_and_to_evaluators,
    an_edited_contact_keeps_who_changed_what_and_when,
    contacts_are_listed_per_participant_and_per_coach,
);

/// A program without eligibility rules from a template.
pub async fn open_program(manager: &Api, template: &str) -> String {
    let body = json!({"template_code": template, "name": template,
        "min_months_in_recovery": "", "requires_certification": false, "min_training_hours": ""});
    create_program(manager, body).await["id"].as_str().expect("id").to_owned()
}

/// Enrols a participant in `program` on `enrolled_on` with `coach`; returns their id.
pub async fn enrol_in(
    api: &Api,
    family: &str,
    program: &str,
    enrolled_on: Date,
    coach: &str,
) -> String {
    let mut body = minimal_participant("Pat", family);
    body["program_id"] = json!(program);
    body["enrolled_on"] = json!(enrolled_on.to_string());
    body["coach_id"] = json!(coach);
    let reply = api.post("/api/v1/participants", body).await;
    assert_eq!(reply.status, 201, "enrolling {family}: {}", reply.body);
    reply.json()["id"].as_str().expect("id").to_owned()
}

pub async fn tasks_of(api: &Api, participant: &str) -> Vec<Value> {
    let reply = api.get(&format!("/api/v1/participants/{participant}/tasks")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json().as_array().expect("a list").clone()
}

pub fn step<'a>(tasks: &'a [Value], code: &str) -> &'a Value {
    tasks.iter().find(|t| t["step_code"] == code).unwrap_or_else(|| panic!("no {code} task"))
}

/// A valid contact body for `participant` on `date` (noon).
pub fn contact(participant: &str, date: Date) -> Value {
    json!({
        "participant_id": participant,
        "occurred_at": format!("{date}T12:00"),
        "minutes": 20,
        "mode": "phone",
        "support_kinds": ["emotional", "informational"],
        "activities": ["check_in"],
    })
}

async fn log(api: &Api, body: Value) -> Value {
    let reply = api.post("/api/v1/contacts", body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let created = reply.json();
    let id = created["id"].as_str().expect("an id");
    assert_eq!(reply.header("location"), Some(format!("/api/v1/contacts/{id}").as_str()));
    created
}

async fn a_contact_does_the_due_step_and_sets_the_next_follow_up(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let coach = app.api(world.org, world.coach).await;
    let program = open_program(&manager, "ed_brief_intervention").await;
    let today = app.app.clock().today();
    let coach_id = world.coach_id.to_string();
    // Enrolled 11 days ago: the telephone booster (day 10, window 8–12) is open and overdue.
    let on_time =
        enrol_in(&manager, "Booth", &program, today - Duration::days(11), &coach_id).await;
    // Enrolled 20 days ago: its window closed 8 days ago.
    let late = enrol_in(&manager, "Lately", &program, today - Duration::days(20), &coach_id).await;

    let booster = step(&tasks_of(&coach, &on_time).await, "telephone_booster")["id"].clone();
    let mut body = contact(&on_time, today);
    body["task_id"] = booster.clone();
    body["next_follow_up_on"] = json!((today + Duration::days(7)).to_string());
    let logged = log(&coach, body).await;
    assert_eq!(logged["task_id"], booster);
    assert_eq!(logged["coach_id"], coach_id);
    assert_eq!(logged["support_kinds"], json!(["emotional", "informational"]));
    assert_eq!(logged["version"], 1);

    let tasks = tasks_of(&coach, &on_time).await;
    let done = step(&tasks, "telephone_booster");
    assert_eq!(done["status"], "done");
    assert_eq!(done["completed_on"], today.to_string());
    let follow_ups: Vec<&Value> = tasks.iter().filter(|t| t["kind"] == "follow_up").collect();
    assert_eq!(follow_ups.len(), 1);
    assert_eq!(follow_ups[0]["due_on"], (today + Duration::days(7)).to_string());
    assert_eq!(follow_ups[0]["assignee_id"], coach_id);
    assert_eq!(follow_ups[0]["status"], "open");

    // A done step cannot be done again.
    let mut again = contact(&on_time, today);
    again["task_id"] = booster;
    let refused = coach.post("/api/v1/contacts", again).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.json()["error"]["fields"]["task_id"].is_string());

    // A contact before the follow-up date leaves it open; one on it closes it.
    log(&coach, contact(&on_time, today)).await;
    let open = tasks_of(&coach, &on_time).await;
    assert_eq!(
        open.iter().filter(|t| t["kind"] == "follow_up" && t["status"] == "open").count(),
        1
    );

    // The late participant's booster, done today, is done but outside its window.
    let late_step = step(&tasks_of(&coach, &late).await, "telephone_booster").clone();
    assert_eq!(late_step["window_closed"], true);
    let mut body = contact(&late, today);
    body["task_id"] = late_step["id"].clone();
    log(&coach, body).await;
    let closed = step(&tasks_of(&coach, &late).await, "telephone_booster").clone();
    assert_eq!(closed["status"], "done");
    assert_eq!(closed["completed_on"], today.to_string());
    assert!(closed["closes_on"].as_str().expect("closes") < today.to_string().as_str());
}

async fn bad_contacts_are_refused_field_by_field_and_nothing_is_saved(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let participant = enrol(&coach, "Ana", "Reyes").await;
    let today = app.app.clock().today();
    let bad = json!({
        "participant_id": participant,
        "occurred_at": format!("{}T10:00", today + Duration::days(5)),
        "minutes": "lots",
        "mode": "carrier_pigeon",
        "support_kinds": [],
        "note": "x".repeat(281),
        "next_follow_up_on": "soon",
    });
    let reply = coach.post("/api/v1/contacts", bad).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let fields = &reply.json()["error"]["fields"];
    assert_eq!(fields["occurred_at"], "must not be in the future");
    assert!(fields["minutes"].as_str().is_some_and(|m| m.contains("whole number")));
    assert!(fields["mode"].as_str().is_some_and(|m| m.contains("in_person")));
    assert_eq!(fields["support_kinds"], "choose at least one kind of support");
    assert_eq!(fields["note"], "must be at most 280 characters");
    assert!(fields["next_follow_up_on"].is_string());
    let unknown =
        coach.post("/api/v1/contacts", contact(&uuid::Uuid::now_v7().to_string(), today)).await;
    assert_eq!(unknown.status, 422);
    assert_eq!(unknown.json()["error"]["fields"]["participant_id"], "is not a participant");

    let listed = coach.get(&format!("/api/v1/contacts?participant_id={participant}")).await;
    assert_eq!(listed.json()["total"], 0);
    assert!(tasks_of(&coach, &participant).await.is_empty());
}

async fn contacts_are_refused_outside_the_caseload_and_to_evaluators(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let participant = enrol(&coach, "Ana", "Reyes").await;
    let today = app.app.clock().today();
    let logged = log(&coach, contact(&participant, today)).await;
    let path = format!("/api/v1/contacts/{}", logged["id"].as_str().expect("id"));

    let lone = app.api(world.org, world.lone_coach).await;
    let refused = lone.post("/api/v1/contacts", contact(&participant, today)).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.json()["error"]["message"].as_str().is_some_and(|m| m.contains("coach")));
    assert_eq!(lone.get(&path).await.status, 403);
    assert_eq!(lone.patch(&path, json!({"minutes": 90}), None).await.status, 403);
    let evaluator = app.api(world.org, world.evaluator).await;
    let reply = evaluator.get(&path).await;
    assert_eq!(reply.status, 403);
    assert!(reply.json()["error"]["message"].as_str().is_some_and(|m| m.contains("evaluators")));
    assert_eq!(evaluator.post("/api/v1/contacts", contact(&participant, today)).await.status, 403);
    assert_eq!(evaluator.get("/api/v1/contacts").await.status, 403);

    // The coach's supervisor and a manager may log for them.
    let supervisor = app.api(world.org, world.supervisor).await;
    let by_supervisor = log(&supervisor, contact(&participant, today)).await;
    assert_eq!(by_supervisor["coach_id"], world.supervisor_id.to_string());
    let manager = app.api(world.org, world.manager).await;
    log(&manager, contact(&participant, today)).await;
    let listed = coach.get(&format!("/api/v1/contacts?participant_id={participant}")).await;
    assert_eq!(listed.json()["total"], 3);
    // Nothing the lone coach tried was saved.
    assert_eq!(
        lone.get(&format!("/api/v1/contacts?coach_id={}", world.lone_coach_id)).await.json()["total"],
        0
    );
}

async fn an_edited_contact_keeps_who_changed_what_and_when(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let participant = enrol(&coach, "Ana", "Reyes").await;
    let today = app.app.clock().today();
    let logged = log(&coach, contact(&participant, today)).await;
    let path = format!("/api/v1/contacts/{}", logged["id"].as_str().expect("id"));

    let bad = coach.patch(&path, json!({"support_kinds": []}), None).await;
    assert_eq!(bad.status, 422);
    let edited = coach
        .patch(&path, json!({"minutes": 45, "activities": ["check_in", "escort"]}), None)
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.json()["minutes"], 45);
    assert_eq!(edited.json()["version"], 2);
    let supervisor = app.api(world.org, world.supervisor).await;
    supervisor.patch(&path, json!({"mode": "in_person", "note": "Met at the café"}), None).await;
    // No change, no revision.
    coach.patch(&path, json!({"minutes": "45"}), None).await;

    let revisions = coach.get(&format!("{path}/revisions")).await;
    assert_eq!(revisions.status, 200, "{}", revisions.body);
    let revisions = revisions.json();
    let revisions = revisions.as_array().expect("revisions");
    assert_eq!(revisions.len(), 2);
    assert_eq!(revisions[0]["changed_by"], world.coach_id.to_string());
    assert_eq!(
        revisions[0]["changes"],
        json!([
            {"field": "minutes", "before": "20", "after": "45"},
            {"field": "activities", "before": "Check-in", "after": "Check-in, Escort"},
        ])
    );
    assert_eq!(revisions[1]["changed_by_name"], "supervisor");
    assert_eq!(
        revisions[1]["changes"][0],
        json!({"field": "mode", "before": "Phone", "after": "In person"})
    );
    assert_eq!(revisions[1]["changes"][1]["after"], "Met at the café");
    let now = coach.get(&path).await.json();
    assert_eq!(now["version"], 3);
    assert_eq!(now["mode"], "in_person");
}

async fn contacts_are_listed_per_participant_and_per_coach(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let supervisor = app.api(world.org, world.supervisor).await;
    let ana = enrol(&coach, "Ana", "Reyes").await;
    let ben = enrol(&coach, "Ben", "Okafor").await;
    let today = app.app.clock().today();
    for days_ago in 0..22 {
        log(&coach, contact(&ana, today - Duration::days(days_ago))).await;
    }
    log(&coach, contact(&ben, today)).await;

    let first = coach.get(&format!("/api/v1/contacts?participant_id={ana}")).await.json();
    assert_eq!(first["total"], 22);
    assert_eq!(first["page_count"], 2);
    let contacts = first["contacts"].as_array().expect("contacts");
    assert_eq!(contacts.len(), 20);
    assert!(contacts[0]["occurred_at"].as_str() > contacts[1]["occurred_at"].as_str());
    let second = coach.get(&format!("/api/v1/contacts?participant_id={ana}&page=2")).await.json();
    assert_eq!(second["contacts"].as_array().expect("contacts").len(), 2);

    // The coach's own list, and the supervisor's view of it.
    let own = coach.get("/api/v1/contacts").await.json();
    assert_eq!(own["total"], 23);
    let theirs = supervisor.get(&format!("/api/v1/contacts?coach_id={}", world.coach_id)).await;
    assert_eq!(theirs.json()["total"], 23);
    let mixed = supervisor
        .get(&format!("/api/v1/contacts?coach_id={}&participant_id={ben}", world.coach_id))
        .await;
    assert_eq!(mixed.json()["total"], 1);
    // A coach cannot list another coach's contacts; a supervisor not someone else's coach.
    let other = coach.get(&format!("/api/v1/contacts?coach_id={}", world.supervisor_id)).await;
    assert_eq!(other.status, 403);
    let lone = supervisor.get(&format!("/api/v1/contacts?coach_id={}", world.lone_coach_id)).await;
    assert_eq!(lone.status, 403);
}
