//! Program templates and programs: every template listed with its study, programs made from a
//! template or from scratch, protocols checked field by field, managers alone changing them.

use serde_json::{Value, json};

use crate::support::{Api, PASSWORD, TestApp, on_both_backends};

on_both_backends!(
    anyone_signed_in_lists_the_ten_templates_with_their_studies,
    a_manager_creates_a_program_from_a_template_and_changes_it,
    a_protocol_with_a_window_that_misses_its_target_is_refused_by_field,
    only_managers_create_and_change_programs,
    the_program_pages_work_on_a_phone_without_javascript,
);

/// Creates a program as `manager` and returns its body.
pub async fn create_program(manager: &Api, body: Value) -> Value {
    let reply = manager.post("/api/v1/programs", body).await;
    assert_eq!(reply.status, 201, "creating a program: {}", reply.body);
    reply.json()
}

async fn anyone_signed_in_lists_the_ten_templates_with_their_studies(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let reply = coach.get("/api/v1/program-templates").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let templates = reply.json();
    let templates = templates.as_array().expect("a list");
    assert_eq!(templates.len(), 10);
    let ed = templates.iter().find(|t| t["code"] == "ed_brief_intervention").expect("the ED model");
    assert_eq!(ed["study"]["year"], 2005);
    assert_eq!(ed["study"]["participants"], 1175);
    assert_eq!(ed["study"]["design"], "randomised");
    assert!(ed["study"]["citation"].as_str().is_some_and(|c| c.starts_with("Bernstein J")));
    let booster =
        ed["steps"].as_array().expect("steps").iter().find(|s| s["code"] == "telephone_booster");
    let booster = booster.expect("a telephone booster");
    assert_eq!(
        (booster["target_day"].as_i64(), booster["window_start_day"].as_i64()),
        (Some(10), Some(8))
    );
    assert_eq!(booster["window_end_day"], 12);
    let companion =
        templates.iter().find(|t| t["code"] == "community_companion").expect("Min 2007");
    assert_eq!(companion["min_months_in_recovery"], 36);
    assert!(templates.iter().all(|t| t["study"]["title"].as_str().is_some_and(|s| !s.is_empty())));
    assert!(templates.iter().all(|t| !t["measures"].as_array().expect("measures").is_empty()));

    assert_eq!(app.anonymous_api().get("/api/v1/program-templates").await.status, 401);
    let document = app.anonymous_api().get("/api/v1/openapi.json").await.json();
    assert!(document["paths"]["/api/v1/program-templates"]["get"].is_object());
}

async fn a_manager_creates_a_program_from_a_template_and_changes_it(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let created = create_program(
        &manager,
        json!({"template_code": "post_discharge_engagement", "name": "After Discharge", "target_caseload": 12}),
    )
    .await;
    let id = created["id"].as_str().expect("an id").to_owned();
    assert_eq!(created["name"], "After Discharge");
    assert_eq!(created["template_code"], "post_discharge_engagement");
    assert_eq!(created["target_caseload"], 12, "what was given replaces the template's");
    assert_eq!(created["min_months_in_recovery"], 6, "the rest is copied from the template");
    assert_eq!(created["study"]["authors"], "Tracy K, Burton M, Nich C, Rounsaville B");
    assert_eq!(created["hourly_staff_cost"], "22.00");
    let escort = &created["steps"][1];
    assert_eq!(escort["code"], "escort_first_outpatient");
    assert_eq!(escort["anchor"], "first_appointment");
    assert_eq!(escort["appointment_kind"], "substance_use_treatment");
    assert_eq!(escort["window_start_day"], -60);

    // The copy is the organisation's own: change its protocol and costs.
    let changed = manager
        .patch(
            &format!("/api/v1/programs/{id}"),
            json!({
                "requires_certification": true,
                "hourly_staff_cost": "24.50",
                "contact_costs": [{"mode": "in_person", "cost": "7"}],
                "steps": [{"code": "first_call", "name": "First call", "anchor": "enrolment",
                           "target_day": 2, "window_start_day": 1, "window_end_day": 3,
                           "activity": "check_in"}],
            }),
            None,
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let program = manager.get(&format!("/api/v1/programs/{id}")).await.json();
    assert_eq!(program["requires_certification"], true);
    assert_eq!(program["hourly_staff_cost"], "24.50");
    assert_eq!(program["contact_costs"], json!([{"mode": "in_person", "cost": "7.00"}]));
    assert_eq!(program["steps"].as_array().map(Vec::len), Some(1));
    assert_eq!(program["steps"][0]["timing"], "day 2 (window 1–3) after enrolment");
    assert_eq!(program["components"].as_array().map(Vec::len), Some(4), "untouched lists stay");
    // What a client reads it can send back unchanged; another template code is refused.
    let round_trip = manager.patch(&format!("/api/v1/programs/{id}"), program.clone(), None).await;
    assert_eq!(round_trip.status, 200, "{}", round_trip.body);
    assert_eq!(round_trip.json(), program);
    let retemplated = manager
        .patch(&format!("/api/v1/programs/{id}"), json!({"template_code": "mobile_outreach"}), None)
        .await;
    assert_eq!(
        retemplated.json()["error"]["fields"]["template_code"],
        "is only given when creating a program"
    );

    // From scratch, only a name is needed; names stay unique.
    let scratch = create_program(&manager, json!({"name": "Night Outreach"})).await;
    assert_eq!(scratch["steps"], json!([]));
    assert_eq!(scratch["active"], true);
    let again = manager.post("/api/v1/programs", json!({"name": "after discharge"})).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.json()["error"]["message"], "a program with this name already exists");
    let listed = manager.get("/api/v1/programs").await.json();
    let names: Vec<&str> =
        listed.as_array().expect("a list").iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(names, vec!["After Discharge", "Night Outreach"]);
    assert_eq!(listed[0]["step_count"], 1);

    let audit = app
        .api(world.org, world.admin)
        .await
        .get("/api/v1/audit-events?record_type=program")
        .await
        .json();
    let details: Vec<&str> =
        audit.as_array().expect("events").iter().filter_map(|e| e["detail"].as_str()).collect();
    assert!(
        details
            .iter()
            .any(|d| d.contains("After Discharge from template post_discharge_engagement"))
    );
    assert!(
        details.iter().any(|d| d.contains("changed eligibility, costs, protocol")),
        "{details:?}"
    );
}

