//! Spreadsheet import: participants and contacts from CSV, by the command line and the
//! managers' upload page — a dry run first, all or nothing, and a second import adds nothing.

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{Api, PASSWORD, TestApp, World, on_both_backends};

on_both_backends!(
    participants_import_cleanly_and_a_second_import_adds_nothing,
    a_thousand_contacts_with_one_bad_row_report_it_and_write_nothing,
    a_mapped_spreadsheet_with_labels_instead_of_codes_imports,
    a_manager_checks_a_file_on_the_upload_page_then_imports_it,
    coaches_may_not_import_and_an_oversized_upload_is_refused_with_413,
    the_api_imports_with_the_same_report,
);

const PARTICIPANTS: &str = "\
reference,given_name,family_name,date_of_birth,enrolled_on,referral_source,coach_id,gender
R-001,Ana,Lopez,1985-02-03,2025-01-10,drug_court,coach@acme.test,woman
R-002,Ben,Okafor,1979-11-23,2025-01-12,self,coach@acme.test,man
P-0007,Cleo,Marsh,1992-06-30,2025-02-01,emergency_department,,
";

/// A file in a directory that lives as long as the test.
struct Files(tempfile::TempDir);

impl Files {
    fn new() -> Self {
        Self(tempfile::tempdir().expect("a temporary directory"))
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path: PathBuf = self.0.path().join(name);
        std::fs::write(&path, text).expect("the file is written");
        path.display().to_string()
    }
}

/// Runs `kindred import csv` as `email`: (succeeded, stdout, stderr).
fn import(app: &TestApp, world: &World, email: &str, args: &[&str]) -> (bool, String, String) {
    let mut command = vec!["import", "csv", "--org", world.org, "--as", email];
    command.extend_from_slice(args);
    let output = app.kindred(&command);
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.success(), text(&output.stdout), text(&output.stderr))
}

async fn participants(api: &Api) -> Value {
    let reply = api.get("/api/v1/participants").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

fn id_of(list: &Value, reference: &str) -> String {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|p| p["reference"] == reference)
        .and_then(|p| p["id"].as_str())
        .unwrap_or_else(|| panic!("{reference} not in {list}"))
        .to_owned()
}

