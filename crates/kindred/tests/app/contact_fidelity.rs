//! Fidelity computed from logged contacts, on a small fixed scenario with hand-computed
//! figures. The ED brief-intervention protocol has two steps: the brief intervention (day 0,
//! window 0–1) and the telephone booster (day 10, window 8–12); its target caseload is 40.
//!
//! With T = today, the coach's three participants:
//! - A, enrolled T-20: contact T-20 (30 min, emotional + informational, check-in) does the
//!   brief intervention, on time; contact T-10 (20 min, emotional, motivational conversation)
//!   does the booster (window T-12…T-8), on time.
//! - B, enrolled T-20: contact T-18 (45 min, instrumental, escort) does the brief intervention
//!   after its window (T-20…T-19) closed: done, but late. No booster: missed.
//! - C, enrolled T-5: no contact. Brief intervention missed (window closed T-4); the booster
//!   is due T+5, outside the period.
//!
//! Steps: on time 2 (A, A), late 1 (B), missed 2 (B booster, C brief): share 2/5 = 0.4.
//! Dose: 3 contacts, 95 minutes; emotional 2 contacts / 50 min, informational 1 / 30,
//! instrumental 1 / 45; check-in 1 / 30, motivational conversation 1 / 20, escort 1 / 45.
//! Days to first contact: A 0, B 2 → median 1.0; C not yet contacted (1).
//! Caseload 3 against a target of 40.

use serde_json::{Value, json};
use time::Duration;

use crate::browser::{axe_source, phone};
use crate::contacts::{enrol_in, open_program, step, tasks_of};
use crate::support::{Api, Browser, PASSWORD, TestApp, World, on_both_backends};

on_both_backends!(fidelity_from_contacts_matches_the_hand_computed_figures);