async fn a_protocol_with_a_window_that_misses_its_target_is_refused_by_field(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let reply = manager
        .post(
            "/api/v1/programs",
            json!({
                "name": "Bad Timing",
                "target_caseload": "lots",
                "steps": [
                    {"code": "booster", "name": "Booster", "anchor": "enrolment",
                     "target_day": 10, "window_start_day": 11, "window_end_day": 9},
                    {"code": "booster", "name": "Again", "anchor": "enrolment",
                     "target_day": 1, "window_start_day": 0, "window_end_day": 2},
                    {"code": "escort", "name": "Escort", "anchor": "first_appointment",
                     "target_day": 0, "window_start_day": -30, "window_end_day": 0},
                    {"code": "early", "name": "Early", "anchor": "enrolment",
                     "target_day": 0, "window_start_day": -2, "window_end_day": 0},
                ],
            }),
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let fields = &reply.json()["error"]["fields"];
    assert_eq!(fields["steps[0].window_start_day"], "must be on or before the target day (10)");
    assert_eq!(fields["steps[0].window_end_day"], "must be on or after the target day (10)");
    assert_eq!(fields["steps[1].code"], "is already the code of another step");
    assert_eq!(
        fields["steps[2].appointment_kind"],
        "is required for a step measured from the first appointment"
    );
    assert!(fields["steps[3].window_start_day"].as_str().is_some_and(|m| m.contains("0 or later")));
    assert_eq!(fields["target_caseload"], "must be a whole number from 1 to 500");
    let unknown = manager.post("/api/v1/programs", json!({"template_code": "miracle_cure"})).await;
    assert_eq!(
        unknown.json()["error"]["fields"]["template_code"],
        "is not one of Kindred's program templates"
    );
    assert_eq!(manager.get("/api/v1/programs").await.json(), json!([]), "nothing was saved");
}

async fn only_managers_create_and_change_programs(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let program = create_program(&manager, json!({"template_code": "mobile_outreach"})).await;
    let path = format!("/api/v1/programs/{}", program["id"].as_str().expect("id"));
    for email in [world.coach, world.supervisor, world.admin, world.evaluator] {
        let api = app.api(world.org, email).await;
        let create = api.post("/api/v1/programs", json!({"name": "Mine"})).await;
        assert_eq!(create.status, 403, "{email} created a program");
        assert_eq!(
            create.json()["error"]["message"],
            "only program managers create and change programs, schedules, instruments and directory imports"
        );
        assert_eq!(api.patch(&path, json!({"name": "Renamed"}), None).await.status, 403);
        assert_eq!(api.get(&path).await.status, 200, "{email} reads programs");
    }
    let outsider = app.api(world.other_org, world.other_manager).await;
    assert_eq!(outsider.get(&path).await.status, 404);
    assert_eq!(outsider.patch(&path, json!({"name": "Taken"}), None).await.status, 404);
    assert_eq!(manager.get(&path).await.json()["name"], "Peer-led mobile outreach");

    // A program that is not enrolling takes no one new.
    assert_eq!(manager.patch(&path, json!({"active": false}), None).await.status, 200);
    let mut body = crate::support::minimal_participant("Ana", "Reyes");
    body["program_id"] = program["id"].clone();
    let refused = manager.post("/api/v1/participants", body).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.json()["error"]["fields"]["program_id"],
        "Peer-led mobile outreach is not enrolling participants"
    );
}

