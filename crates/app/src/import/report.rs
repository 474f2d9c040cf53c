//! What an import found and did: one structure for the command line, the API and the page.

use std::fmt;

use super::ImportKind;

/// At most this many problems are kept (all are counted): a file that is wrong on every one
/// of 200 000 rows needs its first screens of problems, not a report as large as itself.
pub const PROBLEMS_KEPT: usize = 1_000;

/// One problem: the spreadsheet's row (the header is row 1; `None` for the file as a whole),
/// the column as the spreadsheet names it, the value found and why it cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub row: Option<u64>,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
}

impl Problem {
    /// A problem with the file as a whole (unreadable, a header missing).
    pub(crate) fn file(reason: impl Into<String>) -> Self {
        Self { row: None, column: None, value: None, reason: reason.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.row {
            Some(row) => write!(f, "row {row}")?,
            None => write!(f, "file")?,
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        if let Some(value) = &self.value {
            write!(f, ", value \"{value}\"")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// What an import did or, in a dry run or when there are problems, would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub kind: ImportKind,
    pub dry_run: bool,
    /// Rows read after the header.
    pub rows: u64,
    /// Rows that are (or would be) new records.
    pub added: u64,
    /// Rows already in Kindred with the same values: left as they are.
    pub unchanged: u64,
    /// The first [`PROBLEMS_KEPT`] problems, in file order; when any, nothing was written.
    pub problems: Vec<Problem>,
    /// Every problem found, kept or not.
    pub problem_count: u64,
}

impl ImportReport {
    pub(crate) fn new(kind: ImportKind, dry_run: bool) -> Self {
        Self {
            kind,
            dry_run,
            rows: 0,
            added: 0,
            unchanged: 0,
            problems: Vec::new(),
            problem_count: 0,
        }
    }

    pub(crate) fn problem(&mut self, problem: Problem) {
        self.problem_count += 1;
        if self.problems.len() < PROBLEMS_KEPT {
            self.problems.push(problem);
        }
    }

    /// Whether the record was changed.
    pub fn applied(&self) -> bool {
        !self.dry_run && self.problem_count == 0
    }

    /// The one-line summary every surface shows first.
    pub fn summary(&self) -> String {
        let rows = count(self.rows, "row");
        let kind = self.kind.label();
        if self.problem_count > 0 {
            return format!(
                "{kind}: {} in {rows}; nothing was imported.",
                count(self.problem_count, "problem")
            );
        }
        let (verb, suffix) = if self.dry_run {
            ("would add", " (dry run: nothing was changed)")
        } else {
            ("added", "")
        };
        format!("{kind}: {rows}, {verb} {}, {} unchanged{suffix}.", self.added, self.unchanged)
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.summary())?;
        for problem in &self.problems {
            writeln!(f, "  {problem}")?;
        }
        let left_out = self.problem_count.saturating_sub(self.problems.len() as u64);
        if left_out > 0 {
            writeln!(f, "  … and {} not listed", count(left_out, "more problem"))?;
        }
        Ok(())
    }
}

/// "1 row", "2 rows".
fn count(n: u64, unit: &str) -> String {
    if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") }
}
