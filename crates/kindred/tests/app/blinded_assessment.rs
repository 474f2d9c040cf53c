//! A blinded assessor (issue 11, item 8). An evaluator's randomised study blinds its
//! assessor: once a participant is allocated, their coach may still take the intake
//! assessment but not a follow-up one (403, with the reason), and a research assessor records
//! it — from their own list of open windows, which names the study and how to reach the
//! participant but never an arm. The assessor sees nothing else of the record, measures no
//! one outside a blinded study, and may not assess their own caseload.

use kindred_app::admin::NewAccount;
use kindred_domain::vocabulary::Role;
use serde_json::{Value, json};
use time::Duration;

use crate::support::{Api, PASSWORD, TestApp, World, on_both_backends};

on_both_backends!(
    a_blinded_study_s_follow_up_is_recorded_by_the_research_assessor,
    the_assessor_measures_only_blinded_studies_and_never_their_own_caseload,
);

/// Arm codes and names the assessor's responses are scanned for.
const ARMS: [&str; 4] = ["armkestrel", "Kestrel coaching", "armheron", "Heron leaflet"];

fn phq9_all(value: i64) -> Value {
    (1..=9).map(|i| (format!("phq9_{i}"), json!(value))).collect::<serde_json::Map<_, _>>().into()
}

async fn add_user(app: &TestApp, email: &str, roles: &[Role], supervisor: Option<&str>) {
    let account = NewAccount {
        organisation: "acme".into(),
        email: email.into(),
        display_name: None,
        password: PASSWORD.into(),
        roles: roles.to_vec(),
        supervisor_email: supervisor.map(str::to_owned),
    };
    app.app.add_user(account).await.expect("a user");
}

struct Blinded {
    program: String,
    study: String,
}

