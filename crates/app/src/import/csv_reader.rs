//! Reading a spreadsheet saved as CSV, one row at a time: the header is matched to Kindred's
//! fields (by name, or through a [`ColumnMapping`]), then each row yields its cells by field.
//! An assessments sheet also has a column per instrument item, whose names only the row's
//! instrument can check: those columns are kept as items, for the row to judge.
//! Nothing holds more than one row, so a 200 000-row file costs what one row costs.

use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::Arc;

use super::mapping::ColumnMapping;
use super::report::Problem;
use super::{Field, ImportKind};

/// A spreadsheet that can be read more than once (an import checks every row, then reads the
/// file again to write): a file on disk, or an upload held in memory (size-limited).
#[derive(Debug, Clone)]
pub enum CsvSource {
    File(PathBuf),
    Bytes(Arc<[u8]>),
}

impl CsvSource {
    fn open(&self) -> io::Result<Box<dyn Read + Send + Sync>> {
        Ok(match self {
            CsvSource::File(path) => Box::new(io::BufReader::new(std::fs::File::open(path)?)),
            CsvSource::Bytes(bytes) => Box::new(io::Cursor::new(Arc::clone(bytes))),
        })
    }

    /// How many bytes the file holds (for a progress bar), if known.
    pub fn size(&self) -> Option<u64> {
        match self {
            CsvSource::File(path) => std::fs::metadata(path).ok().map(|m| m.len()),
            CsvSource::Bytes(bytes) => Some(bytes.len() as u64),
        }
    }
}

/// One data row: its number in the spreadsheet (the header is row 1) and its cells by field,
/// trimmed, blank cells as `None`.
#[derive(Debug)]
pub(crate) struct Row {
    pub number: u64,
    fields: &'static [Field],
    cells: Vec<Option<String>>,
    /// The item columns' cells that are not blank: item id and answer, in column order.
    pub items: Vec<(String, String)>,
}

impl Row {
    /// The cell for `field`, if the file has that column and the cell is not blank.
    pub(crate) fn get(&self, field: &str) -> Option<&str> {
        let index = self.fields.iter().position(|f| f.name == field)?;
        self.cells.get(index)?.as_deref()
    }

    /// The answer in an item column, if the file has that column and the cell is not blank.
    pub(crate) fn item(&self, item: &str) -> Option<&str> {
        self.items.iter().find(|(id, _)| id == item).map(|(_, answer)| answer.as_str())
    }
}

/// What a column of the file fills: a field (by index), or an instrument item (by index
/// into the item columns).
#[derive(Debug, Clone, Copy)]
enum Column {
    Field(usize),
    Item(usize),
}

/// An open spreadsheet, positioned after its header.
pub(crate) struct Table {
    reader: csv::Reader<Box<dyn Read + Send + Sync>>,
    fields: &'static [Field],
    /// For each column of the file, what it fills (`None`: left out).
    columns: Vec<Option<Column>>,
    /// For each field, the heading of the column that fills it.
    headings: Vec<Option<String>>,
    /// The item columns: item id and heading.
    items: Vec<(String, String)>,
    record: csv::ByteRecord,
    rows_read: u64,
    done: bool,
}

