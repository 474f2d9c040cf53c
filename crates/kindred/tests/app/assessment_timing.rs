//! Timings for `BENCHMARKS.md` (ignored in the normal run; run with
//! `cargo test --release -p kindred --test app assessment_timing -- --ignored --nocapture`):
//! completing a PHQ-9 over the API (validation, scoring, change since last, audit, one
//! transaction) and drawing a participant page with 60 assessments and their trajectories.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{Browser, PASSWORD, TestApp, enrol};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    eprintln!(
        "{what}: n={} p50={:.2} ms p99={:.2} ms max={:.2} ms",
        times.len(),
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement for BENCHMARKS.md, not a test"]
async fn assessment_timing() {
    let app = TestApp::sqlite().await;
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Time", "Keeper").await;
    let list = format!("/api/v1/participants/{id}/assessments");
    let answers = |shift: i64| {
        let mut a = serde_json::Map::new();
        for i in 1..=9 {
            a.insert(format!("phq9_{i}"), json!((i + shift) % 3 * i64::from(i != 9)));
        }
        serde_json::Value::Object(a)
    };

    let mut times = Vec::new();
    for n in 0..300 {
        let body = json!({"instrument": "phq-9", "complete": true,
                          "administered_on": "2026-01-01", "answers": answers(n)});
        let start = Instant::now();
        let reply = coach.post(&list, body).await;
        times.push(start.elapsed());
        assert_eq!(reply.status, 201);
    }
    report("POST complete PHQ-9 (sequential, 300 on one participant)", times);

    // A participant with 60 assessments of three instruments: the page with trajectories.
    let other = enrol(&coach, "Page", "Turner").await;
    let other_list = format!("/api/v1/participants/{other}/assessments");
    for n in 0..20 {
        let day = format!("2025-{:02}-{:02}", 1 + n % 12, 1 + n);
        coach
            .post(
                &other_list,
                json!({"instrument": "phq-9", "complete": true,
                                      "administered_on": day, "answers": answers(n)}),
            )
            .await;
        let gad: serde_json::Map<String, serde_json::Value> =
            (1..=7).map(|i| (format!("gad7_{i}"), json!((i + n) % 4))).collect();
        coach
            .post(
                &other_list,
                json!({"instrument": "gad-7", "complete": true,
                                      "administered_on": day, "answers": gad}),
            )
            .await;
        let barc: serde_json::Map<String, serde_json::Value> =
            (1..=10).map(|i| (format!("barc10_{i}"), json!(1 + (i + n) % 6))).collect();
        coach
            .post(
                &other_list,
                json!({"instrument": "barc-10", "complete": true,
                                      "administered_on": day, "answers": barc}),
            )
            .await;
    }
    let mut browser: Browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let mut times = Vec::new();
    for _ in 0..100 {
        let start = Instant::now();
        let page = browser.get(&format!("/participants/{other}")).await;
        times.push(start.elapsed());
        assert!(page.body.contains("trajectory-barc-10-title"));
    }
    report("GET participant page with 60 assessments, 3 trajectories", times);
}
