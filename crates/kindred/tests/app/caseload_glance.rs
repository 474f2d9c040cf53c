//! The caseload at a glance (PRODUCT §4.1): each participant's card says when they were last
//! in contact, when the next contact is planned, their next appointment, how many tasks are
//! overdue, and shows the risk flags in words; the API's listing carries the same figures.
//!
//! With T = today, in the ED brief-intervention program (intake window days 0–14):
//! - Alpha, enrolled T-10: contacts T-9 and T-2 (the last planning a follow-up on T+3); a
//!   medical appointment T+5 (and a cancelled one T+1, which is not next); the protocol's
//!   brief intervention (due T-10) still open, so overdue; a PHQ-9 on T-1 with item 9 = 2;
//!   no intake assessment, so the intake window closes T+4 not done.
//! - Bravo, enrolled T-30 with no program: no contact, an appointment last week, a PHQ-9 with
//!   item 9 = 2 on T-20 then one with item 9 = 0 on T-3 (the most recent counts): nothing.

use fantoccini::Locator;
use serde_json::{Value, json};
use time::{Date, Duration};

use crate::browser::{axe_source, phone};
use crate::contacts::{contact, enrol_in, open_program, tasks_of};
use crate::support::{Api, PASSWORD, TestApp, World, minimal_participant, on_both_backends};

on_both_backends!(the_caseload_shows_contacts_overdue_tasks_and_risk_flags_at_a_glance);

/// "3 Nov" (with the year when it is not this year's), as the caseload writes a day.
fn short(day: Date, today: Date) -> String {
    let month = &day.month().to_string()[..3];
    if day.year() == today.year() {
        format!("{} {month}", day.day())
    } else {
        format!("{} {month} {}", day.day(), day.year())
    }
}

fn phq9(item9: i64) -> Value {
    let mut answers = serde_json::Map::new();
    for i in 1..=8 {
        answers.insert(format!("phq9_{i}"), json!(1));
    }
    answers.insert("phq9_9".into(), json!(item9));
    Value::Object(answers)
}

async fn post(api: &Api, path: &str, body: Value) -> Value {
    let reply = api.post(path, body).await;
    assert_eq!(reply.status, 201, "{path}: {}", reply.body);
    reply.json()
}

/// Alpha and Bravo as above; returns their ids.
async fn scenario(app: &TestApp, world: &World) -> (String, String) {
    let manager = app.api(world.org, world.manager).await;
    let coach = app.api(world.org, world.coach).await;
    let today = app.app.clock().today();
    let day = |n: i64| today + Duration::days(n);
    let program = open_program(&manager, "ed_brief_intervention").await;
    let coach_id = world.coach_id.to_string();
    let alpha = enrol_in(&manager, "Alpha", &program, day(-10), &coach_id).await;
    post(&coach, "/api/v1/contacts", contact(&alpha, day(-9))).await;
    let mut last = contact(&alpha, day(-2));
    last["next_follow_up_on"] = json!(day(3).to_string());
    post(&coach, "/api/v1/contacts", last).await;
    let appointments = format!("/api/v1/participants/{alpha}/appointments");
    post(
        &coach,
        &appointments,
        json!({"kind": "medical", "date": day(5).to_string(), "with_whom": "Harbor Clinic"}),
    )
    .await;
    post(&coach, &appointments, json!({"kind": "medical", "date": day(1).to_string(), "with_whom": "Harbor Clinic", "status": "cancelled"})).await;
    let assessments = format!("/api/v1/participants/{alpha}/assessments");
    post(
        &coach,
        &assessments,
        json!({"instrument": "phq-9", "complete": true,
        "administered_on": day(-1).to_string(), "answers": phq9(2)}),
    )
    .await;

    let mut body = minimal_participant("Pat", "Bravo");
    body["enrolled_on"] = json!(day(-30).to_string());
    body["coach_id"] = json!(coach_id);
    let bravo =
        post(&manager, "/api/v1/participants", body).await["id"].as_str().expect("id").to_owned();
    let appointments = format!("/api/v1/participants/{bravo}/appointments");
    post(
        &coach,
        &appointments,
        json!({"kind": "medical", "date": day(-7).to_string(), "with_whom": "Harbor Clinic"}),
    )
    .await;
    let assessments = format!("/api/v1/participants/{bravo}/assessments");
    for (on, item9) in [(-20, 2), (-3, 0)] {
        post(
            &coach,
            &assessments,
            json!({"instrument": "phq-9", "complete": true,
            "administered_on": day(on).to_string(), "answers": phq9(item9)}),
        )
        .await;
    }
    (alpha, bravo)
}

/// The caseload card of the participant with this family name.
fn card<'a>(page: &'a str, family: &str) -> &'a str {
    page.split("<li class=\"card\">")
        .find(|c| c.contains(&format!("Pat {family}")))
        .unwrap_or_else(|| panic!("no card for {family}: {page}"))
}