async fn contact_count(api: &Api, participant: Option<&str>) -> i64 {
    let query = participant.map(|id| format!("?participant_id={id}")).unwrap_or_default();
    let reply = api.get(&format!("/api/v1/contacts{query}")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["total"].as_i64().expect("a total")
}

async fn participants_import_cleanly_and_a_second_import_adds_nothing(app: TestApp) {
    let world = app.world().await;
    let files = Files::new();
    let file = files.write("people.csv", PARTICIPANTS);
    let manager = app.api(world.org, world.manager).await;

    let dry = import(&app, &world, world.manager, &["--kind", "participants", "--dry-run", &file]);
    assert!(dry.0, "{dry:?}");
    assert!(
        dry.1.contains(
            "Participants: 3 rows, would add 3, 0 unchanged (dry run: nothing was changed)."
        ),
        "{}",
        dry.1
    );
    assert_eq!(participants(&manager).await["total"], 0, "a dry run writes nothing");

    let real = import(&app, &world, world.manager, &["--kind", "participants", &file]);
    assert!(real.0, "{real:?}");
    assert!(real.1.contains("Participants: 3 rows, added 3, 0 unchanged."), "{}", real.1);
    let list = participants(&manager).await;
    assert_eq!(list["total"], 3);
    let ana = manager.get(&format!("/api/v1/participants/{}", id_of(&list, "R-001"))).await.json();
    assert_eq!(ana["referral_source"], "drug_court");
    assert_eq!(ana["coach_id"], world.coach_id.to_string(), "the coach named by email");
    assert_eq!(ana["gender"], "woman");
    assert_eq!(ana["enrolled_on"], "2025-01-10");

    let again = import(&app, &world, world.manager, &["--kind", "participants", &file]);
    assert!(again.0, "{again:?}");
    assert!(again.1.contains("Participants: 3 rows, added 0, 3 unchanged."), "{}", again.1);
    assert_eq!(participants(&manager).await["total"], 3, "nothing added twice");

    // The next enrolment's reference does not collide with the imported P-0007.
    let enrolled = manager
        .post("/api/v1/participants", crate::support::minimal_participant("Dee", "Nakamura"))
        .await;
    assert_eq!(enrolled.status, 201, "{}", enrolled.body);
    assert_eq!(enrolled.json()["reference"], "P-0008");

    // Audited as the manager's import, with its counts.
    let admin = app.api(world.org, world.admin).await;
    let events =
        admin.get("/api/v1/audit-events?record_type=participant&action=create").await.json();
    assert!(
        events.as_array().expect("events").iter().any(|e| e["actor"] == world.manager
            && e["detail"] == "CSV import of participants: 3 rows, 3 added, 0 unchanged"),
        "{events}"
    );
    // The dry run read people's records to compare them: audited as a read.
    let reads = admin.get("/api/v1/audit-events?record_type=participant&action=read").await.json();
    let check = "CSV import check: Participants: 3 rows, would add 3, 0 unchanged (dry run: nothing was changed).";
    assert!(reads.as_array().expect("events").iter().any(|e| e["detail"] == check), "{reads}");
}

/// 1 000 contacts over the three participants; `bad` replaces one row's mode.
fn contacts_file(bad: Option<(usize, &str)>) -> String {
    let mut text = String::from(
        "participant_reference,contact_reference,occurred_at,minutes,mode,support_kinds,activities,coach_id\n",
    );
    for i in 0..1000 {
        let who = ["R-001", "R-002", "P-0007"][i % 3];
        let mode = match bad {
            Some((row, value)) if row == i => value,
            _ => ["phone", "in_person", "text"][i % 3],
        };
        let day = 1 + i % 28;
        let hour = 8 + i % 10;
        text.push_str(&format!(
            "{who},C-{i},2025-03-{day:02} {hour:02}:{:02},{},{mode},emotional;informational,check_in,coach@acme.test\n",
            i % 60,
            15 + i % 30
        ));
    }
    text
}

async fn a_thousand_contacts_with_one_bad_row_report_it_and_write_nothing(app: TestApp) {
    let world = app.world().await;
    let files = Files::new();
    let people = files.write("people.csv", PARTICIPANTS);
    assert!(import(&app, &world, world.manager, &["--kind", "participants", &people]).0);
    let manager = app.api(world.org, world.manager).await;

    // Row 501 of the spreadsheet (the header is row 1) is the 500th contact.
    let broken = files.write("contacts.csv", &contacts_file(Some((499, "telepathy"))));
    let (ok, out, err) = import(&app, &world, world.manager, &["--kind", "contacts", &broken]);
    assert!(!ok, "a file with a problem fails the command: {out}{err}");
    assert!(out.contains("Contacts: 1 problem in 1000 rows; nothing was imported."), "{out}");
    assert!(
        out.contains("row 501, column mode, value \"telepathy\": is not a contact mode: use one of In person, Phone"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 2, "only that row is reported: {out}");
    assert_eq!(contact_count(&manager, None).await, 0, "nothing was written");

    let fixed = files.write("contacts.csv", &contacts_file(None));
    let (ok, out, err) = import(&app, &world, world.manager, &["--kind", "contacts", &fixed]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("Contacts: 1000 rows, added 1000, 0 unchanged."), "{out}");
    assert_eq!(contact_count(&manager, None).await, 1000);
    let list = participants(&manager).await;
    assert_eq!(contact_count(&manager, Some(&id_of(&list, "R-001"))).await, 334);

    let (ok, out, _) = import(&app, &world, world.manager, &["--kind", "contacts", &fixed]);
    assert!(ok && out.contains("Contacts: 1000 rows, added 0, 1000 unchanged."), "{out}");
    assert_eq!(contact_count(&manager, None).await, 1000, "the same file twice adds nothing");
}

const MAPPED_PARTICIPANTS: &str = "\
Client ID,First,Last,Born,Started,Referred by,Coach,Office notes
HC-17,Eve,Quinn,1990-04-05,2025-05-06,Drug court,COACH@ACME.TEST,keep in touch
HC-18,Finn,Roe,1968-09-10,2025-05-07,Self-referral,,
";

const MAPPING: &str = r#"{"Client ID": "reference", "First": "given_name", "Last": "family_name",
 "Born": "date_of_birth", "Started": "enrolled_on", "Referred by": "referral_source",
 "Coach": "coach_id", "Office notes": null,
 "Client": "participant_reference", "Seen": "occurred_at", "How": "mode",
 "Support given": "support_kinds", "What we did": "activities"}"#;

const MAPPED_CONTACTS: &str = "\
Client,Seen,How,Support given,What we did
HC-17,2025-06-01,Phone,Emotional; Informational,Check-in
HC-17,2025-06-08 14:30,In person,instrumental,Escort
";

async fn a_mapped_spreadsheet_with_labels_instead_of_codes_imports(app: TestApp) {
    let world = app.world().await;
    let files = Files::new();
    let mapping = files.write("mapping.json", MAPPING);
    let people = files.write("people.csv", MAPPED_PARTICIPANTS);
    let contacts = files.write("contacts.csv", MAPPED_CONTACTS);
    let manager = app.api(world.org, world.manager).await;

    let args = ["--kind", "participants", "--mapping", &mapping, &people];
    let (ok, out, err) = import(&app, &world, world.manager, &args);
    assert!(ok && out.contains("added 2, 0 unchanged"), "{out}{err}");
    let list = participants(&manager).await;
    let eve_id = id_of(&list, "HC-17");
    let eve = manager.get(&format!("/api/v1/participants/{eve_id}")).await.json();
    assert_eq!(eve["referral_source"], "drug_court", "matched by its label");
    assert_eq!(eve["coach_id"], world.coach_id.to_string());

    let args = ["--kind", "contacts", "--mapping", &mapping, &contacts];
    let (ok, out, err) = import(&app, &world, world.manager, &args);
    assert!(ok && out.contains("Contacts: 2 rows, added 2, 0 unchanged."), "{out}{err}");
    let reply = manager.get(&format!("/api/v1/contacts?participant_id={eve_id}")).await.json();
    let items = reply["contacts"].as_array().expect("contacts");
    let call = items.iter().find(|c| c["mode"] == "phone").expect("the phone call");
    assert_eq!(call["support_kinds"], serde_json::json!(["emotional", "informational"]));
    assert_eq!(call["activities"], serde_json::json!(["check_in"]));
    assert_eq!(call["coach_id"], world.coach_id.to_string(), "the participant's coach");
    // Without a contact reference column, contacts are keyed by their time and mode.
    let (ok, out, _) = import(&app, &world, world.manager, &args);
    assert!(ok && out.contains("added 0, 2 unchanged"), "{out}");
}

async fn a_manager_checks_a_file_on_the_upload_page_then_imports_it(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let mut browser = app.browser();
    browser.sign_in(world.org, world.manager, PASSWORD).await;
    let form = browser.get("/imports/new").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("enctype=\"multipart/form-data\""), "{}", form.body);
    assert!(form.body.contains("<label for=\"file\">"), "the file input is labelled");

    let file = [("file", "people.csv", PARTICIPANTS.as_bytes())];
    let checked = browser.upload("/imports", &[("kind", "participants")], &file).await;
    assert_eq!(checked.status, 200, "{}", checked.body);
    assert!(
        checked.body.contains("Participants: 3 rows, would add 3, 0 unchanged"),
        "{}",
        checked.body
    );
    assert!(checked.body.contains("Import 3 rows"), "a confirmation is offered");
    assert!(checked.body.contains("name=\"commit\" value=\"1\""));
    assert_eq!(participants(&manager).await["total"], 0, "checking writes nothing");

    let done =
        browser.upload("/imports", &[("kind", "participants"), ("commit", "1")], &file).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Participants: 3 rows, added 3, 0 unchanged."), "{}", done.body);
    assert!(!done.body.contains("Import 3 rows"), "nothing left to confirm");
    assert_eq!(participants(&manager).await["total"], 3);

    // A bad file: the same report, as a table of row, column, value and reason.
    let bad = "reference,given_name,family_name,date_of_birth,enrolled_on,gender\n\
               R-9,Gus,Hale,1980-01-01,2025-02-30,man\n";
    let file = [("file", "bad.csv", bad.as_bytes())];
    let refused = browser.upload("/imports", &[("kind", "participants")], &file).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("1 problem in 1 row; nothing was imported."), "{}", refused.body);
    assert!(
        refused.body.contains("<td>2</td>")
            && refused.body.contains("<td>enrolled_on</td>")
            && refused.body.contains("<td>2025-02-30</td>"),
        "{}",
        refused.body
    );
    assert!(!refused.body.contains("name=\"commit\""), "a bad file cannot be confirmed");
}

