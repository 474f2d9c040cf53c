//! Follow-up pages over HTTP: the program's schedule and rates with the chart, the participant's
//! follow-up with its forms and their refusals, and the follow-up list with escalations.

use serde_json::json;
use time::Duration;

use crate::follow_up::{complete_barc10, enrol_on, open_program, put_schedule, three_points};
use crate::support::{PASSWORD, TestApp, on_both_backends};

on_both_backends!(the_follow_up_pages_show_rates_statuses_and_take_the_forms);

async fn the_follow_up_pages_show_rates_statuses_and_take_the_forms(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let program = open_program(&manager, "Outreach").await;
    put_schedule(&manager, &program, three_points()).await;
    let today = app.app.clock().today();
    let coach_id = world.coach_id.to_string();
    // 110 days in: 3 months open and closing in 10 days; the intake was done in its window.
    let open = enrol_on(&manager, "Open", &program, today - Duration::days(110), &coach_id).await;
    let done = enrol_on(&manager, "Done", &program, today - Duration::days(200), &coach_id).await;
    complete_barc10(&manager, &done, &program, today - Duration::days(30)).await;

    // The program page: the headline, and the follow-up page with chart and tables.
    let mut browser = app.browser();
    browser.sign_in(world.org, world.manager, PASSWORD).await;
    let page = browser.get(&format!("/programs/{program}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("followed up in window (target 80%)"), "{}", page.body);
    let page = browser.get(&format!("/programs/{program}/follow-up")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<title id=\"follow-up-by-month-title\">"), "{}", page.body);
    assert!(page.body.contains("class=\"rate-target\""));
    assert!(page.body.contains("<caption>By coach</caption>"));
    // Intake: both missed (nothing completed for it); 3 months: Done missed, Open pending;
    // 6 months: Done completed in window (day 170, window 150–240). 1 of 4 due.
    assert!(page.body.contains("25% followed up in window"), "{}", page.body);

    // A time point whose window misses its target is refused, with the field named.
    let points = format!("/programs/{program}/follow-up/points");
    let refused = browser
        .submit(
            &points,
            &[
                ("code", "m12"),
                ("label", "12 months"),
                ("target_day", "365"),
                ("window_start_day", "400"),
                ("window_end_day", "425"),
                ("instruments", "barc-10"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("href=\"#window_start_day\""), "{}", refused.body);
    let saved = browser
        .submit(
            &points,
            &[
                ("code", "m12"),
                ("label", "12 months"),
                ("target_day", "365"),
                ("window_start_day", "335"),
                ("window_end_day", "425"),
                ("instruments", "barc-10"),
                ("instruments", "who-5"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let schedule = manager.get(&format!("/api/v1/programs/{program}/schedule")).await.json();
    assert_eq!(schedule["time_points"][3]["instruments"], json!(["barc-10", "who-5"]));

    // The coach's view of a participant: statuses with administer links, then the forms.
    let mut coach = app.browser();
    coach.sign_in(world.org, world.coach, PASSWORD).await;
    let participant_page = coach.get(&format!("/participants/{open}")).await;
    assert!(participant_page.body.contains("id=\"follow-up-heading\""));
    assert!(participant_page.body.contains("Closes soon, not reached"));
    let path = format!("/participants/{open}/follow-up");
    let page = coach.get(&path).await;
    assert_eq!(page.status, 200);
    let administer = format!(
        "/participants/{open}/assessments/new?instrument=barc-10&#38;program={program}&#38;time_point=m3"
    );
    assert!(page.body.contains(&administer), "{}", page.body);
    assert!(!page.body.contains("Record an exclusion"), "coaches do not exclude");
    let refused = coach
        .submit(
            &format!("{path}/attempts"),
            &[("time_point", "m3"), ("channel", ""), ("outcome", "reached")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("href=\"#attempt-channel\""), "{}", refused.body);
    let logged = coach
        .submit(
            &format!("{path}/attempts"),
            &[
                ("time_point", "m3"),
                ("channel", "text"),
                ("outcome", "left_message"),
                ("note", "Asked to call back"),
            ],
        )
        .await;
    assert_eq!(logged.status, 303, "{:?}", logged.header("location"));
    assert_eq!(logged.header("location"), Some(format!("{path}?saved=attempt").as_str()));
    let page = coach.get(&path).await;
    assert!(
        page.body.contains("Text message, left a message (m3) by coach. Asked to call back"),
        "{}",
        page.body
    );
    let excluded = coach
        .submit(&format!("{path}/exclusions"), &[("time_point", "m3"), ("reason", "deceased")])
        .await;
    assert_eq!(excluded.status, 403);

    // The supervisor's follow-up list puts the unreached window first.
    let mut supervisor = app.browser();
    supervisor.sign_in(world.org, world.supervisor, PASSWORD).await;
    let list = supervisor.get("/follow-up").await;
    assert_eq!(list.status, 200);
    let escalated = list.body.split("id=\"open-heading\"").next().unwrap_or_default();
    assert!(escalated.contains("Pat Open"), "{}", list.body);
    let mut evaluator = app.browser();
    evaluator.sign_in(world.org, world.evaluator, PASSWORD).await;
    assert_eq!(evaluator.get("/follow-up").await.status, 403);
    assert_eq!(evaluator.get(&path).await.status, 403);
    let rates_page = evaluator.get(&format!("/programs/{program}/follow-up")).await;
    assert_eq!(rates_page.status, 200, "evaluators see the rates");
    assert!(!rates_page.body.contains("<caption>By coach</caption>"));
}
