//! What every table of a study's export is built from: the study, its analysed participants
//! and their analysed rows, and how each participant appears in the files — a pseudonym and
//! shifted dates, or (under consent) their identity and real dates.

use std::collections::HashMap;

use kindred_domain::follow_up_log::Evidence;
use kindred_domain::ids::{ParticipantId, StudyId, UserId};
use kindred_domain::study::StudyDefinition;
use kindred_evaluation::assemble::StudyParticipant;
use kindred_evaluation::table::{AnalysedTable, ParticipantRow};
use kindred_storage::ExportIdentity;
use time::{Date, Duration};

use super::key::{ExportKey, MAX_SHIFT_DAYS};
use super::table::{Column, ColumnType, Row, Value};
use crate::studies::members::Loaded;

/// How participants appear in an export's files.
#[derive(Debug)]
pub(crate) struct Subjects {
    pub identified: bool,
    /// The columns that say who each row is.
    pub columns: Vec<Column>,
    /// Per member, in the load's order: the values of `columns`.
    pub identifiers: Vec<Row>,
    /// Per member: days added to each of their dates (0 in an identified export).
    pub shifts: Vec<i64>,
    /// Per member: their coach's pseudonym.
    pub coaches: Vec<Option<String>>,
}

impl Subjects {
    /// Pseudonyms and per-participant date shifts from the export key.
    pub(crate) fn pseudonymous(key: &ExportKey, study: StudyId, loaded: &Loaded) -> Self {
        let column = Column::new(
            "pseudonym",
            "Participant (pseudonym)",
            ColumnType::Text,
            "a keyed hash of the participant's record id: the same in every export of this \
             study, unrelated across studies, and not reversible without the server's key",
        );
        Self {
            identified: false,
            columns: vec![column],
            identifiers: loaded
                .facts
                .iter()
                .map(|f| vec![Value::Text(key.pseudonym(study, f.id))])
                .collect(),
            shifts: loaded.facts.iter().map(|f| key.date_shift_days(study, f.id)).collect(),
            coaches: coaches(key, study, loaded),
        }
    }

    /// The record id, reference, name and date of birth, and real dates.
    pub(crate) fn identified(
        key: &ExportKey,
        study: StudyId,
        loaded: &Loaded,
        identities: &[ExportIdentity],
    ) -> Self {
        let by_id: HashMap<ParticipantId, &ExportIdentity> =
            identities.iter().map(|i| (i.participant_id, i)).collect();
        let columns = vec![
            Column::new(
                "participant_id",
                "Participant record id",
                ColumnType::Text,
                "Kindred's id of the participant",
            )
            .identifying(),
            Column::new(
                "reference",
                "Record reference",
                ColumnType::Text,
                "the program's reference for the participant",
            )
            .identifying(),
            Column::new("given_name", "Given name", ColumnType::Text, "as recorded").identifying(),
            Column::new("family_name", "Family name", ColumnType::Text, "as recorded")
                .identifying(),
            Column::new("date_of_birth", "Date of birth", ColumnType::Date, "as recorded")
                .identifying(),
        ];
        let identifiers = loaded
            .facts
            .iter()
            .map(|f| {
                let who = by_id.get(&f.id);
                vec![
                    Value::Text(f.id.to_string()),
                    Value::Text(f.reference.clone()),
                    Value::optional(who.map(|w| w.given_name.as_str())),
                    Value::optional(who.map(|w| w.family_name.as_str())),
                    Value::optional(who.map(|w| w.date_of_birth)),
                ]
            })
            .collect();
        Self {
            identified: true,
            columns,
            identifiers,
            shifts: vec![0; loaded.facts.len()],
            coaches: coaches(key, study, loaded),
        }
    }
}

fn coaches(key: &ExportKey, study: StudyId, loaded: &Loaded) -> Vec<Option<String>> {
    loaded.facts.iter().map(|f| f.coach_id.map(|c| key.coach_pseudonym(study, c))).collect()
}

/// One analysed participant, as the table builders read them.
pub(crate) struct Member<'a> {
    /// Their position in the load (and in [`Subjects`]).
    pub index: usize,
    pub participant: &'a StudyParticipant,
    pub row: &'a ParticipantRow,
}

/// Everything an export's tables are built from.
pub(crate) struct ExportContext<'a> {
    pub study_id: StudyId,
    pub study: &'a StudyDefinition,
    pub loaded: &'a Loaded,
    /// The analysed table: one row per participant of `loaded`, in its order.
    pub table: &'a AnalysedTable,
    pub subjects: &'a Subjects,
    /// Follow-up evidence (completed assessments, exclusions), for the person-period table.
    pub evidence: &'a HashMap<ParticipantId, Evidence>,
    pub key: &'a ExportKey,
}

impl ExportContext<'_> {
    pub(crate) fn members(&self) -> impl Iterator<Item = Member<'_>> {
        self.loaded
            .participants
            .iter()
            .zip(&self.table.rows)
            .enumerate()
            .map(|(index, (participant, row))| Member { index, participant, row })
    }

    /// A coach's pseudonym in this study's export.
    pub(crate) fn coach_pseudonym(&self, coach: UserId) -> String {
        self.key.coach_pseudonym(self.study_id, coach)
    }

    /// A member's date as the export shows it.
    pub(crate) fn shifted(&self, index: usize, day: Date) -> Date {
        day.checked_add(Duration::days(self.subjects.shifts[index])).unwrap_or(day)
    }

    /// The derivation of a date column, saying whether it is shifted.
    pub(crate) fn date_derivation(&self, what: &str) -> String {
        if self.subjects.identified {
            format!("the day they {what}")
        } else {
            format!(
                "the day they {what}, moved by the participant's own secret shift of up to \
                 {MAX_SHIFT_DAYS} days either way (the same for all their dates, so intervals \
                 are exact)"
            )
        }
    }

    pub(crate) fn arm_column(&self) -> Column {
        Column::coded(
            "arm",
            "Arm (as allocated)",
            self.study.arms.iter().map(|a| (a.code.as_str(), a.name.as_str())),
            "the arm allocated, analysed as allocated (intention to treat)",
        )
    }

    /// The arm's code, from its index in the study's arms.
    pub(crate) fn arm_value(&self, arm: usize) -> Value {
        Value::optional(self.study.arms.get(arm).map(|a| a.code.as_str()))
    }
}

/// A name a column can carry into R, Stata, SPSS and REDCap: lower case letters, digits and
/// `_`, starting with a letter.
pub(crate) fn column_name(text: &str) -> String {
    let mut name = suffix(text);
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name.insert_str(0, "v_");
    }
    name
}

/// `text` as the end of a column name (`6m` in `wellbeing_6m`): lower case letters, digits
/// and `_`.
pub(crate) fn suffix(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect()
}
