//! Tasks from protocols: made at enrolment with their windows, moved with the participant,
//! cancelled when they leave; appointment-anchored steps; due lists for a coach and for a
//! supervisor's team at the edges of today and the next 14 days; due lists a page at a time;
//! cancelling by hand.

use serde_json::{Value, json};
use time::{Date, Duration};

use crate::programs::create_program;
use crate::support::{Api, PASSWORD, TestApp, minimal_participant, on_both_backends};

on_both_backends!(
    enrolment_makes_a_task_per_step_with_hand_checked_dates,
    moving_program_moves_the_tasks_and_leaving_cancels_them,
    the_first_appointment_of_a_kind_dates_the_escort_and_attendance_is_an_outcome,
    due_lists_split_overdue_today_and_upcoming_at_the_date_edges,
    a_supervisor_cancels_a_task_with_a_reason_and_a_coach_cannot,
    the_due_section_and_the_tasks_page_show_what_to_do_today,
    a_due_list_longer_than_a_page_pages_through_every_task_once_in_order,
);

/// A program without eligibility rules, from a template (the rules are tested elsewhere).
async fn open_program(manager: &Api, template: &str, name: &str) -> String {
    let body = json!({"template_code": template, "name": name,
        "min_months_in_recovery": "", "requires_certification": false, "min_training_hours": ""});
    let id = create_program(manager, body).await["id"].as_str().expect("id").to_owned();
    // No follow-up schedule: these stories are about protocol steps (follow-up tasks are
    // tested in `follow_up.rs`).
    crate::follow_up::put_schedule(manager, &id, json!({"time_points": []})).await;
    id
}

/// Enrols a participant in `program` on `enrolled_on`, with `coach`, and returns their id.
async fn enrol_in(
    api: &Api,
    family: &str,
    program: &str,
    enrolled_on: Date,
    coach: Option<String>,
) -> String {
    let mut body = minimal_participant("Pat", family);
    body["program_id"] = json!(program);
    body["enrolled_on"] = json!(enrolled_on.to_string());
    if let Some(coach) = coach {
        body["coach_id"] = json!(coach);
    }
    let reply = api.post("/api/v1/participants", body).await;
    assert_eq!(reply.status, 201, "enrolling {family}: {}", reply.body);
    reply.json()["id"].as_str().expect("id").to_owned()
}

async fn tasks_of(api: &Api, participant: &str) -> Vec<Value> {
    let reply = api.get(&format!("/api/v1/participants/{participant}/tasks")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json().as_array().expect("a list").clone()
}

fn task<'a>(tasks: &'a [Value], step: &str) -> &'a Value {
    tasks
        .iter()
        .find(|t| t["step_code"] == step)
        .unwrap_or_else(|| panic!("no {step} task in {tasks:?}"))
}

fn days(n: i64) -> Duration {
    Duration::days(n)
}

