//! Enrolling, reading, editing and listing participants, over the API and the pages.

use serde_json::json;

use crate::support::{PASSWORD, TestApp, enrol, minimal_participant, on_both_backends};

on_both_backends!(
    three_fields_enrol_a_participant_with_sensible_defaults,
    invalid_input_is_refused_field_by_field_and_nothing_is_saved,
    a_likely_duplicate_is_a_conflict_until_confirmed,
    edits_change_only_what_was_sent_and_refuse_stale_versions,
    the_caseload_searches_by_name_and_filters_by_status,
    the_caseload_finds_accented_names_however_they_are_typed,
    the_enrolment_form_keeps_what_was_typed_when_something_is_wrong,
    the_edit_form_saves_changes_and_warns_about_concurrent_edits,
);

async fn three_fields_enrol_a_participant_with_sensible_defaults(app: TestApp) {
    let world = app.world().await;
    let api = app.api(world.org, world.coach).await;
    let created = api.post("/api/v1/participants", minimal_participant("Ana", "Reyes")).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let body = created.json();
    let id = body["id"].as_str().expect("an id");
    assert_eq!(created.header("location"), Some(format!("/api/v1/participants/{id}").as_str()));
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(body["reference"], "P-0001");
    assert_eq!(body["status"], "active");
    assert_eq!(body["coach_id"], world.coach_id.to_string(), "a coach takes on whom they enrol");
    assert_eq!(body["age_band"], "35_44");
    assert_eq!(body["identified"], true);

    let read = api.get(&format!("/api/v1/participants/{id}")).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["given_name"], "Ana");
    assert_eq!(read.json()["date_of_birth"], "1988-06-15");

    let second = api.post("/api/v1/participants", minimal_participant("Ben", "Okafor")).await;
    assert_eq!(second.json()["reference"], "P-0002");
}

async fn invalid_input_is_refused_field_by_field_and_nothing_is_saved(app: TestApp) {
    let world = app.world().await;
    let api = app.api(world.org, world.manager).await;
    let reply = api
        .post(
            "/api/v1/participants",
            json!({"given_name": " ", "date_of_birth": "15/06/1988", "treatment_phase": "sometimes", "email": "nope"}),
        )
        .await;
    assert_eq!(reply.status, 422);
    let error = &reply.json()["error"];
    assert_eq!(error["code"], "invalid");
    assert_eq!(error["fields"]["given_name"], "is required");
    assert_eq!(error["fields"]["family_name"], "is required");
    assert!(error["fields"]["date_of_birth"].as_str().is_some_and(|m| m.contains("YYYY-MM-DD")));
    assert!(error["fields"]["treatment_phase"].as_str().is_some_and(|m| m.contains("in_lieu")));
    assert!(error["fields"]["email"].is_string());

    let future = api
        .post(
            "/api/v1/participants",
            json!({"given_name": "A", "family_name": "B", "date_of_birth": "2090-01-01"}),
        )
        .await;
    assert_eq!(future.json()["error"]["fields"]["date_of_birth"], "must not be in the future");

    let unknown_coach = json!({"given_name": "A", "family_name": "B", "date_of_birth": "1990-01-01", "coach_id": world.other_coach_id.to_string()});
    let reply = api.post("/api/v1/participants", unknown_coach).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.json()["error"]["fields"]["coach_id"], "is not a coach of this organisation");

    let wrong_type = api
        .post(
            "/api/v1/participants",
            json!({"given_name": 3, "family_name": "B", "date_of_birth": "1990-01-01"}),
        )
        .await;
    assert_eq!(wrong_type.status, 400);
    assert_eq!(wrong_type.json()["error"]["code"], "bad_request");
    assert!(
        wrong_type.json()["error"]["message"].as_str().is_some_and(|m| m.contains("given_name"))
    );

    let not_json = api
        .send_raw(reqwest::Method::POST, "/api/v1/participants", "application/json", "{given_name:")
        .await;
    assert_eq!(not_json.status, 400);
    let no_type =
        api.send_raw(reqwest::Method::POST, "/api/v1/participants", "text/plain", "{}").await;
    assert_eq!(no_type.status, 415);

    assert_eq!(api.get("/api/v1/participants").await.json()["total"], 0);
}

async fn a_likely_duplicate_is_a_conflict_until_confirmed(app: TestApp) {
    let world = app.world().await;
    let api = app.api(world.org, world.manager).await;
    assert_eq!(
        api.post("/api/v1/participants", minimal_participant("Ana", "Reyes")).await.status,
        201
    );
    let again = api.post("/api/v1/participants", minimal_participant("ana", "REYES")).await;
    assert_eq!(again.status, 409);
    assert!(again.json()["error"]["message"].as_str().is_some_and(|m| m.contains("P-0001")));
    let confirmed = api
        .post("/api/v1/participants?allow_duplicate=true", minimal_participant("ana", "REYES"))
        .await;
    assert_eq!(confirmed.status, 201);
    assert_eq!(api.get("/api/v1/participants").await.json()["total"], 2);
}

