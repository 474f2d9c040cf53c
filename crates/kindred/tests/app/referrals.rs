//! Referrals: sharing a participant's details only under a consent that covers the service's
//! organisation, for referral, today; and the closed loop sent → accepted → attended.

use serde_json::{Value, json};

use crate::support::{Api, PASSWORD, TestApp, enrol, on_both_backends};

on_both_backends!(
    sharing_is_refused_without_a_covering_consent_and_nothing_is_saved,
    a_consent_that_expired_or_was_revoked_no_longer_covers_sharing,
    a_referral_goes_round_its_closed_loop_and_open_ones_are_listed,
    evaluators_and_other_coaches_cannot_see_or_make_referrals,
    a_referral_is_made_from_the_participant_page_and_a_refusal_is_explained,
    open_referrals_page_through_every_one_once_oldest_first,
);

/// A resource added by the manager; returns its id.
pub async fn resource(
    app: &TestApp,
    org: &str,
    manager: &str,
    organisation: &str,
    service: &str,
) -> String {
    let api = app.api(org, manager).await;
    let reply = api
        .post(
            "/api/v1/resources",
            json!({"organisation_name": organisation, "service_name": service, "city": "Harbor City"}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["id"].as_str().expect("id").to_owned()
}

async fn consent(api: &Api, participant: &str, body: Value) -> String {
    let reply = api.post(&format!("/api/v1/participants/{participant}/consents"), body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["id"].as_str().expect("id").to_owned()
}

fn terms(recipient: &str, purpose: &str, items: &[&str], expires: &str) -> Value {
    json!({"disclose": items, "recipient": recipient, "purpose": purpose, "expires_on": expires})
}

/// The reason sharing was refused (and the status must be 422).
async fn refusal(api: &Api, participant: &str, body: Value) -> String {
    let reply = api.post(&format!("/api/v1/participants/{participant}/referrals"), body).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    reply.json()["error"]["fields"]["share"].as_str().expect("a reason").to_owned()
}

async fn referral_count(api: &Api, participant: &str) -> usize {
    api.get(&format!("/api/v1/participants/{participant}/referrals"))
        .await
        .json()
        .as_array()
        .map_or(0, Vec::len)
}

async fn sharing_is_refused_without_a_covering_consent_and_nothing_is_saved(app: TestApp) {
    let world = app.world().await;
    let housing =
        resource(&app, world.org, world.manager, "Eastside Housing Trust", "Housing navigation")
            .await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Ana", "Reyes").await;
    let share = |items: &[&str]| json!({"resource_id": housing, "share": items, "note": "Needs a flat near the clinic"});

    // No consent at all.
    let reason = refusal(&coach, &id, share(&["contact_details", "referrals"])).await;
    assert!(reason.contains("no consent on file names Eastside Housing Trust"), "{reason}");
    // A consent to another recipient.
    consent(
        &coach,
        &id,
        terms("Harbor Medical Clinic", "referral", &["contact_details", "referrals"], "2099-12-31"),
    )
    .await;
    let reason = refusal(&coach, &id, share(&["contact_details", "referrals"])).await;
    assert!(reason.contains("no consent on file names Eastside Housing Trust"), "{reason}");
    // A consent naming them, for another purpose.
    consent(
        &coach,
        &id,
        terms("Eastside Housing Trust", "legal", &["contact_details", "referrals"], "2099-12-31"),
    )
    .await;
    let reason = refusal(&coach, &id, share(&["contact_details", "referrals"])).await;
    assert!(reason.contains("is for court or probation reporting, not for referral"), "{reason}");
    // For referral, but not everything asked.
    let covering = consent(
        &coach,
        &id,
        terms("eastside housing trust", "referral", &["participation", "referrals"], "2099-12-31"),
    )
    .await;
    let reason = refusal(&coach, &id, share(&["contact_details", "referrals"])).await;
    assert!(reason.contains("does not include \"Contact details\""), "{reason}");
    let reason = refusal(&coach, &id, share(&["assessments"])).await;
    assert!(reason.contains("does not include \"Assessment results\""), "{reason}");
    assert_eq!(referral_count(&coach, &id).await, 0, "nothing was saved");

    // Within what the consent allows: made, and the consent relied on is recorded.
    let made = coach
        .post(
            &format!("/api/v1/participants/{id}/referrals"),
            share(&["referrals", "participation"]),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let referral = made.json();
    assert_eq!(referral["shared"], true);
    assert_eq!(referral["consent_id"], covering);
    assert_eq!(referral["shared_items"], json!(["participation", "referrals"]));
    assert_eq!(referral["organisation_name"], "Eastside Housing Trust");
    assert_eq!(referral["status"], "sent");

    // Sharing nothing needs no consent.
    let clinic =
        resource(&app, world.org, world.manager, "Northgate Food Bank", "Weekly food parcels")
            .await;
    let plain = coach
        .post(&format!("/api/v1/participants/{id}/referrals"), json!({"resource_id": clinic}))
        .await;
    assert_eq!(plain.status, 201, "{}", plain.body);
    assert_eq!(plain.json()["shared"], false);
    assert_eq!(plain.json()["consent_id"], Value::Null);
    assert_eq!(referral_count(&coach, &id).await, 2);
}

async fn a_consent_that_expired_or_was_revoked_no_longer_covers_sharing(app: TestApp) {
    let world = app.world().await;
    let housing =
        resource(&app, world.org, world.manager, "Eastside Housing Trust", "Housing navigation")
            .await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Ana", "Reyes").await;
    let share = json!({"resource_id": housing, "share": ["referrals"]});
    let ends = app.app.clock().today() + time::Duration::days(5);
    consent(
        &coach,
        &id,
        terms("Eastside Housing Trust", "referral", &["referrals"], &ends.to_string()),
    )
    .await;
    let path = format!("/api/v1/participants/{id}/referrals");
    assert_eq!(coach.post(&path, share.clone()).await.status, 201);

    app.app.clock().advance(time::Duration::days(6));
    let reason = refusal(&coach, &id, share.clone()).await;
    assert!(reason.contains(&format!("expired on {ends}")), "{reason}");

    let renewed = consent(
        &coach,
        &id,
        terms("Eastside Housing Trust", "referral", &["referrals"], "2099-12-31"),
    )
    .await;
    coach
        .post(
            &format!("/api/v1/participants/{id}/consents/{renewed}/revoke"),
            json!({"reason": "Changed her mind"}),
        )
        .await;
    let reason = refusal(&coach, &id, share).await;
    assert!(reason.contains("was revoked on"), "{reason}");
    assert_eq!(referral_count(&coach, &id).await, 1, "only the first referral was saved");
}

async fn a_referral_goes_round_its_closed_loop_and_open_ones_are_listed(app: TestApp) {
    let world = app.world().await;
    let outpatient = resource(
        &app,
        world.org,
        world.manager,
        "County Outpatient Services",
        "Intensive outpatient",
    )
    .await;
    let coach = app.api(world.org, world.coach).await;
    let ana = enrol(&coach, "Ana", "Reyes").await;
    let path = format!("/api/v1/participants/{ana}/referrals");
    let first = coach.post(&path, json!({"resource_id": outpatient})).await.json();
    let second = coach.post(&path, json!({"resource_id": outpatient})).await.json();
    let status =
        |referral: &Value| format!("{path}/{}/status", referral["id"].as_str().expect("id"));

    assert_eq!(first["next_statuses"], json!(["accepted", "declined"]));
    let skipped = coach.post(&status(&first), json!({"status": "attended"})).await;
    assert_eq!(skipped.status, 422);
    assert!(
        skipped.json()["error"]["fields"]["status"]
            .as_str()
            .is_some_and(|m| m.contains("can only become accepted or declined"))
    );
    let accepted = coach
        .post(&status(&first), json!({"status": "accepted", "note": "Intake on Tuesday"}))
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let supervisor = app.api(world.org, world.supervisor).await;
    let attended = supervisor
        .post(&status(&first), json!({"status": "attended", "note": "Went with her coach"}))
        .await;
    assert_eq!(attended.json()["status"], "attended");
    let events = attended.json()["events"].clone();
    let loop_: Vec<&str> =
        events.as_array().expect("events").iter().filter_map(|e| e["status"].as_str()).collect();
    assert_eq!(loop_, ["sent", "accepted", "attended"]);
    assert_eq!(events[1]["note"], "Intake on Tuesday");
    assert_eq!(events[2]["changed_by"], world.supervisor_id.to_string());
    assert_eq!(attended.json()["next_statuses"], json!([]));

    let back = coach.post(&status(&first), json!({"status": "sent"})).await;
    assert_eq!(back.status, 422);
    assert!(
        back.json()["error"]["fields"]["status"]
            .as_str()
            .is_some_and(|m| m.contains("loop is closed"))
    );
    let read = coach.get(&format!("{path}/{}", first["id"].as_str().expect("id"))).await.json();
    assert_eq!(read["status"], "attended", "the refused move changed nothing");
    assert_eq!(read["events"].as_array().map(Vec::len), Some(3));

    // The second is still open: it is on the coach's and the supervisor's follow-up lists,
    // not on another coach's.
    let open = coach.get("/api/v1/referrals/open").await.json();
    assert_eq!((open["total"].as_i64(), open["capped"].as_bool()), (Some(1), Some(false)));
    let open = &open["items"];
    let ids: Vec<&str> = open
        .as_array()
        .expect("open")
        .iter()
        .filter_map(|f| f["referral"]["id"].as_str())
        .collect();
    assert_eq!(ids, [second["id"].as_str().expect("id")]);
    assert_eq!(open[0]["participant_name"], "Ana Reyes");
    assert_eq!(
        supervisor.get("/api/v1/referrals/open").await.json()["items"].as_array().map(Vec::len),
        Some(1)
    );
    let lone = app.api(world.org, world.lone_coach).await;
    assert_eq!(lone.get("/api/v1/referrals/open").await.json()["items"], json!([]));
    coach.post(&status(&second), json!({"status": "declined", "note": "Full until spring"})).await;
    assert_eq!(coach.get("/api/v1/referrals/open").await.json()["items"], json!([]));

    // A deactivated resource is not offered for new referrals.
    let manager = app.api(world.org, world.manager).await;
    manager.post(&format!("/api/v1/resources/{outpatient}/deactivate"), json!({})).await;
    let refused = coach.post(&path, json!({"resource_id": outpatient})).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.json()["error"]["fields"]["resource_id"]
            .as_str()
            .is_some_and(|m| m.contains("no longer offered"))
    );
}

async fn evaluators_and_other_coaches_cannot_see_or_make_referrals(app: TestApp) {
    let world = app.world().await;
    let housing =
        resource(&app, world.org, world.manager, "Eastside Housing Trust", "Housing navigation")
            .await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Ana", "Reyes").await;
    let path = format!("/api/v1/participants/{id}/referrals");
    let made =
        coach.post(&path, json!({"resource_id": housing, "note": "Private words"})).await.json();
    let one = format!("{path}/{}", made["id"].as_str().expect("id"));

    let evaluator = app.api(world.org, world.evaluator).await;
    for reply in [
        evaluator.get(&path).await,
        evaluator.get(&one).await,
        evaluator.get("/api/v1/referrals/open").await,
    ] {
        assert_eq!(reply.status, 403, "{}", reply.body);
        assert!(!reply.body.contains("Private words"));
    }
    assert_eq!(evaluator.post(&path, json!({"resource_id": housing})).await.status, 403);
    let lone = app.api(world.org, world.lone_coach).await;
    assert_eq!(lone.get(&path).await.status, 403);
    assert_eq!(
        lone.post(&format!("{one}/status"), json!({"status": "accepted"})).await.status,
        403
    );
    // Another organisation's resource cannot be referred to.
    let other =
        resource(&app, world.other_org, world.other_manager, "Far Away Trust", "Far services")
            .await;
    let foreign = coach.post(&path, json!({"resource_id": other})).await;
    assert_eq!(foreign.status, 422);
    assert_eq!(referral_count(&coach, &id).await, 1);
    assert_eq!(coach.get(&one).await.json()["status"], "sent");
}

async fn a_referral_is_made_from_the_participant_page_and_a_refusal_is_explained(app: TestApp) {
    let world = app.world().await;
    let housing =
        resource(&app, world.org, world.manager, "Eastside Housing Trust", "Housing navigation")
            .await;
    resource(&app, world.org, world.manager, "Northgate Food Bank", "Weekly food parcels").await;
    let api = app.api(world.org, world.coach).await;
    let id = enrol(&api, "Ana", "Reyes").await;
    consent(&api, &id, terms("Eastside Housing Trust", "referral", &["referrals"], "2099-12-31"))
        .await;
    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;

    let form = browser.get(&format!("/participants/{id}/referrals/new?q=housing")).await;
    assert!(form.body.contains("Housing navigation — Eastside Housing Trust"));
    assert!(!form.body.contains("Weekly food parcels"), "the search narrows the list");
    assert!(
        form.body.contains("Eastside Housing Trust: Referral details (until 2099-12-31)"),
        "the form says what the consents on file allow"
    );
    let path = format!("/participants/{id}/referrals/new");
    let refused = browser
        .submit(
            &path,
            &[("resource_id", &housing), ("share", "contact_details"), ("note", "Needs a flat")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("does not include &quot;Contact details&quot;")
            || refused.body.contains("does not include &#34;Contact details&#34;"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Needs a flat"), "what was typed is kept");
    assert_eq!(referral_count(&api, &id).await, 0);

    let made = browser
        .submit(
            &path,
            &[("resource_id", &housing), ("share", "referrals"), ("note", "Needs a flat")],
        )
        .await;
    assert_eq!(made.status, 303);
    let page = browser.get(&format!("/participants/{id}")).await;
    assert!(page.body.contains("Housing navigation — Eastside Housing Trust"));
    assert!(page.body.contains("Shared: Referral details (under their signed consent)"));
    let referral = api.get(&format!("/api/v1/participants/{id}/referrals")).await.json()[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let moved = browser
        .submit(
            &format!("/participants/{id}/referrals/{referral}/status"),
            &[("status", "accepted"), ("note", "Intake Tuesday")],
        )
        .await;
    assert_eq!(moved.status, 303);
    let follow_ups = browser.get("/referrals").await;
    assert!(follow_ups.body.contains("Ana Reyes (P-0001)") && follow_ups.body.contains("Accepted"));
    let closed = browser
        .submit(&format!("/participants/{id}/referrals/{referral}/status"), &[("status", "sent")])
        .await;
    assert_eq!(closed.status, 422);
    assert_eq!(
        api.get(&format!("/api/v1/participants/{id}/referrals/{referral}")).await.json()["status"],
        "accepted"
    );
}

async fn open_referrals_page_through_every_one_once_oldest_first(app: TestApp) {
    let world = app.world().await;
    let outpatient =
        resource(&app, world.org, world.manager, "County Outpatient Services", "Outpatient").await;
    let coach = app.api(world.org, world.coach).await;
    let mut participants = Vec::new();
    for family in ["Ref0", "Ref1", "Ref2"] {
        participants.push(enrol(&coach, "Pat", family).await);
    }
    let mut made = Vec::new();
    for k in 0..25 {
        // Three participants of the coach, a minute between referrals: oldest first is the
        // order they were made in.
        let path = format!("/api/v1/participants/{}/referrals", participants[k % 3]);
        let reply = coach.post(&path, json!({"resource_id": outpatient})).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        made.push(reply.json()["id"].as_str().expect("id").to_owned());
        app.app.clock().advance(time::Duration::minutes(1));
    }
    let lone = app.api(world.org, world.lone_coach).await;
    let theirs = enrol(&lone, "Pat", "Elsewhere").await;
    let reply = lone
        .post(
            &format!("/api/v1/participants/{theirs}/referrals"),
            json!({"resource_id": outpatient}),
        )
        .await;
    let other = reply.json()["id"].as_str().expect("id").to_owned();

    let first = coach.get("/api/v1/referrals/open").await.json();
    assert_eq!(
        (first["total"].as_i64(), first["capped"].as_bool(), first["page_count"].as_i64()),
        (Some(25), Some(false), Some(2))
    );
    let mut listed = Vec::new();
    for page in 1..=3 {
        let reply = coach.get(&format!("/api/v1/referrals/open?page={page}")).await.json();
        let items = reply["items"].as_array().expect("items");
        assert_eq!(items.len(), [20, 5, 0][page - 1], "page {page}");
        listed.extend(items.iter().map(|f| f["referral"]["id"].as_str().expect("id").to_owned()));
    }
    assert_eq!(listed, made, "every one once, the longest untouched first");
    assert!(!listed.contains(&other), "not another coach's");
    let manager = app.api(world.org, world.manager).await;
    assert_eq!(manager.get("/api/v1/referrals/open").await.json()["total"], 26);

    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let page = browser.get("/referrals").await;
    assert!(page.body.contains("25 open"), "{}", page.body);
    assert!(page.body.contains("href=\"/referrals?page=2\""), "{}", page.body);
    assert!(!page.body.contains("Elsewhere"));
    let second = browser.get("/referrals?page=2").await;
    assert_eq!(second.body.matches("class=\"card\"").count(), 5);
    assert!(second.body.contains("Page 2 of 2"));
}