async fn the_program_pages_work_on_a_phone_without_javascript(app: TestApp) {
    let world = app.world().await;
    let mut browser = app.browser();
    browser.sign_in(world.org, world.manager, PASSWORD).await;
    let new = browser.get("/programs/new").await;
    assert_eq!(new.status, 200);
    assert!(
        new.body.contains("Bernstein et al., 2005") && new.body.contains("Community companion")
    );

    let created = browser
        .submit(
            "/programs/new",
            &[("template_code", "ed_brief_intervention"), ("name", "ED Bridge")],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let location = created.header("location").expect("to the program").to_owned();
    let page = browser.get(&location).await;
    assert!(page.body.contains("<h1>ED Bridge</h1>"));
    assert!(
        page.body.contains("Telephone booster")
            && page.body.contains("day 10 (window 8–12) after enrolment")
    );
    assert!(page.body.contains(
        "Brief motivational intervention at a clinic visit reduces cocaine and heroin use"
    ));
    let program =
        location.trim_start_matches("/programs/").split('?').next().expect("id").to_owned();

    // A step whose window misses its target is shown back with the problem beside the field.
    let step_form = format!("/programs/{program}/steps/new");
    assert!(browser.get(&step_form).await.body.contains("<label for=\"window_start_day\">"));
    let refused = browser
        .submit(
            &step_form,
            &[
                ("code", "week_two_call"),
                ("name", "Week-two call"),
                ("anchor", "enrolment"),
                ("target_day", "14"),
                ("window_start_day", "15"),
                ("window_end_day", "20"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("must be on or before the target day (14)"));
    assert!(refused.body.contains("value=\"week_two_call\""), "what was typed is kept");
    let saved = browser
        .submit(
            &step_form,
            &[
                ("code", "week_two_call"),
                ("name", "Week-two call"),
                ("anchor", "enrolment"),
                ("target_day", "14"),
                ("window_start_day", "12"),
                ("window_end_day", "16"),
                ("activity", "check_in"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = browser.get(&format!("/programs/{program}")).await;
    assert!(page.body.contains("Week-two call") && page.body.contains("day 14 (window 12–16)"));

    let edited = browser
        .submit(
            &format!("/programs/{program}/edit"),
            &[
                ("name", "ED Bridge"),
                ("active", "true"),
                ("target_caseload", "35"),
                ("min_months_in_recovery", "12"),
                ("requires_certification", "true"),
                ("min_training_hours", "40"),
                ("hourly_staff_cost", "23.00"),
                ("cost_in_person", "5.00"),
                ("cost_phone", "0.50"),
                ("cost_video", ""),
                ("cost_text", "0.10"),
            ],
        )
        .await;
    assert_eq!(edited.status, 303, "{}", edited.body);
    let manager = app.api(world.org, world.manager).await;
    let stored = manager.get(&format!("/api/v1/programs/{program}")).await.json();
    assert_eq!(stored["target_caseload"], 35);
    assert_eq!(
        stored["contact_costs"].as_array().map(Vec::len),
        Some(3),
        "a blank cost is not set"
    );
    assert_eq!(stored["steps"].as_array().map(Vec::len), Some(3));

    let removed =
        browser.submit(&format!("/programs/{program}/steps/week_two_call/remove"), &[]).await;
    assert_eq!(removed.status, 303);
    let stored = manager.get(&format!("/api/v1/programs/{program}")).await.json();
    assert_eq!(stored["steps"].as_array().map(Vec::len), Some(2));

    // A coach reads the program but is offered no way to change it.
    let mut coach = app.browser();
    coach.sign_in(world.org, world.coach, PASSWORD).await;
    let page = coach.get(&format!("/programs/{program}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains(&format!("/programs/{program}/edit")));
    assert_eq!(coach.get("/programs/new").await.status, 403);
}