async fn coaches_may_not_import_and_an_oversized_upload_is_refused_with_413(app: TestApp) {
    let world = app.world().await;
    let mut coach = app.browser();
    coach.sign_in(world.org, world.coach, PASSWORD).await;
    assert_eq!(coach.get("/imports/new").await.status, 403);
    coach.get("/caseload").await;
    let file = [("file", "people.csv", PARTICIPANTS.as_bytes())];
    let refused =
        coach.upload("/imports", &[("kind", "participants"), ("commit", "1")], &file).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("Only program managers import"), "{}", refused.body);
    let files = Files::new();
    let people = files.write("people.csv", PARTICIPANTS);
    let (ok, _, err) = import(&app, &world, world.coach, &["--kind", "participants", &people]);
    assert!(!ok && err.contains("only program managers import"), "{err}");
    let manager = app.api(world.org, world.manager).await;
    assert_eq!(participants(&manager).await["total"], 0);

    let mut browser = app.browser();
    browser.sign_in(world.org, world.manager, PASSWORD).await;
    browser.get("/imports/new").await;
    let huge = vec![b'x'; 33 * 1024 * 1024];
    let file = [("file", "huge.csv", huge.as_slice())];
    let reply = browser.upload("/imports", &[("kind", "contacts")], &file).await;
    assert_eq!(reply.status, 413, "{}", reply.body);
    assert!(reply.body.contains("larger than the 32 MB an upload may be"), "{}", reply.body);
}

