//! The study's export as a REDCap project: a data dictionary in REDCap's 18-column format, the
//! events and the instrument–event designations of a longitudinal project, and a records file
//! its Data Import Tool accepts — one row per record and event (`redcap_event_name`): the
//! participants table on an `enrolment` event, the person-period table on one event per time
//! point. The same pseudonyms, shifted dates and values as the CSV tables.
//!
//! REDCap's rules, which the tests check: a field name is lower case letters, digits and `_`,
//! starts with a letter and has at most 26 characters (longer names are shortened, uniquely,
//! with the Kindred column named in the field note); the first field is the record id; coded
//! fields are dropdowns with `code, label | …` choices; yes/no fields are REDCap's `yesno`
//! (1/0); numbers, integers and dates carry REDCap's validation; identifiers are flagged `y`.

use std::collections::BTreeSet;

use super::context::{ExportContext, suffix};
use super::person::participants_table;
use super::person_period::person_period_table;
use super::table::{Column, ColumnType, Value};

/// REDCap's longest recommended field name.
pub const MAX_FIELD_NAME: usize = 26;
/// Event names are kept this short, so REDCap's unique names are these plus `_arm_1`.
const MAX_EVENT_NAME: usize = 18;
const RECORD_ID: &str = "record_id";
const PARTICIPANT_FORM: &str = "participant";
const FOLLOW_UP_FORM: &str = "follow_up";
const ENROLMENT_EVENT: &str = "enrolment";

/// The dictionary's header, REDCap's 18 columns in its order.
pub const DICTIONARY_HEADER: [&str; 18] = [
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
];

/// A REDCap project's files, as CSV text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedcapFiles {
    pub data_dictionary: String,
    /// `event_name,arm_num,day_offset,offset_min,offset_max,unique_event_name,custom_event_label`
    pub events: String,
    /// `arm_num,unique_event_name,form`
    pub instrument_designations: String,
    pub records: String,
    /// Rows of `records` (one per record and event).
    pub record_rows: usize,
    /// Fields of the dictionary, the record id included.
    pub fields: usize,
}

/// One field: the Kindred column it carries and its REDCap name.
struct Field<'a> {
    name: String,
    column: &'a Column,
    form: &'static str,
}

