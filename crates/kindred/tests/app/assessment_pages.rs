//! Assessment pages: the instrument library with licences and citations, administering on
//! the participant's pages (save part-way, continue, complete), the result with score, band
//! and change since last, refusals shown beside the question, and the score trajectory.

use serde_json::json;

use crate::support::{Browser, PASSWORD, Reply, TestApp, enrol, on_both_backends};

on_both_backends!(
    the_library_page_shows_every_licence_and_citation,
    a_coach_gives_phq9_over_two_visits_and_sees_score_band_change_and_trajectory,
    a_refused_answer_is_shown_beside_its_question_and_nothing_is_saved,
    the_administer_link_carries_a_program_time_point,
);

/// The path a form's redirect points to.
fn location(reply: &Reply) -> String {
    assert_eq!(reply.status, 303, "{}", reply.body);
    reply.header("location").expect("a redirect").to_owned()
}

async fn the_library_page_shows_every_licence_and_citation(app: TestApp) {
    let world = app.world().await;
    let mut browser: Browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let page = browser.get("/instruments").await;
    assert_eq!(page.status, 200);
    for instrument in kindred_domain::instruments::library() {
        let card = page
            .body
            .split("<li class=\"card\" id=\"instrument-")
            .find(|card| card.starts_with(&format!("{}\"", instrument.code)))
            .unwrap_or_else(|| panic!("{} listed", instrument.code));
        assert!(card.contains(&escape(&instrument.licence.summary)), "{} licence", instrument.code);
        assert!(card.contains(&escape(&instrument.citation)), "{} citation", instrument.code);
    }
    assert!(page.body.contains("Free for non-commercial use"), "DAST-10's terms are visible");
    assert!(page.body.contains("Harvey A. Skinner"));
    assert!(browser.get("/caseload").await.body.contains("href=\"/instruments\""));
}

/// What askama's HTML escaping makes of a text.
fn escape(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

async fn a_coach_gives_phq9_over_two_visits_and_sees_score_band_change_and_trajectory(
    app: TestApp,
) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Lia", "Moreno").await;
    // An earlier PHQ-9, through the API: 15, moderately severe.
    let earlier = coach
        .post(
            &format!("/api/v1/participants/{id}/assessments"),
            json!({"instrument": "phq-9", "complete": true, "administered_on": "2026-01-10",
                   "answers": {"phq9_1": 2, "phq9_2": 2, "phq9_3": 2, "phq9_4": 2, "phq9_5": 2,
                               "phq9_6": 2, "phq9_7": 2, "phq9_8": 1, "phq9_9": 0}}),
        )
        .await;
    assert_eq!(earlier.status, 201, "{}", earlier.body);

    let mut browser: Browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let participant = browser.get(&format!("/participants/{id}")).await;
    assert!(participant.body.contains("id=\"assessments-heading\""));
    assert!(participant.body.contains(&format!("/participants/{id}/assessments/new")));

    let chooser = browser.get(&format!("/participants/{id}/assessments/new")).await;
    assert!(chooser.body.contains("instrument=phq-9"));
    let form_path = format!("/participants/{id}/assessments/new?instrument=phq-9");
    let form = browser.get(&form_path).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("<legend>1. "), "each question is a fieldset with a legend");
    assert!(form.body.contains("type=\"radio\" name=\"phq9_9\" value=\"3\""));

    // First visit: four answers, saved for later.
    let saved = browser
        .submit(
            &form_path,
            &[
                ("administered_on", ""),
                ("phq9_1", "1"),
                ("phq9_2", "1"),
                ("phq9_3", "0"),
                ("phq9_4", "1"),
                ("action", "save"),
            ],
        )
        .await;
    let result_path = location(&saved);
    let result_path = result_path.split('?').next().expect("a path").to_owned();
    let in_progress = browser.get(&result_path).await;
    assert!(in_progress.body.contains("In progress"));
    assert!(
        in_progress.body.contains("4 of 10 answered")
            || in_progress.body.contains("4 of 9 answered")
    );
    let edit_path = format!("{result_path}/edit");
    assert!(in_progress.body.contains(&edit_path));

    // Second visit: the saved answers are checked; the rest is answered and it is completed.
    let edit = browser.get(&edit_path).await;
    assert!(edit.body.contains("name=\"phq9_1\" value=\"1\" checked"));
    let done = browser
        .submit(
            &edit_path,
            &[
                ("phq9_5", "0"),
                ("phq9_6", "1"),
                ("phq9_7", "0"),
                ("phq9_8", "0"),
                ("phq9_9", "0"),
                ("action", "complete"),
            ],
        )
        .await;
    let shown = browser.get(&location(&done)).await;
    assert!(shown.body.contains("Assessment completed and scored."));
    assert!(shown.body.contains("id=\"assessment-score\">4 (range 0–27)"), "{}", shown.body);
    let band = shown.body.split("id=\"assessment-band\">").nth(1).unwrap_or_default();
    assert!(band.starts_with("None–minimal"), "{}", &band[..band.len().min(80)]);
    assert!(shown.body.contains("Compared with 2026-01-10"));
    assert!(shown.body.contains("-11 (improved)"));
    assert!(shown.body.contains("→ None–minimal"), "the band moved");

    // The participant page draws the trajectory, with a table of the same figures.
    let participant = browser.get(&format!("/participants/{id}")).await;
    assert!(participant.body.contains("<title id=\"trajectory-phq-9-title\">"));
    assert!(participant.body.contains("<td>2026-01-10</td><td>15</td>"));
    assert!(participant.body.contains("score 4 (range 0–27), None–minimal"));
}

