//! Recording, listing and revoking consents.

use serde_json::json;

use crate::support::{
    PASSWORD, TestApp, enrol, minimal_participant, on_both_backends, referral_consent,
};

on_both_backends!(
    a_consent_is_recorded_listed_and_revoked_once,
    an_incomplete_consent_is_refused_and_nothing_is_saved,
    a_consent_expires_on_its_end_date,
    consents_are_revoked_from_the_participant_page,
);

async fn a_consent_is_recorded_listed_and_revoked_once(app: TestApp) {
    let world = app.world().await;
    let api = app.api(world.org, world.coach).await;
    let id = enrol(&api, "Ana", "Reyes").await;
    let created = api
        .post(&format!("/api/v1/participants/{id}/consents"), referral_consent("Harbor Clinic"))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let consent = created.json();
    assert_eq!(consent["status"], "active");
    assert_eq!(consent["disclose"], json!(["participation", "referrals"]));
    assert_eq!(consent["recorded_by"], world.coach_id.to_string());
    let consent_id = consent["id"].as_str().expect("id");

    let list = api.get(&format!("/api/v1/participants/{id}/consents")).await.json();
    assert_eq!(list.as_array().map(Vec::len), Some(1));

    let revoke = format!("/api/v1/participants/{id}/consents/{consent_id}/revoke");
    let revoked = api.post(&revoke, json!({"reason": "Asked to stop sharing"})).await;
    assert_eq!(revoked.status, 200);
    assert_eq!(revoked.json()["status"], "revoked");
    assert_eq!(revoked.json()["revocation_reason"], "Asked to stop sharing");
    assert!(revoked.json()["revoked_at"].is_string());

    let again = api.post(&revoke, json!({})).await;
    assert_eq!(again.status, 409);
    assert_eq!(
        api.get(&format!("/api/v1/participants/{id}/consents")).await.json()[0]["revocation_reason"],
        "Asked to stop sharing"
    );

    // A consent id under the wrong participant is not found.
    let other = api.post("/api/v1/participants", minimal_participant("Ben", "Okafor")).await.json()
        ["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let mismatched = api
        .post(&format!("/api/v1/participants/{other}/consents/{consent_id}/revoke"), json!({}))
        .await;
    assert_eq!(mismatched.status, 404);
}

async fn an_incomplete_consent_is_refused_and_nothing_is_saved(app: TestApp) {
    let world = app.world().await;
    let api = app.api(world.org, world.coach).await;
    let id = enrol(&api, "Ana", "Reyes").await;
    let path = format!("/api/v1/participants/{id}/consents");
    let reply = api.post(&path, json!({"disclose": ["gossip"], "purpose": "referral"})).await;
    assert_eq!(reply.status, 422);
    let fields = &reply.json()["error"]["fields"];
    assert!(fields["disclose"].as_str().is_some_and(|m| m.contains("participation")));
    assert_eq!(fields["recipient"], "is required");
    assert_eq!(fields["expires_on"], "is required");

    let backwards = api
        .post(&path, json!({"disclose": ["referrals"], "recipient": "X", "purpose": "referral", "signed_on": "2025-05-01", "expires_on": "2025-04-01"}))
        .await;
    assert_eq!(
        backwards.json()["error"]["fields"]["expires_on"],
        "must be after the date it was signed"
    );
    assert_eq!(api.get(&path).await.json(), json!([]));
}

async fn a_consent_expires_on_its_end_date(app: TestApp) {
    let world = app.world().await;
    let api = app.api(world.org, world.coach).await;
    let id = enrol(&api, "Ana", "Reyes").await;
    let today = app.app.clock().today();
    let ends = (today + time::Duration::days(10)).to_string();
    let body = json!({"disclose": ["referrals"], "recipient": "Harbor Clinic", "purpose": "referral", "expires_on": ends});
    api.post(&format!("/api/v1/participants/{id}/consents"), body).await;
    app.app.clock().advance(time::Duration::days(10));
    assert_eq!(
        api.get(&format!("/api/v1/participants/{id}/consents")).await.json()[0]["status"],
        "active",
        "valid through its last day"
    );
    app.app.clock().advance(time::Duration::days(1));
    assert_eq!(
        api.get(&format!("/api/v1/participants/{id}/consents")).await.json()[0]["status"],
        "expired"
    );
}

async fn consents_are_revoked_from_the_participant_page(app: TestApp) {
    let world = app.world().await;
    let api = app.api(world.org, world.coach).await;
    let id = enrol(&api, "Ana", "Reyes").await;
    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;

    let form = browser.get(&format!("/participants/{id}/consents/new")).await;
    assert!(form.body.contains("What may be shared"));
    let missing = browser
        .submit(&format!("/participants/{id}/consents/new"), &[("recipient", "Harbor Clinic")])
        .await;
    assert_eq!(missing.status, 422);
    assert!(missing.body.contains("value=\"Harbor Clinic\""));
    let recorded = browser
        .submit(
            &format!("/participants/{id}/consents/new"),
            &[
                ("disclose", "participation"),
                ("disclose", "referrals"),
                ("recipient", "Harbor Clinic"),
                ("purpose", "referral"),
                ("expires_on", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(recorded.status, 303);
    let location = recorded.header("location").expect("back to the participant").to_owned();
    assert_eq!(location, format!("/participants/{id}?notice=consent-recorded#consents"));
    let page = browser.get(location.trim_end_matches("#consents")).await;
    assert!(page.body.contains("Consent recorded.") && page.body.contains("Harbor Clinic"));
    assert!(page.body.contains("May share: Participation, Referral details"));

    let consent = api.get(&format!("/api/v1/participants/{id}/consents")).await.json()[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let revoked = browser
        .submit(
            &format!("/participants/{id}/consents/{consent}/revoke"),
            &[("reason", "Moved away")],
        )
        .await;
    assert_eq!(revoked.status, 303);
    let page = browser.get(&format!("/participants/{id}")).await;
    assert!(page.body.contains("Revoked on") && page.body.contains("Moved away"));
    assert_eq!(
        api.get(&format!("/api/v1/participants/{id}/consents")).await.json()[0]["status"],
        "revoked"
    );
}