/// The study's REDCap files.
pub(crate) fn redcap_files(ctx: &ExportContext<'_>) -> RedcapFiles {
    let (person_columns, person_rows) = participants_table(ctx);
    let (period_columns, period_rows) = person_period_table(ctx);
    let identifiers = ctx.subjects.columns.len();
    let mut used = BTreeSet::from([RECORD_ID.to_owned()]);
    // The record id carries the first identifier column (the pseudonym, or the record id).
    let person_fields: Vec<Field<'_>> = person_columns
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 0)
        .map(|(_, column)| Field {
            name: field_name(&column.name, &mut used),
            column,
            form: PARTICIPANT_FORM,
        })
        .collect();
    // The follow-up form leaves out who (the record id) and the arm (on the participant
    // form) and the time point (the event says it).
    let skipped = ["arm", "time_point", "time_point_label", "position"];
    let period_fields: Vec<(usize, Field<'_>)> = period_columns
        .iter()
        .enumerate()
        .skip(identifiers)
        .filter(|(_, c)| !skipped.contains(&c.name.as_str()))
        .map(|(i, column)| {
            (i, Field { name: field_name(&column.name, &mut used), column, form: FOLLOW_UP_FORM })
        })
        .collect();

    let mut dictionary = csv::Writer::from_writer(Vec::new());
    write(&mut dictionary, DICTIONARY_HEADER);
    let record = &person_columns[0];
    write(&mut dictionary, dictionary_row(RECORD_ID, PARTICIPANT_FORM, record));
    for field in person_fields.iter().chain(period_fields.iter().map(|(_, f)| f)) {
        write(&mut dictionary, dictionary_row(&field.name, field.form, field.column));
    }

    // The time points' events, in schedule order, named so REDCap keeps the names.
    // (position, code, label, target day, days before it the window opens, after it closes)
    let mut points: Vec<(i64, String, String, i64, i64, i64)> = Vec::new();
    let position = period_columns.iter().position(|c| c.name == "position");
    let code = period_columns.iter().position(|c| c.name == "time_point");
    let label = period_columns.iter().position(|c| c.name == "time_point_label");
    let target = period_columns.iter().position(|c| c.name == "target_day");
    let opens = period_columns.iter().position(|c| c.name == "window_opens_day");
    let closes = period_columns.iter().position(|c| c.name == "window_closes_day");
    for row in &period_rows {
        let text = |i: Option<usize>| {
            i.and_then(|i| match &row[i] {
                Value::Text(t) => Some(t.clone()),
                _ => None,
            })
        };
        let number = |i: Option<usize>| {
            i.and_then(|i| match &row[i] {
                Value::Integer(n) => Some(*n),
                _ => None,
            })
        };
        let (Some(code), Some(label)) = (text(code), text(label)) else { continue };
        if !points.iter().any(|p| p.1 == code) {
            let day = number(target).unwrap_or(0);
            let before = day - number(opens).unwrap_or(day);
            let after = number(closes).unwrap_or(day) - day;
            points.push((number(position).unwrap_or(0), code, label, day, before, after));
        }
    }
    points.sort();
    let mut event_names = BTreeSet::from([ENROLMENT_EVENT.to_owned()]);
    let events: Vec<(String, String, String, [i64; 3])> = points
        .into_iter()
        .map(|(_, code, label, day, before, after)| {
            let name = event_name(&code, &mut event_names);
            let unique = format!("{name}_arm_1");
            (code, label, unique, [day, before, after])
        })
        .collect();
    let mut events_csv = csv::Writer::from_writer(Vec::new());
    write(
        &mut events_csv,
        [
            "event_name",
            "arm_num",
            "day_offset",
            "offset_min",
            "offset_max",
            "unique_event_name",
            "custom_event_label",
        ],
    );
    write(
        &mut events_csv,
        [ENROLMENT_EVENT, "1", "0", "0", "0", &format!("{ENROLMENT_EVENT}_arm_1"), "Enrolment"],
    );
    for (_, label, unique, [day, before, after]) in &events {
        let name = unique.trim_end_matches("_arm_1");
        let [day, before, after] = [day, before, after].map(i64::to_string);
        write(&mut events_csv, [name, "1", &day, &before, &after, unique, label]);
    }
    let mut designations = csv::Writer::from_writer(Vec::new());
    write(&mut designations, ["arm_num", "unique_event_name", "form"]);
    write(&mut designations, ["1", &format!("{ENROLMENT_EVENT}_arm_1"), PARTICIPANT_FORM]);
    for (_, _, unique, _) in &events {
        write(&mut designations, ["1", unique.as_str(), FOLLOW_UP_FORM]);
    }

    // Records: every field in the header; each row fills its own form's fields.
    let mut records = csv::Writer::from_writer(Vec::new());
    let mut header = vec![RECORD_ID.to_owned(), "redcap_event_name".to_owned()];
    header.extend(person_fields.iter().map(|f| f.name.clone()));
    header.extend(period_fields.iter().map(|(_, f)| f.name.clone()));
    write(&mut records, &header);
    let mut record_rows = 0;
    let blank_period = vec![String::new(); period_fields.len()];
    for row in &person_rows {
        let mut line = vec![row[0].to_csv(), format!("{ENROLMENT_EVENT}_arm_1")];
        line.extend(row.iter().skip(1).map(Value::to_csv));
        line.extend(blank_period.iter().cloned());
        write(&mut records, &line);
        record_rows += 1;
    }
    let blank_person = vec![String::new(); person_fields.len()];
    for row in &period_rows {
        let Some(event) = code.and_then(|i| match &row[i] {
            Value::Text(t) => events.iter().find(|e| e.0 == *t),
            _ => None,
        }) else {
            continue;
        };
        let mut line = vec![row[0].to_csv(), event.2.clone()];
        line.extend(blank_person.iter().cloned());
        line.extend(period_fields.iter().map(|(i, _)| row[*i].to_csv()));
        write(&mut records, &line);
        record_rows += 1;
    }
    RedcapFiles {
        data_dictionary: text(dictionary),
        events: text(events_csv),
        instrument_designations: text(designations),
        records: text(records),
        record_rows,
        fields: 1 + person_fields.len() + period_fields.len(),
    }
}

