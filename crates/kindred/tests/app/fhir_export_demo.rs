//! The demo's programs exported as FHIR for a service its consents name: realistic records
//! (a year of contacts in every mode and format, referrals in every state of the loop) make
//! valid R4 bundles, and only the consenting participants, on the consents' terms, are in them.

use kindred_app::demo::{DEMO_ORGANISATION, DEMO_PASSWORD, populate};
use serde_json::json;

use crate::fhir_export::export_path;
use crate::support::fhir::{assert_references_resolve, assert_valid_fhir, resources};
use crate::support::{TestApp, on_both_backends};

on_both_backends!(the_demos_program_bundles_are_valid_fhir_on_the_consents_terms);

async fn the_demos_program_bundles_are_valid_fhir_on_the_consents_terms(app: TestApp) {
    populate(&app.app, 30, 2026).await.expect("the demo");
    let reply = app
        .anonymous_api()
        .post(
            "/api/v1/auth/token",
            json!({"org": DEMO_ORGANISATION, "email": "manager@riverside.example", "password": DEMO_PASSWORD}),
        )
        .await;
    let manager = app.anonymous_api().with_token(reply.json()["token"].as_str().expect("token"));
    let programs = manager.get("/api/v1/programs").await.json();
    let (mut included, mut left_out, mut encounters) = (0, 0, 0);
    for program in programs.as_array().expect("programs") {
        let id = program["id"].as_str().expect("id");
        // The demo's consents are for referral, to participation and referral details.
        let path = export_path("programs", id, "Eastside Housing Trust", "referral");
        let reply = manager.get(&path).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        left_out += reply
            .header("kindred-participants-left-out")
            .map_or(0, |n| n.parse::<usize>().expect("a count"));
        let bundle = reply.json();
        assert_valid_fhir(&bundle);
        assert_references_resolve(&bundle);
        let patients = resources(&bundle, "Patient");
        included += patients.len();
        assert!(patients.iter().all(|p| p.get("name").is_none()), "no contact details consented");
        assert!(resources(&bundle, "QuestionnaireResponse").is_empty(), "no assessments consented");
        encounters += resources(&bundle, "Encounter").len();
    }
    eprintln!(
        "demo FHIR: {included} participants in, {left_out} left out, {encounters} encounters"
    );
    assert!(included > 0 && left_out > included, "a few consented to this service: {included}");
    assert!(encounters > included, "their contacts went with them");
}