async fn enrolment_makes_a_task_per_step_with_hand_checked_dates(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let program = open_program(&manager, "ed_brief_intervention", "ED Bridge").await;
    let enrolled_on = Date::from_calendar_date(2025, time::Month::March, 2).expect("a date");
    let participant =
        enrol_in(&manager, "Reyes", &program, enrolled_on, Some(world.coach_id.to_string())).await;

    let tasks = tasks_of(&manager, &participant).await;
    assert_eq!(tasks.len(), 2);
    let booster = task(&tasks, "telephone_booster");
    assert_eq!(booster["kind"], "protocol_step");
    assert_eq!(booster["title"], "Telephone booster");
    assert_eq!(booster["program_id"], program.as_str());
    assert_eq!(booster["status"], "open");
    // Enrolled 2 March 2025: the booster opens day 8 (10 March), is due day 10 (12 March) and
    // closes day 12 (14 March).
    assert_eq!(
        (booster["opens_on"].as_str(), booster["due_on"].as_str()),
        (Some("2025-03-10"), Some("2025-03-12"))
    );
    assert_eq!(booster["closes_on"], "2025-03-14");
    assert_eq!(booster["window_closed"], true, "long past: it will count as missed");
    let visit = task(&tasks, "brief_intervention");
    assert_eq!(
        (visit["opens_on"].as_str(), visit["closes_on"].as_str()),
        (Some("2025-03-02"), Some("2025-03-03"))
    );

    // The coach sees them too; a coach elsewhere does not.
    assert_eq!(tasks_of(&app.api(world.org, world.coach).await, &participant).await.len(), 2);
    let lone = app.api(world.org, world.lone_coach).await;
    assert_eq!(lone.get(&format!("/api/v1/participants/{participant}/tasks")).await.status, 403);
    assert_eq!(
        app.api(world.org, world.evaluator)
            .await
            .get(&format!("/api/v1/participants/{participant}/tasks"))
            .await
            .status,
        403
    );

    // Correcting the enrolment date re-dates the open tasks.
    let path = format!("/api/v1/participants/{participant}");
    assert_eq!(manager.patch(&path, json!({"enrolled_on": "2025-03-05"}), None).await.status, 200);
    let tasks = tasks_of(&manager, &participant).await;
    assert_eq!(task(&tasks, "telephone_booster")["due_on"], "2025-03-15");
    assert_eq!(tasks.len(), 2, "re-dated, not duplicated");
}

async fn moving_program_moves_the_tasks_and_leaving_cancels_them(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let ed = open_program(&manager, "ed_brief_intervention", "ED Bridge").await;
    let center = open_program(&manager, "recovery_community_center", "Drop-in").await;
    let today = app.app.clock().today();
    let participant =
        enrol_in(&manager, "Okafor", &ed, today - days(3), Some(world.coach_id.to_string())).await;
    let path = format!("/api/v1/participants/{participant}");

    assert_eq!(manager.patch(&path, json!({"program_id": center}), None).await.status, 200);
    let tasks = tasks_of(&manager, &participant).await;
    assert_eq!(tasks.len(), 4);
    for step in ["brief_intervention", "telephone_booster"] {
        let old = task(&tasks, step);
        assert_eq!(old["status"], "cancelled", "{step}");
        assert_eq!(old["cancel_reason"], "moved to another program");
    }
    let welcome = task(&tasks, "welcome_visit");
    assert_eq!(welcome["status"], "open");
    assert_eq!(welcome["due_on"], (today - days(3)).to_string(), "dated from the enrolment date");
    assert_eq!(task(&tasks, "first_social_activity")["due_on"], (today + days(11)).to_string());

    // Moving back reopens the first program's steps rather than duplicating them.
    assert_eq!(manager.patch(&path, json!({"program_id": ed}), None).await.status, 200);
    let tasks = tasks_of(&manager, &participant).await;
    assert_eq!(tasks.len(), 4);
    assert_eq!(task(&tasks, "telephone_booster")["status"], "open");
    assert_eq!(task(&tasks, "welcome_visit")["status"], "cancelled");

    assert_eq!(manager.patch(&path, json!({"status": "withdrawn"}), None).await.status, 200);
    let tasks = tasks_of(&manager, &participant).await;
    assert!(tasks.iter().all(|t| t["status"] == "cancelled"), "{tasks:?}");
    assert_eq!(task(&tasks, "telephone_booster")["cancel_reason"], "participant withdrawn");
    let due = app.api(world.org, world.coach).await.get("/api/v1/tasks").await.json();
    assert_eq!(due["items"], json!([]), "nothing left on the coach's list");
}

