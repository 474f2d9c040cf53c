//! A study's analysis-ready export (issue 13, items 2 and 3), on both databases: an evaluator
//! downloads the participants, person-period, contacts and aggregate tables of a locked
//! trial as CSV and Parquet, with the data dictionary. The de-identified files hold none of
//! the seeded names, dates of birth, phones, emails or notes; a participant's dates move
//! together (intervals kept) and the same way in every export; a cell of five is suppressed;
//! the Parquet file reads back to the CSV's rows; an identified export is refused, with the
//! reason, until every participant consented; every export is audited as one; the CLI
//! writes the same files.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use time::{Date, Duration};

use crate::support::{Api, TestApp, World, on_both_backends};

on_both_backends!(
    a_de_identified_export_names_no_one_and_keeps_intervals,
    an_identified_export_needs_every_participant_s_consent,
);

/// Participants per arm (blocks of two, so exactly half in each).
const PER_ARM: usize = 20;
/// The first this many participants are women: blocks of two put half of them in each arm.
const WOMEN: usize = 10;
const RECIPIENT: &str = "Lakeside University evaluation team";

pub(crate) struct Seeded {
    pub evaluator: Api,
    pub study: String,
    /// (participant id, arm) in enrolment order.
    people: Vec<(String, String)>,
    /// Every name, date of birth, phone, email and note the record holds.
    secrets: Vec<String>,
    enrolled_on: Date,
}

fn given(n: usize) -> String {
    format!("Quennell{n}")
}

