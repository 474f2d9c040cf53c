//! Failures people can read: a refused duplicate or a stale save is a 409 with a sentence
//! written for them (never the database's text), every answer carries its `x-request-id`, and
//! a failure on our side says so with that id as the reference, and nothing more.

use serde_json::json;
use tokio::task::JoinSet;

use crate::support::{PASSWORD, Reply, TestApp, enrol, on_both_backends};

on_both_backends!(
    a_duplicate_program_name_is_a_409_with_a_sentence_over_the_api_and_the_form,
    programs_created_at_once_with_one_name_leave_one_and_409s_with_the_sentence,
    a_duplicate_user_email_is_refused_with_a_sentence,
    a_stale_update_is_a_409_saying_someone_else_changed_it,
    every_answer_carries_a_request_id,
    a_failure_on_our_side_gives_the_reference_and_no_internals,
);

const PROGRAM_TAKEN: &str = "a program with this name already exists";

/// Nothing a database or driver would say.
fn assert_no_database_text(reply: &Reply) {
    let body = reply.body.to_lowercase();
    for word in
        ["unique", "constraint", "duplicate key", "sqlite", "violates", "sqlx", "stored data"]
    {
        assert!(!body.contains(word), "{word:?} in the answer: {}", reply.body);
    }
}

async fn a_duplicate_program_name_is_a_409_with_a_sentence_over_the_api_and_the_form(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let first = manager.post("/api/v1/programs", json!({"name": "Night Outreach"})).await;
    assert_eq!(first.status, 201, "{}", first.body);

    for name in ["Night Outreach", "night outreach"] {
        let again = manager.post("/api/v1/programs", json!({"name": name})).await;
        assert_eq!(again.status, 409, "{}", again.body);
        assert_eq!(again.json()["error"]["code"], "conflict");
        assert_eq!(again.json()["error"]["message"], PROGRAM_TAKEN);
        assert_no_database_text(&again);
    }

    let mut browser = app.browser();
    browser.sign_in(world.org, world.manager, PASSWORD).await;
    assert_eq!(browser.get("/programs/new").await.status, 200);
    let form = browser.submit("/programs/new", &[("name", "Night Outreach")]).await;
    assert_eq!(form.status, 409, "{}", form.body);
    assert!(form.body.contains("A program with this name already exists."), "{}", form.body);
    assert!(form.body.contains("value=\"Night Outreach\""), "the typed name is kept");
    assert_no_database_text(&form);
}

/// Saves racing past the application's check meet the database's unique index; both ways
/// of refusing read the same.
async fn programs_created_at_once_with_one_name_leave_one_and_409s_with_the_sentence(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let mut attempts = JoinSet::new();
    for _ in 0..8 {
        let manager = manager.clone();
        attempts.spawn(async move {
            manager.post("/api/v1/programs", json!({"name": "Harbour"})).await
        });
    }
    let replies = attempts.join_all().await;
    let created = replies.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 1, "{:?}", replies.iter().map(|r| &r.body).collect::<Vec<_>>());
    for refused in replies.iter().filter(|r| r.status != 201) {
        assert_eq!(refused.status, 409, "{}", refused.body);
        assert_eq!(refused.json()["error"]["message"], PROGRAM_TAKEN);
        assert_no_database_text(refused);
    }
}

async fn a_duplicate_user_email_is_refused_with_a_sentence(app: TestApp) {
    let world = app.world().await;
    let again = app.kindred_with_input(
        &["user", "add", "--org", world.org, "--email", world.coach, "--role", "coach"],
        "a long enough passphrase\n",
    );
    assert!(!again.status.success());
    let said = String::from_utf8_lossy(&again.stderr).to_lowercase();
    assert!(
        said.contains("someone in this organisation already has an account with this email"),
        "{said}"
    );
    for word in ["unique", "constraint", "duplicate key", "sqlite", "violates"] {
        assert!(!said.contains(word), "{word:?} in {said}");
    }
}

async fn a_stale_update_is_a_409_saying_someone_else_changed_it(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Ana", "Reyes").await;
    let path = format!("/api/v1/participants/{id}");
    let saved = coach.patch(&path, json!({"housing": "shelter"}), Some("\"1\"")).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let stale = coach.patch(&path, json!({"housing": "stable"}), Some("\"1\"")).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(
        stale.json()["error"]["message"],
        "P-0001 was changed by someone else after you opened it; reload to see their changes"
    );
    assert_no_database_text(&stale);
}

async fn every_answer_carries_a_request_id(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let ok = coach.get("/api/v1/participants").await;
    let refused = app.anonymous_api().get("/api/v1/participants").await;
    let missing = coach.get("/api/v1/no-such-route").await;
    let page = app.browser().get("/login").await;
    let mut ids = Vec::new();
    for reply in [&ok, &refused, &missing, &page] {
        let id = reply.header("x-request-id").expect("an x-request-id on every answer");
        assert!(!id.is_empty());
        ids.push(id.to_owned());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4, "each request its own id");
}

/// A stored code no build knows (what a bad restore or a hand edit leaves) cannot be read
/// back: that is our failure, not the person's.
async fn a_failure_on_our_side_gives_the_reference_and_no_internals(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Ana", "Reyes").await;
    app.raw_sql("UPDATE participants SET status = 'no_such_status'").await.expect("the edit");

    let reply = coach.get(&format!("/api/v1/participants/{id}")).await;
    assert_eq!(reply.status, 500, "{}", reply.body);
    let reference = reply.header("x-request-id").expect("a request id").to_owned();
    let error = &reply.json()["error"];
    assert_eq!(error["code"], "internal");
    assert_eq!(error["reference"], reference.as_str());
    assert_eq!(
        error["message"],
        format!("something went wrong on our side; reference {reference}").as_str()
    );
    assert!(!reply.body.contains("no_such_status"), "{}", reply.body);
    assert_no_database_text(&reply);

    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let page = browser.get(&format!("/participants/{id}")).await;
    assert_eq!(page.status, 500, "{}", page.body);
    let reference = page.header("x-request-id").expect("a request id").to_owned();
    assert!(page.body.contains("Something went wrong on our side"), "{}", page.body);
    assert!(page.body.contains(&reference), "the page shows the reference");
    assert!(!page.body.contains("no_such_status"));
    assert_no_database_text(&page);
}