async fn the_caseload_shows_contacts_overdue_tasks_and_risk_flags_at_a_glance(app: TestApp) {
    let world = app.world().await;
    let (alpha, _) = scenario(&app, &world).await;
    let today = app.app.clock().today();
    let day = |n: i64| short(today + Duration::days(n), today);
    let coach = app.api(world.org, world.coach).await;
    // Overdue as the task list has it: open and due before today (the brief intervention,
    // and whatever else the protocol and the follow-up schedule made due by now).
    let overdue = tasks_of(&coach, &alpha)
        .await
        .iter()
        .filter(|t| t["status"] == "open" && t["due_on"].as_str() < Some(&today.to_string()))
        .count();
    assert!(overdue >= 1, "the brief intervention is overdue");
    let overdue_text =
        if overdue == 1 { "1 overdue task".to_owned() } else { format!("{overdue} overdue tasks") };

    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let page = browser.get("/caseload").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let alpha_card = card(&page.body, "Alpha");
    let facts = format!(
        "Last contact {} · Next contact {} · Appointment {} · {overdue_text}",
        day(-2),
        day(3),
        day(5)
    );
    assert!(alpha_card.contains(&facts), "expected {facts:?} in {alpha_card}");
    assert!(alpha_card.contains(">PHQ-9 item 9<"), "{alpha_card}");
    assert!(alpha_card.contains(&format!("answered above 0 on {}", day(-1))), "{alpha_card}");
    assert!(alpha_card.contains(&format!(">Window closes {}<", day(4))), "{alpha_card}");
    assert!(alpha_card.contains("(Intake follow-up, not yet done)"), "{alpha_card}");

    let bravo_card = card(&page.body, "Bravo");
    assert!(bravo_card.contains(">No contact yet<"), "{bravo_card}");
    for absent in ["Next contact", "Appointment", "overdue", "PHQ-9", "Window closes", "risk"] {
        assert!(!bravo_card.contains(absent), "{absent} on Bravo's card: {bravo_card}");
    }

    // The API's listing carries the same figures.
    let list = coach.get("/api/v1/participants").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let items = list.json()["items"].as_array().expect("items").clone();
    let item = |id: &str| items.iter().find(|i| i["id"] == id).expect("listed").clone();
    let glance = item(&alpha)["at_a_glance"].clone();
    let iso = |n: i64| (today + Duration::days(n)).to_string();
    assert_eq!(glance["last_contact_on"], iso(-2), "{glance}");
    assert_eq!(glance["next_contact_on"], iso(3));
    assert_eq!(glance["next_appointment_on"], iso(5));
    assert_eq!(glance["overdue_tasks"], overdue);
    let codes: Vec<&str> = glance["risk_flags"]
        .as_array()
        .expect("flags")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert_eq!(codes, ["phq9_item9", "window_closing"], "{glance}");
    assert_eq!(glance["risk_flags"][1]["on"], iso(4));
    assert_eq!(glance["risk_flags"][1]["time_point"], "Intake");
    let bravo = items.iter().find(|i| i["name"] == "Pat Bravo").expect("Bravo listed");
    assert_eq!(
        bravo["at_a_glance"],
        json!({"last_contact_on": null, "next_contact_on": null, "next_appointment_on": null,
               "overdue_tasks": 0, "risk_flags": []})
    );

    // The coach's supervisor (a team scope) and the manager (the organisation) see them too.
    for who in [world.supervisor, world.manager] {
        let list = app.api(world.org, who).await.get("/api/v1/participants").await.json();
        let theirs = list["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["id"] == alpha.as_str())
            .expect("Alpha listed")["at_a_glance"]
            .clone();
        assert_eq!(theirs, glance, "{who}");
    }

    // The OpenAPI document describes them.
    let document = app.anonymous_api().get("/api/v1/openapi.json").await.json();
    let schemas = &document["components"]["schemas"];
    assert!(schemas["ParticipantListItem"]["properties"]["at_a_glance"].is_object());
    for field in ["last_contact_on", "next_contact_on", "overdue_tasks", "risk_flags"] {
        assert!(schemas["GlanceBody"]["properties"][field].is_object(), "{field}: {schemas}");
    }
    assert!(schemas["RiskFlagBody"]["properties"]["code"].is_object(), "{schemas}");

    // An evaluator's research records carry none of it.
    let evaluator = app.api(world.org, world.evaluator).await;
    let research = evaluator.get("/api/v1/participants").await.json();
    let records = research["items"].as_array().expect("items");
    assert!(!records.is_empty());
    assert!(records.iter().all(|r| r.get("at_a_glance").is_none()), "{research}");
}

/// On a 390-px phone the caseload with its figures and flags fits the screen, and axe finds
/// no serious violation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_caseload_at_a_glance_fits_a_phone() {
    let app = TestApp::sqlite().await;
    let world = app.world().await;
    scenario(&app, &world).await;
    let Some(phone) = phone().await else { return };
    let client = &phone.client;
    phone.sign_in(&app.base_url, world.org, world.coach).await;
    client.goto(&format!("{}/caseload", app.base_url)).await.expect("navigates");
    phone.expect_page("My caseload").await;
    let flags = client.find_all(Locator::Css(".risk-flags .badge")).await.expect("badges").len();
    assert_eq!(flags, 2, "Alpha's two risk flags are shown");
    assert!(phone.fits_the_screen().await, "the caseload fits a phone");
    phone.screenshot("caseload-glance").await;
    if let Some(axe) = axe_source() {
        let violations = phone.serious_accessibility_violations(&axe).await;
        assert!(violations.is_empty(), "{}", violations.join("\n"));
    }
    let _ = client.clone().close().await;
}
