//! `kindred bench seed`, `kindred bench pages` and `kindred bench analysis`, tiny: the seeded
//! database opens with the accounts the seed prints, its lists are not empty, and the page and
//! analysis benches run to their tables.

use crate::support::{TestApp, on_both_backends};

on_both_backends!(a_tiny_seed_serves_its_printed_accounts_and_the_page_bench_completes);

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn a_tiny_seed_serves_its_printed_accounts_and_the_page_bench_completes(app: TestApp) {
    let seeded = app.kindred(&[
        "bench",
        "seed",
        "--participants",
        "20",
        "--contacts",
        "500",
        "--coaches",
        "3",
        "--seed",
        "7",
    ]);
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let printed = text(&seeded.stdout);
    assert!(printed.contains("Seeded 20 participants and 500 contacts"), "{printed}");
    let password = printed
        .lines()
        .find_map(|l| l.split_once("password of every account: ").map(|(_, p)| p.trim()))
        .expect("the password is printed")
        .to_owned();
    for account in ["coach0@bench.test", "supervisor0@bench.test", "manager@bench.test"] {
        assert!(printed.contains(account), "{account} is printed: {printed}");
    }

    // The server on the same database signs the printed accounts in and shows their work.
    let mut coach = app.browser();
    assert_eq!(coach.sign_in("bench", "coach0@bench.test", &password).await.status, 303);
    let caseload = coach.get("/caseload").await;
    assert_eq!(caseload.status, 200);
    assert!(caseload.body.contains("/participants/"), "the caseload lists participants");
    let mut manager = app.browser();
    assert_eq!(manager.sign_in("bench", "manager@bench.test", &password).await.status, 303);
    let contacts = manager.get("/contacts").await;
    assert!(contacts.body.contains("/contacts/"), "seeded contacts listed");
    let tasks = manager.get("/tasks?scope=organisation").await;
    assert!(tasks.body.contains("Follow-up contact"), "seeded follow-up tasks listed");

    let measured = app.kindred(&[
        "bench",
        "pages",
        "--readers",
        "2",
        "--single",
        "2",
        "--requests",
        "4",
        "--seconds",
        "1",
    ]);
    assert!(measured.status.success(), "{}", text(&measured.stderr));
    let table = text(&measured.stdout);
    for row in ["| `/api/v1/contacts` | manager |", "| `/contacts` | coach |", "| `/fidelity` |"] {
        assert!(table.contains(row), "{row} in {table}");
    }
    assert!(table.contains("miss the 50 ms p99 target"), "{table}");

    // The analysis bench sets its study up once and times both paths; a second run reuses it.
    for run in 0..2 {
        let analysed = app.kindred(&["bench", "analysis", "--runs", "1"]);
        assert!(analysed.status.success(), "{}", text(&analysed.stderr));
        let table = text(&analysed.stdout);
        assert!(table.contains("20 participants analysed"), "run {run}: {table}");
        assert!(table.contains("| GET /api/v1/studies/{id}/analysis |"), "{table}");
        assert!(table.contains("| engine alone (analyse) |"), "{table}");
    }
    let reply = app
        .anonymous_api()
        .post(
            "/api/v1/auth/token",
            serde_json::json!({"org": "bench", "email": "evaluator@bench.test", "password": password}),
        )
        .await;
    let evaluator = app.anonymous_api().with_token(reply.json()["token"].as_str().expect("token"));
    let studies = evaluator.get("/api/v1/studies").await.json();
    assert_eq!(studies.as_array().map(Vec::len), Some(1), "the second run reused the study");
}
