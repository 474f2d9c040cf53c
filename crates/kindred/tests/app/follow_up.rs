//! Follow-up: schedules edited by managers, the sweep's tasks and escalations, statuses by the
//! calendar, attempts, the locator under consent, administrative exclusions and the rates.
//! (The window-edge scenario with hand-computed statuses and rates is a unit test in
//! `kindred_domain::follow_up_log`; here the same rules are seen over HTTP.)

use serde_json::{Value, json};
use time::{Date, Duration};

use crate::programs::create_program;
use reqwest::Method;

use crate::support::{Api, Reply, TestApp, minimal_participant, on_both_backends};

on_both_backends!(
    a_manager_edits_the_schedule_and_refused_changes_leave_it_as_it_was,
    statuses_tasks_and_escalations_follow_the_calendar,
    the_locator_names_people_only_under_a_current_consent,
    completions_at_the_window_edges_give_the_hand_computed_rate,
    a_corrected_enrolment_date_moves_the_open_assessment_task,
    the_follow_up_list_pages_through_every_open_window_once_soonest_closing_first,
);

/// A program from a template, without eligibility rules.
pub(crate) async fn open_program(manager: &Api, name: &str) -> String {
    let body = json!({"template_code": "mobile_outreach", "name": name,
        "min_months_in_recovery": "", "requires_certification": false, "min_training_hours": ""});
    create_program(manager, body).await["id"].as_str().expect("id").to_owned()
}

/// Intake (day 0, window 0–14), 3 months (90, 60–120) and 6 months (180, 150–240).
pub(crate) fn three_points() -> Value {
    json!({"time_points": [
        {"code": "intake", "label": "Intake", "target_day": 0, "window_start_day": 0,
         "window_end_day": 14, "instruments": ["barc-10", "phq-9"]},
        {"code": "m3", "label": "3 months", "target_day": 90, "window_start_day": 60,
         "window_end_day": 120, "instruments": ["barc-10"]},
        {"code": "m6", "label": "6 months", "target_day": 180, "window_start_day": 150,
         "window_end_day": 240, "instruments": ["barc-10"]},
    ]})
}

/// `PUT` of a JSON body.
pub(crate) async fn put(api: &Api, path: &str, body: Value) -> Reply {
    api.send_raw(Method::PUT, path, "application/json", &body.to_string()).await
}

