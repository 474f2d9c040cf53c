//! The instrument library over the API, and FHIR SDC import/export: definitions round-trip
//! through `Questionnaire`, administrations through `QuestionnaireResponse` with the same
//! scores, and an imported questionnaire becomes an instrument the organisation can give.

use serde_json::{Value, json};

use crate::support::{TestApp, enrol, on_both_backends};

on_both_backends!(
    the_library_lists_every_instrument_with_licence_and_citation,
    a_definition_round_trips_through_a_questionnaire_and_becomes_the_organisations_own,
    importing_a_questionnaire_is_refused_when_it_is_not_valid_or_not_a_managers,
    a_response_round_trips_through_fhir_with_the_same_scores,
    a_response_with_an_invalid_answer_or_about_someone_else_is_refused_and_nothing_saved,
);

async fn the_library_lists_every_instrument_with_licence_and_citation(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let listed = coach.get("/api/v1/instruments").await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let listed = listed.json();
    let codes: Vec<&str> =
        listed.as_array().expect("a list").iter().filter_map(|i| i["code"].as_str()).collect();
    assert_eq!(
        codes,
        [
            "barc-10",
            "phq-9",
            "gad-7",
            "audit-c",
            "dast-10",
            "readiness-ruler",
            "use-days-30",
            "who-5",
            "mspss",
            "gse",
            "stress-rating",
            "service-satisfaction"
        ]
    );
    for instrument in listed.as_array().expect("a list") {
        assert!(instrument["citation"].as_str().is_some_and(|c| c.len() > 20), "{instrument}");
        assert!(instrument["licence"]["summary"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(instrument["version"].is_string() && instrument["name"].is_string());
        assert_eq!(instrument["source"], "library");
    }
    let dast = listed
        .as_array()
        .expect("a list")
        .iter()
        .find(|i| i["code"] == "dast-10")
        .expect("DAST-10");
    let licence = dast["licence"]["summary"].as_str().expect("a licence");
    assert!(licence.contains("non-commercial") && licence.contains("Skinner"), "{licence}");

    let definition = coach.get("/api/v1/instruments/mspss").await.json();
    assert_eq!(definition["items"].as_array().map(Vec::len), Some(12));
    assert_eq!(definition["scoring"]["scales"].as_array().map(Vec::len), Some(4));
    assert_eq!(coach.get("/api/v1/instruments/nope").await.status, 404);
    let fhir = coach.get("/api/v1/instruments/phq-9/fhir").await;
    assert_eq!(fhir.header("content-type"), Some("application/fhir+json"));
    assert_eq!(fhir.json()["resourceType"], "Questionnaire");
}

/// The shipped PHQ-9 questionnaire renamed, as another organisation might publish it.
async fn renamed_questionnaire(api: &crate::support::Api, code: &str) -> Value {
    let mut questionnaire = api.get("/api/v1/instruments/phq-9/fhir").await.json();
    questionnaire["id"] = json!(code);
    questionnaire
}

async fn a_definition_round_trips_through_a_questionnaire_and_becomes_the_organisations_own(
    app: TestApp,
) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let original = manager.get("/api/v1/instruments/phq-9").await.json();
    let questionnaire = renamed_questionnaire(&manager, "phq-9-local").await;
    let imported = manager.post("/api/v1/instruments/import", questionnaire.clone()).await;
    assert_eq!(imported.status, 201, "{}", imported.body);
    assert_eq!(imported.header("location"), Some("/api/v1/instruments/phq-9-local"));
    // definition → Questionnaire → definition: identical but for the code.
    let mut stored = manager.get("/api/v1/instruments/phq-9-local").await.json();
    stored["code"] = json!("phq-9");
    assert_eq!(stored, original);
    // Exported again, it is the questionnaire that was imported.
    let again = manager.get("/api/v1/instruments/phq-9-local/fhir").await.json();
    assert_eq!(again["item"], questionnaire["item"]);

    // Listed for the organisation (not for another), and administrable, scored the same.
    let listed = manager.get("/api/v1/instruments").await.json();
    let own = listed
        .as_array()
        .expect("a list")
        .iter()
        .find(|i| i["code"] == "phq-9-local")
        .expect("listed");
    assert_eq!(own["source"], "organisation");
    let outsider = app.api(world.other_org, world.other_manager).await;
    assert_eq!(outsider.get("/api/v1/instruments/phq-9-local").await.status, 404);
    let id = enrol(&manager, "Ida", "Marsh").await;
    let given = manager
        .post(
            &format!("/api/v1/participants/{id}/assessments"),
            json!({"instrument": "phq-9-local", "complete": true, "answers": {
                "phq9_1": 3, "phq9_2": 3, "phq9_3": 3, "phq9_4": 3, "phq9_5": 3,
                "phq9_6": 3, "phq9_7": 0, "phq9_8": 0, "phq9_9": 0}}),
        )
        .await;
    assert_eq!(given.status, 201, "{}", given.body);
    assert_eq!(given.json()["score"], 18.0);
    assert_eq!(given.json()["band"]["code"], "moderately_severe");

    // The same code twice is a conflict: answers keep the definition they were given with.
    let twice = manager.post("/api/v1/instruments/import", questionnaire).await;
    assert_eq!(twice.status, 409, "{}", twice.body);
}

async fn importing_a_questionnaire_is_refused_when_it_is_not_valid_or_not_a_managers(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let coach = app.api(world.org, world.coach).await;
    let questionnaire = renamed_questionnaire(&manager, "mine").await;
    let by_coach = coach.post("/api/v1/instruments/import", questionnaire).await;
    assert_eq!(by_coach.status, 403);

    let shipped = renamed_questionnaire(&manager, "phq-9").await;
    let clash = manager.post("/api/v1/instruments/import", shipped).await;
    assert_eq!(clash.status, 422, "{}", clash.body);
    assert!(clash.json()["error"]["fields"]["id"].is_string());

    let not_one =
        manager.post("/api/v1/instruments/import", json!({"resourceType": "Patient"})).await;
    assert_eq!(not_one.status, 422);
    assert!(not_one.json()["error"]["fields"]["resourceType"].is_string());

    let mut untitled = renamed_questionnaire(&manager, "untitled").await;
    untitled.as_object_mut().expect("an object").remove("title");
    let refused = manager.post("/api/v1/instruments/import", untitled).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.json()["error"]["fields"]["title"], "is required");
    let listed = manager.get("/api/v1/instruments").await.json();
    assert_eq!(listed.as_array().map(Vec::len), Some(12), "nothing imported");
}