impl Table {
    /// Opens the file and matches its header; every problem with the header is returned
    /// (an unknown heading, a field given twice, a required field missing).
    pub(crate) fn open(
        source: &CsvSource,
        kind: ImportKind,
        mapping: Option<&ColumnMapping>,
    ) -> Result<Self, Vec<Problem>> {
        let input = source.open().map_err(|e| vec![Problem::file(unreadable(&e))])?;
        let mut reader =
            csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(input);
        let fields = kind.fields();
        let mut header = csv::ByteRecord::new();
        match reader.read_byte_record(&mut header) {
            Ok(true) => {}
            Ok(false) => {
                return Err(vec![Problem::file("the file is empty: it needs a header row")]);
            }
            Err(e) => return Err(vec![Problem::file(unreadable(&e))]),
        }
        let mut problems = Vec::new();
        let mut columns = Vec::new();
        let mut headings: Vec<Option<String>> = vec![None; fields.len()];
        let mut items: Vec<(String, String)> = Vec::new();
        for cell in header.iter() {
            let heading =
                String::from_utf8_lossy(cell).trim().trim_start_matches('\u{feff}').to_owned();
            let field = match mapping.and_then(|m| m.for_heading(&heading)) {
                Some(None) => None,
                // One mapping may serve a program's participant and contact sheets alike, so
                // only a heading this file has is held to this kind's fields.
                Some(Some(name)) => match fields.iter().position(|f| f.name == name) {
                    Some(index) => Some(Column::Field(index)),
                    None if kind.has_item_columns() => Some(Column::Item(items.len())),
                    None => {
                        let reason =
                            format!("is mapped to {name}, which is not a field of {}", kind.code());
                        problems.push(heading_problem(&heading, reason));
                        None
                    }
                },
                None if heading.is_empty() => None,
                None => match fields.iter().position(|f| f.name == field_name(&heading)) {
                    Some(index) => Some(Column::Field(index)),
                    None if kind.has_item_columns() => Some(Column::Item(items.len())),
                    None => {
                        problems.push(heading_problem(&heading, unknown_heading(kind)));
                        None
                    }
                },
            };
            let field = match field {
                Some(Column::Field(index)) => match &headings[index] {
                    Some(first) => {
                        let reason =
                            format!("fills {} like the column \"{first}\"", fields[index].name);
                        problems.push(heading_problem(&heading, reason));
                        None
                    }
                    None => {
                        headings[index] = Some(heading);
                        field
                    }
                },
                Some(Column::Item(_)) => {
                    let item = match mapping.and_then(|m| m.for_heading(&heading)) {
                        Some(Some(name)) => name.to_owned(),
                        _ => field_name(&heading),
                    };
                    match items.iter().find(|(id, _)| *id == item) {
                        Some((_, first)) => {
                            let reason = format!("answers {item} like the column \"{first}\"");
                            problems.push(heading_problem(&heading, reason));
                            None
                        }
                        None => {
                            items.push((item, heading));
                            field
                        }
                    }
                }
                None => None,
            };
            columns.push(field);
        }
        for (field, heading) in fields.iter().zip(&headings) {
            if field.required && heading.is_none() {
                problems.push(Problem {
                    row: Some(1),
                    column: Some(field.name.to_owned()),
                    value: None,
                    reason: "is required, and no column gives it".into(),
                });
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let record = csv::ByteRecord::new();
        Ok(Self { reader, fields, columns, headings, items, record, rows_read: 0, done: false })
    }

    /// The spreadsheet's heading for `field` or item (what a problem names), or the field's
    /// own name.
    pub(crate) fn heading<'a>(&'a self, field: &'a str) -> &'a str {
        let item = || self.items.iter().find(|(id, _)| id == field).map(|(_, h)| h.as_str());
        self.fields
            .iter()
            .position(|f| f.name == field)
            .and_then(|i| self.headings[i].as_deref())
            .or_else(item)
            .unwrap_or(field)
    }

    /// Bytes read so far.
    pub(crate) fn position(&self) -> u64 {
        self.reader.position().byte()
    }

    /// The next row that has anything in it (wholly blank rows, which spreadsheets export at
    /// the end, are skipped), or the problem that stops this row being read.
    pub(crate) fn next_row(&mut self) -> Option<Result<Row, Problem>> {
        loop {
            if self.done {
                return None;
            }
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Ok(true) => {}
                Err(e) => {
                    // The reader cannot be trusted past a read error: stop here.
                    self.done = true;
                    return Some(Err(Problem::file(unreadable(&e))));
                }
            }
            self.rows_read += 1;
            let number = self.rows_read + 1;
            if self.record.iter().all(|cell| cell.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            return Some(self.cells(number));
        }
    }

    fn cells(&self, number: u64) -> Result<Row, Problem> {
        if self.record.len() > self.columns.len() {
            return Err(Problem {
                row: Some(number),
                column: None,
                value: None,
                reason: format!(
                    "has {} cells but the header has {} columns",
                    self.record.len(),
                    self.columns.len()
                ),
            });
        }
        let mut cells: Vec<Option<String>> = vec![None; self.fields.len()];
        let mut items = Vec::new();
        for (cell, column) in self.record.iter().zip(&self.columns) {
            let Some(column) = *column else { continue };
            let heading = match column {
                Column::Field(index) => self.headings[index].clone(),
                Column::Item(index) => Some(self.items[index].1.clone()),
            };
            let text = std::str::from_utf8(cell).map_err(|_| Problem {
                row: Some(number),
                column: heading,
                value: None,
                reason: "is not UTF-8 text: save the spreadsheet as \"CSV UTF-8\"".into(),
            })?;
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            match column {
                Column::Field(index) => cells[index] = Some(text.to_owned()),
                Column::Item(index) => items.push((self.items[index].0.clone(), text.to_owned())),
            }
        }
        Ok(Row { number, fields: self.fields, cells, items })
    }
}

/// A heading as a field name: "Referral source" and "referral-source" are `referral_source`.
fn field_name(heading: &str) -> String {
    heading
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

fn heading_problem(heading: &str, reason: String) -> Problem {
    Problem { row: Some(1), column: Some(heading.to_owned()), value: None, reason }
}

fn unknown_heading(kind: ImportKind) -> String {
    let names: Vec<&str> = kind.fields().iter().map(|f| f.name).collect();
    format!(
        "is not a field of {}: name the column after one ({}), or map it in a column mapping (to null to leave it out)",
        kind.code(),
        names.join(", ")
    )
}

fn unreadable(error: &dyn std::fmt::Display) -> String {
    format!("the file cannot be read as CSV ({error})")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn source(text: &[u8]) -> CsvSource {
        CsvSource::Bytes(Arc::from(text))
    }

    /// Every row of the file, or every problem with its header.
    fn read_all(text: &[u8], kind: ImportKind) -> Result<Vec<Result<Row, Problem>>, Vec<Problem>> {
        let mut table = Table::open(&source(text), kind, None)?;
        Ok(std::iter::from_fn(|| table.next_row()).collect())
    }

    #[test]
    fn rows_are_numbered_as_the_spreadsheet_shows_them() {
        let text = "participant_reference,Note,mode,occurred_at,support_kinds\n\
                    R-1,\"two\nlines\",phone,2025-01-01,emotional\n,,,,\nR-2,,text,2025-01-02,emotional\n";
        let rows = read_all(text.as_bytes(), ImportKind::Contacts).expect("a header");
        let rows: Vec<Row> = rows.into_iter().map(|r| r.expect("a row")).collect();
        // A cell with a line break is one row; the blank row is skipped but still counted.
        assert_eq!(rows.iter().map(|r| r.number).collect::<Vec<_>>(), [2, 4]);
        assert_eq!(rows[0].get("note"), Some("two\nlines"));
        assert_eq!(rows[1].get("note"), None);
    }

    #[test]
    fn an_unknown_heading_and_a_missing_required_field_are_reported_on_row_1() {
        let problems = read_all(b"reference,nickname\n", ImportKind::Participants)
            .expect_err("header problems");
        assert!(
            problems[0]
                .to_string()
                .starts_with("row 1, column nickname: is not a field of participants")
        );
        assert!(problems.iter().any(|p| p.column.as_deref() == Some("given_name")));
    }

    #[test]
    fn a_cell_that_is_not_utf8_names_its_row_and_column() {
        let text = b"participant_reference,note,occurred_at,mode,support_kinds\nR-1,caf\xe9,,,\n";
        let rows = read_all(text, ImportKind::Contacts).expect("a header");
        let problem = rows[0].as_ref().expect_err("a problem");
        assert_eq!((problem.row, problem.column.as_deref()), (Some(2), Some("note")));
    }

    #[test]
    fn an_assessments_sheet_keeps_its_other_columns_as_items() {
        let text = "participant_reference,instrument,administered_on,PHQ9 1,phq9_2\n\
                    R-1,phq-9,2025-01-01,2,\n";
        let rows = read_all(text.as_bytes(), ImportKind::Assessments).expect("a header");
        let row = rows.into_iter().next().expect("a row").expect("cells");
        assert_eq!(row.items, [("phq9_1".to_owned(), "2".to_owned())], "blank answers left out");
        let twice = "participant_reference,instrument,administered_on,phq9_1,PHQ9-1\n";
        let problems =
            read_all(twice.as_bytes(), ImportKind::Assessments).expect_err("a repeated item");
        assert_eq!(problems[0].column.as_deref(), Some("PHQ9-1"));
        assert!(problems[0].reason.starts_with("answers phq9_1 like the column"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// No input makes the reader panic, loop or number rows out of order.
        #[test]
        fn any_bytes_are_read_without_panic(body in proptest::collection::vec(any::<u8>(), 0..600)) {
            for kind in ImportKind::ALL {
                if let Ok(rows) = read_all(&body, kind) {
                    let numbers: Vec<u64> = rows.iter().filter_map(|r| r.as_ref().ok()).map(|r| r.number).collect();
                    prop_assert!(numbers.windows(2).all(|w| w[0] < w[1]));
                    prop_assert!(numbers.iter().all(|n| *n >= 2));
                }
            }
        }

        /// CSV-shaped text after a valid header: quotes, separators and line breaks anywhere.
        #[test]
        fn csv_shaped_rows_are_read_without_panic(body in "[a-z0-9,\"\r\n ;|é-]{0,400}") {
            let text = format!("participant_reference,occurred_at,mode,support_kinds\n{body}");
            let rows = read_all(text.as_bytes(), ImportKind::Contacts);
            prop_assert!(rows.is_ok());
        }
    }
}