pub(crate) async fn put_schedule(manager: &Api, program: &str, body: Value) {
    let reply = put(manager, &format!("/api/v1/programs/{program}/schedule"), body).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

pub(crate) async fn enrol_on(
    api: &Api,
    family: &str,
    program: &str,
    enrolled_on: Date,
    coach: &str,
) -> String {
    let mut body = minimal_participant("Pat", family);
    body["program_id"] = json!(program);
    body["enrolled_on"] = json!(enrolled_on.to_string());
    body["coach_id"] = json!(coach);
    let reply = api.post("/api/v1/participants", body).await;
    assert_eq!(reply.status, 201, "enrolling {family}: {}", reply.body);
    reply.json()["id"].as_str().expect("id").to_owned()
}

pub(crate) async fn follow_up(api: &Api, participant: &str) -> Value {
    let reply = api.get(&format!("/api/v1/participants/{participant}/follow-up")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

pub(crate) fn point<'a>(record: &'a Value, code: &str) -> &'a Value {
    record["time_points"]
        .as_array()
        .and_then(|points| points.iter().find(|p| p["code"] == code))
        .unwrap_or_else(|| panic!("no {code} in {record}"))
}

pub(crate) fn days(n: i64) -> Duration {
    Duration::days(n)
}

async fn a_manager_edits_the_schedule_and_refused_changes_leave_it_as_it_was(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let program = open_program(&manager, "Outreach").await;
    let path = format!("/api/v1/programs/{program}/schedule");

    // A new program starts with its template's schedule (mobile outreach surveys to 18 months,
    // as its study did): 6 months is day 180, window 150–240.
    let default = manager.get(&path).await.json();
    let codes: Vec<&str> = default["time_points"]
        .as_array()
        .expect("points")
        .iter()
        .filter_map(|p| p["code"].as_str())
        .collect();
    assert_eq!(codes, ["intake", "3m", "6m", "12m", "18m"]);
    let six = &default["time_points"][2];
    assert_eq!(
        (&six["target_day"], &six["window_start_day"], &six["window_end_day"]),
        (&json!(180), &json!(150), &json!(240))
    );
    assert!(six["instruments"].as_array().expect("list").contains(&json!("barc-10")));

    // A coach cannot change it; a bad schedule is refused field by field, nothing saved.
    let coach = app.api(world.org, world.coach).await;
    let refused = put(&coach, &path, three_points()).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let mut bad = three_points();
    bad["time_points"][1]["window_start_day"] = json!(100);
    bad["time_points"][2]["code"] = json!("intake");
    bad["time_points"][2]["instruments"] = json!(["barc-10", "sf-36"]);
    let refused = put(&manager, &path, bad).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let fields = &refused.json()["error"]["fields"];
    let named = |f: &str| fields[f].is_string();
    assert!(named("time_points[1].window_start_day"), "{fields}");
    assert!(named("time_points[2].code"), "{fields}");
    assert!(named("time_points[2].instruments[1]"), "{fields}");
    assert_eq!(manager.get(&path).await.json(), default, "nothing saved");

    // A valid one replaces it, and what GET answers can be sent back unchanged.
    put_schedule(&manager, &program, three_points()).await;
    let saved = manager.get(&path).await.json();
    assert_eq!(saved, three_points());
    put_schedule(&manager, &program, saved).await;
    // Another organisation sees no such program.
    let outsider = app.api(world.other_org, world.other_manager).await;
    assert_eq!(outsider.get(&path).await.status, 404);
    assert_eq!(put(&outsider, &path, three_points()).await.status, 404);
    assert_eq!(
        outsider.get(&format!("/api/v1/programs/{program}/follow-up-rates")).await.status,
        404
    );
}

async fn statuses_tasks_and_escalations_follow_the_calendar(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let program = open_program(&manager, "Outreach").await;
    put_schedule(&manager, &program, three_points()).await;
    let today = app.app.clock().today();
    let coach_id = world.coach_id.to_string();
    // 130 days in: intake and 3 months closed, 6 months not open until day 150.
    let missed = enrol_on(&manager, "Missed", &program, today - days(130), &coach_id).await;
    // 110 days in: the 3-month window (days 60–120) closes in 10 days.
    let open = enrol_on(&manager, "Open", &program, today - days(110), &coach_id).await;
    let reached = enrol_on(&manager, "Reached", &program, today - days(110), &coach_id).await;
    let excluded = enrol_on(&manager, "Excluded", &program, today - days(130), &coach_id).await;

    let record = follow_up(&manager, &missed).await;
    assert_eq!(point(&record, "intake")["status"], "missed");
    assert_eq!(point(&record, "m3")["status"], "missed");
    assert_eq!(point(&record, "m6")["status"], "not_yet_due");
    assert_eq!(point(&record, "m6")["opens_on"], (today + days(20)).to_string());

    let record = follow_up(&manager, &open).await;
    let m3 = point(&record, "m3");
    assert_eq!(m3["status"], "window_open");
    assert_eq!(m3["closes_on"], (today + days(10)).to_string());
    assert_eq!(m3["escalated"], true);

    // Enrolment made the 3-month assessment task (its dates are the window's) and the
    // supervisor's escalation; none for the intake, whose window had already closed.
    let tasks = manager.get(&format!("/api/v1/participants/{open}/tasks")).await.json();
    let tasks = tasks.as_array().expect("tasks");
    let of_kind = |kind: &str| tasks.iter().filter(|t| t["kind"] == kind).collect::<Vec<_>>();
    let assessment = of_kind("assessment");
    assert_eq!(assessment.len(), 1, "{tasks:?}");
    assert_eq!(assessment[0]["title"], "3 months follow-up: BARC-10");
    assert_eq!(assessment[0]["opens_on"], (today - days(50)).to_string());
    assert_eq!(assessment[0]["due_on"], (today - days(20)).to_string());
    assert_eq!(assessment[0]["closes_on"], (today + days(10)).to_string());
    assert_eq!(assessment[0]["assignee_id"], Value::Null, "the coach's");
    let urgent = of_kind("urgent");
    assert_eq!(urgent.len(), 1, "{tasks:?}");
    assert_eq!(urgent[0]["assignee_id"], world.supervisor_id.to_string());

    // Reaching the participant answers the escalation; a bad attempt saves nothing.
    let coach = app.api(world.org, world.coach).await;
    let attempts = format!("/api/v1/participants/{reached}/follow-up/attempts");
    let bad = coach
        .post(&attempts, json!({"time_point": "m9", "channel": "pigeon", "outcome": "reached"}))
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(follow_up(&coach, &reached).await["attempts"].as_array().expect("list").is_empty());
    let logged = coach
        .post(&attempts, json!({"time_point": "m3", "channel": "phone", "outcome": "scheduled", "note": "Thursday 10am"}))
        .await;
    assert_eq!(logged.status, 201, "{}", logged.body);
    assert!(logged.json()["id"].is_string());
    let record = follow_up(&coach, &reached).await;
    assert_eq!(point(&record, "m3")["escalated"], false);
    assert_eq!(record["attempts"][0]["outcome"], "scheduled");
    assert_eq!(record["attempts"][0]["made_by_name"], "coach");
    let tasks = coach.get(&format!("/api/v1/participants/{reached}/tasks")).await.json();
    let urgent =
        tasks.as_array().expect("tasks").iter().find(|t| t["kind"] == "urgent").expect("urgent");
    assert_eq!(urgent["status"], "done");

    // An attempt logged afterwards keeps its day; one in the future is refused.
    let earlier = format!("/api/v1/participants/{missed}/follow-up/attempts");
    let body = |day: Date| json!({"time_point": "m3", "channel": "letter", "outcome": "no_answer", "attempted_on": day.to_string()});
    assert_eq!(coach.post(&earlier, body(today + days(1))).await.status, 422);
    let logged = coach.post(&earlier, body(today - days(40))).await;
    assert_eq!(logged.status, 201, "{}", logged.body);
    let at = logged.json()["attempted_at"].as_str().unwrap_or_default().to_owned();
    assert!(at.starts_with(&(today - days(40)).to_string()), "{at}");

    // Exclusions: the supervisor decides, not the coach; it takes the time point out.
    let exclusions = format!("/api/v1/participants/{excluded}/follow-up/exclusions");
    let body =
        json!({"time_point": "m3", "reason": "incarcerated", "note": "County jail until March"});
    assert_eq!(coach.post(&exclusions, body.clone()).await.status, 403);
    let supervisor = app.api(world.org, world.supervisor).await;
    let other = supervisor.post(&exclusions, json!({"time_point": "m3", "reason": "other"})).await;
    assert_eq!(other.status, 422, "{}", other.body);
    let recorded = supervisor.post(&exclusions, body).await;
    assert_eq!(recorded.status, 201, "{}", recorded.body);
    assert_eq!(recorded.json()["id"], "m3");
    let m3 = follow_up(&supervisor, &excluded).await;
    assert_eq!(point(&m3, "m3")["status"], "administrative");
    assert_eq!(point(&m3, "m3")["administrative_reason"], "incarcerated");

    // The follow-up list: the supervisor's team, soonest closing first, escalations marked.
    let list = supervisor.get("/api/v1/follow-up").await.json();
    let rows: Vec<(String, bool)> = list["items"]
        .as_array()
        .expect("list")
        .iter()
        .map(|w| {
            (
                w["participant_name"].as_str().unwrap_or_default().to_owned(),
                w["time_point"]["escalated"] == true,
            )
        })
        .collect();
    assert_eq!(rows, [("Pat Open".to_owned(), true), ("Pat Reached".to_owned(), false)]);
    assert_eq!((list["total"].as_i64(), list["page_count"].as_i64()), (Some(2), Some(1)));
    let escalated = supervisor.get("/api/v1/follow-up?escalated=true").await.json();
    assert_eq!(escalated["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(escalated["items"][0]["participant_name"], "Pat Open");
    let lone = app.api(world.org, world.lone_coach).await;
    assert_eq!(lone.get("/api/v1/follow-up").await.json()["items"], json!([]));
    let evaluator = app.api(world.org, world.evaluator).await;
    assert_eq!(evaluator.get("/api/v1/follow-up").await.status, 403);
    assert_eq!(evaluator.get(&format!("/api/v1/participants/{open}/follow-up")).await.status, 403);

    // The sweep is idempotent: running it again makes nothing new.
    let before = manager.get(&format!("/api/v1/participants/{open}/tasks")).await.json();
    let report = app.app.sweep_follow_ups().await.expect("sweep");
    assert_eq!((report.assessment_tasks, report.escalations), (0, 0), "{report:?}");
    assert_eq!(manager.get(&format!("/api/v1/participants/{open}/tasks")).await.json(), before);

    // Rates: intake is due for all four (missed); 3 months for "Missed" only (missed): the
    // two still open are not counted yet, the exclusion never is.
    let rates_path = format!("/api/v1/programs/{program}/follow-up-rates");
    let rates = manager.get(&rates_path).await.json();
    assert_eq!(rates["target"], 0.8);
    assert_eq!(rates["overall"]["due"], 5);
    assert_eq!(rates["overall"]["missed"], 5);
    assert_eq!(rates["overall"]["rate"], 0.0);
    assert_eq!(rates["by_time_point"][1]["code"], "m3");
    assert_eq!(
        (&rates["by_time_point"][1]["due"], &rates["by_time_point"][1]["not_counted"]),
        (&json!(1), &json!(3))
    );
    assert_eq!(rates["by_coach"][0]["coach_name"], "coach");
    assert_eq!(evaluator.get(&rates_path).await.json()["by_coach"], Value::Null);
    assert_eq!(app.api(world.org, world.admin).await.get(&rates_path).await.status, 403);

    // Moving to a program without that time point cancels its open follow-up tasks.
    let other = open_program(&manager, "Other outreach").await;
    put_schedule(&manager, &other, json!({"time_points": []})).await;
    let moved = manager
        .patch(&format!("/api/v1/participants/{reached}"), json!({"program_id": other}), None)
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let tasks = manager.get(&format!("/api/v1/participants/{reached}/tasks")).await.json();
    let assessment =
        tasks.as_array().expect("tasks").iter().find(|t| t["kind"] == "assessment").expect("task");
    assert_eq!(assessment["status"], "cancelled", "{assessment}");
    assert_eq!(follow_up(&manager, &reached).await["time_points"], json!([]));

    // Eleven days on, the open window has closed unreached: missed.
    app.app.clock().advance(days(11));
    assert_eq!(point(&follow_up(&manager, &open).await, "m3")["status"], "missed");
    let rates = manager.get(&rates_path).await.json();
    // Missed and Open are now due (both missed); Reached left the program.
    assert_eq!(rates["by_time_point"][1]["due"], 2);
}

async fn the_locator_names_people_only_under_a_current_consent(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let program = open_program(&manager, "Outreach").await;
    let today = app.app.clock().today();
    let participant =
        enrol_on(&manager, "Locator", &program, today, &world.coach_id.to_string()).await;
    let coach = app.api(world.org, world.coach).await;
    let locator = format!("/api/v1/participants/{participant}/follow-up/locator");

    let phone = coach.post(&locator, json!({"kind": "phone", "value": "555-0100"})).await;
    assert_eq!(phone.status, 201, "{}", phone.body);
    let sister =
        json!({"kind": "person", "value": "Maria Lopez, 555-0101", "relationship": "sister"});
    let refused = coach.post(&locator, sister.clone()).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let message = &refused.json()["error"]["fields"]["value"];
    assert!(
        message.as_str().is_some_and(|m| m.contains("no current consent names Maria Lopez")),
        "{message}"
    );
    assert_eq!(follow_up(&coach, &participant).await["locator"].as_array().map(Vec::len), Some(1));

    let consent = coach
        .post(
            &format!("/api/v1/participants/{participant}/consents"),
            json!({"disclose": ["participation"], "recipient": "Maria Lopez", "purpose": "family",
                   "expires_on": "2099-12-31"}),
        )
        .await;
    assert_eq!(consent.status, 201, "{}", consent.body);
    let consent_id = consent.json()["id"].as_str().expect("id").to_owned();
    let added = coach.post(&locator, sister).await;
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(added.json()["consent_id"], consent_id.as_str());
    let record = follow_up(&coach, &participant).await;
    assert_eq!(record["locator"].as_array().map(Vec::len), Some(2));

    // Only identified-record roles see it; once the consent is revoked the person is withheld.
    let evaluator = app.api(world.org, world.evaluator).await;
    let hidden = evaluator.get(&format!("/api/v1/participants/{participant}/follow-up")).await;
    assert_eq!(hidden.status, 403);
    assert!(!hidden.body.contains("Maria"));
    let revoke = format!("/api/v1/participants/{participant}/consents/{consent_id}/revoke");
    assert_eq!(coach.post(&revoke, json!({"reason": "asked"})).await.status, 200);
    let record = follow_up(&coach, &participant).await;
    assert_eq!(record["locator"].as_array().map(Vec::len), Some(1));
    assert_eq!(record["locator_withheld"], 1);
    assert!(!record.to_string().contains("Maria"));
}

/// Completes a BARC-10 for the participant's 6-month follow-up on `day`.
pub(crate) async fn complete_barc10(api: &Api, participant: &str, program: &str, day: Date) {
    let answers: serde_json::Map<String, Value> =
        (1..=10).map(|i| (format!("barc10_{i}"), json!(5))).collect();
    let body = json!({"instrument": "barc-10", "administered_on": day.to_string(),
        "program_id": program, "time_point_code": "m6", "answers": answers, "complete": true});
    let reply = api.post(&format!("/api/v1/participants/{participant}/assessments"), body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

async fn completions_at_the_window_edges_give_the_hand_computed_rate(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let program = open_program(&manager, "Outreach").await;
    let mut only_six = three_points();
    only_six["time_points"] = json!([only_six["time_points"][2].clone()]);
    put_schedule(&manager, &program, only_six).await;
    let today = app.app.clock().today();
    let coach = world.coach_id.to_string();
    // Enrolled 300 days ago: the 6-month window (days 150–240) opened 150 days ago and
    // closed 60 days ago.
    let enrolled = today - days(300);
    let (opens, closes) = (today - days(150), today - days(60));
    let cases = [
        ("First", Some(opens), "completed_in_window"),
        ("Last", Some(closes), "completed_in_window"),
        ("Late", Some(closes + days(1)), "completed_late"),
        ("Early", Some(opens - days(1)), "completed_late"),
        ("Missed", None, "missed"),
        ("Excluded", None, "administrative"),
    ];
    let mut ids = Vec::new();
    for (name, completed, _) in &cases {
        let id = enrol_on(&manager, name, &program, enrolled, &coach).await;
        if let Some(day) = completed {
            complete_barc10(&manager, &id, &program, *day).await;
        }
        ids.push(id);
    }
    let exclusion = json!({"time_point": "m6", "reason": "deceased"});
    let path = format!("/api/v1/participants/{}/follow-up/exclusions", ids[5]);
    assert_eq!(manager.post(&path, exclusion).await.status, 201);
    for ((name, completed, status), id) in cases.iter().zip(&ids) {
        let record = follow_up(&manager, id).await;
        let m6 = point(&record, "m6");
        assert_eq!(m6["status"], *status, "{name}");
        assert_eq!(m6["completed_on"], json!(completed.map(|d| d.to_string())), "{name}");
    }
    // An assessment for a time point the program does not have is refused.
    let body = json!({"instrument": "barc-10", "program_id": program, "time_point_code": "m9",
        "answers": {}, "complete": false});
    let refused = manager.post(&format!("/api/v1/participants/{}/assessments", ids[0]), body).await;
    assert_eq!(refused.status, 422, "{}", refused.body);

    // Completed in window: First and Last (2). Due: those, Late, Early and Missed (5); the
    // deceased participant leaves the denominator. 2 / 5 = 40 %.
    let rates_path = format!("/api/v1/programs/{program}/follow-up-rates");
    let rates = manager.get(&rates_path).await.json();
    let overall = &rates["overall"];
    assert_eq!((&overall["completed_in_window"], &overall["due"]), (&json!(2), &json!(5)));
    assert_eq!((&overall["completed_late"], &overall["missed"]), (&json!(2), &json!(1)));
    assert_eq!(overall["not_counted"], 1);
    assert_eq!(overall["rate"], 0.4);
    let month = format!("{:04}-{:02}", closes.year(), u8::from(closes.month()));
    assert_eq!(
        rates["by_month"],
        json!([{"month": month, "completed_in_window": 2,
        "completed_late": 2, "missed": 1, "due": 5, "not_counted": 0, "rate": 0.4}])
    );

    // A window open now: the task is there until the assessment is completed, which closes it.
    let open = enrol_on(&manager, "Open", &program, today - days(160), &coach).await;
    let tasks_path = format!("/api/v1/participants/{open}/tasks");
    let assessment_task = |tasks: Value| {
        tasks.as_array().and_then(|t| t.iter().find(|t| t["kind"] == "assessment").cloned())
    };
    let task = assessment_task(manager.get(&tasks_path).await.json()).expect("a task");
    assert_eq!(task["status"], "open");
    complete_barc10(&manager, &open, &program, today).await;
    let task = assessment_task(manager.get(&tasks_path).await.json()).expect("a task");
    assert_eq!(
        (&task["status"], &task["completed_on"]),
        (&json!("done"), &json!(today.to_string()))
    );
    let rates = manager.get(&rates_path).await.json();
    assert_eq!(
        (&rates["overall"]["completed_in_window"], &rates["overall"]["due"]),
        (&json!(3), &json!(6))
    );
    assert_eq!(rates["overall"]["rate"], 0.5);
}

async fn a_corrected_enrolment_date_moves_the_open_assessment_task(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let program = open_program(&manager, "Outreach").await;
    put_schedule(&manager, &program, three_points()).await;
    let today = app.app.clock().today();
    let id =
        enrol_on(&manager, "Moved", &program, today - days(70), &world.coach_id.to_string()).await;
    let task = |tasks: Value| {
        tasks.as_array().and_then(|t| t.iter().find(|t| t["kind"] == "assessment").cloned())
    };
    let tasks_path = format!("/api/v1/participants/{id}/tasks");
    let before = task(manager.get(&tasks_path).await.json()).expect("the 3-month task");
    assert_eq!(before["due_on"], (today + days(20)).to_string());
    let patched = manager
        .patch(
            &format!("/api/v1/participants/{id}"),
            json!({"enrolled_on": (today - days(75)).to_string()}),
            None,
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    let after = task(manager.get(&tasks_path).await.json()).expect("the same task");
    assert_eq!(after["id"], before["id"]);
    assert_eq!(
        (&after["due_on"], &after["closes_on"]),
        (&json!((today + days(15)).to_string()), &json!((today + days(45)).to_string()))
    );
}

async fn the_follow_up_list_pages_through_every_open_window_once_soonest_closing_first(
    app: TestApp,
) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let program = open_program(&manager, "Outreach").await;
    put_schedule(&manager, &program, three_points()).await;
    let today = app.app.clock().today();
    let coach_id = world.coach_id.to_string();
    // Twelve in their intake window (closing in 3 to 14 days) and twelve in their 3-month
    // window (closing in 20 to 31 days): 24 open windows, five of them escalated (an intake
    // window escalates in its last 7 days).
    for k in 0..12 {
        enrol_on(
            &manager,
            &format!("Intake{k:02}"),
            &program,
            today - Duration::days(k),
            &coach_id,
        )
        .await;
        let enrolled = today - Duration::days(100 - k);
        enrol_on(&manager, &format!("Month{k:02}"), &program, enrolled, &coach_id).await;
    }
    let lone = world.lone_coach_id.to_string();
    enrol_on(&manager, "Elsewhere", &program, today - Duration::days(2), &lone).await;

    let coach = app.api(world.org, world.coach).await;
    let first = coach.get("/api/v1/follow-up").await.json();
    assert_eq!(
        (first["total"].as_i64(), first["capped"].as_bool(), first["page_count"].as_i64()),
        (Some(24), Some(false), Some(2))
    );
    let mut listed: Vec<(String, String, String)> = Vec::new();
    let mut names = Vec::new();
    for page in 1..=3 {
        let reply = coach.get(&format!("/api/v1/follow-up?page={page}")).await.json();
        let items = reply["items"].as_array().expect("items");
        assert_eq!(items.len(), [20, 4, 0][page - 1], "page {page}");
        for w in items {
            let field = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            names.push(field(&w["participant_name"]));
            listed.push((
                field(&w["time_point"]["closes_on"]),
                field(&w["participant_reference"]),
                field(&w["time_point"]["code"]),
            ));
        }
    }
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted, "soonest closing first, then by reference");
    sorted.dedup();
    assert_eq!(sorted.len(), 24, "every window once");
    assert!(names.iter().all(|n| n != "Pat Elsewhere"), "not another coach's: {names:?}");
    assert_eq!(manager.get("/api/v1/follow-up").await.json()["total"], 25);
    let escalated = coach.get("/api/v1/follow-up?escalated=true").await.json();
    assert_eq!(escalated["total"], 5);
    let closing: Vec<&str> = escalated["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|w| w["time_point"]["code"].as_str())
        .collect();
    assert_eq!(closing, ["intake"; 5]);
}