/// A program and an open randomised study over it whose plan blinds the assessor (or not).
async fn study(app: &TestApp, world: &World, blinded: bool) -> Blinded {
    let manager = app.api(world.org, world.manager).await;
    let evaluator = app.api(world.org, world.evaluator).await;
    let today = app.app.clock().today();
    let program = manager
        .post(
            "/api/v1/programs",
            json!({"template_code": "ed_brief_intervention",
                       "name": format!("Walk-in peer support {blinded}")}),
        )
        .await;
    assert_eq!(program.status, 201, "{}", program.body);
    let program = program.json()["id"].as_str().expect("a program").to_owned();
    let created = evaluator
        .post(
            "/api/v1/studies",
            json!({
                "title": format!("Kestrel trial {blinded}"),
                "question": "Does peer coaching after a walk-in visit lower use at six months?",
                "design": "randomised",
                "program_ids": [program],
                "arms": [
                    {"code": ARMS[2], "name": ARMS[3], "role": "comparison", "ratio": 1,
                     "receives": "written advice and a referral list only"},
                    {"code": ARMS[0], "name": ARMS[1], "role": "intervention", "ratio": 1,
                     "receives": "a peer recovery coach for six months"},
                ],
                "enrolment_from": (today - Duration::days(400)).to_string(),
                "enrolment_to": (today + Duration::days(60)).to_string(),
                "follow_up_days": 365,
                "randomisation": {"block_sizes": [2]},
                "outcomes": [{"code": "phq9_6m", "name": "PHQ-9 at 6 months", "kind": "score_at_time_point",
                              "instrument": "phq-9", "time_point": "6m"}],
                "plan": {"primary": "phq9_6m", "blinded_assessor": blinded.to_string()},
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let created = created.json();
    let id = created["id"].as_str().expect("an id").to_owned();
    let opened = evaluator
        .post(&format!("/api/v1/studies/{id}/open"), json!({"version": created["version"]}))
        .await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    Blinded { program, study: id }
}

/// A participant of the world's coach, enrolled in the program 180 days ago (the 6-month
/// window is open), and allocated in the study by the coach.
async fn allocated(app: &TestApp, world: &World, s: &Blinded, given: &str) -> String {
    let manager = app.api(world.org, world.manager).await;
    let enrolled_on = app.app.clock().today() - Duration::days(180);
    let reply = manager
        .post(
            "/api/v1/participants",
            json!({"given_name": given, "family_name": "Vantongeren", "date_of_birth": "1979-03-02",
                   "phone": "555-0142", "program_id": s.program,
                   "coach_id": world.coach_id.to_string(), "setting": "walk_in_clinic",
                   "enrolled_on": enrolled_on.to_string(),
                   "coach_override_reason": "The study's coach is still training"}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let participant = reply.json()["id"].as_str().expect("an id").to_owned();
    let coach = app.api(world.org, world.coach).await;
    let enrolment = coach
        .post(
            &format!("/api/v1/studies/{}/enrolments", s.study),
            json!({"participant_id": participant}),
        )
        .await;
    assert_eq!(enrolment.status, 201, "{}", enrolment.body);
    participant
}

async fn assess(
    api: &Api,
    s: &Blinded,
    participant: &str,
    time_point: &str,
) -> crate::support::Reply {
    api.post(
        &format!("/api/v1/participants/{participant}/assessments"),
        json!({"instrument": "phq-9", "program_id": s.program, "time_point_code": time_point,
               "complete": true, "answers": phq9_all(1)}),
    )
    .await
}

fn names_no_arm(body: &str) {
    for arm in ARMS {
        assert!(!body.contains(arm), "an arm ({arm}) reached the assessor: {body}");
    }
}

async fn a_blinded_study_s_follow_up_is_recorded_by_the_research_assessor(app: TestApp) {
    let world = app.world().await;
    add_user(&app, "assessor@acme.test", &[Role::ResearchAssessor], None).await;
    let s = study(&app, &world, true).await;
    let participant = allocated(&app, &world, &s, "Ysolde").await;
    let coach = app.api(world.org, world.coach).await;
    let supervisor = app.api(world.org, world.supervisor).await;
    let assessor = app.api(world.org, "assessor@acme.test").await;

    // The coach takes the intake assessment, as before…
    let intake = assess(&coach, &s, &participant, "intake").await;
    assert_eq!(intake.status, 201, "{}", intake.body);
    // …but not the outcome: the refusal says why, in words.
    for staff in [&coach, &supervisor] {
        let refused = assess(staff, &s, &participant, "6m").await;
        assert_eq!(refused.status, 403, "{}", refused.body);
        let message = refused.json()["error"]["message"].as_str().unwrap_or_default().to_owned();
        assert!(
            message.contains("blinded study") && message.contains("research assessor"),
            "{message}"
        );
    }
    let listed = format!("/api/v1/participants/{participant}/assessments");
    assert_eq!(coach.get(&listed).await.json().as_array().map(Vec::len), Some(1), "nothing saved");

    // The assessor's list names the participant, how to reach them and the study, no arm.
    let list = assessor.get("/api/v1/blinded-follow-up").await;
    assert_eq!(list.status, 200, "{}", list.body);
    names_no_arm(&list.body);
    let windows = list.json();
    let window = windows
        .as_array()
        .and_then(|w| w.iter().find(|w| w["participant_id"] == participant.as_str()))
        .unwrap_or_else(|| panic!("the participant's open window is listed: {windows}"));
    assert_eq!(window["time_point"]["code"], "6m");
    assert_eq!(window["phone"], "555-0142");
    assert_eq!(window["study_title"], "Kestrel trial true");

    // The page: the assessor's list links to the time point's form, which opens and saves.
    let mut browser = app.browser();
    browser.sign_in(world.org, "assessor@acme.test", PASSWORD).await;
    let page = browser.get("/blinded-follow-up").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Ysolde Vantongeren"), "{}", page.body);
    names_no_arm(&page.body);
    let form = browser
        .get(&format!(
            "/participants/{participant}/assessments/new?program={}&time_point=6m&instrument=phq-9",
            s.program
        ))
        .await;
    assert_eq!(form.status, 200, "{}", form.body);
    names_no_arm(&form.body);
    let mut coach_browser = app.browser();
    coach_browser.sign_in(world.org, world.coach, PASSWORD).await;
    assert_eq!(coach_browser.get("/blinded-follow-up").await.status, 403);

    // The assessor records the outcome and reads it back; the window then leaves their list.
    let recorded = assess(&assessor, &s, &participant, "6m").await;
    assert_eq!(recorded.status, 201, "{}", recorded.body);
    names_no_arm(&recorded.body);
    let read = assessor.get(&listed).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.json().as_array().map(Vec::len), Some(2));
    let follow_up = assessor.get(&format!("/api/v1/participants/{participant}/follow-up")).await;
    assert_eq!(follow_up.status, 200, "{}", follow_up.body);
    names_no_arm(&follow_up.body);
    let after = assessor.get("/api/v1/blinded-follow-up").await.json();
    assert!(
        !after.as_array().expect("a list").iter().any(|w| w["participant_id"] == participant.as_str()
            && w["time_point"]["code"] == "6m"),
        "{after}"
    );

    // Nothing else of the record, and nothing of the study's allocation.
    for path in [
        format!("/api/v1/participants/{participant}"),
        format!("/api/v1/participants/{participant}/tasks"),
        format!("/api/v1/participants/{participant}/outcome-events"),
        "/api/v1/research/participants".to_owned(),
        format!("/api/v1/studies/{}/allocations", s.study),
        format!("/api/v1/studies/{}/analysis", s.study),
        "/api/v1/contacts".to_owned(),
        "/api/v1/participants".to_owned(),
    ] {
        let reply = assessor.get(&path).await;
        assert_eq!(reply.status, 403, "{path}: {}", reply.body);
        names_no_arm(&reply.body);
    }
    // Coaches and supervisors have no assessor's list.
    for staff in [&coach, &supervisor] {
        assert_eq!(staff.get("/api/v1/blinded-follow-up").await.status, 403);
    }

    // Every read and write was audited under the assessor.
    let admin = app.api(world.org, world.admin).await;
    let audit = admin.get("/api/v1/audit-events?limit=500").await;
    assert_eq!(audit.status, 200, "{}", audit.body);
    let events = audit.json();
    let by_assessor: Vec<&Value> = events
        .as_array()
        .map(|events| events.iter().filter(|e| e["actor"] == "assessor@acme.test").collect())
        .unwrap_or_default();
    assert!(
        by_assessor.iter().any(|e| e["record_type"] == "assessment" && e["action"] == "create"),
        "{by_assessor:?}"
    );
    assert!(by_assessor.iter().any(|e| e["record_type"] == "follow_up"), "{by_assessor:?}");
}

async fn the_assessor_measures_only_blinded_studies_and_never_their_own_caseload(app: TestApp) {
    let world = app.world().await;
    add_user(&app, "assessor@acme.test", &[Role::ResearchAssessor], None).await;
    // A coach who also assesses: their own caseload's outcomes are not theirs to measure.
    add_user(
        &app,
        "coach.assessor@acme.test",
        &[Role::Coach, Role::ResearchAssessor],
        Some(world.supervisor),
    )
    .await;
    let assessor = app.api(world.org, "assessor@acme.test").await;
    let open = study(&app, &world, false).await;
    let in_open = allocated(&app, &world, &open, "Wenonah").await;

    // An unblinded study: the coach records the follow-up; the assessor has no part in it.
    let coach = app.api(world.org, world.coach).await;
    let by_coach = assess(&coach, &open, &in_open, "6m").await;
    assert_eq!(by_coach.status, 201, "{}", by_coach.body);
    assert_eq!(assess(&assessor, &open, &in_open, "6m").await.status, 403);
    assert_eq!(
        assessor.get(&format!("/api/v1/participants/{in_open}/follow-up")).await.status,
        403
    );
    let list = assessor.get("/api/v1/blinded-follow-up").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.json(), json!([]), "no blinded study, nothing to assess");

    // A blinded study's participant moved onto the coach-assessor's caseload.
    let blinded = study(&app, &world, true).await;
    let moved = allocated(&app, &world, &blinded, "Ottoline").await;
    let manager = app.api(world.org, world.manager).await;
    let before = manager.get(&format!("/api/v1/participants/{moved}")).await;
    let coach_assessor = manager.get("/api/v1/staff").await.json();
    let coach_assessor_id = coach_assessor
        .as_array()
        .and_then(|staff| staff.iter().find(|u| u["email"] == "coach.assessor@acme.test"))
        .map(|u| u["id"].clone())
        .unwrap_or_else(|| panic!("the coach-assessor is listed: {coach_assessor}"));
    let etag = before.header("etag").map(str::to_owned);
    let moved_reply = manager
        .patch(
            &format!("/api/v1/participants/{moved}"),
            json!({"coach_id": coach_assessor_id,
                   "coach_override_reason": "Covering while the coach is away"}),
            etag.as_deref(),
        )
        .await;
    assert_eq!(moved_reply.status, 200, "{}", moved_reply.body);
    let theirs = app.api(world.org, "coach.assessor@acme.test").await;
    let refused = assess(&theirs, &blinded, &moved, "6m").await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let message = refused.json()["error"]["message"].as_str().unwrap_or_default().to_owned();
    assert!(message.contains("you are this participant's coach"), "{message}");
    let listed = theirs.get("/api/v1/blinded-follow-up").await.json();
    assert!(
        !listed.as_array().expect("a list").iter().any(|w| w["participant_id"] == moved.as_str()),
        "their own participant is not on their list: {listed}"
    );
    // The other assessor may.
    assert_eq!(assess(&assessor, &blinded, &moved, "6m").await.status, 201);
}
