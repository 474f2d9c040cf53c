//! Spreadsheet import of outcome events and completed assessments: checked as the API checks
//! them, all or nothing, scored as by hand, and a second import adds nothing.

use serde_json::{Value, json};
use time::{Date, Duration};

use crate::follow_up::{enrol_on, follow_up, open_program, point, put_schedule, three_points};
use crate::support::{Api, PASSWORD, TestApp, World, enrol, on_both_backends};

on_both_backends!(
    a_clean_events_file_imports_once_and_a_changed_row_is_refused,
    an_imported_assessment_scores_as_the_same_one_recorded_by_hand,
    one_bad_row_among_many_is_reported_and_nothing_is_written,
    a_mapped_sheet_with_labels_instead_of_codes_imports,
    an_imported_follow_up_assessment_completes_its_time_point,
);

/// Two participants enrolled by the coach: (id, reference) each.
async fn two_participants(coach: &Api) -> [(String, String); 2] {
    let mut enrolled = Vec::new();
    for (given, family) in [("Ana", "Reyes"), ("Ben", "Okafor")] {
        let id = enrol(coach, given, family).await;
        let record = coach.get(&format!("/api/v1/participants/{id}")).await.json();
        let reference = record["reference"].as_str().expect("a reference").to_owned();
        enrolled.push((id, reference));
    }
    [enrolled[0].clone(), enrolled[1].clone()]
}

/// `POST /api/v1/imports`: (status, report).
async fn import(api: &Api, kind: &str, csv: &str, mapping: Option<Value>) -> (u16, Value) {
    let body = json!({"kind": kind, "csv": csv, "mapping": mapping});
    let reply = api.post("/api/v1/imports", body).await;
    (reply.status, reply.json())
}

/// Runs `kindred import csv` from a file: (succeeded, stdout).
fn import_by_cli(app: &TestApp, world: &World, csv: &str, args: &[&str]) -> (bool, String) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("sheet.csv");
    std::fs::write(&path, csv).expect("the file is written");
    let file = path.display().to_string();
    let mut command = vec!["import", "csv", "--org", world.org, "--as", world.manager];
    command.extend_from_slice(args);
    command.push(&file);
    let output = app.kindred(&command);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    (output.status.success(), format!("{stdout}{stderr}"))
}

