//! A study's export as a REDCap project (issue 13, item 4), on both databases: the data
//! dictionary follows REDCap's rules (its 18 columns; field names in lower case, starting with
//! a letter, at most 26 characters, unique; the record id first; each form's fields together;
//! dropdown choices as `code, label | …`; REDCap's field types and validations; identifiers
//! flagged), and the longitudinal records file holds one row per record and event, each
//! filling only its event's form with values its fields accept.

use std::collections::{BTreeMap, BTreeSet};

use kindred_app::export::{REDCAP_DICTIONARY_HEADER, REDCAP_MAX_FIELD_NAME};
use time::Date;

use crate::study_export::{csv_rows, seeded_trial};
use crate::support::{TestApp, on_both_backends};

on_both_backends!(the_redcap_project_follows_redcap_s_rules);

fn is_field_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= REDCAP_MAX_FIELD_NAME
}

/// A dropdown's choices: `code, label | code, label`, codes of letters, digits and `_`.
fn choices(text: &str) -> Vec<String> {
    text.split(" | ")
        .map(|choice| {
            let (code, label) = choice.split_once(", ").unwrap_or_else(|| panic!("{choice:?}"));
            assert!(
                !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "choice code {code:?}"
            );
            assert!(!label.trim().is_empty(), "choice {code} has no label");
            code.to_owned()
        })
        .collect()
}

async fn the_redcap_project_follows_redcap_s_rules(app: TestApp) {
    let world = app.world().await;
    let seeded = seeded_trial(&app, &world).await;
    let (evaluator, id) = (&seeded.evaluator, &seeded.study);
    let file = |name: &'static str| {
        let path = format!("/api/v1/studies/{id}/redcap/{name}");
        async move {
            let reply = evaluator.get(&path).await;
            assert_eq!(reply.status, 200, "{name}: {}", reply.body);
            reply.body
        }
    };
    let dictionary = file("data_dictionary").await;
    let mut reader = csv::Reader::from_reader(dictionary.as_bytes());
    let header: Vec<String> =
        reader.headers().expect("a header").iter().map(str::to_owned).collect();
    assert_eq!(header, REDCAP_DICTIONARY_HEADER, "REDCap's 18 columns, in order");
    let fields: Vec<Vec<String>> =
        reader.records().map(|r| r.expect("a row").iter().map(str::to_owned).collect()).collect();
    assert_eq!(fields[0][0], "record_id", "the record id comes first");
    let mut names = BTreeSet::new();
    let mut forms_seen: Vec<&str> = Vec::new();
    // field name → (form, type, validation, choices)
    let mut described: BTreeMap<&str, (&str, &str, &str, Vec<String>)> = BTreeMap::new();
    for field in &fields {
        assert_eq!(field.len(), 18);
        let (name, form, kind, label, validation) =
            (field[0].as_str(), field[1].as_str(), field[3].as_str(), &field[4], field[7].as_str());
        assert!(is_field_name(name), "field name {name:?}");
        assert!(names.insert(name), "{name} twice");
        assert!(is_field_name(form), "form name {form:?}");
        if forms_seen.last() != Some(&form) {
            assert!(!forms_seen.contains(&form), "the {form} form's fields are not together");
            forms_seen.push(form);
        }
        assert!(["text", "dropdown", "yesno", "notes"].contains(&kind), "{name}: type {kind}");
        assert!(
            ["", "integer", "number", "date_ymd"].contains(&validation),
            "{name}: {validation}"
        );
        assert!(!label.is_empty(), "{name} has no label");
        assert!(["", "y"].contains(&field[10].as_str()), "{name}: identifier {:?}", field[10]);
        assert_eq!(field[10], "", "a de-identified project flags no identifier");
        let codes = if kind == "dropdown" { choices(&field[5]) } else { Vec::new() };
        if kind != "dropdown" {
            assert_eq!(field[5], "", "{name}: choices on a {kind} field");
        }
        described.insert(name, (form, kind, validation, codes));
    }
    assert_eq!(forms_seen, ["participant", "follow_up"]);
    let arm = &described["arm"];
    assert_eq!((arm.1, arm.3.clone()), ("dropdown", vec!["usual".to_owned(), "peer".to_owned()]));
    assert_eq!(described["admitted_30d"].1, "yesno");
    assert_eq!(described["enrolled_on"].2, "date_ymd");

    // Events and designations: an enrolment event and one per time point, on arm 1.
    let (_, events) = csv_rows(&file("events").await);
    let unique: BTreeSet<String> = events
        .iter()
        .map(|e| {
            assert!(e["event_name"].len() <= 18 && is_field_name(&e["event_name"]), "{e:?}");
            assert_eq!(e["unique_event_name"], format!("{}_arm_1", e["event_name"]));
            e["unique_event_name"].clone()
        })
        .collect();
    assert!(unique.contains("enrolment_arm_1") && unique.len() > 2, "{unique:?}");
    let (_, designations) = csv_rows(&file("instrument_designations").await);
    let form_of: BTreeMap<&str, &str> = designations
        .iter()
        .map(|d| (d["unique_event_name"].as_str(), d["form"].as_str()))
        .collect();
    assert_eq!(form_of.len(), unique.len(), "every event has its form");

    // Records: the dictionary's fields; each row fills only its event's form, validly.
    let records = file("records").await;
    let (columns, rows) = csv_rows(&records);
    assert_eq!(columns[..2], ["record_id", "redcap_event_name"]);
    for column in &columns[2..] {
        assert!(described.contains_key(column.as_str()), "{column} is not in the dictionary");
    }
    let enrolments = rows.iter().filter(|r| r["redcap_event_name"] == "enrolment_arm_1").count();
    assert_eq!(enrolments, 40, "one enrolment row per participant");
    let (_, periods) =
        csv_rows(&evaluator.get(&format!("/api/v1/studies/{id}/export/person_periods")).await.body);
    assert_eq!(rows.len() - enrolments, periods.len(), "one row per participant and time point");
    for row in &rows {
        let event = row["redcap_event_name"].as_str();
        let form = form_of.get(event).unwrap_or_else(|| panic!("unknown event {event}"));
        assert!(row["record_id"].starts_with('P'), "a pseudonym: {row:?}");
        for (name, value) in row.iter().filter(|(n, v)| {
            !v.is_empty() && n.as_str() != "record_id" && n.as_str() != "redcap_event_name"
        }) {
            let (field_form, kind, validation, codes) = &described[name.as_str()];
            assert_eq!(field_form, form, "{name} filled on the {event} event");
            let valid = match (*kind, *validation) {
                ("yesno", _) => value == "0" || value == "1",
                ("dropdown", _) => codes.contains(value),
                (_, "integer") => value.parse::<i64>().is_ok(),
                (_, "number") => value.parse::<f64>().is_ok(),
                (_, "date_ymd") => {
                    Date::parse(value, &time::format_description::well_known::Iso8601::DATE).is_ok()
                }
                _ => true,
            };
            assert!(valid, "{name} = {value:?} is not a valid {kind} {validation}");
        }
    }
    // The same pseudonyms as the CSV tables.
    let people = evaluator.get(&format!("/api/v1/studies/{id}/export/participants")).await.body;
    let (_, people) = csv_rows(&people);
    let pseudonyms: BTreeSet<&str> = people.iter().map(|p| p["pseudonym"].as_str()).collect();
    assert!(rows.iter().all(|r| pseudonyms.contains(r["record_id"].as_str())));
    assert_eq!(evaluator.get(&format!("/api/v1/studies/{id}/redcap/everything")).await.status, 404);
}