async fn the_first_appointment_of_a_kind_dates_the_escort_and_attendance_is_an_outcome(
    app: TestApp,
) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let program = open_program(&manager, "post_discharge_engagement", "After Discharge").await;
    let today = app.app.clock().today();
    let participant =
        enrol_in(&manager, "Lopez", &program, today, Some(world.coach_id.to_string())).await;
    let coach = app.api(world.org, world.coach).await;
    let tasks = tasks_of(&coach, &participant).await;
    assert_eq!(tasks.len(), 1, "no escort until there is an appointment: {tasks:?}");

    let appointments = format!("/api/v1/participants/{participant}/appointments");
    let medical = coach
        .post(&appointments, json!({"kind": "medical", "date": (today + days(5)).to_string(), "with_whom": "Harbor Clinic"}))
        .await;
    assert_eq!(medical.status, 201, "{}", medical.body);
    assert_eq!(
        tasks_of(&coach, &participant).await.len(),
        1,
        "a medical appointment anchors nothing here"
    );

    let intake_day = today + days(20);
    let intake = coach
        .post(
            &appointments,
            json!({"kind": "substance_use_treatment", "date": intake_day.to_string(), "time": "14:30",
                   "with_whom": "County Outpatient Services", "place": "12 Main St"}),
        )
        .await;
    assert_eq!(intake.status, 201, "{}", intake.body);
    let intake_id = intake.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(intake.header("location"), Some(format!("{appointments}/{intake_id}").as_str()));
    assert_eq!(intake.json()["time"], "14:30");
    let tasks = tasks_of(&coach, &participant).await;
    let escort = task(&tasks, "escort_first_outpatient");
    assert_eq!(escort["title"], "Escort to first outpatient appointment");
    assert_eq!(escort["due_on"], intake_day.to_string());
    assert_eq!(escort["opens_on"], (intake_day - days(60)).to_string());
    assert_eq!(escort["closes_on"], intake_day.to_string());

    // A later appointment of the same kind is not the first; rescheduling the first moves it.
    let later = coach
        .post(&appointments, json!({"kind": "substance_use_treatment", "date": (today + days(40)).to_string(), "with_whom": "County"}))
        .await;
    assert_eq!(later.status, 201);
    let intake_path = format!("{appointments}/{intake_id}");
    let moved =
        coach.patch(&intake_path, json!({"date": (today + days(25)).to_string()}), None).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let tasks = tasks_of(&coach, &participant).await;
    assert_eq!(tasks.len(), 2);
    assert_eq!(task(&tasks, "escort_first_outpatient")["due_on"], (today + days(25)).to_string());

    // Attended or missed is recorded once the day comes, as an outcome event.
    let too_soon = coach.patch(&intake_path, json!({"status": "attended"}), None).await;
    assert_eq!(too_soon.status, 422);
    assert!(too_soon.json()["error"]["fields"]["status"].is_string());
    app.app.clock().advance(days(25));
    let attended = coach.patch(&intake_path, json!({"status": "attended"}), None).await;
    assert_eq!(attended.status, 200, "{}", attended.body);
    assert_eq!(attended.json()["status"], "attended");
    let listed = coach.get(&appointments).await.json();
    assert_eq!(listed.as_array().map(Vec::len), Some(3));
    assert_eq!(coach.get(&intake_path).await.json()["with_whom"], "County Outpatient Services");
    let events = outcome_events(&app, &intake_id).await;
    assert_eq!(events, vec![("appointment_attended".to_owned(), (today + days(25)).to_string())]);
    // A correction replaces the event rather than adding a second one.
    assert_eq!(coach.patch(&intake_path, json!({"status": "missed"}), None).await.status, 200);
    assert_eq!(outcome_events(&app, &intake_id).await[0].0, "appointment_missed");
    assert_eq!(outcome_events(&app, &intake_id).await.len(), 1);

    let lone = app.api(world.org, world.lone_coach).await;
    assert_eq!(lone.get(&appointments).await.status, 403);
    assert_eq!(
        lone.post(
            &appointments,
            json!({"kind": "other", "date": today.to_string(), "with_whom": "X"})
        )
        .await
        .status,
        403
    );
    let invalid = coach.post(&appointments, json!({"kind": "spa", "time": "2pm"})).await;
    assert_eq!(invalid.status, 422);
    let fields = &invalid.json()["error"]["fields"];
    assert!(
        fields["kind"].is_string()
            && fields["date"].is_string()
            && fields["with_whom"].is_string()
            && fields["time"].is_string()
    );
}

