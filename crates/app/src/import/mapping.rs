//! A saved column mapping: which Kindred field each column of someone else's spreadsheet
//! fills. Programs keep their own spreadsheets with their own headings ("Client ID",
//! "Date seen"); a mapping, written once and kept beside the file, lets the same sheet be
//! imported every month without renaming its columns.
//!
//! The file is a JSON object from heading to field, `null` for a column to leave out:
//! `{"Client ID": "reference", "First name": "given_name", "Notes": null}`. Headings are matched
//! trimmed and in any case; columns the mapping does not name are matched by field name.

use std::collections::HashMap;

/// Heading (trimmed, lower case) → the field it fills, or `None` to leave the column out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMapping {
    columns: HashMap<String, Option<String>>,
}

impl ColumnMapping {
    /// Reads a mapping file, saying what is wrong with it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| format!("the column mapping is not JSON ({e})"))?;
        let serde_json::Value::Object(entries) = value else {
            return Err("the column mapping must be a JSON object of heading to field".into());
        };
        let mut columns = HashMap::new();
        for (heading, field) in entries {
            let field = match field {
                serde_json::Value::String(field) => Some(field.trim().to_owned()),
                serde_json::Value::Null => None,
                _ => {
                    return Err(format!(
                        "the column mapping gives \"{heading}\" something other than a field name or null"
                    ));
                }
            };
            columns.insert(heading.trim().to_lowercase(), field);
        }
        Ok(Self { columns })
    }

    /// What the mapping says of a heading: `None` if it does not name it; `Some(None)` to
    /// leave the column out.
    pub(crate) fn for_heading(&self, heading: &str) -> Option<Option<&str>> {
        self.columns.get(&heading.trim().to_lowercase()).map(Option::as_deref)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_names_fields_or_leaves_columns_out() {
        let mapping =
            ColumnMapping::parse(r#"{" Client ID ": "reference", "Notes": null}"#).expect("valid");
        assert_eq!(mapping.for_heading("client id"), Some(Some("reference")));
        assert_eq!(mapping.for_heading("NOTES"), Some(None));
        assert_eq!(mapping.for_heading("Other"), None);
        assert!(ColumnMapping::parse("[1]").is_err());
        assert!(ColumnMapping::parse(r#"{"a": 3}"#).unwrap_err().contains("\"a\""));
    }
}