async fn a_refused_answer_is_shown_beside_its_question_and_nothing_is_saved(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Max", "Ortiz").await;
    let mut browser: Browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let form_path = format!("/participants/{id}/assessments/new?instrument=audit-c");
    browser.get(&form_path).await;
    let refused = browser
        .submit(&form_path, &[("audit_c_1", "0"), ("audit_c_2", "2"), ("action", "complete")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("id=\"error-summary\""));
    assert!(refused.body.contains("id=\"audit_c_2-error\""));
    assert!(refused.body.contains("is not asked"));
    assert!(refused.body.contains("name=\"audit_c_1\" value=\"0\" checked"), "answers kept");
    let listed = coach.get(&format!("/api/v1/participants/{id}/assessments")).await;
    assert_eq!(listed.json(), json!([]));

    // Another coach's participant: the form is refused.
    let mut lone: Browser = app.browser();
    lone.sign_in(world.org, world.lone_coach, PASSWORD).await;
    assert_eq!(lone.get(&form_path).await.status, 403);
}

async fn the_administer_link_carries_a_program_time_point(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let program =
        manager.post("/api/v1/programs", json!({"template_code": "mobile_outreach"})).await;
    let program = program.json()["id"].as_str().expect("a program").to_owned();
    let id = enrol(&manager, "Ned", "Park").await;
    let mut browser: Browser = app.browser();
    browser.sign_in(world.org, world.manager, PASSWORD).await;
    let form_path = format!(
        "/participants/{id}/assessments/new?instrument=who-5&program={program}&time_point=6m"
    );
    let form = browser.get(&form_path).await;
    assert!(form.body.contains(&format!("name=\"program_id\" value=\"{program}\"")));
    assert!(form.body.contains("name=\"time_point_code\" value=\"6m\""));
    let action = format!("/participants/{id}/assessments/new?instrument=who-5");
    let saved = browser
        .submit(
            &action,
            &[
                ("program_id", &program),
                ("time_point_code", "6m"),
                ("who5_1", "4"),
                ("action", "save"),
            ],
        )
        .await;
    location(&saved);
    let listed = manager.get(&format!("/api/v1/participants/{id}/assessments")).await.json();
    assert_eq!(listed[0]["program_id"], program.as_str());
    assert_eq!(listed[0]["time_point_code"], "6m");
    // Through the chooser too, the link keeps them.
    let chooser = browser
        .get(&format!("/participants/{id}/assessments/new?program={program}&time_point=6m"))
        .await;
    let link = chooser.body.split("instrument=phq-9").nth(1).unwrap_or_default();
    assert!(
        link.starts_with(&format!("&#38;program={program}&#38;time_point=6m")),
        "{}",
        &link[..link.len().min(120)]
    );
}
