//! Spreadsheet (CSV) import of participants, contacts, outcome events and completed
//! assessments: programs arrive with years of spreadsheets, and retyping them is how records
//! get lost.
//!
//! **Columns.** A column is named after the Kindred field it fills — the names the API uses
//! (`reference`, `given_name`, `referral_source`, `occurred_at`, `support_kinds`…; in any case,
//! with spaces for underscores) — or a saved [`ColumnMapping`] says which field each heading
//! of someone else's spreadsheet fills. A heading that is neither is a problem, not ignored: a
//! misspelt column silently dropped is data lost. An assessments sheet has, besides its fields,
//! one column per item of the instrument (`phq9_1`…): the row's instrument judges those, so a
//! column that is not one of its items is a problem of each row that answers it.
//!
//! **Values.** Coded fields take a term's code or its label, in any case (`phone`, `Phone`;
//! `drug_court`, `Drug court`); lists (`support_kinds`, `activities`) separate terms with `;`,
//! `|` or `,`. A program is named by its name or id, a coach by their email or id. Dates are
//! ISO, `YYYY-MM-DD`; a contact's `occurred_at` is `YYYY-MM-DD`, `YYYY-MM-DD HH:MM` or
//! `YYYY-MM-DDTHH:MM` (wall-clock, as in the form). Nothing else: `03/04/2025` is March in one
//! country and April in the next, so it is refused, not guessed.
//!
//! **Dry run, then all or nothing.** The file is read twice, a row at a time: first every row
//! is checked against the record (nothing is written, and every problem is reported with its
//! row, column, value and reason); then, if there were none and this is not a dry run, it is
//! read again and written in one transaction, each row checked once more inside it. Any
//! problem then too rolls the whole import back. A half-imported caseload is worse than
//! none: the fix is to correct the file and import it again.
//!
//! **Importing again changes nothing.** Rows are matched on the program's own references: a
//! participant's `reference` (unique in the organisation), a contact's participant reference
//! plus its `contact_reference` column — or, in a file without that column, the contact's time
//! and mode. Outcome events and assessments likewise: the participant's reference plus the
//! row's `event_reference` or `assessment_reference`, or else the record's natural key (an
//! event's kind, date and hospitalisation kind; an assessment's instrument, date and time
//! point), matched against every record the participant has. A row already imported with the same values is counted as unchanged; one whose
//! values differ is a problem (an import adds records and never overwrites what people have
//! since changed in Kindred).

mod assessments;
mod contacts;
mod csv_reader;
mod mapping;
mod outcome_events;
mod participants;
mod pass;
mod report;
mod values;

use kindred_domain::audit::AuditAction;

pub use csv_reader::CsvSource;
pub use mapping::ColumnMapping;
pub use report::{ImportReport, PROBLEMS_KEPT, Problem};

use crate::audit::entry;
use crate::policy::Importer;
use crate::{App, Result};

/// The largest spreadsheet the upload page and the API take (the command line reads files of
/// any size). About 300 000 contacts.
pub const UPLOAD_LIMIT_BYTES: usize = 32 * 1024 * 1024;

/// What a spreadsheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Participants,
    Contacts,
    OutcomeEvents,
    Assessments,
}

/// A Kindred field a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub required: bool,
}

impl ImportKind {
    pub const ALL: [ImportKind; 4] = [
        ImportKind::Participants,
        ImportKind::Contacts,
        ImportKind::OutcomeEvents,
        ImportKind::Assessments,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Participants => "participants",
            ImportKind::Contacts => "contacts",
            ImportKind::OutcomeEvents => "outcome_events",
            ImportKind::Assessments => "assessments",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ImportKind::Participants => "Participants",
            ImportKind::Contacts => "Contacts",
            ImportKind::OutcomeEvents => "Outcome events",
            ImportKind::Assessments => "Completed assessments",
        }
    }

    /// The codes, for messages ("participants, contacts, outcome_events or assessments").
    pub fn codes() -> String {
        let codes: Vec<&str> = Self::ALL.iter().map(|kind| kind.code()).collect();
        match codes.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => codes.join(""),
        }
    }

    /// The audit log's record type for what is imported.
    fn record_type(self) -> &'static str {
        match self {
            ImportKind::Participants => "participant",
            ImportKind::Contacts => "contact",
            ImportKind::OutcomeEvents => "outcome_event",
            ImportKind::Assessments => "assessment",
        }
    }

    /// Whether columns beyond the fields are instrument items, checked row by row.
    pub fn has_item_columns(self) -> bool {
        self == ImportKind::Assessments
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code.trim())
    }

    /// The columns a spreadsheet of this kind may have.
    pub fn fields(self) -> &'static [Field] {
        match self {
            ImportKind::Participants => participants::FIELDS,
            ImportKind::Contacts => contacts::FIELDS,
            ImportKind::OutcomeEvents => outcome_events::FIELDS,
            ImportKind::Assessments => assessments::FIELDS,
        }
    }
}

/// What to import.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub kind: ImportKind,
    pub source: CsvSource,
    pub mapping: Option<ColumnMapping>,
    pub dry_run: bool,
}

/// Told how many bytes of the file have been read, over both readings (so a real import
/// reaches twice the file's length).
pub type Progress<'p> = &'p (dyn Fn(u64) + Send + Sync);

impl App {
    /// Imports a spreadsheet of participants, contacts, outcome events or assessments
    /// (managers only): see the module's
    /// documentation. A dry run, or a file with any problem, writes nothing.
    pub async fn import_csv(
        &self,
        importer: &Importer<'_>,
        request: &ImportRequest,
        progress: Progress<'_>,
    ) -> Result<ImportReport> {
        let mut report = ImportReport::new(request.kind, request.dry_run);
        let mut session = importer.actor().tenant().read().await?;
        let read = self.pass(&mut session, importer, request, &mut report, 0, progress).await?;
        drop(session);
        if report.problem_count > 0 || request.dry_run {
            // The check compared rows with people's records: a read, audited as one.
            let detail = format!("CSV import check: {}", report.summary());
            let read = entry(
                importer.actor(),
                AuditAction::Read,
                request.kind.record_type(),
                None,
                detail,
            );
            self.audit_read(importer.actor(), read).await?;
            return Ok(report);
        }
        // Counted again by the writing pass, which sees the record as it now is.
        let mut written = ImportReport::new(request.kind, false);
        let mut tx = importer.actor().tenant().write().await?;
        self.pass(&mut tx, importer, request, &mut written, read, progress).await?;
        if written.problem_count > 0 {
            // Someone changed the record between the two readings; dropping rolls back.
            return Ok(written);
        }
        let actor = importer.actor();
        let detail = format!(
            "CSV import of {}: {} rows, {} added, {} unchanged",
            request.kind.code(),
            written.rows,
            written.added,
            written.unchanged
        );
        let now = self.clock().now();
        tx.append_audit(
            now,
            entry(actor, AuditAction::Create, request.kind.record_type(), None, detail),
        )
        .await?;
        tx.commit().await?;
        Ok(written)
    }
}