/// A dictionary row for `column` as field `name` on `form`.
fn dictionary_row(name: &str, form: &str, column: &Column) -> [String; 18] {
    let (field_type, validation) = match column.kind {
        ColumnType::Integer => ("text", "integer"),
        ColumnType::Number => ("text", "number"),
        ColumnType::Date => ("text", "date_ymd"),
        ColumnType::Boolean => ("yesno", ""),
        ColumnType::Code if !column.allowed.is_empty() => ("dropdown", ""),
        ColumnType::Code | ColumnType::Text => ("text", ""),
    };
    let choices = if field_type == "dropdown" {
        column
            .allowed
            .iter()
            .map(|v| format!("{}, {}", v.code, v.label.replace('|', "/")))
            .collect::<Vec<_>>()
            .join(" | ")
    } else {
        String::new()
    };
    let unit = column.unit.map_or_else(String::new, |u| format!(" ({u})"));
    let note = format!("Kindred column {}{unit}: {}", column.name, column.derivation);
    let mut row: [String; 18] = Default::default();
    row[0] = name.to_owned();
    row[1] = form.to_owned();
    row[3] = field_type.to_owned();
    row[4] = column.label.clone();
    row[5] = choices;
    row[6] = note;
    row[7] = validation.to_owned();
    row[10] = if column.identifier { "y" } else { "" }.to_owned();
    row
}

/// A REDCap field name for a column: its name if that follows the rules, else shortened and
/// made unique with a number.
fn field_name(column: &str, used: &mut BTreeSet<String>) -> String {
    unique(&suffix(column), MAX_FIELD_NAME, "f_", used)
}

fn event_name(code: &str, used: &mut BTreeSet<String>) -> String {
    unique(&suffix(code), MAX_EVENT_NAME, "tp_", used)
}

/// `name` starting with a letter (else after `prefix`), at most `max` long, not in `used`.
fn unique(name: &str, max: usize, prefix: &str, used: &mut BTreeSet<String>) -> String {
    let mut base = name.trim_matches('_').to_owned();
    if !base.starts_with(|c: char| c.is_ascii_lowercase()) {
        base.insert_str(0, prefix);
    }
    let mut candidate: String = base.chars().take(max).collect();
    let mut n = 2;
    while used.contains(&candidate) {
        let tail = format!("_{n}");
        candidate = format!("{}{tail}", base.chars().take(max - tail.len()).collect::<String>());
        n += 1;
    }
    used.insert(candidate.clone());
    candidate
}

fn write<I, T>(writer: &mut csv::Writer<Vec<u8>>, record: I)
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    // Writing to memory cannot fail.
    let _ = writer.write_record(record);
}

fn text(writer: csv::Writer<Vec<u8>>) -> String {
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_shortened_uniquely_and_start_with_a_letter() {
        let mut used = BTreeSet::new();
        let a = field_name("psychiatric_rehospitalisation_days", &mut used);
        let b = field_name("psychiatric_rehospitalisation_event", &mut used);
        assert_eq!(a, "psychiatric_rehospitalisat");
        assert_eq!(b, "psychiatric_rehospitalis_2");
        assert_eq!(field_name("6m_score", &mut used), "f_6m_score");
        assert!(used.iter().all(|n| n.len() <= MAX_FIELD_NAME));
    }
}
