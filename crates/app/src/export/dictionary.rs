//! The data dictionary of a study's export: every column of every table — name, label, type,
//! allowed values with their labels, unit, how it is derived, and whether it identifies —
//! as CSV (one row per column); the API serves it as JSON too.

use super::StudyTable;
use super::table::{Column, ColumnType};

/// One table's columns.
#[derive(Debug, Clone, PartialEq)]
pub struct TableDictionary {
    pub table: &'static str,
    pub title: &'static str,
    pub columns: Vec<Column>,
}

impl TableDictionary {
    pub fn new(table: StudyTable, columns: Vec<Column>) -> Self {
        Self { table: table.code(), title: table.title(), columns }
    }
}

/// The dictionary as CSV: one row per column of each table.
pub fn dictionary_csv(tables: &[TableDictionary]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header =
        ["table", "name", "label", "type", "allowed_values", "unit", "derivation", "identifier"];
    // Writing to a Vec cannot fail.
    let _ = writer.write_record(header);
    for table in tables {
        for column in &table.columns {
            let allowed = match column.kind {
                ColumnType::Code | ColumnType::Boolean => column
                    .allowed
                    .iter()
                    .map(|v| format!("{}, {}", v.code, v.label))
                    .collect::<Vec<_>>()
                    .join(" | "),
                _ => String::new(),
            };
            let _ = writer.write_record([
                table.table,
                &column.name,
                &column.label,
                column.kind.code(),
                &allowed,
                column.unit.unwrap_or(""),
                &column.derivation,
                if column.identifier { "1" } else { "0" },
            ]);
        }
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}