/// A locked two-arm trial of `2 × PER_ARM` participants, each with two contacts (with notes)
/// and, for every third, a treatment admission.
pub(crate) async fn seeded_trial(app: &TestApp, world: &World) -> Seeded {
    let manager = app.api(world.org, world.manager).await;
    let coach = app.api(world.org, world.coach).await;
    let evaluator = app.api(world.org, world.evaluator).await;
    let today = app.app.clock().today();
    let program =
        manager.post("/api/v1/programs", json!({"template_code": "ed_brief_intervention"})).await;
    assert_eq!(program.status, 201, "{}", program.body);
    let program = program.json()["id"].as_str().expect("a program").to_owned();
    let created = evaluator
        .post(
            "/api/v1/studies",
            json!({
                "title": "Peer support after a walk-in visit",
                "question": "Does a peer coach raise treatment entry?",
                "design": "randomised",
                "program_ids": [program],
                "arms": [
                    {"code": "usual", "name": "Usual care", "role": "comparison", "ratio": 1,
                     "receives": "a referral list only"},
                    {"code": "peer", "name": "Peer support", "role": "intervention", "ratio": 1,
                     "receives": "a peer recovery coach"},
                ],
                "enrolment_from": (today - Duration::days(400)).to_string(),
                "enrolment_to": (today + Duration::days(60)).to_string(),
                "follow_up_days": 365,
                "randomisation": {"block_sizes": [2]},
                "outcomes": [
                    {"code": "admitted_30d", "name": "Treatment admission within 30 days",
                     "kind": "event_within", "event": {"kind": "treatment_admission"}, "days": 30},
                    {"code": "admitted", "name": "Days to treatment admission",
                     "kind": "time_to_event", "event": {"kind": "treatment_admission"}},
                ],
                "plan": {"primary": "admitted_30d", "secondary": ["admitted"]},
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let study = created.json();
    let id = study["id"].as_str().expect("an id").to_owned();
    let opened = evaluator
        .post(&format!("/api/v1/studies/{id}/open"), json!({"version": study["version"]}))
        .await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    let enrolled_on = today - Duration::days(200);
    let mut people = Vec::new();
    let mut secrets = Vec::new();
    for n in 0..2 * PER_ARM {
        let (family, born) =
            (format!("Atherbury{n}"), format!("19{:02}-03-{:02}", 60 + n, 1 + n % 28));
        let (phone, email) = (format!("+1 555 014 {:04}", 1000 + n), format!("q{n}@mailbox.test"));
        let gender = if n < WOMEN { "woman" } else { "man" };
        let reply = manager
            .post(
                "/api/v1/participants",
                json!({"given_name": given(n), "family_name": family, "date_of_birth": born,
                       "phone": phone, "email": email, "gender": gender,
                       "program_id": program, "coach_id": world.coach_id.to_string(),
                       "setting": "walk_in_clinic", "enrolled_on": enrolled_on.to_string(),
                       "coach_override_reason": "The study's coach is still training"}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        let participant = reply.json()["id"].as_str().expect("an id").to_owned();
        let enrolment = coach
            .post(
                &format!("/api/v1/studies/{id}/enrolments"),
                json!({"participant_id": participant}),
            )
            .await;
        assert_eq!(enrolment.status, 201, "{}", enrolment.body);
        let arm = enrolment.json()["arm"].as_str().expect("an arm").to_owned();
        for (day, note) in [
            (10, format!("Spoke about her brother Tobiah{n} and the rent")),
            (40, format!("Met at the Wexcombe{n} diner")),
        ] {
            let mut contact =
                crate::contacts::contact(&participant, enrolled_on + Duration::days(day));
            contact["note"] = Value::String(note.clone());
            assert_eq!(coach.post("/api/v1/contacts", contact).await.status, 201);
            secrets.push(note);
        }
        if n % 3 == 0 {
            let on = enrolled_on + Duration::days(12);
            let event = coach
                .post(
                    &format!("/api/v1/participants/{participant}/outcome-events"),
                    json!({"kind": "treatment_admission", "occurred_on": on.to_string(),
                           "detail": format!("Admitted to Bramblewood{n} House")}),
                )
                .await;
            assert_eq!(event.status, 201, "{}", event.body);
            secrets.push(format!("Bramblewood{n}"));
        }
        secrets.extend([given(n), family, born, phone, email]);
        people.push((participant, arm));
    }
    let export = format!("/api/v1/studies/{id}/export/participants");
    let early = evaluator.get(&export).await;
    assert_eq!(early.status, 409, "before the lock: {}", early.body);
    assert!(early.body.contains("lock the analysis plan"), "{}", early.body);
    let locked = evaluator.post(&format!("/api/v1/studies/{id}/plan/lock"), json!({})).await;
    assert_eq!(locked.status, 200, "{}", locked.body);
    Seeded { evaluator, study: id, people, secrets, enrolled_on }
}

/// A CSV file's header and rows, each row by column name.
pub(crate) fn csv_rows(text: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> =
        reader.headers().expect("a header").iter().map(str::to_owned).collect();
    let rows = reader
        .records()
        .map(|r| {
            let record = r.expect("a CSV record");
            header.iter().cloned().zip(record.iter().map(str::to_owned)).collect()
        })
        .collect();
    (header, rows)
}

fn date(text: &str) -> Date {
    Date::parse(text, &time::format_description::well_known::Iso8601::DATE)
        .unwrap_or_else(|e| panic!("{text:?} is not a date: {e}"))
}

/// A Parquet file's rows as the CSV writes them.
fn parquet_rows(bytes: Vec<u8>) -> (Vec<String>, Vec<Vec<String>>) {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let mut file = tempfile::tempfile().expect("a temporary file");
    std::io::Write::write_all(&mut file, &bytes).expect("written");
    let reader = SerializedFileReader::new(file).expect("a Parquet file");
    let schema = reader.metadata().file_metadata().schema_descr();
    let names = schema.columns().iter().map(|c| c.name().to_owned()).collect();
    let rows = reader
        .get_row_iter(None)
        .expect("rows")
        .map(|row| {
            let row = row.expect("a row");
            row.get_column_iter()
                .map(|(_, field)| match field {
                    Field::Null => String::new(),
                    Field::Bool(yes) => if *yes { "1" } else { "0" }.to_owned(),
                    Field::Long(n) => n.to_string(),
                    Field::Double(x) => x.to_string(),
                    Field::Str(text) => text.clone(),
                    Field::Date(days) => {
                        (Date::from_julian_day(2_440_588 + days).expect("a date")).to_string()
                    }
                    other => panic!("unexpected field {other:?}"),
                })
                .collect()
        })
        .collect();
    (names, rows)
}

async fn a_de_identified_export_names_no_one_and_keeps_intervals(app: TestApp) {
    let world = app.world().await;
    let seeded = seeded_trial(&app, &world).await;
    let (evaluator, id) = (&seeded.evaluator, &seeded.study);
    let mut files = BTreeMap::new();
    for table in ["participants", "person_periods", "contacts", "aggregates"] {
        let reply = evaluator.get(&format!("/api/v1/studies/{id}/export/{table}")).await;
        assert_eq!(reply.status, 200, "{table}: {}", reply.body);
        assert!(reply.header("content-type").is_some_and(|t| t.starts_with("text/csv")));
        files.insert(table, reply.body);
    }
    // Nothing identifying, in any file.
    for (table, body) in &files {
        for secret in &seeded.secrets {
            assert!(!body.contains(secret.as_str()), "{table} holds {secret:?}");
        }
        for (participant, _) in &seeded.people {
            assert!(!body.contains(participant.as_str()), "{table} holds a record id");
        }
    }

    // One row per participant, the arms as allocated, a pseudonym each.
    let (header, people) = csv_rows(&files["participants"]);
    assert_eq!(people.len(), 2 * PER_ARM);
    for column in [
        "pseudonym",
        "arm",
        "enrolled_on",
        "gender",
        "admitted_30d",
        "admitted_days",
        "admitted_event",
        "contacts",
        "emotional_contacts",
        "coach",
    ] {
        assert!(header.iter().any(|h| h == column), "no {column} in {header:?}");
    }
    let arms: Vec<&str> = people.iter().map(|p| p["arm"].as_str()).collect();
    assert_eq!(arms.iter().filter(|a| **a == "peer").count(), PER_ARM);
    let pseudonyms: BTreeSet<&str> = people.iter().map(|p| p["pseudonym"].as_str()).collect();
    assert_eq!(pseudonyms.len(), 2 * PER_ARM, "one pseudonym each");
    assert!(people.iter().all(|p| p["contacts"] == "2"));
    let admitted = people.iter().filter(|p| p["admitted_30d"] == "1").count();
    assert_eq!(admitted, (2 * PER_ARM).div_ceil(3), "every third was admitted on day 12");

    // Dates are shifted per participant, so intervals survive: each contact's shifted date
    // minus the participant's shifted enrolment is the real day (10 and 40).
    let enrolled: BTreeMap<&str, Date> =
        people.iter().map(|p| (p["pseudonym"].as_str(), date(&p["enrolled_on"]))).collect();
    let shifted = enrolled.values().filter(|d| **d != seeded.enrolled_on).count();
    assert!(shifted > PER_ARM, "most enrolment dates are moved: {shifted}");
    assert!(enrolled.values().collect::<BTreeSet<_>>().len() > 10, "each by its own shift");
    let (_, contacts) = csv_rows(&files["contacts"]);
    assert_eq!(contacts.len(), 4 * PER_ARM);
    for contact in &contacts {
        let day =
            (date(&contact["contact_on"]) - enrolled[contact["pseudonym"].as_str()]).whole_days();
        assert_eq!(day.to_string(), contact["contact_day"], "{contact:?}");
        assert!(["10", "40"].contains(&contact["contact_day"].as_str()), "{contact:?}");
    }
    let (_, periods) = csv_rows(&files["person_periods"]);
    assert!(periods.len() >= 2 * PER_ARM, "a row per participant and time point");
    assert!(periods.iter().all(|p| enrolled.contains_key(p["pseudonym"].as_str())));

    // The same pseudonyms and shifts in a second export.
    let again = evaluator.get(&format!("/api/v1/studies/{id}/export/participants")).await;
    assert_eq!(again.body, files["participants"], "stable across exports");

    // A cell of five is suppressed: five women per arm (and the fifteen men, who would give
    // the five away by subtraction from the arm's twenty, shown).
    let (_, counts) = csv_rows(&files["aggregates"]);
    let cell = |arm: &str, variable: &str, level: &str| {
        counts
            .iter()
            .find(|c| c["arm"] == arm && c["variable"] == variable && c["level"] == level)
            .unwrap_or_else(|| panic!("no cell {arm} {variable} {level}"))
            .clone()
    };
    for arm in ["usual", "peer"] {
        assert_eq!(cell(arm, "all", "all")["participants"], PER_ARM.to_string());
        let women = cell(arm, "gender", "woman");
        assert_eq!((women["participants"].as_str(), women["suppressed"].as_str()), ("", "1"));
        let men = cell(arm, "gender", "man");
        assert_eq!((men["participants"].as_str(), men["suppressed"].as_str()), ("", "1"));
        assert_eq!(cell(arm, "gender", "non_binary")["participants"], "0", "zero is shown");
    }
    assert!(
        counts
            .iter()
            .all(|c| c["participants"].parse::<u64>().is_err_and(|_| c["suppressed"] == "1")
                || c["participants"].parse::<u64>().is_ok_and(|n| n == 0 || n >= 11)),
        "no count from 1 to 10 is shown"
    );

    // The Parquet file holds the CSV's rows.
    for table in ["participants", "contacts"] {
        let (status, bytes) = evaluator
            .get_bytes(&format!("/api/v1/studies/{id}/export/{table}?format=parquet"))
            .await;
        assert_eq!(status, 200);
        let (names, rows) = parquet_rows(bytes);
        let (header, csv) = csv_rows(&files[table]);
        assert_eq!(names, header, "{table}: the same columns");
        let mut csv: Vec<Vec<String>> =
            csv.iter().map(|r| header.iter().map(|h| r[h].clone()).collect()).collect();
        // Two reads of the contacts need not return them in the same order.
        let mut rows = rows;
        rows.sort();
        csv.sort();
        assert_eq!(rows, csv, "{table}: the same rows");
    }
    let bad = evaluator.get(&format!("/api/v1/studies/{id}/export/participants?format=xlsx")).await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert_eq!(evaluator.get(&format!("/api/v1/studies/{id}/export/everything")).await.status, 404);

    // The dictionary describes every column of every table, with the codes' labels.
    let dictionary = evaluator.get(&format!("/api/v1/studies/{id}/export-dictionary")).await;
    assert_eq!(dictionary.status, 200, "{}", dictionary.body);
    let tables = dictionary.json();
    let described = |table: &str| -> Vec<Value> {
        tables.as_array().expect("tables").iter().find(|t| t["table"] == table).expect(table)["columns"]
            .as_array()
            .expect("columns")
            .clone()
    };
    let columns = described("participants");
    let names: Vec<&str> = columns.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names, header.iter().map(String::as_str).collect::<Vec<_>>());
    let arm = columns.iter().find(|c| c["name"] == "arm").expect("arm");
    assert_eq!(arm["type"], "code");
    assert!(
        arm["allowed"]
            .as_array()
            .expect("values")
            .iter()
            .any(|v| v["code"] == "peer" && v["label"] == "Peer support")
    );
    let days = columns.iter().find(|c| c["name"] == "admitted_days").expect("days");
    assert_eq!((days["type"].as_str(), days["unit"].as_str()), (Some("number"), Some("days")));
    assert!(columns.iter().all(|c| c["identifier"] == false), "a de-identified export");
    let csv_dictionary =
        evaluator.get(&format!("/api/v1/studies/{id}/export-dictionary?format=csv")).await;
    let (_, entries) = csv_rows(&csv_dictionary.body);
    let contacts_columns = described("contacts").len();
    assert_eq!(entries.iter().filter(|e| e["table"] == "contacts").count(), contacts_columns);

    // Coaches and managers export nothing; each export was audited as one.
    let coach = app.api(world.org, world.coach).await;
    assert_eq!(coach.get(&format!("/api/v1/studies/{id}/export/participants")).await.status, 403);
    let admin = app.api(world.org, world.admin).await;
    let audit = admin.get("/api/v1/audit-events?record_type=study_export&action=export").await;
    assert_eq!(audit.status, 200, "{}", audit.body);
    let events = audit.json();
    let details: Vec<&str> =
        events.as_array().expect("events").iter().filter_map(|e| e["detail"].as_str()).collect();
    assert!(
        details.iter().any(|d| d.starts_with("de-identified export of contacts as csv: 80 rows")),
        "{details:?}"
    );
    assert!(details.iter().any(|d| d.contains("export of participants as parquet")), "{details:?}");

    // The CLI writes the same files, with the same key.
    let dir = tempfile::tempdir().expect("a directory");
    let out = dir.path().display().to_string();
    let run = app.kindred(&[
        "export",
        "study",
        "--study",
        id,
        "--out",
        &out,
        "--format",
        "both",
        "--org",
        world.org,
        "--as",
        world.evaluator,
    ]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let written =
        std::fs::read_to_string(dir.path().join("participants.csv")).expect("participants.csv");
    assert_eq!(written, files["participants"]);
    for name in [
        "contacts.parquet",
        "person_periods.csv",
        "aggregates.parquet",
        "dictionary.csv",
        "dictionary.json",
    ] {
        assert!(dir.path().join(name).is_file(), "{name} written");
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("the directory")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "no half files");
}

async fn an_identified_export_needs_every_participant_s_consent(app: TestApp) {
    let world = app.world().await;
    let seeded = seeded_trial(&app, &world).await;
    let (evaluator, id) = (&seeded.evaluator, &seeded.study);
    let coach = app.api(world.org, world.coach).await;
    let path = format!("/api/v1/studies/{id}/export/participants");
    let terms = json!({"recipient": RECIPIENT, "purpose": "Linking to the state's treatment admissions register"});
    let consent = |recipient: &str, disclose: &[&str]| json!({"disclose": disclose, "recipient": recipient, "purpose": "evaluation", "expires_on": "2099-12-31"});
    let everything = ["contact_details", "participation", "assessments"];

    let refused = evaluator.post(&path, terms.clone()).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("40 of 40 have none"), "{}", refused.body);

    // The results page offers the same files, and the identified form says why it refuses.
    let mut browser = app.browser();
    browser.sign_in(world.org, world.evaluator, crate::support::PASSWORD).await;
    let page = browser.get(&format!("/studies/{id}/results")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains(&format!("/studies/{id}/export/person_periods?format=parquet")),
        "no links"
    );
    let download = browser.get(&format!("/studies/{id}/export/participants?format=csv")).await;
    assert_eq!(download.status, 200);
    let api_file = evaluator.get(&format!("/api/v1/studies/{id}/export/participants")).await;
    assert_eq!(download.body, api_file.body, "the page's file is the API's");
    let dictionary = browser.get(&format!("/studies/{id}/export-dictionary?format=csv")).await;
    assert!(dictionary.body.starts_with("table,name,label,type"), "{}", dictionary.body);
    let form = [
        ("table", "participants"),
        ("format", "csv"),
        ("recipient", RECIPIENT),
        ("purpose", "Linking to the state's treatment admissions register"),
    ];
    let refused_page = browser.submit(&format!("/studies/{id}/export"), &form).await;
    assert_eq!(refused_page.status, 403, "{}", refused_page.body);
    assert!(refused_page.body.contains("40 of 40 have none"), "{}", refused_page.body);
    let forged = browser.post_raw(&format!("/studies/{id}/export"), &form).await;
    assert_eq!(forged.status, 403, "no CSRF token, no export");
    // Consents that do not cover it: another recipient, too little disclosed.
    let (first, _) = &seeded.people[0];
    let consents = format!("/api/v1/participants/{first}/consents");
    assert_eq!(coach.post(&consents, consent("Another University", &everything)).await.status, 201);
    assert_eq!(coach.post(&consents, consent(RECIPIENT, &["participation"])).await.status, 201);
    let refused = evaluator.post(&path, terms.clone()).await;
    assert!(refused.body.contains("40 of 40 have none"), "{}", refused.body);
    let mut recorded = Vec::new();
    for (participant, _) in &seeded.people {
        let reply = coach
            .post(
                &format!("/api/v1/participants/{participant}/consents"),
                consent(RECIPIENT, &everything),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        recorded
            .push((participant.clone(), reply.json()["id"].as_str().expect("an id").to_owned()));
    }
    let short = evaluator.post(&path, json!({"recipient": RECIPIENT, "purpose": "why"})).await;
    assert_eq!(short.status, 422, "a purpose is recorded: {}", short.body);
    let exported = evaluator.post(&path, terms.clone()).await;
    assert_eq!(exported.status, 200, "{}", exported.body);
    let (header, rows) = csv_rows(&exported.body);
    for column in ["participant_id", "reference", "given_name", "family_name", "date_of_birth"] {
        assert!(header.iter().any(|h| h == column), "no {column}");
    }
    assert!(!header.iter().any(|h| h == "pseudonym"));
    assert!(rows.iter().any(|r| r["given_name"] == given(0)));
    assert!(rows.iter().all(|r| date(&r["enrolled_on"]) == seeded.enrolled_on), "real dates");
    assert!(!exported.body.contains("Tobiah"), "never a note");

    // One consent revoked: refused again, naming how many.
    let (participant, consent_id) = &recorded[3];
    let revoke = format!("/api/v1/participants/{participant}/consents/{consent_id}/revoke");
    assert_eq!(coach.post(&revoke, json!({"reason": "changed their mind"})).await.status, 200);
    let refused = evaluator.post(&path, terms).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("1 of 40 have none"), "{}", refused.body);

    let admin = app.api(world.org, world.admin).await;
    let audit =
        admin.get("/api/v1/audit-events?record_type=study_export&action=export").await.json();
    let details: Vec<&str> =
        audit.as_array().expect("events").iter().filter_map(|e| e["detail"].as_str()).collect();
    let identified: Vec<&&str> = details.iter().filter(|d| d.starts_with("identified")).collect();
    assert_eq!(identified.len(), 1, "only the identified export that happened: {details:?}");
    assert!(identified[0].starts_with("identified export of participants as csv: 40 rows"));
    assert!(identified[0].contains(RECIPIENT) && identified[0].contains("admissions register"));
}