/// The outcome events recorded for an appointment: (kind, date).
async fn outcome_events(app: &TestApp, appointment: &str) -> Vec<(String, String)> {
    use sqlx::Connection;
    let id = uuid::Uuid::parse_str(appointment).expect("a uuid");
    let sql = "SELECT kind, occurred_on FROM outcome_events WHERE appointment_id = $1";
    match app.backend {
        crate::support::Backend::Postgres => {
            let mut conn =
                sqlx::PgConnection::connect(&app.database_args[1]).await.expect("connect");
            let rows: Vec<(String, Date)> =
                sqlx::query_as(sql).bind(id).fetch_all(&mut conn).await.expect("events");
            rows.into_iter().map(|(k, d)| (k, d.to_string())).collect()
        }
        crate::support::Backend::Sqlite => {
            let path = format!("sqlite://{}/kindred.sqlite3", app.database_args[1]);
            let mut conn = sqlx::SqliteConnection::connect(&path).await.expect("connect");
            let rows: Vec<(String, String)> =
                sqlx::query_as(sql).bind(id).fetch_all(&mut conn).await.expect("events");
            rows
        }
    }
}

/// The step codes on a due list, with the participant's family name, in order.
fn listed(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| {
            format!(
                "{} {} {}",
                t["due"].as_str().unwrap_or(""),
                t["participant_name"].as_str().unwrap_or(""),
                t["step_code"].as_str().unwrap_or("")
            )
        })
        .collect()
}

