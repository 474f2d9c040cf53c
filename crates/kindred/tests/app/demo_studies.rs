//! The demo's studies (issue 11): a randomised replication of the brief motivational
//! intervention with a planted risk ratio of 1.6, a quasi-experimental community-companion
//! study with a planted hazard ratio of 0.6 for psychiatric rehospitalisation, and a trial
//! with no effect. Each is locked and analysed through the API; the planted values lie inside
//! the served intervals, and the null trial's interval holds 1.

use kindred_app::demo::{DEMO_ORGANISATION, DEMO_PASSWORD, populate};
use serde_json::{Value, json};

use crate::support::{TestApp, on_both_backends};

on_both_backends!(the_demo_s_studies_find_what_was_planted);

fn ci(effect: &Value) -> (f64, f64) {
    (
        effect["ci"]["lower"].as_f64().unwrap_or(f64::NAN),
        effect["ci"]["upper"].as_f64().unwrap_or(f64::NAN),
    )
}

async fn the_demo_s_studies_find_what_was_planted(app: TestApp) {
    populate(&app.app, 30, 2026).await.expect("the demo");
    let reply = app
        .anonymous_api()
        .post(
            "/api/v1/auth/token",
            json!({"org": DEMO_ORGANISATION, "email": "evaluator@riverside.example", "password": DEMO_PASSWORD}),
        )
        .await;
    let evaluator = app.anonymous_api().with_token(reply.json()["token"].as_str().expect("token"));
    let studies = evaluator.get("/api/v1/studies").await.json();
    let studies = studies.as_array().expect("studies");
    assert_eq!(studies.len(), 3, "{studies:?}");
    let mut seen = Vec::new();
    for study in studies {
        assert_eq!(study["plan_locked"], true, "{study}");
        let id = study["id"].as_str().expect("id");
        let served = evaluator.get(&format!("/api/v1/studies/{id}/analysis")).await;
        assert_eq!(served.status, 200, "{}", served.body);
        let analysis = served.json()["analysis"].clone();
        let primary = &analysis["outcomes"][0]["comparison"];
        let title = study["title"].as_str().unwrap_or_default().to_owned();
        match study["design"].as_str() {
            Some("quasi_experimental") => {
                let hr = &primary["time_to_event"]["cox"]["result"]["hazard_ratios"][0];
                let (lower, upper) = ci(hr);
                eprintln!("{title}: hazard ratio {} ({lower:.2} to {upper:.2})", hr["estimate"]);
                assert!(lower <= 0.6 && 0.6 <= upper, "planted HR 0.6 outside {hr}");
                assert!(
                    !analysis["propensity"].as_array().is_none_or(Vec::is_empty),
                    "no weighting"
                );
            }
            _ if title.contains("check-in") => {
                let rr = &primary["binary"]["comparisons"][0]["risk_ratio"]["result"];
                let (lower, upper) = ci(rr);
                eprintln!("{title}: risk ratio {} ({lower:.2} to {upper:.2})", rr["estimate"]);
                assert!(lower <= 1.0 && 1.0 <= upper, "no effect was planted: {rr}");
            }
            _ => {
                let rr = &primary["binary"]["comparisons"][0]["risk_ratio"]["result"];
                let (lower, upper) = ci(rr);
                eprintln!("{title}: risk ratio {} ({lower:.2} to {upper:.2})", rr["estimate"]);
                assert!(lower <= 1.6 && 1.6 <= upper, "planted RR 1.6 outside {rr}");
                let missing: u64 = analysis["outcomes"][0]["sample"]
                    .as_array()
                    .expect("a sample")
                    .iter()
                    .map(|s| s["missing"].as_u64().unwrap_or(0))
                    .sum();
                assert!(missing > 0, "one in ten is not reached at 6 months");
            }
        }
        seen.push(title);
    }
    assert!(seen.iter().any(|t| t.contains("check-in")), "{seen:?}");
}