async fn a_response_round_trips_through_fhir_with_the_same_scores(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Jo", "Pike").await;
    let list = format!("/api/v1/participants/{id}/assessments");
    // MSPSS: three subscales and a total, means of 1–7 answers.
    let answers: serde_json::Map<String, Value> =
        (1..=12).map(|i| (format!("mspss_{i}"), json!(1 + (i % 7)))).collect();
    let given = coach
        .post(
            &list,
            json!({"instrument": "mspss", "complete": true, "administered_on": "2026-02-03",
                   "answers": answers}),
        )
        .await;
    assert_eq!(given.status, 201, "{}", given.body);
    let given = given.json();
    let path = format!("/api/v1/assessments/{}/fhir", given["id"].as_str().expect("id"));
    let exported = coach.get(&path).await;
    assert_eq!(exported.status, 200, "{}", exported.body);
    let exported = exported.json();
    assert_eq!(exported["resourceType"], "QuestionnaireResponse");
    assert_eq!(exported["status"], "completed");
    let subject = exported["subject"]["reference"].as_str().expect("a subject");
    assert!(subject.starts_with("Patient/") && !exported.to_string().contains("Pike"));
    assert!(exported["authored"].as_str().is_some_and(|a| a.starts_with("2026-02-03")));

    let imported = coach.post(&format!("{list}/fhir"), exported).await;
    assert_eq!(imported.status, 201, "{}", imported.body);
    let imported = imported.json();
    assert_ne!(imported["id"], given["id"]);
    assert_eq!(imported["answers"], given["answers"]);
    assert_eq!(imported["scales"], given["scales"]);
    assert_eq!(imported["status"], "completed");
    assert_eq!(imported["administered_on"], "2026-02-03");
    assert_eq!(imported["change"]["scales"][0]["difference"], 0.0);

    // A partial administration travels as in-progress and comes back in progress.
    let partial =
        coach.post(&list, json!({"instrument": "who-5", "answers": {"who5_1": 3}})).await.json();
    let out = coach
        .get(&format!("/api/v1/assessments/{}/fhir", partial["id"].as_str().expect("id")))
        .await
        .json();
    assert_eq!(out["status"], "in-progress");
    let back = coach.post(&format!("{list}/fhir"), out).await.json();
    assert_eq!(back["status"], "in_progress");
    assert_eq!(back["answers"], json!({"who5_1": 3}));
}

async fn a_response_with_an_invalid_answer_or_about_someone_else_is_refused_and_nothing_saved(
    app: TestApp,
) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let id = enrol(&coach, "Kit", "Lowe").await;
    let list = format!("/api/v1/participants/{id}/assessments");
    let given =
        coach.post(&list, json!({"instrument": "gad-7", "answers": {"gad7_1": 1}})).await.json();
    let mut exported = coach
        .get(&format!("/api/v1/assessments/{}/fhir", given["id"].as_str().expect("id")))
        .await
        .json();
    let other = enrol(&coach, "Ola", "Berg").await;
    let other_list = format!("/api/v1/participants/{other}/assessments");
    let misfiled = coach.post(&format!("{other_list}/fhir"), exported.clone()).await;
    assert_eq!(misfiled.status, 422, "another participant's response: {}", misfiled.body);
    assert!(misfiled.json()["error"]["fields"]["subject"].is_string(), "{}", misfiled.body);
    assert_eq!(coach.get(&other_list).await.json().as_array().map(Vec::len), Some(0));
    exported["item"][0]["answer"][0]["valueCoding"]["code"] = json!("7");
    let refused = coach.post(&format!("{list}/fhir"), exported.clone()).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.json()["error"]["fields"]["gad7_1"].is_string(), "{}", refused.body);
    exported["questionnaire"] = json!("https://example.org/Questionnaire/other");
    let unknown = coach.post(&format!("{list}/fhir"), exported).await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.json()["error"]["fields"]["questionnaire"].is_string());
    assert_eq!(coach.get(&list).await.json().as_array().map(Vec::len), Some(1));
}
