//! Lists follow the caseload, not who wrote the rows: when a participant moves from one coach
//! to another, the first coach's lists and pages no longer show them and the new coach's do,
//! with the open tasks moved across (the done ones keep who did them), and the audit log says
//! so.

use serde_json::{Value, json};

use crate::support::{Api, Browser, PASSWORD, TestApp, minimal_participant, on_both_backends};

on_both_backends!(a_participant_moved_to_another_coach_leaves_the_first_coachs_lists);

/// Every list and page a coach works from, as text: what the coach can see.
async fn everything_listed(api: &Api, browser: &mut Browser) -> String {
    let mut seen = String::new();
    for path in [
        "/api/v1/participants",
        "/api/v1/participants?search=Quist",
        "/api/v1/contacts",
        "/api/v1/tasks",
        "/api/v1/follow-up",
        "/api/v1/referrals/open",
    ] {
        let reply = api.get(path).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        seen.push_str(&reply.body);
    }
    for path in ["/caseload", "/caseload?search=Quist", "/contacts", "/tasks", "/follow-up"] {
        let reply = browser.get(path).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        seen.push_str(&reply.body);
    }
    seen
}

async fn a_participant_moved_to_another_coach_leaves_the_first_coachs_lists(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let jamie = app.api(world.org, world.coach).await;
    let rico = app.api(world.org, world.lone_coach).await;
    let mut jamie_pages = app.browser();
    jamie_pages.sign_in(world.org, world.coach, PASSWORD).await;
    let mut rico_pages = app.browser();
    rico_pages.sign_in(world.org, world.lone_coach, PASSWORD).await;

    // Jamie enrols Maya into a program whose protocol makes two steps due, does the first
    // with a contact (with a note), and sets a follow-up.
    let program =
        manager.post("/api/v1/programs", json!({"template_code": "mobile_outreach"})).await;
    assert_eq!(program.status, 201, "{}", program.body);
    let program = program.json()["id"].as_str().expect("a program").to_owned();
    let mut body = minimal_participant("Maya", "Quist");
    body["program_id"] = json!(program);
    let enrolled = jamie.post("/api/v1/participants", body).await;
    assert_eq!(enrolled.status, 201, "{}", enrolled.body);
    let maya = enrolled.json()["id"].as_str().expect("an id").to_owned();
    let tasks = jamie.get(&format!("/api/v1/participants/{maya}/tasks")).await.json();
    let first_step = tasks
        .as_array()
        .expect("tasks")
        .iter()
        .find(|t| t["step_code"] == "referral_offer")
        .expect("the first step")["id"]
        .clone();
    let follow_up_on = time::OffsetDateTime::now_utc().date() + time::Duration::days(30);
    let contact = jamie
        .post(
            "/api/v1/contacts",
            json!({
                "participant_id": maya, "minutes": 20, "mode": "in_person",
                "format": "one_to_one", "support_kinds": ["informational"],
                "task_id": first_step, "note": "Talked through the clinic intake",
                "next_follow_up_on": follow_up_on.to_string(),
            }),
        )
        .await;
    assert_eq!(contact.status, 201, "{}", contact.body);
    let seen = everything_listed(&jamie, &mut jamie_pages).await;
    assert!(seen.contains("Quist"), "Jamie sees Maya before the move");
    assert!(seen.contains("Talked through the clinic intake"));

    // The manager moves Maya to Rico (who does not meet the program's rules: overridden).
    let moved = manager
        .patch(
            &format!("/api/v1/participants/{maya}"),
            json!({"coach_id": world.lone_coach_id.to_string(),
                   "coach_override_reason": "Rico covers the night van now"}),
            None,
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);

    // Jamie's lists and pages no longer show her, her contacts or her tasks, and her record
    // is refused.
    let seen = everything_listed(&jamie, &mut jamie_pages).await;
    assert!(!seen.contains("Quist"), "Jamie still sees Maya after the move");
    assert!(!seen.contains("Talked through the clinic intake"), "Jamie still sees the note");
    assert!(!seen.contains(&maya), "Jamie's lists still name Maya's id");
    assert_eq!(jamie.get(&format!("/api/v1/participants/{maya}")).await.status, 403);
    assert_eq!(jamie.get(&format!("/api/v1/contacts?participant_id={maya}")).await.status, 403);

    // Rico's do, with the note Jamie wrote.
    let seen = everything_listed(&rico, &mut rico_pages).await;
    assert!(seen.contains("Quist"), "Rico does not see Maya");
    assert!(seen.contains("Talked through the clinic intake"));

    // Open tasks moved to Rico (protocol steps have no assignee: they are the coach's,
    // whoever that is); the step Jamie did stays done.
    let tasks = rico.get(&format!("/api/v1/participants/{maya}/tasks")).await.json();
    let tasks = tasks.as_array().expect("tasks");
    let open: Vec<&Value> = tasks.iter().filter(|t| t["status"] == "open").collect();
    assert!(open.len() >= 2, "the second step and the follow-up are open: {tasks:?}");
    let jamie_id = json!(world.coach_id.to_string());
    assert!(open.iter().all(|t| t["assignee_id"] != jamie_id), "{open:?}");
    let follow_up = open.iter().find(|t| t["kind"] == "follow_up").expect("the follow-up");
    assert_eq!(follow_up["assignee_id"], json!(world.lone_coach_id.to_string()));
    assert!(tasks.iter().any(|t| t["status"] == "done" && t["step_code"] == "referral_offer"));
    let due = rico.get("/api/v1/tasks").await.json();
    let mine = due["items"].as_array().expect("items");
    assert!(mine.iter().any(|t| t["participant_id"] == json!(maya)), "{due}");

    // The audit log records the move.
    let admin = app.api(world.org, world.admin).await;
    let events = admin.get("/api/v1/audit-events?record_type=task").await;
    assert!(events.body.contains("moved to coach"), "{}", events.body);
}
