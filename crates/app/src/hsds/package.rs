//! Reading an HSDS tabular data package: `datapackage.json` and its CSV tables, tolerant of the
//! names HSDS 2.x and 3.0 give the same table.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::RowError;

/// An HSDS tabular data package: its files by name, as they sit in the package's directory.
/// Built from a directory ([`HsdsPackage::from_dir`]) or from uploaded files
/// ([`HsdsPackage::add`]).
#[derive(Debug, Clone, Default)]
pub struct HsdsPackage {
    files: BTreeMap<String, Vec<u8>>,
}

impl HsdsPackage {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file under its name within the package (`services.csv`).
    pub fn add(&mut self, name: impl Into<String>, contents: Vec<u8>) {
        self.files.insert(name.into(), contents);
    }

    /// Reads the `.json` and `.csv` files at the top of `dir`.
    pub fn from_dir(dir: &Path) -> std::io::Result<Self> {
        let mut package = Self::new();
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            let is_table = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("json"));
            if let (true, Some(name)) = (is_table, path.file_name().and_then(|n| n.to_str())) {
                package.add(name, std::fs::read(&path)?);
            }
        }
        Ok(package)
    }

    fn file(&self, name: &str) -> Option<&[u8]> {
        self.files.get(name).map(Vec::as_slice)
    }
}

/// The tables Kindred reads, each with the names HSDS versions give it (3.0 first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum TableKind {
    Organizations,
    Services,
    Locations,
    ServiceAtLocation,
    Addresses,
    Phones,
    Schedules,
}

impl TableKind {
    pub(super) const ALL: [TableKind; 7] = [
        Self::Organizations,
        Self::Services,
        Self::Locations,
        Self::ServiceAtLocation,
        Self::Addresses,
        Self::Phones,
        Self::Schedules,
    ];

    /// Resource names (in `datapackage.json`) and file stems this table goes by.
    fn names(self) -> &'static [&'static str] {
        match self {
            Self::Organizations => &["organizations", "organization"],
            Self::Services => &["services", "service"],
            Self::Locations => &["locations", "location"],
            Self::ServiceAtLocation => {
                &["service_at_location", "service_at_locations", "services_at_location"]
            }
            Self::Addresses => &["addresses", "address", "physical_addresses", "physical_address"],
            Self::Phones => &["phones", "phone"],
            Self::Schedules => &["schedules", "schedule", "regular_schedules", "regular_schedule"],
        }
    }

    fn required(self) -> bool {
        matches!(self, Self::Organizations | Self::Services)
    }
}

/// One CSV table: its file name, header and rows with their line numbers.
#[derive(Debug, Clone)]
pub(super) struct Table {
    pub file: String,
    columns: HashMap<String, usize>,
    pub rows: Vec<Row>,
}

/// One data row. `line` is its line in the file (the header is line 1), as a spreadsheet
/// numbers rows.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub line: u64,
    values: Vec<String>,
}

impl Table {
    /// The trimmed value of the first of `columns` this table has; blank is `None`.
    pub fn get<'r>(&self, row: &'r Row, columns: &[&str]) -> Option<&'r str> {
        columns
            .iter()
            .filter_map(|c| self.columns.get(*c))
            .filter_map(|i| row.values.get(*i))
            .map(|v| v.trim())
            .find(|v| !v.is_empty())
    }

    pub fn empty(file: &str) -> Self {
        Table { file: file.to_owned(), columns: HashMap::new(), rows: Vec::new() }
    }
}

/// The package's tables and name, or the package-level problems that stop the import.
#[derive(Debug)]
pub(super) struct Tables {
    /// The package's `name` from `datapackage.json` (identifies its resources on re-import).
    pub name: String,
    pub tables: HashMap<TableKind, Table>,
}

/// Reads `datapackage.json` and the tables. Malformed rows are row errors; a missing or
/// unreadable required file is a file error.
pub(super) fn read(package: &HsdsPackage, errors: &mut Vec<RowError>) -> Option<Tables> {
    let Some(descriptor) = package.file("datapackage.json") else {
        errors.push(RowError::file(
            "datapackage.json",
            "is missing: an HSDS tabular package has a datapackage.json beside its CSV files",
        ));
        return None;
    };
    let descriptor: serde_json::Value = match serde_json::from_slice(descriptor) {
        Ok(value @ serde_json::Value::Object(_)) => value,
        Ok(_) => {
            errors.push(RowError::file("datapackage.json", "is not a JSON object"));
            return None;
        }
        Err(e) => {
            errors.push(RowError::file("datapackage.json", format!("is not valid JSON ({e})")));
            return None;
        }
    };
    let name = descriptor["name"]
        .as_str()
        .map(|n| {
            n.trim()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "package".to_owned());
    let declared: HashMap<String, String> = descriptor["resources"]
        .as_array()
        .map(|resources| {
            resources
                .iter()
                .filter_map(|r| {
                    Some((r["name"].as_str()?.to_owned(), r["path"].as_str()?.to_owned()))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut tables = HashMap::new();
    for kind in TableKind::ALL {
        let path = kind
            .names()
            .iter()
            .find_map(|n| declared.get(*n).filter(|p| package.file(p).is_some()).cloned())
            .or_else(|| {
                kind.names()
                    .iter()
                    .map(|n| format!("{n}.csv"))
                    .find(|file| package.file(file).is_some())
            });
        match path {
            Some(path) => {
                if let Some(table) =
                    read_table(&path, package.file(&path).unwrap_or_default(), errors)
                {
                    tables.insert(kind, table);
                }
            }
            None if kind.required() => errors.push(RowError::file(
                &format!("{}.csv", kind.names()[0]),
                "is missing: every HSDS package needs its organizations and services",
            )),
            None => {}
        }
    }
    Some(Tables { name, tables })
}

fn read_table(file: &str, bytes: &[u8], errors: &mut Vec<RowError>) -> Option<Table> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let columns: HashMap<String, usize> = match reader.headers() {
        Ok(header) => header
            .iter()
            .enumerate()
            .map(|(i, name)| (name.trim().trim_start_matches('\u{feff}').to_ascii_lowercase(), i))
            .collect(),
        Err(e) => {
            errors.push(RowError::file(file, format!("has no readable header row ({e})")));
            return None;
        }
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => rows.push(Row {
                line: record.position().map_or(0, |p| p.line()),
                values: record.iter().map(str::to_owned).collect(),
            }),
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(RowError::row(file, line, None, format!("cannot be read ({e})")));
            }
        }
    }
    Some(Table { file: file.to_owned(), columns, rows })
}