async fn edits_change_only_what_was_sent_and_refuse_stale_versions(app: TestApp) {
    let world = app.world().await;
    let api = app.api(world.org, world.coach).await;
    let created =
        api.post("/api/v1/participants", minimal_participant("Ana", "Reyes")).await.json();
    let path = format!("/api/v1/participants/{}", created["id"].as_str().expect("id"));

    let changed = api
        .patch(&path, json!({"housing": "shelter", "phone": "555 0100 200"}), Some("\"1\""))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.header("etag"), Some("\"2\""));
    assert_eq!(changed.json()["housing"], "shelter");
    assert_eq!(changed.json()["given_name"], "Ana", "untouched fields stay");

    let stale = api.patch(&path, json!({"housing": "stable"}), Some("\"1\"")).await;
    assert_eq!(stale.status, 409);
    assert!(
        stale.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("changed by someone else"))
    );

    let invalid = api.patch(&path, json!({"family_name": "", "status": "vanished"}), None).await;
    assert_eq!(invalid.status, 422);
    assert!(invalid.json()["error"]["fields"]["status"].is_string());

    let cleared = api.patch(&path, json!({"phone": ""}), Some("2")).await;
    assert_eq!(cleared.status, 200);
    let now = api.get(&path).await.json();
    assert_eq!(now["housing"], "shelter", "the refused edits changed nothing");
    assert_eq!(now["family_name"], "Reyes");
    assert!(now.get("phone").is_none(), "an empty string clears an optional field");
    assert_eq!(now["version"], 3);

    let bad_header = api.patch(&path, json!({"housing": "stable"}), Some("yesterday")).await;
    assert_eq!(bad_header.status, 400);
}

async fn the_caseload_searches_by_name_and_filters_by_status(app: TestApp) {
    let world = app.world().await;
    let api = app.api(world.org, world.coach).await;
    for (given, family) in
        [("Ana", "Reyes"), ("Ben", "Okafor"), ("Cleo", "Reyes-Smith"), ("Dan", "100% Sure")]
    {
        api.post("/api/v1/participants", minimal_participant(given, family)).await;
    }
    let reyes = api.get("/api/v1/participants?q=reyes").await.json();
    assert_eq!(reyes["total"], 2);
    assert_eq!(reyes["items"][0]["name"], "Ana Reyes");
    assert_eq!(
        api.get("/api/v1/participants?q=P-0002").await.json()["items"][0]["name"],
        "Ben Okafor"
    );
    // A `%` is a character to find, not a wildcard.
    assert_eq!(api.get("/api/v1/participants?q=%25").await.json()["total"], 1);

    let ben = api.get("/api/v1/participants?q=ben").await.json()["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    api.patch(&format!("/api/v1/participants/{ben}"), json!({"status": "completed"}), None).await;
    let completed = api.get("/api/v1/participants?status=completed").await.json();
    assert_eq!(completed["total"], 1);
    assert_eq!(api.get("/api/v1/participants?status=gone").await.status, 400);

    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let page = browser.get("/caseload?q=reyes").await;
    assert!(
        page.body.contains("Ana Reyes")
            && page.body.contains("Cleo Reyes-Smith")
            && !page.body.contains("Ben Okafor")
    );
    let fragment = browser.htmx_get("/caseload?q=okafor", "results").await;
    assert!(fragment.body.contains("Ben Okafor"));
    assert!(!fragment.body.contains("<html"), "htmx gets only the results");
}

/// Names beyond ASCII: found by their exact spelling, in either case and without accents, on
/// both databases (SQLite's `lower()` alone once found nobody for "Élodie" typed exactly);
/// listed in the folded order; and the duplicate check sees through case and accents.
async fn the_caseload_finds_accented_names_however_they_are_typed(app: TestApp) {
    let world = app.world().await;
    let api = app.api(world.org, world.coach).await;
    for (given, family) in [
        ("Élodie", "Martin"),
        ("Şükrü", "Yılmaz"),
        ("İlknur", "Kaya"),
        ("Lan", "Nguyễn"),
        ("Birgit", "ÆRØ"),
        ("Rosa", "de la Cruz"),
    ] {
        enrol(&api, given, family).await;
    }
    for (typed, name) in [
        ("Élodie", "Élodie Martin"),
        ("ÉLODIE", "Élodie Martin"),
        ("elodie", "Élodie Martin"),
        ("sukru", "Şükrü Yılmaz"),
        ("Şükrü", "Şükrü Yılmaz"),
        ("ilknur", "İlknur Kaya"),
        ("İlknur", "İlknur Kaya"),
        ("nguyen", "Lan Nguyễn"),
        ("ærø", "Birgit ÆRØ"),
        ("aero", "Birgit ÆRØ"),
    ] {
        let found = api.get(&format!("/api/v1/participants?q={typed}")).await.json();
        assert_eq!(found["total"], 1, "searching {typed:?}: {found}");
        assert_eq!(found["items"][0]["name"], name, "searching {typed:?}");
    }
    let all = api.get("/api/v1/participants").await.json();
    let names: Vec<&str> =
        all["items"].as_array().expect("items").iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "Birgit ÆRØ",
            "Rosa de la Cruz",
            "İlknur Kaya",
            "Élodie Martin",
            "Lan Nguyễn",
            "Şükrü Yılmaz"
        ],
        "by folded family name: Æ as ae"
    );

    let again = api.post("/api/v1/participants", minimal_participant("ELODIE", "martin")).await;
    assert_eq!(again.status, 409, "the same person, typed differently");

    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let page = browser.get("/caseload?q=%C3%A9lodie").await;
    assert!(page.body.contains("Élodie Martin") && !page.body.contains("Lan Nguyễn"));
}