async fn due_lists_split_overdue_today_and_upcoming_at_the_date_edges(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let ed = open_program(&manager, "ed_brief_intervention", "ED Bridge").await;
    let companion = open_program(&manager, "community_companion", "Companions").await;
    let today = app.app.clock().today();
    let coach_id = Some(world.coach_id.to_string());
    // Booster due today; visit 10 days overdue.
    enrol_in(&manager, "Ten", &ed, today - days(10), coach_id.clone()).await;
    // Visit due today; booster due in 10 days.
    enrol_in(&manager, "Zero", &ed, today, coach_id.clone()).await;
    // Companion steps due in 7 and 21 days: only the first is within the next 14.
    enrol_in(&manager, "Pal", &companion, today, Some(world.supervisor_id.to_string())).await;
    // Someone else's caseload.
    enrol_in(&manager, "Other", &ed, today, Some(world.lone_coach_id.to_string())).await;

    let coach = app.api(world.org, world.coach).await;
    let mine = coach.get("/api/v1/tasks").await.json();
    assert_eq!(mine["scope"], "mine");
    assert_eq!(
        listed(&mine),
        vec![
            "overdue Pat Ten brief_intervention",
            "today Pat Ten telephone_booster",
            "today Pat Zero brief_intervention",
            "upcoming Pat Zero telephone_booster",
        ]
    );
    assert_eq!(listed(&coach.get("/api/v1/tasks?when=today").await.json()).len(), 2);
    assert_eq!(coach.get("/api/v1/tasks?scope=team").await.status, 403);
    assert_eq!(coach.get("/api/v1/tasks?when=someday").await.status, 400);

    let supervisor = app.api(world.org, world.supervisor).await;
    let team = supervisor.get("/api/v1/tasks").await.json();
    assert_eq!(team["scope"], "team");
    assert_eq!(
        listed(&team).len(),
        5,
        "the coach's four and the supervisor's own: {:?}",
        listed(&team)
    );
    assert!(listed(&team).iter().all(|t| !t.contains("Other")), "not the lone coach's");
    let coaches: Vec<&str> = team["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|t| t["coach_name"].as_str())
        .collect();
    assert!(coaches.contains(&"coach") && coaches.contains(&"supervisor"));
    let own = supervisor.get("/api/v1/tasks?scope=mine").await.json();
    assert_eq!(listed(&own), vec!["upcoming Pat Pal companion_match"]);
    assert_eq!(
        manager.get("/api/v1/tasks").await.json()["items"].as_array().map(Vec::len),
        Some(7)
    );

    // Six days on, the companion's second step is 15 days away: not yet upcoming…
    app.app.clock().advance(days(6));
    let own = supervisor.get("/api/v1/tasks?scope=mine").await.json();
    assert_eq!(listed(&own), vec!["upcoming Pat Pal companion_match"]);
    // …a day later it is exactly 14 days away and the first is due today.
    app.app.clock().advance(days(1));
    let own = supervisor.get("/api/v1/tasks?scope=mine").await.json();
    assert_eq!(
        listed(&own),
        vec!["today Pat Pal companion_match", "upcoming Pat Pal first_community_activity"]
    );
    // Three days later the booster made due today at the start is overdue.
    app.app.clock().advance(days(3));
    let mine = coach.get("/api/v1/tasks?when=today").await.json();
    assert_eq!(listed(&mine), vec!["today Pat Zero telephone_booster"]);
    let overdue = coach.get("/api/v1/tasks?when=overdue").await.json();
    assert_eq!(
        listed(&overdue),
        vec![
            "overdue Pat Ten telephone_booster",
            "overdue Pat Zero brief_intervention",
            "overdue Pat Ten brief_intervention",
        ],
        "the most recently due first"
    );

    assert_eq!(app.api(world.org, world.evaluator).await.get("/api/v1/tasks").await.status, 403);
    assert_eq!(app.api(world.org, world.admin).await.get("/api/v1/tasks").await.status, 403);
}

async fn a_supervisor_cancels_a_task_with_a_reason_and_a_coach_cannot(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let ed = open_program(&manager, "ed_brief_intervention", "ED Bridge").await;
    let today = app.app.clock().today();
    let participant =
        enrol_in(&manager, "Reyes", &ed, today, Some(world.coach_id.to_string())).await;
    let booster = task(&tasks_of(&manager, &participant).await, "telephone_booster")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let cancel = format!("/api/v1/participants/{participant}/tasks/{booster}/cancel");

    let coach = app.api(world.org, world.coach).await;
    let refused = coach.post(&cancel, json!({"reason": "Could not reach them"})).await;
    assert_eq!(refused.status, 403);
    let supervisor = app.api(world.org, world.supervisor).await;
    let no_reason = supervisor.post(&cancel, json!({})).await;
    assert_eq!(no_reason.status, 422);
    assert_eq!(no_reason.json()["error"]["fields"]["reason"], "is required");
    let cancelled = supervisor
        .post(&cancel, json!({"reason": "Admitted to residential treatment; no phone"}))
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(cancelled.json()["status"], "cancelled");
    assert_eq!(cancelled.json()["cancel_reason"], "Admitted to residential treatment; no phone");
    assert_eq!(supervisor.post(&cancel, json!({"reason": "again"})).await.status, 409);
    let lone = app.api(world.org, world.lone_coach).await;
    assert_eq!(lone.post(&cancel, json!({"reason": "x"})).await.status, 403);

    let audit = app
        .api(world.org, world.admin)
        .await
        .get("/api/v1/audit-events?record_type=task")
        .await
        .body;
    assert!(
        audit.contains("cancelled \\\"Telephone booster\\\"")
            && audit.contains("Admitted to residential treatment"),
        "{audit}"
    );
}

async fn the_due_section_and_the_tasks_page_show_what_to_do_today(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let ed = open_program(&manager, "ed_brief_intervention", "ED Bridge").await;
    let today = app.app.clock().today();
    let participant =
        enrol_in(&manager, "Reyes", &ed, today - days(10), Some(world.coach_id.to_string())).await;

    let mut coach = app.browser();
    coach.sign_in(world.org, world.coach, PASSWORD).await;
    let page = coach.get("/tasks").await;
    assert_eq!(page.status, 200);
    let today_at = page.body.find("Due today").expect("a due-today heading");
    let overdue_at = page.body.find("Overdue").expect("an overdue heading");
    assert!(today_at < overdue_at, "what to do today comes first");
    assert!(page.body.contains("Telephone booster") && page.body.contains("Pat Reyes"));
    let section = coach.get(&format!("/participants/{participant}")).await;
    assert!(section.body.contains("id=\"due\""));
    assert!(section.body.contains("Telephone booster") && section.body.contains("Due today"));
    assert!(!section.body.contains("/cancel"), "a coach is not offered cancelling");

    let mut supervisor = app.browser();
    supervisor.sign_in(world.org, world.supervisor, PASSWORD).await;
    let team = supervisor.get("/tasks").await;
    assert!(team.body.contains("Pat Reyes") && team.body.contains("coach"));
    let section = supervisor.get(&format!("/participants/{participant}")).await;
    let cancel_path = section
        .body
        .split("action=\"")
        .filter_map(|s| s.split('"').next())
        .find(|a| a.ends_with("/cancel"))
        .expect("a cancel form")
        .to_owned();
    let refused = supervisor.submit(&cancel_path, &[("reason", "")]).await;
    assert_eq!(refused.status, 422);
    let cancelled = supervisor.submit(&cancel_path, &[("reason", "Moved out of state")]).await;
    assert_eq!(cancelled.status, 303);

    // Appointments are recorded from the participant page too.
    let form = coach.get(&format!("/participants/{participant}/appointments/new")).await;
    assert_eq!(form.status, 200);
    let saved = coach
        .submit(
            &format!("/participants/{participant}/appointments/new"),
            &[
                ("kind", "court"),
                ("date", &(today + days(3)).to_string()),
                ("time", "09:15"),
                ("with_whom", "Drug court"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = coach.get(&format!("/participants/{participant}")).await;
    assert!(page.body.contains("Drug court") && page.body.contains("09:15"));
}

/// Every page of a due list (`path` takes `&page=`), with the total and page count each
/// reported: the items as (due, due_on, id).
async fn every_page(api: &Api, path: &str) -> (Vec<(String, String, String)>, i64, i64) {
    let first = api.get(&format!("{path}&page=1")).await.json();
    let (total, page_count) =
        (first["total"].as_i64().expect("total"), first["page_count"].as_i64().expect("pages"));
    assert_eq!(first["capped"], false);
    let mut items = Vec::new();
    for page in 1..=page_count {
        let reply = api.get(&format!("{path}&page={page}")).await.json();
        assert_eq!((reply["total"].as_i64(), reply["page"].as_i64()), (Some(total), Some(page)));
        let rows = reply["items"].as_array().expect("items");
        assert!(rows.len() <= 20, "a page holds at most 20");
        if page < page_count {
            assert_eq!(rows.len(), 20, "only the last page is short");
        }
        for t in rows {
            let field = |name: &str| t[name].as_str().unwrap_or_default().to_owned();
            items.push((field("due"), field("due_on"), field("id")));
        }
    }
    let past = api.get(&format!("{path}&page={}", page_count + 1)).await.json();
    assert_eq!(past["items"].as_array().map(Vec::len), Some(0), "nothing past the last page");
    (items, total, page_count)
}

async fn a_due_list_longer_than_a_page_pages_through_every_task_once_in_order(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let ed = open_program(&manager, "ed_brief_intervention", "ED Bridge").await;
    let today = app.app.clock().today();
    // 24 of the coach's participants enrolled on each of the last 24 days: each has a visit
    // due on the day they enrolled and a booster ten days later. Overdue: 23 visits and 13
    // boosters; today: one of each; the next 14 days: 10 boosters. 48 in all.
    let coach_id = Some(world.coach_id.to_string());
    let mut mine = Vec::new();
    for k in 0..24 {
        let family = format!("Page{k:02}");
        mine.push(enrol_in(&manager, &family, &ed, today - days(k), coach_id.clone()).await);
    }
    // Another coach's participant, due on the same days: never on the coach's list.
    let theirs = enrol_in(
        &manager,
        "Elsewhere",
        &ed,
        today - days(3),
        Some(world.lone_coach_id.to_string()),
    )
    .await;

    let coach = app.api(world.org, world.coach).await;
    let (items, total, page_count) = every_page(&coach, "/api/v1/tasks?scope=mine").await;
    assert_eq!((total, page_count), (48, 3));
    let mut ids: Vec<&str> = items.iter().map(|(_, _, id)| id.as_str()).collect();
    let in_order = ids.clone();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 48, "every task exactly once");
    let mut expected = Vec::new();
    for participant in &mine {
        for t in tasks_of(&coach, participant).await {
            expected.push(t["id"].as_str().expect("id").to_owned());
        }
    }
    expected.sort_unstable();
    assert_eq!(ids, expected, "the coach's tasks, all of them");
    let other: Vec<String> = tasks_of(&manager, &theirs)
        .await
        .iter()
        .map(|t| t["id"].as_str().expect("id").to_owned())
        .collect();
    assert!(in_order.iter().all(|id| !other.iter().any(|o| o == id)), "not another coach's");
    // Overdue, most recently due first; then today and the next 14 days, soonest first.
    let overdue: Vec<&str> =
        items.iter().filter(|(due, ..)| due == "overdue").map(|(_, on, _)| on.as_str()).collect();
    let coming: Vec<&str> =
        items.iter().filter(|(due, ..)| due != "overdue").map(|(_, on, _)| on.as_str()).collect();
    assert_eq!((overdue.len(), coming.len()), (36, 12));
    assert!(items[..36].iter().all(|(due, ..)| due == "overdue"), "overdue first");
    assert!(overdue.windows(2).all(|w| w[0] >= w[1]), "newest overdue first: {overdue:?}");
    assert!(coming.windows(2).all(|w| w[0] <= w[1]), "soonest first: {coming:?}");

    // One section pages on its own, the same tasks in the same order.
    let (overdue_pages, total, page_count) =
        every_page(&coach, "/api/v1/tasks?scope=mine&when=overdue").await;
    assert_eq!((total, page_count), (36, 2));
    assert_eq!(overdue_pages, items[..36].to_vec());

    // A team's and the organisation's lists page the same way, and the scope holds.
    let supervisor = app.api(world.org, world.supervisor).await;
    let (team, total, _) = every_page(&supervisor, "/api/v1/tasks?scope=team").await;
    assert_eq!(total, 48);
    assert!(team.iter().all(|(_, _, id)| !other.contains(id)), "not the lone coach's");
    let (everyone, total, page_count) =
        every_page(&manager, "/api/v1/tasks?scope=organisation").await;
    assert_eq!((total, page_count), (50, 3));
    assert!(other.iter().all(|o| everyone.iter().any(|(_, _, id)| id == o)));

    // The page shows each section's first page, its count and a link to the rest, which works
    // without JavaScript.
    let mut browser = app.browser();
    browser.sign_in(world.org, world.coach, PASSWORD).await;
    let page = browser.get("/tasks").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(">36</span>"), "the overdue count: {}", page.body);
    let more = "/tasks?scope=mine&#38;when=overdue&#38;page=2#overdue";
    assert!(page.body.contains(more), "a link to the next overdue page: {}", page.body);
    assert!(!page.body.contains("Elsewhere"));
    let next = browser.get("/tasks?scope=mine&when=overdue&page=2").await;
    assert_eq!(next.status, 200);
    assert!(next.body.contains("Page 2 of 2"), "{}", next.body);
    assert_eq!(next.body.matches("class=\"card\"").count(), 16, "the last 16 overdue");
    assert!(next.body.contains("/tasks?scope=mine&#38;when=overdue&#38;page=1#overdue"));
    assert!(!next.body.contains("id=\"today\""), "one section only");
}
