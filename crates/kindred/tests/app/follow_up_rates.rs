//! A program's follow-up rates are kept for the day while the program's follow-up version
//! holds (`kindred_app::follow_up_rates::cache`): every write they are computed from, by this
//! server or behind its back, must still show in the next read.

use serde_json::{Value, json};

use crate::contacts::contact;
use crate::follow_up::{complete_barc10, days, enrol_on, open_program, put_schedule, three_points};
use crate::support::{TestApp, on_both_backends};

on_both_backends!(kept_rates_follow_every_write_they_are_computed_from_whoever_writes);

/// Each write the rates are computed from moves them at once, through the API or straight
/// into the database (as another process would); contacts logged in between do not.
async fn kept_rates_follow_every_write_they_are_computed_from_whoever_writes(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let coach = app.api(world.org, world.coach).await;
    let program = open_program(&manager, "Outreach").await;
    let mut only_six = three_points();
    only_six["time_points"] = json!([only_six["time_points"][2].clone()]);
    put_schedule(&manager, &program, only_six.clone()).await;
    let today = app.app.clock().today();
    let (enrolled, closes) = (today - days(300), today - days(60));
    let coach_id = world.coach_id.to_string();
    let ana = enrol_on(&manager, "Ana", &program, enrolled, &coach_id).await;
    let ben = enrol_on(&manager, "Ben", &program, enrolled, &coach_id).await;
    let rates_path = format!("/api/v1/programs/{program}/follow-up-rates");
    let overall = |rates: &Value| {
        let o = &rates["overall"];
        [&o["completed_in_window"], &o["completed_late"], &o["missed"], &o["not_counted"]]
            .map(|n| n.as_u64().expect("a count"))
    };
    let rates = || async { manager.get(&rates_path).await.json() };
    assert_eq!(overall(&rates().await), [0, 0, 2, 0], "both missed");

    complete_barc10(&manager, &ana, &program, closes).await;
    assert_eq!(overall(&rates().await), [1, 0, 1, 0], "Ana's assessment, through the API");
    for _ in 0..3 {
        let reply = coach.post("/api/v1/contacts", contact(&ana, today)).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
    }
    assert_eq!(overall(&rates().await), [1, 0, 1, 0], "contacts change no rate");

    let late = (closes + days(1)).to_string();
    app.raw_sql(&format!("UPDATE assessments SET administered_on = '{late}'")).await.expect("sql");
    assert_eq!(overall(&rates().await), [0, 1, 1, 0], "moved a day late, in the database");

    let exclusion = json!({"time_point": "m6", "reason": "deceased"});
    let path = format!("/api/v1/participants/{ben}/follow-up/exclusions");
    assert_eq!(manager.post(&path, exclusion).await.status, 201);
    assert_eq!(overall(&rates().await), [0, 1, 0, 1], "Ben excluded");
    app.raw_sql("DELETE FROM follow_up_exclusions").await.expect("sql");
    assert_eq!(overall(&rates().await), [0, 1, 1, 0], "the exclusion deleted in the database");

    app.raw_sql("UPDATE users SET display_name = 'Jamie Renamed' WHERE display_name = 'coach'")
        .await
        .expect("sql");
    let names: Vec<Value> = rates().await["by_coach"]
        .as_array()
        .expect("by coach")
        .iter()
        .map(|c| c["coach_name"].clone())
        .collect();
    assert!(names.contains(&json!("Jamie Renamed")), "the coach renamed: {names:?}");

    // A wider window: Ana's late assessment falls inside it.
    only_six["time_points"][0]["window_end_day"] = json!(250);
    put_schedule(&manager, &program, only_six).await;
    assert_eq!(overall(&rates().await), [1, 0, 1, 0], "the schedule changed");
    // Enrolled twenty days earlier, Ana's window closed before her assessment.
    let earlier = json!({"enrolled_on": (enrolled - days(20)).to_string()});
    let moved = manager.patch(&format!("/api/v1/participants/{ana}"), earlier, None).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(overall(&rates().await), [0, 1, 1, 0], "Ana's enrolment date corrected");
}