async fn events(api: &Api, participant: &str) -> Vec<Value> {
    let reply = api.get(&format!("/api/v1/participants/{participant}/outcome-events")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json().as_array().expect("events").clone()
}

async fn assessments(api: &Api, participant: &str) -> Vec<Value> {
    let reply = api.get(&format!("/api/v1/participants/{participant}/assessments")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json().as_array().expect("assessments").clone()
}

fn day(today: Date, days_ago: i64) -> String {
    (today - Duration::days(days_ago)).to_string()
}

/// A PHQ-9 header and the nine answers' columns.
fn phq9_header(fixed: &str) -> String {
    let items: Vec<String> = (1..=9).map(|i| format!("phq9_{i}")).collect();
    format!("{fixed},{}\n", items.join(","))
}

async fn a_clean_events_file_imports_once_and_a_changed_row_is_refused(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let manager = app.api(world.org, world.manager).await;
    let [(ana, ana_ref), (ben, ben_ref)] = two_participants(&coach).await;
    let today = app.app.clock().today();
    let file = format!(
        "participant_reference,kind,occurred_on,hospitalisation_kind,substance,detail\n\
         {ana_ref},treatment_admission,{},,,Harbor detox\n\
         {ana_ref},hospitalisation,{},psychiatric,,\n\
         {ben_ref},self_reported_use,{},,alcohol,\n",
        day(today, 40),
        day(today, 20),
        day(today, 3),
    );

    let (ok, out) = import_by_cli(&app, &world, &file, &["--kind", "outcome_events", "--dry-run"]);
    assert!(ok, "{out}");
    assert!(
        out.contains(
            "Outcome events: 3 rows, would add 3, 0 unchanged (dry run: nothing was changed)."
        ),
        "{out}"
    );
    assert!(events(&manager, &ana).await.is_empty(), "a dry run writes nothing");

    let (ok, out) = import_by_cli(&app, &world, &file, &["--kind", "outcome_events"]);
    assert!(ok && out.contains("Outcome events: 3 rows, added 3, 0 unchanged."), "{out}");
    let anas = events(&manager, &ana).await;
    assert_eq!(anas.len(), 2);
    let stay = anas.iter().find(|e| e["kind"] == "hospitalisation").expect("the stay");
    assert_eq!(stay["hospitalisation_kind"], "psychiatric");
    assert_ne!(stay["recorded_by"], world.coach_id.to_string(), "recorded by the importer");
    assert_eq!(events(&manager, &ben).await[0]["substance"], "alcohol");

    // The same file again: matched on kind, day and hospitalisation kind; nothing added.
    let (status, report) = import(&manager, "outcome_events", &file, None).await;
    assert_eq!((status, report["added"].as_u64()), (200, Some(0)), "{report}");
    assert_eq!(report["unchanged"], 3);
    assert_eq!(events(&manager, &ana).await.len(), 2);

    // The upload page offers the new kinds and checks the file the same way.
    let mut browser = app.browser();
    browser.sign_in(world.org, world.manager, PASSWORD).await;
    let form = browser.get("/imports/new").await;
    assert!(form.body.contains("value=\"outcome_events\""), "{}", form.body);
    assert!(form.body.contains("Completed assessments"), "{}", form.body);
    assert!(form.body.contains("one column per item of the instrument"), "{}", form.body);
    let upload = [("file", "events.csv", file.as_bytes())];
    let checked = browser.upload("/imports", &[("kind", "outcome_events")], &upload).await;
    assert!(checked.body.contains("Outcome events: 3 rows, would add 0, 3 unchanged"));

    // A row whose key matches but whose values differ is a problem, never an overwrite.
    let changed = file.replace("Harbor detox", "Bay detox");
    let (status, report) = import(&manager, "outcome_events", &changed, None).await;
    assert_eq!(status, 422, "{report}");
    let problem = &report["problems"][0];
    assert_eq!(
        (problem["row"].as_u64(), problem["column"].as_str()),
        (Some(2), Some("occurred_on"))
    );
    assert!(
        problem["reason"].as_str().unwrap_or_default().contains("other values (detail)"),
        "{problem}"
    );
    let admission = events(&manager, &ana).await;
    assert!(admission.iter().any(|e| e["detail"] == "Harbor detox"), "kept as it was");

    let admin = app.api(world.org, world.admin).await;
    let audit =
        admin.get("/api/v1/audit-events?record_type=outcome_event&action=create").await.json();
    let counted = "CSV import of outcome_events: 3 rows, 3 added, 0 unchanged";
    assert!(audit.as_array().expect("events").iter().any(|e| e["detail"] == counted), "{audit}");
}

async fn an_imported_assessment_scores_as_the_same_one_recorded_by_hand(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let manager = app.api(world.org, world.manager).await;
    let [(ana, ana_ref), (ben, _)] = two_participants(&coach).await;
    let on = day(app.app.clock().today(), 10);
    let answers = [2, 2, 1, 3, 0, 1, 2, 1, 1];

    let cells: Vec<String> = answers.iter().map(i64::to_string).collect();
    let file = format!(
        "{}{ana_ref},A-1,phq-9,{on},{}\n",
        phq9_header("participant_reference,assessment_reference,instrument,administered_on"),
        cells.join(",")
    );
    let (status, report) = import(&manager, "assessments", &file, None).await;
    assert_eq!((status, report["added"].as_u64()), (200, Some(1)), "{report}");

    let by_hand: serde_json::Map<String, Value> =
        answers.iter().enumerate().map(|(i, a)| (format!("phq9_{}", i + 1), json!(a))).collect();
    let recorded = manager
        .post(
            &format!("/api/v1/participants/{ben}/assessments"),
            json!({"instrument": "phq-9", "administered_on": on, "complete": true,
                   "answers": by_hand}),
        )
        .await;
    assert_eq!(recorded.status, 201, "{}", recorded.body);
    let recorded = recorded.json();

    let imported = assessments(&manager, &ana).await;
    assert_eq!(imported.len(), 1);
    let imported = &imported[0];
    assert_eq!(imported["status"], "completed");
    assert_eq!(imported["score"], 13.0);
    for field in ["score", "band", "flags", "scales", "result", "answers", "administered_on"] {
        assert_eq!(imported[field], recorded[field], "{field} as recorded by hand");
    }

    // The same file twice: matched on the participant and the assessment reference.
    let (status, report) = import(&manager, "assessments", &file, None).await;
    assert_eq!((status, report["unchanged"].as_u64()), (200, Some(1)), "{report}");
    assert_eq!(assessments(&manager, &ana).await.len(), 1);
    let changed = file.replace(&format!("{on},2,"), &format!("{on},3,"));
    let (status, report) = import(&manager, "assessments", &changed, None).await;
    assert_eq!(status, 422, "{report}");
    assert_eq!(report["problems"][0]["column"], "assessment_reference");
    assert!(report["problems"][0]["reason"].as_str().unwrap_or_default().contains("(answers)"));
}

async fn one_bad_row_among_many_is_reported_and_nothing_is_written(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let manager = app.api(world.org, world.manager).await;
    let [(ana, ana_ref), (ben, ben_ref)] = two_participants(&coach).await;
    let today = app.app.clock().today();

    // 200 events with their own references; row 121 (the 120th event) has a kind that is none.
    let mut file = String::from("participant_reference,event_reference,kind,occurred_on\n");
    for i in 0..200 {
        let who = if i % 2 == 0 { &ana_ref } else { &ben_ref };
        let kind = if i == 119 { "promotion" } else { ["arrest", "housing_change"][i % 2] };
        file.push_str(&format!("{who},E-{i},{kind},{}\n", day(today, (i % 300) as i64)));
    }
    let (ok, out) = import_by_cli(&app, &world, &file, &["--kind", "outcome_events"]);
    assert!(!ok, "a file with a problem fails the command: {out}");
    assert!(out.contains("Outcome events: 1 problem in 200 rows; nothing was imported."), "{out}");
    assert!(out.contains("row 121, column kind, value \"promotion\": is not a"), "{out}");
    assert_eq!(out.lines().count(), 2, "only that row is reported: {out}");
    assert!(events(&manager, &ana).await.is_empty() && events(&manager, &ben).await.is_empty());

    // Twenty PHQ-9s; one answer is out of range.
    let mut sheet = phq9_header("participant_reference,instrument,administered_on");
    for i in 0..20 {
        let third = if i == 13 { 7 } else { i % 4 };
        sheet.push_str(&format!("{ana_ref},phq-9,{},1,1,{third},0,0,1,1,0,0\n", day(today, i)));
    }
    let (status, report) = import(&manager, "assessments", &sheet, None).await;
    assert_eq!((status, report["problem_count"].as_u64()), (422, Some(1)), "{report}");
    let problem = &report["problems"][0];
    assert_eq!(problem["row"], 15);
    assert_eq!(problem["column"], "phq9_3");
    assert_eq!(problem["value"], "7");
    assert!(problem["reason"].as_str().unwrap_or_default().starts_with("must be one of 0"));
    assert!(assessments(&manager, &ana).await.is_empty(), "nothing was written");

    // A column that is not an item of the row's instrument is that row's problem.
    let header = phq9_header("participant_reference,instrument,administered_on");
    let stray = format!(
        "{}{ana_ref},phq-9,{},1,1,1,0,0,1,1,0,0,2\n",
        header.replace('\n', ",gad7_1\n"),
        day(today, 1)
    );
    let (status, report) = import(&manager, "assessments", &stray, None).await;
    assert_eq!(status, 422, "{report}");
    let problem = &report["problems"][0];
    assert_eq!(
        (problem["column"].as_str(), problem["value"].as_str()),
        (Some("gad7_1"), Some("2"))
    );
    assert_eq!(problem["reason"], "is not an item of PHQ-9");
}

const MAPPING: &str = r#"{"Client": "participant_reference", "What happened": "kind",
 "When": "occurred_on", "Ward": "hospitalisation_kind", "Notes": null,
 "Questionnaire": "instrument", "Given on": "administered_on",
 "Q1": "phq9_1", "Q2": "phq9_2", "Q3": "phq9_3", "Q4": "phq9_4", "Q5": "phq9_5",
 "Q6": "phq9_6", "Q7": "phq9_7", "Q8": "phq9_8", "Q9": "phq9_9"}"#;

async fn a_mapped_sheet_with_labels_instead_of_codes_imports(app: TestApp) {
    let world = app.world().await;
    let coach = app.api(world.org, world.coach).await;
    let manager = app.api(world.org, world.manager).await;
    let [(ana, ana_ref), _] = two_participants(&coach).await;
    let today = app.app.clock().today();
    let mapping: Value = serde_json::from_str(MAPPING).expect("a mapping");

    let events_sheet = format!(
        "Client,What happened,When,Ward,Notes\n\
         {ana_ref},Hospitalisation,{},Psychiatric,called the family\n\
         {ana_ref},Housing change,{},,\n",
        day(today, 12),
        day(today, 5)
    );
    let (status, report) =
        import(&manager, "outcome_events", &events_sheet, Some(mapping.clone())).await;
    assert_eq!((status, report["added"].as_u64()), (200, Some(2)), "{report}");
    let anas = events(&manager, &ana).await;
    let stay = anas.iter().find(|e| e["kind"] == "hospitalisation").expect("matched by label");
    assert_eq!(stay["hospitalisation_kind"], "psychiatric");
    assert!(anas.iter().any(|e| e["kind"] == "housing_change"));

    // The instrument by its name, choices by their labels.
    let assessment_sheet = format!(
        "Client,Questionnaire,Given on,Q1,Q2,Q3,Q4,Q5,Q6,Q7,Q8,Q9\n\
         {ana_ref},PHQ-9,{},Several days,not at all,1,0,0,0,More than half the days,0,0\n",
        day(today, 2)
    );
    let (status, report) =
        import(&manager, "assessments", &assessment_sheet, Some(mapping.clone())).await;
    assert_eq!((status, report["added"].as_u64()), (200, Some(1)), "{report}");
    let imported = &assessments(&manager, &ana).await[0];
    assert_eq!(imported["instrument_code"], "phq-9");
    assert_eq!(imported["answers"]["phq9_1"], 1);
    assert_eq!(imported["answers"]["phq9_7"], 2);
    assert_eq!(imported["score"], 4.0);

    // Without reference columns, a second import matches on the records' own keys.
    let (_, report) =
        import(&manager, "outcome_events", &events_sheet, Some(mapping.clone())).await;
    assert_eq!(report["unchanged"], 2, "{report}");
    let (_, report) = import(&manager, "assessments", &assessment_sheet, Some(mapping)).await;
    assert_eq!(report["unchanged"], 1, "{report}");
    assert_eq!(assessments(&manager, &ana).await.len(), 1);
}

async fn an_imported_follow_up_assessment_completes_its_time_point(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let program = open_program(&manager, "Outreach").await;
    put_schedule(&manager, &program, three_points()).await;
    let today = app.app.clock().today();
    let coach = world.coach_id.to_string();
    let id = enrol_on(&manager, "Quinn", &program, today - Duration::days(200), &coach).await;
    let record = manager.get(&format!("/api/v1/participants/{id}")).await.json();
    let reference = record["reference"].as_str().expect("a reference");
    let items: Vec<String> = (1..=10).map(|i| format!("barc10_{i}")).collect();
    // Day 180 after enrolment: inside the 6-month window (days 150–240).
    let file = format!(
        "participant_reference,instrument,administered_on,time_point,{}\n\
         {reference},barc-10,{},m6,{}\n",
        items.join(","),
        day(today, 20),
        ["5"; 10].join(",")
    );

    let unknown = file.replace(",m6,", ",m9,");
    let (status, report) = import(&manager, "assessments", &unknown, None).await;
    assert_eq!(status, 422, "{report}");
    let problem = &report["problems"][0];
    assert_eq!(
        (problem["column"].as_str(), problem["value"].as_str()),
        (Some("time_point"), Some("m9"))
    );
    assert_eq!(problem["reason"], "is not a time point of the program's follow-up schedule");

    let (status, report) = import(&manager, "assessments", &file, None).await;
    assert_eq!((status, report["added"].as_u64()), (200, Some(1)), "{report}");
    let m6 = point(&follow_up(&manager, &id).await, "m6").clone();
    assert_eq!(m6["status"], "completed_in_window", "{m6}");
    let (_, report) = import(&manager, "assessments", &file, None).await;
    assert_eq!(report["unchanged"], 1, "matched on instrument, day and time point: {report}");
}
