//! Group sessions: one contact per attendee in one transaction; an attendee the facilitator
//! may not work with refuses the whole session and nothing is saved.

use serde_json::json;

use crate::support::{PASSWORD, TestApp, enrol, on_both_backends};

on_both_backends!(a_group_session_logs_a_contact_for_each_attendee_or_none);

async fn a_group_session_logs_a_contact_for_each_attendee_or_none(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let lone = app.api(world.org, world.lone_coach).await;
    let ana = enrol(&coach, "Ana", "Reyes").await;
    let ben = enrol(&coach, "Ben", "Okafor").await;
    let someone_elses = enrol(&lone, "Cal", "Lone").await;
    let session = |attendees: Vec<&String>| {
        json!({"topic": "Relapse prevention", "minutes": 90, "mode": "in_person",
            "support_kinds": ["affiliational", "informational"], "activities": ["peer_group"],
            "attendees": attendees})
    };

    let refused = coach.post("/api/v1/group-sessions", session(vec![&ana, &someone_elses])).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(coach.get("/api/v1/contacts").await.json()["total"], 0, "nothing saved");
    let empty = coach.post("/api/v1/group-sessions", session(vec![])).await;
    assert_eq!(empty.status, 422);
    assert_eq!(empty.json()["error"]["fields"]["attendees"], "choose who came");

    let saved = coach.post("/api/v1/group-sessions", session(vec![&ana, &ben, &ana])).await;
    assert_eq!(saved.status, 201, "{}", saved.body);
    let body = saved.json();
    assert!(body["id"].is_string());
    assert_eq!(body["contacts"].as_array().expect("contacts").len(), 2);
    for participant in [&ana, &ben] {
        let listed = coach.get(&format!("/api/v1/contacts?participant_id={participant}")).await;
        let contact = &listed.json()["contacts"][0];
        assert_eq!(contact["format"], "group");
        assert_eq!(contact["minutes"], 90);
        assert_eq!(contact["group_session_id"], body["id"]);
        assert_eq!(contact["support_kinds"], json!(["informational", "affiliational"]));
    }

    // More people than one caseload page holds, and one who has left the program.
    for n in 0..50 {
        enrol(&coach, "Pat", &format!("Number{n:02}")).await;
    }
    let gone = enrol(&coach, "Gus", "Gone").await;
    let path = format!("/api/v1/participants/{gone}");
    let withdrawn = coach.patch(&path, json!({"status": "withdrawn"}), Some("\"1\"")).await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);

    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let form = browser.get("/group-sessions/new").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("Ana Reyes") && form.body.contains("Ben Okafor"));
    assert!(form.body.contains("Pat Number00") && form.body.contains("Pat Number49"), "all pages");
    assert!(!form.body.contains("Gus Gone"), "only active participants are offered");
    assert!(!form.body.contains("Cal Lone"), "only the facilitator's people are listed");
    let posted = browser
        .submit(
            "/group-sessions/new",
            &[
                ("topic", "Sober social"),
                ("minutes", "60"),
                ("mode", "in_person"),
                ("support_kinds", "affiliational"),
                ("attendees", &ben),
            ],
        )
        .await;
    assert_eq!(posted.status, 303, "{}", posted.body);
    assert_eq!(
        coach.get(&format!("/api/v1/contacts?participant_id={ben}")).await.json()["total"],
        2
    );
}