async fn log_step(
    api: &Api,
    participant: &str,
    days_ago: i64,
    today: time::Date,
    task: &Value,
    body: Value,
) {
    let mut body = body;
    body["participant_id"] = json!(participant);
    body["occurred_at"] = json!(format!("{}T10:00", today - Duration::days(days_ago)));
    if !task.is_null() {
        body["task_id"] = task.clone();
    }
    let reply = api.post("/api/v1/contacts", body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

fn dose(list: &Value, code: &str) -> (u64, u64) {
    let entry = list
        .as_array()
        .expect("a list")
        .iter()
        .find(|e| e[0] == code)
        .unwrap_or_else(|| panic!("no {code} in {list}"));
    (
        entry[1]["contacts"].as_u64().expect("contacts"),
        entry[1]["minutes"].as_u64().expect("minutes"),
    )
}

/// The scenario above: the coach's three participants and their contacts; returns the
/// program's id.
async fn scenario(app: &TestApp, world: &World) -> String {
    let manager = app.api(world.org, world.manager).await;
    let coach = app.api(world.org, world.coach).await;
    let program = open_program(&manager, "ed_brief_intervention").await;
    let today = app.app.clock().today();
    let coach_id = world.coach_id.to_string();
    let a = enrol_in(&manager, "Alpha", &program, today - Duration::days(20), &coach_id).await;
    let b = enrol_in(&manager, "Bravo", &program, today - Duration::days(20), &coach_id).await;
    enrol_in(&manager, "Charlie", &program, today - Duration::days(5), &coach_id).await;

    let a_tasks = tasks_of(&coach, &a).await;
    let b_tasks = tasks_of(&coach, &b).await;
    let brief = |tasks: &[Value]| step(tasks, "brief_intervention")["id"].clone();
    log_step(
        &coach,
        &a,
        20,
        today,
        &brief(&a_tasks),
        json!({"minutes": 30, "mode": "phone",
        "support_kinds": ["emotional", "informational"], "activities": ["check_in"]}),
    )
    .await;
    log_step(&coach, &a, 10, today, &step(&a_tasks, "telephone_booster")["id"], json!({"minutes": 20,
        "mode": "phone", "support_kinds": ["emotional"], "activities": ["motivational_conversation"]})).await;
    log_step(
        &coach,
        &b,
        18,
        today,
        &brief(&b_tasks),
        json!({"minutes": 45, "mode": "in_person",
        "support_kinds": ["instrumental"], "activities": ["escort"]}),
    )
    .await;
    program
}

async fn fidelity_from_contacts_matches_the_hand_computed_figures(app: TestApp) {
    let world = app.world().await;
    let program = scenario(&app, &world).await;
    let coach_id = world.coach_id.to_string();

    let reply = app
        .api(world.org, world.supervisor)
        .await
        .get(&format!("/api/v1/fidelity?program={program}&period=90d"))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    let mine = body["coaches"]
        .as_array()
        .expect("coaches")
        .iter()
        .find(|c| c["coach_id"] == coach_id.as_str())
        .expect("the coach's figures")["figures"]
        .clone();
    assert_eq!(mine["steps_on_time"], 2, "{mine}");
    assert_eq!(mine["steps_late"], 1, "the brief intervention done after its window");
    assert_eq!(mine["steps_missed"], 2);
    assert_eq!(mine["share_on_time"], 0.4);
    assert_eq!(mine["contacts"], 3);
    assert_eq!(mine["minutes"], 95);
    assert_eq!(mine["participants_reached"], 2);
    assert_eq!(dose(&mine["by_support_kind"], "emotional"), (2, 50));
    assert_eq!(dose(&mine["by_support_kind"], "informational"), (1, 30));
    assert_eq!(dose(&mine["by_support_kind"], "instrumental"), (1, 45));
    assert_eq!(dose(&mine["by_activity"], "check_in"), (1, 30));
    assert_eq!(dose(&mine["by_activity"], "motivational_conversation"), (1, 20));
    assert_eq!(dose(&mine["by_activity"], "escort"), (1, 45));
    assert_eq!(mine["median_days_to_first_contact"], 1.0);
    assert_eq!(mine["not_yet_contacted"], 1);
    assert_eq!(mine["caseload"], 3);
    assert_eq!(mine["caseload_target"], 40);
    // The per-step breakdown of the program agrees.
    let booster = body["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["code"] == "telephone_booster")
        .expect("booster")
        .clone();
    assert_eq!((booster["on_time"].clone(), booster["missed"].clone()), (json!(1), json!(1)));
    // Over every program, steps are named for people too, never by their code.
    let page = supervisor_browser(&app, &world).await.get("/fidelity?period=90d").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(booster["name"], "Telephone booster");
    let steps = steps_section(&page.body);
    for label in ["Telephone booster", "Brief motivational intervention"] {
        assert!(steps.contains(&format!(">{label}<")), "{label} missing: {steps}");
    }
    for code in ["telephone_booster", "brief_intervention"] {
        assert!(!steps.contains(code), "a step by its code {code}: {steps}");
    }
    // A step whose program's protocol no longer holds it is still named, from the templates.
    app.raw_sql("DELETE FROM protocol_steps WHERE code = 'telephone_booster'")
        .await
        .expect("the step leaves the protocol");
    let page = supervisor_browser(&app, &world).await.get("/fidelity?period=90d").await;
    let steps = steps_section(&page.body);
    assert!(steps.contains(">Telephone booster<"), "{steps}");
    assert!(!steps.contains("telephone_booster"), "a step by its code: {steps}");
}

/// The fidelity page's protocol steps section (the program's select names this test's
/// program by its template code, so the whole page may hold a code).
fn steps_section(body: &str) -> &str {
    let start = body.find("id=\"steps-heading\"").expect("a protocol steps section");
    let rest = &body[start..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

/// On a 390-px phone, the protocol steps table over every program fits without sideways
/// scrolling, and the page has no serious accessibility violation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fidelity_steps_table_fits_a_phone() {
    let app = TestApp::sqlite().await;
    let world = app.world().await;
    scenario(&app, &world).await;
    let Some(phone) = phone().await else { return };
    let client = &phone.client;
    phone.sign_in(&app.base_url, world.org, world.supervisor).await;
    client.goto(&format!("{}/fidelity?period=90d", app.base_url)).await.expect("navigates");
    phone.expect_page("Fidelity").await;
    let table = client
        .execute(
            "const t = document.querySelector('table.steps');
             return t && [t.scrollWidth, t.clientWidth, t.getBoundingClientRect().right,
                          window.innerWidth, t.innerText];",
            vec![],
        )
        .await
        .expect("script runs");
    let [scroll, client_width, right, inner, text] =
        table.as_array().map(Vec::as_slice).unwrap_or_default()
    else {
        panic!("no steps table: {table}");
    };
    assert!(scroll.as_f64() <= client_width.as_f64(), "the table scrolls sideways: {table}");
    assert!(right.as_f64() <= inner.as_f64(), "the table runs off the screen: {table}");
    assert!(text.as_str().is_some_and(|t| t.contains("Telephone booster")), "{table}");
    assert!(phone.fits_the_screen().await, "the fidelity page fits a phone");
    client
        .execute("document.querySelector('table.steps').scrollIntoView();", vec![])
        .await
        .expect("scrolls");
    phone.screenshot("fidelity-steps").await;
    if let Some(axe) = axe_source() {
        let violations = phone.serious_accessibility_violations(&axe).await;
        assert!(violations.is_empty(), "{}", violations.join("\n"));
    }
    let _ = client.clone().close().await;
}

async fn supervisor_browser(app: &TestApp, world: &World) -> Browser {
    let mut browser = app.browser();
    browser.sign_in(world.org, world.supervisor, PASSWORD).await;
    browser
}