async fn the_enrolment_form_keeps_what_was_typed_when_something_is_wrong(app: TestApp) {
    let world = app.world().await;
    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let form = browser.get("/participants/new").await;
    assert!(form.body.contains("<label for=\"given_name\">Given name"));
    let reply = browser
        .submit(
            "/participants/new",
            &[
                ("given_name", "Ana"),
                ("family_name", "Reyes"),
                ("date_of_birth", "1988-13-40"),
                ("phone", "12"),
            ],
        )
        .await;
    assert_eq!(reply.status, 422);
    assert!(reply.body.contains("There are 2 problems"));
    assert!(reply.body.contains("value=\"Ana\"") && reply.body.contains("value=\"1988-13-40\""));
    assert!(reply.body.contains("aria-invalid=\"true\""));

    let saved = browser
        .submit(
            "/participants/new",
            &[("given_name", "Ana"), ("family_name", "Reyes"), ("date_of_birth", "1988-06-15")],
        )
        .await;
    assert_eq!(saved.status, 303);
    let location = saved.header("location").expect("to the participant").to_owned();
    let page = browser.get(&location).await;
    assert!(
        page.body.contains("Participant enrolled.") && page.body.contains("<h1>Ana Reyes</h1>")
    );

    let duplicate = browser
        .submit(
            "/participants/new",
            &[("given_name", "Ana"), ("family_name", "Reyes"), ("date_of_birth", "1988-06-15")],
        )
        .await;
    assert_eq!(duplicate.status, 409);
    assert!(duplicate.body.contains("enrol anyway"));
    let confirmed = browser
        .submit(
            "/participants/new",
            &[
                ("given_name", "Ana"),
                ("family_name", "Reyes"),
                ("date_of_birth", "1988-06-15"),
                ("confirm_duplicate", "yes"),
            ],
        )
        .await;
    assert_eq!(confirmed.status, 303);
}

async fn the_edit_form_saves_changes_and_warns_about_concurrent_edits(app: TestApp) {
    let world = app.world().await;
    let api = app.api(world.org, world.coach).await;
    let id = enrol(&api, "Ana", "Reyes").await;
    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let form = browser.get(&format!("/participants/{id}/edit")).await;
    assert!(form.body.contains("name=\"version\" value=\"1\""));

    // Someone else saves first.
    api.patch(&format!("/api/v1/participants/{id}"), json!({"housing": "stable"}), None).await;
    let edit = [
        ("given_name", "Ana"),
        ("family_name", "Reyes"),
        ("date_of_birth", "1988-06-15"),
        ("status", "stepped_down"),
        ("version", "1"),
    ];
    let stale = browser.submit(&format!("/participants/{id}/edit"), &edit).await;
    assert_eq!(stale.status, 409);
    assert!(stale.body.contains("changed by someone else"));
    assert!(
        stale.body.contains("name=\"version\" value=\"2\""),
        "saving again applies over the newer version"
    );

    let mut edit = edit.to_vec();
    edit.retain(|(k, _)| *k != "version");
    edit.push(("version", "2"));
    let saved = browser.submit(&format!("/participants/{id}/edit"), &edit).await;
    assert_eq!(saved.status, 303);
    assert_eq!(
        api.get(&format!("/api/v1/participants/{id}")).await.json()["status"],
        "stepped_down"
    );
}
