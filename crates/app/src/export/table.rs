//! An export table: its columns, described once (the data dictionary is made from the same
//! descriptions), and its rows of typed values.

use time::Date;

/// A column's type, as the dictionary states it and the Parquet file stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Integer,
    Number,
    Text,
    /// A code from a closed list (its values and labels in the dictionary).
    Code,
    Date,
    /// 1 for yes, 0 for no.
    Boolean,
}

impl ColumnType {
    /// The type's name in the dictionary.
    pub fn code(self) -> &'static str {
        match self {
            Self::Integer => "integer",
            Self::Number => "number",
            Self::Text => "text",
            Self::Code => "code",
            Self::Date => "date",
            Self::Boolean => "boolean",
        }
    }
}

/// One allowed value of a coded column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedValue {
    pub code: String,
    pub label: String,
}

/// What the dictionary says about a column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub label: String,
    pub kind: ColumnType,
    /// For a coded or boolean column: every value it may take.
    pub allowed: Vec<AllowedValue>,
    pub unit: Option<&'static str>,
    /// How the value is derived from the record, in words.
    pub derivation: String,
    /// Names or dates a person could be found by (only in an identified export).
    pub identifier: bool,
}

impl Column {
    pub fn new(
        name: impl Into<String>,
        label: impl Into<String>,
        kind: ColumnType,
        derivation: impl Into<String>,
    ) -> Self {
        let allowed = if kind == ColumnType::Boolean {
            vec![
                AllowedValue { code: "1".into(), label: "Yes".into() },
                AllowedValue { code: "0".into(), label: "No".into() },
            ]
        } else {
            Vec::new()
        };
        Self {
            name: name.into(),
            label: label.into(),
            kind,
            allowed,
            unit: None,
            derivation: derivation.into(),
            identifier: false,
        }
    }

    /// A coded column with its values and labels.
    pub fn coded<'a>(
        name: impl Into<String>,
        label: impl Into<String>,
        values: impl IntoIterator<Item = (&'a str, &'a str)>,
        derivation: impl Into<String>,
    ) -> Self {
        let mut column = Self::new(name, label, ColumnType::Code, derivation);
        column.allowed = values
            .into_iter()
            .map(|(code, label)| AllowedValue { code: code.into(), label: label.into() })
            .collect();
        column
    }

    pub fn in_unit(mut self, unit: &'static str) -> Self {
        self.unit = Some(unit);
        self
    }

    pub fn identifying(self) -> Self {
        self.identifying_if(true)
    }

    /// Marks the column as identifying when `identifies` (a real date in an identified export).
    pub fn identifying_if(mut self, identifies: bool) -> Self {
        self.identifier |= identifies;
        self
    }
}

/// One cell. `Null` is a missing value, never zero.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Number(f64),
    Text(String),
    Date(Date),
    Boolean(bool),
}

impl Value {
    pub fn optional<T: Into<Value>>(value: Option<T>) -> Self {
        value.map_or(Self::Null, Into::into)
    }

    /// The cell as CSV writes it: empty for missing, ISO 8601 dates, 1/0 for booleans.
    pub fn to_csv(&self) -> String {
        match self {
            Self::Null => String::new(),
            Self::Integer(n) => n.to_string(),
            Self::Number(x) => x.to_string(),
            Self::Text(text) => text.clone(),
            Self::Date(day) => day.to_string(),
            Self::Boolean(yes) => if *yes { "1" } else { "0" }.to_owned(),
        }
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Self::Integer(n)
    }
}

impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Self::Number(x)
    }
}

impl From<bool> for Value {
    fn from(yes: bool) -> Self {
        Self::Boolean(yes)
    }
}

impl From<Date> for Value {
    fn from(day: Date) -> Self {
        Self::Date(day)
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

/// A row: one value per column, in the columns' order.
pub type Row = Vec<Value>;
