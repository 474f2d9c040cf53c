//! A row's cells as Kindred values: terms matched by code or label, people and programs by
//! name or id, and every problem recorded against the row's column and value.

use std::collections::HashMap;

use kindred_domain::FieldErrors;
use kindred_domain::user::User;
use kindred_domain::vocabulary::{Role, Vocabulary};
use kindred_storage::{ParticipantFacts, Program, Session};

use super::csv_reader::{Row, Table};
use super::report::Problem;
use crate::Result;

/// Checks one row, collecting its problems.
pub(crate) struct RowCheck<'r> {
    table: &'r Table,
    row: &'r Row,
    pub problems: Vec<Problem>,
    /// The fields already reported: one problem per cell, the first (as `FieldErrors` keeps).
    reported: Vec<String>,
}

impl<'r> RowCheck<'r> {
    pub(crate) fn new(table: &'r Table, row: &'r Row) -> Self {
        Self { table, row, problems: Vec::new(), reported: Vec::new() }
    }

    pub(crate) fn row_number(&self) -> u64 {
        self.row.number
    }

    pub(crate) fn get(&self, field: &str) -> Option<&'r str> {
        self.row.get(field)
    }

    pub(crate) fn text(&self, field: &str) -> Option<String> {
        self.get(field).map(str::to_owned)
    }

    /// Records a problem with `field`'s cell.
    pub(crate) fn add(&mut self, field: &str, reason: impl Into<String>) {
        if self.reported.iter().any(|f| f == field) {
            return;
        }
        self.reported.push(field.to_owned());
        self.problems.push(Problem {
            row: Some(self.row.number),
            column: Some(self.table.heading(field).to_owned()),
            value: self.get(field).or_else(|| self.row.item(field)).map(str::to_owned),
            reason: reason.into(),
        });
    }

    /// The domain's verdicts on the fields, as problems of their columns (a cell whose value
    /// was already refused is not reported again as missing).
    pub(crate) fn field_errors(&mut self, errors: &FieldErrors) {
        for error in errors.iter() {
            self.add(&error.field, error.message.clone());
        }
    }

    /// A coded cell as its term's code (what the domain parses), matched by code or label.
    pub(crate) fn term<V: Vocabulary>(&mut self, field: &str) -> Option<String> {
        let text = self.get(field)?;
        match V::matching(text) {
            Ok(term) => Some(term.code().to_owned()),
            Err(reason) => {
                self.add(field, reason);
                None
            }
        }
    }

    /// A list of terms, separated by `;`, `|` or `,`, as codes.
    pub(crate) fn terms<V: Vocabulary>(&mut self, field: &str) -> Option<Vec<String>> {
        let text = self.get(field)?;
        let mut codes = Vec::new();
        for part in text.split([';', '|', ',']).map(str::trim).filter(|p| !p.is_empty()) {
            match V::matching(part) {
                Ok(term) => codes.push(term.code().to_owned()),
                Err(reason) => {
                    self.add(field, format!("\"{part}\" {reason}"));
                    return None;
                }
            }
        }
        Some(codes)
    }
}

/// The organisation's programs and people, by what a spreadsheet calls them.
#[derive(Debug, Default)]
pub(crate) struct Directory {
    programs: HashMap<String, Program>,
    users: HashMap<String, User>,
}

impl Directory {
    pub(crate) fn new(programs: Vec<Program>, users: Vec<User>) -> Self {
        let mut directory = Self::default();
        for program in programs {
            directory.programs.insert(program.id.to_string(), program.clone());
            directory.programs.insert(program.name.trim().to_lowercase(), program);
        }
        for user in users {
            directory.users.insert(user.id.to_string(), user.clone());
            directory.users.insert(user.email.to_string().to_lowercase(), user);
        }
        directory
    }

    /// A program by its name (any case) or id.
    pub(crate) fn program(&self, named: &str) -> Result<&Program, String> {
        self.programs
            .get(&named.trim().to_lowercase())
            .ok_or_else(|| "is not a program of this organisation (give its name or id)".into())
    }

    /// A coach by their email (any case) or id.
    pub(crate) fn coach(&self, named: &str) -> Result<&User, String> {
        match self.users.get(&named.trim().to_lowercase()) {
            Some(user) if user.roles.has(Role::Coach) => Ok(user),
            Some(_) => Err("is not a coach".into()),
            None => Err("is not a coach of this organisation (give their email or id)".into()),
        }
    }
}

/// Participants by reference, as found (`None`: no such participant): a history file names
/// the same people over and over.
#[derive(Debug, Default)]
pub(crate) struct KnownParticipants(HashMap<String, Option<ParticipantFacts>>);

impl KnownParticipants {
    /// The participant the row's `participant_reference` names; a problem if none does.
    /// `whose` ends the reason: "the reference of the participant {whose}".
    pub(crate) async fn of_row<M>(
        &mut self,
        session: &mut Session<M>,
        check: &mut RowCheck<'_>,
        whose: &str,
    ) -> Result<Option<ParticipantFacts>> {
        let Some(reference) = check.get("participant_reference") else {
            let reason = format!("is required: the reference of the participant {whose}");
            check.add("participant_reference", reason);
            return Ok(None);
        };
        let facts = match self.0.get(reference) {
            Some(known) => known.clone(),
            None => {
                let facts = session.participant_facts_by_reference(reference).await?;
                self.0.insert(reference.to_owned(), facts.clone());
                facts
            }
        };
        if facts.is_none() {
            check.add(
                "participant_reference",
                "is not the reference of a participant of this organisation",
            );
        }
        Ok(facts)
    }
}

/// The longest reference a program may give an imported record (a row id or code).
const RECORD_REFERENCE_MAX: usize = 100;

/// The keys seen so far in the file (participant's reference and the row's own key), each
/// with its row: a second row for one record is a problem.
#[derive(Debug, Default)]
pub(crate) struct SeenKeys(HashMap<(String, String), u64>);

impl SeenKeys {
    /// Accepts `key` for the participant unless it is too long or repeats an earlier row's,
    /// reporting the problem against `field`; `what` names what the key identifies.
    pub(crate) fn accept(
        &mut self,
        check: &mut RowCheck<'_>,
        field: &str,
        participant: &str,
        key: String,
        what: &str,
    ) -> Option<String> {
        if key.chars().count() > RECORD_REFERENCE_MAX || key.chars().any(char::is_control) {
            check.add(field, format!("must be at most {RECORD_REFERENCE_MAX} plain characters"));
            return None;
        }
        let entry = (participant.to_owned(), key);
        if let Some(first) = self.0.get(&entry) {
            check.add(field, format!("repeats {what} (first on row {first})"));
            return None;
        }
        let key = entry.1.clone();
        self.0.insert(entry, check.row_number());
        Some(key)
    }
}
