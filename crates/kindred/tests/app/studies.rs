//! Studies (issue 11): an evaluator replicates a template's randomised trial, opens it, staff
//! enrol participants and the app allocates them; the arms balance within each block, the log
//! re-derives from the seed, nothing changes an allocation, and the plan locks and amends
//! with a chain of hashes. Coaches learn an arm and nothing else; evaluators never see names;
//! nothing crosses organisations.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::support::{Api, PASSWORD, TestApp, World, on_both_backends};

on_both_backends!(
    an_evaluator_replicates_a_randomised_trial_and_the_app_allocates_balanced_blocks,
    a_study_with_bad_fields_is_refused_field_by_field,
    the_plan_locks_with_its_hash_and_amends_in_a_chain,
    only_evaluators_run_studies_and_nothing_crosses_organisations,
    the_evaluator_s_pages_replicate_lock_and_verify_without_javascript,
);

async fn program(manager: &Api, template: &str) -> String {
    let reply = manager.post("/api/v1/programs", json!({"template_code": template})).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["id"].as_str().expect("a program").to_owned()
}

/// A participant eligible for the brief-intervention trial, on `coach`'s caseload.
async fn eligible(manager: &Api, program: &str, n: usize, coach: &str) -> String {
    let substance = if n.is_multiple_of(3) { "opioids" } else { "cocaine" };
    let reply = manager
        .post(
            "/api/v1/participants",
            json!({"given_name": format!("Given{n}"), "family_name": format!("Zanzibarova{n}"),
                   "date_of_birth": "1988-06-15", "program_id": program, "coach_id": coach,
                   "setting": "walk_in_clinic", "primary_substance": substance,
                   "coach_override_reason": "The study's coach is still training"}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["id"].as_str().expect("an id").to_owned()
}

/// Replicates the brief-intervention trial over a program made from its template.
async fn replicated(app: &TestApp, world: &World) -> (Api, Api, String, Value) {
    let manager = app.api(world.org, world.manager).await;
    let evaluator = app.api(world.org, world.evaluator).await;
    let program = program(&manager, "ed_brief_intervention").await;
    let reply = evaluator
        .post(
            "/api/v1/studies/replicate",
            json!({"template_code": "ed_brief_intervention", "program_id": program}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let study = reply.json();
    assert_eq!(study["status"], "draft");
    assert_eq!(study["design"], "randomised");
    assert_eq!(study["arms"].as_array().map(Vec::len), Some(2));
    assert_eq!(study["plan"]["locked"], false);
    (manager, evaluator, program, study)
}

async fn open(evaluator: &Api, study: &Value) -> Value {
    let id = study["id"].as_str().expect("an id");
    let reply = evaluator
        .post(&format!("/api/v1/studies/{id}/open"), json!({"version": study["version"]}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

async fn an_evaluator_replicates_a_randomised_trial_and_the_app_allocates_balanced_blocks(
    app: TestApp,
) {
    let world = app.world().await;
    let (manager, evaluator, program, study) = replicated(&app, &world).await;
    let id = study["id"].as_str().expect("an id").to_owned();
    let coach_id = world.coach_id.to_string();
    let first = eligible(&manager, &program, 0, &coach_id).await;
    let enrolments = format!("/api/v1/studies/{id}/enrolments");
    let coach = app.api(world.org, world.coach).await;
    // A draft enrols no one.
    let early = coach.post(&enrolments, json!({"participant_id": first})).await;
    assert_eq!(early.status, 409, "{}", early.body);
    let opened = open(&evaluator, &study).await;
    assert_eq!(opened["status"], "open");

    // The coach enrols their participant and learns the arm, nothing else.
    let reply = coach.post(&enrolments, json!({"participant_id": first})).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let body = reply.json();
    assert!(["peer_intervention", "written_advice"].contains(&body["arm"].as_str().unwrap_or("")));
    for secret in ["seed", "stratum", "block", "sequence", "position"] {
        assert!(!reply.body.contains(secret), "the coach's reply names {secret}: {}", reply.body);
    }
    let again = coach.post(&enrolments, json!({"participant_id": first})).await;
    assert_eq!(again.status, 409, "enrolled twice: {}", again.body);
    for n in 1..40 {
        let participant = eligible(&manager, &program, n, &coach_id).await;
        let reply = manager.post(&enrolments, json!({"participant_id": participant})).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
    }
    // Someone outside the eligibility rules is refused, by field.
    let ineligible = manager
        .post(
            "/api/v1/participants",
            json!({"given_name": "Ina", "family_name": "Eligible", "date_of_birth": "1990-01-01",
                   "program_id": program, "setting": "emergency_department",
                   "primary_substance": "alcohol"}),
        )
        .await
        .json();
    let refused = manager.post(&enrolments, json!({"participant_id": ineligible["id"]})).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.json()["error"]["fields"]["participant_id"].is_string());

    // The log: forty entries, numbered in order, each completed block balanced.
    let log = evaluator.get(&format!("/api/v1/studies/{id}/allocations")).await;
    assert_eq!(log.status, 200, "{}", log.body);
    let log = log.json();
    let log = log.as_array().expect("a log");
    assert_eq!(log.len(), 40);
    assert!(!log.iter().any(|e| e.to_string().contains("Zanzibarova")), "names in the log");
    let mut blocks: BTreeMap<(String, i64), (i64, Vec<String>)> = BTreeMap::new();
    for (i, entry) in log.iter().enumerate() {
        assert_eq!(entry["sequence"], i as i64 + 1);
        assert_eq!(entry["method"], "randomised");
        let key = (
            entry["stratum"].as_str().unwrap_or("").to_owned(),
            entry["block"].as_i64().unwrap_or(-1),
        );
        let size = entry["block_size"].as_i64().expect("a block size");
        blocks
            .entry(key)
            .or_insert((size, Vec::new()))
            .1
            .push(entry["arm"].as_str().unwrap_or("").to_owned());
    }
    let strata: std::collections::BTreeSet<&String> = blocks.keys().map(|(s, _)| s).collect();
    assert_eq!(strata.len(), 2, "stratified by primary substance: {strata:?}");
    let mut complete = 0;
    for ((stratum, block), (size, arms)) in &blocks {
        let intervention = arms.iter().filter(|a| *a == "peer_intervention").count() as i64;
        let comparison = arms.len() as i64 - intervention;
        if arms.len() as i64 == *size {
            complete += 1;
            assert_eq!(intervention, comparison, "block {block} of {stratum} is unbalanced");
        } else {
            assert!((intervention - comparison).abs() <= size / 2, "{stratum} {block}");
        }
    }
    assert!(complete >= 4, "only {complete} complete blocks");
    // The evaluator sees counts by arm; they add up to everyone enrolled.
    let seen = evaluator.get(&format!("/api/v1/studies/{id}")).await.json();
    let counts: Vec<i64> = seen["arms"]
        .as_array()
        .expect("arms")
        .iter()
        .map(|a| a["enrolled"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(counts.iter().sum::<i64>(), 40);
    assert_eq!(seen["enrolled"], 40);

    // The log re-derives from the seed.
    let verified =
        evaluator.post(&format!("/api/v1/studies/{id}/allocations/verify"), json!({})).await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    let verified = verified.json();
    assert_eq!(verified["matches"], true, "{verified}");
    assert_eq!(verified["entries"], 40);

    // The coach sees the study's design but never the counts, log or seed.
    let as_coach = coach.get(&format!("/api/v1/studies/{id}")).await;
    assert_eq!(as_coach.status, 200);
    assert!(
        as_coach.json()["arms"].as_array().expect("arms").iter().all(|a| a["enrolled"].is_null())
    );
    assert!(!as_coach.body.contains("seed\":") && !as_coach.body.contains("stratum"));
    assert_eq!(coach.get(&format!("/api/v1/studies/{id}/allocations")).await.status, 403);
    let supervisor = app.api(world.org, world.supervisor).await;
    assert_eq!(supervisor.get(&format!("/api/v1/studies/{id}/allocations")).await.status, 403);
    assert_eq!(
        coach.post(&format!("/api/v1/studies/{id}/allocations/verify"), json!({})).await.status,
        403
    );

    // Append-only: the document has no route that changes or removes an allocation, and a
    // participant who withdraws keeps their arm (intention to treat).
    let document = app.anonymous_api().get("/api/v1/openapi.json").await.json();
    for (path, item) in document["paths"].as_object().expect("paths") {
        if path.contains("allocations") || path.contains("enrolments") {
            for method in ["put", "patch", "delete"] {
                assert!(item.get(method).is_none(), "{method} {path} changes an allocation");
            }
        }
    }
    let arm_before = log[0]["arm"].clone();
    let withdrawn = manager
        .patch(&format!("/api/v1/participants/{first}"), json!({"status": "withdrawn"}), None)
        .await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    let log = evaluator.get(&format!("/api/v1/studies/{id}/allocations")).await.json();
    assert_eq!(log[0]["arm"], arm_before);
    assert_eq!(log.as_array().map(Vec::len), Some(40));
    let verified =
        evaluator.post(&format!("/api/v1/studies/{id}/allocations/verify"), json!({})).await;
    assert_eq!(verified.json()["matches"], true);
    // The database refuses a change to the log too.
    let changed = app.raw_sql("UPDATE study_allocations SET arm = 'written_advice'").await;
    assert!(changed.is_err(), "the allocation log accepted an UPDATE");
    let removed = app.raw_sql("DELETE FROM study_allocations").await;
    assert!(removed.is_err(), "the allocation log accepted a DELETE");
}

async fn a_study_with_bad_fields_is_refused_field_by_field(app: TestApp) {
    let world = app.world().await;
    let evaluator = app.api(world.org, world.evaluator).await;
    let reply = evaluator
        .post(
            "/api/v1/studies",
            json!({"title": "", "design": "randomised", "program_ids": ["not-an-id"],
                   "arms": [{"code": "a", "name": "A", "receives": "x", "role": "intervention", "ratio": 1}],
                   "enrolment_from": "2026-01-01", "enrolment_to": "2025-01-01",
                   "follow_up_days": 180, "randomisation": {"block_sizes": [3]}}),
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let fields = reply.json()["error"]["fields"].clone();
    for field in ["title", "question", "arms", "enrolment_to", "plan"] {
        assert!(fields[field].is_string(), "no error for {field}: {fields}");
    }
    assert!(fields.as_object().is_some_and(|f| f.keys().any(|k| k.starts_with("program_ids"))));
    // A program of another organisation is not one of ours.
    let other = app.api(world.other_org, world.other_manager).await;
    let theirs = program(&other, "ed_brief_intervention").await;
    let reply = evaluator
        .post(
            "/api/v1/studies/replicate",
            json!({"template_code": "ed_brief_intervention", "program_id": theirs}),
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(reply.json()["error"]["fields"]["program_ids[0]"].is_string(), "{}", reply.body);
    let unknown = evaluator
        .post("/api/v1/studies/replicate", json!({"template_code": "nope", "program_id": theirs}))
        .await;
    assert_eq!(unknown.status, 422);
}

async fn the_plan_locks_with_its_hash_and_amends_in_a_chain(app: TestApp) {
    let world = app.world().await;
    let (_, evaluator, _, study) = replicated(&app, &world).await;
    let id = study["id"].as_str().expect("an id").to_owned();
    // Amending before locking is refused; editing a draft works, and a stale version conflicts.
    let mut definition = study["definition"].clone();
    definition["title"] = json!("Brief intervention, Acme replication");
    let edit = json!({"version": study["version"], "study": definition});
    let edited = evaluator.patch(&format!("/api/v1/studies/{id}"), edit.clone(), None).await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let stale = evaluator.patch(&format!("/api/v1/studies/{id}"), edit, None).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    let study = edited.json();
    let early = evaluator
        .post(
            &format!("/api/v1/studies/{id}/plan/amendments"),
            json!({"version": study["version"], "reason": "x", "study": study["definition"]}),
        )
        .await;
    assert_eq!(early.status, 409);

    let locked = evaluator.post(&format!("/api/v1/studies/{id}/plan/lock"), json!({})).await;
    assert_eq!(locked.status, 200, "{}", locked.body);
    let locked = locked.json();
    let hash = locked["plan"]["locked_hash"].as_str().expect("a hash").to_owned();
    assert_eq!(hash.len(), 64);
    assert_eq!(locked["plan"]["current_hash"], hash.as_str());
    assert_eq!(locked["plan"]["chain_verifies"], true);
    assert!(locked["plan"]["locked_at"].is_string());
    let twice = evaluator.post(&format!("/api/v1/studies/{id}/plan/lock"), json!({})).await;
    assert_eq!(twice.status, 409);
    // A locked part changes only by amendment.
    let mut changed = locked["definition"].clone();
    changed["plan"]["alpha"] = json!("0.01");
    let direct = evaluator
        .patch(
            &format!("/api/v1/studies/{id}"),
            json!({"version": locked["version"], "study": changed}),
            None,
        )
        .await;
    assert_eq!(direct.status, 409, "{}", direct.body);
    let no_reason = evaluator
        .post(
            &format!("/api/v1/studies/{id}/plan/amendments"),
            json!({"version": locked["version"], "study": changed}),
        )
        .await;
    assert_eq!(no_reason.status, 422);
    assert!(no_reason.json()["error"]["fields"]["reason"].is_string());
    let amended = evaluator
        .post(
            &format!("/api/v1/studies/{id}/plan/amendments"),
            json!({"version": locked["version"], "reason": "The funder asks for a stricter alpha",
                   "study": changed}),
        )
        .await;
    assert_eq!(amended.status, 200, "{}", amended.body);
    let amended = amended.json();
    let first = &amended["plan"]["amendments"][0];
    assert_eq!(first["previous_hash"], hash.as_str());
    assert_eq!(first["plan_hash"], amended["plan"]["current_hash"]);
    assert_ne!(first["plan_hash"], hash.as_str());
    let mut again = amended["definition"].clone();
    again["plan"]["alpha"] = json!("0.025");
    let second = evaluator
        .post(
            &format!("/api/v1/studies/{id}/plan/amendments"),
            json!({"version": amended["version"], "reason": "Back to a common alpha", "study": again}),
        )
        .await;
    assert_eq!(second.status, 200, "{}", second.body);
    let second = second.json();
    let chain = second["plan"]["amendments"].as_array().expect("amendments");
    assert_eq!(chain.len(), 2);
    assert_eq!(chain[1]["previous_hash"], chain[0]["hash"]);
    assert_eq!(second["plan"]["chain_verifies"], true, "{}", second["plan"]);
    assert_eq!(second["plan"]["locked_hash"], hash.as_str());
}

async fn only_evaluators_run_studies_and_nothing_crosses_organisations(app: TestApp) {
    let world = app.world().await;
    let (manager, evaluator, program, study) = replicated(&app, &world).await;
    let id = study["id"].as_str().expect("an id").to_owned();
    let definition = study["definition"].clone();
    for email in [world.coach, world.supervisor, world.manager, world.admin] {
        let api = app.api(world.org, email).await;
        assert_eq!(api.post("/api/v1/studies", definition.clone()).await.status, 403, "{email}");
        let lock = api.post(&format!("/api/v1/studies/{id}/plan/lock"), json!({})).await;
        assert_eq!(lock.status, 403, "{email} locks");
        let open = api.post(&format!("/api/v1/studies/{id}/open"), json!({"version": 1})).await;
        assert_eq!(open.status, 403, "{email} opens");
    }
    let opened = open(&evaluator, &study).await;
    assert_eq!(opened["status"], "open");
    let participant = eligible(&manager, &program, 7, &world.coach_id.to_string()).await;
    // The evaluator does not enrol (nor see names); the lone coach cannot enrol someone else's.
    let enrolments = format!("/api/v1/studies/{id}/enrolments");
    let by_evaluator = evaluator.post(&enrolments, json!({"participant_id": participant})).await;
    assert_eq!(by_evaluator.status, 403, "{}", by_evaluator.body);
    let lone = app.api(world.org, world.lone_coach).await;
    assert_eq!(lone.post(&enrolments, json!({"participant_id": participant})).await.status, 403);
    let supervisor = app.api(world.org, world.supervisor).await;
    assert_eq!(
        supervisor.post(&enrolments, json!({"participant_id": participant})).await.status,
        201
    );
    let log = evaluator.get(&format!("/api/v1/studies/{id}/allocations")).await;
    assert!(log.body.contains(&participant) && !log.body.contains("Zanzibarova"), "{}", log.body);
    let page = evaluator.get(&format!("/api/v1/studies/{id}")).await;
    assert!(!page.body.contains("Zanzibarova"));

    // Another organisation finds nothing.
    let other = app.api(world.other_org, world.other_manager).await;
    for path in [format!("/api/v1/studies/{id}"), format!("/api/v1/studies/{id}/allocations")] {
        let reply = other.get(&path).await;
        assert!([403, 404].contains(&reply.status), "{path}: {}", reply.status);
        assert!(!reply.body.contains(&participant));
    }
    assert_eq!(other.get(&format!("/api/v1/studies/{id}")).await.status, 404);
    let listed = other.get("/api/v1/studies").await;
    assert_eq!(listed.status, 200);
    assert!(!listed.body.contains(&id));
    assert_eq!(other.post(&enrolments, json!({"participant_id": participant})).await.status, 404);
}

async fn the_evaluator_s_pages_replicate_lock_and_verify_without_javascript(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let program = program(&manager, "ed_brief_intervention").await;
    let mut browser = app.browser();
    browser.sign_in(world.org, world.evaluator, PASSWORD).await;
    let list = browser.get("/studies").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("<label for=\"template_code\">"), "{}", list.body);
    let replicated = browser
        .submit(
            "/studies/replicate",
            &[("template_code", "ed_brief_intervention"), ("program_id", &program)],
        )
        .await;
    assert_eq!(replicated.status, 303, "{}", replicated.body);
    let edit = replicated.header("location").expect("to the form").to_owned();
    let form = browser.get(&edit).await;
    assert!(
        form.body.contains("<label for=\"definition\">") && form.body.contains("walk_in_clinic")
    );
    // A broken definition comes back with its problems by field.
    let refused =
        browser.submit(&edit, &[("definition", "{\"title\": \"\"}"), ("version", "1")]).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("<code>title</code>"), "{}", refused.body);
    let id = edit.trim_start_matches("/studies/").trim_end_matches("/edit").to_owned();
    let page = browser.get(&format!("/studies/{id}")).await;
    assert!(page.body.contains("Plan hash (SHA-256)") && page.body.contains("Not locked"));
    let locked = browser.submit(&format!("/studies/{id}/lock"), &[]).await;
    assert_eq!(locked.status, 303, "{}", locked.body);
    let page = browser.get(&format!("/studies/{id}")).await;
    assert!(page.body.contains("Locked as") && page.body.contains("every amendment verify"));
    let opened = browser.submit(&format!("/studies/{id}/open"), &[("version", "1")]).await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    let participant = eligible(&manager, &program, 3, &world.coach_id.to_string()).await;
    let reply = manager
        .post(&format!("/api/v1/studies/{id}/enrolments"), json!({"participant_id": participant}))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    browser.get(&format!("/studies/{id}")).await;
    let verified = browser.submit(&format!("/studies/{id}/verify"), &[]).await;
    assert_eq!(verified.status, 200);
    assert!(verified.body.contains("the log matches"), "{}", verified.body);
    assert!(verified.body.contains("1 enrolled"));
    assert!(!verified.body.contains("Zanzibarova"));

    // A coach sees what each arm receives, never counts by arm or the log's check.
    let mut coach = app.browser();
    coach.sign_in(world.org, world.coach, PASSWORD).await;
    let page = coach.get(&format!("/studies/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Written advice and referral list"));
    assert!(!page.body.contains("Re-derive") && !page.body.contains("· 1 enrolled"));
    assert_eq!(coach.submit(&format!("/studies/{id}/verify"), &[]).await.status, 403);
}