async fn the_api_imports_with_the_same_report(app: TestApp) {
    let world = app.world().await;
    let manager = app.api(world.org, world.manager).await;
    let body = |csv: &str, dry_run: bool| {
        serde_json::json!({"kind": "participants", "csv": csv, "dry_run": dry_run,
                           "mapping": {"Notes": null}})
    };
    let with_notes = PARTICIPANTS.replacen('\n', ",Notes\n", 1);
    let dry = manager.post("/api/v1/imports", body(&with_notes, true)).await;
    assert_eq!(dry.status, 200, "{}", dry.body);
    let report = dry.json();
    assert_eq!(
        report["summary"],
        "Participants: 3 rows, would add 3, 0 unchanged (dry run: nothing was changed)."
    );
    assert_eq!((report["added"].as_u64(), report["applied"].as_bool()), (Some(3), Some(false)));

    let bad = PARTICIPANTS.replace("drug_court", "the moon");
    let refused = manager.post("/api/v1/imports", body(&bad, false)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let problem = &refused.json()["problems"][0];
    assert_eq!(problem["row"], 2);
    assert_eq!(problem["column"], "referral_source");
    assert_eq!(problem["value"], "the moon");
    assert!(problem["reason"].as_str().unwrap_or_default().starts_with("is not a referral source"));
    assert_eq!(participants(&manager).await["total"], 0);

    let done = manager.post("/api/v1/imports", body(PARTICIPANTS, false)).await;
    assert_eq!((done.status, done.json()["applied"].as_bool()), (200, Some(true)), "{}", done.body);
    assert_eq!(participants(&manager).await["total"], 3);

    let coach = app.api(world.org, world.coach).await;
    assert_eq!(coach.post("/api/v1/imports", body(PARTICIPANTS, true)).await.status, 403);
    let huge = "x".repeat(33 * 1024 * 1024);
    let too_large = manager.post("/api/v1/imports", body(&huge, true)).await;
    assert_eq!(too_large.status, 413, "{}", too_large.body);
    assert_eq!(too_large.json()["error"]["code"], "too_large");
}
