//! The demo's follow-up: its rates are computed from the assessments, attempts and exclusions
//! the demo records, with realistic attrition (neither empty nor perfect).

use std::time::Instant;

use kindred_app::demo::{DEMO_ORGANISATION, DEMO_PASSWORD, populate};
use serde_json::json;

use crate::support::{TestApp, on_both_backends};

on_both_backends!(the_demo_follow_up_rate_is_a_real_computed_figure);

async fn the_demo_follow_up_rate_is_a_real_computed_figure(app: TestApp) {
    let started = Instant::now();
    populate(&app.app, 60, 2026).await.expect("the demo");
    eprintln!("demo of 60 participants populated in {:?} ({:?})", started.elapsed(), app.backend);
    let started = Instant::now();
    let report = app.app.sweep_follow_ups().await.expect("a sweep");
    eprintln!("a second sweep (as at server start) took {:?}: {report:?}", started.elapsed());
    assert_eq!((report.assessment_tasks, report.escalations), (0, 0), "nothing new to make");
    let reply = app
        .anonymous_api()
        .post(
            "/api/v1/auth/token",
            json!({"org": DEMO_ORGANISATION, "email": "manager@riverside.example", "password": DEMO_PASSWORD}),
        )
        .await;
    let manager = app.anonymous_api().with_token(reply.json()["token"].as_str().expect("token"));
    let programs = manager.get("/api/v1/programs").await.json();
    let (mut in_window, mut due, mut not_counted) = (0, 0, 0);
    for program in programs.as_array().expect("programs") {
        let id = program["id"].as_str().expect("id");
        let rates = manager.get(&format!("/api/v1/programs/{id}/follow-up-rates")).await.json();
        in_window += rates["overall"]["completed_in_window"].as_u64().unwrap_or(0);
        due += rates["overall"]["due"].as_u64().unwrap_or(0);
        not_counted += rates["overall"]["not_counted"].as_u64().unwrap_or(0);
    }
    assert!(due > 30, "a year of enrolments gives many settled time points: {due}");
    let rate = in_window as f64 / due as f64;
    eprintln!(
        "demo follow-up: {in_window} of {due} in window ({:.0}%), {not_counted} not counted",
        rate * 100.0
    );
    assert!((0.55..0.95).contains(&rate), "realistic attrition: {rate}");
    assert!(not_counted > 0);
}
